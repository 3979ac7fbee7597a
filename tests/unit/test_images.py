"""core.images: every upload's intake. Hostile files come from tests/hostile_images.py."""

from __future__ import annotations

import hashlib
import io
import resource
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image, ImageFile, ImageOps
from starlette.datastructures import UploadFile

import hostile_images as h
from aio import run_async
from pixelsmith.core.errors import ApiError, InvalidImage, PayloadTooLarge
from pixelsmith.core.images import (
    MAX_ASPECT_RATIO,
    IntakeImage,
    downscale_to,
    encode_image,
    make_thumbnail,
    read_image,
    read_upload,
    sniff_format,
)

# The shipped defaults (core.config.Settings).
LIMITS = {"max_bytes": 25 * 1024 * 1024, "max_pixels": 40_000_000, "max_side": 12_000}


def read(data: bytes, **overrides: int) -> IntakeImage:
    return read_image(data, **{**LIMITS, **overrides})


def reopen(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


METADATA_KEYS = (
    "exif",
    "icc_profile",
    "xmp",
    "XML:com.adobe.xmp",
    "comment",
    "Raw profile type exif",
)


def assert_no_metadata(img: Image.Image) -> None:
    """No EXIF/ICC/XMP/comment. (Reopened files may carry decoder facts: dpi, loop, …)"""
    assert not img.getexif()
    assert not set(METADATA_KEYS) & set(img.info)


def assert_rejected(
    exc_info: pytest.ExceptionInfo[ApiError], kind: type[ApiError], code: str
) -> None:
    err = exc_info.value
    assert type(err) is kind
    assert err.code == code
    assert 400 <= err.status_code < 500
    assert len(err.message) > 20 and err.message.endswith(".")
    assert err.body()["error"]["code"] == code
    assert isinstance(err.details, dict)


# --------------------------------------------------------------------------- rejections

Case = tuple[str, Callable[[], bytes], dict[str, int], type[ApiError], str]

REJECTED: list[Case] = [
    ("empty", h.empty, {}, InvalidImage, "empty_file"),
    ("over_max_bytes", h.photo_jpeg, {"max_bytes": 10_000}, PayloadTooLarge, "file_too_large"),
    ("text_named_jpg", h.text_named_jpg, {}, InvalidImage, "unsupported_type"),
    ("html", h.html_file, {}, InvalidImage, "unsupported_type"),
    ("svg", h.svg_file, {}, InvalidImage, "unsupported_type"),
    ("gif_named_jpg", h.gif_named_jpg, {}, InvalidImage, "unsupported_type"),
    ("bmp", h.bmp_file, {}, InvalidImage, "unsupported_type"),
    ("pdf_named_jpg", h.pdf_named_jpg, {}, InvalidImage, "unsupported_type"),
    ("zip", h.zip_file, {}, InvalidImage, "unsupported_type"),
    ("heic", h.heic_header, {}, InvalidImage, "unsupported_type"),
    ("riff_wave", h.riff_wave, {}, InvalidImage, "unsupported_type"),
    ("random_bytes", h.random_bytes, {}, InvalidImage, "unsupported_type"),
    # Polyglots that sniff as an image but are not one.
    ("png_signature_then_html", h.png_signature_then_html, {}, InvalidImage, "corrupt_image"),
    ("png_signature_then_zip", h.png_signature_then_zip, {}, InvalidImage, "corrupt_image"),
    ("jpeg_magic_then_garbage", h.jpeg_magic_then_garbage, {}, InvalidImage, "corrupt_image"),
    ("png_bad_crc", h.png_bad_crc, {}, InvalidImage, "corrupt_image"),
    ("truncated_jpeg", h.truncated_jpeg, {}, InvalidImage, "truncated_image"),
    ("truncated_png", h.truncated_png, {}, InvalidImage, "truncated_image"),
    ("truncated_webp", h.truncated_webp, {}, InvalidImage, "truncated_image"),
    ("bomb_50000_squared", h.decompression_bomb_png, {}, InvalidImage, "image_too_large"),
    (
        "bomb_under_pillow_limit",
        lambda: h.decompression_bomb_png(6000, 6000),
        {"max_pixels": 1_000_000},
        InvalidImage,
        "image_too_large",
    ),
    ("side_over_max_side", h.png_bytes, {"max_side": 32}, InvalidImage, "image_too_large"),
    # The shape is checked first, so this is bad_dimensions even with huge side limits.
    (
        "one_by_100000",
        h.long_thin_png,
        {"max_side": 200_000, "max_pixels": 10**9},
        InvalidImage,
        "bad_dimensions",
    ),
    ("one_by_100000_default_limits", h.long_thin_png, {}, InvalidImage, "bad_dimensions"),
]


@pytest.mark.parametrize(
    ("make", "overrides", "kind", "code"),
    [case[1:] for case in REJECTED],
    ids=[case[0] for case in REJECTED],
)
def test_hostile_file_is_rejected_with_a_clear_4xx(
    make: Callable[[], bytes], overrides: dict[str, int], kind: type[ApiError], code: str
) -> None:
    with pytest.raises(ApiError) as exc_info:
        read(make(), **overrides)
    assert_rejected(exc_info, kind, code)


def test_status_codes() -> None:
    with pytest.raises(PayloadTooLarge) as too_big:
        read(h.png_bytes(), max_bytes=100)
    assert too_big.value.status_code == 413
    assert too_big.value.details == {"max_bytes": 100, "size": len(h.png_bytes())}
    with pytest.raises(InvalidImage) as empty:
        read(b"")
    assert empty.value.status_code == 422


def test_unsupported_type_says_what_the_file_looked_like() -> None:
    with pytest.raises(InvalidImage) as gif:
        read(h.gif_named_jpg())
    assert gif.value.details["detected"] == "GIF"
    assert "Upload a JPEG, PNG or WebP image." in gif.value.message
    with pytest.raises(InvalidImage) as heic:
        read(h.heic_header())
    assert "JPEG" in heic.value.message and heic.value.details["detected"] == "HEIC/AVIF"


def test_dimension_errors_carry_the_numbers() -> None:
    with pytest.raises(InvalidImage) as exc_info:
        read(h.png_bytes(64, 48), max_side=32)
    assert exc_info.value.details["width"] == 64
    assert exc_info.value.details["height"] == 48
    assert exc_info.value.details["max_side"] == 32
    with pytest.raises(InvalidImage) as thin:
        read(h.long_thin_png())
    assert thin.value.details["max_aspect_ratio"] == MAX_ASPECT_RATIO


def test_bomb_is_rejected_from_the_header_without_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bombs = [
        (h.decompression_bomb_png(), {}),  # Pillow's own DecompressionBombError fires first
        (h.decompression_bomb_png(6000, 6000), {"max_pixels": 1_000_000}),  # our limit
    ]
    assert all(len(data) < 400_000 for data, _ in bombs)  # tiny on the wire

    decoded: list[object] = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self))
    for data, overrides in bombs:
        with pytest.raises(InvalidImage) as exc_info:
            read(data, **overrides)
        assert exc_info.value.code == "image_too_large"
    assert decoded == []


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_bomb_is_rejected_fast_and_small() -> None:
    # 13000×13000 (169 MP) is past Pillow's warning threshold (only a warning there) but under
    # its error: our own check must stop it. Decoding it would allocate at least 169 MB.
    data = h.decompression_bomb_png(13_000, 13_000)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    started = time.perf_counter()
    with pytest.raises(InvalidImage) as exc_info:
        read(data, max_pixels=200_000_000, max_side=20_000)
    elapsed = time.perf_counter() - started
    rss_growth_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert exc_info.value.code == "image_too_large"
    assert elapsed < 2.0
    assert rss_growth_mib < 100


