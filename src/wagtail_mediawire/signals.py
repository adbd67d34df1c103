"""Deprecated: the signal receivers are ``wagtail_mediawire.signal_handlers``."""

from .deprecation import moved_module

__getattr__ = moved_module(__name__, "wagtail_mediawire.signal_handlers")
