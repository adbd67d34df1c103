"""The download's exceptions and the messages they carry for the editor.

Every other module of the package raises :class:`DownloadError`, so this one imports
none of them: it is the bottom of the package. That is also why :class:`RefusedAddress`
lives here rather than with the address rules: :func:`network_error` unwraps it.
"""

import socket
import ssl
import time
from http import HTTPStatus
from http.client import HTTPException
from typing import Protocol
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from django.utils.translation import gettext as _

# Network trouble in any of the layers under requests; all of it becomes a DownloadError.
NETWORK_ERRORS = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    HTTPException,
    OSError,
    ValueError,  # header values http.client refuses, and URLs urllib3 can't parse
)


class DownloadError(Exception):
    """A download that failed; str(error) is a message for the editor."""


class RefusedAddress(OSError):
    """Raised by a connection to a refused address; carries the message out of urllib3."""


class _Deadline(Protocol):
    """What :func:`network_error` reads of the download's ``deadline.Guard``."""

    expired: bool
    deadline: float

    def timeout_error(self) -> DownloadError: ...


def network_error(
    error: BaseException, url: str, guard: _Deadline, *, reading: bool
) -> DownloadError:
    """The DownloadError for an exception from requests, urllib3, http.client or a socket."""
    refused = _find(error, RefusedAddress)
    if refused is not None:
        return DownloadError(str(refused))
    timed_out = (
        isinstance(error, requests.Timeout)
        or _find(error, (urllib3.exceptions.ReadTimeoutError, TimeoutError)) is not None
    )
    if timed_out or guard.expired or time.monotonic() >= guard.deadline:
        return guard.timeout_error()
    host = urlsplit(url).hostname or url
    tls = _find(error, ssl.SSLError)
    if tls is not None or isinstance(error, requests.exceptions.SSLError):
        # "certificate has expired", or an OpenSSL code such as WRONG_VERSION_NUMBER.
        reason = getattr(tls, "verify_message", None) or getattr(tls, "reason", None)
        if isinstance(reason, str) and reason.isupper():
            reason = reason.replace("_", " ").lower()
        if reason:
            return DownloadError(
                _("The secure connection to %(host)s failed: %(reason)s.")
                % {"host": host, "reason": reason}
            )
        return DownloadError(_("The secure connection to %(host)s failed.") % {"host": host})
    if _find(error, socket.gaierror) is not None:
        return DownloadError(_("Could not find the server %(host)s.") % {"host": host})
    if _find(error, ConnectionRefusedError) is not None:
        return DownloadError(_("%(host)s refused the connection.") % {"host": host})
    if reading:
        return DownloadError(
            _("The connection to %(host)s broke off before the download finished.") % {"host": host}
        )
    return DownloadError(_("Could not download from %(host)s.") % {"host": host})


def _find(
    error: BaseException, types: type[BaseException] | tuple[type[BaseException], ...]
) -> BaseException | None:
    """The first exception of ``types`` among ``error`` and those it wraps.

    requests and urllib3 wrap the socket's exception in two or three layers, through
    ``args``, ``reason``, ``__cause__`` and ``__context__``.
    """
    stack: list[object] = [error]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, types):
            return item
        stack.extend(item.args)
        stack.extend((getattr(item, "reason", None), item.__cause__, item.__context__))
    return None


def too_large(limit: int, *, decompressed: bool = False) -> DownloadError:
    if decompressed:
        message = _("Once decompressed, the response is larger than %(limit)s bytes.")
    else:
        message = _("The response is larger than %(limit)s bytes.")
    return DownloadError(message % {"limit": f"{limit:,}"})


def status(response: requests.Response) -> str:
    """Code and reason: the standard phrase where there is one, not the server's own text."""
    try:
        reason = HTTPStatus(response.status_code).phrase
    except ValueError:
        reason = "".join(c for c in (response.reason or "") if c.isprintable())[:100]
    return f"{response.status_code} {reason}".strip()


def short(text: str, length: int = 200) -> str:
    """A server-supplied string cut to a length that fits a message."""
    return text if len(text) <= length else text[: length - 1] + "…"
