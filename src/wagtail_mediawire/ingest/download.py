"""Downloading agency feeds and their images from servers that may be hostile.

Only bytes come out of here: feedparser and the image code are handed content, never a
URL, so nothing else fetches anything. :func:`download` refuses private addresses
(before connecting and again at connect time, against DNS rebinding), follows at most
a few redirects itself, bounds the whole download by ``FEED_TIMEOUT`` and the body by
``FEED_MAX_BYTES`` before and after decompression, and turns every network failure
into a :class:`DownloadError` whose text an editor can act on.
"""

import contextlib
import contextvars
import io
import ipaddress
import math
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from http import HTTPStatus
from http.client import HTTPException
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

import wagtail_mediawire
from wagtail_mediawire.settings import get_setting
from wagtail_mediawire.validators import validate_http_url

USER_AGENT = (
    f"wagtail-mediawire/{wagtail_mediawire.__version__} "
    "(+https://github.com/wagtail-mediawire/wagtail-mediawire)"
)
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# One read asks for at most this much; read1 returns after a single recv whatever came.
CHUNK_SIZE = 65536

_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, RFC 6598
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # IPv6 wrapping of an IPv4 address, RFC 6052
# Network trouble in any of the layers under requests; all of it becomes a DownloadError.
_NETWORK_ERRORS = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    HTTPException,
    OSError,
    ValueError,  # header values http.client refuses, and URLs urllib3 can't parse
)


class DownloadError(Exception):
    """A download that failed; str(error) is a message for the editor."""


@dataclass(frozen=True)
class Download:
    """One successful response: the body as bytes, and what the next fetch needs."""

    url: str  # the final URL, after redirects
    status: int  # 200, or 304 when the conditional GET says nothing changed
    content: bytes  # decompressed body; b"" for a 304
    content_type: str  # the media type without parameters, lower case ("" if none)
    etag: str  # response ETag or "" (for a 304 without one, the ETag that was sent)
    last_modified: str  # response Last-Modified or "" (likewise)


def download(url: str, *, accept: str, etag: str = "", last_modified: str = "") -> Download:
    """GET ``url`` (conditionally, given ``etag``/``last_modified``) within the limits.

    Raises :class:`DownloadError` for anything but a 200 or a 304: a refused address,
    too many redirects, a timeout, an oversize body, an HTTP error or a network failure.
    """
    timeout = get_setting("FEED_TIMEOUT")
    guard = _Guard(timeout, get_setting("FEED_ALLOW_PRIVATE_HOSTS"))
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": accept,
        # Only what _Decoder handles: it, not urllib3, decompresses, so it can stop a bomb.
        "Accept-Encoding": "gzip, deflate",
    }
    # The validators were sent by the server last time; send them back only if they are
    # well-formed header values, so that a strange one can't break every later fetch.
    if etag and _header_value(etag):
        headers["If-None-Match"] = etag
    if last_modified and _header_value(last_modified):
        headers["If-Modified-Since"] = last_modified
    session = requests.Session()
    session.trust_env = False  # no proxies, netrc or CA bundle from the environment
    adapter = _CheckedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    token = _current_guard.set(guard)
    guard.start()
    try:
        response = _follow(session, url, headers, guard)
        try:
            return _result(response, guard, etag, last_modified)
        finally:
            response.close()
    finally:
        guard.stop()
        _current_guard.reset(token)
        session.close()


def _follow(
    session: requests.Session, url: str, headers: dict[str, str], guard: "_Guard"
) -> requests.Response:
    """The first response that is not a redirect; each hop is checked like the first URL."""
    try:
        validate_http_url(url)
    except ValidationError as error:
        message = _("Not an http or https address: %(url)s") % {"url": _short(url)}
        raise DownloadError(message) from error
    redirects = 0
    while True:
        _check_host(url, guard)
        response = _get(session, url, headers, guard)
        if response.status_code not in REDIRECT_STATUSES:
            return response
        response.close()
        # requests' reading of Location, which undoes http.client's Latin-1 decoding.
        location = session.get_redirect_target(response)
        if not location:
            raise DownloadError(
                _("HTTP %(status)s without a Location to go to.") % {"status": _status(response)}
            )
        if redirects == MAX_REDIRECTS:
            raise DownloadError(
                _("Too many redirects (more than %(count)s).") % {"count": MAX_REDIRECTS}
            )
        redirects += 1
        url = urljoin(url, location.strip())
        try:
            validate_http_url(url)
        except ValidationError as error:
            raise DownloadError(
                _("Redirect to an address that is not http or https: %(url)s")
                % {"url": _short(url)}
            ) from error


def _get(
    session: requests.Session, url: str, headers: dict[str, str], guard: "_Guard"
) -> requests.Response:
    remaining = guard.remaining()
    try:
        return session.get(
            url,
            headers=headers,
            stream=True,
            allow_redirects=False,
            timeout=(remaining, remaining),
        )
    except _NETWORK_ERRORS as error:
        raise _network_error(error, url, guard, reading=False) from error


