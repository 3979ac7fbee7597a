"""What the Desk Makeover pipeline's steps hand each other (gate → analysis → picks → render).

Coordinates are pixels of the *working photo*: the upload as decoded (EXIF orientation
applied, sRGB), downscaled once at intake so its longer side is at most WORKING_MAX_SIDE.
The render has the working photo's size, and every pixel outside the inserted items' masks
and shadows is the working photo's own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

WORKING_MAX_SIDE = 1600
# zlib level of the stored working photo, renders and masks: 1 encodes a 1600 px photo in a
# third of level 6's time for about 15% more bytes (upload → first render has a 3 s budget).
PNG_LEVEL = 1

# Labels the analysis reports (also the catalog's desk categories, see recommend.py).
ITEM_LABELS = (
    "monitor",
    "laptop",
    "keyboard",
    "mouse",
    "lamp",
    "plant",
    "mug",
    "speaker",
    "headphones",
    "books",
    "phone",
    "clock",
    "notebook",
    "desk_mat",
    "chair",
)
STYLES = ("minimal_white", "dark_gaming", "wood_natural", "colourful", "industrial")

# Typical real widths (cm) of items whose size is standard enough to set the scene's scale.
KNOWN_WIDTH_CM = {"keyboard": 44.0, "laptop": 32.0, "monitor": 60.0, "mouse": 6.5, "mug": 8.5}


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
class DeskItem:
    label: str  # one of ITEM_LABELS
    box: Box
    score: float  # 0..1
    evidence: str = ""  # e.g. "ImageNet 'computer keyboard' 0.62"


@dataclass
class PaletteColor:
    hex: str  # "#a0522d"
    name: str  # a core.colour name key ("brown", "light_grey"); colour_word() gives its word
    share: float  # of the photo's pixels, 0..1


@dataclass
class StyleScore:
    style: str  # one of STYLES
    score: float  # 0..1
    evidence: list[str] = field(default_factory=list)  # "62% of the desk area is warm brown"
    # The same as message keys and values ({"key": "apps.desk.evidence.…", "params": {…}}),
    # for pages in other languages.
    evidence_keys: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class DeskScale:
    """Pixels per centimetre on the desk plane: px_per_cm at image row at_y, and how it
    changes per row below it (perspective: nearer rows are bigger). From a known-size item."""

    px_per_cm: float
    at_y: int
    per_row: float = 0.0
    source: str = ""  # "keyboard" (the item it came from) or "default"

    def at(self, y: float) -> float:
        return max(0.05, self.px_per_cm + self.per_row * (y - self.at_y))


@dataclass
class DeskAnalysis:
    width: int
    height: int
    items: list[DeskItem]
    palette: list[PaletteColor]
    styles: list[StyleScore]  # best first
    surface: list[list[tuple[int, int]]]  # free desk surface polygons (x, y), image pixels
    scale: DeskScale
    elapsed_ms: float = 0.0
    # Things on the desk top that no item label covers (its holes: a mouse the classifier
    # missed, a cable tidy): nothing is placed over them.
    obstacles: list[Box] = field(default_factory=list)

    @property
    def style(self) -> StyleScore:
        return self.styles[0]

    def labels(self) -> set[str]:
        return {i.label for i in self.items}

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["style"] = asdict(self.style)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DeskAnalysis:
        """The inverse of to_dict (e.g. from stored JSON); the derived "style" key is ignored."""
        return cls(
            width=int(d["width"]),
            height=int(d["height"]),
            items=[
                DeskItem(
                    label=i["label"],
                    box=Box(**{k: int(v) for k, v in i["box"].items()}),
                    score=float(i["score"]),
                    evidence=i.get("evidence", ""),
                )
                for i in d.get("items", [])
            ],
            palette=[PaletteColor(**p) for p in d.get("palette", [])],
            styles=[
                StyleScore(
                    s["style"],
                    float(s["score"]),
                    list(s.get("evidence", [])),
                    list(s.get("evidence_keys", [])),
                )
                for s in d.get("styles", [])
            ],
            surface=[[(int(x), int(y)) for x, y in poly] for poly in d.get("surface", [])],
            scale=DeskScale(**d["scale"]),
            elapsed_ms=float(d.get("elapsed_ms", 0.0)),
            obstacles=[Box(**{k: int(v) for k, v in b.items()}) for b in d.get("obstacles", [])],
        )


@dataclass
class GateReason:
    code: str  # not_a_desk | person | too_small
    message: str  # in the caller's language


@dataclass
class GateResult:
    accepted: bool
    reasons: list[GateReason]
    labels: list[dict[str, Any]]  # [{"label": "desk", "score": 0.41}, …] best first
    elapsed_ms: float = 0.0
    # What each check measured: desk_mass, face, person_fraction, hand, checks (gate.py)
    signals: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
