"""The feed downloader against real servers on 127.0.0.1.

pytest-httpserver plays the well-behaved (and the redirecting) servers; the slow and
trickling ones are raw sockets scripted byte by byte, since a WSGI server buffers.
"""

import contextlib
import gzip
import os
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator

import pytest
from werkzeug import Response

import wagtail_mediawire
from wagtail_mediawire.ingest.download import (
    USER_AGENT,
    Download,
    DownloadError,
    addresses,
    deadline,
    download,
)

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title></channel></rss>'
ACCEPT = "application/rss+xml, application/atom+xml;q=0.9"
OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 2\r\n\r\nok"
LOOPBACK_HINT = "a loopback address (set FEED_ALLOW_PRIVATE_HOSTS to allow it)."


@pytest.fixture
def configure(settings) -> Callable[..., None]:
    """Set WAGTAIL_MEDIAWIRE; local servers are allowed unless a test says otherwise."""

    def configure(**options) -> None:
        settings.WAGTAIL_MEDIAWIRE = {"FEED_ALLOW_PRIVATE_HOSTS": True, **options}

    configure()
    return configure


def local_url(httpserver, path: str) -> str:
    # pytest-httpserver listens on 127.0.0.1 (werkzeug binds "localhost" as IPv4).
    return f"http://127.0.0.1:{httpserver.port}{path}"


class RawServer:
    """TCP servers on 127.0.0.1 that answer each request with ``reply(conn, stop)``.

    They count the connections they accept and the requests they read, and ``reply``
    sleeps with ``stop.wait`` so that the teardown ends it at once.
    """

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.connections = 0
        self.requests: list[bytes] = []
        self._threads: list[threading.Thread] = []

    def start(self, reply: Callable[[socket.socket, threading.Event], None]) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.02)
        thread = threading.Thread(target=self._serve, args=(listener, reply), daemon=True)
        thread.start()
        self._threads.append(thread)
        return f"http://127.0.0.1:{listener.getsockname()[1]}/feed"

    def settle(self) -> None:
        """Give a connection the client just made the time to be accepted and counted."""
        time.sleep(0.1)

    def close(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(5)

    def _serve(self, listener: socket.socket, reply: Callable) -> None:
        with listener:
            while not self.stop.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                self.connections += 1
                with conn, contextlib.suppress(OSError):  # the client hung up: the point
                    conn.settimeout(5)
                    request = b""
                    while b"\r\n\r\n" not in request:
                        data = conn.recv(4096)
                        if not data:
                            break
                        request += data
                    if request:
                        self.requests.append(request)
                        reply(conn, self.stop)


@pytest.fixture
def raw_server() -> Iterator[RawServer]:
    server = RawServer()
    yield server
    server.close()


def trickle(conn: socket.socket, stop: threading.Event, data: bytes) -> None:
    """Send ``data`` a byte every 0.2 s."""
    for byte in data:
        if stop.wait(0.2):
            return
        conn.sendall(bytes([byte]))


# The well-behaved server.


def test_a_feed_is_downloaded_with_its_type_and_validators(httpserver, configure):
    httpserver.expect_request("/feed").respond_with_data(
        FEED,
        content_type="application/RSS+xml; charset=utf-8",
        headers={"ETag": '"v1"', "Last-Modified": "Wed, 21 Oct 2015 07:28:00 GMT"},
    )
    url = local_url(httpserver, "/feed")

    result = download(url, accept=ACCEPT)

    assert result == Download(
        url=url,
        status=200,
        content=FEED,
        content_type="application/rss+xml",
        etag='"v1"',
        last_modified="Wed, 21 Oct 2015 07:28:00 GMT",
    )
    ((request, _),) = httpserver.log
    assert request.headers["Accept"] == ACCEPT
    assert request.headers["Accept-Encoding"] == "gzip, deflate"
    assert "If-None-Match" not in request.headers
    assert "If-Modified-Since" not in request.headers


def test_user_agent_names_the_package_and_its_version(httpserver, configure):
    httpserver.expect_request("/feed").respond_with_data(FEED)

    download(local_url(httpserver, "/feed"), accept=ACCEPT)

    user_agent = httpserver.log[0][0].headers["User-Agent"]
    assert user_agent == USER_AGENT
    assert user_agent.startswith(f"wagtail-mediawire/{wagtail_mediawire.__version__} (+https://")


def test_conditional_get_and_304(httpserver, configure):
    validators = {"If-None-Match": '"v1"', "If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT"}
    httpserver.expect_request("/feed", headers=validators).respond_with_data("", status=304)

    result = download(
        local_url(httpserver, "/feed"),
        accept=ACCEPT,
        etag='"v1"',
        last_modified="Wed, 21 Oct 2015 07:28:00 GMT",
    )

    assert (result.status, result.content) == (304, b"")
    # Nothing changed, so the validators sent still hold when the 304 repeats none.
    assert (result.etag, result.last_modified) == ('"v1"', "Wed, 21 Oct 2015 07:28:00 GMT")
    assert len(httpserver.log) == 1


def test_a_malformed_validator_is_not_sent(httpserver, configure):
    # A stored ETag that is no header value must not make every later fetch fail.
    httpserver.expect_request("/feed").respond_with_data(FEED)

    result = download(local_url(httpserver, "/feed"), accept=ACCEPT, etag='"v1"\r\nX-Evil: 1')

    assert result.content == FEED
    assert "If-None-Match" not in httpserver.log[0][0].headers
    assert "X-Evil" not in httpserver.log[0][0].headers


def test_an_http_error_names_the_status(httpserver, configure):
    httpserver.expect_request("/feed").respond_with_data("gone", status=404)

    with pytest.raises(DownloadError) as error:
        download(local_url(httpserver, "/feed"), accept=ACCEPT)

    assert str(error.value) == "HTTP 404 Not Found."


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com/feed.xml", "/feed"])
def test_only_http_urls_are_fetched(url, configure):
    with pytest.raises(DownloadError, match="Not an http or https address"):
        download(url, accept=ACCEPT)


# Redirects.


def test_a_redirect_is_followed(httpserver, configure):
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/new"}
    )
    httpserver.expect_request("/new").respond_with_data(FEED, content_type="text/xml")

    result = download(local_url(httpserver, "/old"), accept=ACCEPT)

    assert result.url == local_url(httpserver, "/new")
    assert result.content == FEED
    assert [request.path for request, _ in httpserver.log] == ["/old", "/new"]