def test_truncated_images_stay_errors_globally() -> None:
    for make in (h.truncated_jpeg, h.truncated_png):
        with pytest.raises(InvalidImage):
            read(make())
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


# --------------------------------------------------------------------------- acceptance


def test_real_photo() -> None:
    from skimage import data as skdata

    data = h.photo_jpeg()
    result = read(data)
    assert (result.format, result.width, result.height) == ("jpeg", 512, 512)
    assert result.image.mode == "RGB" and not result.has_alpha
    assert result.sha256 == hashlib.sha256(data).hexdigest()

    rgb = result.to_rgb_array()
    assert rgb.shape == (512, 512, 3) and rgb.dtype == np.uint8 and rgb.flags.writeable
    assert np.abs(rgb.astype(int) - skdata.astronaut().astype(int)).mean() < 4  # JPEG q90
    bgr = result.to_bgr_array()
    assert bgr.flags.c_contiguous
    np.testing.assert_array_equal(bgr, rgb[:, :, ::-1])
    assert_no_metadata(result.image)
    assert result.image.info == {}


@pytest.mark.parametrize(
    ("make", "fmt"), [(h.jpeg_bytes, "jpeg"), (h.png_bytes, "png"), (h.webp_bytes, "webp")]
)
def test_ordinary_formats(make: Callable[[], bytes], fmt: str) -> None:
    result = read(make())
    assert (result.format, result.width, result.height, result.image.mode) == (fmt, 64, 48, "RGB")


