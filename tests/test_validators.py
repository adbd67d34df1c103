import pytest
from django.core.exceptions import ValidationError

from wagtail_mediawire.validators import safe_http_url, validate_http_url

GOOD = [
    "http://agency.example/report",
    "https://agency.example/a/b?c=d#e",
    "HTTPS://Agency.Example/Report",
    "https://news.example:8443/x",
]

BAD = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "javascript://agency.example/%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "/relative/path",
    "relative/path",
    "//agency.example/protocol-relative",
    "ftp://agency.example/file",
    "https://agency.example/\x00",
    "https://agen cy.example/",
    # Invisible characters that make the host shown differ from the host linked.
    "https://\u202emoc.elpmaxe-ycnega/",  # right-to-left override: shows agency-example.com
    "https://agency\u200b.example/",  # zero-width space
    "https://agency.example\u2067/",  # right-to-left isolate
    "https://\ufeffagency.example/",  # byte order mark
    "https://agency.example/a\u00adb",  # soft hyphen
    "",
    None,
    42,
]


@pytest.mark.parametrize("url", GOOD)
def test_http_and_https_urls_are_accepted(url):
    validate_http_url(url)
    assert safe_http_url(url) == url


@pytest.mark.parametrize("url", BAD)
def test_other_urls_are_refused_in_plain_words(url):
    with pytest.raises(ValidationError) as excinfo:
        validate_http_url(url)
    assert "http:// or https://" in str(excinfo.value.messages[0])
    assert safe_http_url(url) == ""
