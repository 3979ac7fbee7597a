"""Product cut-outs: the main object of a photo as an alpha matte (U2Net-p + refinement).

Shared by Desk Makeover (catalog items without transparency) and Backdrop Studio.

`matte(rgb)`, the whole pipeline:
1. U2Net-p saliency at 320x320, upsampled to a working copy (at most WORK_SIDE on the long side).
2. A colour guided filter with the working copy as guide snaps the blurry 320-pixel outline to the
   object's real edges; the parts that are specks next to the main object are dropped. On a
   busy backdrop, whose own things the network marks too (a monitor, a cup, a cat), a second
   network pass sees the frame's centre zoomed in and mirrored; what it no longer calls
   salient there seeds a watershed that takes that thing out beyond the window too
   (_zoomed), unless it is made of the same stuff as what stays. A second, closer look
   (ZOOM_CLOSE, around the frame's centre, or around what the first kept when that lies off
   centre) follows: it tells a watch from the motorcycle it lies on where the first could
   not, but its window cuts most products, so the parts it drops that are made of the
   product's stuff come back. Then the product is chosen
   among the salient parts (pick_product: blobs split at narrow necks, the most salient and
   central part kept, with nearby pieces of the same stuff).
3. A background model (the local background colour under the object, by normalised convolution,
   and a colour histogram) finds the holes: regions inside the outline that look like the
   background around them and unlike the object around them (a mug's handle, a ring, the gap
   under a bag's strap). On a busy backdrop GrabCut also weighs each region inside the outline
   as a whole (enclosed_backdrop: gravel inside a rope's loop is no one colour, and pixel by
   pixel its dark gaps look like the rope). They are cut before the second guided filter, so
   their edges are refined like the outer one.
4. Fast guided filter: the second filter's linear coefficients are upsampled and applied to the
   full-size photo, so the matte follows full-resolution edges at working-size cost.
5. Edge pixels get their foreground colour estimated (blur-fusion, Germer et al. 2021), which
   takes the old background's colour out of the fringe; pixels with alpha 255 keep the photo's
   own values, bit for bit.
6. Checks: a confidence from how decisive the network is, and flags (low confidence, likely
   transparent, cut by the frame).

`matte_from_mask(rgb, mask)` refines a mask a person drew (brush strokes) the same way, but only
in a narrow band around its edge: what the person added or removed stays added or removed.
`cut_out()` / `crop_rgba()` are the cropped RGBA form Desk Makeover stores.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from pixelsmith.core.models._common import as_rgb_u8

REFINE_MAX_SIDE = 1024  # refine_alpha(): guided filter above this costs more than it shows
ALPHA_LO, ALPHA_HI = 0.25, 0.75  # refine_alpha(): saliency below is background, above object
MIN_PART = 0.05  # object parts smaller than this share of the largest one are specks
SIDE_PART = 0.3  # matte(): parts smaller than this share of the largest must be near it ...
PART_GAP = 0.03  # ... within this share of the long side (else they are other things)
CROP_MARGIN = 2  # pixels kept around the object's box
SPLIT_DEPTH = 0.2  # split_parts(): a core stands this share of the blob's thickness above ...
SPLIT_PEAK = 0.35  # ... its saddle, and is at least this share as thick as the thickest core
CENTRE_SIGMA = 0.3  # pick_product(): centrality weight's spread (share of the frame)
PAIR_GAP = 0.05  # pick_product(): other parts within this share of the long side may stay ...
PAIR_SIZE = 1.5  # ... when not bigger than this many times the product
NECK_SHARE = 0.25  # split_parts(): parts meeting along more of an outline are one object
SAME_STUFF = 0.88  # pick_product(): colour overlap above which a split-off part is the product's

WORK_SIDE = 640  # long side of the working copy: guided filters, background model, holes
GF_EPS = 4e-4  # guided filter regulariser (colours in [0, 1]): lower follows weaker edges
RAMP_LO, RAMP_HI = 0.25, 0.75  # filtered saliency → alpha: below is 0, above is 1
MIN_OBJECT_SHARE = 0.0005  # an object smaller than this share of the photo is nothing
BLANK_STD = 1.5  # a photo whose grey levels vary less than this has nothing in it
MIN_PEAK = 0.15  # the network's raw peak below this: nothing stands out
HOLE_MIN_SHARE = 0.0015  # holes smaller than this share of the object are left (JPEG noise)
HOLE_MAX_SHARE = 0.6  # a "hole" bigger than this share of the object is the object itself
HOLE_CONTRAST = 3.0  # find_holes(): on grain, the contrast an opening needs, in noise widths
HOLE_RIM_OUTSIDE = 0.3  # a hole's rim may be this share of the outside backdrop, no more
BACKDROP_LIKE = 0.6  # BackgroundModel.likeness above this: a colour of the backdrop's
CLEAN_NOISE = 0.5  # backdrop noise (Lab) below which it is one flat colour (retouched)
CLEAN_HOLE_DIST = 1.0  # ... and an opening's inside is within this of it (Lab, median)
LOW_CONFIDENCE = 0.7  # confidence below this raises the low_confidence flag
TRANSPARENT_SCORE = 0.5  # inside looks this much like the background around: transparent
TRANSPARENT_SCORE_BUSY = 0.8  # the same on a busy backdrop, whose colours overlap anything's
BUSY_NOISE = 6.0  # backdrop colour spread (Lab) above which a backdrop is busy
FRAME_TOUCH = 0.02  # share of a side the object covers on it to count as cut by the frame
FG_RADII = (90, 6)  # blur-fusion radii at 1 Mpx: a coarse and a fine foreground estimate
ZOOM = 0.8  # _zoom_consensus(): the centre window's share of each side ...
ZOOM_CLOSE = 0.65  # ... and of the second, closer look's (which often cuts the product)
CLOSE_CENTRED = 0.1  # _close_centre(): the kept box's centre within this share of the frame's
CUT_SAME = 0.75  # _zoomed(): colour overlap above which a part the closer look dropped is the
# product's own, cut off by its window
ENCLOSED = 0.8  # _zoomed(): share of the kept part's rim that is the dropped thing
CONVEX_WHOLE = 0.9  # _zoomed(): solidity above which what the first look kept is one shape ...
IN_WINDOW = 0.9  # ... and the share of the dropped thing inside the window: a glass's label
# (pick_product: a part this much inside the closest look's window was seen there and kept)
GRABCUT_SEED = 0  # _grabcut(): the same photo gets the same cut-out
GRABCUT_ITERS = 2  # _grabcut(): rounds (4 measured the same in grow_product, at twice the time)
GRABCUT_SIDE = 320  # ... on a copy this long (at 640 px: 4x the time for +0.003 IoU, +0.001 in
# enclosed_backdrop)

FLAG_MESSAGES = {
    "low_confidence": "The cut-out is uncertain: check its edges, or paint the mask by hand.",
    "transparent": (
        "The product looks transparent (glass, clear plastic) or blends into its background: "
        "check its edges and inside."
    ),
    "cut_by_frame": "The product runs off the photo's edge ({sides}): it is cut there too.",
    "other_object": (
        "Something around the product stood out too and was left out: check that the cut-out "
        "holds the whole product and nothing else."
    ),
}


@dataclass
class MatteFlag:
    """A warning about a cut-out the user should look at. code is one of:
    "low_confidence" (the network was unsure over much of the object), "transparent" (glass
    or clear plastic: the alpha cannot be trusted), "cut_by_frame" (the object runs off the
    photo's edge; `params["sides"]` says which: "top,left", ...), "other_object" (a salient
    thing all around the kept part was left out: a cup behind a watch; a clear bottle
    whose label alone the closer look kept is kept whole and flagged "transparent"). Message
    key: cutout.flag.<code>."""

    code: str
    message: str  # English
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Matte:
    """An object cut out of its photo, at the photo's size.

    `rgb` is the photo with edge pixels colour-decontaminated (the old background's colour taken
    out where 0 < alpha < 255); inside the solid core (alpha == 255) it is the photo's own, bit
    for bit. `alpha` is uint8 HxW (0 = background). `box` is (x, y, w, h) where alpha > 0."""

    rgb: np.ndarray
    alpha: np.ndarray
    box: tuple[int, int, int, int]
    confidence: float  # 0..1: how decisive the saliency map is over the object and its rim
    flags: list[MatteFlag] = field(default_factory=list)
    elapsed_ms: float = 0.0

    def rgba(self) -> np.ndarray:
        """HxWx4 uint8 at the photo's size."""
        return np.dstack([self.rgb, self.alpha])

    def to_dict(self) -> dict[str, Any]:
        x, y, w, h = self.box
        return {
            "box": {"x": x, "y": y, "w": w, "h": h},
            "size": [int(self.alpha.shape[1]), int(self.alpha.shape[0])],
            "confidence": round(float(self.confidence), 3),
            "flags": [asdict(f) for f in self.flags],
            "elapsed_ms": round(self.elapsed_ms, 1),
        }


