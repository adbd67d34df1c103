"""Background tasks, on the site's task backend (Django's tasks framework).

Django 6 has it as ``django.tasks``; before, Wagtail's dependency ``django-tasks`` does.
The site chooses the backend in ``TASKS`` (the alias in ``WAGTAIL_MEDIAWIRE["TASK_BACKEND"]``):
immediate in development, the database (django-tasks-db) or RQ (django-tasks-rq) in
production, with as many workers as it likes.
"""

from importlib.util import find_spec

from .settings import get_setting

if find_spec("django.tasks"):
    from django.tasks import task
else:  # Django 5.2
    from django_tasks import task


# Declared on the configured alias: a task takes its class from its backend, and on
# Django 6 a site may keep the django-tasks backport (which Wagtail 8.0 uses) on one
# alias and a django.tasks backend, such as django-tasks-db, on the feeds' alias.
@task(backend=get_setting("TASK_BACKEND"))
def fetch_feed(feed_id: int) -> dict:
    """Fetch one WireFeed and import its items; returns what ``FetchResult`` counted."""
    from .ingest.importer import fetch

    return fetch(feed_id).as_dict()


def enqueue_fetch(feed_id: int):
    """Queue ``fetch_feed`` on the backend named by ``TASK_BACKEND``."""
    return fetch_feed.using(backend=get_setting("TASK_BACKEND")).enqueue(feed_id)
