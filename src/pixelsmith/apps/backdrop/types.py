"""What the Backdrop Studio pipeline's steps hand each other.

    photo ─ core.cutout.matte ─→ Matte ─ analysis.analyze ─→ ProductAnalysis
    ProductAnalysis ─ brief.make_brief ─→ Brief
    Brief + ProductAnalysis ─ index.AssetIndex.search ─→ [Suggestion]   (assets from library.py)
    Matte + Asset ─ composite.compose (with a Lighting held for a batch) ─→ Render
    Render + Preset ─ presets.check ─→ Compliance;  presets.autofix ─→ a compliant Render

Images are numpy arrays: RGB uint8 HxWx3 and alpha uint8 HxW (0 = background, 255 = product),
at the photo's own size (EXIF orientation applied, at most WORKING_MAX_SIDE on the longer side).
Colours are sRGB hex strings ("#rrggbb"). Every dataclass has to_dict() for the API; fields that
hold text for people come with a message key, so any language can be answered.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from pixelsmith.core.cutout import Matte, MatteFlag  # noqa: F401  (the cut-out's types live in core)

WORKING_MAX_SIDE = 2048  # photos are downscaled once at intake to this longer side
ASSET_SIDE = 2048  # starter backgrounds are made at ASSET_SIDE² on first run

# Coarse product categories the analysis maps classifier labels onto; the brief keys on them.
CATEGORIES = (
    "bag",
    "shoe",
    "watch",
    "jewelry",
    "bottle",  # drinks, water bottles
    "cosmetics",  # perfume, lotion, lipstick
    "electronics",  # keyboards, phones, headphones, cameras
    "kitchen",  # mugs, cups, cookware
    "food",
    "apparel",
    "home",  # lamps, vases, furniture, plants
    "toy",
    "sports",
    "other",
)
MATERIALS = ("glossy", "metal", "glass", "matte", "fabric")
ASSET_KINDS = (
    "gradient",
    "paper_sweep",
    "marble",
    "wood",
    "concrete",
    "linen",
    "bokeh",
    "podium",
    "terrazzo",
    "studio_floor",
    "solid",
    "texture",  # anything else, e.g. a user's import
)


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def x2(self) -> int:
        return self.x + self.w

    @property
    def y2(self) -> int:
        return self.y + self.h


@dataclass
class Colour:
    hex: str
    name: str  # a colour word ("navy", "beige") as a message key suffix: colour.<name>
    share: float  # of the product's pixels

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ProductAnalysis:
    """What the product is and looks like, from its cut-out."""

    category: str  # one of CATEGORIES
    labels: list[tuple[str, float]]  # the classifier's top ImageNet labels and probabilities
    colours: list[Colour]  # dominant colours, largest share first (2-5)
    brightness: float  # mean CIE L* of the product's pixels, 0..100
    materials: dict[str, float]  # each of MATERIALS → 0..1 score (highlights, texture)
    aspect: float  # width / height of the product's box
    orientation: str  # "tall" (aspect < 0.8), "wide" (> 1.25) or "square"
    elapsed_ms: float = 0.0

    @property
    def main_material(self) -> str:
        return max(self.materials, key=self.materials.get) if self.materials else "matte"

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "labels": [{"label": k, "p": round(float(p), 4)} for k, p in self.labels],
            "colours": [c.to_dict() for c in self.colours],
            "brightness": round(float(self.brightness), 1),
            "materials": {k: round(float(v), 3) for k, v in self.materials.items()},
            "main_material": self.main_material,
            "aspect": round(float(self.aspect), 3),
            "orientation": self.orientation,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }


@dataclass
class Lighting:
    """A studio light set-up. Held fixed for a whole batch so every render of a catalog is lit
    the same way. azimuth_deg: where the key light comes from, seen from the camera (0 = from the
    right, 90 = from above/behind the camera, 180 = from the left); elevation_deg 0..90."""

    style: str = "soft"  # "soft" | "hard" | "rim" | "high_key" | "low_key"
    azimuth_deg: float = 135.0  # upper left, the studio default
    elevation_deg: float = 50.0
    shadow_strength: float = 0.55  # 0..1, darkness of the contact shadow at its core
    reflection: bool = False  # a faint floor reflection under the product

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Brief:
    """The studio brief: how the shot should look, as data and as text in each language.

    `query` is what the asset index embeds to find backgrounds (English words, one sentence);
    `text` maps a language code ("en", "ko") to the brief as a short paragraph for people."""

    lighting: Lighting
    mood: str  # one word key: "clean", "luxurious", "warm", "natural", "bold", "playful", "tech"
    colour_scheme: str  # "complementary" | "analogous" | "neutral" | "monochrome"
    palette: list[str]  # 2-4 hex colours the background should carry
    props: list[str]  # prop keys: "plants", "stone", "fabric", "water_drops", ...
    background: list[str]  # wanted asset kinds, best first (ASSET_KINDS)
    query: str
    text: dict[str, str]
    elapsed_ms: float = 0.0

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        d = {
            "lighting": self.lighting.to_dict(),
            "mood": self.mood,
            "colour_scheme": self.colour_scheme,
            "palette": list(self.palette),
            "props": list(self.props),
            "background": list(self.background),
            "query": self.query,
            "text": dict(self.text),
            "elapsed_ms": round(self.elapsed_ms, 2),
        }
        if lang is not None:
            d["text"] = self.text.get(lang) or self.text.get("en", "")
        return d


@dataclass
class Asset:
    """A background in the library. `floor_y` is the share of the height where the product's
    base should sit (a horizon, a podium's top, a sweep's bend); `podium` is the podium's top
    surface when the background has one (the product stands on it, centred)."""

    id: str
    name: str
    description: str  # English, one sentence; embedded for retrieval
    kind: str  # one of ASSET_KINDS
    source: str  # "starter" | "import" | "generated"
    colours: list[str]  # dominant hex colours, largest first
    brightness: float  # mean L*, 0..100
    texture: float  # 0..1, how busy (0 = flat colour)
    floor_y: float = 0.82
    podium: Box | None = None  # in ASSET_SIDE² coordinates (scaled with the image)
    tags: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # classifier labels (imports)
    blob_key: str = ""  # the full-size image in storage
    thumb_key: str = ""
    width: int = 0
    height: int = 0
    descriptions: dict[str, str] = field(default_factory=dict)  # language → text for people

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        d = asdict(self)
        d["podium"] = asdict(self.podium) if self.podium else None
        if lang is not None:
            d["description_text"] = self.descriptions.get(lang) or self.description
        return d


@dataclass
class Suggestion:
    """A background for a brief: the score and what it is made of (each 0..1)."""

    asset: Asset
    score: float
    parts: dict[str, float]  # "text", "harmony", "contrast", "kind"

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "asset": self.asset.to_dict(lang),
            "score": round(float(self.score), 4),
            "parts": {k: round(float(v), 4) for k, v in self.parts.items()},
        }


@dataclass
class Preset:
    """An output format and its rules, from a marketplace's published image guidelines."""

    id: str
    name: str
    width: int
    height: int
    background: str  # "white" (pure #ffffff required) | "any"
    min_fill: float  # share of the frame's longer side the product must span (0 = no rule)
    max_fill: float = 1.0
    margin: float = 0.0  # minimum empty border, share of the side
    format: str = "jpeg"  # "jpeg" | "png"
    source: str = ""  # URL of the guideline it follows

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Check:
    rule: str  # "size", "background_white", "fill", "margin", "centred"
    ok: bool
    measured: str
    required: str
    message: str  # English; message key: backdrop.rule.<rule>


@dataclass
class Compliance:
    preset: str
    ok: bool
    checks: list[Check]

    def to_dict(self) -> dict[str, Any]:
        return {"preset": self.preset, "ok": self.ok, "checks": [asdict(c) for c in self.checks]}


@dataclass
class Render:
    """A product composited on a background. `product_box` is where the product's alpha > 0
    in the render; `product_mask` (uint8, render-sized) where the product's pixels are."""

    image: np.ndarray  # RGB uint8
    asset_id: str
    product_box: Box
    product_mask: np.ndarray
    lighting: Lighting
    preset: str | None = None
    compliance: Compliance | None = None
    elapsed_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "asset_id": self.asset_id,
            "size": [int(self.image.shape[1]), int(self.image.shape[0])],
            "product_box": asdict(self.product_box),
            "lighting": self.lighting.to_dict(),
            "preset": self.preset,
            "compliance": self.compliance.to_dict() if self.compliance else None,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }
