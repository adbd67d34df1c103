from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "demo"
    label = "demo"
    verbose_name = _("Sandbox demo")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_create_cache_table, sender=self)


def _create_cache_table(using: str = "default", **kwargs) -> None:
    # The sandbox's cache lives in its database (settings.base.CACHES): create its
    # table whenever the database is migrated, so `migrate` is all a fresh clone needs.
    call_command("createcachetable", database=using, verbosity=0)
