"""Uploaded images (member avatars, gathering covers): checked, re-encoded,
stored in a few sizes.

What a member sends is never stored or served as such. Its type is decided
by its content (Pillow's decoders, not the file's name or the browser's
Content-Type), its size in bytes and in pixels is bounded before anything is
decoded (a decompression bomb declares a huge canvas in a few bytes), and
what is kept are new WebP files drawn from the decoded pixels: no EXIF (so
no GPS position or camera serial), no ICC profile, no comment, no trailing
bytes. Each upload gets a new random name, so a cached page never shows an
old picture and names cannot be guessed.

Files go to Django's default storage (settings.STORAGES): a directory in
the embedded setup, an S3-compatible bucket in production (docs/deploy.md).
"""

import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO

from allauth.core import ratelimit
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from community.errors import CommunityError

# What a member may send; anything else Pillow can read is refused too.
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})


@dataclass(frozen=True)
class Kind:
    """A kind of image: the folder it lives in, its shape and its sizes
    (widths in pixels; the first is the one a page shows by default)."""

    folder: str
    aspect: tuple[int, int]
    widths: tuple[int, ...]


AVATAR = Kind(folder="avatars", aspect=(1, 1), widths=(96, 256))
COVER = Kind(folder="covers", aspect=(2, 1), widths=(640, 1280))


def upload_rate_check(request) -> None:
    """Count one picture sent by the signed-in member, refused or not (the
    decoding is what costs: over a second of CPU for a large photo), against
    ACCOUNT_RATE_LIMITS["picture_upload"], shared by avatars and covers;
    CommunityError("picture_rate_limited") once over it."""
    if not ratelimit.consume(request, action="picture_upload", user=request.user):
        raise CommunityError("picture_rate_limited")


def max_bytes() -> int:
    return settings.MOIM_IMAGE_MAX_BYTES


def max_pixels() -> int:
    return settings.MOIM_IMAGE_MAX_PIXELS


def image_decode(upload, *, at_least: int | None = None) -> Image.Image:
    """The pixels of ``upload`` (a file-like object), or CommunityError.
    ``at_least``: a JPEG may be decoded scaled down by its decoder (1/2 to
    1/8, far cheaper than the full canvas) as long as both sides keep this
    many pixels, whichever way it is turned afterwards.

    Refused: more than MOIM_IMAGE_MAX_BYTES, anything that is not a JPEG,
    PNG, WebP or GIF by its content, a canvas of more than
    MOIM_IMAGE_MAX_PIXELS (checked from the header, before decoding), and a
    file that does not decode to the end.
    """
    size = getattr(upload, "size", None)
    if size is None or size > max_bytes():
        raise CommunityError(
            "image_too_large", limit=f"{max_bytes() // (1024 * 1024)} MB"
        )
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise CommunityError(
            "image_too_large", limit=f"{max_bytes() // (1024 * 1024)} MB"
        )
    try:
        with warnings.catch_warnings():
            # Pillow warns, then raises, past its own limit; ours is lower
            # and checked below, so both become a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=sorted(ACCEPTED_FORMATS))
            width, height = image.size
            if width * height > max_pixels() or not width or not height:
                raise CommunityError("image_too_many_pixels")
            if at_least and image.format == "JPEG":
                image.draft(image.mode, (at_least, at_least))
            image.load()
    except CommunityError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as err:
        code = (
            "image_too_many_pixels"
            if isinstance(
                err, Image.DecompressionBombError | Image.DecompressionBombWarning
            )
            else "image_unreadable"
        )
        raise CommunityError(code) from err
    except (OSError, SyntaxError, ValueError) as err:
        # A truncated or corrupt file of an accepted format.
        raise CommunityError("image_unreadable") from err
    return image


def _pixels(image: Image.Image) -> Image.Image:
    """Upright (the EXIF orientation applied, then dropped) and in a mode
    WebP writes, from the first frame only."""
    image.seek(0)
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )
    return image.convert("RGBA" if has_alpha else "RGB")


def _rendition(image: Image.Image, kind: Kind, width: int) -> bytes:
    height = width * kind.aspect[1] // kind.aspect[0]
    fitted = ImageOps.fit(image, (width, height), method=Image.Resampling.LANCZOS)
    out = BytesIO()
    # A new image carries no info of the original: save() writes only what
    # it is given, and it is given nothing but the pixels.
    fresh = Image.new(fitted.mode, fitted.size)
    fresh.paste(fitted)
    fresh.save(out, format="WEBP", quality=82, method=4)
    return out.getvalue()


def rendition_name(key: str, width: int) -> str:
    """The storage name of ``key``'s rendition ``width`` pixels wide."""
    return f"{key}-{width}.webp"


def image_store(*, upload, kind: Kind) -> str:
    """Check ``upload``, write its renditions to the default storage and
    return their key (stored on the row; ``rendition_name`` names each file).
    Raises CommunityError, having written nothing, when it is refused."""
    image = _pixels(image_decode(upload, at_least=max(kind.widths)))
    files = {width: _rendition(image, kind, width) for width in kind.widths}
    key = f"{kind.folder}/{secrets.token_urlsafe(12)}"
    for width, content in files.items():
        default_storage.save(rendition_name(key, width), ContentFile(content))
    return key


def image_delete(*, key: str, kind: Kind) -> None:
    """Remove ``key``'s renditions (a replaced or removed image)."""
    if not key:
        return
    for width in kind.widths:
        default_storage.delete(rendition_name(key, width))


def image_url(key: str, width: int) -> str:
    return default_storage.url(rendition_name(key, width))


def image_copy(*, key: str, kind: Kind) -> str:
    """Copy ``key``'s renditions under a new key (a gathering copied with
    its cover): each row owns its files, so replacing one's picture deletes
    nothing the other shows. An empty key copies to an empty key."""
    if not key:
        return ""
    copy = f"{kind.folder}/{secrets.token_urlsafe(12)}"
    for width in kind.widths:
        with default_storage.open(rendition_name(key, width)) as source:
            default_storage.save(
                rendition_name(copy, width), ContentFile(source.read())
            )
    return copy
