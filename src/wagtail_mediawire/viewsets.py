from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Disclaimer


class DisclaimerViewSet(SnippetViewSet):
    model = Disclaimer
    icon = "warning"
    menu_label = _("Disclaimers")
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["name", "locale", "latest_revision_created_at"]
    search_fields = ["name", "text"]
    ordering = ["name"]
