from .disclaimer import Disclaimer
from .pages import MediaWireArticlePage, MediaWireIndexPage
from .wire import WireFeed, WireItem

__all__ = ["Disclaimer", "MediaWireArticlePage", "MediaWireIndexPage", "WireFeed", "WireItem"]
