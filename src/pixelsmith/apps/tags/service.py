"""Tag Scanner service: scan (crop → code guesses), confirm (→ product card), stats, export.

The recognition itself is the pure pipeline in recognize.py; this module is its I/O edge:
storage of the upload and crop, the scan rows, and the catalog lookup.
"""

from __future__ import annotations

import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from pixelsmith.core.catalog.lookup import lookup_product
from pixelsmith.core.catalog.service import CatalogService
from pixelsmith.core.db import Database, utcnow
from pixelsmith.core.errors import ApiError, NotFound
from pixelsmith.core.images import IntakeImage, encode_image
from pixelsmith.core.storage import Storage

from .codes import normalize as normalize_code
from .models import TagScan
from .recognize import read_photo, recognize

LABEL_RE = re.compile(r"^[A-Z0-9][A-Z0-9 \-]{0,39}$")
MIN_CROP_SIDE = 4


@dataclass(frozen=True)
class CropBox:
    x: int
    y: int
    w: int
    h: int

    @classmethod
    def parse(cls, text: str) -> CropBox:
        """'x,y,w,h' in pixels of the (orientation-corrected) image."""
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 4 or not all(re.fullmatch(r"-?\d{1,6}", p) for p in parts):
            raise ApiError(
                "The crop must be four whole numbers 'x,y,w,h' in image pixels, "
                "e.g. 120,80,300,60.",
                code="invalid_crop",
                status_code=422,
                details={"crop": text[:100]},
            )
        return cls(*(int(p) for p in parts))

    def check_within(self, width: int, height: int) -> None:
        if self.w < MIN_CROP_SIDE or self.h < MIN_CROP_SIDE:
            raise ApiError(
                f"The crop box is empty or too small ({self.w}×{self.h} px). Drag a box around "
                "the product code.",
                code="empty_crop",
                status_code=422,
                details={"crop": [self.x, self.y, self.w, self.h], "min_side": MIN_CROP_SIDE},
            )
        if self.x < 0 or self.y < 0 or self.x + self.w > width or self.y + self.h > height:
            raise ApiError(
                f"The crop box {self.x},{self.y},{self.w},{self.h} goes outside the "
                f"{width}×{height} image. Keep the box inside the photo.",
                code="crop_out_of_bounds",
                status_code=422,
                details={"crop": [self.x, self.y, self.w, self.h], "image": [width, height]},
            )


@dataclass
class TagRead:
    """The pure part of a scan (no database, no storage): runs in a worker process."""

    result: Any  # recognize.Recognition
    crop: CropBox | None
    recognize_ms: int
    image_jpeg: bytes
    crop_png: bytes


def read_tag(intake: IntakeImage, crop: CropBox | None = None) -> TagRead:
    import numpy as np

    image = intake.image.convert("RGB")
    if crop is not None:
        crop.check_within(image.width, image.height)
        region = image.crop((crop.x, crop.y, crop.x + crop.w, crop.y + crop.h))
    else:
        region = image  # no box: the pipeline finds the code line itself
    started = time.perf_counter()
    result = recognize(np.asarray(region)) if crop is not None else read_photo(np.asarray(region))
    elapsed_ms = int((time.perf_counter() - started) * 1000)
    return TagRead(
        result,
        crop,
        elapsed_ms,
        encode_image(image, "jpeg", quality=92),
        encode_image(region, "png"),
    )


def clean_label(label: str) -> str:
    text = re.sub(r"\s+", " ", (label or "").strip().upper())
    if not LABEL_RE.fullmatch(text):
        raise ApiError(
            "A product code uses letters A–Z, digits, dashes and spaces (1–40 characters), "
            "e.g. CW2288-111.",
            code="invalid_label",
            status_code=422,
            details={"label": (label or "")[:60]},
        )
    return text


