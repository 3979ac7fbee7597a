"""The background library: rows in `backdrop_assets`, pixels as blobs in storage.

Three sources: the starter set (painted on first use by `ensure_starter`, shared by everyone),
the user's imports (`import_dir`: every image file of a folder goes through the upload
intake, is described automatically and stored), and generated backgrounds (the GPU
"generate a background" job calls `add_image(..., source="generated")`).

Each asset is a JPEG (quality 92, at most ASSET_SIDE on its longer side) and a 384 px JPEG
thumbnail, both under content-addressed keys, and a row with its description, measurements
and the description's embedding. `index()` is the retrieval index over the shared assets and
the user's own, rebuilt only when the rows change.
"""

from __future__ import annotations

import io
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from pixelsmith.core.db import Database
from pixelsmith.core.errors import ApiError
from pixelsmith.core.images import downscale_to, encode_image, make_thumbnail, read_image
from pixelsmith.core.storage import Storage

from . import describe, starter
from .asset_models import BackdropAsset
from .index import AssetIndex, embedding_text
from .types import ASSET_KINDS, ASSET_SIDE, Asset

log = logging.getLogger(__name__)

SOURCES = ("starter", "import", "generated")
MAX_IMPORT_FILES = 500  # per import_dir call: each file is a decode + description (~50 ms)
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
THUMB_SIDE = 384
INDEXES_KEPT = 8  # per-user indexes cached (each is shared assets + that user's own)
JPEG_QUALITY = 92
# The intake's limits (core.config defaults): the same rules as an upload.
DEFAULT_LIMITS = {"max_bytes": 25 * 1024 * 1024, "max_pixels": 40_000_000, "max_side": 12_000}

Progress = Callable[[int, int, str], None]  # (done, total, what)

_starter_locks: dict[str, threading.Lock] = {}
_starter_guard = threading.Lock()


@dataclass
class Skipped:
    path: str
    code: str  # the intake's error code, or "not_an_image", "duplicate", "import_limit"
    message: str  # English

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}


@dataclass
class ImportReport:
    added: list[Asset] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "added": [a.to_dict(lang) for a in self.added],
            "skipped": [s.to_dict() for s in self.skipped],
        }


