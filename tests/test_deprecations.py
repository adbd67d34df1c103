"""Import paths that moved keep working for a release, with a warning naming the new one.

(That nothing in the package imports an old path is the import contract's part:
``make lint`` puts them above every other module.)"""

import importlib
import sys

import pytest

from wagtail_mediawire.deprecation import RemovedInMediaWire02Warning

MOVED = [
    ("wagtail_mediawire.feeds", "wagtail_mediawire.syndication", "serve_feed"),
    ("wagtail_mediawire.signals", "wagtail_mediawire.signal_handlers", "connect"),
    ("wagtail_mediawire.modeladmin", "wagtail_mediawire.admin.modeladmin", "MediaWireAdminGroup"),
    ("wagtail_mediawire.viewsets", "wagtail_mediawire.admin.viewsets", "DisclaimerViewSet"),
    ("wagtail_mediawire.models.feeds", "wagtail_mediawire.models.wire", "WireFeed"),
]


@pytest.mark.parametrize(("old", "new", "name"), MOVED)
def test_an_old_path_warns_and_gives_the_new_modules_names(old, new, name):
    sys.modules.pop(old, None)  # imported once per process: warn again here
    with pytest.warns(RemovedInMediaWire02Warning, match=rf"{old} has moved to {new}"):
        module = importlib.import_module(old)
    assert getattr(module, name) is getattr(importlib.import_module(new), name)
    with pytest.raises(AttributeError):
        module.no_such_name  # noqa: B018
