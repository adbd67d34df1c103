import pytest
from django.core.exceptions import ValidationError
from wagtail.blocks import StreamValue

from wagtail_mediawire.blocks import ArticleBodyBlock, DisclaimerBlock, SourceBlock
from wagtail_mediawire.factories import DisclaimerFactory

VALID = {
    "name": "Northwind Press",
    "url": "https://northwind.example/a",
    "original_headline": "",
    "published_at": None,
}


def test_source_block_accepts_a_web_address():
    block = SourceBlock()
    value = block.clean(block.to_python(VALID))
    assert value["url"] == "https://northwind.example/a"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,x",
        "/local",
        "agency.example/report",  # no scheme is guessed
        "//agency.example/report",
    ],
)
def test_source_block_refuses_unsafe_urls_on_the_url_field(url):
    block = SourceBlock()
    with pytest.raises(ValidationError) as excinfo:
        block.clean(block.to_python({**VALID, "url": url}))
    assert "url" in excinfo.value.block_errors


def test_source_block_requires_name_and_url_only():
    block = SourceBlock()
    with pytest.raises(ValidationError) as excinfo:
        block.clean(block.to_python({"name": "", "url": ""}))
    assert set(excinfo.value.block_errors) == {"name", "url"}


def test_source_value_href_drops_unsafe_urls():
    block = SourceBlock()
    assert block.to_python(VALID).href == VALID["url"]
    assert block.to_python({**VALID, "url": "javascript:alert(1)"}).href == ""


def test_source_block_preview_value_is_valid():
    block = SourceBlock()
    block.clean(block.to_python(block.get_preview_value()))


@pytest.mark.django_db
def test_disclaimer_block_renders_its_snippet():
    disclaimer = DisclaimerFactory(text="<p>Not <b>our</b> reporting.</p>")
    html = DisclaimerBlock().render(disclaimer)
    assert "Not <b>our</b> reporting." in html
    assert 'class="mediawire-disclaimer"' in html


@pytest.mark.django_db
def test_disclaimer_block_with_a_deleted_snippet_renders_nothing():
    disclaimer = DisclaimerFactory()
    raw = [{"type": "disclaimer", "value": disclaimer.pk, "id": "d1"}]
    disclaimer.delete()
    stream = StreamValue(ArticleBodyBlock(), raw, is_lazy=True)
    assert stream[0].value is None
    assert stream[0].render().strip() == ""


def test_disclaimer_block_deconstructs_without_arguments():
    path, args, kwargs = DisclaimerBlock().deconstruct()
    assert path == "wagtail_mediawire.blocks.DisclaimerBlock"
    assert args == ()
    assert kwargs == {}


def test_a_bad_source_url_gets_one_plain_message():
    block = SourceBlock()
    with pytest.raises(ValidationError) as excinfo:
        block.clean(block.to_python({**VALID, "url": "javascript:alert(1)"}))
    messages = excinfo.value.block_errors["url"].messages
    assert messages == ["Enter a full web address starting with http:// or https://."]
