from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet
from wagtail.utils.urlpatterns import decorate_urlpatterns
from wagtail_modeladmin.options import modeladmin_register

from .admin.dashboard import WireDeskPanel
from .admin.modeladmin import MediaWireAdminGroup
from .admin.publishing import refuse_approval_without_source, refuse_bulk_publish_without_source
from .admin.queue import DiscardBulkAction
from .admin.queue import urlpatterns as wire_queue_urlpatterns
from .admin.views import source_duplicates
from .admin.viewsets import DisclaimerViewSet

modeladmin_register(MediaWireAdminGroup)
register_snippet(DisclaimerViewSet)
hooks.register("before_bulk_action", refuse_bulk_publish_without_source)
hooks.register("register_admin_urls", wire_queue_urlpatterns)
hooks.register("register_bulk_action", DiscardBulkAction)


@hooks.register("register_admin_urls")
def _decorate_workflow_action() -> list:
    # Wagtail builds its admin URLs, then calls this hook: the moment to wrap its
    # workflow action view, the way Wagtail itself decorates its admin views
    # (Wagtail 7.4 has no per-page-type view for it). No URL of our own.
    from wagtail.admin.urls import pages

    decorate_urlpatterns(
        [p for p in pages.urlpatterns if getattr(p, "name", None) == "workflow_action"],
        refuse_approval_without_source,
    )
    return []


@hooks.register("register_log_actions")
def _register_import_action(actions) -> None:
    @actions.register_action("wagtail_mediawire.import")
    class ImportedFromFeed(LogFormatter):
        label = _("Import from a wire feed")

        def format_message(self, log_entry) -> str:
            data = log_entry.data or {}
            if data.get("updated"):
                return _("Updated from %(feed)s") % {"feed": data.get("feed", "")}
            return _("Imported from %(feed)s") % {"feed": data.get("feed", "")}

    @actions.register_action("wagtail_mediawire.correction")
    class CorrectionFromAgency(LogFormatter):
        label = _("Correction from the agency")

        def format_message(self, log_entry) -> str:
            data = log_entry.data or {}
            return _("Correction from %(agency)s, waiting for review") % {
                "agency": data.get("agency", "")
            }

    @actions.register_action("wagtail_mediawire.merge")
    class MergedFromStory(LogFormatter):
        label = _("Merged from the wire queue")

        def format_message(self, log_entry) -> str:
            count = (log_entry.data or {}).get("count", 0)
            return ngettext(
                "Merged from %(count)d report", "Merged from %(count)d reports", count
            ) % {"count": count}

    @actions.register_action("wagtail_mediawire.withdraw")
    class WithdrawnByAgency(LogFormatter):
        label = _("Withdrawn by the agency")

        def format_message(self, log_entry) -> str:
            data = log_entry.data or {}
            return _("Unpublished: %(reason)s") % {"reason": data.get("reason", "")}


@hooks.register("construct_homepage_panels")
def _add_wire_desk_panel(request, panels: list) -> None:
    panels.append(WireDeskPanel(request))


@hooks.register("register_admin_urls")
def _register_source_duplicates_url() -> list:
    return [
        path(
            "wagtail_mediawire/source-duplicates/",
            source_duplicates,
            name="wagtail_mediawire_source_duplicates",
        )
    ]


@hooks.register("insert_editor_js")
def _source_duplicates_js() -> str:
    # The page editor warns, as an editor types a Source URL, which other articles
    # of the site already use it.
    return format_html(
        '<script src="{}" data-duplicates-url="{}" data-label="{}" data-view-live="{}" defer>'
        "</script>",
        static("wagtail_mediawire/js/source-duplicates.js"),
        reverse("wagtail_mediawire_source_duplicates"),
        _("This web address is already the source of:"),
        _("View live"),
    )
