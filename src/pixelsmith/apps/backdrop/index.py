"""Retrieval: the top-k backgrounds for a studio brief and a product, scored all at once.

The index is a float32 matrix of unit-norm description embeddings (multilingual, so a Korean
query finds English descriptions) plus per-asset colour features: the Lab of its dominant
colours, a tint (mean a*, b*), mean L* and texture. `search` computes for every asset at once

    text      cosine of the brief's query with the description (query embedded once, cached)
    harmony   hue relation to the product's colours for the brief's colour scheme
              (complementary ≈ 180° apart, analogous ≈ close, neutral/monochrome: low chroma),
              blended with closeness to the brief's palette
    contrast  the L* gap between background and product (a white product on white scores 0)
    kind      how high the asset's kind sits in the brief's wanted kinds

and returns the best k, no more than a third of them of one kind and no two near-identical
(same-looking description and the same dominant colour). At 10,000 assets a search is one
10k×512 mat-vec plus a few vector ops: a few milliseconds on one core (docs/backdrop-index.md
says how it grows to a million).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from pixelsmith.core.colour import from_hex as hex_to_rgb
from pixelsmith.core.colour import rgb_to_lab as lab_of

from .types import Asset, Brief, ProductAnalysis, Suggestion

WEIGHTS = {"text": 0.45, "harmony": 0.2, "contrast": 0.2, "kind": 0.15}
COLOUR_WEIGHTS = np.array([0.6, 0.3, 0.1], np.float32)  # the asset's first three colours
TEXT_FLOOR, TEXT_SPAN = 0.1, 0.6  # cosine 0.1 → 0, 0.7 → 1 (unrelated USE pairs sit near 0.1)
CONTRAST_FULL = 40.0  # an L* gap this big counts as full contrast
ACHROMATIC = 10.0  # chroma below this has no hue worth matching
QUERY_CACHE = 512


def embedding_text(asset: Asset) -> str:
    """What gets embedded for an asset: its English description and its tags."""
    tags = ", ".join(t for t in asset.tags if t.lower() not in asset.description.lower())
    return f"{asset.description}. {tags}" if tags else asset.description


def _default_embedder() -> Any:
    from pixelsmith.core.models.registry import registry

    return registry.get("embeddings_ml")


def _tint(lab: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean (a*, b*) → (hue in radians, chroma) per row of N×C×3 Lab."""
    w = weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-6)
    a = (lab[:, :, 1] * w).sum(axis=1)
    b = (lab[:, :, 2] * w).sum(axis=1)
    return np.arctan2(b, a), np.hypot(a, b)


