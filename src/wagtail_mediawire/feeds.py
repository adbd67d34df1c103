"""Deprecated: a section's outgoing feeds are ``wagtail_mediawire.syndication``."""

from .deprecation import moved_module

__getattr__ = moved_module(__name__, "wagtail_mediawire.syndication")
