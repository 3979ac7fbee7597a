"""Recommendations: catalog items a desk lacks that fit its style and palette, with shop links.

Pure ranking over the products it is given (CatalogService.desk_products() dicts), then one
shop link per pick through the catalog's provider interface (core.catalog.lookup.shop_link:
Naver Shopping when keys are set, else the product's own shop URL).

Rules:
- an item whose category the desk lacks ranks before any item of a category it has; an item of
  a category the desk has comes back only as an upgrade (`upgrade=True`, and the reason says so);
- within that, score = STYLE_WEIGHT x style match + PALETTE_WEIGHT x palette match, where style
  match is the analysis' score for the product's best style (relative to the desk's top style),
  and palette match is how close (CIE Lab ΔE76) the product's colours are to the desk's palette;
  plus a small CATEGORY_PRIOR for items that change a desk's look most (lamp, plant, …);
- diversity: each pick already made in a category costs the next one in it REPEAT_PENALTY.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from pixelsmith.apps.desk.types import DeskAnalysis
from pixelsmith.core.catalog.lookup import shop_link
from pixelsmith.core.catalog.models import format_price
from pixelsmith.core.catalog.providers import ShoppingProvider
from pixelsmith.core.colour import colour_word, hex_to_lab
from pixelsmith.core.web.i18n import translate

STYLE_WEIGHT = 0.6
PALETTE_WEIGHT = 0.4
PALETTE_SCALE = 30.0  # ΔE at which a colour counts as about a third matching (exp(-1))
REPEAT_PENALTY = 0.35
UPGRADE_MIN_STYLE = 0.5  # an upgrade must fit the desk's style at least this well
_COLOUR_WEIGHTS = (0.5, 0.3, 0.2)  # a product's first colour is its main one
# Items that change how a desk looks most get a little ahead of small ones.
CATEGORY_PRIOR = {"lamp": 0.08, "plant": 0.08, "speaker": 0.04, "desk_mat": 0.04, "clock": 0.02}


@dataclass
class Recommendation:
    product_id: int
    name: str
    price: str | None  # format_price: "₩89,000"
    image_url: str
    shop_url: str
    shop_source: str  # "provider" (e.g. Naver), "catalog" (the product's own link) or "none"
    category: str
    upgrade: bool  # the desk already has this category
    reason: str  # one line in the caller's language
    score: float
    style: str | None  # the product's style that matched best
    cutout_url: str
    width_cm: float | None
    height_cm: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def recommend(
    analysis: DeskAnalysis,
    products: list[dict[str, Any]],
    lang: str = "en",
    limit: int = 8,
    *,
    provider: ShoppingProvider | None = None,
) -> list[Recommendation]:
    """The best `limit` products for this desk, missing categories first (see module doc)."""
    have = analysis.labels()
    scored = []
    for p in products:
        style, style_match = _style_match(p, analysis)
        palette_match, colour_name = _palette_match(p, analysis)
        upgrade = p.get("category", "") in have
        if upgrade and style_match < UPGRADE_MIN_STYLE:
            continue
        score = STYLE_WEIGHT * style_match + PALETTE_WEIGHT * palette_match
        score += CATEGORY_PRIOR.get(p.get("category", ""), 0.0)
        scored.append((p, upgrade, score, style, style_match, palette_match, colour_name))
    picks = _pick_diverse(scored, limit)
    links = _shop_links([s[0] for s in picks], provider)
    out = []
    for (p, upgrade, score, style, style_match, palette_match, colour), link in zip(
        picks, links, strict=True
    ):
        reason = _reason(lang, p, upgrade, style, style_match, palette_match, colour)
        out.append(
            Recommendation(
                product_id=p["id"],
                name=p["name"],
                price=format_price(p.get("price"), p.get("currency") or "KRW"),
                image_url=p.get("image_url") or p.get("cutout_url") or "",
                shop_url=link.url,
                shop_source=link.source,
                category=p.get("category", ""),
                upgrade=upgrade,
                reason=reason,
                score=round(score, 4),
                style=style,
                cutout_url=p.get("cutout_url") or "",
                width_cm=p.get("width_cm"),
                height_cm=p.get("height_cm"),
            )
        )
    return out


def _pick_diverse(scored: list[tuple], limit: int) -> list[tuple]:
    """Greedy: missing categories before upgrades; each earlier pick in a category costs
    REPEAT_PENALTY; ties by product id (stable across runs)."""
    left = list(scored)
    picked: list[tuple] = []
    per_category: Counter[str] = Counter()
    while left and len(picked) < limit:

        def key(s: tuple) -> tuple:
            p, upgrade, score = s[0], s[1], s[2]
            return (upgrade, -(score - REPEAT_PENALTY * per_category[p.get("category", "")]),
                    p["id"])  # fmt: skip

        best = min(left, key=key)
        left.remove(best)
        picked.append(best)
        per_category[best[0].get("category", "")] += 1
    return picked


def _style_match(product: dict[str, Any], analysis: DeskAnalysis) -> tuple[str | None, float]:
    """(the product's best-matching style, its score relative to the desk's top style)."""
    scores = {s.style: s.score for s in analysis.styles}
    top = max(scores.values(), default=0.0)
    if top <= 0:
        return None, 0.0
    best = max(
        ((s, scores.get(s, 0.0)) for s in product.get("styles") or []),
        key=lambda x: x[1],
        default=(None, 0.0),
    )
    return best[0], min(1.0, best[1] / top)


def _palette_match(product: dict[str, Any], analysis: DeskAnalysis) -> tuple[float, str | None]:
    """(0..1 closeness of the product's colours to the desk's palette, the palette colour
    name its main colour is nearest to)."""
    colours = (product.get("colours") or [])[: len(_COLOUR_WEIGHTS)]
    palette = [c for c in analysis.palette if c.share > 0]
    if not colours or not palette:
        return 0.0, None
    lab_p = hex_to_lab([c for c in colours])
    lab_d = hex_to_lab([c.hex for c in palette])
    share = np.array([c.share for c in palette], dtype=np.float64)
    dist = np.linalg.norm(lab_p[:, None, :] - lab_d[None, :, :], axis=2)  # ΔE76
    # closeness to a palette colour, a little more for colours the desk has more of
    close = np.exp(-dist / PALETTE_SCALE) * (0.75 + 0.25 * share / share.max())
    per_colour = close.max(axis=1)
    weights = np.array(_COLOUR_WEIGHTS[: len(colours)])
    nearest = palette[int(np.argmin(dist[0]))].name
    return float((per_colour * weights).sum() / weights.sum()), nearest


def _shop_links(products: list[dict[str, Any]], provider: ShoppingProvider | None) -> list:
    if provider is None or not provider.enabled or len(products) <= 1:
        return [shop_link(p, provider) for p in products]
    # one provider search per pick, at once: eight sequential 3 s timeouts would be 24 s
    with ThreadPoolExecutor(max_workers=min(8, len(products))) as pool:
        return list(pool.map(lambda p: shop_link(p, provider), products))


def _reason(
    lang: str,
    product: dict[str, Any],
    upgrade: bool,
    style: str | None,
    style_match: float,
    palette_match: float,
    colour: str | None,
) -> str:
    t = lambda key, **kw: translate(lang, f"apps.desk.reason.{key}", **kw)  # noqa: E731
    category = product.get("category", "")
    item = t(f"item.{category}") if category else t("item.other")
    if item.startswith("apps.desk.reason."):  # a category without a translation
        item = category.replace("_", " ")
    if style and style_match >= 0.5:
        fit = t(f"style.{style}")
    elif colour and palette_match >= 0.4:
        fit = t("palette", colour=colour_word(colour, lang))
    else:
        fit = t("fallback")
    need = t("upgrade", item=item) if upgrade else t("missing", item=item)
    return t("join", first=fit, second=need)
