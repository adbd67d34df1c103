"""Deprecated: the Media Wire admin group is ``wagtail_mediawire.admin.modeladmin``."""

from .deprecation import moved_module

__getattr__ = moved_module(__name__, "wagtail_mediawire.admin.modeladmin")
