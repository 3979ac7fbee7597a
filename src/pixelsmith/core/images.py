"""Image intake: every uploaded image goes through `read_image` (or `read_upload`) first.

The order of checks is the defence: size in bytes, then magic bytes (the file name and the
declared content type are never trusted), then the header only (dimensions, before a single
pixel is decoded: decompression bombs stop here), then the full decode. What comes out is a
plain RGB or RGBA picture, EXIF orientation applied, colours converted to sRGB when an ICC
profile says how, and no metadata at all (EXIF, GPS, ICC, XMP, comments, trailing bytes).

Every rejection is an `InvalidImage` (422) or `PayloadTooLarge` (413) with a specific `code`:

    empty_file        422  nothing was uploaded
    file_too_large    413  more than max_bytes
    unsupported_type  422  not JPEG, PNG or WebP by its magic bytes (or Pillow disagrees)
    image_too_large   422  a side over max_side or more than max_pixels (decompression bombs)
    bad_dimensions    422  zero-sized or an aspect ratio beyond MAX_ASPECT_RATIO:1
    truncated_image   422  the data ends before the image does
    corrupt_image     422  anything else Pillow cannot decode

A broken EXIF block or ICC profile is not a rejection: it is ignored and the pixels are kept
(unrotated, or with the colours as stored).

Everything here is synchronous, CPU-bound and touches no global state, so it is safe to call
from worker threads or processes; `read_upload` decodes in a thread, `process_upload` decodes
and runs a pure function on the picture in one `core.cpu.run_isolated` call.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final, TypeVar

import numpy as np

# Importing the three plugins registers them up front, so Image.open never lazily initialises
# Pillow's plugin registry from several threads at once.
from PIL import (
    Image,
    ImageCms,
    JpegImagePlugin,  # noqa: F401
    PngImagePlugin,  # noqa: F401
    WebPImagePlugin,  # noqa: F401
)
from starlette.datastructures import UploadFile

from pixelsmith.core.cpu import run_cpu, run_isolated
from pixelsmith.core.errors import ApiError, InvalidImage, PayloadTooLarge

log = logging.getLogger(__name__)
T = TypeVar("T")

FORMATS: Final = ("jpeg", "png", "webp")
MEDIA_TYPES: Final = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
# Longest side over shortest side. Generous for panoramas and long receipts; a 1×100000 strip
# is not a photo, and such shapes break resizers and detectors downstream.
MAX_ASPECT_RATIO: Final = 50

_ALLOWED = "Upload a JPEG, PNG or WebP image."
_READ_CHUNK: Final = 1 << 20
# Pillow's names for what we sniffed. A JPEG with a multi-picture header (most phone photos)
# opens as "MPO"; Image.open still decodes its first picture.
_PIL_OPEN_AS: Final = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
_PIL_FORMATS: Final = {"jpeg": {"JPEG", "MPO"}, "png": {"PNG"}, "webp": {"WEBP"}}
_PIL_SAVE_AS: Final = {"jpeg": "JPEG", "jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
# EXIF Orientation value -> the transpose that displays the image upright (as in
# ImageOps.exif_transpose, which we do not call: it re-serialises the whole EXIF block we are
# about to drop, and that is exactly where corrupt tags raise).
_ORIENTATION: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Magic bytes of things people upload by mistake, to say what the file looked like.
_KNOWN_OTHERS: Final = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"%PDF", "PDF"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"8BPS", "Photoshop PSD"),
)


@dataclass(frozen=True, eq=False)
class IntakeImage:
    """A decoded, normalised upload.

    `image` is RGB, or RGBA when the source had transparency; upright; no metadata.
    `format` is what the magic bytes said ("jpeg", "png" or "webp"); `width`/`height` are
    after orientation. `sha256` is the hex digest of the bytes as uploaded: cheap, and it
    identifies the upload itself (dedupe, audit). It is not a storage key: store what
    `encode_image` produces and key it by that.
    """

    image: Image.Image
    format: str
    width: int
    height: int
    sha256: str

    @property
    def has_alpha(self) -> bool:
        return self.image.mode == "RGBA"

    def to_rgb_array(self) -> np.ndarray:
        """HxWx3 uint8, writable. Transparency is flattened onto white."""
        return np.array(_flatten_alpha(self.image), dtype=np.uint8)

    def to_bgr_array(self) -> np.ndarray:
        """HxWx3 uint8 in OpenCV's channel order, C-contiguous."""
        return np.ascontiguousarray(self.to_rgb_array()[:, :, ::-1])


