from wagtail.snippets.models import register_snippet
from wagtail_modeladmin.options import modeladmin_register

from .modeladmin import MediaWireAdminGroup
from .viewsets import DisclaimerViewSet

modeladmin_register(MediaWireAdminGroup)
register_snippet(DisclaimerViewSet)
