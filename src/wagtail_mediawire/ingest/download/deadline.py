"""The whole download's deadline, which socket timeouts alone cannot keep.

One :class:`Guard` per download carries its deadline and its rule on private addresses
to the connections (see ``addresses``), and shuts their sockets when time is up.
"""

import contextlib
import math
import socket
import threading
import time

from django.utils.translation import ngettext

from .errors import DownloadError


class Guard:
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