def test_a_redirect_loop_stops_after_five(httpserver, configure):
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )

    with pytest.raises(DownloadError) as error:
        download(local_url(httpserver, "/loop"), accept=ACCEPT)

    assert str(error.value) == "Too many redirects (more than 5)."
    assert len(httpserver.log) == 6  # the request and five redirects followed


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://example.com/feed.xml"])
def test_a_redirect_off_the_web_is_refused(httpserver, configure, location):
    httpserver.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": location}
    )

    with pytest.raises(DownloadError) as error:
        download(local_url(httpserver, "/feed"), accept=ACCEPT)

    assert str(error.value) == f"Redirect to an address that is not http or https: {location}"


# Private addresses (SSRF).


def test_a_loopback_address_is_refused_without_a_request(httpserver, configure):
    configure(FEED_ALLOW_PRIVATE_HOSTS=False)
    httpserver.expect_request("/feed").respond_with_data(FEED)

    with pytest.raises(DownloadError) as error:
        download(local_url(httpserver, "/feed"), accept=ACCEPT)

    assert str(error.value) == f"Refused: 127.0.0.1 is {LOOPBACK_HINT}"
    assert httpserver.log == []


def test_localhost_is_refused_without_a_request(httpserver, configure):
    configure(FEED_ALLOW_PRIVATE_HOSTS=False)
    httpserver.expect_request("/feed").respond_with_data(FEED)

    with pytest.raises(DownloadError) as error:
        download(f"http://localhost:{httpserver.port}/feed", accept=ACCEPT)

    assert str(error.value).startswith("Refused: localhost resolves to ")
    assert str(error.value).endswith(LOOPBACK_HINT)
    assert httpserver.log == []


