from django.test import override_settings

from wagtail_mediawire.settings import DEFAULTS, get_config, get_setting


def test_defaults_apply_without_the_setting(settings):
    del settings.WAGTAIL_MEDIAWIRE  # absent in tests/settings.py; make sure
    assert get_config() == DEFAULTS


def test_override_settings_is_honoured_and_reset():
    assert get_setting("INDEX_PAGE_SIZE") == 10
    with override_settings(WAGTAIL_MEDIAWIRE={"INDEX_PAGE_SIZE": 3}):
        assert get_setting("INDEX_PAGE_SIZE") == 3
        # Keys the site does not set keep their defaults.
        assert get_setting("BASE_TEMPLATE") == "base.html"
    assert get_setting("INDEX_PAGE_SIZE") == 10
