"""A frontend cache backend that records what it is asked to purge, for the tests."""

from wagtail.contrib.frontend_cache.backends.base import BaseBackend


class RecordingBackend(BaseBackend):
    urls: list[str] = []

    def purge(self, url: str) -> None:
        RecordingBackend.urls.append(url)
