from .disclaimer import Disclaimer
from .pages import MediaWireArticlePage, MediaWireIndexPage
from .wire import WebSubSubscription, WireFeed, WireItem

__all__ = [
    "Disclaimer",
    "MediaWireArticlePage",
    "MediaWireIndexPage",
    "WebSubSubscription",
    "WireFeed",
    "WireItem",
]
