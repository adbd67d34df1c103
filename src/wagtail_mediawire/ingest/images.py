"""An item's image (enclosure or media) as a Wagtail image, or nothing.

Downloaded under the same timeout, size and address rules as feeds, capped at
``FEED_IMAGE_MAX_PIXELS``, then checked by Wagtail's own image upload field (format,
file size, pixel count), so an image that an editor could not upload is not imported
either.
"""

import io
import posixpath
import warnings
from urllib.parse import urlsplit

import PIL.Image
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext
from wagtail.images import get_image_model
from wagtail.images.fields import WagtailImageField

from ..settings import get_setting
from .download import DownloadError, download

IMAGE_ACCEPT = "image/jpeg, image/png, image/gif, image/webp;q=0.9, image/*;q=0.5"


class ImageError(Exception):
    """An image that cannot be imported; str(error) says why."""


def download_image(url: str) -> SimpleUploadedFile:
    """The image at ``url`` as an upload Wagtail accepts, or ImageError."""
    try:
        response = download(url, accept=IMAGE_ACCEPT)
    except DownloadError as error:
        raise ImageError(str(error)) from error
    if not response.content_type.startswith("image/"):
        raise ImageError(
            gettext("%(url)s is %(type)s, not an image.")
            % {"url": url, "type": response.content_type or "?"}
        )
    _check_pixels(url, response.content)
    name = posixpath.basename(urlsplit(response.url).path) or "image"
    upload = SimpleUploadedFile(name[-100:], response.content, response.content_type)
    try:
        return WagtailImageField().clean(upload)
    except ValidationError as error:
        raise ImageError(" ".join(error.messages)) from error


def _check_pixels(url: str, content: bytes) -> None:
    """ImageError for an image of more than FEED_IMAGE_MAX_PIXELS pixels.

    A render decodes the whole image, about six bytes a pixel at its peak, and a few
    kilobytes of PNG can hold a hundred million pixels. Pillow reads only the header
    here; what it cannot read is left to Wagtail's check, which says why.
    """
    limit = get_setting("FEED_IMAGE_MAX_PIXELS")
    try:
        with warnings.catch_warnings():
            # Pillow's own warning for this size: the limit below is the one that decides.
            warnings.simplefilter("ignore", PIL.Image.DecompressionBombWarning)
            with PIL.Image.open(io.BytesIO(content)) as image:
                width, height = image.size
    except PIL.Image.DecompressionBombError as error:
        # Over twice Pillow's own limit, which is far above any sensible cap.
        raise ImageError(
            gettext("%(url)s has more pixels than FEED_IMAGE_MAX_PIXELS allows (%(limit)s).")
            % {"url": url, "limit": f"{limit:,}"}
        ) from error
    except (OSError, ValueError, SyntaxError):
        return
    if width * height > limit:
        raise ImageError(
            gettext(
                "%(url)s has %(pixels)s pixels (%(width)s × %(height)s), more than "
                "FEED_IMAGE_MAX_PIXELS allows (%(limit)s)."
            )
            % {
                "url": url,
                "pixels": f"{width * height:,}",
                "width": f"{width:,}",
                "height": f"{height:,}",
                "limit": f"{limit:,}",
            }
        )


def create_image(upload: SimpleUploadedFile, *, title: str, credit: str):
    """A Wagtail image of ``upload``, titled after the report and credited to the agency
    (in its title, and as a tag to find the agency's images by)."""
    titled = f"{title[:200]} ({credit[:50]})" if credit else title[:255]
    image = get_image_model()(title=titled, file=upload, description=title[:255])
    image.save()
    if credit:
        image.tags.add(credit[:100])
    return image
