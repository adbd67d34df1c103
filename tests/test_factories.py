"""wagtail_mediawire.factories: without its extra, the import error says what to install."""

import importlib
import sys

import pytest


@pytest.mark.parametrize("missing", ["factory", "wagtail_factories"])
def test_import_without_the_extra_names_it(monkeypatch, missing):
    # None in sys.modules makes the import fail as if the package were not installed;
    # monkeypatch puts both entries back afterwards.
    monkeypatch.setitem(sys.modules, missing, None)
    monkeypatch.delitem(sys.modules, "wagtail_mediawire.factories")
    with pytest.raises(ImportError) as raised:
        importlib.import_module("wagtail_mediawire.factories")
    assert isinstance(raised.value, ModuleNotFoundError)
    assert raised.value.name == missing
    message = str(raised.value)
    assert "'factories' extra" in message
    assert 'pip install "wagtail-mediawire[factories]"' in message
    assert repr(missing) in message


def test_import_with_the_extra_works():
    module = importlib.import_module("wagtail_mediawire.factories")
    assert module.MediaWireArticlePageFactory._meta.model.__name__ == "MediaWireArticlePage"