def test_sniffing_ignores_names_and_needs_the_webp_tag() -> None:
    assert sniff_format(h.jpeg_bytes()) == "jpeg"
    assert sniff_format(h.png_bytes()) == "png"
    assert sniff_format(h.webp_bytes()) == "webp"
    assert sniff_format(h.riff_wave()) is None
    assert sniff_format(h.gif_named_jpg()) is None
    assert sniff_format(b"\xff\xd8") is None


def test_exif_orientation_6_is_applied_and_exif_dropped() -> None:
    data = h.exif_orientation_jpeg(6, width=64, height=32)
    result = read(data)
    assert (result.width, result.height) == (32, 64)  # stored landscape, displayed portrait
    rgb = result.to_rgb_array()
    assert rgb[8, 16, 0] > 200 and rgb[8, 16, 2] < 50  # top: red (was the left half)
    assert rgb[56, 16, 2] > 200 and rgb[56, 16, 0] < 50  # bottom: blue
    assert_no_metadata(result.image)
    assert result.image.info == {}
    for fmt in ("jpeg", "png", "webp"):
        out = encode_image(result.image, fmt)
        assert b"HostileCam" not in out
        assert_no_metadata(reopen(out))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_matches_pillow(orientation: int) -> None:
    data = h.exif_orientation_jpeg(orientation)
    expected = ImageOps.exif_transpose(reopen(data))
    result = read(data)
    assert result.image.size == expected.size
    np.testing.assert_array_equal(np.asarray(result.image), np.asarray(expected))


# Pillow warns ("Corrupt EXIF data", "Tag data larger than file") and carries on; so do we.
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("kind", sorted(h.CORRUPT_EXIF_PAYLOADS))
def test_corrupt_exif_is_ignored_not_fatal(kind: str) -> None:
    result = read(h.corrupt_exif_jpeg(kind, width=40, height=30))
    # The mistyped-tag case still has a readable Orientation=6, so it is rotated; elsewhere
    # the EXIF is unusable and the pixels are kept as stored.
    expected = (30, 40) if kind == "mistyped_tag_with_orientation" else (40, 30)
    assert (result.width, result.height) == expected
    assert result.image.mode == "RGB"
    assert_no_metadata(result.image)
    assert result.image.info == {}


