"""Background tasks, on the site's task backend (Django's tasks framework).

Django 6 has it as ``django.tasks``; before, Wagtail's dependency ``django-tasks`` does.
The site chooses the backend in ``TASKS`` (the alias in ``WAGTAIL_MEDIAWIRE["TASK_BACKEND"]``):
immediate in development, the database (django-tasks-db) or RQ (django-tasks-rq) in
production, with as many workers as it likes.
"""

import base64
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


@task(backend=get_setting("TASK_BACKEND"))
def import_delivery(feed_id: int, content: str, via: str) -> dict:
    """Import a document pushed to the feed (``content`` in base64, as task arguments are
    JSON); ``via`` is "push" or "websub"."""
    from .ingest.importer import deliver

    return deliver(feed_id, base64.b64decode(content), via=via).as_dict()


@task(backend=get_setting("TASK_BACKEND"))
def websub_request(feed_id: int) -> str:
    """Ask a WebSub feed's hub for what the feed needs now (a subscription, its renewal,
    an unsubscription), finding the hub first with a fetch of the feed if need be."""
    from .ingest import websub
    from .ingest.importer import fetch
    from .models import WireFeed

    feed = WireFeed.objects.select_related("websub").filter(pk=feed_id).first()
    mode = websub.wanted(feed) if feed is not None else ""
    if not mode:
        return ""
    if mode == websub.SUBSCRIBE and websub.needs_discovery(feed_id):
        fetch(feed_id)  # reads the hub and topic from the feed, and imports what it has
    return websub.ask(feed_id, mode)


def enqueue_fetch(feed_id: int):
    """Queue ``fetch_feed`` on the backend named by ``TASK_BACKEND``."""
    return fetch_feed.using(backend=get_setting("TASK_BACKEND")).enqueue(feed_id)


def enqueue_delivery(feed_id: int, content: bytes, via: str):
    """Queue ``import_delivery`` for a document pushed to the feed."""
    encoded = base64.b64encode(content).decode("ascii")
    return import_delivery.using(backend=get_setting("TASK_BACKEND")).enqueue(feed_id, encoded, via)


def enqueue_websub_request(feed_id: int):
    return websub_request.using(backend=get_setting("TASK_BACKEND")).enqueue(feed_id)