def test_a_redirect_to_a_private_host_is_refused(httpserver, configure, monkeypatch):
    configure(FEED_ALLOW_PRIVATE_HOSTS=False)
    real_refusal = addresses._refusal

    def refusal(host, address):
        # 127.0.0.1 stands for a public agency server here; localhost stays private.
        return None if host == "127.0.0.1" else real_refusal(host, address)

    monkeypatch.setattr(addresses, "_refusal", refusal)
    internal = f"http://localhost:{httpserver.port}/admin"
    httpserver.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": internal}
    )
    httpserver.expect_request("/admin").respond_with_data("secret")

    with pytest.raises(DownloadError) as error:
        download(local_url(httpserver, "/feed"), accept=ACCEPT)

    assert str(error.value).startswith("Refused: localhost resolves to ")
    assert [request.path for request, _ in httpserver.log] == ["/feed"]


def test_the_address_connected_to_is_checked_too(httpserver, configure, monkeypatch):
    """DNS rebinding: the name looked public when checked, then led to 127.0.0.1."""
    configure(FEED_ALLOW_PRIVATE_HOSTS=False)
    resolved = []

    def resolve(host, port):
        resolved.append(host)
        return ["93.184.216.34"]

    monkeypatch.setattr(addresses, "_resolve", resolve)
    httpserver.expect_request("/feed").respond_with_data(FEED)

    with pytest.raises(DownloadError) as error:
        download(local_url(httpserver, "/feed"), accept=ACCEPT)

    assert resolved == ["127.0.0.1"]  # the first check ran, and passed
    assert str(error.value) == f"Refused: 127.0.0.1 is {LOOPBACK_HINT}"
    assert httpserver.log == []


def test_the_first_check_refuses_before_connecting(configure, raw_server):
    configure(FEED_ALLOW_PRIVATE_HOSTS=False)
    url = raw_server.start(lambda conn, stop: conn.sendall(OK))

    with pytest.raises(DownloadError, match="Refused: 127.0.0.1 is a loopback address"):
        download(url, accept=ACCEPT)

    raw_server.settle()
    assert raw_server.connections == 0


def test_the_connect_time_check_sends_nothing(configure, raw_server, monkeypatch):
    configure(FEED_ALLOW_PRIVATE_HOSTS=False)
    monkeypatch.setattr(addresses, "_resolve", lambda host, port: ["93.184.216.34"])
    url = raw_server.start(lambda conn, stop: conn.sendall(OK))

    with pytest.raises(DownloadError, match="Refused: 127.0.0.1 is a loopback address"):
        download(url, accept=ACCEPT)

    raw_server.settle()
    # Connected (that is how the address was known), then closed before a byte went out.
    assert (raw_server.connections, raw_server.requests) == (1, [])


def test_the_connect_time_check_covers_https(configure, raw_server, monkeypatch):
    configure(FEED_ALLOW_PRIVATE_HOSTS=False)
    monkeypatch.setattr(addresses, "_resolve", lambda host, port: ["93.184.216.34"])
    url = raw_server.start(lambda conn, stop: None).replace("http:", "https:")

    with pytest.raises(DownloadError, match="Refused: 127.0.0.1 is a loopback address"):
        download(url, accept=ACCEPT)

    raw_server.settle()
    assert (raw_server.connections, raw_server.requests) == (1, [])  # not even a TLS hello


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.2", "a loopback address"),
        ("::1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("64:ff9b::7f00:1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("192.168.0.1", "a private address"),
        ("fd00::1", "a private address"),
        ("169.254.169.254", "a link-local address"),  # cloud metadata
        ("fe80::1", "a link-local address"),
        ("100.64.0.1", "a shared (carrier-grade NAT) address"),
        ("0.0.0.0", "an unspecified address"),  # noqa: S104 - an address refused, not bound
        ("224.0.1.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
    ],
)
def test_non_public_addresses_are_named(address, kind):
    message = addresses._refusal("feeds.example", address)
    assert message == (
        f"Refused: feeds.example resolves to {address}, {kind} "
        "(set FEED_ALLOW_PRIVATE_HOSTS to allow it)."
    )


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "::ffff:93.184.216.34", "64:ff9b::5db8:d822", "2606:4700::1"]
)
def test_public_addresses_are_allowed(address):
    assert addresses._refusal("feeds.example", address) is None


