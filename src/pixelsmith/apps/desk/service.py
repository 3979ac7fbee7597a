"""Desk Makeover service: the I/O edge of the slice (database, storage, jobs), shared by the
routes and the CLI.

Every method takes the caller's `user_id` and only reads or writes that user's rows; a photo or
render of someone else is a 404, the same as one that does not exist. The pure steps (gate,
analysis, recommendations, render) live in their own modules and never touch I/O.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from pixelsmith.core.catalog.lookup import shop_link
from pixelsmith.core.catalog.models import format_price
from pixelsmith.core.errors import ApiError, Conflict, ModelUnavailable, NotFound
from pixelsmith.core.images import downscale_to, encode_image, read_image
from pixelsmith.core.services import Services
from pixelsmith.core.web.i18n import translate

from .models import DeskPhoto, DeskRender
from .types import PNG_LEVEL, WORKING_MAX_SIDE, DeskAnalysis, GateResult

MAX_ITEMS = 6
FIT_CHECKED = 20  # recommendations checked for a spot on the photo's desk (~10 ms each)
ENGINES = ("auto", "cpu", "gpu")


@dataclass
class PreparedPhoto:
    """What the worker hands back for an upload: the gate's answer and, when it passed, the
    working photo (PNG: lossless, so a render's untouched pixels are exactly these) and its
    analysis."""

    gate: GateResult
    png: bytes | None = None
    width: int = 0
    height: int = 0
    analysis: DeskAnalysis | None = None


def gate_upload(data: bytes, lang: str, limits: tuple[int, int, int]) -> GateResult:
    """The gate's answer for an upload's bytes (pure; runs in a worker)."""
    from .gate import gate_bytes

    max_bytes, max_pixels, max_side = limits
    return gate_bytes(data, lang, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side)


def prepare_photo(data: bytes, lang: str, limits: tuple[int, int, int]) -> PreparedPhoto:
    """Gate an upload and, if it passes, make its working photo and analyse it (pure; runs in
    the server's worker process, where the gate's and the analysis' models stay loaded: about
    a second, so it answers inline rather than as a job)."""
    import numpy as np

    from .analysis import analyze

    max_bytes, max_pixels, max_side = limits
    result = gate_upload(data, lang, limits)
    if not result.accepted:
        return PreparedPhoto(result)
    intake = read_image(data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side)
    del data
    image = downscale_to(intake.image.convert("RGB"), WORKING_MAX_SIDE)
    del intake
    analysis = analyze(np.asarray(image))
    png = encode_image(image, "png", png_level=PNG_LEVEL)
    return PreparedPhoto(result, png, image.width, image.height, analysis)


def localize_photo(photo: dict[str, Any], lang: str) -> dict[str, Any]:
    """A photo dict with its style evidence in `lang` (stored in English with message keys)."""
    from .style import evidence_text

    analysis = photo.get("analysis")
    if analysis and lang != "en":
        for style in [*analysis.get("styles", []), analysis.get("style")]:
            if style and style.get("evidence_keys"):
                style["evidence"] = [evidence_text(e, lang) for e in style["evidence_keys"]]
    return photo


def localize_render(render: dict[str, Any], lang: str) -> dict[str, Any]:
    """A render dict with each refused item's reason in `lang`."""
    for item in render.get("items") or []:
        if item.get("reason_key"):
            item["reason"] = translate(lang, item["reason_key"], **item.get("reason_params", {}))
    return render


def gate_refusal(result: GateResult) -> ApiError:
    first = result.reasons[0]
    return ApiError(
        first.message,
        code=first.code,
        status_code=422,
        details={"gate": result.to_dict()},
    )


class DeskService:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.db = services.db
        self.storage = services.storage
        self.jobs = services.jobs
        self.catalog = services.catalog

    # ---- photos --------------------------------------------------------------------------------
    def create_photo(self, user_id: str, prepared: PreparedPhoto) -> dict[str, Any]:
        """Store an accepted, analysed photo; {photo, job: None}."""
        if not prepared.gate.accepted or prepared.png is None or prepared.analysis is None:
            raise gate_refusal(prepared.gate)
        key = self.storage.put(prepared.png, content_type="image/png", suffix=".png")
        row = DeskPhoto(
            id=uuid.uuid4().hex,
            user_id=user_id,
            photo_key=key,
            width=prepared.width,
            height=prepared.height,
            gate=prepared.gate.to_dict(),
            analysis=prepared.analysis.to_dict(),
            analysis_ms=prepared.analysis.elapsed_ms,
        )
        with self.db.session() as s:
            s.add(row)
            s.flush()
            out = row.to_dict()
        return {"photo": out, "job": None}

    def list_photos(self, user_id: str, limit: int = 50) -> list[dict[str, Any]]:
        with self.db.session() as s:
            rows = s.scalars(
                select(DeskPhoto)
                .where(DeskPhoto.user_id == user_id)
                .order_by(DeskPhoto.created_at.desc())
                .limit(limit)
            )
            return [r.to_dict() for r in rows]

    def get_photo(self, user_id: str, photo_id: str) -> dict[str, Any]:
        with self.db.session() as s:
            return self._photo(s, user_id, photo_id).to_dict()

    def photo_image(self, user_id: str, photo_id: str) -> bytes:
        with self.db.session() as s:
            key = self._photo(s, user_id, photo_id).photo_key
        return self.storage.get(key)

    def analysis(self, user_id: str, photo_id: str) -> tuple[DeskPhoto, DeskAnalysis]:
        """The photo's row and analysis; 409 `not_analyzed` while its job has not succeeded."""
        with self.db.session() as s:
            row = self._photo(s, user_id, photo_id)
            out = row.to_dict()
            s.expunge(row)
        if out["analysis"] is None:
            raise Conflict(
                "This photo has not been analysed. Upload it again to analyse it.",
                code="not_analyzed",
                details={"photo_id": photo_id},
            )
        return row, DeskAnalysis.from_dict(out["analysis"])

    # ---- catalog and recommendations -----------------------------------------------------------
    def products(self, category: str | None = None) -> list[dict[str, Any]]:
        cats = [category] if category else None
        return [product_card(p) for p in self.catalog.desk_products(cats)]

    def recommendations(
        self, user_id: str, photo_id: str, lang: str = "en", limit: int = 8
    ) -> list[dict[str, Any]]:
        from .recommend import recommend
        from .render import fits

        _, analysis = self.analysis(user_id, photo_id)
        products = self.catalog.desk_products()
        provider = self.services.shopping
        # Rank every item, then check the best few fit this photo's free desk at its scale:
        # what fits comes first (within missing categories, then upgrades), so a render places
        # what it was asked to. Each card says whether it fits.
        recs = recommend(analysis, products, lang=lang, limit=FIT_CHECKED, provider=provider)
        fit = fits(
            analysis,
            [(r.category, r.width_cm or 1.0, r.height_cm or r.width_cm or 1.0) for r in recs],
        )
        ranked = sorted(zip(recs, fit, strict=True), key=lambda rf: (rf[0].upgrade, not rf[1]))
        by_id = {p["id"]: p for p in products}
        return [
            {
                **product_card(by_id[r.product_id]),
                "shop_url": r.shop_url,  # the provider's link (Naver) when it has one
                "shop_source": r.shop_source,
                "reason": r.reason,
                "upgrade": r.upgrade,
                "fits": ok,
                "score": r.score,
                "style": r.style,
            }
            for r, ok in ranked[:limit]
        ]

    # ---- renders -------------------------------------------------------------------------------
    def submit_render(
        self,
        user_id: str,
        photo_id: str,
        product_ids: list[int],
        *,
        style: str | None = None,
        engine: str = "auto",
        gpu_style: str | None = None,
        lora: str | None = None,
        lora_scale: float = 1.0,
        seed: int = 0,
    ) -> dict[str, Any]:
        """Check the request, then submit `desk.render` (CPU) or `desk.render_gpu`."""
        from .inpaint import inpaint_unavailable
        from .restyle import gpu_unavailable

        row, analysis = self.analysis(user_id, photo_id)
        ids = list(dict.fromkeys(product_ids))
        if not 1 <= len(ids) <= MAX_ITEMS:
            raise ApiError(
                f"Pick between 1 and {MAX_ITEMS} items to place (got {len(ids)}).",
                code="invalid_params",
                status_code=422,
                details={"product_ids": product_ids},
            )
        by_id = {p["id"]: p for p in self.catalog.desk_products()}
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise ApiError(
                f"Unknown desk item{'s' if len(unknown) > 1 else ''}: "
                f"{', '.join(map(str, unknown))}. Pick items from the recommendations or from "
                "GET /api/v1/desk/products.",
                code="unknown_item",
                status_code=422,
                details={"unknown": unknown},
            )
        why_not_gpu = inpaint_unavailable()
        if engine == "gpu" and why_not_gpu:
            raise ModelUnavailable(
                f"No inpainting model is installed, so the GPU render cannot run: {why_not_gpu}. "
                "Use engine 'cpu' (or 'auto') for the composite render.",
                details={"reason": why_not_gpu},
            )
        if gpu_style:
            from pixelsmith.core.generation import state, store
            from pixelsmith.core.generation.styles import get_style

            get_style(gpu_style)  # 422 unknown_style
            if lora:
                store.lora_path(state.current_settings(), lora)  # 422 for a bad name
            why_not_restyle = gpu_unavailable()
            if why_not_restyle:
                raise ModelUnavailable(
                    "No img2img model is installed, so the style cannot be painted on the GPU: "
                    f"{why_not_restyle}. Pick a filter style instead (style), which runs on "
                    "the CPU.",
                    details={"reason": why_not_restyle},
                )
        inpaints = engine == "gpu" or (engine == "auto" and not why_not_gpu)
        path = "gpu" if inpaints or gpu_style else "cpu"
        params = {
            "photo_id": row.id,
            "photo_key": row.photo_key,
            "analysis": analysis.to_dict(),
            "items": [
                {
                    "product_id": i,
                    "label": by_id[i]["category"],
                    "cutout_key": by_id[i]["cutout_key"],
                    "width_cm": by_id[i]["width_cm"],
                    "height_cm": by_id[i]["height_cm"] or by_id[i]["width_cm"],
                    "prompt": by_id[i].get("item_prompt") or "",
                }
                for i in ids
            ],
            "style": style,
            "inpaint": inpaints,
            "gpu_style": gpu_style,
            "lora": lora,
            "lora_scale": lora_scale,
            "seed": seed,
        }
        kind = "desk.render_gpu" if path == "gpu" else "desk.render"
        job = self.jobs.submit(kind, params, owner_id=user_id)
        render = DeskRender(
            id=uuid.uuid4().hex,
            photo_id=row.id,
            user_id=user_id,
            job_id=job["id"],
            path=path,
            style=style,
            product_ids=ids,
        )
        with self.db.session() as s:
            s.add(render)
            s.flush()
            out = self._render_dict(render)
        return {"render": out, "job": job}

    def get_render(self, user_id: str, render_id: str) -> dict[str, Any]:
        with self.db.session() as s:
            row = self._render(s, user_id, render_id)
            if row.render_key is None:
                self._finish_render(row)
            return self._render_dict(row)

    def render_image(self, user_id: str, render_id: str) -> bytes:
        with self.db.session() as s:
            row = self._render(s, user_id, render_id)
            if row.render_key is None:
                self._finish_render(row)
            key = row.render_key
        if key is None:
            raise Conflict(
                "This render is not finished yet. Wait for its job, then try again.",
                code="not_rendered",
                details={"render_id": render_id},
            )
        return self.storage.get(key)

    def render_mask(self, user_id: str, render_id: str, n: int) -> bytes:
        with self.db.session() as s:
            row = self._render(s, user_id, render_id)
            if row.render_key is None:
                self._finish_render(row)
            item = next((i for i in row.items or [] if i.get("n") == n), None)
        if item is None or not item.get("mask_key"):
            raise NotFound(
                f"Render {render_id} has no placed item {n}.",
                details={"render_id": render_id, "n": n},
            )
        return self.storage.get(item["mask_key"])

    def _finish_render(self, row: DeskRender) -> None:
        """Copy a succeeded job's result (render key, placements) onto its row, with each
        item's product card."""
        try:
            job = self.jobs.get(row.job_id)
        except NotFound:
            return
        if job["status"] != "succeeded":
            return
        result = job["result"]
        cards = {p["id"]: p for p in self.catalog.desk_products()}
        items = []
        for item in result["items"]:
            product = cards.get(int(item["product_id"]))
            card = {}
            if product:  # the same shop link the recommendations gave (Naver when configured)
                link = shop_link(product, self.services.shopping)
                card = {
                    **product_card(product),
                    "shop_url": link.url or product_card(product)["shop_url"],
                }
            items.append({**item, **card, "product_id": int(item["product_id"])})
        row.render_key = result["render_key"]
        row.items = items
        row.blob_keys = [a["key"] for a in job["artifacts"]]

    def _render_dict(self, row: DeskRender) -> dict[str, Any]:
        out = row.to_dict()
        out["engine"] = row.path
        out["before_url"] = f"/api/v1/desk/photos/{row.photo_id}/image"
        items = []
        for item in row.items or []:
            item = dict(item)
            key = item.pop("mask_key", None)
            item["mask_url"] = (
                f"/api/v1/desk/renders/{row.id}/items/{item['n']}/mask" if key else None
            )
            items.append(item)
        out["items"] = items if row.items is not None else None
        try:
            job = self.jobs.get(row.job_id)
            out["status"], out["error"] = job["status"], job.get("error")
        except NotFound:
            out["status"], out["error"] = "failed", {"code": "job_lost"}
        return out

    # ---- privacy ---------------------------------------------------------------------------------
    def delete_photo(self, user_id: str, photo_id: str) -> None:
        """The photo, its analysis, its renders, their jobs and every blob they stored."""
        with self.db.session() as s:
            row = self._photo(s, user_id, photo_id)
            renders = list(s.scalars(select(DeskRender).where(DeskRender.photo_id == row.id)))
            job_ids = [r.job_id for r in renders]
            keys = {row.photo_key}
            for r in renders:
                keys.update(r.blob_keys or [])
                s.delete(r)
            s.delete(row)
        for job_id in filter(None, job_ids):
            keys.update(self.jobs.delete(job_id))
        for key in keys:
            if not self._blob_in_use(key):
                self.storage.delete(key)

    def _blob_in_use(self, key: str) -> bool:
        """Content-addressed blobs are shared by equal content: another user's identical upload
        keeps its photo."""
        with self.db.session() as s:
            return s.scalar(select(DeskPhoto.id).where(DeskPhoto.photo_key == key)) is not None

    # ---- rows ------------------------------------------------------------------------------------
    @staticmethod
    def _photo(s, user_id: str, photo_id: str) -> DeskPhoto:  # noqa: ANN001
        row = s.get(DeskPhoto, photo_id)
        if row is None or row.user_id != user_id:
            raise NotFound(f"No desk photo {photo_id}.", details={"photo_id": photo_id})
        return row

    @staticmethod
    def _render(s, user_id: str, render_id: str) -> DeskRender:  # noqa: ANN001
        row = s.get(DeskRender, render_id)
        if row is None or row.user_id != user_id:
            raise NotFound(f"No desk render {render_id}.", details={"render_id": render_id})
        return row


def product_card(p: dict[str, Any]) -> dict[str, Any]:
    """What the page shows of a desk product."""
    return {
        "product_id": p["id"],
        "name": p["name"],
        "category": p["category"],
        "price": p.get("price"),
        "currency": p.get("currency"),
        "price_text": format_price(p.get("price"), p.get("currency") or "KRW"),
        "image_url": p.get("cutout_url") or p.get("image_url") or "",
        "shop_url": p.get("shop_url") or "",
        "styles": p.get("styles") or [],
        "colours": p.get("colours") or [],
        "width_cm": p.get("width_cm"),
        "height_cm": p.get("height_cm"),
        "demo": bool(p.get("is_demo")),
    }
