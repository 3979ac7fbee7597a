"""Hostile and ordinary image files, generated in memory for the intake tests.

Every function returns the raw bytes of one upload; nothing is written to disk or committed.

What core.images should do with the awkward ones (the tests pin this down):

* rejected, whatever the file is called: empty files, text/HTML/PDF/ZIP/GIF/BMP/HEIC/SVG/WAV
  bytes (their magic bytes are not JPEG, PNG or WebP), a PNG signature followed by HTML or a
  ZIP (sniffs as PNG, fails to open: ``corrupt_image``), truncated files, decompression bombs,
  absurd aspect ratios.
* accepted: a JPEG with a ZIP appended (Pillow stops at the JPEG end-of-image marker, so it is
  a valid JPEG; the appended bytes never survive because intake keeps only decoded pixels and
  every stored file is re-encoded from them), and a JPEG whose EXIF block is garbage (the bad
  EXIF is ignored, the pixels are kept).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from functools import lru_cache

import numpy as np
from PIL import Image

# --------------------------------------------------------------------------- helpers


def _save(img: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def _gradient(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """A smooth, deterministic RGB picture (compresses realistically, unlike flat colour)."""
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    rgb = np.stack(
        [np.broadcast_to(x, (height, width)), np.broadcast_to(y, (height, width)), (x + y) / 2],
        axis=-1,
    ).astype(np.uint8)
    return Image.fromarray(rgb, "RGB").convert(mode)


def _noise(width: int, height: int, seed: int = 0) -> Image.Image:
    """Random pixels: big, incompressible data sections, so truncation hits the pixel data."""
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), "RGB")


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_ihdr(width: int, height: int, bit_depth: int, colour_type: int) -> bytes:
    return png_chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    )


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("payload.html", "<script>alert(1)</script>")
    return buf.getvalue()


# --------------------------------------------------------------------------- ordinary files


def jpeg_bytes(width: int = 64, height: int = 48, quality: int = 90) -> bytes:
    return _save(_gradient(width, height), "JPEG", quality=quality)


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    return _save(_gradient(width, height), "PNG")


def webp_bytes(width: int = 64, height: int = 48) -> bytes:
    return _save(_gradient(width, height), "WEBP", quality=90)


def photo_jpeg() -> bytes:
    """A real photograph: scikit-image's astronaut (512×512 RGB), encoded as JPEG."""
    from skimage import data

    return _save(Image.fromarray(data.astronaut()), "JPEG", quality=90)


