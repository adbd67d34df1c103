from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import UpdatedAtColumn
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Disclaimer


class DisclaimerViewSet(SnippetViewSet):
    model = Disclaimer
    icon = "warning"
    menu_label = _("Disclaimers")
    menu_order = 201  # right after the Media Wire group
    add_to_admin_menu = True
    list_display = ["name", UpdatedAtColumn()]
    ordering = ["name"]
