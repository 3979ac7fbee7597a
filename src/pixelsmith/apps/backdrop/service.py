"""Backdrop Studio service: the I/O edge of the slice (database, storage, jobs, the asset
library), shared by the routes and the CLI.

The pure part of a request (decode → cut-out → analysis → brief, or a brush mask → a new
matte) runs in the server's worker process through `core.cpu.run_isolated` (the functions at
the top of this module: module-level and picklable); storage and database writes stay here.
Every method takes the caller's `user_id` and only reads or writes that user's rows; someone
else's product or run is a 404, the same as one that does not exist.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import uuid
import weakref
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import numpy as np
from PIL import Image
from sqlalchemy import select

from pixelsmith.core.errors import ApiError, Conflict, ModelUnavailable, NotFound, PayloadTooLarge
from pixelsmith.core.images import downscale_to, encode_image, read_image, sniff_format
from pixelsmith.core.services import Services
from pixelsmith.core.web.i18n import translate

from .models import (
    BackdropProduct,
    BackdropRun,
    analysis_from_dict,
    brief_from_dict,
    lighting_from_dict,
)
from .starter import display_name
from .types import ASSET_SIDE, WORKING_MAX_SIDE

PNG_LEVEL = 1  # stored photos and cut-outs: lossless, a third of the encode time of level 6
MAX_RENDER_ASSETS = 12  # backgrounds per render request
MAX_SUGGESTIONS = 40
RENDER_SIZE = (1024, 1024)  # without a preset
# Batches: bounded so one request cannot hold the machine (docs/api.md, "Backdrop Studio").
MAX_BATCH_PHOTOS = 50  # product photos per batch
MAX_ZIP_ENTRIES = 500  # entries in an uploaded zip, folders and stray files included
MAX_ZIP_TOTAL = 200 * 1024 * 1024  # uncompressed bytes of the zip's members
MAX_ZIP_RATIO = 200  # a member that inflates more than this is a zip bomb
MAX_BATCH_K = 8  # backgrounds per product in a batch
DEFAULT_BATCH_K = 4
# Text the generated background's prompt wraps the brief's query in: a backdrop, no product.
GENERATE_PROMPT = (
    "empty product photography backdrop, {query}, studio lighting, no objects in the centre, "
    "high detail, professional photo"
)
GENERATE_NEGATIVE = "product, person, text, watermark, logo, clutter"


# ---- pure steps (run in the server's worker process) -------------------------------------------


@dataclass
class PreparedProduct:
    """What the worker hands back for an upload or a brush edit: the stored images as PNG and
    the matte, analysis and brief as dicts."""

    width: int
    height: int
    photo_png: bytes | None  # None for a brush edit: the photo is already stored
    rgba_png: bytes
    alpha_png: bytes
    matte: dict[str, Any]
    analysis: dict[str, Any]
    brief: dict[str, Any]
    elapsed_ms: float = 0.0


def _no_object(exc: Exception) -> ApiError:
    return ApiError(
        "Nothing in this photo stands out from its background, so there is no product to cut "
        "out. Use a photo with the product in the middle on a plainer background, or paint "
        "the product in with the brush.",
        code="no_object",
        status_code=422,
        details={"reason": str(exc)},
    )


def _finish_matte(rgb: np.ndarray, m: Any, photo_png: bytes | None, t0: float) -> PreparedProduct:
    from .analysis import analyze
    from .brief import make_brief

    analysis = analyze(m)
    brief = make_brief(analysis)
    rgba = Image.fromarray(m.rgba(), "RGBA")
    alpha = io.BytesIO()  # greyscale: encode_image would make it RGB
    Image.fromarray(np.ascontiguousarray(m.alpha), "L").save(alpha, "PNG", compress_level=PNG_LEVEL)
    return PreparedProduct(
        width=int(rgb.shape[1]),
        height=int(rgb.shape[0]),
        photo_png=photo_png,
        rgba_png=encode_image(rgba, "png", png_level=PNG_LEVEL),
        alpha_png=alpha.getvalue(),
        matte=m.to_dict(),
        analysis=analysis.to_dict(),
        brief=brief.to_dict(),
        elapsed_ms=(time.perf_counter() - t0) * 1000,
    )


def _working_photo(
    data: bytes, limits: tuple[int, int, int]
) -> tuple[np.ndarray, np.ndarray | None]:
    """The upload as the working RGB photo (≤ WORKING_MAX_SIDE) and, when it came with real
    transparency (a product already cut out), its alpha at the same size."""
    max_bytes, max_pixels, max_side = limits
    intake = read_image(data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side)
    image = downscale_to(intake.image, WORKING_MAX_SIDE)
    alpha = None
    if image.mode == "RGBA":
        a = np.asarray(image.getchannel("A"))
        if (a < 128).mean() > 0.01 and (a >= 128).any():
            alpha = np.where(a >= 128, 255, 0).astype(np.uint8)
    rgb = np.asarray(image.convert("RGB")) if image.mode != "RGBA" else intake_rgb(image)
    return np.ascontiguousarray(rgb), alpha


def intake_rgb(image: Image.Image) -> np.ndarray:
    """RGB of an RGBA picture with transparency flattened onto white (as the intake does)."""
    white = Image.new("RGB", image.size, (255, 255, 255))
    white.paste(image, mask=image.getchannel("A"))
    return np.asarray(white)


def prepare_product(data: bytes, limits: tuple[int, int, int]) -> PreparedProduct:
    """Decode an upload, cut the product out, analyse it and write its brief (pure)."""
    t0 = time.perf_counter()
    rgb, alpha = _working_photo(data, limits)
    del data
    from pixelsmith.core.cutout import NoObjectFound, matte, matte_from_mask

    try:
        m = matte_from_mask(rgb, alpha) if alpha is not None else matte(rgb)
    except NoObjectFound as exc:
        raise _no_object(exc) from None
    photo_png = encode_image(Image.fromarray(rgb, "RGB"), "png", png_level=PNG_LEVEL)
    return _finish_matte(rgb, m, photo_png, t0)


def read_mask(data: bytes, size: tuple[int, int], limits: tuple[int, int, int]) -> np.ndarray:
    """A brush mask upload → uint8 HxW (255 = product), checked against the photo's size."""
    max_bytes, max_pixels, max_side = limits
    intake = read_image(data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side)
    w, h = size
    if (intake.width, intake.height) != (w, h):
        raise ApiError(
            f"The mask is {intake.width}×{intake.height} pixels but the product's photo is "
            f"{w}×{h}; send a mask of the photo's size (GET …/mask gives the current one).",
            code="mask_size_mismatch",
            status_code=422,
            details={"mask": [intake.width, intake.height], "photo": [w, h]},
        )
    img = intake.image
    if img.mode == "RGBA":  # a transparent PNG: the alpha is the mask
        grey = np.asarray(img.getchannel("A"))
    else:
        grey = np.asarray(img.convert("L"))
    mask = np.where(grey >= 128, 255, 0).astype(np.uint8)
    if not mask.any():
        raise ApiError(
            "The mask is empty: no pixel is marked as the product. Paint the product in (white "
            "or opaque pixels), or reset the mask.",
            code="empty_mask",
            status_code=422,
            details={"photo": [w, h]},
        )
    return mask


