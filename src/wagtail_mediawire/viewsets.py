"""Deprecated: the Disclaimer viewsets are ``wagtail_mediawire.admin.viewsets``."""

from .deprecation import moved_module

__getattr__ = moved_module(__name__, "wagtail_mediawire.admin.viewsets")