def rgba_png(width: int = 32, height: int = 24) -> bytes:
    """Left half opaque red, right half fully transparent."""
    arr = np.zeros((height, width, 4), dtype=np.uint8)
    arr[:, : width // 2] = (255, 0, 0, 255)
    arr[:, width // 2 :] = (0, 0, 255, 0)
    return _save(Image.fromarray(arr, "RGBA"), "PNG")


def la_png(width: int = 16, height: int = 16) -> bytes:
    return _save(Image.new("LA", (width, height), (128, 100)), "PNG")


def grey_png(width: int = 16, height: int = 16) -> bytes:
    return _save(Image.new("L", (width, height), 77), "PNG")


def bilevel_png(width: int = 16, height: int = 16) -> bytes:
    return _save(Image.new("1", (width, height), 1), "PNG")


def palette_png(width: int = 16, height: int = 16, *, transparent: bool = False) -> bytes:
    img = _gradient(width, height).quantize(16)
    return _save(img, "PNG", transparency=0) if transparent else _save(img, "PNG")


def cmyk_jpeg(width: int = 32, height: int = 24) -> bytes:
    return _save(Image.new("CMYK", (width, height), (0, 255, 255, 0)), "JPEG", quality=95)


def grey16_png(width: int = 16, height: int = 4) -> bytes:
    """A 16-bit greyscale PNG: rows of 0, 0x8000, 0xFFFF, 0x0101 (Pillow mode I;16)."""
    arr = np.zeros((height, width), dtype=np.uint16)
    for row, value in enumerate((0, 0x8000, 0xFFFF, 0x0101)[:height]):
        arr[row] = value
    return _save(Image.fromarray(arr), "PNG")


def rgb16_png(
    width: int = 8, height: int = 8, value: tuple[int, int, int] = (0xFFFF, 0x8000, 0)
) -> bytes:
    """A 16-bit-per-channel RGB PNG, written by hand (Pillow cannot write these)."""
    row = b"\x00" + struct.pack(">HHH", *value) * width
    return (
        PNG_SIGNATURE
        + _png_ihdr(width, height, 16, 2)
        + png_chunk(b"IDAT", zlib.compress(row * height))
        + png_chunk(b"IEND", b"")
    )


FRAME_COLOURS = ((255, 0, 0), (0, 255, 0), (0, 0, 255))


def animated_png(width: int = 16, height: int = 16) -> bytes:
    frames = [Image.new("RGB", (width, height), c) for c in FRAME_COLOURS]
    return _save(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100, loop=0)


def animated_webp(width: int = 16, height: int = 16) -> bytes:
    frames = [Image.new("RGB", (width, height), c) for c in FRAME_COLOURS]
    return _save(
        frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100, lossless=True
    )


def exif_orientation_jpeg(orientation: int = 6, width: int = 64, height: int = 32) -> bytes:
    """Stored landscape, left half red, right half blue, with EXIF Orientation set.

    Orientation 6 means "rotate 90° clockwise to display": the displayed image is portrait
    (height×width) with red on top.
    """
    img = Image.new("RGB", (width, height), (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "HostileCam"  # Make: proves other tags are dropped too
    return _save(img, "JPEG", exif=exif.tobytes(), quality=95)


def icc_jpeg(icc: bytes | None = None, width: int = 32, height: int = 24) -> bytes:
    """A JPEG carrying an ICC profile: sRGB by default, or whatever bytes are given."""
    from PIL import ImageCms

    if icc is None:
        icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return _save(_gradient(width, height), "JPEG", icc_profile=icc, quality=95)


def _with_app1(jpeg: bytes, payload: bytes) -> bytes:
    """Insert an APP1 (EXIF) segment holding `payload` right after the SOI marker."""
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


# Different ways an EXIF block goes wrong: pure noise, a TIFF header whose first IFD lies past
# the end, an IFD claiming 65535 entries, and an Orientation tag of the wrong type and count.
CORRUPT_EXIF_PAYLOADS: dict[str, bytes] = {
    "noise": b"Exif\x00\x00" + bytes(range(256)) * 4,
    "ifd_offset_past_end": b"Exif\x00\x00II*\x00" + struct.pack("<I", 0x7FFFFFF0),
    "huge_entry_count": b"Exif\x00\x00MM\x00*" + struct.pack(">I", 8) + b"\xff\xff" + b"\x01" * 40,
    "bad_orientation_type": b"Exif\x00\x00II*\x00"
    + struct.pack("<I", 8)
    + struct.pack("<H", 1)
    # tag 0x0112, type 5 (RATIONAL), count 1000, value offset far outside the block
    + struct.pack("<HHII", 0x0112, 5, 1000, 0x00FFFFFF)
    + struct.pack("<I", 0),
    "not_tiff_at_all": b"Exif\x00\x00GARBAGE!!" + b"\x00" * 16,
    # A valid Orientation=6 next to an ImageDescription (an ASCII tag) stored as RATIONAL.
    # Reading works, but ImageOps.exif_transpose re-serialises the EXIF and raises on it.
    "mistyped_tag_with_orientation": b"Exif\x00\x00MM\x00*"
    + struct.pack(">I", 8)
    + struct.pack(">H", 2)
    + struct.pack(">HHII", 0x010E, 5, 1, 38)
    + struct.pack(">HHIHH", 0x0112, 3, 1, 6, 0)
    + struct.pack(">I", 0)
    + struct.pack(">II", 72, 1),
}


def corrupt_exif_jpeg(kind: str = "noise", width: int = 40, height: int = 30) -> bytes:
    return _with_app1(jpeg_bytes(width, height), CORRUPT_EXIF_PAYLOADS[kind])


# --------------------------------------------------------------------------- hostile files


def empty() -> bytes:
    return b""


def text_named_jpg() -> bytes:
    """What a `notes.jpg` that is really a text file contains."""
    return b"This is not an image, whatever the file name says.\n" * 20


def html_file() -> bytes:
    return b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def svg_file() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script/></svg>'


def gif_named_jpg() -> bytes:
    return _save(Image.new("RGB", (8, 8), "red"), "GIF")


def bmp_file() -> bytes:
    return _save(Image.new("RGB", (8, 8), "red"), "BMP")


def pdf_named_jpg() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def zip_file() -> bytes:
    return _zip_bytes()


def heic_header() -> bytes:
    """The start of an iPhone HEIC file (ISO-BMFF `ftyp` box): a format we do not accept."""
    return struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def riff_wave() -> bytes:
    """A RIFF container that is audio, not WebP: the WEBP tag is what counts."""
    return b"RIFF" + struct.pack("<I", 36) + b"WAVEfmt " + b"\x00" * 28


def png_signature_then_html() -> bytes:
    return PNG_SIGNATURE + html_file()


def png_signature_then_zip() -> bytes:
    return PNG_SIGNATURE + _zip_bytes()


def jpeg_magic_then_garbage() -> bytes:
    return b"\xff\xd8\xff\xe0" + b"\x13\x37" * 200


def jpeg_with_zip_appended() -> bytes:
    """A valid JPEG followed by a ZIP archive (a classic polyglot). Accepted: see module doc."""
    return jpeg_bytes() + _zip_bytes()


def truncated_jpeg() -> bytes:
    data = _save(_noise(256, 256), "JPEG", quality=95)
    return data[: len(data) // 2]


def truncated_png() -> bytes:
    data = _save(_noise(256, 256), "PNG")
    return data[: len(data) // 2]


def truncated_webp() -> bytes:
    data = _save(_noise(256, 256), "WEBP", quality=90)
    return data[: len(data) // 2]


def png_bad_crc() -> bytes:
    data = bytearray(png_bytes())
    data[29] ^= 0xFF  # last byte of the IHDR CRC
    return bytes(data)


@lru_cache(maxsize=4)
def decompression_bomb_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A complete, valid 1-bit PNG declaring width×height, all zeros, built by hand.

    50000×50000 inflates to ~312 MB of scanlines (and 2.5 GB as a Pillow "1" image) but is a
    few hundred KB on the wire. Cached: deflating the zeros takes a moment.
    """
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    comp = zlib.compressobj(9)
    parts = []
    rows_per_step = max(1, (4 << 20) // len(row))
    done = 0
    while done < height:
        n = min(rows_per_step, height - done)
        parts.append(comp.compress(row * n))
        done += n
    parts.append(comp.flush())
    return (
        PNG_SIGNATURE
        + _png_ihdr(width, height, 1, 0)
        + png_chunk(b"IDAT", b"".join(parts))
        + png_chunk(b"IEND", b"")
    )


def long_thin_png(width: int = 1, height: int = 100_000) -> bytes:
    return _save(Image.new("L", (width, height), 0), "PNG")


def random_bytes(n: int = 4096, seed: int = 1) -> bytes:
    return np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()