class AssetIndex:
    def __init__(self, assets: list[Asset], vectors: np.ndarray, embedder: Any | None) -> None:
        self.assets = assets
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._embedder = embedder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        n = len(assets)
        c = len(COLOUR_WEIGHTS)
        rgb = np.full((n, c, 3), 128, np.uint8)
        weights = np.zeros((n, c), np.float32)
        for i, a in enumerate(assets):
            cols = a.colours[:c] or ["#808080"]
            for j, h in enumerate(cols):
                rgb[i, j] = hex_to_rgb(h)
                weights[i, j] = COLOUR_WEIGHTS[j]
        self.lab = lab_of(rgb.reshape(-1, 3)).reshape(n, c, 3)
        self.colour_weights = weights
        self.hue, self.chroma = _tint(self.lab, weights)
        self.brightness = np.array([a.brightness for a in assets], np.float32)
        self.texture = np.array([a.texture for a in assets], np.float32)
        kinds = sorted({a.kind for a in assets})
        self._kind_ids = {k: i for i, k in enumerate(kinds)}
        self.kind_of = np.array([self._kind_ids[a.kind] for a in assets], np.int32)

    # ---- building ------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        assets: Sequence[Asset],
        *,
        embedder: Any | None = None,
        vectors: Sequence[np.ndarray | None] | np.ndarray | None = None,
    ) -> AssetIndex:
        """An index over `assets`. `vectors` (one per asset, None where missing) are stored
        embeddings; the missing ones are embedded now with `embedder` (default: the
        registry's multilingual model)."""
        assets = list(assets)
        if vectors is None:
            vectors = [None] * len(assets)
        rows = list(vectors)
        missing = [i for i, v in enumerate(rows) if v is None]
        if missing or embedder is None:
            embedder = embedder or _default_embedder()
        if missing:
            fresh = embedder.encode([embedding_text(assets[i]) for i in missing])
            for i, v in zip(missing, fresh, strict=True):
                rows[i] = v
        dim = int(getattr(embedder, "dim", 0)) or (len(rows[0]) if rows else 512)
        mat = np.stack(rows).astype(np.float32) if rows else np.zeros((0, dim), np.float32)
        norms = np.linalg.norm(mat, axis=1, keepdims=True)
        return cls(assets, mat / np.maximum(norms, 1e-12), embedder)

    def __len__(self) -> int:
        return len(self.assets)

    # ---- the query -------------------------------------------------------------------------
    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        vec = np.asarray(self._embedder.encode([text])[0], dtype=np.float32)
        with self._lock:
            self._cache[text] = vec
            while len(self._cache) > QUERY_CACHE:
                self._cache.popitem(last=False)
        return vec

    def scores(
        self, brief: Brief, analysis: ProductAnalysis, *, kinds: Sequence[str] | None = None
    ) -> dict[str, np.ndarray]:
        """Every part for every asset (N-vectors, 0..1), the total, and the kinds mask."""
        n = len(self.assets)
        q = self.embed_query(brief.query)
        text = np.clip((self.vectors @ q - TEXT_FLOOR) / TEXT_SPAN, 0.0, 1.0)
        harmony = self._harmony(brief, analysis)
        contrast = np.clip(np.abs(self.brightness - analysis.brightness) / CONTRAST_FULL, 0, 1)
        kind = np.zeros(n, np.float32)
        for pos, k in enumerate(brief.background):
            if k in self._kind_ids:
                kind = np.where(
                    (self.kind_of == self._kind_ids[k]) & (kind == 0), max(0.2, 1 - 0.2 * pos), kind
                )
        total = (
            WEIGHTS["text"] * text
            + WEIGHTS["harmony"] * harmony
            + WEIGHTS["contrast"] * contrast
            + WEIGHTS["kind"] * kind
        )
        allowed = np.ones(n, bool)
        if kinds:
            ids = [self._kind_ids[k] for k in kinds if k in self._kind_ids]
            allowed = np.isin(self.kind_of, ids)
        return {
            "text": text.astype(np.float32),
            "harmony": harmony.astype(np.float32),
            "contrast": contrast.astype(np.float32),
            "kind": kind,
            "total": np.where(allowed, total, -np.inf).astype(np.float32),
        }

    def _harmony(self, brief: Brief, analysis: ProductAnalysis) -> np.ndarray:
        p_hue, p_chroma = self._product_tint(analysis)
        a_chroma = self.chroma
        neutral = 1.0 - np.clip(a_chroma / 35.0, 0.0, 1.0)  # low chroma preferred
        scheme = brief.colour_scheme
        if scheme == "neutral" or p_chroma < ACHROMATIC:
            rel = neutral if scheme == "neutral" else 1.0 - 0.5 * np.clip(a_chroma / 40.0, 0, 1)
        else:
            d = np.abs(np.angle(np.exp(1j * (self.hue - p_hue))))  # 0..π
            if scheme == "complementary":
                rel_hue = (1.0 - np.cos(d)) / 2.0
            elif scheme == "monochrome":
                rel_hue = np.clip(1.0 - d / (math.pi / 4), 0.0, 1.0)
            else:  # analogous
                rel_hue = np.clip(1.0 - d / (math.pi / 2), 0.0, 1.0)
            # a grey background has no hue: fine with anything, best for monochrome
            coloured = np.clip(a_chroma / 20.0, 0.0, 1.0)
            rest = 0.8 if scheme == "monochrome" else 0.5
            rel = coloured * rel_hue + (1.0 - coloured) * rest
        if not brief.palette:
            return rel
        pal = lab_of(np.array([hex_to_rgb(h) for h in brief.palette], np.uint8))  # P×3
        d = np.linalg.norm(self.lab[:, :, None, :] - pal[None, None, :, :], axis=3).min(axis=2)
        w = self.colour_weights / np.maximum(self.colour_weights.sum(1, keepdims=True), 1e-6)
        near = np.exp(-(d * w).sum(axis=1) / 30.0)
        return 0.6 * rel + 0.4 * near

    @staticmethod
    def _product_tint(analysis: ProductAnalysis) -> tuple[float, float]:
        if not analysis.colours:
            return 0.0, 0.0
        lab = lab_of(np.array([hex_to_rgb(c.hex) for c in analysis.colours], np.uint8))
        share = np.array([max(c.share, 0.0) for c in analysis.colours], np.float32)
        hue, chroma = _tint(lab[None], share[None] + 1e-6)
        return float(hue[0]), float(chroma[0])

    # ---- the answer ------------------------------------------------------------------------
    def search(
        self,
        brief: Brief,
        analysis: ProductAnalysis,
        *,
        k: int = 8,
        kinds: Sequence[str] | None = None,
    ) -> list[Suggestion]:
        """The best k assets for the brief, best first, diverse (see the module docstring)."""
        if k < 1 or not self.assets:
            return []
        s = self.scores(brief, analysis, kinds=kinds)
        total = s["total"]
        valid = int(np.isfinite(total).sum())
        if valid == 0:
            return []
        pool = min(valid, max(k * 8, 32))
        cand = (
            np.argpartition(-total, pool - 1)[:pool] if pool < len(total) else np.arange(len(total))
        )
        cand = cand[np.argsort(-total[cand], kind="stable")]
        cand = cand[np.isfinite(total[cand])]
        cap = max(2, math.ceil(k / 3))
        chosen: list[int] = []
        per_kind: dict[int, int] = {}
        for i in cand:
            if len(chosen) == k:
                break
            if per_kind.get(int(self.kind_of[i]), 0) >= cap or self._near_duplicate(i, chosen):
                continue
            chosen.append(int(i))
            per_kind[int(self.kind_of[i])] = per_kind.get(int(self.kind_of[i]), 0) + 1
        for i in cand:  # too few kinds to fill k under the cap: top up in score order
            if len(chosen) == k:
                break
            if int(i) not in chosen:
                chosen.append(int(i))
        return [
            Suggestion(
                asset=self.assets[i],
                score=float(total[i]),
                parts={p: float(s[p][i]) for p in ("text", "harmony", "contrast", "kind")},
            )
            for i in chosen
        ]

    def _near_duplicate(self, i: int, chosen: list[int]) -> bool:
        if not chosen:
            return False
        sims = self.vectors[chosen] @ self.vectors[i]
        dl = np.linalg.norm(self.lab[chosen, 0] - self.lab[i, 0], axis=1)
        return bool(np.any((sims > 0.95) & (dl < 8.0)))
