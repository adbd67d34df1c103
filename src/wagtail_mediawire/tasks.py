"""Background tasks, on the site's task backend (Django's tasks framework).

Django 6 has it as ``django.tasks``; before, Wagtail's dependency ``django-tasks`` does.
The site chooses the backend in ``TASKS``: immediate in development, the database
(django-tasks-db) or RQ (django-tasks-rq) in production, with as many workers as it likes.
"""

from importlib.util import find_spec

if find_spec("django.tasks"):
    from django.tasks import task
else:  # Django 5.2
    from django_tasks import task


@task()
def fetch_feed(feed_id: int) -> dict:
    """Fetch one WireFeed and import its items; returns what ``FetchResult`` counted."""
    from .ingest.importer import fetch

    return fetch(feed_id).as_dict()
