"""A feed that reads a drop folder (FEED_DROP_ROOT): each ready file imported once, then
filed in done/ or failed/; files being written wait; nothing outside the folder is read."""

import json
import os
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from wagtail_mediawire.ingest.importer import fetch
from wagtail_mediawire.models import MediaWireArticlePage, WireFeed, WireItem

pytestmark = pytest.mark.django_db


def story(n: int) -> bytes:
    return json.dumps(
        {
            "uri": f"urn:northwind:story:{n}",
            "version": "1",
            "type": "text",
            "headlines": [{"value": f"Gull Point report {n}"}],
            "bodies": [{"contentType": "text/html", "value": f"<p>Report {n} in full.</p>"}],
        }
    ).encode()


@pytest.fixture
def drop_root(tmp_path, settings):
    root = tmp_path / "incoming"
    (root / "northwind").mkdir(parents=True)
    settings.WAGTAIL_MEDIAWIRE = {
        **getattr(settings, "WAGTAIL_MEDIAWIRE", {}),
        "FEED_DROP_ROOT": str(root),
        "FEED_DROP_SETTLE_SECONDS": 5,
    }
    return root


@pytest.fixture
def feed(section, drop_root):
    feed = WireFeed(
        name="Northwind by SFTP", folder="northwind", section=section,
        source_name="Northwind Press Agency", source_url="https://northwind.example/",
    )  # fmt: skip
    feed.full_clean()
    feed.save()
    return feed


def drop(folder, name: str, content: bytes, age: float = 60) -> None:
    path = folder / name
    path.write_bytes(content)
    then = time.time() - age
    os.utime(path, (then, then))


def test_ready_files_are_imported_once_and_filed_in_done(feed, drop_root):
    folder = drop_root / "northwind"
    drop(folder, "a.json", story(1))
    drop(folder, "b.json", story(2))
    result = fetch(feed.pk)
    assert (result.error, result.imported) == ("", 2)
    assert sorted(p.name for p in (folder / "done").iterdir()) == ["a.json", "b.json"]
    assert not list(folder.glob("*.json"))
    # The same file delivered again (a retried upload) is the same item: nothing new.
    drop(folder, "a.json", story(1))
    again = fetch(feed.pk)
    assert (again.imported, again.unchanged) == (0, 1)
    assert sorted(p.name for p in (folder / "done").iterdir()) == ["a.1.json", "a.json", "b.json"]
    assert MediaWireArticlePage.objects.count() == 2


def test_a_file_still_being_written_waits(feed, drop_root):
    folder = drop_root / "northwind"
    drop(folder, "fresh.json", story(1), age=0)
    result = fetch(feed.pk)
    assert result.imported == 0
    assert any("still being written" in note for note in result.notes)
    assert (folder / "fresh.json").exists()
    os.utime(folder / "fresh.json", (time.time() - 60, time.time() - 60))
    assert fetch(feed.pk).imported == 1


def test_a_broken_file_is_filed_in_failed_with_its_error(feed, drop_root):
    folder = drop_root / "northwind"
    drop(folder, "broken.xml", b"<nitf><head>")
    drop(folder, "good.json", story(3))
    result = fetch(feed.pk)
    assert result.imported == 1 and result.error == ""
    assert any(note.startswith("broken.xml not imported: ") for note in result.notes)
    error = (folder / "failed" / "broken.xml.error.txt").read_text()
    assert "not well-formed XML" in error
    assert (folder / "failed" / "broken.xml").exists() and (folder / "done" / "good.json").exists()
    feed.refresh_from_db()
    assert "broken.xml" in feed.last_warning


def test_nothing_outside_the_folder_is_read(feed, drop_root, tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_bytes(story(9))
    os.utime(secret, (time.time() - 60, time.time() - 60))
    (drop_root / "northwind" / "link.json").symlink_to(secret)
    (drop_root / "northwind" / ".hidden.json").write_bytes(story(8))
    assert fetch(feed.pk).imported == 0
    assert not WireItem.objects.exists() and secret.exists()


@pytest.mark.parametrize(
    ("folder", "message"),
    [
        ("../elsewhere", "inside the drop folder"),
        ("/etc", "not an absolute path"),
        ("missing", "There is no folder missing"),
        (".", "inside the drop folder"),
    ],
)
def test_a_folder_outside_the_root_is_refused_on_the_field(section, drop_root, folder, message):
    (drop_root.parent / "elsewhere").mkdir()
    feed = WireFeed(name="X", folder=folder, section=section, source_name="X")
    with pytest.raises(ValidationError) as error:
        feed.full_clean()
    assert message in " ".join(error.value.message_dict["folder"])


def test_a_feed_needs_an_address_or_a_folder_not_both(section, drop_root):
    both = {"url": "https://northwind.example/feed", "folder": "northwind"}
    for fields, message in (({}, "one of them"), (both, "not both")):
        with pytest.raises(ValidationError) as error:
            WireFeed(name="X", section=section, source_name="X", **fields).full_clean()
        assert message in str(error.value.message_dict["url"])


def test_without_a_drop_root_a_folder_feed_fails_with_a_message(feed, settings):
    settings.WAGTAIL_MEDIAWIRE = {**settings.WAGTAIL_MEDIAWIRE, "FEED_DROP_ROOT": None}
    result = fetch(feed.pk)
    assert "FEED_DROP_ROOT" in result.error


def test_the_command_reads_a_folder_feed(feed, drop_root, capsys):
    drop(drop_root / "northwind", "c.json", story(4))
    call_command("mediawire_fetch_feeds", "--feed", str(feed.pk))
    assert "1 new" in capsys.readouterr().out