class NoObjectFound(ValueError):
    """Nothing in the photo stands out from its background."""


def _model(model: Any) -> Any:
    if model is not None:
        return model
    from pixelsmith.core.models import get

    return get("salient")


def _no_object() -> NoObjectFound:
    return NoObjectFound("No object stands out from the background in this image.")


# -- the whole pipeline ---------------------------------------------------------------------


def matte(rgb: np.ndarray, *, model: Any = None) -> Matte:
    """The photo's main object as a full-size alpha matte, decontaminated, checked.

    Raises NoObjectFound when nothing stands out (a blank or uniform photo)."""
    t0 = time.perf_counter()
    img = as_rgb_u8(rgb)
    work = _Working(img)
    if float(work.grey.std()) < BLANK_STD:
        raise _no_object()
    net = _model(model)
    raw = _raw_saliency(net, img)
    lo, hi = float(raw.min()), float(raw.max())
    if hi < MIN_PEAK or hi - lo < 1e-3:
        raise _no_object()
    sal = work.resize((raw - lo) / (hi - lo))

    a1, b1 = guided_coefficients(work.guide, sal, work.radius, GF_EPS)
    salient = apply_coefficients(a1, b1, work.guide) > 0.5
    solid = main_parts(salient, near=PART_GAP)
    if solid.sum() < MIN_OBJECT_SHARE * solid.size:
        raise _no_object()
    bg = BackgroundModel.fit(work, solid, sal)
    seen: set[str] = set()  # what the closer looks saw: "other_object", "transparent"
    if bg.noise > BUSY_NOISE:
        first, fitted = salient, solid
        sal, salient, solid, left_out = _zoomed(net, img, work, raw, sal, salient, solid)
        seen |= {left_out} - {None}
        centre = _close_centre(solid)
        sal, salient, solid, left_out = _zoomed(
            net,
            img,
            work,
            raw,
            sal,
            salient,
            solid,
            zoom=ZOOM_CLOSE,
            regain=True,
            centre=centre,
        )
        seen |= {left_out} - {None}
        # a busy backdrop has salient things of its own: choose the product among them. On a
        # plain one everything that stands out was put there, so a set of items stays whole.
        # When both closer looks saw what the first saw, nothing was lumped in with the
        # product: it is not cut at its necks (push-up bars over grass lost one bar).
        picked = pick_product(
            salient,
            sal,
            work.lab,
            split=solid is not fitted,
            looked=_window(work.size, ZOOM_CLOSE, centre),
        )
        if picked.sum() >= MIN_OBJECT_SHARE * picked.size and not np.array_equal(picked, solid):
            solid = picked
        if solid is not fitted:  # the zoom or the picking changed it (_zoomed keeps its inputs)
            bg = BackgroundModel.fit(work, solid, sal)
        grown = grow_product(work, solid, first, bg)
        if not np.array_equal(grown, solid):
            solid = grown
            bg = BackgroundModel.fit(work, solid, sal)
    holes = find_holes(work, solid, bg, sal)
    solid &= ~holes
    solid = main_parts(solid, near=PART_GAP)
    if not solid.any():
        raise _no_object()

    alpha = _full_alpha(img, work, solid)
    if not alpha.any():
        raise _no_object()
    out = decontaminate(img, alpha)
    confidence = saliency_confidence(raw)
    busy = bg.noise > BUSY_NOISE
    transparency = transparency_score(work, solid, bg)
    flags = matte_flags(alpha, confidence, transparency, busy=busy)
    if "transparent" in seen and all(f.code != "transparent" for f in flags):
        flags.append(
            MatteFlag("transparent", FLAG_MESSAGES["transparent"], {"score": f"{transparency:.2f}"})
        )
    if "other_object" in seen:
        flags.append(MatteFlag("other_object", FLAG_MESSAGES["other_object"]))
    return Matte(
        rgb=out,
        alpha=alpha,
        box=alpha_box(alpha),
        confidence=confidence,
        flags=flags,
        elapsed_ms=(time.perf_counter() - t0) * 1000,
    )


