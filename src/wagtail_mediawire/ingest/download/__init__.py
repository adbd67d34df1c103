"""Downloading agency feeds and their images from servers that may be hostile.

Only bytes come out of here: feedparser and the image code are handed content, never a
URL, so nothing else fetches anything. :func:`download` refuses private addresses
(before connecting and again at connect time, against DNS rebinding), follows at most
a few redirects itself, bounds the whole download by ``FEED_TIMEOUT`` and the body by
``FEED_MAX_BYTES`` before and after decompression, and turns every network failure
into a :class:`DownloadError` whose text an editor can act on.

:func:`download` is the one public function, and the one tests patch to keep the
network out; :class:`Download` is what it returns. The modules beside this one are its
private helpers, which never import this one: ``addresses`` (the SSRF rules and the
checked connections), ``deadline`` (the whole download's time limit), ``decoding``
(decompression within the size limit) and ``errors`` (:class:`DownloadError` and the
editor's messages). This module calls them through their modules, so a test patches a
helper in one place: where it is defined.
"""

import contextlib
from dataclasses import dataclass
from urllib.parse import urljoin

import requests
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

import wagtail_mediawire
from wagtail_mediawire.settings import get_setting
from wagtail_mediawire.validators import validate_http_url

from . import addresses, deadline, decoding, errors
from .errors import NETWORK_ERRORS, DownloadError

__all__ = ["USER_AGENT", "Download", "DownloadError", "Posted", "download", "post_form"]

USER_AGENT = (
    f"wagtail-mediawire/{wagtail_mediawire.__version__} "
    "(+https://github.com/wagtail-mediawire/wagtail-mediawire)"
)
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# One read asks for at most this much; read1 returns after a single recv whatever came.
CHUNK_SIZE = 65536


@dataclass(frozen=True)
class Download:
    """One successful response: the body as bytes, and what the next fetch needs."""

    url: str  # the final URL, after redirects
    status: int  # 200, or 304 when the conditional GET says nothing changed
    content: bytes  # decompressed body; b"" for a 304
    content_type: str  # the media type without parameters, lower case ("" if none)
    etag: str  # response ETag or "" (for a 304 without one, the ETag that was sent)
    last_modified: str  # response Last-Modified or "" (likewise)
    # The response's Link header, as (rel, absolute URL) pairs: WebSub's hub and self.
    links: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Posted:
    """A form POST's answer: its status and the start of its text (a hub's reason)."""

    status: int
    text: str


def download(url: str, *, accept: str, etag: str = "", last_modified: str = "") -> Download:
    """GET ``url`` (conditionally, given ``etag``/``last_modified``) within the limits.

    Raises :class:`DownloadError` for anything but a 200 or a 304: a refused address,
    too many redirects, a timeout, an oversize body, an HTTP error or a network failure.
    """
    timeout = get_setting("FEED_TIMEOUT")
    guard = deadline.Guard(timeout, get_setting("FEED_ALLOW_PRIVATE_HOSTS"))
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": accept,
        # Only what Decoder handles: it, not urllib3, decompresses, so it can stop a bomb.
        "Accept-Encoding": "gzip, deflate",
    }
    # The validators were sent by the server last time; send them back only if they are
    # well-formed header values, so that a strange one can't break every later fetch.
    if etag and _header_value(etag):
        headers["If-None-Match"] = etag
    if last_modified and _header_value(last_modified):
        headers["If-Modified-Since"] = last_modified
    with _guarded_session(guard) as session:
        response = _follow(session, url, headers, guard)
        try:
            return _result(response, guard, etag, last_modified)
        finally:
            response.close()


# A hub's answer to a subscription is a status and perhaps a line of why: no more is read.
POSTED_TEXT_BYTES = 2048


