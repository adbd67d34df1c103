from .disclaimer import Disclaimer
from .pages import MediaWireArticlePage, MediaWireIndexPage
from .wire import WebSubSubscription, WireFeed, WireFeedRule, WireItem, WireSubject

__all__ = [
    "Disclaimer",
    "MediaWireArticlePage",
    "MediaWireIndexPage",
    "WebSubSubscription",
    "WireFeed",
    "WireFeedRule",
    "WireItem",
    "WireSubject",
]
