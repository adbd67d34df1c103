"""The test settings with a swapped base page model (Wagtail 8's ``WAGTAIL_PAGE_MODEL``).

``make test-swapped-page`` runs the core of the suite under them: migrate, create,
render, Recent Posts and the admin listing.
"""

from tests.settings import *  # noqa: F403

# Last, after wagtail_mediawire: the package must find the model wherever it is listed.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.swapped_page"]  # noqa: F405
WAGTAIL_PAGE_MODEL = "swapped_page.CustomBasePage"
