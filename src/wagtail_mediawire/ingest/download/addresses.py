"""Addresses: the SSRF rules, checked before connecting and on the connected socket.

:func:`check_host` resolves a URL's host before each request; the connection classes
check the address actually connected to, against DNS rebinding, and hand the socket to
the download's guard. :func:`_refusal` is the one place the rule lives.
"""

import contextvars
import ipaddress
import socket
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .deadline import Guard
from .errors import DownloadError, RefusedAddress, short

_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, RFC 6598
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # IPv6 wrapping of an IPv4 address, RFC 6052


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


def check_host(url: str, guard: Guard) -> None:
    if guard.allow_private:
        return
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise DownloadError(_("Not a valid address: %(url)s") % {"url": short(url)}) from error
    host = parts.hostname or ""
    for address in _resolve(host, port):
        problem = _refusal(host, address)
        if problem:
            raise DownloadError(problem)


# The guard of the download under way, for the connections below; download() sets it.
current_guard: contextvars.ContextVar[Guard | None] = contextvars.ContextVar(
    "wagtail_mediawire_download_guard", default=None
)


class _PeerCheck:
    """Checks the address actually connected to, before a byte of the request is sent.

    The check in :func:`check_host` resolves the name itself; a DNS server that answers
    differently the second time (rebinding) would otherwise lead urllib3 elsewhere.
    """

    host: str

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        guard = current_guard.get()
        if guard is None or not guard.allow_private:
            try:
                problem = _refusal(self.host, sock.getpeername()[0])
            except OSError:
                sock.close()
                raise
            if problem:
                sock.close()
                raise RefusedAddress(problem)
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


class CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        # A new dict: urllib3's default one is shared by every PoolManager in the process.
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPConnectionPool,
            "https": _CheckedHTTPSConnectionPool,
        }