class AssetLibrary:
    def __init__(
        self,
        db: Database,
        storage: Storage,
        *,
        side: int = ASSET_SIDE,
        classifier: Any | None = None,
        embedder: Any | None = None,
        limits: dict[str, int] | None = None,
    ) -> None:
        """`side`: the starter set's size (tests make it at 256²). `classifier` / `embedder`:
        models to use instead of the registry's (None: the registry's, loaded when needed)."""
        self.db = db
        self.storage = storage
        self.side = side
        self.limits = dict(limits or DEFAULT_LIMITS)
        self._classifier = classifier
        self._embedder = embedder
        # user_id → (rows' signature, index); a few users' indexes kept, least recent dropped
        self._indexes: OrderedDict[str | None, tuple[tuple, AssetIndex]] = OrderedDict()
        self._index_lock = threading.Lock()

    # ---- models ----------------------------------------------------------------------------
    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            from pixelsmith.core.models.registry import registry

            self._embedder = registry.get("embeddings_ml")
        return self._embedder

    def _embed(self, asset: Asset) -> tuple[bytes, str]:
        vec = self.embedder.encode([embedding_text(asset)])[0].astype(np.float32)
        return vec.tobytes(), str(getattr(self.embedder, "name", type(self.embedder).__name__))

    # ---- the starter set -------------------------------------------------------------------
    def ensure_starter(self, progress: Progress | None = None) -> int:
        """Paint and store the starter backgrounds that are not in the library yet; returns
        how many were added (0 once done). Safe when threads or processes race: a row that
        another one inserted first is an IntegrityError here, and is skipped."""
        with _starter_guard:
            lock = _starter_locks.setdefault(self.db.url, threading.Lock())
        with lock:
            with self.db.session() as s:
                have = set(
                    s.scalars(select(BackdropAsset.id).where(BackdropAsset.source == "starter"))
                )
            todo = [spec for spec in starter.STARTER_SPECS if spec.id not in have]
            added = 0
            for n, spec in enumerate(todo, 1):
                painted = starter.make(spec, self.side)
                asset = starter.asset_stub(painted)
                m = describe.measure(painted.rgb)
                row = self._row(asset, painted.rgb, m, labels=[], user_id=None)
                if self._insert(row):
                    added += 1
                if progress:
                    progress(n, len(todo), spec.id)
            if added:
                log.info("backdrop starter set: %d backgrounds added", added)
            return added

    # ---- reading ---------------------------------------------------------------------------
    def list(
        self, *, kind: str | None = None, source: str | None = None, user_id: str | None = None
    ) -> list[Asset]:
        """Shared assets and `user_id`'s own (only shared ones when user_id is None)."""
        q = select(BackdropAsset).where(self._visible(user_id))
        if kind is not None:
            q = q.where(BackdropAsset.kind == kind)
        if source is not None:
            q = q.where(BackdropAsset.source == source)
        q = q.order_by(BackdropAsset.created_at, BackdropAsset.id)
        with self.db.session() as s:
            return [r.to_asset() for r in s.scalars(q)]

    def get(self, asset_id: str, *, user_id: str | None = None) -> Asset:
        """The asset (KeyError if unknown or another user's)."""
        with self.db.session() as s:
            row = s.get(BackdropAsset, asset_id)
            if row is None or (row.user_id is not None and row.user_id != user_id):
                raise KeyError(asset_id)
            return row.to_asset()

    def image(self, asset: Asset) -> np.ndarray:
        """The full-size RGB uint8 image."""
        with Image.open(io.BytesIO(self.storage.get(asset.blob_key))) as img:
            return np.array(img.convert("RGB"), dtype=np.uint8)

    # ---- writing ---------------------------------------------------------------------------
    def add_image(
        self,
        rgb: np.ndarray,
        *,
        source: str,
        name: str | None = None,
        description: str | None = None,
        user_id: str | None = None,
        kind: str | None = None,
        floor_y: float = 0.82,
        tags: list[str] | None = None,
    ) -> Asset:
        """Store a background (an import, or a generated one), described automatically;
        `description` (English) replaces the generated sentence for retrieval, e.g. the
        prompt a background was generated from."""
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
        if kind is not None and kind not in ASSET_KINDS:
            raise ValueError(f"kind must be one of {ASSET_KINDS}, not {kind!r}")
        rgb = _fit(np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8)[:, :, :3]))
        info = describe.describe_image(rgb, classifier=self._classifier_arg())
        descriptions = dict(info["descriptions"])
        if description:
            descriptions["en"] = description
        asset = Asset(
            id=f"{source}-{uuid.uuid4().hex[:16]}",
            name=name or info["descriptions"]["en"].split(",")[0].capitalize(),
            description=description or info["description"],
            kind=kind or info["kind"],
            source=source,
            colours=[],
            brightness=0.0,
            texture=0.0,
            floor_y=floor_y,
            tags=list(tags or []),
            width=rgb.shape[1],
            height=rgb.shape[0],
            descriptions=descriptions,
        )
        row = self._row(asset, rgb, info, labels=info["labels"], user_id=user_id)
        self._insert(row, strict=True)
        return row.to_asset()

    def import_dir(
        self, path: str | Path, *, progress: Progress | None = None, user_id: str | None = None
    ) -> ImportReport:
        """Add every image file directly in `path` (JPEG, PNG or WebP by their bytes; at most
        MAX_IMPORT_FILES per call). Files that are not images, are too large, broken or
        already in the library are skipped, each with a reason."""
        folder = Path(path)
        if not folder.is_dir():
            raise ApiError(
                f"{folder} is not a folder.", code="not_a_folder", details={"path": str(folder)}
            )
        files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        report = ImportReport()
        known = self._blob_keys(user_id)
        for n, f in enumerate(files, 1):
            if n > MAX_IMPORT_FILES:
                report.skipped.append(
                    Skipped(
                        str(f),
                        "import_limit",
                        f"Only {MAX_IMPORT_FILES} files are imported at a time; import the "
                        "rest in another run.",
                    )
                )
                continue
            try:
                asset = self._import_file(f, user_id, known)
            except _Skip as skip:
                report.skipped.append(Skipped(str(f), skip.code, skip.message))
            except ApiError as exc:  # the intake's verdict: file_too_large, corrupt_image, …
                report.skipped.append(Skipped(str(f), exc.code, exc.message))
            else:
                report.added.append(asset)
                known.add(asset.blob_key)
            if progress:
                progress(min(n, len(files)), len(files), f.name)
        return report

    def delete(self, asset_id: str, *, user_id: str | None = None) -> None:
        """Remove an asset and its blobs (a blob another asset still uses stays). A user can
        delete only their own; user_id None (the CLI, an admin) can delete any."""
        with self.db.session() as s:
            row = s.get(BackdropAsset, asset_id)
            if row is None or (user_id is not None and row.user_id != user_id):
                raise KeyError(asset_id)
            keys = {row.blob_key, row.thumb_key}
            s.delete(row)
            s.flush()
            still = set(
                s.scalars(
                    select(BackdropAsset.blob_key).where(BackdropAsset.blob_key.in_(keys))
                ).all()
            ) | set(
                s.scalars(
                    select(BackdropAsset.thumb_key).where(BackdropAsset.thumb_key.in_(keys))
                ).all()
            )
        for key in keys - still:
            self.storage.delete(key)

    # ---- retrieval -------------------------------------------------------------------------
    def index(self, *, user_id: str | None = None) -> AssetIndex:
        """The retrieval index over what `user_id` sees; cached until the rows change."""
        with self.db.session() as s:
            count, newest = s.execute(
                select(func.count(BackdropAsset.id), func.max(BackdropAsset.created_at)).where(
                    self._visible(user_id)
                )
            ).one()
        key = (count, newest)
        with self._index_lock:
            hit = self._indexes.get(user_id)
            if hit is not None and hit[0] == key:
                self._indexes.move_to_end(user_id)
                return hit[1]
            with self.db.session() as s:
                rows = list(
                    s.scalars(
                        select(BackdropAsset)
                        .where(self._visible(user_id))
                        .order_by(BackdropAsset.created_at, BackdropAsset.id)
                    )
                )
                model = str(getattr(self.embedder, "name", type(self.embedder).__name__))
                assets = [r.to_asset() for r in rows]
                vectors = [r.vector() if r.embedding_model == model else None for r in rows]
            index = AssetIndex.build(assets, embedder=self.embedder, vectors=vectors)
            self._indexes[user_id] = (key, index)
            while len(self._indexes) > INDEXES_KEPT:
                self._indexes.popitem(last=False)
            return index

    # ---- internals -------------------------------------------------------------------------
    @staticmethod
    def _visible(user_id: str | None) -> Any:
        if user_id is None:
            return BackdropAsset.user_id.is_(None)
        return or_(BackdropAsset.user_id.is_(None), BackdropAsset.user_id == user_id)

    def _classifier_arg(self) -> Any:
        return self._classifier  # None: describe uses the registry's

    def _blob_keys(self, user_id: str | None) -> set[str]:
        with self.db.session() as s:
            return set(s.scalars(select(BackdropAsset.blob_key).where(self._visible(user_id))))

    def _import_file(self, f: Path, user_id: str | None, known: set[str]) -> Asset:
        if f.suffix.lower() not in IMAGE_SUFFIXES:
            # the bytes decide, not the name; but a .txt or .pdf is not worth reading
            with f.open("rb") as fh:
                head = fh.read(16)
            from pixelsmith.core.images import sniff_format

            if sniff_format(head) is None:
                raise _Skip("not_an_image", "Not a JPEG, PNG or WebP image.")
        size = f.stat().st_size
        if size > self.limits["max_bytes"]:  # before reading it
            mb = self.limits["max_bytes"] / (1024 * 1024)
            raise _Skip("file_too_large", f"The file is larger than {mb:.0f} MB.")
        intake = read_image(f.read_bytes(), **self.limits)
        rgb = intake.to_rgb_array()
        key = _image_key(_fit(rgb))
        if key in known:
            raise _Skip("duplicate", "This image is already in the library.")
        return self.add_image(rgb, source="import", name=f.stem[:200], user_id=user_id)

    def _row(
        self,
        asset: Asset,
        rgb: np.ndarray,
        measured: dict[str, Any],
        *,
        labels: list[dict[str, Any]],
        user_id: str | None,
    ) -> BackdropAsset:
        img = Image.fromarray(rgb)
        data = encode_image(img, "jpeg", quality=JPEG_QUALITY)
        blob_key = self.storage.put(data, content_type="image/jpeg", suffix=".jpg")
        thumb = make_thumbnail(img, THUMB_SIDE)
        thumb_key = self.storage.put(thumb, content_type="image/jpeg", suffix=".jpg")
        asset.colours = [c["hex"] for c in measured["colours"]]
        asset.brightness = float(measured["brightness"])
        asset.texture = float(measured["texture"])
        vec, model = self._embed(asset)
        pod = asset.podium
        return BackdropAsset(
            id=asset.id,
            user_id=user_id,
            source=asset.source,
            kind=asset.kind,
            name=asset.name,
            description=asset.description,
            descriptions=asset.descriptions,
            colours=measured["colours"],
            brightness=asset.brightness,
            texture=asset.texture,
            floor_y=asset.floor_y,
            podium={"x": pod.x, "y": pod.y, "w": pod.w, "h": pod.h} if pod else None,
            tags=asset.tags,
            labels=labels,
            blob_key=blob_key,
            thumb_key=thumb_key,
            width=int(rgb.shape[1]),
            height=int(rgb.shape[0]),
            embedding=vec,
            embedding_model=model,
        )

    def _insert(self, row: BackdropAsset, *, strict: bool = False) -> bool:
        try:
            with self.db.session() as s:
                s.add(row)
        except IntegrityError:
            if strict:
                raise
            return False  # another thread or process stored it first
        return True


class _Skip(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _fit(rgb: np.ndarray) -> np.ndarray:
    """At most ASSET_SIDE on the longer side (never upscaled)."""
    if max(rgb.shape[:2]) <= ASSET_SIDE:
        return rgb
    return np.asarray(downscale_to(Image.fromarray(rgb), ASSET_SIDE))


def _image_key(rgb: np.ndarray) -> str:
    from pixelsmith.core.storage import content_key

    return content_key(encode_image(Image.fromarray(rgb), "jpeg", quality=JPEG_QUALITY), ".jpg")