class TagScanService:
    def __init__(self, db: Database, storage: Storage, catalog: CatalogService, provider=None):  # noqa: ANN001
        self.db = db
        self.storage = storage
        self.catalog = catalog
        self.provider = provider

    def scan(self, intake: IntakeImage, crop: CropBox | None = None) -> dict[str, Any]:
        return self.record(read_tag(intake, crop))

    def record(self, read: TagRead) -> dict[str, Any]:
        """Store a read's photo and crop and its scan row; the row, with local matches."""
        result, crop = read.result, read.crop
        image_key = self.storage.put(read.image_jpeg, content_type="image/jpeg", suffix=".jpg")
        crop_key = self.storage.put(read.crop_png, content_type="image/png", suffix=".png")
        alternatives = [
            {"code": code, "score": round(float(score), 4)} for code, score in result.alternatives
        ]
        row = TagScan(
            id=uuid.uuid4().hex,
            created_at=utcnow(),
            image_key=image_key,
            crop_key=crop_key,
            crop_box=[crop.x, crop.y, crop.w, crop.h] if crop else None,
            first_guess=result.code,
            first_confidence=float(result.confidence),
            alternatives=alternatives,
            recognize_ms=read.recognize_ms,
        )
        with self.db.session() as s:
            s.add(row)
        out = row.to_dict()
        # A fast local-only peek so the page can show a likely product before confirmation.
        out["local_matches"] = (
            self.catalog.find_by_code(result.code, limit=3) if result.code else []
        )
        return out

    def get(self, scan_id: str) -> dict[str, Any]:
        with self.db.session() as s:
            return self._load(s, scan_id).to_dict()

    def list(self, limit: int = 50) -> list[dict[str, Any]]:
        with self.db.session() as s:
            rows = s.scalars(select(TagScan).order_by(TagScan.created_at.desc()).limit(limit))
            return [r.to_dict() for r in rows]

    def confirm(self, scan_id: str, label: str) -> dict[str, Any]:
        """Keep the confirmed (or corrected) label, then look the product up."""
        label = clean_label(label)
        with self.db.session() as s:
            scan = self._load(s, scan_id)
            scan.confirmed_label = label
            scan.confirmed_at = utcnow()
            scan.corrected = normalize_code(label) != normalize_code(scan.first_guess)
            out = scan.to_dict()
        lookup = lookup_product(label, catalog=self.catalog, provider=self.provider)
        return {"scan": out, "lookup": lookup.to_dict()}

    def stats(self, days: int = 30) -> dict[str, Any]:
        """First-guess accuracy and correction rate per day (UTC), over confirmed scans."""
        since = datetime.now(UTC) - timedelta(days=days)
        per_day: dict[str, dict[str, int]] = defaultdict(
            lambda: {"scans": 0, "confirmed": 0, "corrected": 0}
        )
        with self.db.session() as s:
            rows = s.execute(
                select(TagScan.created_at, TagScan.confirmed_label, TagScan.corrected).where(
                    TagScan.created_at >= since
                )
            ).all()
        for created_at, confirmed, corrected in rows:
            day = per_day[created_at.date().isoformat()]
            day["scans"] += 1
            if confirmed is not None:
                day["confirmed"] += 1
                day["corrected"] += int(bool(corrected))
        out_days = []
        for date in sorted(per_day):
            d = per_day[date]
            n = d["confirmed"]
            out_days.append(
                {
                    "date": date,
                    **d,
                    "first_guess_accuracy": round((n - d["corrected"]) / n, 4) if n else None,
                    "correction_rate": round(d["corrected"] / n, 4) if n else None,
                }
            )
        total = sum(d["confirmed"] for d in per_day.values())
        corrected = sum(d["corrected"] for d in per_day.values())
        return {
            "days": out_days,
            "window_days": days,
            "total": {
                "scans": sum(d["scans"] for d in per_day.values()),
                "confirmed": total,
                "corrected": corrected,
                "first_guess_accuracy": round((total - corrected) / total, 4) if total else None,
                "correction_rate": round(corrected / total, 4) if total else None,
            },
        }

    def export(self, out_dir: Path) -> int:
        """Confirmed crops as a recognizer training set: images/ + gt.txt ('path<TAB>label'),
        the layout deep-text-recognition-benchmark's create_lmdb_dataset.py reads."""
        out_dir = Path(out_dir)
        (out_dir / "images").mkdir(parents=True, exist_ok=True)
        with self.db.session() as s:
            rows = s.execute(
                select(TagScan.id, TagScan.crop_key, TagScan.confirmed_label)
                .where(TagScan.confirmed_label.is_not(None))
                .order_by(TagScan.created_at)
            ).all()
        lines = []
        for scan_id, crop_key, label in rows:
            rel = f"images/{scan_id}.png"
            (out_dir / rel).write_bytes(self.storage.get(crop_key))
            lines.append(f"{rel}\t{label}\n")
        (out_dir / "gt.txt").write_text("".join(lines), encoding="utf-8")
        return len(lines)

    @staticmethod
    def _load(s, scan_id: str) -> TagScan:  # noqa: ANN001
        scan = s.get(TagScan, scan_id) if re.fullmatch(r"[0-9a-f]{32}", scan_id or "") else None
        if scan is None:
            raise NotFound(f"No scan with id '{scan_id}'.", details={"scan_id": scan_id})
        return scan