# --------------------------------------------------------------------------- intake


def sniff_format(data: bytes) -> str | None:
    """The format by magic bytes alone: "jpeg", "png", "webp", or None for anything else."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def read_image(data: bytes, *, max_bytes: int, max_pixels: int, max_side: int) -> IntakeImage:
    """Validate and decode an uploaded image, or raise InvalidImage / PayloadTooLarge."""
    fmt, src = _open_checked(data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side)
    with src:
        try:
            src.load()  # first frame only, for animated PNG/WebP and MPO
        except Exception as exc:
            raise _decode_failed(fmt, data, exc) from exc
        try:
            image = _apply_orientation(src)
            image = _to_srgb(image, src.info.get("icc_profile"))
            image = _to_rgb_or_rgba(image)
        except Exception as exc:  # e.g. a tRNS value that fits no pixel format
            log.warning("cannot normalise decoded %s upload", fmt, exc_info=True)
            raise _decode_failed(fmt, data, exc) from exc
        image = _without_metadata(image)

    return IntakeImage(
        image=image,
        format=fmt,
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _open_checked(
    data: bytes, *, max_bytes: int, max_pixels: int, max_side: int
) -> tuple[str, Image.Image]:
    """The checks before any pixel is decoded: size in bytes, magic bytes, the header's
    format and dimensions. Returns the sniffed format and the opened (header-only) image."""
    size = len(data)
    if size == 0:
        raise _empty_file()
    if size > max_bytes:
        raise _file_too_large(max_bytes, size)
    fmt = sniff_format(data)
    if fmt is None:
        raise _unsupported(data)
    try:
        # `formats` pins the one decoder the magic bytes chose: no other plugin gets a go.
        # Image.open reads the header only; no pixel is decoded yet.
        src = Image.open(io.BytesIO(data), formats=[_PIL_OPEN_AS[fmt]])
    except Image.DecompressionBombError as exc:
        # Pillow's own hard limit (2 × Image.MAX_IMAGE_PIXELS), hit while reading the header.
        raise _image_too_large(None, None, max_pixels, max_side, str(exc)) from exc
    except Exception as exc:  # Pillow raises many types on hostile headers; all mean "bad file"
        raise _decode_failed(fmt, data, exc) from exc
    if src.format not in _PIL_FORMATS[fmt]:
        src.close()
        raise InvalidImage(
            f"The file starts like a {fmt.upper()} image but is not one. {_ALLOWED}",
            code="unsupported_type",
            details={"sniffed": fmt, "decoded_as": src.format},
        )
    try:
        _check_dimensions(*src.size, max_pixels=max_pixels, max_side=max_side)
    except ApiError:
        src.close()
        raise
    return fmt, src


def read_preview(
    data: bytes, *, min_side: int, max_bytes: int, max_pixels: int, max_side: int
) -> tuple[Image.Image, tuple[int, int]]:
    """`read_image`'s checks, then a decode only as big as a quick look needs.

    A JPEG decodes DCT-downscaled (Pillow's `draft`: 1/2, 1/4 or 1/8 of the size, as long as
    both sides stay at least `min_side`), which costs a fraction of the full decode; other
    formats decode in full and are then shrunk. Returns the RGB preview (upright, sRGB, alpha
    flattened onto white, its shorter side about `min_side` or more) and the upload's own
    (width, height) after orientation.
    """
    fmt, src = _open_checked(data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side)
    width, height = src.size
    with src:
        try:
            if fmt == "jpeg":
                src.draft("RGB", (min_side, min_side))
            src.load()
            image = _apply_orientation(src)
            # EXIF orientations 5-8 swap the sides (src.size is the drafted size by now).
            turned = image.size != src.size
            image = _to_srgb(image, src.info.get("icc_profile"))
            image = _flatten_alpha(_to_rgb_or_rgba(image))
        except Exception as exc:
            raise _decode_failed(fmt, data, exc) from exc
    source = (height, width) if turned else (width, height)
    short = min(image.size)
    if short > 2 * min_side:  # PNG/WebP (or a JPEG whose draft could not go far enough)
        factor = min_side / short
        image = image.resize(
            (max(1, round(image.width * factor)), max(1, round(image.height * factor))),
            Image.Resampling.BILINEAR,
            reducing_gap=2.0,
        )
    return image, source


async def read_upload(
    upload: UploadFile | None, *, max_bytes: int, max_pixels: int, max_side: int
) -> IntakeImage:
    """`read_image` for a Starlette/FastAPI UploadFile, reading at most max_bytes + 1 bytes.

    Errors carry the file name in `details` so a multi-file form can say which file failed.
    """
    data = await read_upload_bytes(upload, max_bytes=max_bytes)
    with _naming_the_file(upload):
        # Decoding is CPU-bound: keep it off the event loop.
        return await run_cpu(
            read_image, data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side
        )


async def process_upload(
    upload: UploadFile | None,
    fn: Callable[..., T],
    *args,
    max_bytes: int,
    max_pixels: int,
    max_side: int,
) -> T:
    """Decode an upload and return `fn(intake, *args)`, both in one `run_isolated` call.

    For pure work on an upload (a filter, a tag read, a pose): in a server the decoded
    picture never enters the API process, only the upload's bytes go out and `fn`'s result
    comes back. `fn` must be a module-level function; it and its arguments picklable.
    """
    data = await read_upload_bytes(upload, max_bytes=max_bytes)
    with _naming_the_file(upload):
        return await run_isolated(
            _decode_and_call, data, (max_bytes, max_pixels, max_side), fn, args
        )


def _decode_and_call(data: bytes, limits: tuple[int, int, int], fn: Callable, args: tuple):  # noqa: ANN202
    max_bytes, max_pixels, max_side = limits
    intake = read_image(data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side)
    del data
    return fn(intake, *args)


async def read_upload_bytes(upload: UploadFile | None, *, max_bytes: int) -> bytes:
    """The upload's bytes, reading at most max_bytes + 1 of them (413 past the limit)."""
    if upload is None:
        raise _empty_file()
    with _naming_the_file(upload):
        if upload.size is not None and upload.size > max_bytes:
            raise _file_too_large(max_bytes, upload.size)
        await upload.seek(0)
        buf = bytearray()
        while True:
            # Ask for one byte past the limit at most: enough to know it was exceeded.
            chunk = await upload.read(min(_READ_CHUNK, max_bytes + 1 - len(buf)))
            if not chunk:
                break
            buf += chunk
            if len(buf) > max_bytes:
                raise _file_too_large(max_bytes, None)
        return bytes(buf)


