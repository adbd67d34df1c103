"""A report's address, the same however it was linked."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..validators import safe_http_url

# Query parameters that say how a reader arrived, not which report it is.
TRACKING_PARAMETER = re.compile(r"^(utm_.*|fbclid|gclid)$", re.IGNORECASE)


def normalise_link(url: str) -> str:
    """The same report's address, however it was linked: lower-case scheme and host,
    no default port, no fragment, no tracking parameters, no trailing slash."""
    if not safe_http_url(url):
        return ""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port in (None, {"http": 80, "https": 443}[scheme]) else f"{host}:{port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
         if not TRACKING_PARAMETER.match(k)]
    )  # fmt: skip
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, query, ""))