def test_unreadable_exif_keeps_pixels_unrotated(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pillow 13 parses every corrupt block we could build; if a future one raises, the
    # upload must still go through, as stored (the documented choice: no rotation).
    def broken_getexif(self: Image.Image) -> Image.Exif:
        raise SyntaxError("not a TIFF file")

    monkeypatch.setattr(Image.Image, "getexif", broken_getexif)
    result = read(h.exif_orientation_jpeg(6, width=64, height=32))
    assert (result.width, result.height) == (64, 32)


def test_icc_profiles_are_applied_or_ignored_then_dropped() -> None:
    srgb = read(h.icc_jpeg())
    plain = read(h.jpeg_bytes(32, 24, quality=95))
    assert np.abs(srgb.to_rgb_array().astype(int) - plain.to_rgb_array()).max() <= 3
    garbage = read(h.icc_jpeg(b"not an ICC profile" * 8))
    assert garbage.image.mode == "RGB"
    for result in (srgb, garbage):
        assert_no_metadata(result.image)
        assert result.image.info == {}
        assert_no_metadata(reopen(encode_image(result.image, "png")))


def test_jpeg_with_zip_appended_is_a_jpeg_and_the_zip_is_dropped() -> None:
    data = h.jpeg_with_zip_appended()
    result = read(data)
    assert result.format == "jpeg"
    assert result.sha256 == hashlib.sha256(data).hexdigest()  # hash of the upload as sent
    for fmt in ("png", "jpeg", "webp"):
        out = encode_image(result.image, fmt)
        assert b"PK\x03\x04" not in out and b"<script>" not in out


def px(result: IntakeImage, xy: tuple[int, int] = (0, 0)) -> tuple[int, ...]:
    value = result.image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


def test_cmyk_jpeg_becomes_rgb() -> None:
    result = read(h.cmyk_jpeg())
    assert result.image.mode == "RGB"
    r, g, b = px(result, (5, 5))
    assert r > 240 and g < 15 and b < 15  # C=0 M=255 Y=255 K=0 is red


def test_16_bit_grey_png_is_scaled_not_clipped() -> None:
    result = read(h.grey16_png())
    assert result.image.mode == "RGB"
    assert [px(result, (0, row)) for row in range(4)] == [
        (0, 0, 0),
        (128, 128, 128),
        (255, 255, 255),
        (1, 1, 1),
    ]


def test_16_bit_rgb_png() -> None:
    result = read(h.rgb16_png())
    assert result.image.mode == "RGB"
    assert px(result) == (255, 128, 0)


@pytest.mark.parametrize(
    ("make", "mode", "first_pixel"),
    [
        (h.rgba_png, "RGBA", (255, 0, 0, 255)),
        (h.la_png, "RGBA", (128, 128, 128, 100)),
        (h.grey_png, "RGB", (77, 77, 77)),
        (h.bilevel_png, "RGB", (255, 255, 255)),
        (h.palette_png, "RGB", None),
        (lambda: h.palette_png(transparent=True), "RGBA", None),
    ],
    ids=["rgba", "la", "grey", "bilevel", "palette", "palette_transparent"],
)
def test_modes_become_rgb_or_rgba(
    make: Callable[[], bytes], mode: str, first_pixel: tuple[int, ...] | None
) -> None:
    result = read(make())
    assert result.image.mode == mode
    assert result.has_alpha is (mode == "RGBA")
    if first_pixel is not None:
        assert px(result) == first_pixel
    assert result.to_rgb_array().shape == (result.height, result.width, 3)


def test_transparent_pixels_flatten_onto_white_for_arrays() -> None:
    result = read(h.rgba_png(32, 24))
    rgb = result.to_rgb_array()
    assert tuple(rgb[0, 0]) == (255, 0, 0)
    assert tuple(rgb[0, 31]) == (255, 255, 255)


@pytest.mark.parametrize(("make", "fmt"), [(h.animated_png, "png"), (h.animated_webp, "webp")])
def test_animated_images_give_their_first_frame(make: Callable[[], bytes], fmt: str) -> None:
    result = read(make())
    assert result.format == fmt
    assert px(result, (8, 8))[:3] == h.FRAME_COLOURS[0]
    assert getattr(result.image, "n_frames", 1) == 1


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_mutated_files_never_raise_anything_but_api_errors() -> None:
    # Never a 500: flipped bytes and cut-offs in every format end as an image or an ApiError.
    # (20 000 mutations were run by hand with the same result; this keeps a cheap sample.)
    rng = np.random.default_rng(7)
    seeds = [
        h.jpeg_bytes(),
        h.png_bytes(),
        h.webp_bytes(),
        h.animated_png(),
        h.icc_jpeg(),
        h.exif_orientation_jpeg(6),
        h.palette_png(transparent=True),
        h.grey16_png(),
    ]
    for _ in range(400):
        data = bytearray(seeds[rng.integers(len(seeds))])
        for pos in rng.integers(0, len(data), rng.integers(1, 10)):
            data[pos] = int(rng.integers(256))
        if rng.random() < 0.2:
            data = data[: int(rng.integers(len(data)))]
        try:
            read(bytes(data))
        except ApiError as err:
            assert 400 <= err.status_code < 500


def test_decoding_is_thread_safe() -> None:
    makers = [h.photo_jpeg, h.png_bytes, h.webp_bytes, h.cmyk_jpeg, h.grey16_png, h.rgba_png]
    files = [make() for make in makers] * 4
    serial = [np.asarray(read(data).image) for data in files]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda data: np.asarray(read(data).image), files))
    for a, b in zip(serial, parallel, strict=True):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- output


@pytest.mark.parametrize(
    ("fmt", "sniffed"), [("png", "png"), ("jpeg", "jpeg"), ("JPG", "jpeg"), ("webp", "webp")]
)
def test_encode_image_formats(fmt: str, sniffed: str) -> None:
    img = read(h.png_bytes(64, 48)).image
    out = encode_image(img, fmt)
    assert sniff_format(out) == sniffed
    assert reopen(out).size == (64, 48)


def test_encode_image_strips_metadata_even_from_a_raw_pillow_image() -> None:
    src = reopen(h.exif_orientation_jpeg(6))  # straight from Pillow: EXIF in info
    src.info["icc_profile"] = reopen(h.icc_jpeg()).info["icc_profile"]
    src.info["comment"] = b"secret comment"
    src.info["xmp"] = b"<x:xmpmeta>secret</x:xmpmeta>"
    assert "exif" in src.info
    for fmt in ("png", "jpeg", "webp"):
        out = encode_image(src, fmt)
        assert b"HostileCam" not in out and b"secret" not in out
        assert_no_metadata(reopen(out))


