from .disclaimer import Disclaimer
from .feeds import WireFeed, WireItem
from .pages import MediaWireArticlePage, MediaWireIndexPage

__all__ = ["Disclaimer", "MediaWireArticlePage", "MediaWireIndexPage", "WireFeed", "WireItem"]
