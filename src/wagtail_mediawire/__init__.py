"""A wire desk for Wagtail news sites."""

__version__ = "0.1.0"
