from .disclaimer import Disclaimer
from .pages import MediaWireArticlePage, MediaWireIndexPage
from .wire import (
    WebSubSubscription,
    WireFeed,
    WireFeedRule,
    WireItem,
    WireStory,
    WireStoryKey,
    WireSubject,
)

__all__ = [
    "Disclaimer",
    "MediaWireArticlePage",
    "MediaWireIndexPage",
    "WebSubSubscription",
    "WireFeed",
    "WireFeedRule",
    "WireItem",
    "WireStory",
    "WireStoryKey",
    "WireSubject",
]
