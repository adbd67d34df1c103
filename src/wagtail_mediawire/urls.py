"""The wire's push endpoints, which a site includes in its URLconf::

    path("wire/", include("wagtail_mediawire.urls")),

``push/<feed_id>/`` takes documents an agency POSTs, signed with the feed's push secret;
``websub/<feed_id>/`` is a WebSub feed's callback. Neither needs a login or a CSRF
token: the signature authenticates each delivery (``views.py``).
"""

from django.urls import path

from . import views

urlpatterns = [
    path("push/<int:feed_id>/", views.push, name="wagtail_mediawire_push"),
    path("websub/<int:feed_id>/", views.websub_callback, name="wagtail_mediawire_websub"),
]
