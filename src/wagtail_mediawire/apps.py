from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailMediaWireConfig(AppConfig):
    name = "wagtail_mediawire"
    label = "wagtail_mediawire"
    verbose_name = _("Media Wire")
    # Pinned so that a host project's DEFAULT_AUTO_FIELD never asks for a migration.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            signal_handlers,
        )

        signal_handlers.connect()