# The deadline.


def test_a_server_that_stalls_is_stopped_at_the_timeout(configure, raw_server):
    configure(FEED_TIMEOUT=1)

    def late(conn, stop):
        if not stop.wait(3):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    url = raw_server.start(late)

    started = time.monotonic()
    with pytest.raises(DownloadError) as error:
        download(url, accept=ACCEPT)

    assert time.monotonic() - started < 2
    assert str(error.value) == "The download took longer than 1 second and was stopped."


@pytest.mark.parametrize("watchdog", [True, False])
def test_a_trickling_body_is_stopped_at_the_timeout(configure, raw_server, monkeypatch, watchdog):
    configure(FEED_TIMEOUT=1)
    if not watchdog:
        # The deadline check after each read stops it alone, without the timer's help.
        monkeypatch.setattr(deadline.Guard, "start", lambda guard: None)

    def slow_body(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 25\r\n\r\n")
        trickle(conn, stop, b"x" * 25)  # 5 s in all, a byte in every 0.2 s

    url = raw_server.start(slow_body)

    started = time.monotonic()
    with pytest.raises(DownloadError) as error:
        download(url, accept=ACCEPT)

    assert 0.9 < time.monotonic() - started < 2.5
    assert str(error.value) == "The download took longer than 1 second and was stopped."


def test_trickling_headers_are_stopped_at_the_timeout(configure, raw_server):
    # Each byte comes well within any socket timeout; only the whole-download one stops it.
    configure(FEED_TIMEOUT=1)

    def slow_headers(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        trickle(conn, stop, b"y" * 25)

    url = raw_server.start(slow_headers)

    started = time.monotonic()
    with pytest.raises(DownloadError) as error:
        download(url, accept=ACCEPT)

    assert 0.9 < time.monotonic() - started < 2.5
    assert str(error.value) == "The download took longer than 1 second and was stopped."


# Size.


def test_a_body_over_the_limit_is_refused_while_streaming(httpserver, configure):
    configure(FEED_MAX_BYTES=1000)
    # A generator: no Content-Length, so only counting the bytes can catch it.
    httpserver.expect_request("/feed").respond_with_handler(
        lambda request: Response(iter([b"x" * 500] * 10), content_type="text/xml")
    )

    with pytest.raises(DownloadError) as error:
        download(local_url(httpserver, "/feed"), accept=ACCEPT)

    assert str(error.value) == "The response is larger than 1,000 bytes."


def test_compressed_bytes_over_the_limit_are_refused(httpserver, configure):
    # Random bytes grow a little when compressed: too big as sent, small enough inflated.
    configure(FEED_MAX_BYTES=1000)
    body = gzip.compress(os.urandom(990))
    assert len(body) > 1000
    httpserver.expect_request("/feed").respond_with_handler(
        lambda request: Response(iter([body]), headers={"Content-Encoding": "gzip"})
    )

    with pytest.raises(DownloadError) as error:
        download(local_url(httpserver, "/feed"), accept=ACCEPT)

    assert str(error.value) == "The response is larger than 1,000 bytes."


def test_a_content_length_over_the_limit_is_refused_before_reading(configure, raw_server):
    configure(FEED_MAX_BYTES=1000, FEED_TIMEOUT=3)

    def huge(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n")
        stop.wait(5)  # and send nothing: waiting for the body would end in a timeout

    url = raw_server.start(huge)

    started = time.monotonic()
    with pytest.raises(DownloadError) as error:
        download(url, accept=ACCEPT)

    assert time.monotonic() - started < 1
    assert str(error.value) == "The response is larger than 1,000 bytes."


def test_the_default_limit_is_five_megabytes(httpserver, configure):
    httpserver.expect_request("/feed").respond_with_data(b"x" * (5 * 1024 * 1024 + 1))

    with pytest.raises(DownloadError) as error:
        download(local_url(httpserver, "/feed"), accept=ACCEPT)

    assert str(error.value) == "The response is larger than 5,242,880 bytes."


def test_a_gzip_bomb_is_refused_without_inflating_it(configure, raw_server):
    configure(FEED_MAX_BYTES=1024 * 1024)
    bomb = gzip.compress(bytes(20 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(bomb)
    # A raw socket rather than pytest-httpserver, whose werkzeug thread allocates megabytes
    # of its own while it answers and would blur the measurement.
    url = raw_server.start(lambda conn, stop: conn.sendall(head + bomb))

    tracemalloc.start()
    try:
        with pytest.raises(DownloadError) as error:
            download(url, accept=ACCEPT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert str(error.value) == "Once decompressed, the response is larger than 1,048,576 bytes."
    assert peak < 3 * 1024 * 1024  # about the limit, nowhere near the 20 MB


def deflate_raw(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", deflate_raw),  # what some servers send as "deflate"
        ("gzip", lambda data: gzip.compress(data[:10]) + gzip.compress(data[10:])),
    ],
)
def test_a_compressed_body_is_decompressed(httpserver, configure, encoding, compress):
    httpserver.expect_request("/feed").respond_with_data(
        compress(FEED), content_type="text/xml", headers={"Content-Encoding": encoding}
    )

    result = download(local_url(httpserver, "/feed"), accept=ACCEPT)

    assert result.content == FEED


def test_a_corrupt_gzip_body_is_refused(httpserver, configure):
    httpserver.expect_request("/feed").respond_with_data(
        b"this is not gzip", headers={"Content-Encoding": "gzip"}
    )

    with pytest.raises(DownloadError, match=r"could not be decompressed \(gzip\)"):
        download(local_url(httpserver, "/feed"), accept=ACCEPT)


def test_a_truncated_gzip_body_is_refused(httpserver, configure):
    httpserver.expect_request("/feed").respond_with_data(
        gzip.compress(FEED)[:-12], headers={"Content-Encoding": "gzip"}
    )

    with pytest.raises(DownloadError, match="The compressed response is incomplete."):
        download(local_url(httpserver, "/feed"), accept=ACCEPT)


def test_an_unsupported_content_encoding_is_refused(httpserver, configure):
    httpserver.expect_request("/feed").respond_with_data(
        b"\x0b\x02\x80hello\x03", headers={"Content-Encoding": "br"}
    )

    with pytest.raises(DownloadError) as error:
        download(local_url(httpserver, "/feed"), accept=ACCEPT)

    assert str(error.value) == "The server used an unsupported content encoding: br."


# Network failures.


def test_a_refused_connection_is_a_download_error(configure):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # free once closed, and nothing listens there

    with pytest.raises(DownloadError) as error:
        download(f"http://127.0.0.1:{port}/feed", accept=ACCEPT)

    assert str(error.value) == "127.0.0.1 refused the connection."


def test_a_failed_tls_handshake_is_a_download_error(httpserver, configure):
    # An https:// URL on a server that speaks plain HTTP.
    url = local_url(httpserver, "/feed").replace("http:", "https:")

    with pytest.raises(DownloadError) as error:
        download(url, accept=ACCEPT)

    assert str(error.value).startswith("The secure connection to 127.0.0.1 failed: ")


def test_proxies_from_the_environment_are_ignored(httpserver, configure, monkeypatch):
    # A proxy would see (and could change) every feed; and it would defeat the address checks.
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    httpserver.expect_request("/feed").respond_with_data(FEED)

    assert download(local_url(httpserver, "/feed"), accept=ACCEPT).content == FEED


@pytest.mark.parametrize("allow_private", [False, True])
def test_an_unknown_host_is_a_download_error(configure, monkeypatch, allow_private):
    # With private hosts allowed, urllib3's own lookup is the one that fails.
    configure(FEED_ALLOW_PRIVATE_HOSTS=allow_private)

    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)

    with pytest.raises(DownloadError) as error:
        download("http://feeds.example/rss", accept=ACCEPT)

    assert str(error.value) == "Could not find the server feeds.example."


def test_a_dropped_connection_is_a_download_error(configure, raw_server):
    def hang_up(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")

    url = raw_server.start(hang_up)

    with pytest.raises(DownloadError) as error:
        download(url, accept=ACCEPT)

    assert str(error.value) == "The connection to 127.0.0.1 broke off before the download finished."