def remask_product(
    photo_png: bytes, mask_png: bytes, size: tuple[int, int], limits: tuple[int, int, int]
) -> PreparedProduct:
    """The stored photo + a brush mask → a refined matte, analysis and brief (pure)."""
    t0 = time.perf_counter()
    mask = read_mask(mask_png, size, limits)
    from pixelsmith.core.cutout import NoObjectFound, matte_from_mask

    rgb = np.asarray(Image.open(io.BytesIO(photo_png), formats=["PNG"]).convert("RGB"))
    try:
        m = matte_from_mask(rgb, mask)
    except NoObjectFound as exc:
        raise _no_object(exc) from None
    return _finish_matte(rgb, m, None, t0)


def cutout_png(data: bytes, limits: tuple[int, int, int], crop: bool) -> bytes:
    """An upload → its product as an RGBA PNG whose alpha is the matte (pure)."""
    rgb, _ = _working_photo(data, limits)
    del data
    from pixelsmith.core.cutout import NoObjectFound, matte

    try:
        m = matte(rgb)
    except NoObjectFound as exc:
        raise _no_object(exc) from None
    rgba = m.rgba()
    if crop:
        x, y, w, h = m.box
        rgba = rgba[y : y + h, x : x + w]
    return encode_image(Image.fromarray(np.ascontiguousarray(rgba), "RGBA"), "png")


def decode_background(data: bytes, limits: tuple[int, int, int]) -> np.ndarray:
    """An uploaded background → RGB uint8 (pure; the library stores and describes it)."""
    max_bytes, max_pixels, max_side = limits
    intake = read_image(data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side)
    return np.ascontiguousarray(intake.to_rgb_array())


