from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.fields import CharField
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import RevisionMixin, TranslatableMixin
from wagtail.search import index


class Disclaimer(TranslatableMixin, RevisionMixin, index.Indexed, models.Model):
    """A reusable note shown under wire articles (e.g. "reports are retrieved from…")."""

    name = models.CharField(
        _("name"),
        max_length=255,
        help_text=_("For editors only: how this disclaimer is listed in the admin."),
    )
    text = RichTextField(_("text"), features=["bold", "italic", "link"])
    revisions = GenericRelation(
        "wagtailcore.Revision",
        content_type_field="content_type",
        object_id_field="object_id",
        for_concrete_model=False,
        related_query_name="mediawire_disclaimer",
    )

    panels = [FieldPanel("name"), FieldPanel("text")]
    api_fields = [
        APIField("name"),
        APIField("text"),
        APIField("locale", serializer=CharField(source="locale.language_code", read_only=True)),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("text"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("disclaimer")
        verbose_name_plural = _("disclaimers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
