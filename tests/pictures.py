"""Pictures for the upload tests, made here: an ordinary photo, one that
carries a GPS position in its EXIF, a decompression bomb, and files that
only pretend to be pictures."""

import zlib
from io import BytesIO
from struct import pack

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# 37.5665° N, 126.9780° E (Seoul City Hall) in degrees, minutes, seconds.
GPS_LATITUDE = (37.0, 33.0, 59.94)
GPS_LONGITUDE = (126.0, 58.0, 40.8)
CAMERA_SERIAL = "SERIAL-7Q2-MARKER"


def photo(size=(600, 400), colour=(40, 120, 200), fmt="PNG") -> bytes:
    out = BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


def jpeg_with_gps(size=(800, 600)) -> bytes:
    """A JPEG whose EXIF says where it was taken and by which camera, and
    that it must be turned (orientation 6: 90° clockwise)."""
    image = Image.new("RGB", size, (200, 80, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0xA431] = CAMERA_SERIAL  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = GPS_LATITUDE
    gps[3] = "E"
    gps[4] = GPS_LONGITUDE
    out = BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 12_000) -> bytes:
    """A valid grey PNG of side × side pixels (144 megapixels by default:
    144 MB once decoded) in a few hundred kilobytes: rows of zeros compress
    to almost nothing."""
    header = pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    data = b"".join(compressor.compress(row) for _ in range(side))
    data += compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


HTML = (
    b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
)


def upload(data: bytes, name: str = "photo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)
