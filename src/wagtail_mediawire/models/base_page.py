"""The site's base page model, which the package's page types extend.

Wagtail 8 lets a site swap its base page model (``WAGTAIL_PAGE_MODEL``, through the
``swapper`` library); Wagtail 7.4 has only ``wagtail.models.Page``. Wagtail's guide
for reusable apps asks for ``swapper`` names in foreign keys and migrations, and
``swapper.load_model`` for queries. A page type must also *subclass* the active
model, which needs the class while models load: ``BasePage`` is that class, the
way Wagtail's own test pages pick theirs.
"""

from importlib import import_module

import swapper
from django.apps import apps

# Where Wagtail 8 reads the setting (WAGTAIL_PAGE_MODEL, not WAGTAILCORE_PAGE_MODEL),
# even if this app is listed above "wagtail" in INSTALLED_APPS (Wagtail's guide).
swapper.set_app_prefix("wagtailcore", "wagtail")

# "wagtailcore.Page", or the site's model (e.g. "basepage.BasePage").
PAGE_MODEL = swapper.get_model_name("wagtailcore", "Page")


def _load() -> type:
    if not swapper.is_swapped("wagtailcore", "Page"):
        from wagtail.models import Page

        return Page
    app_label, model_name = swapper.split(PAGE_MODEL)
    try:
        return apps.get_model(app_label, model_name, require_ready=False)
    except LookupError:
        # Its app comes after this one in INSTALLED_APPS: import its models now, as
        # any models module that imports another app's models does.
        import_module(f"{apps.get_app_config(app_label).name}.models")
        return apps.get_model(app_label, model_name, require_ready=False)


BasePage = _load()