@contextlib.contextmanager
def _naming_the_file(upload: UploadFile | None) -> Iterator[None]:
    try:
        yield
    except ApiError as exc:
        if upload is not None and upload.filename:
            exc.details.setdefault("filename", upload.filename)
        raise


# --------------------------------------------------------------------------- output


def encode_image(
    img: Image.Image, fmt: str = "png", *, quality: int = 90, png_level: int = 6
) -> bytes:
    """Encode as "png", "jpeg" (or "jpg") or "webp" with no metadata at all.

    JPEG has no alpha channel, so transparent areas become white. `quality` (1-100) applies
    to JPEG and WebP.
    """
    pil_format = _PIL_SAVE_AS.get(fmt.lower())
    if pil_format is None:
        raise ApiError(
            f"Cannot save images as {fmt!r}. Choose png, jpeg or webp.",
            code="unsupported_output_format",
            details={"format": fmt, "allowed": list(FORMATS)},
        )
    if not 1 <= quality <= 100:
        raise ApiError(
            f"Quality must be between 1 and 100, not {quality}.",
            code="invalid_quality",
            details={"quality": quality, "min": 1, "max": 100},
        )
    img = _to_rgb_or_rgba(img)
    if pil_format == "JPEG":
        img = _flatten_alpha(img)
    # Savers read some metadata from img.info (PNG: ICC and transparency, JPEG: comment), so
    # save a copy without it whenever there is any.
    img = _without_metadata(img) if img.info else img
    buf = io.BytesIO()
    if pil_format == "PNG":
        img.save(buf, "PNG", compress_level=png_level)
    elif pil_format == "JPEG":
        img.save(buf, "JPEG", quality=quality, optimize=True)
    else:
        img.save(buf, "WEBP", quality=quality, method=4)
    return buf.getvalue()


