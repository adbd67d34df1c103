from typing import Any

from django import forms
from django.db import models

from .validators import validate_http_url


class HttpURLFormField(forms.URLField):
    """A URL form field for http and https addresses only, with one plain message.

    Unlike Django's URLField it guesses no scheme: "agency.example/report" and
    "//agency.example/report" are refused, not silently turned into https links.
    """

    default_validators = [validate_http_url]
    default_error_messages = {"invalid": validate_http_url.message}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("assume_scheme", "https")  # unused; silences Django 5.2's warning
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return forms.CharField.to_python(self, value)


class HttpURLField(models.URLField):
    """A model URL field for http and https addresses only (see ``HttpURLFormField``)."""

    default_validators = [validate_http_url]

    def formfield(self, **kwargs: Any) -> forms.Field:
        return super().formfield(**{"form_class": HttpURLFormField, **kwargs})
