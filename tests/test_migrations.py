import importlib
from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    # Exits with SystemExit(1) when a migration is missing, under any Wagtail/Django in the matrix.
    call_command("makemigrations", "wagtail_mediawire", "--check", "--dry-run", stdout=out)


@pytest.mark.django_db
def test_excerpts_stored_before_the_cap_are_trimmed(section):
    from wagtail_mediawire.factories import MediaWireArticlePageFactory
    from wagtail_mediawire.models import MediaWireArticlePage

    article = MediaWireArticlePageFactory(parent=section)
    short = MediaWireArticlePageFactory(parent=section, summary="A short summary.")
    MediaWireArticlePage.objects.filter(pk=article.pk).update(excerpt="word " * 50_000)
    from django.apps import apps

    migration = importlib.import_module("wagtail_mediawire.migrations.0002_trim_stored_excerpts")
    migration.trim_excerpts(apps, None)
    article.refresh_from_db()
    assert len(article.excerpt.split()) == 100
    assert article.excerpt.endswith("…")
    short.refresh_from_db()
    assert short.excerpt == "A short summary."
