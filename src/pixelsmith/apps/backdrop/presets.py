"""Marketplace output presets, the compliance check and the auto-fix (issue 12, item 7).

Each Preset follows a marketplace's published image guideline (its URL is in `source`;
docs/marketplace-presets.md says what each rule rests on and where a figure is ours).

`check(render, preset)` measures the render against the preset's rules:
- size: exactly the preset's width × height;
- background_white (white presets): the background is pure #ffffff. Measured on the pixels
  away from the product (outside its mask grown by a ring of BG_RING of the side, where edge
  blending and JPEG ringing live); a pixel counts as white when every channel ≥ WHITE_MIN
  (255 − 5: what a JPEG at quality ≥ 90 leaves of pure white), and the rule holds when at
  least WHITE_SHARE of those pixels are white;
- fill: the product box's longer side as a share of the frame's (max of box w / W, box h / H)
  within [min_fill, max_fill];
- margin: the empty border on each side at least `margin` of that side;
- centred (white presets): the box's centre within CENTRE_TOL of the frame's centre.

`autofix(render, preset, background)` re-frames the product so it complies: scaled to the
middle of the allowed fill, centred, on pure white (white presets) or on `background` / the
render's own backdrop (others), at the preset's size. The product's pixels are only resampled
(area-averaged down, bilinear up), never recoloured.
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from .types import Box, Check, Compliance, Preset, Render

WHITE_MIN = 250
WHITE_SHARE = 0.995
BG_RING = 0.01  # of the frame's longer side, at least 2 px
CENTRE_TOL = 0.05  # of the frame's width / height

# Where the official page was not in reach, a secondary page that quotes it (see the docs).
_AMAZON = "https://www.mercatuslab.com/blog/amazon-product-image-requirements/"
_EBAY = "https://www.ebay.com/help/policies/listing-policies/picture-policy?id=4370"
_SHOPIFY = "https://shopify.dev/docs/apps/build/online-store/product-media"
_ETSY = (
    "https://dev.to/herofab/check-product-photos-against-amazon-etsy-and-96-other-"
    "marketplace-image-rules-with-a-free-api-no-5982"
)
_NAVER = "https://expocity.onch3.co.kr/bbs_view.php?num=13&page=2&vnum=15410"
_COUPANG = "https://oscsnm.com/coupang-thumbnail-design"
_INSTAGRAM = "https://recurpost.com/blog/instagram-post-size-guide"


def _p(**kw) -> Preset:
    return Preset(**kw)


PRESETS: dict[str, Preset] = {
    p.id: p
    for p in (
        _p(
            id="amazon_main",
            name="Amazon main image",
            width=1600,
            height=1600,
            background="white",
            min_fill=0.85,
            max_fill=0.98,
            margin=0.01,
            source=_AMAZON,
        ),
        _p(
            id="square_1000",
            name="White square 1000 × 1000",
            width=1000,
            height=1000,
            background="white",
            min_fill=0.85,
            max_fill=0.98,
            margin=0.01,
            source=_AMAZON,
        ),
        _p(
            id="square_1600",
            name="White square 1600 × 1600",
            width=1600,
            height=1600,
            background="white",
            min_fill=0.85,
            max_fill=0.98,
            margin=0.01,
            source=_AMAZON,
        ),
        _p(
            id="naver_smartstore",
            name="Naver Smart Store main image",
            width=1000,
            height=1000,
            background="any",
            min_fill=0.0,
            source=_NAVER,
        ),
        _p(
            id="coupang",
            name="Coupang main image",
            width=1000,
            height=1000,
            background="white",
            min_fill=0.85,
            max_fill=0.98,
            margin=0.01,
            source=_COUPANG,
        ),
        _p(
            id="etsy",
            name="Etsy listing photo",
            width=2000,
            height=2000,
            background="any",
            min_fill=0.0,
            source=_ETSY,
        ),
        _p(
            id="shopify",
            name="Shopify product image",
            width=2048,
            height=2048,
            background="any",
            min_fill=0.0,
            source=_SHOPIFY,
        ),
        _p(
            id="ebay",
            name="eBay listing photo",
            width=1600,
            height=1600,
            background="any",
            min_fill=0.0,
            source=_EBAY,
        ),
        _p(
            id="instagram_4x5",
            name="Instagram portrait post 4:5",
            width=1080,
            height=1350,
            background="any",
            min_fill=0.0,
            source=_INSTAGRAM,
        ),
        _p(
            id="web_free",
            name="Web, free format",
            width=1024,
            height=1024,
            background="any",
            min_fill=0.0,
            format="png",
        ),
    )
}

MESSAGES = {  # English; message keys backdrop.rule.<rule>
    "size": "The image must be {required} pixels (it is {measured}).",
    "background_white": "The background must be pure white: {measured} of it is, "
    "{required} needed.",
    "fill": "The product must span {required} of the frame (it spans {measured}).",
    "margin": "Keep at least {required} empty around the product (the least is {measured}).",
    "centred": "The product must be centred (it is {measured} off; at most {required}).",
}


def _check(rule: str, ok: bool, measured: str, required: str) -> Check:
    return Check(
        rule=rule,
        ok=bool(ok),
        measured=measured,
        required=required,
        message=MESSAGES[rule].format(measured=measured, required=required),
    )


def _box_of(mask: np.ndarray) -> Box | None:
    ys, xs = np.nonzero(mask > 0)
    if ys.size == 0:
        return None
    return Box(
        int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)
    )


def _pct(v: float) -> str:
    return f"{100 * v:.1f}%"


def check(render: Render, preset: Preset) -> Compliance:
    img = np.asarray(render.image)
    H, W = img.shape[:2]
    box = render.product_box
    checks = [
        _check(
            "size",
            (W, H) == (preset.width, preset.height),
            f"{W}×{H}",
            f"{preset.width}×{preset.height}",
        )
    ]
    if preset.background == "white":
        share = white_share(img, render.product_mask)
        checks.append(
            _check("background_white", share >= WHITE_SHARE, _pct(share), f"≥ {_pct(WHITE_SHARE)}")
        )
    fill = max(box.w / W, box.h / H)
    if preset.min_fill > 0 or preset.max_fill < 1:
        lo, hi = preset.min_fill, preset.max_fill
        checks.append(
            _check("fill", lo - 1e-9 <= fill <= hi + 1e-9, _pct(fill), f"{_pct(lo)}–{_pct(hi)}")
        )
    if preset.margin > 0:
        least = min(box.x / W, (W - box.x2) / W, box.y / H, (H - box.y2) / H)
        checks.append(
            _check("margin", least >= preset.margin - 1e-9, _pct(least), f"≥ {_pct(preset.margin)}")
        )
    if preset.background == "white":
        off = max(abs((box.x + box.w / 2) / W - 0.5), abs((box.y + box.h / 2) / H - 0.5))
        checks.append(_check("centred", off <= CENTRE_TOL, _pct(off), f"≤ {_pct(CENTRE_TOL)}"))
    return Compliance(preset=preset.id, ok=all(c.ok for c in checks), checks=checks)


def white_share(img: np.ndarray, product_mask: np.ndarray) -> float:
    """Share of the background (away from the product) whose channels are all ≥ WHITE_MIN."""
    H, W = img.shape[:2]
    mask = np.asarray(product_mask)
    if mask.shape != (H, W):
        mask = cv2.resize(mask, (W, H), interpolation=cv2.INTER_NEAREST)
    ring = max(2, round(BG_RING * max(H, W)))
    near = cv2.dilate((mask > 0).astype(np.uint8), np.ones((2 * ring + 1, 2 * ring + 1), np.uint8))
    bg = near == 0
    if not bg.any():
        return 0.0
    white = img[..., :3].min(axis=2) >= WHITE_MIN
    return float(white[bg].mean())


def autofix(render: Render, preset: Preset, background: np.ndarray | None = None) -> Render:
    """The render re-framed to comply with `preset` (see the module's docstring)."""
    started = time.perf_counter()
    img = np.asarray(render.image)[..., :3]
    mask = np.asarray(render.product_mask)
    box = _box_of(mask) or render.product_box
    W, H = preset.width, preset.height
    lo = preset.min_fill if preset.min_fill > 0 else None
    hi = min(preset.max_fill, 1 - 2 * preset.margin)
    current = max(box.w / img.shape[1], box.h / img.shape[0])
    target = (lo + hi) / 2 if lo is not None else min(current, hi)
    if lo is None and preset.margin == 0 and background is None:
        out_img, out_mask = _reframe_backdrop(img, mask, box, W, H)
    else:
        s = target / max(box.w / W, box.h / H)
        crop = img[box.y : box.y2, box.x : box.x2]
        a = mask[box.y : box.y2, box.x : box.x2]
        nw, nh = max(1, round(box.w * s)), max(1, round(box.h * s))
        interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
        crop = cv2.resize(crop, (nw, nh), interpolation=interp)
        a = cv2.resize(a, (nw, nh), interpolation=interp)
        if preset.background == "white":
            canvas = np.full((H, W, 3), 255, np.uint8)
        elif background is not None:
            canvas = _cover(np.asarray(background)[..., :3], W, H)
        else:
            canvas = _cover(img, W, H)
        x0, y0 = (W - nw) // 2, (H - nh) // 2
        out_img, out_mask = canvas, np.zeros((H, W), np.uint8)
        region = out_img[y0 : y0 + nh, x0 : x0 + nw].astype(np.float32)
        af = a.astype(np.float32)[..., None] / 255.0
        blended = crop.astype(np.float32) * af + region * (1 - af)
        # alpha 1 leaves the resampled product pixel exactly as it is
        out_img[y0 : y0 + nh, x0 : x0 + nw] = np.round(blended).astype(np.uint8)
        out_mask[y0 : y0 + nh, x0 : x0 + nw] = a
    new_box = _box_of(out_mask) or Box(0, 0, 0, 0)
    fixed = Render(
        image=out_img,
        asset_id=render.asset_id,
        product_box=new_box,
        product_mask=out_mask,
        lighting=render.lighting,
        preset=preset.id,
        elapsed_ms=render.elapsed_ms + (time.perf_counter() - started) * 1000,
    )
    fixed.compliance = check(fixed, preset)
    return fixed


def _cover(img: np.ndarray, W: int, H: int) -> np.ndarray:
    """`img` scaled to cover W×H and centre-cropped."""
    h, w = img.shape[:2]
    s = max(W / w, H / h)
    nw, nh = max(W, round(w * s)), max(H, round(h * s))
    big = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    x0, y0 = (nw - W) // 2, (nh - H) // 2
    return np.ascontiguousarray(big[y0 : y0 + H, x0 : x0 + W])


def _reframe_backdrop(
    img: np.ndarray, mask: np.ndarray, box: Box, W: int, H: int
) -> tuple[np.ndarray, np.ndarray]:
    """A preset with no fill rule: the render's whole scene cut to the preset's aspect around
    the product (its edges repeated if the product would not fit), then resized."""
    h, w = img.shape[:2]
    aspect = W / H
    cw = min(w, round(h * aspect))
    ch = round(cw / aspect)
    if cw < box.w or ch < box.h:  # widen the window past the image: pad by repeating edges
        cw = max(cw, box.w, round(box.h * aspect))
        ch = round(cw / aspect)
    pad_x, pad_y = max(0, cw - w), max(0, ch - h)
    if pad_x or pad_y:
        left, top = pad_x // 2, pad_y // 2
        pads = (top, pad_y - top, left, pad_x - left)
        img = cv2.copyMakeBorder(img, *pads, cv2.BORDER_REPLICATE)
        mask = cv2.copyMakeBorder(mask, *pads, cv2.BORDER_CONSTANT, value=0)
        box = Box(box.x + left, box.y + top, box.w, box.h)
        h, w = img.shape[:2]
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    x0 = int(np.clip(round(cx - cw / 2), 0, w - cw))
    y0 = int(np.clip(round(cy - ch / 2), 0, h - ch))
    win, win_m = img[y0 : y0 + ch, x0 : x0 + cw], mask[y0 : y0 + ch, x0 : x0 + cw]
    interp = cv2.INTER_AREA if W < cw else cv2.INTER_LINEAR
    out = cv2.resize(np.ascontiguousarray(win), (W, H), interpolation=interp)
    out_m = cv2.resize(np.ascontiguousarray(win_m), (W, H), interpolation=interp)
    return out, out_m
