"""Decompressing a response body as it arrives, within ``FEED_MAX_BYTES``.

The package asks for gzip and deflate itself and decodes them here instead of letting
urllib3 do it, so that the size limit holds after decompression too (no gzip bomb).
"""

import io
import zlib

from django.utils.translation import gettext as _

from .errors import DownloadError, short, too_large


class Decoder:
    """Decompresses a body as it arrives, refusing it once it grows past ``limit``.

    Done here rather than by urllib3 so that ``max_length`` caps every step: a gzip
    bomb is stopped after ``limit`` bytes of output, never inflated in memory.
    """

    def __init__(self, encoding: str, limit: int) -> None:
        self.encoding = encoding.strip().lower()
        if self.encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise DownloadError(
                _("The server used an unsupported content encoding: %(encoding)s.")
                % {"encoding": short(encoding, 50)}
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
                    raise too_large(self.limit, decompressed=True)
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
            raise too_large(self.limit, decompressed=self.encoding not in ("", "identity"))
        self.output.write(data)
