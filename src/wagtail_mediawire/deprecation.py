"""The package's deprecation warnings, and the shims that keep an old import path
working for a release after its module moved."""

import warnings
from collections.abc import Callable
from importlib import import_module
from typing import Any


class RemovedInMediaWire02Warning(DeprecationWarning):
    """What goes in wagtail-mediawire 0.2."""


def moved_module(old: str, new: str) -> Callable[[str], Any]:
    """Warn that module ``old`` is now ``new``; give the old module's ``__getattr__``,
    which reads every name from the new one.

    In the old module::

        __getattr__ = moved_module(__name__, "wagtail_mediawire.syndication")
    """
    warnings.warn(
        f"{old} has moved to {new}: import from there; the old path goes in 0.2.",
        RemovedInMediaWire02Warning,
        stacklevel=3,
    )

    def __getattr__(name: str) -> Any:
        return getattr(import_module(new), name)

    return __getattr__
