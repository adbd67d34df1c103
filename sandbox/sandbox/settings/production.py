"""The sandbox as a site runs it in production: DEBUG off, secrets and hosts from the
environment, and a Redis cache shared by every app server.

    SECRET_KEY=... ALLOWED_HOSTS=www.example.com REDIS_URL=redis://127.0.0.1:6379/0 \\
    DATABASE_URL=postgres://... gunicorn -w 2 sandbox.wsgi

``make load`` serves the sandbox with these settings (docs/how-to/production.md).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False

try:
    SECRET_KEY = os.environ["SECRET_KEY"]
except KeyError:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment.") from None

ALLOWED_HOSTS = [host for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host]

# Every app server (and the process running publish_scheduled) shares one cache, so a
# publish in one is seen by the next render in all of them.
if redis_url := os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
        }
    }

# Persistent database connections: opening one per request costs more than most pages.
DATABASES["default"]["CONN_MAX_AGE"] = 600  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # Several processes on one file: readers beside the writer (WAL), and a writer that
    # takes its lock when its transaction starts and waits for it, rather than failing.
    DATABASES["default"]["OPTIONS"] = {  # noqa: F405
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
