"""Photo filters: pure functions from an RGB image to an RGB image of the same size.

They live in the core because more than one app applies them: Sketch Studio's filter tab and
Desk Makeover's restyle step. Each filter's display name and its parameters' names are in the
core catalog (core/web/locales) under `label_key(name)` and `param_label_key(param)`.

Every filter has a pydantic model of typed, bounded parameters with defaults, and works on the
full-resolution image. Sizes in the parameters (blur radii, brush sizes) are given for a
1024-pixel image and scaled with the image's longer side, so a 256-pixel preview looks like the
full-size result, only smaller.

Speed (one core, 1024×1024; benchmarks/bench_studio_filters.py): the cheap filters run in tens of
milliseconds. The edge-preserving ones (cartoon, stylization, watercolour) do their expensive
smoothing on a half-size copy, where it looks the same, and take their edges at full size.

    from pixelsmith.core.filters import apply_filter, apply_filter_to_image
    out = apply_filter(rgb, "oil", {"size": 9})          # HxWx3 uint8 RGB → same
    picture = apply_filter_to_image(pil_image, "cartoon")  # PIL image, alpha kept
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pixelsmith.core.errors import ApiError

REFERENCE_SIDE = 1024  # pixel sizes in the parameters are for an image this big


class FilterParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class FilterSpec:
    name: str
    params: type[FilterParams]
    fn: Callable[[np.ndarray, Any], np.ndarray]
    description: str


FILTERS: dict[str, FilterSpec] = {}


def _filter(name: str, params: type[FilterParams]):
    def register(fn: Callable[[np.ndarray, Any], np.ndarray]):
        FILTERS[name] = FilterSpec(name, params, fn, (fn.__doc__ or "").strip().split("\n")[0])
        return fn

    return register


# --------------------------------------------------------------------------- helpers


def _scale(img: np.ndarray) -> float:
    return max(img.shape[:2]) / REFERENCE_SIDE


def _odd(value: float, minimum: int = 1) -> int:
    k = max(minimum, int(round(value)))
    return k if k % 2 else k + 1


def _half(img: np.ndarray) -> np.ndarray:
    """A half-size copy for the expensive smoothing steps (unchanged when already small)."""
    h, w = img.shape[:2]
    if max(h, w) < 384:
        return img
    return cv2.resize(img, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)


def _back(small: np.ndarray, like: np.ndarray) -> np.ndarray:
    h, w = like.shape[:2]
    if small.shape[:2] == (h, w):
        return small
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _gray(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


def _dodge_sketch(gray: np.ndarray, blur_sigma: float, darkness: float) -> np.ndarray:
    """Pencil lines by colour dodge: gray / (1 - blur(1 - gray)), then darkened."""
    gray = cv2.GaussianBlur(gray, (0, 0), sigmaX=max(0.5, blur_sigma / 12))  # less grain
    inv_blur = cv2.GaussianBlur(255 - gray, (0, 0), sigmaX=max(0.5, blur_sigma))
    sketch = cv2.divide(gray, 255 - inv_blur, scale=256.0)
    if darkness != 1.0:
        lut = (255.0 * (np.arange(256) / 255.0) ** darkness).clip(0, 255).astype(np.uint8)
        sketch = cv2.LUT(sketch, lut)
    return sketch


# --------------------------------------------------------------------------- filters


class OriginalParams(FilterParams):
    pass


@_filter("original", OriginalParams)
def original(img: np.ndarray, p: OriginalParams) -> np.ndarray:
    """The photo as it is (for before/after)."""
    return img.copy()


class EmbossParams(FilterParams):
    strength: float = Field(1.0, ge=0.1, le=4.0, description="Relief depth")
    angle: int = Field(135, ge=0, le=359, description="Light direction in degrees")
    color: bool = Field(False, description="Keep the photo's colours over the relief")


@_filter("emboss", EmbossParams)
def emboss(img: np.ndarray, p: EmbossParams) -> np.ndarray:
    """Stamped-metal relief lit from one side."""
    gray = _gray(img).astype(np.float32)
    blur = cv2.GaussianBlur(gray, (0, 0), sigmaX=max(0.6, _scale(img)))
    a = np.deg2rad(p.angle)
    gx = cv2.Sobel(blur, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(blur, cv2.CV_32F, 0, 1, ksize=3)
    relief = 128.0 + p.strength * (np.cos(a) * gx - np.sin(a) * gy) * 0.5
    relief = relief.clip(0, 255).astype(np.uint8)
    if not p.color:
        return cv2.cvtColor(relief, cv2.COLOR_GRAY2RGB)
    # Overlay blend of the colour photo with the relief.
    base = img.astype(np.float32) / 255.0
    r = relief.astype(np.float32)[:, :, None] / 255.0
    out = np.where(base < 0.5, 2 * base * r, 1 - 2 * (1 - base) * (1 - r))
    return (out * 255.0).clip(0, 255).astype(np.uint8)


class CartoonParams(FilterParams):
    smoothing: int = Field(4, ge=1, le=8, description="Passes of edge-preserving smoothing")
    levels: int = Field(8, ge=2, le=32, description="Colour levels per channel")
    line_size: int = Field(9, ge=3, le=31, description="Neighbourhood for the ink lines (px)")
    line_strength: int = Field(6, ge=1, le=20, description="Higher = fewer, cleaner lines")


@_filter("cartoon", CartoonParams)
def cartoon(img: np.ndarray, p: CartoonParams) -> np.ndarray:
    """Flat colours with ink outlines."""
    s = _scale(img)
    small = _half(img)
    d = max(3, int(round(7 * max(small.shape[:2]) / 512)))
    for _ in range(p.smoothing):
        small = cv2.bilateralFilter(small, min(d, 9), 40, 7)
    # Posterise the lightness only: quantising each RGB channel blotches smooth greys with hues.
    lab = cv2.cvtColor(_back(small, img), cv2.COLOR_RGB2LAB)
    step = 256 // p.levels
    lut = ((np.arange(256) // step) * step + step // 2).clip(0, 255).astype(np.uint8)
    lab[:, :, 0] = cv2.LUT(lab[:, :, 0], lut)
    colour = cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
    gray = cv2.medianBlur(_gray(img), _odd(5 * s, 3))
    block = _odd(p.line_size * s, 3)
    lines = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, p.line_strength
    )
    return cv2.bitwise_and(colour, colour, mask=lines)


class PencilGrayParams(FilterParams):
    blur: float = Field(12.0, ge=1.0, le=60.0, description="Stroke width (px)")
    darkness: float = Field(1.5, ge=0.5, le=4.0, description="Pencil pressure")


@_filter("pencil_gray", PencilGrayParams)
def pencil_gray(img: np.ndarray, p: PencilGrayParams) -> np.ndarray:
    """Graphite pencil sketch."""
    sketch = _dodge_sketch(_gray(img), p.blur * _scale(img), p.darkness)
    return cv2.cvtColor(sketch, cv2.COLOR_GRAY2RGB)


class PencilColorParams(FilterParams):
    blur: float = Field(12.0, ge=1.0, le=60.0, description="Stroke width (px)")
    darkness: float = Field(1.8, ge=0.5, le=4.0, description="Pencil pressure")
    saturation: float = Field(0.9, ge=0.0, le=2.0, description="Colour strength")


@_filter("pencil_color", PencilColorParams)
def pencil_color(img: np.ndarray, p: PencilColorParams) -> np.ndarray:
    """Coloured pencil sketch: pencil lines over light, washed colours."""
    s = _scale(img)
    sketch = _dodge_sketch(_gray(img), p.blur * s, p.darkness).astype(np.float32) / 255.0
    small = _half(img)
    hsv = cv2.cvtColor(cv2.GaussianBlur(small, (0, 0), 2.0 * s + 0.5), cv2.COLOR_RGB2HSV)
    hsv = hsv.astype(np.float32)
    hsv[:, :, 1] = (hsv[:, :, 1] * p.saturation).clip(0, 255)
    # Paper-light tones: the colour is a tint, the lines carry the drawing.
    hsv[:, :, 2] = 185 + hsv[:, :, 2] * (70 / 255)
    tint = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB)
    tint = _back(tint, img).astype(np.float32)
    return (tint * sketch[:, :, None]).clip(0, 255).astype(np.uint8)


class OilParams(FilterParams):
    size: int = Field(7, ge=1, le=20, description="Brush size (px)")
    dyn_ratio: int = Field(1, ge=1, le=10, description="Colour simplification")


@_filter("oil", OilParams)
def oil(img: np.ndarray, p: OilParams) -> np.ndarray:
    """Oil painting: neighbourhood colour histograms (cv2.xphoto.oilPainting)."""
    size = max(1, int(round(p.size * _scale(img))))
    return cv2.xphoto.oilPainting(img, size, p.dyn_ratio, cv2.COLOR_RGB2Lab)


class StylizationParams(FilterParams):
    sigma_s: float = Field(60.0, ge=1.0, le=200.0, description="Smoothing extent (px)")
    sigma_r: float = Field(0.45, ge=0.05, le=1.0, description="How much colour change is an edge")


@_filter("stylization", StylizationParams)
def stylization(img: np.ndarray, p: StylizationParams) -> np.ndarray:
    """Painterly watercolour-like abstraction (cv2.stylization)."""
    small = _half(img)
    sigma = p.sigma_s * max(small.shape[:2]) / REFERENCE_SIDE
    out = cv2.stylization(small, sigma_s=max(1.0, min(200.0, sigma)), sigma_r=p.sigma_r)
    return _back(out, img)


class WatercolorParams(FilterParams):
    wash: int = Field(3, ge=1, le=6, description="Passes of colour wash")
    edge_darkening: float = Field(0.5, ge=0.0, le=1.0, description="Pigment pooling at edges")
    paper: float = Field(0.12, ge=0.0, le=0.5, description="Paper grain")
    seed: int = Field(7, ge=0, le=2**31 - 1, description="Paper texture seed")


@_filter("watercolor", WatercolorParams)
def watercolor(img: np.ndarray, p: WatercolorParams) -> np.ndarray:
    """Watercolour: soft colour washes, darker pigment at edges, paper grain."""
    small = _half(img)
    for _ in range(p.wash):
        small = cv2.bilateralFilter(small, 7, 30, 5)
    small = cv2.medianBlur(small, 5)
    wash = _back(small, img).astype(np.float32)
    # Lighter, slightly transparent pigment.
    wash = 255.0 - (255.0 - wash) * 0.8
    gray = cv2.cvtColor(wash.astype(np.uint8), cv2.COLOR_RGB2GRAY)
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    edges = cv2.GaussianBlur(cv2.magnitude(gx, gy), (0, 0), 1.0)
    edges = (edges / (edges.max() + 1e-6)).clip(0, 1) ** 0.7
    factor = 1.0 - p.edge_darkening * edges
    if p.paper > 0:
        h, w = gray.shape
        rng = np.random.default_rng(p.seed)
        grain = rng.standard_normal(((h + 3) // 4, (w + 3) // 4), dtype=np.float32)
        grain = cv2.resize(grain, (w, h), interpolation=cv2.INTER_LINEAR)
        factor = factor * (1.0 + p.paper * 0.25 * grain)
    return (wash * factor[:, :, None]).clip(0, 255).astype(np.uint8)


class PaintParams(FilterParams):
    colours: int = Field(8, ge=2, le=24, description="Flat colours in the picture")
    smoothing: int = Field(2, ge=0, le=6, description="Passes of edge-preserving smoothing")


@_filter("paint", PaintParams)
def paint(img: np.ndarray, p: PaintParams) -> np.ndarray:
    """Flat "paint" look: a few posterized colours (k-means in Lab), smoothed, no outlines."""
    small = _half(img)
    for _ in range(p.smoothing):
        small = cv2.bilateralFilter(small, 9, 50, 7)
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB)
    # Cluster a sample, then map every pixel to its nearest centre: k-means on all pixels of a
    # 12 MP photo takes seconds.
    flat = lab.reshape(-1, 3)
    rng = np.random.default_rng(0)
    sample = flat[rng.choice(len(flat), size=min(len(flat), 20_000), replace=False)]
    sample = sample.astype(np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 1.0)
    k = min(p.colours, len(sample))
    cv2.setRNGSeed(0)  # k-means++ draws from OpenCV's generator: the same photo, the same paint
    _, _, centres = cv2.kmeans(sample, k, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    # Nearest centre per 8-level Lab bin (32³ entries), then a lookup per pixel: bounded
    # memory at any photo size.
    grid = (np.indices((32, 32, 32)).reshape(3, -1).T * 8 + 4).astype(np.float32)
    nearest = ((grid[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    bins = lab >> 3
    index = (
        (bins[:, :, 0].astype(np.int32) << 10)
        | (bins[:, :, 1].astype(np.int32) << 5)
        | bins[:, :, 2]
    )
    poster = centres.astype(np.uint8)[nearest[index]]
    out = cv2.cvtColor(poster, cv2.COLOR_LAB2RGB)
    return cv2.medianBlur(_back(out, img), _odd(3 * _scale(img), 3))


# --------------------------------------------------------------------------- API

FilterName = Literal[
    "original",
    "emboss",
    "cartoon",
    "pencil_gray",
    "pencil_color",
    "oil",
    "stylization",
    "watercolor",
    "paint",
]


# Messages of every filter's name and parameters start with this (a page that shows filters
# hands it to its JS as a client prefix).
I18N_PREFIX = "filters."


def filter_names() -> list[str]:
    return list(FILTERS)


def label_key(name: str) -> str:
    """The message key of a filter's display name ("Oil painting" for "oil")."""
    return f"{I18N_PREFIX}style.{name}"