# ---- localisation --------------------------------------------------------------------------------


def localize_flags(flags: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Each matte flag with its message and what to do about it in `lang`."""
    out = []
    for f in flags:
        params = f.get("params") or {}
        key = f"apps.backdrop.flag.{f['code']}.text"
        message = translate(lang, key, **params)
        out.append(
            {
                **f,
                "message": f.get("message", "") if message == key else message,
                "next": translate(lang, f"apps.backdrop.flag.{f['code']}.next", **params),
            }
        )
    return out


def localize_product(d: dict[str, Any], lang: str) -> dict[str, Any]:
    d["matte"] = {**d["matte"], "flags": localize_flags(d["matte"].get("flags") or [], lang)}
    return d


def localize_compliance(c: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    if not c:
        return c
    checks = []
    for check in c.get("checks") or []:
        key = f"apps.backdrop.rule.{check['rule']}"
        text = translate(lang, key, measured=check["measured"], required=check["required"])
        checks.append({**check, "message": check["message"] if text == key else text})
    return {**c, "checks": checks}


# ---- batches: what was uploaded → the photos in it ----------------------------------------------


@dataclass
class BatchInputs:
    photos: list[tuple[str, bytes]] = field(default_factory=list)  # (name, bytes)
    skipped: list[dict[str, str]] = field(default_factory=list)  # {name, reason}


def batch_inputs(files: list[tuple[str, bytes]], max_bytes: int) -> BatchInputs:
    """Uploaded files (photos, or one .zip of photos) → the photos to process, with every
    file left out and why. Bounded: MAX_BATCH_PHOTOS photos, and for a zip MAX_ZIP_ENTRIES
    entries, MAX_ZIP_TOTAL bytes uncompressed, no member inflating past MAX_ZIP_RATIO."""
    if not files:
        raise ApiError(
            "The batch is empty: upload product photos, or one .zip of them.",
            code="batch_empty",
            status_code=422,
        )
    out = BatchInputs()
    for name, data in files:
        if data[:4] == b"PK\x03\x04" or name.lower().endswith(".zip"):
            _zip_members(name, data, max_bytes, out)
        elif sniff_format(data) is None:
            out.skipped.append({"name": name, "reason": "not a JPEG, PNG or WebP image"})
        else:
            out.photos.append((name, data))
        check_count(len(out.photos))
    if not out.photos:
        raise ApiError(
            "The batch holds no JPEG, PNG or WebP photo. Upload product photos, or a .zip of them.",
            code="batch_no_images",
            status_code=422,
            details={"skipped": out.skipped[:50]},
        )
    return out


def check_count(n: int) -> None:
    if n > MAX_BATCH_PHOTOS:
        raise PayloadTooLarge(
            f"A batch takes at most {MAX_BATCH_PHOTOS} photos; split it into several batches.",
            code="batch_too_many_files",
            details={"max_photos": MAX_BATCH_PHOTOS},
        )


def _zip_members(name: str, data: bytes, max_bytes: int, out: BatchInputs) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ApiError(
            f"{name} is not a readable .zip archive.", code="bad_zip", status_code=422
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise PayloadTooLarge(
                f"{name} holds {len(infos)} entries; a batch zip may hold at most "
                f"{MAX_ZIP_ENTRIES} (and {MAX_BATCH_PHOTOS} photos). Split it.",
                code="batch_too_many_files",
                details={"entries": len(infos), "max_entries": MAX_ZIP_ENTRIES},
            )
        files = [i for i in infos if not i.is_dir()]
        total = sum(i.file_size for i in files)
        if total > MAX_ZIP_TOTAL:
            raise PayloadTooLarge(
                f"{name} unpacks to {total // (1 << 20)} MB; the limit is "
                f"{MAX_ZIP_TOTAL // (1 << 20)} MB. Split it.",
                code="batch_too_large",
                details={"uncompressed": total, "max_uncompressed": MAX_ZIP_TOTAL},
            )
        for info in files:
            member = info.filename
            base = PurePosixPath(member.replace("\\", "/")).name
            if base.startswith(".") or "__MACOSX" in member:
                continue  # macOS resource forks and hidden files: not the user's photos
            if info.flag_bits & 0x1:
                out.skipped.append({"name": member, "reason": "encrypted"})
                continue
            if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
                raise ApiError(
                    f"{member} in {name} inflates {info.file_size // info.compress_size}× "
                    "(a zip bomb?); the batch is refused.",
                    code="zip_bomb",
                    status_code=422,
                    details={"member": member, "max_ratio": MAX_ZIP_RATIO},
                )
            if info.file_size > max_bytes:
                out.skipped.append({"name": member, "reason": "larger than the upload limit"})
                continue
            try:
                with archive.open(info) as f:
                    body = f.read(max_bytes + 1)  # a lying header cannot make it read more
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
                out.skipped.append({"name": member, "reason": f"unreadable: {exc}"})
                continue
            if len(body) > max_bytes:
                out.skipped.append({"name": member, "reason": "larger than the upload limit"})
            elif sniff_format(body) is None:
                out.skipped.append({"name": member, "reason": "not a JPEG, PNG or WebP image"})
            else:
                out.photos.append((member, body))
                check_count(len(out.photos))


# ---- the service ---------------------------------------------------------------------------------

# One library per database (its index cache lives in it); its starter set is painted on first use
# in a background thread (42 backgrounds at 2048²: about 13 s on one core), and `ready` is set
# when it is done.
log = logging.getLogger(__name__)
_libraries: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_starter_ready: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_libraries_lock = threading.Lock()


def _paint_starter(lib: Any, ready: threading.Event) -> None:
    try:
        lib.ensure_starter()
    except Exception:  # the library still serves what it has; the next start tries again
        log.exception("painting the starter backgrounds failed")
    finally:
        ready.set()


class BackdropService:
    # The starter set's size; tests make it smaller (the library's own tests use 256²).
    asset_side: int = ASSET_SIDE
    # How long a request waits for the starter set on first use. After that it answers with
    # the backgrounds painted so far (they are added one by one) instead of holding the
    # caller for the whole set; None waits until all are there (tests).
    starter_wait_s: float | None = 5.0

    def __init__(self, services: Services) -> None:
        self.services = services
        self.db = services.db
        self.storage = services.storage
        self.jobs = services.jobs

    # ---- the asset library ---------------------------------------------------------------------
    @property
    def library(self):  # noqa: ANN201
        """The asset library of this database; its starter set is in place, or being painted
        when this first call has waited starter_wait_s for it."""
        lib = _libraries.get(self.db)
        if lib is None:
            with _libraries_lock:
                lib = _libraries.get(self.db)
                if lib is None:
                    lib = self.open_library()
                    ready = threading.Event()
                    _starter_ready[self.db] = ready
                    _libraries[self.db] = lib
                    threading.Thread(
                        target=_paint_starter,
                        args=(lib, ready),
                        name="backdrop-starter",
                        daemon=True,
                    ).start()
        ready = _starter_ready.get(self.db)
        if ready is not None and not ready.is_set():
            ready.wait(self.starter_wait_s)
        return lib

    def open_library(self, progress: Any = None):  # noqa: ANN201
        """The library (starter set made when `progress` is given: the CLI's bar)."""
        from .library import AssetLibrary

        lib = AssetLibrary(self.db, self.storage, side=self.asset_side)
        if progress is not None:
            lib.ensure_starter(progress=progress)
            with _libraries_lock:
                _libraries[self.db] = lib
        return lib

    # ---- products -----------------------------------------------------------------------------
    def create_product(self, user_id: str, prepared: PreparedProduct, name: str = "") -> dict:
        assert prepared.photo_png is not None
        photo_key = self.storage.put(prepared.photo_png, content_type="image/png", suffix=".png")
        rgba_key = self.storage.put(prepared.rgba_png, content_type="image/png", suffix=".png")
        alpha_key = self.storage.put(prepared.alpha_png, content_type="image/png", suffix=".png")
        row = BackdropProduct(
            id=uuid.uuid4().hex,
            user_id=user_id,
            name=(name or "")[:200],
            photo_key=photo_key,
            rgba_key=rgba_key,
            alpha_key=alpha_key,
            width=prepared.width,
            height=prepared.height,
            matte=prepared.matte,
            analysis=prepared.analysis,
            brief=prepared.brief,
            mask_edited=0,
            elapsed_ms=prepared.elapsed_ms,
        )
        with self.db.session() as s:
            s.add(row)
            s.flush()
            return row.to_dict()

    def list_products(self, user_id: str, limit: int = 50) -> list[dict]:
        with self.db.session() as s:
            rows = s.scalars(
                select(BackdropProduct)
                .where(BackdropProduct.user_id == user_id)
                .order_by(BackdropProduct.created_at.desc())
                .limit(limit)
            )
            return [r.to_dict() for r in rows]

    def get_product(self, user_id: str, product_id: str) -> dict:
        with self.db.session() as s:
            return self._product(s, user_id, product_id).to_dict()

    def product_blob(self, user_id: str, product_id: str, which: str) -> bytes:
        """ "photo", "cutout" (RGBA) or "mask" (the alpha)."""
        with self.db.session() as s:
            row = self._product(s, user_id, product_id)
            key = {"photo": row.photo_key, "cutout": row.rgba_key, "mask": row.alpha_key}[which]
        return self.storage.get(key)

    def mask_inputs(self, user_id: str, product_id: str) -> tuple[bytes, tuple[int, int]]:
        """The stored photo and its size, for a brush edit in the worker."""
        with self.db.session() as s:
            row = self._product(s, user_id, product_id)
            key, size = row.photo_key, (row.width, row.height)
        return self.storage.get(key), size

    def update_mask(self, user_id: str, product_id: str, prepared: PreparedProduct) -> dict:
        rgba_key = self.storage.put(prepared.rgba_png, content_type="image/png", suffix=".png")
        alpha_key = self.storage.put(prepared.alpha_png, content_type="image/png", suffix=".png")
        with self.db.session() as s:
            row = self._product(s, user_id, product_id)
            old = {row.rgba_key, row.alpha_key} - {rgba_key, alpha_key}
            row.rgba_key, row.alpha_key = rgba_key, alpha_key
            row.matte, row.analysis, row.brief = prepared.matte, prepared.analysis, prepared.brief
            row.mask_edited = (row.mask_edited or 0) + 1
            row.elapsed_ms = prepared.elapsed_ms
            s.flush()
            out = row.to_dict()
        for key in old:
            if not self._blob_in_use(key):
                self.storage.delete(key)
        return out

    def delete_product(self, user_id: str, product_id: str) -> None:
        """The product, its runs, their jobs and every blob they stored."""
        with self.db.session() as s:
            row = self._product(s, user_id, product_id)
            runs = list(s.scalars(select(BackdropRun).where(BackdropRun.product_id == row.id)))
            keys = set(row.keys())
            job_ids = []
            for run in runs:
                keys.update(run.input_keys or [])
                job_ids.append(run.job_id)
                s.delete(run)
            s.flush()  # the runs first: the product's delete would cascade to them in the DB
            s.delete(row)
        for job_id in job_ids:
            keys.update(self.jobs.delete(job_id))
        self._delete_blobs(keys)

    # ---- suggestions, assets, presets ---------------------------------------------------------
    def suggestions(
        self,
        user_id: str,
        product_id: str,
        *,
        k: int = 8,
        kinds: list[str] | None = None,
        lang: str = "en",
    ) -> list[dict]:
        with self.db.session() as s:
            row = self._product(s, user_id, product_id)
            analysis, brief = analysis_from_dict(row.analysis), brief_from_dict(row.brief)
        index = self.library.index(user_id=user_id)  # shared assets and the caller's own
        found = index.search(brief, analysis, k=k, kinds=kinds or None)
        return [self._suggestion_dict(sug, lang) for sug in found]

    def _suggestion_dict(self, sug: Any, lang: str) -> dict:
        d = sug.to_dict(lang)
        d["asset"] = self._asset_out(d["asset"], lang)
        return d

    @staticmethod
    def _asset_out(d: dict, lang: str) -> dict:
        """An asset's dict as the API answers it: its name in `lang` and its image URLs."""
        d["name_text"] = display_name(d["id"], d["name"], lang)
        d["thumb_url"] = f"/api/v1/backdrop/assets/{d['id']}/thumbnail"
        d["image_url"] = f"/api/v1/backdrop/assets/{d['id']}/image"
        return d

    def assets(
        self, user_id: str, *, kind: str | None = None, source: str | None = None, lang: str = "en"
    ) -> list[dict]:
        found = self.library.list(kind=kind, source=source, user_id=user_id)
        return [self._asset_out(a.to_dict(lang), lang) for a in found]

    def asset(self, user_id: str, asset_id: str, lang: str = "en") -> dict:
        return self._asset_out(self._get_asset(user_id, asset_id).to_dict(lang), lang)

    def _get_asset(self, user_id: str, asset_id: str) -> Any:
        try:
            return self.library.get(asset_id, user_id=user_id)
        except KeyError:
            raise NotFound(
                f"No background {asset_id}.", code="unknown_asset", details={"asset_id": asset_id}
            ) from None

    def asset_blob(self, user_id: str, asset_id: str, *, thumbnail: bool) -> bytes:
        a = self._get_asset(user_id, asset_id)
        key = a.thumb_key if thumbnail and a.thumb_key else a.blob_key
        return self.storage.get(key)

    def add_asset(
        self, user_id: str, rgb: np.ndarray, *, name: str | None = None, lang: str = "en"
    ) -> dict:
        asset = self.library.add_image(rgb, source="import", name=name, user_id=user_id)
        return self._asset_out(asset.to_dict(lang), lang)

    def delete_asset(self, user_id: str, asset_id: str) -> None:
        a = self._get_asset(user_id, asset_id)
        if a.source == "starter":
            raise ApiError(
                "Starter backgrounds belong to everyone and cannot be deleted.",
                code="asset_read_only",
                status_code=403,
                details={"asset_id": asset_id},
            )
        try:
            self.library.delete(asset_id, user_id=user_id)
        except KeyError:
            raise NotFound(f"No background {asset_id}.", details={"asset_id": asset_id}) from None

    @staticmethod
    def presets() -> list[dict]:
        from .presets import PRESETS

        return [p.to_dict() for p in PRESETS.values()]

    @staticmethod
    def preset(preset_id: str | None) -> Any:
        if preset_id is None:
            return None
        from .presets import PRESETS

        if preset_id not in PRESETS:
            raise ApiError(
                f"Unknown preset {preset_id!r}; GET /api/v1/backdrop/presets lists them.",
                code="unknown_preset",
                status_code=422,
                details={"preset": preset_id, "known": sorted(PRESETS)},
            )
        return PRESETS[preset_id]

    def _assets_by_id(self, user_id: str, asset_ids: list[str]) -> list[Any]:
        ids = list(dict.fromkeys(asset_ids))
        if not 1 <= len(ids) <= MAX_RENDER_ASSETS:
            raise ApiError(
                f"Pick between 1 and {MAX_RENDER_ASSETS} backgrounds (got {len(ids)}).",
                code="invalid_params",
                status_code=422,
                details={"asset_ids": asset_ids[:50]},
            )
        found, unknown = [], []
        for i in ids:
            try:
                found.append(self.library.get(i, user_id=user_id))
            except KeyError:
                unknown.append(i)
        if unknown:
            raise ApiError(
                f"Unknown background{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
                "Pick backgrounds from the suggestions or GET /api/v1/backdrop/assets.",
                code="unknown_asset",
                status_code=422,
                details={"unknown": unknown},
            )
        return found

    # ---- renders -----------------------------------------------------------------------------
    def submit_render(
        self,
        user_id: str,
        product_id: str,
        asset_ids: list[str],
        *,
        preset: str | None = None,
        lighting: dict[str, Any] | None = None,
        autofix: bool = True,
    ) -> dict:
        """Check the request, then submit `backdrop.render`: {run, job}."""
        p = self.preset(preset)
        with self.db.session() as s:
            row = self._product(s, user_id, product_id)
            product = {
                "id": row.id,
                "name": row.name,
                "rgba_key": row.rgba_key,
                "matte": row.matte,
            }
            brief_lighting = (row.brief or {}).get("lighting")
        assets = self._assets_by_id(user_id, asset_ids)
        light = lighting_from_dict(lighting or brief_lighting).to_dict()
        params = {
            "product": product,
            "assets": [a.to_dict() for a in assets],
            "lighting": light,
            "preset": p.id if p else None,
            "autofix": autofix,
        }
        request = {
            "asset_ids": [a.id for a in assets],
            "preset": params["preset"],
            "lighting": light,
            "autofix": autofix,
        }
        return self._submit(user_id, "render", "backdrop.render", params, request, product_id)

    def _submit(
        self,
        user_id: str,
        kind: str,
        job_kind: str,
        params: dict,
        request: dict,
        product_id: str | None = None,
        input_keys: list[str] | None = None,
    ) -> dict:
        try:
            job = self.jobs.submit(job_kind, params, owner_id=user_id)
        except Exception:  # 422 / 429: what was stored for the job goes again
            self._delete_blobs(set(input_keys or []))
            raise
        run = BackdropRun(
            id=uuid.uuid4().hex,
            user_id=user_id,
            kind=kind,
            product_id=product_id,
            job_id=job["id"],
            request=request,
            input_keys=input_keys or [],
        )
        with self.db.session() as s:
            s.add(run)
            s.flush()
            return {"run": self._run_dict(run, job), "job": job}

    def get_run(self, user_id: str, run_id: str, lang: str = "en") -> dict:
        with self.db.session() as s:
            run = self._run(s, user_id, run_id)
            job = self._job(run)
            if run.kind == "generate" and job and job["status"] == "succeeded" and not run.outcome:
                run.outcome = self._store_generated(run, job)
            s.flush()
            return self._run_dict(run, job, lang)

    def list_runs(self, user_id: str, *, kind: str | None = None, limit: int = 50) -> list[dict]:
        with self.db.session() as s:
            q = select(BackdropRun).where(BackdropRun.user_id == user_id)
            if kind:
                q = q.where(BackdropRun.kind == kind)
            rows = list(s.scalars(q.order_by(BackdropRun.created_at.desc()).limit(limit)))
            return [self._run_dict(r, self._job(r)) for r in rows]

    def run_file(self, user_id: str, run_id: str, name: str) -> tuple[bytes, str]:
        """One artifact of a finished run by name (render-01.jpg, renders.zip, …)."""
        with self.db.session() as s:
            run = self._run(s, user_id, run_id)
            job = self._job(run)
        if job is None or job["status"] != "succeeded":
            raise Conflict(
                "This run is not finished yet. Wait for its job, then try again.",
                code="not_finished",
                details={"run_id": run_id, "status": job["status"] if job else "lost"},
            )
        for a in job["artifacts"]:
            if a["name"] == name:
                return self.storage.get(a["key"]), a["content_type"]
        raise NotFound(
            f"Run {run_id} has no file {name!r}.", details={"run_id": run_id, "name": name}
        )

    def delete_run(self, user_id: str, run_id: str) -> None:
        with self.db.session() as s:
            run = self._run(s, user_id, run_id)
            keys, job_id = set(run.input_keys or []), run.job_id
            s.delete(run)
        keys.update(self.jobs.delete(job_id))
        self._delete_blobs(keys)

    def _job(self, run: BackdropRun) -> dict | None:
        try:
            return self.jobs.get(run.job_id)
        except NotFound:
            return None

    def _run_dict(self, run: BackdropRun, job: dict | None, lang: str = "en") -> dict:
        base = f"/api/v1/backdrop/runs/{run.id}"
        out: dict[str, Any] = {
            "id": run.id,
            "kind": run.kind,
            "product_id": run.product_id,
            "job_id": run.job_id,
            "created_at": _iso(run.created_at),
            "request": run.request,
            "status": job["status"] if job else "failed",
            "progress": job["progress"] if job else None,
            "error": (job.get("error") if job else {"code": "job_lost"}),
            "renders": None,
            "zip_url": None,
            "outcome": run.outcome,
        }
        result = (job or {}).get("result") if job and job["status"] == "succeeded" else None
        if result:
            if run.kind == "render":
                out["renders"] = [
                    {
                        **r,
                        "url": f"{base}/files/{r['file']}",
                        "compliance": localize_compliance(r.get("compliance"), lang),
                    }
                    for r in result.get("renders", [])
                ]
                out["zip_url"] = f"{base}/files/renders.zip"
            elif run.kind == "batch":
                out["products"] = result.get("products")
                out["skipped"] = result.get("skipped")
                out["zip_url"] = f"{base}/files/renders.zip"
                out["contact_sheet_url"] = f"{base}/files/contact-sheet.jpg"
        return out

    # ---- batches ------------------------------------------------------------------------------
    def submit_batch(
        self,
        user_id: str,
        inputs: BatchInputs,
        *,
        k: int = DEFAULT_BATCH_K,
        preset: str | None = None,
        lighting: dict[str, Any] | None = None,
    ) -> dict:
        """Store the photos and the library's assets for the job, then submit `backdrop.batch`."""
        p = self.preset(preset)
        if not 1 <= k <= MAX_BATCH_K:
            raise ApiError(
                f"k is the number of backgrounds per product: 1 to {MAX_BATCH_K}, not {k}.",
                code="invalid_params",
                status_code=422,
                details={"k": k, "max": MAX_BATCH_K},
            )
        assets = [a.to_dict() for a in self.library.list(user_id=user_id)]
        assets_json = json.dumps(assets, ensure_ascii=False, sort_keys=True).encode()
        assets_key = self.storage.put(assets_json, content_type="application/json", suffix=".json")
        photos = []
        for name, data in inputs.photos:
            fmt = sniff_format(data) or "bin"
            key = self.storage.put(data, content_type=f"image/{fmt}", suffix=f".{fmt}")
            photos.append({"key": key, "name": name[-200:]})
        params = {
            "photos": photos,
            "assets_key": assets_key,
            "k": k,
            "preset": p.id if p else None,
            "lighting": lighting_from_dict(lighting).to_dict() if lighting else None,
            "skipped": inputs.skipped[:200],
        }
        request = {
            "photos": len(photos),
            "k": k,
            "preset": params["preset"],
            "skipped": len(inputs.skipped),
        }
        keys = [assets_key, *(ph["key"] for ph in photos)]
        return self._submit(user_id, "batch", "backdrop.batch", params, request, None, keys)

    # ---- generated backgrounds (GPU) ----------------------------------------------------------
    def submit_generate(
        self,
        user_id: str,
        product_id: str,
        *,
        seed: int | None = None,
        steps: int = 4,
        size: tuple[int, int] = (1024, 1024),
    ) -> dict:
        from pixelsmith.core.generation.routes import configured_model

        from .jobs import generate_unavailable

        with self.db.session() as s:
            row = self._product(s, user_id, product_id)
            brief = dict(row.brief)
        why = generate_unavailable(self.services.settings)
        if why:
            raise ModelUnavailable(
                f"No text-to-image model is installed, so a background cannot be generated: "
                f"{why}. Install one with `pixelsmith models install "
                f"{self.services.settings.gen_txt2img_model}` (a GPU is needed), or pick a "
                "background from the library.",
                details={"reason": why, "model": self.services.settings.gen_txt2img_model},
            )
        model = configured_model(self.services, "txt2img", None)
        query = (brief.get("query") or "clean studio backdrop")[:400]
        params = {
            "prompt": GENERATE_PROMPT.format(query=query),
            "negative_prompt": GENERATE_NEGATIVE,
            "width": size[0],
            "height": size[1],
            "steps": steps,
            "seed": seed,
            "name": f"Generated: {query}"[:120],
            "description": query,
        }
        request = {"query": query, "seed": seed, "model": model}
        return self._submit(
            user_id, "generate", "backdrop.generate_background", params, request, product_id
        )

    def _store_generated(self, run: BackdropRun, job: dict) -> dict:
        """A succeeded generation's image → the library (source "generated", the user's)."""
        art = next((a for a in job["artifacts"] if a["name"].startswith("image.")), None)
        if art is None:
            return {"error": "no image"}
        rgb = np.asarray(Image.open(io.BytesIO(self.storage.get(art["key"]))).convert("RGB"))
        asset = self.library.add_image(
            rgb,
            source="generated",
            name=job["params"].get("name"),
            description=job["params"].get("description"),
            user_id=run.user_id,
        )
        return {"asset_id": asset.id}

    # ---- rows ---------------------------------------------------------------------------------
    def _blob_in_use(self, key: str) -> bool:
        """Content-addressed blobs are shared by equal content: another product with the same
        photo keeps it."""
        with self.db.session() as s:
            for col in (
                BackdropProduct.photo_key,
                BackdropProduct.rgba_key,
                BackdropProduct.alpha_key,
            ):
                if s.scalar(select(BackdropProduct.id).where(col == key).limit(1)) is not None:
                    return True
        return False

    def _delete_blobs(self, keys: set[str]) -> None:
        for key in keys:
            if key and not self._blob_in_use(key):
                self.storage.delete(key)

    @staticmethod
    def _product(s, user_id: str, product_id: str) -> BackdropProduct:  # noqa: ANN001
        row = s.get(BackdropProduct, product_id)
        if row is None or row.user_id != user_id:
            raise NotFound(f"No product {product_id}.", details={"product_id": product_id})
        return row

    @staticmethod
    def _run(s, user_id: str, run_id: str) -> BackdropRun:  # noqa: ANN001
        row = s.get(BackdropRun, run_id)
        if row is None or row.user_id != user_id:
            raise NotFound(f"No run {run_id}.", details={"run_id": run_id})
        return row


def _iso(value: Any) -> str | None:
    from .models import _iso as iso

    return iso(value)