def _result(response: requests.Response, guard: "_Guard", etag: str, modified: str) -> Download:
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if response.status_code == 304:
        return Download(
            url=response.url,
            status=304,
            content=b"",
            content_type=content_type,
            etag=response.headers.get("ETag", etag),
            last_modified=response.headers.get("Last-Modified", modified),
        )
    if response.status_code != 200:
        raise DownloadError(_("HTTP %(status)s.") % {"status": _status(response)})
    return Download(
        url=response.url,
        status=200,
        content=_read_body(response, guard),
        content_type=content_type,
        etag=response.headers.get("ETag", ""),
        last_modified=response.headers.get("Last-Modified", ""),
    )


def _read_body(response: requests.Response, guard: "_Guard") -> bytes:
    limit = get_setting("FEED_MAX_BYTES")
    decoder = _Decoder(response.headers.get("Content-Encoding", ""), limit)
    length = response.headers.get("Content-Length", "").strip()
    if length.isdigit() and int(length) > limit:
        raise _too_large(limit)
    received = 0
    while True:
        # urllib3 set the socket timeout to the whole download's remaining time when the
        # request began; shrink it so that a server that stalls is cut at the deadline.
        sock = getattr(getattr(response.raw, "connection", None), "sock", None)
        remaining = guard.remaining()
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.settimeout(remaining)
        try:
            chunk = response.raw.read1(CHUNK_SIZE, decode_content=False)
        except _NETWORK_ERRORS as error:
            raise _network_error(error, response.url, guard, reading=True) from error
        # One read returns what a single recv got, so a server that trickles a byte at a
        # time is stopped here, within one read of the deadline.
        guard.remaining()
        if not chunk:
            return decoder.finish()
        received += len(chunk)
        if received > limit:
            raise _too_large(limit)
        decoder.feed(chunk)


class _Decoder:
    """Decompresses a body as it arrives, refusing it once it grows past ``limit``.

    Done here rather than by urllib3 so that ``max_length`` caps every step: a gzip
    bomb is stopped after ``limit`` bytes of output, never inflated in memory.
    """

    def __init__(self, encoding: str, limit: int) -> None:
        self.encoding = encoding.strip().lower()
        if self.encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise DownloadError(
                _("The server used an unsupported content encoding: %(encoding)s.")
                % {"encoding": _short(encoding, 50)}
            )
        self.limit = limit
        self.output = io.BytesIO()
        self.inflater: zlib._Decompress | None = None
        self.pending = b""  # deflate: the first bytes, until two of them tell which kind
        self.members = 0  # gzip: complete members so far; a body may hold several
        self.finished = False  # gzip: junk followed a complete member and was ignored

    def feed(self, data: bytes) -> None:
        if self.encoding in ("", "identity"):
            self._write(data)
            return
        if self.inflater is None:
            if self.encoding != "deflate":
                self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            else:
                # "deflate" should be zlib-wrapped (RFC 9110), but some servers send it raw.
                data, self.pending = self.pending + data, b""
                if len(data) < 2:
                    self.pending = data
                    return
                wrapped = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
                self.inflater = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        try:
            while data and not self.finished:
                if self.inflater.eof:
                    if self.encoding == "deflate":
                        return  # nothing belongs after a deflate stream
                    self.members += 1
                    self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                room = self.limit - self.output.tell() + 1
                self._write(self.inflater.decompress(data, room))
                if self.inflater.unconsumed_tail:
                    raise _too_large(self.limit, decompressed=True)
                data = self.inflater.unused_data if self.inflater.eof else b""
        except zlib.error as error:
            # Like browsers and urllib3, ignore junk after a complete gzip member.
            if self.members:
                self.finished = True
                return
            raise DownloadError(
                _("The response could not be decompressed (%(encoding)s).")
                % {"encoding": self.encoding}
            ) from error

    def finish(self) -> bytes:
        if self.pending:
            data, self.pending = self.pending, b""
            self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            self.feed(data)
        if self.inflater is not None and not (self.inflater.eof or self.finished):
            raise DownloadError(_("The compressed response is incomplete."))
        return self.output.getvalue()

    def _write(self, data: bytes) -> None:
        if self.output.tell() + len(data) > self.limit:
            raise _too_large(self.limit, decompressed=self.encoding not in ("", "identity"))
        self.output.write(data)


# Addresses: the SSRF rules, checked before connecting and on the connected socket.


def _refusal(host: str, address: str) -> str | None:
    """Why ``host`` at ``address`` may not be fetched, for the editor; None if it may.

    The one place the address rule lives, so both checks agree (and tests can patch it).
    """
    kind = _kind(address)
    if kind is None:
        return None
    hint = _("set FEED_ALLOW_PRIVATE_HOSTS to allow it")
    if host.strip("[]").lower() == address.lower():
        return _("Refused: %(address)s is %(kind)s (%(hint)s).") % {
            "address": address,
            "kind": kind,
            "hint": hint,
        }
    return _("Refused: %(host)s resolves to %(address)s, %(kind)s (%(hint)s).") % {
        "host": host,
        "address": address,
        "kind": kind,
        "hint": hint,
    }


