"""The feed's admin form: text fields that every XML output can carry."""

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from ..text import xml_safe


class XmlSafeCharField(forms.CharField):
    """Drops what XML 1.0 forbids (a pasted vertical tab, NUL…) before validation, so
    that a name never breaks a feed or a sitemap, and NUL is stripped, not refused."""

    def to_python(self, value):
        return super().to_python(xml_safe(value) if isinstance(value, str) else value)


class WireFeedForm(WagtailAdminModelForm):
    class Meta:
        field_classes = {"name": XmlSafeCharField, "source_name": XmlSafeCharField}