def shrink_array(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """An HxWxC array whose longer side is at most max_side (area-averaged, never upscaled):
    the small copy that colour and texture statistics are measured on."""
    import cv2

    h, w = rgb.shape[:2]
    f = max_side / max(h, w)
    if f >= 1:
        return np.ascontiguousarray(rgb)
    size = (max(1, round(w * f)), max(1, round(h * f)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def downscale_to(img: Image.Image, max_side: int) -> Image.Image:
    """A copy whose longer side is at most max_side (never upscaled), aspect ratio kept."""
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1, not {max_side}")
    width, height = img.size
    longest = max(width, height)
    if longest <= max_side:
        return img.copy()
    scale = max_side / longest
    size = (
        max(1, min(max_side, round(width * scale))),
        max(1, min(max_side, round(height * scale))),
    )
    # reducing_gap: a cheap box reduction first, then Lanczos; alpha is premultiplied by Pillow.
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def make_thumbnail(img: Image.Image, max_side: int = 256) -> bytes:
    """JPEG bytes, longer side at most max_side, aspect ratio kept."""
    return encode_image(downscale_to(img, max_side), "jpeg", quality=85)


# --------------------------------------------------------------------------- internals


def _check_dimensions(width: int, height: int, *, max_pixels: int, max_side: int) -> None:
    details = {"width": width, "height": height}
    if width < 1 or height < 1:
        raise InvalidImage(
            f"The image claims to be {width}×{height} pixels. {_ALLOWED}",
            code="bad_dimensions",
            details=details,
        )
    # Shape first: a 1×100000 strip is a bad shape whatever the size limits are.
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise InvalidImage(
            f"The image is {width}×{height} pixels, longer than {MAX_ASPECT_RATIO}:1. "
            "Crop it to a less extreme shape and upload it again.",
            code="bad_dimensions",
            details={**details, "max_aspect_ratio": MAX_ASPECT_RATIO},
        )
    # Pillow's warning threshold counts as a limit too: it is a hard limit here rather than a
    # warning, without touching the process-wide warnings filters from a worker thread.
    pillow_limit = Image.MAX_IMAGE_PIXELS
    limit = max_pixels if pillow_limit is None else min(max_pixels, pillow_limit)
    if width > max_side or height > max_side or width * height > limit:
        raise _image_too_large(width, height, limit, max_side)


def _apply_orientation(img: Image.Image) -> Image.Image:
    """Rotate/flip per EXIF Orientation. Unreadable EXIF means "as stored", never an error."""
    try:
        orientation = img.getexif().get(0x0112, 1)
    except Exception:  # corrupt EXIF: Pillow raises assorted types; the pixels are fine
        log.info("ignoring unreadable EXIF in upload", exc_info=True)
        return img
    method = _ORIENTATION.get(orientation) if isinstance(orientation, int) else None
    return img.transpose(method) if method is not None else img


def _to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert to sRGB through the embedded ICC profile; a bad profile is ignored."""
    if not icc or img.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return img
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")  # per call: lcms profiles are not shared
        base = img.convert("RGB") if img.mode == "RGBA" else img
        out = ImageCms.profileToProfile(base, source, srgb, outputMode="RGB")
    except Exception:  # corrupt or mismatched profile (e.g. an RGB profile on CMYK pixels)
        log.info("ignoring unusable ICC profile in upload", exc_info=True)
        return img
    if out is None:  # only with inPlace=True; keeps the type checker honest
        return img
    if img.mode == "RGBA":
        out.putalpha(img.getchannel("A"))
    return out


def _to_rgb_or_rgba(img: Image.Image) -> Image.Image:
    """RGB, or RGBA when there is transparency (alpha channel, tRNS, palette alpha)."""
    if img.mode in ("RGB", "RGBA"):
        return img
    if img.mode.startswith("I") or img.mode == "F":
        return _deep_grey_to_rgb(img)
    return img.convert("RGBA" if img.has_transparency_data else "RGB")


def _deep_grey_to_rgb(img: Image.Image) -> Image.Image:
    """16-bit (I;16*, or I from PNG) and float greyscale to 8-bit, rounding, not clipping."""
    arr = np.asarray(img)
    if img.mode == "F":
        grey = np.clip(np.rint(arr), 0, 255).astype(np.uint8)
    else:
        grey = ((np.clip(arr, 0, 65535).astype(np.uint32) + 128) // 257).astype(np.uint8)
    rgb = Image.fromarray(grey, "L").convert("RGB")
    transparent = img.info.get("transparency")
    if isinstance(transparent, int):  # a tRNS grey value marks fully transparent pixels
        rgb.putalpha(Image.fromarray(np.where(arr == transparent, 0, 255).astype(np.uint8), "L"))
    return rgb


def _flatten_alpha(img: Image.Image) -> Image.Image:
    if img.mode != "RGBA":
        return img if img.mode == "RGB" else img.convert("RGB")
    white = Image.new("RGB", img.size, (255, 255, 255))
    white.paste(img, mask=img.getchannel("A"))
    return white


def _without_metadata(img: Image.Image) -> Image.Image:
    """A fresh image holding only the pixels: no info dict, so no EXIF/ICC/XMP/comments."""
    fresh = Image.new(img.mode, img.size)
    fresh.paste(img)
    return fresh


def _decode_failed(fmt: str, data: bytes, exc: Exception) -> InvalidImage:
    text = str(exc)
    # Pillow reports data that stops early as "image file is truncated (…)" from the decoders
    # or EOFError from the readers; that relies on its global ImageFile.LOAD_TRUNCATED_IMAGES
    # staying False (nothing here sets it). libwebp only says "could not create decoder", but
    # a WebP's RIFF header declares its length, so a short file is recognisable.
    truncated = (
        isinstance(exc, EOFError)
        or "image file is truncated" in text
        or (fmt == "webp" and int.from_bytes(data[4:8], "little") + 8 > len(data))
    )
    if truncated:
        return InvalidImage(
            f"The {fmt.upper()} file is incomplete: it ends before the image does. The upload "
            "may have been cut off; upload the file again.",
            code="truncated_image",
            details={"format": fmt},
        )
    log.info("undecodable %s upload: %s: %s", fmt, type(exc).__name__, text)
    return InvalidImage(
        f"The {fmt.upper()} file is damaged and cannot be decoded. Open it in an image editor, "
        "save it again as JPEG, PNG or WebP, and upload that.",
        code="corrupt_image",
        details={"format": fmt},
    )


def _empty_file() -> InvalidImage:
    return InvalidImage(
        f"The uploaded file is empty. {_ALLOWED}", code="empty_file", details={"size": 0}
    )


def _file_too_large(max_bytes: int, size: int | None) -> PayloadTooLarge:
    got = f"{_mb(size)}" if size is not None else f"more than {_mb(max_bytes)}"
    details: dict[str, int] = {"max_bytes": max_bytes}
    if size is not None:
        details["size"] = size
    return PayloadTooLarge(
        f"The file is {got}; the limit is {_mb(max_bytes)}. Upload a smaller image, or "
        "export it at a lower resolution or quality.",
        code="file_too_large",
        details=details,
    )


def _unsupported(data: bytes) -> InvalidImage:
    looks_like = _guess_other_type(data)
    if looks_like:
        hint = f"This file is {looks_like}, not a JPEG, PNG or WebP image."
    else:
        hint = "This file is not a JPEG, PNG or WebP image (whatever its name says)."
    if looks_like == "HEIC/AVIF":
        hint += " Export the photo as JPEG (on an iPhone: Settings › Camera › Most Compatible)."
    return InvalidImage(
        f"{hint} {_ALLOWED}",
        code="unsupported_type",
        details={"detected": looks_like, "allowed": list(MEDIA_TYPES.values())},
    )


def _guess_other_type(data: bytes) -> str | None:
    for magic, name in _KNOWN_OTHERS:
        if data.startswith(magic):
            return name
    if data[4:8] == b"ftyp":
        return "HEIC/AVIF"
    if data[:4] == b"RIFF":
        return "RIFF (not WebP)"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "HTML"
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "SVG"
    return None


def _image_too_large(
    width: int | None, height: int | None, max_pixels: int, max_side: int, reason: str = ""
) -> InvalidImage:
    dims = f"is {width}×{height} pixels" if width and height else "has too many pixels"
    details: dict[str, object] = {"max_pixels": max_pixels, "max_side": max_side}
    if width and height:
        details.update(width=width, height=height, pixels=width * height)
    if reason:
        details["reason"] = reason
    return InvalidImage(
        f"The image {dims}; the limit is {max_side} pixels per side and "
        f"{max_pixels / 1e6:.0f} megapixels in all. Resize it and upload it again.",
        code="image_too_large",
        details=details,
    )


def _mb(n: int) -> str:
    return f"{n / (1 << 20):.1f} MB" if n >= 1 << 20 else f"{n} bytes"
