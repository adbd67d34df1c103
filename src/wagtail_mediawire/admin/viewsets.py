from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.rich_text import get_text_for_indexing
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from ..models import Disclaimer
from ..text import cut_excerpt, search_text

PREVIEW_WORDS = 20


def text_preview(disclaimer: Disclaimer) -> str:
    """The disclaimer's first words, as plain text on one line, "…" where it was cut."""
    return cut_excerpt(get_text_for_indexing(disclaimer.text), PREVIEW_WORDS)


def text_column() -> Column:
    # Names are for editors' own filing: what a disclaimer says is what they choose by.
    return Column("text", label=_("Text"), accessor=text_preview)


class DisclaimerChooseViewMixin:
    @property
    def columns(self) -> list[Column]:
        columns = super().columns
        columns.insert(1, text_column())
        return columns


class DisclaimerChooseView(DisclaimerChooseViewMixin, ChooseView):
    pass


class DisclaimerChooseResultsView(DisclaimerChooseViewMixin, ChooseResultsView):
    pass


class DisclaimerChooserViewSet(SnippetChooserViewSet):
    """The chooser (Disclaimer block, a section's default): each disclaimer's first
    words beside its name."""

    choose_view_class = DisclaimerChooseView
    choose_results_view_class = DisclaimerChooseResultsView


class DisclaimerIndexView(IndexView):
    @cached_property
    def search_query(self) -> str:
        return search_text(super().search_query)


class DisclaimerViewSet(SnippetViewSet):
    model = Disclaimer
    icon = "warning"
    menu_label = _("Disclaimers")
    # The Media Wire menu group holds the menu item (wagtail_mediawire.modeladmin), so
    # it is not registered on its own nor listed under Snippets.
    add_to_admin_menu = False
    menu_item_is_registered = True
    list_display = ["name", text_column(), UpdatedAtColumn()]
    ordering = ["name"]
    chooser_viewset_class = DisclaimerChooserViewSet
    index_view_class = DisclaimerIndexView
