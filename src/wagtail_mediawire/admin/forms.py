"""The feed's admin form: sections and publishing held to the user's page permissions
(``permissions.py``), and text fields that every XML output can carry."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from ..ingest.permissions import may_add_in, may_publish_in, sections_user_may_add_to
from ..models import WireFeedRule
from ..text import xml_safe

SECTION_REFUSED = _(
    "You may not add pages to this section, so a feed of yours cannot import into it."
)
PUBLISH_REFUSED = _(
    "You may not publish in %(section)s: choose “Drafts for review”, or ask someone who "
    "may publish there to set this feed up."
)
PUBLISH_HELP = _(
    "Saving the feed makes you its owner. “Publish at once” needs permission to publish "
    "in the section, and at each fetch new items are published only while you still have "
    "it; otherwise they stay drafts for review."
)


RULE_PUBLISH_REFUSED = _(
    "You may not publish in %(section)s: let this rule make drafts, or ask someone who "
    "may publish there."
)
RULE_PUBLISHES = WireFeedRule.Action.PUBLISH


def _rule_form(base: type[forms.ModelForm], user) -> type[forms.ModelForm]:
    """The feed's rule form, its sections held to those ``user`` may add pages to."""
    sections = sections_user_may_add_to(user).order_by("title")

    class RuleForm(base):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            if "section" in self.fields:
                field = self.fields["section"]
                field.widget = forms.Select()
                field.queryset = sections
                field.error_messages["invalid_choice"] = SECTION_REFUSED

    RuleForm.__name__ = RuleForm.__qualname__ = base.__name__
    return RuleForm


class XmlSafeCharField(forms.CharField):
    """Drops what XML 1.0 forbids (a pasted vertical tab, NUL…) before validation, so
    that a name never breaks a feed or a sitemap, and NUL is stripped, not refused."""

    def to_python(self, value):
        return super().to_python(xml_safe(value) if isinstance(value, str) else value)


class WireFeedForm(WagtailAdminModelForm):
    class Meta:
        field_classes = {"name": XmlSafeCharField, "source_name": XmlSafeCharField}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.for_user is not None and "section" in self.fields:
            field = self.fields["section"]
            # A plain list of what the user may choose, where the page chooser would
            # browse the whole tree they may explore.
            field.widget = forms.Select()
            field.queryset = sections_user_may_add_to(self.for_user).order_by("title")
            field.error_messages["invalid_choice"] = SECTION_REFUSED
        if "publish_mode" in self.fields:
            self.fields["publish_mode"].help_text = PUBLISH_HELP
        rules = self.formsets.get("rules")
        if self.for_user is not None and rules is not None:
            # Before the formset builds its forms (and its empty form, which the "Add"
            # button copies): each rule's section is one of the user's.
            rules.form = _rule_form(rules.form, self.for_user)

    def clean_section(self):
        section = self.cleaned_data["section"]
        if self.for_user is not None and not may_add_in(self.for_user, section):
            raise forms.ValidationError(SECTION_REFUSED)
        return section

    def clean(self):
        cleaned_data = super().clean()
        section = cleaned_data.get("section")
        publishes = cleaned_data.get("publish_mode") == self._meta.model.PublishMode.PUBLISH
        if self.for_user is not None and section is not None and publishes:
            if not may_publish_in(self.for_user, section):
                self.add_error("publish_mode", PUBLISH_REFUSED % {"section": section.title})
        if self.for_user is not None and section is not None:
            self._clean_rules(section)
        return cleaned_data

    def _clean_rules(self, feed_section) -> None:
        """A rule that publishes at once needs, as the feed does, permission to publish
        in its section (the feed's when it names none)."""
        rules = self.formsets.get("rules")
        if rules is None or not rules.is_valid():
            return  # each rule form says what is wrong with it
        for form in rules.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("action") != RULE_PUBLISHES:
                continue
            section = data.get("section") or feed_section
            if not may_publish_in(self.for_user, section):
                form.add_error("action", RULE_PUBLISH_REFUSED % {"section": section.title})

    def save(self, commit: bool = True):
        if self.for_user is not None:
            # Whoever saves the feed vouches for its section and publishing, which this
            # form checked against their permissions: the importer checks them again.
            self.instance.owner = self.for_user
        return super().save(commit=commit)
