from wagtail.snippets.models import register_snippet

from .viewsets import DisclaimerViewSet

register_snippet(DisclaimerViewSet)
