from .disclaimer import Disclaimer
from .pages import MediaWireArticlePage, MediaWireIndexPage

__all__ = ["Disclaimer", "MediaWireArticlePage", "MediaWireIndexPage"]