def param_label_key(param: str) -> str:
    """The message key of a parameter's display name ("Brush size" for "size")."""
    return f"{I18N_PREFIX}param.{param}"


def get_filter(name: str) -> FilterSpec:
    try:
        return FILTERS[name]
    except KeyError:
        raise ApiError(
            f"Unknown filter {name!r}. Choose one of: {', '.join(FILTERS)}.",
            code="unknown_filter",
            status_code=422,
            details={"style": name, "known": list(FILTERS)},
        ) from None


def validate_params(name: str, params: dict[str, Any] | None) -> FilterParams:
    """The filter's typed parameters, or a 422 `invalid_params` naming each bad field."""
    spec = get_filter(name)
    try:
        return spec.params.model_validate(params or {})
    except ValidationError as exc:
        raise ApiError(
            f"Invalid parameters for the {name!r} filter. Fix the fields listed in details.",
            code="invalid_params",
            status_code=422,
            details={
                "style": name,
                "errors": exc.errors(include_url=False, include_context=False, include_input=False),
            },
        ) from None


def apply_filter(
    img: np.ndarray, name: str, params: dict[str, Any] | FilterParams | None = None
) -> np.ndarray:
    """Apply filter `name` to an HxWx3 uint8 RGB image; same size out."""
    spec = get_filter(name)
    if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
        raise ValueError(f"expected an HxWx3 uint8 RGB image, got {img.shape} {img.dtype}")
    p = params if isinstance(params, spec.params) else validate_params(name, params)  # type: ignore[arg-type]
    return spec.fn(np.ascontiguousarray(img), p)


def apply_filter_to_image(
    image: Image.Image, name: str, params: dict[str, Any] | FilterParams | None = None
) -> Image.Image:
    """Apply filter `name` to a PIL image: RGB out, or RGBA with the image's own alpha kept
    (a cut-out stays cut out)."""
    rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    out = Image.fromarray(apply_filter(rgb, name, params), "RGB")
    if "A" in image.getbands():
        out.putalpha(image.getchannel("A"))
    return out


def describe_filters() -> list[dict[str, Any]]:
    """Name, one-line description and JSON schema of the parameters, for every filter (a fresh
    copy: callers may change it)."""
    return copy.deepcopy(_descriptions())


@functools.cache
def _descriptions() -> list[dict[str, Any]]:
    # JSON schemas take milliseconds to build: the Studio page shows them on every load.
    return [
        {
            "name": spec.name,
            "description": spec.description,
            "params_schema": spec.params.model_json_schema(),
            "defaults": spec.params().model_dump(),
        }
        for spec in FILTERS.values()
    ]
