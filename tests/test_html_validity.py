"""Every public page of the package passes the W3C Nu HTML Checker with zero errors.

The checker is the npm package vnu-jar (``npm ci`` installs it into node_modules/),
run with Java; `.ci/run` installs both.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from tests.testapp.models import HomePage
from wagtail_mediawire.factories import DisclaimerFactory, MediaWireArticlePageFactory

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

pytestmark = pytest.mark.django_db


def check(paths: list[Path]) -> list[dict]:
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.skip("the Nu HTML Checker needs Java and `npm ci` (node_modules/vnu-jar)")
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return json.loads(result.stderr or '{"messages": []}')["messages"]


def test_the_packages_pages_have_no_html_errors(client, section, root_page, tmp_path):
    section.default_disclaimer = DisclaimerFactory(text="<p>Retrieved from other agencies.</p>")
    section.signature = "Example Media Wire"
    section.save_revision().publish()
    articles = [
        MediaWireArticlePageFactory(
            parent=section,
            title=f"Harbour report {n} & the <quay>",
            summary="Ferries run again; freight follows.",
            body__0__paragraph__value="<p>The harbour office <b>said</b> so.</p>",
            body__1__quote__text="We are open.",
            body__1__quote__attribution="The harbour master",
            body__2__source__name="Northwind Press Agency",
            body__2__source__url=f"https://northwind.example/reports/{n}?a=1&b=2",
            body__2__source__original_headline="Harbour reopens",
            body__2__source__published_at=timezone.now(),
        )
        for n in range(12)  # more than a page of the section's listing
    ]
    home = root_page.add_child(instance=HomePage(title="Front page", slug="front"))
    pages = {
        "article.html": articles[0].url,
        "section.html": section.url,
        "section-page-2.html": section.url + "?page=2",
        "home-with-recent-posts.html": home.url,
    }
    paths = []
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        path = tmp_path / name
        path.write_bytes(response.content)
        paths.append(path)

    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}"
        for m in check(paths)
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]
    assert errors == []