def _kind(address: str) -> str | None:
    """What kind of non-public address ``address`` is; None for a public one."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return _("not an IP address")
    if isinstance(ip, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 and 64:ff9b::7f00:1 reach the IPv4 address inside them.
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.is_loopback:
        return _("a loopback address")
    if ip.is_link_local:
        return _("a link-local address")
    if ip.is_multicast:
        return _("a multicast address")
    if ip.is_unspecified:
        return _("an unspecified address")
    if ip in _SHARED:
        return _("a shared (carrier-grade NAT) address")
    if ip.is_reserved:  # before is_private, which includes 240.0.0.0/4
        return _("a reserved address")
    if ip.is_private:
        return _("a private address")
    if not ip.is_global:
        return _("not a public address")
    return None


def _resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to; the check before any request."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise DownloadError(_("Could not find the server %(host)s.") % {"host": host}) from error
    return [info[4][0] for info in infos]


def _check_host(url: str, guard: "_Guard") -> None:
    if guard.allow_private:
        return
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise DownloadError(_("Not a valid address: %(url)s") % {"url": _short(url)}) from error
    host = parts.hostname or ""
    for address in _resolve(host, port):
        problem = _refusal(host, address)
        if problem:
            raise DownloadError(problem)


class _RefusedAddress(OSError):
    """Raised by a connection to a refused address; carries the message out of urllib3."""


class _Guard:
    """One download's deadline and its rule on private addresses, for the connections.

    Socket timeouts only bound each recv, so a server trickling its headers a byte at a
    time would outlast them; at the deadline a timer shuts the download's sockets down.
    """

    def __init__(self, timeout: float, allow_private: bool) -> None:
        self.timeout = timeout
        self.allow_private = allow_private
        self.deadline = time.monotonic() + timeout
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(timeout, self._expire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._sockets.clear()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if self.expired:
                _shut(sock)
            else:
                self._sockets.append(sock)

    def remaining(self) -> float:
        """The time left, raising the timeout error if there is none."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0 or self.expired:
            raise self.timeout_error()
        return remaining

    def timeout_error(self) -> DownloadError:
        seconds = f"{self.timeout:g}"
        return DownloadError(
            ngettext(
                "The download took longer than %(seconds)s second and was stopped.",
                "The download took longer than %(seconds)s seconds and was stopped.",
                math.ceil(self.timeout),
            )
            % {"seconds": seconds}
        )

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)
            self._sockets.clear()


def _shut(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for an SSLSocket: a blocked recv wakes with EOF.
    with contextlib.suppress(OSError):  # already closed
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


_current_guard: contextvars.ContextVar[_Guard | None] = contextvars.ContextVar(
    "wagtail_mediawire_download_guard", default=None
)


class _PeerCheck:
    """Checks the address actually connected to, before a byte of the request is sent.

    The check in :func:`_check_host` resolves the name itself; a DNS server that answers
    differently the second time (rebinding) would otherwise lead urllib3 elsewhere.
    """

    host: str

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        guard = _current_guard.get()
        if guard is None or not guard.allow_private:
            try:
                problem = _refusal(self.host, sock.getpeername()[0])
            except OSError:
                sock.close()
                raise
            if problem:
                sock.close()
                raise _RefusedAddress(problem)
        if guard is not None:
            guard.watch(sock)
        return sock


class _CheckedHTTPConnection(_PeerCheck, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_PeerCheck, HTTPSConnection):
    pass


class _CheckedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        # A new dict: urllib3's default one is shared by every PoolManager in the process.
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPConnectionPool,
            "https": _CheckedHTTPSConnectionPool,
        }


# Messages.


def _network_error(
    error: BaseException, url: str, guard: _Guard, *, reading: bool
) -> DownloadError:
    """The DownloadError for an exception from requests, urllib3, http.client or a socket."""
    refused = _find(error, _RefusedAddress)
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


def _too_large(limit: int, *, decompressed: bool = False) -> DownloadError:
    if decompressed:
        message = _("Once decompressed, the response is larger than %(limit)s bytes.")
    else:
        message = _("The response is larger than %(limit)s bytes.")
    return DownloadError(message % {"limit": f"{limit:,}"})


def _status(response: requests.Response) -> str:
    """Code and reason: the standard phrase where there is one, not the server's own text."""
    try:
        reason = HTTPStatus(response.status_code).phrase
    except ValueError:
        reason = "".join(c for c in (response.reason or "") if c.isprintable())[:100]
    return f"{response.status_code} {reason}".strip()


def _header_value(value: str) -> bool:
    return value.isascii() and value.isprintable() and value == value.strip()


def _short(text: str, length: int = 200) -> str:
    """A server-supplied string cut to a length that fits a message."""
    return text if len(text) <= length else text[: length - 1] + "…"