def test_encode_jpeg_puts_alpha_on_white_and_png_webp_keep_it() -> None:
    img = read(h.rgba_png(32, 24)).image
    jpeg = reopen(encode_image(img, "jpeg"))
    assert jpeg.mode == "RGB"
    r, g, b = jpeg.getpixel((28, 12))  # type: ignore[misc]
    assert min(r, g, b) > 245
    for fmt in ("png", "webp"):
        kept = reopen(encode_image(img, fmt))
        assert kept.mode == "RGBA" and kept.getpixel((28, 12))[3] == 0  # type: ignore[index]


def test_encode_image_rejects_bad_parameters() -> None:
    img = Image.new("RGB", (4, 4))
    with pytest.raises(ApiError) as bad_format:
        encode_image(img, "gif")
    assert (bad_format.value.status_code, bad_format.value.code) == (
        400,
        "unsupported_output_format",
    )
    with pytest.raises(ApiError) as bad_quality:
        encode_image(img, "jpeg", quality=0)
    assert bad_quality.value.code == "invalid_quality"


def test_encode_image_accepts_other_modes() -> None:
    for mode in ("L", "LA", "P", "CMYK", "1", "I;16"):
        out = encode_image(Image.new(mode, (8, 8)), "png")
        assert reopen(out).mode in ("RGB", "RGBA")


@pytest.mark.parametrize(
    ("size", "max_side", "expected"),
    [
        ((600, 300), 256, (256, 128)),
        ((300, 600), 256, (128, 256)),
        ((64, 32), 256, (64, 32)),
        ((5000, 100), 256, (256, 5)),
    ],
)
def test_make_thumbnail(size: tuple[int, int], max_side: int, expected: tuple[int, int]) -> None:
    thumb = make_thumbnail(Image.new("RGB", size, "green"), max_side)
    assert sniff_format(thumb) == "jpeg"
    assert reopen(thumb).size == expected


def test_downscale_to_returns_a_bounded_copy() -> None:
    img = read(h.rgba_png(400, 100)).image
    small = downscale_to(img, 100)
    assert small.size == (100, 25) and small.mode == "RGBA"
    same = downscale_to(img, 1000)
    assert same is not img and same.size == img.size
    assert downscale_to(Image.new("RGB", (1000, 3)), 10).size == (10, 1)  # never zero
    with pytest.raises(ValueError):
        downscale_to(img, 0)


# --------------------------------------------------------------------------- uploads


class CountingBytesIO(io.BytesIO):
    """Counts how many bytes the code under test actually pulled."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def upload_of(data: bytes, filename: str = "photo.jpg", size: int | None = None) -> UploadFile:
    return UploadFile(CountingBytesIO(data), filename=filename, size=size)


def read_up(upload: UploadFile | None, **overrides: int) -> IntakeImage:
    return run_async(read_upload(upload, **{**LIMITS, **overrides}))


def test_read_upload_reads_a_good_file() -> None:
    data = h.photo_jpeg()
    result = read_up(upload_of(data))
    assert (result.format, result.width, result.height) == ("jpeg", 512, 512)
    assert result.sha256 == read(data).sha256


def test_read_upload_stops_as_soon_as_the_limit_is_passed() -> None:
    data = b"\xff\xd8\xff" + bytes(5 * 1024 * 1024)  # 5 MB, limit 64 KB
    upload = upload_of(data, "big.jpg")
    with pytest.raises(PayloadTooLarge) as exc_info:
        read_up(upload, max_bytes=64 * 1024)
    assert_rejected(exc_info, PayloadTooLarge, "file_too_large")
    assert exc_info.value.details["filename"] == "big.jpg"
    file = upload.file
    assert isinstance(file, CountingBytesIO)
    assert file.bytes_read == 64 * 1024 + 1


def test_read_upload_trusts_a_known_size_without_reading() -> None:
    upload = upload_of(h.photo_jpeg(), size=10**9)
    with pytest.raises(PayloadTooLarge):
        read_up(upload, max_bytes=1024 * 1024)
    file = upload.file
    assert isinstance(file, CountingBytesIO) and file.bytes_read == 0


def test_read_upload_missing_or_empty() -> None:
    with pytest.raises(InvalidImage) as missing:
        read_up(None)
    assert missing.value.code == "empty_file"
    with pytest.raises(InvalidImage) as empty:
        read_up(upload_of(b"", "nothing.png"))
    assert empty.value.code == "empty_file"
    assert empty.value.details["filename"] == "nothing.png"


def test_read_upload_passes_intake_errors_through_with_the_filename() -> None:
    with pytest.raises(InvalidImage) as exc_info:
        read_up(upload_of(h.text_named_jpg(), "holiday.jpg"))
    assert_rejected(exc_info, InvalidImage, "unsupported_type")
    assert exc_info.value.details["filename"] == "holiday.jpg"