def post_form(url: str, data: dict[str, str]) -> Posted:
    """POST ``data`` form-encoded to ``url`` (a WebSub hub) under the same rules as a
    download: no private address, the whole exchange within ``FEED_TIMEOUT``, no
    redirect followed (a hub answers where it is asked).

    Raises :class:`DownloadError` for a refused address or a network failure; any HTTP
    status is returned, for the caller to judge.
    """
    guard = deadline.Guard(get_setting("FEED_TIMEOUT"), get_setting("FEED_ALLOW_PRIVATE_HOSTS"))
    try:
        validate_http_url(url)
    except ValidationError as error:
        message = _("Not an http or https address: %(url)s") % {"url": errors.short(url)}
        raise DownloadError(message) from error
    with _guarded_session(guard) as session:
        addresses.check_host(url, guard)
        remaining = guard.remaining()
        try:
            response = session.post(
                url,
                data=data,
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
                stream=True,
                allow_redirects=False,
                timeout=(remaining, remaining),
            )
        except NETWORK_ERRORS as error:
            raise errors.network_error(error, url, guard, reading=False) from error
        try:
            text = response.raw.read(POSTED_TEXT_BYTES, decode_content=False)
        except NETWORK_ERRORS:
            text = b""  # the status is the answer; its text only explains it
        finally:
            response.close()
        return Posted(response.status_code, text.decode("utf-8", "replace").strip())


@contextlib.contextmanager
def _guarded_session(guard: deadline.Guard):
    """A requests session whose connections are checked against the address rules and
    held to ``guard``'s deadline while the block runs."""
    session = requests.Session()
    session.trust_env = False  # no proxies, netrc or CA bundle from the environment
    adapter = addresses.CheckedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    token = addresses.current_guard.set(guard)
    guard.start()
    try:
        yield session
    finally:
        guard.stop()
        addresses.current_guard.reset(token)
        session.close()


def _follow(
    session: requests.Session, url: str, headers: dict[str, str], guard: deadline.Guard
) -> requests.Response:
    """The first response that is not a redirect; each hop is checked like the first URL."""
    try:
        validate_http_url(url)
    except ValidationError as error:
        message = _("Not an http or https address: %(url)s") % {"url": errors.short(url)}
        raise DownloadError(message) from error
    redirects = 0
    while True:
        addresses.check_host(url, guard)
        response = _get(session, url, headers, guard)
        if response.status_code not in REDIRECT_STATUSES:
            return response
        response.close()
        # requests' reading of Location, which undoes http.client's Latin-1 decoding.
        location = session.get_redirect_target(response)
        if not location:
            raise DownloadError(
                _("HTTP %(status)s without a Location to go to.")
                % {"status": errors.status(response)}
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
                % {"url": errors.short(url)}
            ) from error


def _get(
    session: requests.Session, url: str, headers: dict[str, str], guard: deadline.Guard
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
    except NETWORK_ERRORS as error:
        raise errors.network_error(error, url, guard, reading=False) from error


def _result(
    response: requests.Response, guard: deadline.Guard, etag: str, modified: str
) -> Download:
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
        raise DownloadError(_("HTTP %(status)s.") % {"status": errors.status(response)})
    return Download(
        url=response.url,
        status=200,
        content=_read_body(response, guard),
        content_type=content_type,
        etag=response.headers.get("ETag", ""),
        last_modified=response.headers.get("Last-Modified", ""),
        links=_links(response),
    )


def _links(response: requests.Response) -> tuple[tuple[str, str], ...]:
    """The Link header's (rel, URL) pairs, each rel of a space-separated list apart."""
    value = response.headers.get("Link", "")
    if not value:
        return ()
    pairs = []
    for link in requests.utils.parse_header_links(value):
        url = urljoin(response.url, link.get("url", "").strip())
        pairs += [(rel.lower(), url) for rel in link.get("rel", "").split()]
    return tuple(pairs)


def _read_body(response: requests.Response, guard: deadline.Guard) -> bytes:
    limit = get_setting("FEED_MAX_BYTES")
    decoder = decoding.Decoder(response.headers.get("Content-Encoding", ""), limit)
    length = response.headers.get("Content-Length", "").strip()
    if length.isdigit() and int(length) > limit:
        raise errors.too_large(limit)
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
        except NETWORK_ERRORS as error:
            raise errors.network_error(error, response.url, guard, reading=True) from error
        # One read returns what a single recv got, so a server that trickles a byte at a
        # time is stopped here, within one read of the deadline.
        guard.remaining()
        if not chunk:
            return decoder.finish()
        received += len(chunk)
        if received > limit:
            raise errors.too_large(limit)
        decoder.feed(chunk)


def _header_value(value: str) -> bool:
    return value.isascii() and value.isprintable() and value == value.strip()
