from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    # Exits with SystemExit(1) when a migration is missing, under any Wagtail/Django in the matrix.
    call_command("makemigrations", "wagtail_mediawire", "--check", "--dry-run", stdout=out)
