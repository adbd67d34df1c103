from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail_modeladmin.options import modeladmin_register

from .bulk_actions import refuse_bulk_publish_without_source
from .modeladmin import MediaWireAdminGroup
from .viewsets import DisclaimerViewSet

modeladmin_register(MediaWireAdminGroup)
register_snippet(DisclaimerViewSet)
hooks.register("before_bulk_action", refuse_bulk_publish_without_source)