def _zoomed(
    net: Any,
    img: np.ndarray,
    work: _Working,
    raw: np.ndarray,
    sal: np.ndarray,
    salient: np.ndarray,
    solid: np.ndarray,
    *,
    zoom: float = ZOOM,
    regain: bool = False,
    centre: tuple[float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str | None]:
    """sal, salient and solid again after the zoom consensus in a `zoom` window around
    `centre`, else the frame's centre (unchanged when it takes nothing out, or when what it
    takes out is made of the same stuff as what it keeps), and the flag code for what it
    saw: "other_object" when what it took out surrounds what it kept, "transparent" when
    that is a clear bottle's glass (kept, see below), else None.

    With `regain`, for a window that cuts products bigger than itself (a push-up bar, a watch's
    strap): each part of what it took out (split_parts) whose colours overlap what it keeps by
    CUT_SAME or more is the product's own and comes back; the motorcycle behind a watch does
    not.

    What the zoomed view drops inside its window (a cup) and what both views keep (the watch
    in front of it) seed a watershed on the photo's colour gradient over the first view's
    salient region: the rest of the cup, outside the window, floods from the cup's seed, the
    product's parts outside it from the product's, and the cut follows the edge between."""
    import cv2
    from skimage.segmentation import watershed

    unchanged = sal, salient, solid, None
    fused = _zoom_consensus(net, img, raw, zoom, centre)
    lo, hi = float(fused.min()), float(fused.max())
    if hi < MIN_PEAK or hi - lo < 1e-3:
        return unchanged
    sal2 = work.resize((fused - lo) / (hi - lo))
    a1, b1 = guided_coefficients(work.guide, sal2, work.radius, GF_EPS)
    agree = apply_coefficients(a1, b1, work.guide) > 0.5
    k = np.ones((2 * work.radius + 1,) * 2, np.uint8)
    # seeds only inside the window: outside it only the first view spoke
    window = _window(work.size, zoom, centre)
    keep = (cv2.erode(agree.astype(np.uint8), k) > 0) & salient & window
    drop = (cv2.erode((salient & ~agree).astype(np.uint8), k) > 0) & window
    if keep.sum() < MIN_OBJECT_SHARE * keep.size or drop.sum() < MIN_PART * keep.sum():
        return unchanged
    gx = cv2.Sobel(work.lab, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(work.lab, cv2.CV_32F, 0, 1, ksize=3)
    grad = np.sqrt((gx * gx + gy * gy).sum(axis=2))
    markers = keep.astype(np.int32) + 2 * drop.astype(np.int32)
    parts = watershed(grad, markers, mask=salient)
    kept, dropped = parts == 1, parts == 2
    if _colour_overlap(work.lab, kept, dropped) >= SAME_STUFF:  # one object seen closer
        return unchanged
    if regain:
        kept, dropped = _regain_cut_parts(work.lab, kept, dropped)
    solid2 = main_parts(kept, near=PART_GAP)
    if solid2.sum() < MIN_OBJECT_SHARE * solid2.size:
        return unchanged
    # what was dropped surrounds what stays and lies whole in the frame: a watch in front of
    # a cup, or the label of a glass bottle whose glass the closer view lost. Nothing here
    # tells the two apart, so the person is asked to look (a thing running off the frame,
    # a cat filling it, is the scene behind the product).
    surrounded = _enclosed_by(kept, dropped) >= ENCLOSED and not frame_sides(
        dropped.astype(np.uint8) * 255
    )
    # ... unless the first look saw the two as one convex shape and the dropped part lies
    # inside the window: the closer view kept a clear bottle's label and lost its glass. A
    # scene thing behind the product (a cup) runs past the window or makes no single shape.
    inside = (dropped & window).sum() >= IN_WINDOW * dropped.sum()
    if surrounded and inside and _is_one_shape(solid):
        return sal, salient, solid, "transparent"
    left_out = "other_object" if surrounded else None
    return np.where(kept, sal, np.minimum(sal, sal2)), kept, solid2, left_out


def _regain_cut_parts(
    lab: np.ndarray, kept: np.ndarray, dropped: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """kept and dropped after the parts of dropped made of kept's stuff move back to kept."""
    parts = split_parts(dropped, lab)
    kept, dropped = kept.copy(), dropped.copy()
    size = int(kept.sum())
    for j in range(1, int(parts.max()) + 1):
        part = parts == j
        if part.sum() >= MIN_PART * size and _colour_overlap(lab, part, kept) >= CUT_SAME:
            kept |= part
            dropped &= ~part
    return kept, dropped


def _enclosed_by(inner: np.ndarray, outer: np.ndarray) -> float:
    """The share of the ring just outside inner that is outer (0..1)."""
    import cv2

    rim = (cv2.dilate(inner.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0) & ~inner
    n = int(rim.sum())
    return float((rim & outer).sum()) / n if n else 0.0


def _is_one_shape(solid: np.ndarray) -> bool:
    """Whether solid's largest outline fills CONVEX_WHOLE of its convex hull (a bottle does; a
    watch and the motorcycle behind it do not)."""
    import cv2

    cs, _ = cv2.findContours(solid.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not cs:
        return False
    c = max(cs, key=cv2.contourArea)
    return cv2.contourArea(c) >= CONVEX_WHOLE * max(1.0, cv2.contourArea(cv2.convexHull(c)))


def _close_centre(solid: np.ndarray) -> tuple[float, float] | None:
    """Where the closer look centres its window (a share of each side), None for the frame's
    centre: there when the box of what the first look kept is centred within CLOSE_CENTRED
    of the frame (a product photo frames its product; the box may be off by a thing behind
    it), else the box's own centre (the product was shot off-centre)."""
    x, y, bw, bh = alpha_box(solid)
    if bw == 0:
        return None
    h, w = solid.shape
    cx, cy = (x + bw / 2) / w, (y + bh / 2) / h
    return None if max(abs(cx - 0.5), abs(cy - 0.5)) <= CLOSE_CENTRED else (cx, cy)


def _window(
    size: tuple[int, int], zoom: float = ZOOM, centre: tuple[float, float] | None = None
) -> np.ndarray:
    """The zoom window (`zoom` of each side, around `centre` or the frame's centre, inside the
    frame) as a mask of the given (w, h)."""
    w, h = size
    m = np.zeros((h, w), bool)
    cw, ch = round(w * zoom), round(h * zoom)
    x0, y0 = _origin(w, h, cw, ch, centre)
    m[y0 : y0 + ch, x0 : x0 + cw] = True
    return m


def matte_from_mask(rgb: np.ndarray, mask: np.ndarray, *, model: Any = None) -> Matte:
    """A person's mask (uint8 HxW, object > 127, or 0/1) → a Matte refined at its edge only.

    Regions the mask adds or removes stay that way; only a band of a few pixels around its
    outline follows the photo's edges. The edge is decontaminated as in matte(). `model` is
    accepted for symmetry with matte(): the person's mask stands in for the network, so the
    confidence is 1 and only the frame and transparency checks run."""
    t0 = time.perf_counter()
    img = as_rgb_u8(rgb)
    m = np.asarray(mask)
    if m.ndim == 3:
        m = m[:, :, -1] if m.shape[2] == 4 else m[:, :, 0]
    if m.shape != img.shape[:2]:
        raise ValueError(f"the mask is {m.shape[::-1]}, the photo {img.shape[1::-1]} (w, h)")
    drawn = m > (127 if m.max() > 1 else 0)
    if not drawn.any():
        raise NoObjectFound("The mask is empty: paint the object to keep.")
    work = _Working(img)
    solid = work.resize(drawn.astype(np.float32)) > 0.5
    alpha = _full_alpha(img, work, solid, keep=drawn)
    if not alpha.any():
        raise NoObjectFound("The mask is empty: paint the object to keep.")
    out = decontaminate(img, alpha)
    score, busy = 0.0, False
    if solid.any() and not solid.all():
        bg = BackgroundModel.fit(work, solid, solid.astype(np.float32))
        score, busy = transparency_score(work, solid, bg), bg.noise > BUSY_NOISE
    return Matte(
        rgb=out,
        alpha=alpha,
        box=alpha_box(alpha),
        confidence=1.0,
        flags=matte_flags(alpha, 1.0, score, busy=busy),
        elapsed_ms=(time.perf_counter() - t0) * 1000,
    )


def _raw_saliency(net: Any, img: np.ndarray) -> np.ndarray:
    """The network's own 320x320 map (not stretched to [0, 1]) where the model offers it."""
    raw = getattr(net, "raw320", None)
    return np.asarray(raw(img) if raw else net.mask320(img), np.float32)


def _origin(
    w: int, h: int, cw: int, ch: int, centre: tuple[float, float] | None
) -> tuple[int, int]:
    """Top-left corner of a cw x ch window in a w x h frame, around centre (shares of each
    side; None: the frame's centre), moved inside the frame."""
    if centre is None:
        return (w - cw) // 2, (h - ch) // 2
    cx, cy = centre
    x0 = int(np.clip(round(cx * w - cw / 2), 0, w - cw))
    y0 = int(np.clip(round(cy * h - ch / 2), 0, h - ch))
    return x0, y0


def _zoom_consensus(
    net: Any,
    img: np.ndarray,
    raw: np.ndarray,
    zoom: float = ZOOM,
    centre: tuple[float, float] | None = None,
) -> np.ndarray:
    """raw with its centre fused with a second view of the centre: zoomed in and mirrored
    (the window around `centre` instead when given, see _window).

    On a busy backdrop the network often marks a salient thing of the scene (a cup, a cat, a
    motorcycle) together with the product in front of it. Seen closer, around the frame's
    centre where a product photo puts its product, and mirrored (so its errors are less like
    the first view's), it tells them apart more often: inside the window the map keeps what
    both views call salient (their minimum); outside it the first view stands. One more
    network pass, on busy backdrops only."""
    import cv2

    h, w = img.shape[:2]
    cw, ch = max(8, round(w * zoom)), max(8, round(h * zoom))
    x0, y0 = _origin(w, h, cw, ch, centre)
    crop = np.ascontiguousarray(img[y0 : y0 + ch, x0 : x0 + cw])
    near = _raw_saliency(net, np.ascontiguousarray(crop[:, ::-1]))[:, ::-1]
    s = raw.shape[0]
    xs, ys = round(x0 / w * s), round(y0 / h * s)
    ws, hs = max(1, round(cw / w * s)), max(1, round(ch / h * s))
    near = cv2.resize(near.astype(np.float32), (ws, hs), interpolation=cv2.INTER_AREA)
    out = raw.copy()
    out[ys : ys + hs, xs : xs + ws] = np.minimum(out[ys : ys + hs, xs : xs + ws], near)
    return out


class _Working:
    """The photo at working size: float guide in [0, 1], Lab, grey, and the filter radius."""

    def __init__(self, img: np.ndarray) -> None:
        import cv2

        h, w = img.shape[:2]
        self.full = (w, h)
        self.scale = min(1.0, WORK_SIDE / max(h, w))
        sw, sh = max(1, round(w * self.scale)), max(1, round(h * self.scale))
        self.size = (sw, sh)
        small = cv2.resize(img, (sw, sh), interpolation=cv2.INTER_AREA) if self.scale < 1 else img
        self.u8 = small
        self.guide = small.astype(np.float32) / 255.0
        self.lab = cv2.cvtColor(self.guide, cv2.COLOR_RGB2Lab)
        self.grey = self.lab[:, :, 0]
        self.radius = max(2, round(max(sw, sh) / 120))

    def resize(self, m: np.ndarray) -> np.ndarray:
        import cv2

        shrink = m.shape[1] > self.size[0]
        interp = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
        return cv2.resize(m.astype(np.float32), self.size, interpolation=interp)


def _full_alpha(
    img: np.ndarray, work: _Working, solid: np.ndarray, *, keep: np.ndarray | None = None
) -> np.ndarray:
    """Working-size object mask → uint8 alpha at the photo's size (fast guided filter).

    Deep inside the mask alpha is 255 and well outside it 0; in between the filter decides.
    With `keep` (a full-size mask a person drew) the filter only decides in a thin band around
    keep's outline."""
    import cv2

    w, h = work.full
    r = work.radius
    a, b = guided_coefficients(work.guide, solid.astype(np.float32), r, GF_EPS)
    k = np.ones((2 * r + 3, 2 * r + 3), np.uint8)
    near = cv2.dilate(solid.astype(np.uint8), k)
    box = _box_of(near, work.scale, (w, h), pad=2)
    if box is None:  # nothing at working size; a person's tiny strokes are kept as drawn
        return np.zeros((h, w), np.uint8) if keep is None else keep.astype(np.uint8) * 255
    x0, y0, x1, y1 = box
    guide = img[y0:y1, x0:x1].astype(np.float32) / 255.0
    q = apply_coefficients(*_coefficients_at(a, b, work, box), guide)
    alpha_f = np.clip((q - RAMP_LO) / (RAMP_HI - RAMP_LO), 0.0, 1.0)
    alpha = np.zeros((h, w), np.uint8)
    if keep is None:
        inner = _upsample_mask(cv2.erode(solid.astype(np.uint8), k), work, box)
        outer = _upsample_mask(near, work, box)
    else:
        band = max(2, int(np.ceil((r + 1) / work.scale)))
        kk = np.ones((2 * band + 1, 2 * band + 1), np.uint8)
        drawn = keep[y0:y1, x0:x1].astype(np.uint8)
        inner = cv2.erode(drawn, kk, borderType=cv2.BORDER_REPLICATE) > 0
        outer = cv2.dilate(drawn, kk) > 0
        if keep.any():  # parts of keep outside the working box (tiny strokes) stay drawn
            alpha[keep] = 255
    alpha_f[inner] = 1.0
    alpha_f[~outer] = 0.0
    reach = max(3, int(np.ceil(2 * (r + 1) / work.scale)))
    alpha_f = unmix_edge(guide, alpha_f, reach)
    alpha_f[inner] = 1.0
    alpha_f[~outer] = 0.0
    alpha[y0:y1, x0:x1] = np.round(alpha_f * 255).astype(np.uint8)
    return alpha


def unmix_edge(guide: np.ndarray, alpha: np.ndarray, reach: int) -> np.ndarray:
    """Alpha in the soft edge band re-estimated from colours (a local colour-line matting).

    The guided filter's edge is biased toward where the coarse mask was (its linear model
    averages the mask over each window): the halo of the old background. Where the object and
    the backdrop next to a pixel differ in colour, the pixel's colour tells its alpha: it lies
    on the line from the local background colour B to the local object colour F, so
    alpha = (I - B)·(F - B) / |F - B|². Where they hardly differ the filter's alpha stays."""
    import cv2

    soft = (alpha > 0.0) & (alpha < 1.0)
    if not soft.any():
        return alpha
    k = np.ones((3, 3), np.uint8)
    band = cv2.dilate(soft.astype(np.uint8), k) > 0
    fg = ((alpha >= 1.0) & ~band).astype(np.float32)
    bg = ((alpha <= 0.0) & ~band).astype(np.float32)
    size = (2 * reach + 1, 2 * reach + 1)
    sq = guide * guide
    # local sums by box filters over the crop, then the arithmetic on the band's pixels only
    wf, wb = cv2.blur(fg, size)[band], cv2.blur(bg, size)[band]
    wf3, wb3 = np.maximum(wf, 1e-6)[:, None], np.maximum(wb, 1e-6)[:, None]
    f = cv2.blur(guide * fg[:, :, None], size)[band] / wf3
    b = cv2.blur(guide * bg[:, :, None], size)[band] / wb3
    var_f = cv2.blur(sq * fg[:, :, None], size)[band] / wf3 - f * f
    var_b = cv2.blur(sq * bg[:, :, None], size)[band] / wb3 - b * b
    px = guide[band]
    fb = f - b
    dist2 = _dot3(fb, fb)
    unmixed = np.clip(_dot3(px - b, fb) / np.maximum(dist2, 1e-6), 0.0, 1.0)
    # the spread of each side's colours: on a busy backdrop the local mean is no colour the
    # pixel could be mixed from
    spread = np.sqrt(_dot3(np.clip(var_f, 0, None), 1.0)) + np.sqrt(
        _dot3(np.clip(var_b, 0, None), 1.0)
    )
    dist = np.sqrt(dist2)
    # trust the colours by how far apart F and B are against their spread, where both were seen
    trust = np.clip((dist - 0.06) / 0.12, 0.0, 1.0)
    trust *= np.clip(1.0 - 2.0 * spread / np.maximum(dist, 1e-6), 0.0, 1.0)
    trust *= (wf > 0.02) & (wb > 0.02)
    out = alpha.copy()
    out[band] = trust * unmixed + (1 - trust) * alpha[band]
    return out


def _dot3(x: np.ndarray, y: np.ndarray | float) -> np.ndarray:
    """Per-row sum over the last axis of 3 (x * y), faster than .sum(axis=-1)."""
    p = x * y
    return p[..., 0] + p[..., 1] + p[..., 2]


def _box_of(
    mask_small: np.ndarray, scale: float, full: tuple[int, int], pad: int
) -> tuple[int, int, int, int] | None:
    ys, xs = np.nonzero(mask_small)
    if ys.size == 0:
        return None
    w, h = full
    x0 = max(0, int(np.floor(xs.min() / scale)) - pad)
    y0 = max(0, int(np.floor(ys.min() / scale)) - pad)
    x1 = min(w, int(np.ceil((xs.max() + 1) / scale)) + pad)
    y1 = min(h, int(np.ceil((ys.max() + 1) / scale)) + pad)
    return x0, y0, x1, y1


def _crop_map(m: np.ndarray, work: _Working, box: tuple[int, int, int, int], interp: int):
    """A working-size map resampled onto the full-size crop `box` (pixel centres aligned)."""
    import cv2

    x0, y0, x1, y1 = box
    sw, sh = work.size
    w, h = work.full
    fx, fy = sw / w, sh / h
    # full pixel (x, y) centre ↔ working coordinate (x + 0.5) * fx - 0.5
    mat = np.array([[fx, 0, (x0 + 0.5) * fx - 0.5], [0, fy, (y0 + 0.5) * fy - 0.5]], np.float32)
    return cv2.warpAffine(
        m,
        mat,
        (x1 - x0, y1 - y0),
        flags=interp | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )


def _coefficients_at(a: np.ndarray, b: np.ndarray, work: _Working, box):  # noqa: ANN202
    import cv2

    return _crop_map(a, work, box, cv2.INTER_LINEAR), _crop_map(b, work, box, cv2.INTER_LINEAR)


def _upsample_mask(m: np.ndarray, work: _Working, box) -> np.ndarray:  # noqa: ANN001
    import cv2

    return _crop_map(m.astype(np.float32), work, box, cv2.INTER_LINEAR) > 0.5


# -- guided filter --------------------------------------------------------------------------


def _box_mean(x: np.ndarray, r: int) -> np.ndarray:
    import cv2

    return cv2.boxFilter(x, -1, (2 * r + 1, 2 * r + 1), borderType=cv2.BORDER_REFLECT)


def guided_coefficients(
    guide: np.ndarray, p: np.ndarray, r: int, eps: float
) -> tuple[np.ndarray, np.ndarray]:
    """Colour guided filter (He, Sun, Tang 2013) of p by guide (HxWx3 float32 in [0, 1]).

    Returns the window-averaged linear coefficients (A: HxWx3, B: HxW): the filtered map is
    sum(A * guide) + B, and the same A, B upsampled apply to a larger copy of the guide (fast
    guided filter, He & Sun 2015)."""
    guide = guide.astype(np.float32, copy=False)
    p = p.astype(np.float32, copy=False)
    mi = _box_mean(guide, r)
    mp = _box_mean(p, r)
    cov = _box_mean(guide * p[:, :, None], r) - mi * mp[:, :, None]
    ch = [guide[:, :, i] for i in range(3)]
    m = [mi[:, :, i] for i in range(3)]

    def var(i: int, j: int) -> np.ndarray:
        return _box_mean(ch[i] * ch[j], r) - m[i] * m[j] + (eps if i == j else 0.0)

    vrr, vrg, vrb, vgg, vgb, vbb = var(0, 0), var(0, 1), var(0, 2), var(1, 1), var(1, 2), var(2, 2)
    # inverse of the symmetric 3x3 covariance by cofactors, per pixel
    c00 = vgg * vbb - vgb * vgb
    c01 = vrb * vgb - vrg * vbb
    c02 = vrg * vgb - vrb * vgg
    c11 = vrr * vbb - vrb * vrb
    c12 = vrg * vrb - vrr * vgb
    c22 = vrr * vgg - vrg * vrg
    det = vrr * c00 + vrg * c01 + vrb * c02
    det = np.where(np.abs(det) < 1e-20, 1e-20, det)
    c0, c1, c2 = cov[:, :, 0], cov[:, :, 1], cov[:, :, 2]
    a = np.dstack(
        [
            (c00 * c0 + c01 * c1 + c02 * c2) / det,
            (c01 * c0 + c11 * c1 + c12 * c2) / det,
            (c02 * c0 + c12 * c1 + c22 * c2) / det,
        ]
    ).astype(np.float32)
    b = mp - _dot3(a, mi)
    return _box_mean(a, r), _box_mean(b.astype(np.float32), r)


def apply_coefficients(a: np.ndarray, b: np.ndarray, guide: np.ndarray) -> np.ndarray:
    """sum(A * guide) + B: the guided filter's output for this guide."""
    return (
        a[:, :, 0] * guide[:, :, 0] + a[:, :, 1] * guide[:, :, 1] + a[:, :, 2] * guide[:, :, 2] + b
    )


def main_parts(solid: np.ndarray, *, near: float | None = None) -> np.ndarray:
    """The connected parts at least MIN_PART of the largest one (bool mask).

    With `near` (a share of the long side), a part smaller than SIDE_PART of the largest is
    kept only when it lies within that distance of the largest: a bag's strap the network
    split off stays, a cup on the desk behind the product goes."""
    import cv2

    n, labels, stats, _ = cv2.connectedComponentsWithStats(solid.astype(np.uint8), connectivity=8)
    if n <= 1:
        return np.zeros(solid.shape, bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.zeros(n, bool)
    keep[1:] = areas >= MIN_PART * areas.max()
    if near is not None and keep.sum() > 1:
        largest = 1 + int(np.argmax(areas))
        dist = cv2.distanceTransform((labels != largest).astype(np.uint8), cv2.DIST_L2, 3)
        limit = near * max(solid.shape)
        for i in np.nonzero(keep)[0]:
            if i != largest and areas[i - 1] < SIDE_PART * areas.max():
                keep[i] = float(dist[labels == i].min()) <= limit
    return keep[labels]


def split_parts(solid: np.ndarray, lab: np.ndarray) -> np.ndarray:
    """solid's connected parts, each split where two objects were lumped together (int labels,
    0 = background).

    The network often lumps the product and a salient thing behind it into one blob. Each
    blob's thick cores are the peaks of its distance transform that stand at least SPLIT_DEPTH
    of the blob's thickest point above the saddle to any other peak (h-maxima) and are
    themselves at least SPLIT_PEAK as thick; a blob with two or more of them is cut between
    them by a watershed on the photo's colour gradient, so the cut follows the edge where one
    object ends and the other begins. A strap or a handle is thinner than its body and makes
    no core of its own, so it stays."""
    import cv2
    from skimage.morphology import h_maxima
    from skimage.segmentation import watershed

    n, labels, stats, _ = cv2.connectedComponentsWithStats(solid.astype(np.uint8), connectivity=8)
    out = np.zeros(solid.shape, np.int32)
    nxt = 1
    grad = None
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        comp = labels[y : y + h, x : x + w] == i
        dist = cv2.distanceTransform(np.pad(comp, 1).astype(np.uint8), cv2.DIST_L2, 5)[1:-1, 1:-1]
        peak = float(dist.max())
        region = out[y : y + h, x : x + w]
        if peak < 6:
            region[comp] = nxt
            nxt += 1
            continue
        peaks = h_maxima(dist, SPLIT_DEPTH * peak) & (dist >= SPLIT_PEAK * peak)
        m_n, markers = cv2.connectedComponents(peaks.astype(np.uint8), connectivity=8)
        if m_n <= 2:
            region[comp] = nxt
            nxt += 1
            continue
        if grad is None:
            gx = cv2.Sobel(lab, cv2.CV_32F, 1, 0, ksize=3)
            gy = cv2.Sobel(lab, cv2.CV_32F, 0, 1, ksize=3)
            grad = np.sqrt((gx * gx + gy * gy).sum(axis=2))
        markers = np.where(markers > 0, markers + nxt - 1, 0).astype(np.int32)
        parts = _merge_wide_contacts(watershed(grad[y : y + h, x : x + w], markers, mask=comp))
        region[comp] = parts[comp]
        nxt = int(region.max()) + 1
    return out


def _merge_wide_contacts(parts: np.ndarray) -> np.ndarray:
    """Watershed parts merged back where they meet along much of their outline.

    Two objects lumped together meet at a neck: a short stretch of either's outline. A cut
    along an edge inside one product (a watch's face in its case, a bottle's label) runs
    along much of a part's outline instead, so those parts are one object."""
    ids = [int(v) for v in np.unique(parts) if v > 0]
    if len(ids) < 2:
        return parts
    pad = np.pad(parts, 1)
    pairs = []
    for a, b in ((pad[:, :-1], pad[:, 1:]), (pad[:-1, :], pad[1:, :])):
        diff = a != b
        pairs.append(np.stack([a[diff], b[diff]], axis=1))
    edges = np.concatenate(pairs)
    perim = {i: int((edges == i).any(axis=1).sum()) for i in ids}
    root = {i: i for i in ids}

    def find(i: int) -> int:
        while root[i] != i:
            i = root[i]
        return i

    inner = edges[(edges[:, 0] > 0) & (edges[:, 1] > 0)]
    inner = np.sort(inner, axis=1)
    keys, counts = np.unique(inner, axis=0, return_counts=True) if inner.size else ([], [])
    for (i, j), c in zip(keys, counts, strict=True):
        if c > NECK_SHARE * min(perim[int(i)], perim[int(j)]):
            root[find(int(i))] = find(int(j))
    lut = np.zeros(int(parts.max()) + 1, parts.dtype)
    for i in ids:
        lut[i] = find(i)
    return lut[parts]


def pick_product(
    solid: np.ndarray,
    sal: np.ndarray,
    lab: np.ndarray,
    *,
    split: bool = True,
    looked: np.ndarray | None = None,
) -> np.ndarray:
    """The product among the salient parts (bool mask).

    A product photo's subject is its main, fairly central object: each part (after
    split_parts; without `split`, each connected blob whole) scores its saliency mass times a
    centrality weight, the best one is the product, and other parts stay only when they touch
    it or lie within PAIR_GAP of it and are not much bigger (the second of a pair of push-up
    bars, a bag's strap the network split off). Far or merged-in objects (a monitor behind, a
    cup beside) are dropped. `looked`: the closest look's window (see matte)."""
    import cv2

    _, blob = cv2.connectedComponents(solid.astype(np.uint8), connectivity=8)
    labels = split_parts(solid, lab) if split else blob
    n = int(labels.max())
    if n == 0:
        return np.zeros(solid.shape, bool)
    h, w = solid.shape
    idx = labels.ravel()
    area = np.bincount(idx, minlength=n + 1)[1:].astype(np.float64)
    mass = np.bincount(idx, weights=sal.ravel(), minlength=n + 1)[1:]
    yy, xx = np.mgrid[0:h, 0:w]
    cy = np.bincount(idx, weights=yy.ravel(), minlength=n + 1)[1:] / np.maximum(area, 1)
    cx = np.bincount(idx, weights=xx.ravel(), minlength=n + 1)[1:] / np.maximum(area, 1)
    off = np.hypot((cx - w / 2) / w, (cy - h / 2) / h)  # 0 at the centre, ~0.7 in a corner
    score = mass * np.exp(-((off / CENTRE_SIGMA) ** 2) / 2)
    score[area < MIN_PART * area.max()] = 0
    best = int(np.argmax(score)) + 1
    keep = labels == best
    dist = cv2.distanceTransform((~keep).astype(np.uint8), cv2.DIST_L2, 3)
    limit = PAIR_GAP * max(h, w)
    for j in range(1, n + 1):
        if j == best or area[j - 1] < MIN_PART * area[best - 1]:
            continue
        part = labels == j
        if area[j - 1] > PAIR_SIZE * area[best - 1]:
            continue
        if float(dist[part].min()) > limit:
            continue
        # a part cut off the same blob stays only when it is made of the same stuff (the
        # second push-up bar; a monitor the network lumped in with a bag is not), or when it
        # lies inside the closest look's window, which saw it and kept it (a skipping rope's
        # handle, red and black, on its black rope)
        if (
            blob[part][0] != blob[keep][0]
            or _colour_overlap(lab, part, labels == best) >= SAME_STUFF
            or (looked is not None and looked[part].mean() >= IN_WINDOW)
        ):
            keep |= part
    return keep


def grow_product(
    work: _Working, product: np.ndarray, region: np.ndarray, bg: BackgroundModel
) -> np.ndarray:
    """product grown back into what the closer look and the picking left out of it (bool mask).

    On a busy backdrop the network often sees only part of a product (the navy body of a bag
    over a cat's face, one bar of a pair): GrabCut, seeded with the product as foreground and
    the rest of the first view's salient region as probable background, learns the product's
    colours and takes back the pixels of that region that have them. Only what joins the
    product and does not look like the backdrop around it (BackgroundModel.likeness) is
    added; nothing is taken away."""
    import cv2

    k = np.ones((2 * work.radius + 1,) * 2, np.uint8)
    region = cv2.dilate(region.astype(np.uint8), k) > 0
    mask = np.full(product.shape, cv2.GC_BGD, np.uint8)
    mask[region] = cv2.GC_PR_BGD
    mask[product] = cv2.GC_PR_FGD
    mask[cv2.erode(product.astype(np.uint8), k) > 0] = cv2.GC_FGD
    if not (mask == cv2.GC_BGD).any() or not (region & ~product).any():
        return product  # nothing around the region to learn the backdrop from, or to add
    fg = _grabcut(work, mask)
    if fg is None:
        return product
    add = fg & region & ~product & (bg.likeness < 0.5)
    _, parts = cv2.connectedComponents((add | product).astype(np.uint8), connectivity=8)
    joined = np.unique(parts[product])
    return np.isin(parts, joined[joined > 0])


def _grabcut(work: _Working, mask: np.ndarray) -> np.ndarray | None:
    """GrabCut's foreground (bool, working size) from a seed mask of cv2.GC_* labels, or None
    when one kind has too few pixels to fit its colour model.

    It runs on a copy GRABCUT_SIDE long: its cost grows with the pixels, and at full working
    size it takes seconds."""
    import cv2

    f = min(1.0, GRABCUT_SIDE / max(mask.shape))
    size = (max(1, round(mask.shape[1] * f)), max(1, round(mask.shape[0] * f)))
    small = cv2.resize(work.u8, size, interpolation=cv2.INTER_AREA)
    small_mask = cv2.resize(mask, size, interpolation=cv2.INTER_NEAREST)
    models = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    # GrabCut seeds its colour models with k-means from OpenCV's per-thread random generator:
    # unseeded, the same photo got another cut-out after other work in the same thread.
    cv2.setRNGSeed(GRABCUT_SEED)
    try:
        cv2.grabCut(
            np.ascontiguousarray(small[:, :, ::-1]),
            small_mask,
            None,
            *models,
            GRABCUT_ITERS,
            cv2.GC_INIT_WITH_MASK,
        )
    except cv2.error:
        return None
    fg_small = ((small_mask == cv2.GC_FGD) | (small_mask == cv2.GC_PR_FGD)).astype(np.float32)
    return cv2.resize(fg_small, work.size, interpolation=cv2.INTER_LINEAR) > 0.5


def _colour_overlap(lab: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """Bhattacharyya overlap (0..1) of two regions' Lab colour histograms."""
    bins, ranges = (8, 6, 6), ((0, 100), (-60, 60), (-60, 60))
    # saturated colours (a red's a* is past 60) go to the outer bins, not out of the count
    lo, hi = np.array([0, -59.9, -59.9], np.float32), np.array([99.9, 59.9, 59.9], np.float32)
    ha, _ = np.histogramdd(np.clip(lab[a], lo, hi), bins=bins, range=ranges)
    hb, _ = np.histogramdd(np.clip(lab[b], lo, hi), bins=bins, range=ranges)
    ha, hb = ha.ravel() / max(1.0, ha.sum()), hb.ravel() / max(1.0, hb.sum())
    return float(np.sqrt(ha * hb).sum())


# -- background model and holes -------------------------------------------------------------


@dataclass
class BackgroundModel:
    """What the background looks like around an object, at working size.

    `local` is the background's Lab colour everywhere (under the object too: normalised
    convolution of the sure background), `noise` the typical Lab distance of background pixels
    to it (small on a plain backdrop, large on a busy one), `likeness` per pixel how much more
    often its colour occurs in the background than in the object (0..1)."""

    local: np.ndarray
    noise: float
    likeness: np.ndarray
    sure: np.ndarray

    @classmethod
    def fit(cls, work: _Working, solid: np.ndarray, sal: np.ndarray) -> BackgroundModel:
        import cv2

        r = work.radius
        near = cv2.dilate(solid.astype(np.uint8), np.ones((4 * r + 1, 4 * r + 1), np.uint8)) > 0
        sure = ~near & (sal < 0.15)
        if sure.sum() < 64:
            sure = ~near
        if sure.sum() < 16:  # the object fills the frame: the border is the best guess
            sure = np.zeros_like(solid)
            sure[[0, -1], :] = True
            sure[:, [0, -1]] = True
        lab = work.lab
        wgt = sure.astype(np.float32)
        sw, sh = work.size
        cells = (max(4, sw // 10), max(4, sh // 10))
        num = cv2.resize(lab * wgt[:, :, None], cells, interpolation=cv2.INTER_AREA)
        den = cv2.resize(wgt, cells, interpolation=cv2.INTER_AREA)
        sigma = max(cells) / 6
        num = cv2.GaussianBlur(num, (0, 0), sigma)
        den = cv2.GaussianBlur(den, (0, 0), sigma)
        fallback = np.median(lab[sure], axis=0)
        local_small = np.where(
            den[:, :, None] > 1e-4, num / np.maximum(den, 1e-4)[:, :, None], fallback
        )
        local = cv2.resize(local_small.astype(np.float32), (sw, sh), interpolation=cv2.INTER_LINEAR)
        dist = np.linalg.norm(lab[sure] - local[sure], axis=1)
        noise = float(np.percentile(dist, 75)) if dist.size else 0.0
        likeness = _colour_likeness(
            work.u8, sure, cv2.erode(solid.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        )
        return cls(local=local, noise=noise, likeness=likeness, sure=sure)

    def distance(self, lab: np.ndarray) -> np.ndarray:
        return np.linalg.norm(lab - self.local, axis=2)


def _colour_likeness(u8: np.ndarray, bg: np.ndarray, fg: np.ndarray) -> np.ndarray:
    """Per pixel P(colour | background) / (P(.. | background) + P(.. | object)), 16³ bins."""
    q = (u8 >> 4).astype(np.int32)
    idx = (q[:, :, 0] << 8) | (q[:, :, 1] << 4) | q[:, :, 2]
    hb = np.bincount(idx[bg], minlength=4096).astype(np.float32)
    hf = np.bincount(idx[fg], minlength=4096).astype(np.float32)
    hb /= max(1.0, hb.sum())
    hf /= max(1.0, hf.sum())
    ratio = hb / np.maximum(hb + hf, 1e-12)
    return ratio[idx]


def find_holes(
    work: _Working, solid: np.ndarray, bg: BackgroundModel, sal: np.ndarray | None = None
) -> np.ndarray:
    """Regions inside the object's outline that are background seen through it (bool mask).

    A candidate pixel looks like the background near it (close to the local background colour,
    or, on a busy backdrop, a colour the background has and the object rarely has). A candidate
    region is a hole when
    - it is enclosed: little of its rim is the outside backdrop (a white sole at a shoe's
      bottom edge is not a hole, the gap inside a mug's handle is);
    - it holds no islands of the object (a white dial with hands and numbers is not a hole);
    - its mean colour is much closer to the background there than to the object around it
      (a white label on a white product on white keeps its white surroundings), and, on a
      backdrop with grain that is not busy, differs from the object around it by more than
      HOLE_CONTRAST times the backdrop's own noise (a pastel keyboard's beige plate on a
      wooden desk stays);
    - on a busy backdrop, where colours alone say less, the network (`sal`) was unsure there."""
    import cv2

    d = bg.distance(work.lab)
    tol = float(np.clip(2.5 * bg.noise, 6.0, 14.0))
    busy = bg.noise > BUSY_NOISE
    # On a desk with grain, a product part only a few grain widths off the desk's colour (a
    # pastel keyboard's beige plate between its keys) is no evidence of a hole. Busy backdrops
    # ask the network instead (below): their spread would lose real holes.
    contrast = 8.0 if busy else max(8.0, HOLE_CONTRAST * bg.noise)
    cand = solid & (bg.likeness > BACKDROP_LIKE) & ((d < tol) | (busy & (bg.likeness > 0.85)))
    k3 = np.ones((3, 3), np.uint8)
    cand = cv2.morphologyEx(cand.astype(np.uint8), cv2.MORPH_OPEN, k3)
    cand = (cv2.morphologyEx(cand, cv2.MORPH_CLOSE, k3) > 0) & solid
    holes = np.zeros_like(solid)
    outside = _outside(solid)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(cand.astype(np.uint8), connectivity=8)
    min_area, max_area = _hole_sizes(solid)
    r = work.radius
    ring_k = np.ones((2 * r + 1, 2 * r + 1), np.uint8)
    for i in range(1, n):
        area = int(stats[i, cv2.CC_STAT_AREA])
        if area < min_area or area > max_area:
            continue
        x, y, w, h = (int(v) for v in stats[i, :4])
        ys, ye = max(0, y - 2 * r), min(solid.shape[0], y + h + 2 * r)
        xs, xe = max(0, x - 2 * r), min(solid.shape[1], x + w + 2 * r)
        comp = labels[ys:ye, xs:xe] == i
        around = (cv2.dilate(comp.astype(np.uint8), ring_k) > 0) & ~comp
        if outside[ys:ye, xs:xe][around].mean() > HOLE_RIM_OUTSIDE:
            continue
        if _filled(comp).sum() - area > 0.03 * area:
            continue
        if busy and sal is not None and float(sal[ys:ye, xs:xe][comp].mean()) > 0.8:
            continue
        ring = around & solid[ys:ye, xs:xe] & ~cand[ys:ye, xs:xe]
        if ring.sum() < 4:
            continue
        if bg.noise < CLEAN_NOISE and not _shows_clean_backdrop(d[ys:ye, xs:xe], comp, r):
            continue
        lab = work.lab[ys:ye, xs:xe]
        mean_c = lab[comp].mean(axis=0)
        d_bg = float(np.linalg.norm(mean_c - bg.local[ys:ye, xs:xe][comp].mean(axis=0)))
        d_ring = float(np.linalg.norm(mean_c - lab[ring].mean(axis=0)))
        if d_ring > contrast and d_bg < 0.5 * d_ring:
            holes[ys:ye, xs:xe] |= comp
    if busy:
        holes |= enclosed_backdrop(work, solid, bg, outside)
    return holes


def enclosed_backdrop(
    work: _Working, solid: np.ndarray, bg: BackgroundModel, outside: np.ndarray
) -> np.ndarray:
    """The holes of an object on a busy backdrop, as whole regions (bool mask).

    Gravel or grass seen inside a skipping rope's loop or under a bag's handle is no one
    colour, and its dark gaps look like the rope: pixel by pixel (find_holes) it breaks into
    specks, and the network is sure there. GrabCut, with the sure backdrop as background and
    the whole object as probable foreground, weighs the region as a whole against the
    backdrop's colours and the object's. What it gives back to the backdrop is a hole where
    it lies inside the object, away from its outline (the object eroded by the working
    radius, so a thin rope around it stays), is mostly enclosed (HOLE_RIM_OUTSIDE), and its
    colours are the backdrop's rather than the object's (BackgroundModel.likeness)."""
    import cv2

    mask = np.full(solid.shape, cv2.GC_PR_BGD, np.uint8)
    mask[bg.sure] = cv2.GC_BGD
    mask[solid] = cv2.GC_PR_FGD
    fg = _grabcut(work, mask)
    holes = np.zeros_like(solid)
    if fg is None:
        return holes
    given_back = solid & ~fg
    r = work.radius
    k = np.ones((2 * r + 1,) * 2, np.uint8)
    inner = given_back & (cv2.erode(solid.astype(np.uint8), k) > 0)
    min_area, max_area = _hole_sizes(solid)
    ring_k = np.ones((4 * r + 1,) * 2, np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(inner.astype(np.uint8), connectivity=8)
    for i in range(1, n):
        area = int(stats[i, cv2.CC_STAT_AREA])
        if area < min_area or area > max_area:
            continue
        # only the component's box, with room for both dilations (r, then 2r)
        x, y, w, h = (int(v) for v in stats[i, :4])
        ys, ye = max(0, y - 3 * r - 1), min(solid.shape[0], y + h + 3 * r + 1)
        xs, xe = max(0, x - 3 * r - 1), min(solid.shape[1], x + w + 3 * r + 1)
        # back out to the outline within what GrabCut gave back
        seed = (labels[ys:ye, xs:xe] == i).astype(np.uint8)
        comp = (cv2.dilate(seed, k) > 0) & given_back[ys:ye, xs:xe]
        around = (cv2.dilate(comp.astype(np.uint8), ring_k) > 0) & ~comp
        if outside[ys:ye, xs:xe][around].mean() > HOLE_RIM_OUTSIDE:
            continue
        if float(bg.likeness[ys:ye, xs:xe][comp].mean()) < BACKDROP_LIKE:
            continue
        holes[ys:ye, xs:xe] |= comp
    return holes


def _hole_sizes(solid: np.ndarray) -> tuple[int, int]:
    """(smallest, largest) area in pixels of a hole in `solid`: smaller is JPEG noise, larger
    is the object itself (HOLE_MIN_SHARE, HOLE_MAX_SHARE)."""
    area_obj = int(solid.sum())
    return max(6, int(HOLE_MIN_SHARE * area_obj)), int(HOLE_MAX_SHARE * area_obj)


def _shows_clean_backdrop(dist: np.ndarray, comp: np.ndarray, r: int) -> bool:
    """On a clean backdrop (one flat colour, as a retouched product shot's): does the inside
    of the opening comp, away from its edges, show exactly that colour?

    The backdrop seen through a handle or a strap's gap is the backdrop itself, so its inside
    is that colour to within JPEG noise. A surface of the product that is merely close to it
    (the black glass of a bottle on black) has shading of its own. An opening too thin to
    have an inside is judged by the other rules."""
    import cv2

    inner = cv2.erode(comp.astype(np.uint8), np.ones((2 * r + 1, 2 * r + 1), np.uint8)) > 0
    if inner.sum() < 16:
        return True
    return float(np.median(dist[inner])) <= CLEAN_HOLE_DIST


def _outside(solid: np.ndarray) -> np.ndarray:
    """The backdrop around the object: not-object parts that reach the photo's border."""
    import cv2

    n, labels = cv2.connectedComponents((~solid).astype(np.uint8), connectivity=4)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    reach = np.zeros(n, bool)
    reach[edge] = True
    reach[0] = False  # label 0 is the object itself
    return reach[labels]


def _filled(comp: np.ndarray) -> np.ndarray:
    """comp with its inner holes filled (flood fill of the outside from a padded border)."""
    import cv2

    pad = np.pad(comp.astype(np.uint8), 1)
    flood = pad.copy()
    mask = np.zeros((pad.shape[0] + 2, pad.shape[1] + 2), np.uint8)
    cv2.floodFill(flood, mask, (0, 0), 2)
    return (flood != 2)[1:-1, 1:-1]


# -- decontamination ------------------------------------------------------------------------


def _blur_means(
    fg: np.ndarray, bgc: np.ndarray, a: np.ndarray, r: int
) -> tuple[np.ndarray, np.ndarray]:
    """Alpha-weighted local means of the foreground and background colours (box radius r)."""
    import cv2

    k = (2 * r + 1, 2 * r + 1)
    ba = cv2.blur(a, k)
    bf = cv2.blur(fg * a[:, :, None], k) / (ba[:, :, None] + 1e-5)
    bb = cv2.blur(bgc * (1 - a)[:, :, None], k) / ((1 - ba)[:, :, None] + 1e-5)
    return bf, bb


def estimate_foreground(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """The object's own colour under a soft alpha: HxWx3 float32 in [0, 1].

    Blur-fusion (Germer, Uelwer, Conrad, Harmeling 2021): local alpha-weighted means of the
    object and of the background, then each pixel's colour corrected so that
    alpha * F + (1 - alpha) * B reproduces it. Coarse level at about 1 Mpx scale, fine level
    at full size."""
    import cv2

    img = rgb.astype(np.float32) / 255.0
    a = alpha.astype(np.float32) / 255.0 if alpha.dtype == np.uint8 else alpha.astype(np.float32)
    h, w = a.shape
    s = min(1.0, 512 / max(h, w))
    r_coarse = max(2, round(FG_RADII[0] * max(h, w) / 1024 * s))
    if s < 1:
        size = (max(1, round(w * s)), max(1, round(h * s)))
        img_s = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
        a_s = cv2.resize(a, size, interpolation=cv2.INTER_AREA)
        bf, bb = _blur_means(img_s, img_s, a_s, r_coarse)
        bf = cv2.resize(bf, (w, h), interpolation=cv2.INTER_LINEAR)
        bb = cv2.resize(bb, (w, h), interpolation=cv2.INTER_LINEAR)
    else:
        bf, bb = _blur_means(img, img, a, r_coarse)
    a3 = a[:, :, None]
    fg = np.clip(bf + a3 * (img - a3 * bf - (1 - a3) * bb), 0.0, 1.0)
    r_fine = max(1, round(FG_RADII[1] * max(1.0, max(h, w) / 1024)))
    bf, bb = _blur_means(fg, bb, a, r_fine)
    return np.clip(bf + a3 * (img - a3 * bf - (1 - a3) * bb), 0.0, 1.0)


def decontaminate(rgb: np.ndarray, alpha: np.ndarray, *, reach: int = 3) -> np.ndarray:
    """The photo with its edge colours replaced by the estimated foreground.

    Pixels with 0 < alpha < 255 get the object's own colour, and background pixels up to
    `reach` pixels outside the edge get it extended outward (so resizing the RGBA later does not
    pull the old background back in). Pixels with alpha == 255 are untouched."""
    import cv2

    out = rgb.copy()
    soft = (alpha > 0) & (alpha < 255)
    obj = (alpha > 0).astype(np.uint8)
    ring = (cv2.dilate(obj, np.ones((2 * reach + 1,) * 2, np.uint8)) > 0) & (alpha == 0)
    todo = soft | ring
    if not todo.any():
        return out
    ys, xs = np.nonzero(todo)
    pad = 24
    h, w = alpha.shape
    y0, y1 = max(0, ys.min() - pad), min(h, ys.max() + 1 + pad)
    x0, x1 = max(0, xs.min() - pad), min(w, xs.max() + 1 + pad)
    fg = estimate_foreground(rgb[y0:y1, x0:x1], alpha[y0:y1, x0:x1])
    fg8 = np.round(fg * 255).astype(np.uint8)
    sel = todo[y0:y1, x0:x1]
    out[y0:y1, x0:x1][sel] = fg8[sel]
    return out


# -- checks ---------------------------------------------------------------------------------


def saliency_confidence(raw: np.ndarray) -> float:
    """How decisive the network is over the object and its rim: mean |2p - 1| where p > 0.05.

    A clean product shot scores about 0.9; a map that hovers in the middle scores low."""
    p = np.asarray(raw, np.float32)
    region = p > 0.05
    if not region.any():
        return 0.0
    decisive = float(np.abs(2 * p[region] - 1).mean())
    peak = min(1.0, float(p.max()) / 0.9)
    return float(np.clip(decisive * peak, 0.0, 1.0))


def transparency_score(work: _Working, solid: np.ndarray, bg: BackgroundModel) -> float:
    """How much the object's inside looks like the background around it (0..1).

    Histogram overlap (Bhattacharyya) of the inside's colours with the nearby background's:
    glass shows what is behind it, so a clear bottle scores high; a product with its own colour
    scores low. A product the same colour as its backdrop scores high too, which is fair: its
    edge cannot be trusted either."""
    import cv2

    r = work.radius
    inside = cv2.erode(solid.astype(np.uint8), np.ones((2 * r + 1,) * 2, np.uint8)) > 0
    if inside.sum() < 32:
        inside = solid
    ring_out = cv2.dilate(solid.astype(np.uint8), np.ones((12 * r + 1,) * 2, np.uint8)) > 0
    around = ring_out & bg.sure
    if around.sum() < 32:
        around = bg.sure
    if inside.sum() < 8 or around.sum() < 8:
        return 0.0
    lab = work.lab
    bins = (8, 6, 6)
    ranges = ((0, 100), (-60, 60), (-60, 60))

    def hist(sel: np.ndarray) -> np.ndarray:
        h, _ = np.histogramdd(lab[sel], bins=bins, range=ranges)
        return h.ravel() / max(1.0, h.sum())

    return float(np.sqrt(hist(inside) * hist(around)).sum())


def frame_sides(alpha: np.ndarray) -> list[str]:
    """The sides of the photo the object runs off ("top", "right", "bottom", "left")."""
    solid = alpha >= 128
    h, w = solid.shape
    sides = []
    for name, line, length in (
        ("top", solid[0], w),
        ("right", solid[:, -1], h),
        ("bottom", solid[-1], w),
        ("left", solid[:, 0], h),
    ):
        if line.sum() >= max(3, FRAME_TOUCH * length):
            sides.append(name)
    return sides


def matte_flags(
    alpha: np.ndarray, confidence: float, transparency: float, *, busy: bool = False
) -> list[MatteFlag]:
    """The flags for a finished matte, with English messages (keys cutout.flag.<code>).

    `busy`: the backdrop is busy, so its colours overlap the object's more by chance."""
    flags = []
    if confidence < LOW_CONFIDENCE:
        flags.append(
            MatteFlag(
                "low_confidence",
                FLAG_MESSAGES["low_confidence"],
                {"confidence": f"{confidence:.2f}"},
            )
        )
    if transparency >= (TRANSPARENT_SCORE_BUSY if busy else TRANSPARENT_SCORE):
        flags.append(
            MatteFlag("transparent", FLAG_MESSAGES["transparent"], {"score": f"{transparency:.2f}"})
        )
    sides = frame_sides(alpha)
    if sides:
        s = ",".join(sides)
        flags.append(
            MatteFlag("cut_by_frame", FLAG_MESSAGES["cut_by_frame"].format(sides=s), {"sides": s})
        )
    return flags


def alpha_box(alpha: np.ndarray) -> tuple[int, int, int, int]:
    """(x, y, w, h) of alpha > 0."""
    ys, xs = np.nonzero(alpha)
    if ys.size == 0:
        return (0, 0, 0, 0)
    return (
        int(xs.min()),
        int(ys.min()),
        int(xs.max() - xs.min() + 1),
        int(ys.max() - ys.min() + 1),
    )


# -- Desk Makeover's forms ------------------------------------------------------------------


def salient_mask(rgb: np.ndarray, *, model: Any = None) -> np.ndarray:
    """How much each pixel belongs to the photo's main object: HxW float32 in [0, 1].

    Raw U2Net-p output upsampled to the photo's size (no refinement): for analysis, where a
    soft map is what is wanted."""
    import cv2

    img = as_rgb_u8(rgb)
    h, w = img.shape[:2]
    m = _model(model).mask320(img)
    return cv2.resize(m, (w, h), interpolation=cv2.INTER_LINEAR)


def refine_alpha(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A soft saliency map (any size) → alpha at rgb's size, float32 in [0, 1].

    The lighter refinement (grey guided filter, no holes, no decontamination); matte() is the
    full one."""
    import cv2

    img = as_rgb_u8(rgb)
    h, w = img.shape[:2]
    scale = min(1.0, REFINE_MAX_SIDE / max(h, w))
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    small = cv2.resize(img, (sw, sh), interpolation=cv2.INTER_AREA) if scale < 1 else img
    m = cv2.resize(mask.astype(np.float32), (sw, sh), interpolation=cv2.INTER_LINEAR)
    radius = max(2, round(max(sw, sh) / 160))
    guide = small.astype(np.float32) / 255.0
    m = cv2.ximgproc.guidedFilter(guide, m, radius, 1e-3)
    alpha = np.clip((m - ALPHA_LO) / (ALPHA_HI - ALPHA_LO), 0.0, 1.0).astype(np.float32)
    alpha *= _keep_main_parts(alpha > 0.5)
    if scale < 1:
        alpha = cv2.resize(alpha, (w, h), interpolation=cv2.INTER_LINEAR)
    return alpha


def _keep_main_parts(solid: np.ndarray) -> np.ndarray:
    """1 on connected parts at least MIN_PART of the largest (and their soft rim), else 0."""
    import cv2

    kept = main_parts(solid).astype(np.uint8)
    # the soft rim outside the 0.5 contour belongs to the part it surrounds
    rim = max(3, round(max(solid.shape) / 100)) | 1
    return cv2.dilate(kept, np.ones((rim, rim), np.uint8)).astype(np.float32)


def cut_out(rgb: np.ndarray, *, model: Any = None) -> np.ndarray:
    """The photo's main object as HxWx4 uint8 RGBA (matte(): holes cut, edges decontaminated),
    cropped to its bounding box.

    Raises NoObjectFound when nothing stands out (a blank or uniform photo)."""
    m = matte(rgb, model=model)
    x, y, w, h = m.box
    hh, ww = m.alpha.shape
    y0, y1 = max(0, y - CROP_MARGIN), min(hh, y + h + CROP_MARGIN)
    x0, x1 = max(0, x - CROP_MARGIN), min(ww, x + w + CROP_MARGIN)
    return np.ascontiguousarray(m.rgba()[y0:y1, x0:x1])


def crop_rgba(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """RGB + float alpha → RGBA uint8 cropped to where alpha > 0.5 (plus CROP_MARGIN)."""
    ys, xs = np.nonzero(alpha > 0.5)
    if ys.size == 0:
        raise _no_object()
    h, w = alpha.shape
    y0, y1 = max(0, ys.min() - CROP_MARGIN), min(h, ys.max() + 1 + CROP_MARGIN)
    x0, x1 = max(0, xs.min() - CROP_MARGIN), min(w, xs.max() + 1 + CROP_MARGIN)
    a = np.round(alpha[y0:y1, x0:x1] * 255).astype(np.uint8)
    return np.ascontiguousarray(np.dstack([rgb[y0:y1, x0:x1], a]))
