"""System checks for the ``WAGTAIL_MEDIAWIRE`` setting (documented in docs/reference/checks.md)."""

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .settings import DEFAULTS, SETTING_NAME, get_config


@register(Tags.compatibility)
def check_settings(app_configs=None, **kwargs) -> list:
    errors: list = []
    user = getattr(settings, SETTING_NAME, {})
    if not isinstance(user, dict):
        return [
            Error(
                f"{SETTING_NAME} must be a dict.",
                hint="See docs/reference/settings.md.",
                id="wagtail_mediawire.E001",
            )
        ]
    for key in sorted(set(user) - set(DEFAULTS)):
        errors.append(
            Warning(
                f"{SETTING_NAME} has an unknown key {key!r}; it is ignored.",
                hint="Known keys: " + ", ".join(sorted(DEFAULTS)) + ".",
                id="wagtail_mediawire.W001",
            )
        )
    size = get_config()["INDEX_PAGE_SIZE"]
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        errors.append(
            Error(
                f"{SETTING_NAME}['INDEX_PAGE_SIZE'] must be a positive whole number.",
                id="wagtail_mediawire.E002",
            )
        )
    if not apps.is_installed("wagtail_modeladmin"):
        errors.append(
            Error(
                "wagtail_modeladmin is not in INSTALLED_APPS: the Media Wire admin needs it.",
                hint="Add 'wagtail_modeladmin' to INSTALLED_APPS.",
                id="wagtail_mediawire.E003",
            )
        )
    if not apps.is_installed("django.contrib.humanize"):
        errors.append(
            Warning(
                "django.contrib.humanize is not in INSTALLED_APPS: the Recent Posts "
                "block's relative times will not be translated.",
                hint="Add 'django.contrib.humanize' to INSTALLED_APPS.",
                id="wagtail_mediawire.W002",
            )
        )
    return errors
