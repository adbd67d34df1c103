"""Local development: DEBUG on, a fixed key, any host. Never deploy these settings."""

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "sandbox-only-not-secret"
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# A contributor's own overrides (e.g. WAGTAIL_MEDIAWIRE), kept out of git.
try:
    from .local import *  # noqa: F403
except ImportError:
    pass
