"""Deprecated: agency feeds' models are ``wagtail_mediawire.models.wire``."""

from ..deprecation import moved_module

__getattr__ = moved_module(__name__, "wagtail_mediawire.models.wire")
