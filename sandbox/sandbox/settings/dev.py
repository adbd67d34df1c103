"""Local development: DEBUG on, a fixed key, any host. Never deploy these settings."""

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "sandbox-only-not-secret"
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# The demo agency feed is served by the sandbox itself, on 127.0.0.1: allow it here only.
WAGTAIL_MEDIAWIRE = {"FEED_ALLOW_PRIVATE_HOSTS": True}

# A contributor's own overrides (e.g. WAGTAIL_MEDIAWIRE), kept out of git.
try:
    from .local import *  # noqa: F403
except ImportError:
    pass
