"""Product-code recognition on a tag crop: crop in, ranked code candidates out.

    from pixelsmith.apps.tags.recognize import recognize
    r = recognize(crop_rgb)           # uses the registry's "ocr" model (PP-OCRv4 on onnxruntime)
    r.code, r.confidence, r.alternatives

How it works (adaptive; it stops as soon as a confident, pattern-fitting reading is found):

1. *Whole crop*: the crop is padded with its border colour (tight crops lose edge strokes
   otherwise) and read as one line by the recognizer, whose CTC probabilities are folded onto
   the code charset and decoded both freely and within each brand pattern (`codes`).
2. *Lines*: otherwise the text detector finds the lines in the padded, rescaled crop; each line
   is rectified from its rotated box (this deskews tilted text) and read; lines that look like
   sizes, "MADE IN …" or barcode numbers lose to the one that looks like a product code.
3. *Variants* (opt-in, ``max_stage=3``): the best line re-read as CLAHE grey, inverted,
   sharpened and slightly rotated versions in one batched call; all readings vote.

Every reading scores ``log p(path) − log p(best free path) + bonus(pattern)``; a pattern is a
bonus, not a filter, so a code that fits no brand pattern is still returned.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from . import codes as C

# Log-prior bonus (nats) for a reading that fits a brand pattern, relative to a free reading.
PATTERN_BONUS = 4.0
# Readings that are not product codes: sizes, origin, barcode-like numbers.
_NOT_CODE = re.compile(
    r"^(MADEIN\w*|SIZE\w*|US\d.*|UK\d.*|EUR\d.*|CM\d.*|JP\d.*|USM\d.*|\d{11,14})$"
)
# Extra penalty (nats) for a free reading that a confusable swap would turn into a pattern.
NEAR_PATTERN_PENALTY = 3.0
_STOP_CONF = 0.90  # early stop: best reading's confidence at least this and pattern-fitting
MAX_ALTERNATIVES = 5


@dataclass
class Recognition:
    code: str
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    stage: str = ""  # which stage decided: whole | lines | variants | photo
    # Whole photos only: the code line found, four (x, y) corners in input pixels.
    box: list[tuple[float, float]] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "confidence": round(self.confidence, 4),
            "alternatives": [[c, round(s, 4)] for c, s in self.alternatives],
            "timings": {k: round(v, 2) for k, v in self.timings.items()},
            "stage": self.stage,
            "box": [[round(x, 1), round(y, 1)] for x, y in self.box] if self.box else None,
        }


# ---- image helpers ------------------------------------------------------------------------------


def _as_rgb(img: np.ndarray) -> np.ndarray:
    a = np.asarray(img)
    if a.dtype != np.uint8:
        a = np.clip(a, 0, 255).astype(np.uint8)
    if a.ndim == 2:
        a = np.stack([a] * 3, axis=-1)
    elif a.shape[2] == 4:
        a = a[:, :, :3]
    return np.ascontiguousarray(a)


def border_colour(img: np.ndarray) -> tuple[int, int, int]:
    edge = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
    return tuple(int(v) for v in np.median(edge, axis=0))


def pad(img: np.ndarray, px: int) -> np.ndarray:
    """Pad with the border colour (a tight crop keeps its edge strokes readable)."""
    return cv2.copyMakeBorder(img, px, px, px, px, cv2.BORDER_CONSTANT, value=border_colour(img))


def _scale_to(img: np.ndarray, h: int) -> np.ndarray:
    s = h / img.shape[0]
    if abs(s - 1) < 0.05:
        return img
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC
    return cv2.resize(img, (max(1, round(img.shape[1] * s)), h), interpolation=interp)


def _clahe(img: np.ndarray) -> np.ndarray:
    g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    g = cv2.createCLAHE(clipLimit=2.5, tileGridSize=(2, 8)).apply(g)
    return cv2.cvtColor(g, cv2.COLOR_GRAY2RGB)


def _sharpen(img: np.ndarray) -> np.ndarray:
    blur = cv2.GaussianBlur(img, (0, 0), 1.5)
    return cv2.addWeighted(img, 1.8, blur, -0.8, 0)


def _rotate(img: np.ndarray, deg: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
    return cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)


def text_mask(img: np.ndarray) -> np.ndarray:
    """Binary text mask (text = 1) by Otsu, polarity chosen so the border is background."""
    g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    g = cv2.GaussianBlur(g, (3, 3), 0)
    _t, m = cv2.threshold(g, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    edge = np.concatenate([m[0], m[-1], m[:, 0], m[:, -1]])
    if edge.mean() > 0.5:
        m = 1 - m
    return m


def estimate_skew(img: np.ndarray, max_deg: float = 32.0) -> float:
    """Text angle in degrees (counter-clockwise positive, as cv2.getRotationMatrix2D): the
    rotation that makes the row profile of the text mask the sharpest."""
    h, w = img.shape[:2]
    s = 64 / max(h, w) if max(h, w) > 64 else 1.0
    small = cv2.resize(
        img, (max(8, round(w * s)), max(8, round(h * s))), interpolation=cv2.INTER_AREA
    )
    m = text_mask(small).astype(np.float32)
    if m.mean() < 0.02:
        return 0.0
    hh, ww = m.shape
    side = int(math.hypot(hh, ww)) + 2
    canvas = np.zeros((side, side), np.float32)
    y0, x0 = (side - hh) // 2, (side - ww) // 2
    canvas[y0 : y0 + hh, x0 : x0 + ww] = m
    best, best_a = -1.0, 0.0
    for a in np.arange(-max_deg, max_deg + 0.1, 2.0):
        r = cv2.warpAffine(
            canvas, cv2.getRotationMatrix2D((side / 2, side / 2), float(a), 1.0), (side, side)
        )
        prof = r.sum(1)
        v = float((prof**2).sum())
        if v > best:
            best, best_a = v, float(a)
    return -best_a


def deskew(img: np.ndarray, deg: float) -> np.ndarray:
    """Rotate by `deg` (see estimate_skew) with the canvas grown to keep the corners, filled
    with the border colour."""
    if abs(deg) < 1.5:
        return img
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -deg, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos) + 2, int(h * cos + w * sin) + 2
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(
        img,
        m,
        (nw, nh),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=border_colour(img),
    )


def _quad_height(q: np.ndarray) -> float:
    return (
        float(
            min(np.linalg.norm(q[0] - q[3]), np.linalg.norm(q[1] - q[2]))
            + max(np.linalg.norm(q[0] - q[3]), np.linalg.norm(q[1] - q[2]))
        )
        / 2
    )


def _axes(q: np.ndarray) -> tuple[np.ndarray, float, float]:
    """A line box's text direction (unit vector along its long side), length and thickness,
    whatever corner the detector starts at (a vertical line's box starts on a short side)."""
    e1, e2 = q[1] - q[0], q[2] - q[1]
    n1, n2 = float(np.linalg.norm(e1)), float(np.linalg.norm(e2))
    if n2 > n1:
        e1, n1, n2 = e2, n2, n1
    return e1 / max(n1, 1e-6), n1, n2


def merge_line_boxes(quads: list[np.ndarray]) -> list[np.ndarray]:
    """Join boxes that are pieces of one line (a code with a wide gap, "343938  013")."""
    boxes = [np.asarray(q, np.float32) for q in quads]
    merged = True
    while merged and len(boxes) > 1:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                ux, wa, ha = _axes(a)
                _ub, wb, hb = _axes(b)
                if not 0.6 < ha / max(hb, 1e-6) < 1.6:
                    continue
                ca, cb = a.mean(0), b.mean(0)
                d = cb - ca
                along, across = abs(float(d @ ux)), abs(float(d[0] * -ux[1] + d[1] * ux[0]))
                gap = along - (wa + wb) / 2
                if across < 0.35 * max(ha, hb) and gap < 2.0 * max(ha, hb):
                    rect = cv2.minAreaRect(np.concatenate([a, b]))
                    pts = cv2.boxPoints(rect).astype(np.float32)
                    boxes[i] = _order_quad(pts)
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return boxes


def _order_quad(pts: np.ndarray) -> np.ndarray:
    """Corners clockwise from top-left, for a box whose long side is the text direction."""
    c = pts.mean(0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    pts = pts[np.argsort(ang)]  # clockwise in image coords, starting anywhere
    # start at the corner for which the next edge is the long (text) side and runs rightwards
    best = 0
    best_score = -1e9
    for k in range(4):
        p0, p1 = pts[k], pts[(k + 1) % 4]
        e = p1 - p0
        score = np.linalg.norm(e) * (1 if e[0] > 0 else -1)
        if score > best_score:
            best_score, best = score, k
    return np.roll(pts, -best, axis=0)


def _warp_quad(img: np.ndarray, quad: np.ndarray, grow: float = 0.12) -> np.ndarray:
    """Rectify a rotated text box (grown a little, as the recognizer likes some margin)."""
    q = quad.astype(np.float32)
    w = max(np.linalg.norm(q[0] - q[1]), np.linalg.norm(q[2] - q[3]))
    h = max(np.linalg.norm(q[0] - q[3]), np.linalg.norm(q[1] - q[2]))
    if h > w * 1.5:  # vertical box: the text runs along the long side
        q = np.roll(q, -1, axis=0)
        w, h = h, w
    c = q.mean(0)
    ux = (q[1] - q[0]) / max(np.linalg.norm(q[1] - q[0]), 1e-6)
    uy = (q[3] - q[0]) / max(np.linalg.norm(q[3] - q[0]), 1e-6)
    gw, gh = w * (1 + grow * 0.5), h * (1 + grow * 2)
    src = np.array(
        [
            c - ux * gw / 2 - uy * gh / 2,
            c + ux * gw / 2 - uy * gh / 2,
            c + ux * gw / 2 + uy * gh / 2,
            c - ux * gw / 2 + uy * gh / 2,
        ],
        np.float32,
    )
    W, H = max(8, int(round(gw))), max(8, int(round(gh)))
    dst = np.array([[0, 0], [W, 0], [W, H], [0, H]], np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(
        img, m, (W, H), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )


# ---- scoring ------------------------------------------------------------------------------------


@dataclass
class _Hyp:
    source: str
    cands: list[tuple[str, float]]  # (code, posterior within this reading), best first
    quality: float  # how clean the reading is (0..1), and how like a code
    weight: float = 1.0
    clarity: float = 0.0  # how clean the reading is, code or not (the recognizer's confidence)

    @property
    def best(self) -> tuple[str, float]:
        return self.cands[0] if self.cands else ("", 0.0)


def _plausibility(code: str) -> float:
    n = C.normalize(code)
    if not n:
        return 0.0
    if _NOT_CODE.match(n):
        return 0.05
    if len(n) < 4:
        return 0.1
    if len(n) > 14:
        return 0.3
    if n.isalpha() and C.family(n) == "generic":
        # words (brand names, "VIETNAM") are rarely product codes, several never ("RUNNING MENS")
        return 0.1 if len(code.split()) > 1 else 0.4
    return 1.0


def _read(probs: np.ndarray, classes: list[str], source: str, weight: float = 1.0) -> _Hyp:
    cp = C.charset_probs(probs, classes)
    g = C.greedy(cp)
    readings = [g] + (C.decode_patterns(cp) if len(cp) >= 4 else [])
    scores: dict[str, tuple[str, float]] = {}
    for r in readings:
        # the reading itself and what the code prior makes of it (label words dropped, O→0
        # where codes have digits, a stray last character dropped), each with its log-prior
        swap = C.swap_logp(r, cp) if r is g else None
        for code, log_prior in C.prior_variants(r.code, swap):
            fits = C.family(code) != "generic"
            s = r.logp - g.logp + log_prior + (PATTERN_BONUS if fits else 0.0)
            if not fits and C.repair(code, max_swaps=2):
                # a confusable or two away from a brand pattern: the prior prefers the fit
                s -= NEAR_PATTERN_PENALTY
            s += math.log(max(_plausibility(code), 1e-3))
            k = C.normalize(code)
            if k not in scores or scores[k][1] < s:
                scores[k] = (code, s)
    if not scores:
        return _Hyp(source, [], 0.0, weight)
    items = sorted(scores.values(), key=lambda x: -x[1])
    top = items[0][1]
    z = sum(math.exp(s - top) for _c, s in items)
    cands = [(c, math.exp(s - top) / z) for c, s in items]
    quality = g.confidence * _plausibility(items[0][0])
    return _Hyp(source, cands, quality, weight, g.confidence)


def _vote(hyps: list[_Hyp]) -> list[tuple[str, float]]:
    """Combine readings: each adds quality × posterior to its codes; best reading counts most."""
    agg: dict[str, list[Any]] = {}
    for h in hyps:
        for code, post in h.cands[:4]:
            k = C.normalize(code)
            e = h.weight * h.quality * post
            if k not in agg:
                agg[k] = [code, 0.0, 0.0]
            agg[k][1] += e
            agg[k][2] = max(agg[k][2], e)
    total = sum(h.weight * h.quality for h in hyps) or 1.0
    ranked = []
    for _k, (code, s, mx) in agg.items():
        share = s / total  # agreement between readings
        score = 0.5 * mx + 0.5 * share
        ranked.append((code, score))
    ranked.sort(key=lambda x: -x[1])
    return ranked


def _fits_pattern(code: str) -> bool:
    return C.family(code) != "generic"


# ---- the pipeline -------------------------------------------------------------------------------


def _get_ocr(ocr: Any) -> Any:
    if ocr is not None:
        return ocr
    from pixelsmith.core.models import registry

    return registry.get("ocr")


# A reading this sure is kept as it is; below it the crop is also read turned by 90°, 270° and
# 180° (a code that runs vertically, or pixels turned by a wrong EXIF Orientation tag).
SURE_PATTERN_CONF = 0.75  # for a code that fits a brand pattern
SURE_FREE_CONF = 0.93  # for one that fits none (and has SURE_FREE_CHARS or more)
SURE_FREE_CHARS = 6
# A turned reading replaces the upright one only if it is this much more confident (upright is
# by far the commonest, and a turned "NOS" can read as a confident "SON").
TURN_MARGIN = 0.10


def _sure(r: Recognition) -> bool:
    if not r.code:
        return False
    if _fits_pattern(r.code):
        return r.confidence >= SURE_PATTERN_CONF
    return r.confidence >= SURE_FREE_CONF and len(C.normalize(r.code)) >= SURE_FREE_CHARS


def _merit(r: Recognition) -> float:
    """How much a reading counts when turns compete: its confidence, less for a code that
    fits no pattern or is shorter than most codes (a turned code often reads as a short one)."""
    if not r.code:
        return 0.0
    n = len(C.normalize(r.code))
    return r.confidence * (1.0 if _fits_pattern(r.code) else 0.8) * min(1.0, n / 6)


def recognize(
    crop_rgb: np.ndarray, *, ocr: Any = None, max_stage: int = 2, turns: bool = True
) -> Recognition:
    """Ranked product-code candidates for a crop around a code (RGB uint8).

    `max_stage` 1 reads the whole crop only, 2 (default) adds detected lines, 3 adds the
    preprocessing variants (CLAHE, inverted, sharpened, ±4°): measured on the rendered sets,
    stage 3 did not raise accuracy and doubled p95 latency, so it is opt-in.

    With `turns`, an unsure reading (see `_sure`) is retried on the crop turned by a half turn
    and, for a tall crop (a vertical code, or pixels turned by a wrong EXIF tag), then by the
    quarter turns; the most confident reading wins; `stage` then ends in "@90", "@180" or
    "@270" (degrees the crop was turned counter-clockwise).
    """
    t0 = time.perf_counter()
    model = _get_ocr(ocr)
    img = _as_rgb(crop_rgb)
    if img.shape[0] < 4 or img.shape[1] < 4:
        return Recognition("", 0.0, [], {"total_ms": 0.0}, "empty")
    best = _recognize_upright(img, model, max_stage)
    if not turns or _sure(best):
        return best
    timings = dict(best.timings)
    h, w = img.shape[:2]
    # Quarter turns counter-clockwise. The half turn goes first: on a tall crop the detected
    # line box is already rectified by a quarter turn one way, so "upside down" is the other
    # way. Only a tall crop can hold a line turned on its side: a wide one turned by 90°
    # comes back tall and is rectified to the very same reading, so for it quarter turns add
    # cost and false agreement.
    order = (2, 1, 3) if h > w else (2,)
    readings = [(0, best)]
    for k in order:
        r = _recognize_upright(np.ascontiguousarray(np.rot90(img, k)), model, max_stage)
        timings[f"turn{90 * k}_ms"] = r.timings.get("total_ms", 0.0)
        readings.append((k, r))
        if _sure(r):
            break
    # Turns that agree add up (a code read the same way at 90° and 270° of a tall crop is
    # likelier than one confident misreading); the upright reading starts TURN_MARGIN ahead.
    votes: dict[str, float] = {}
    for k, r in readings:
        key = C.normalize(r.code)
        votes[key] = votes.get(key, 0.0) + _merit(r) + (TURN_MARGIN if k == 0 else 0.0)
    winner = max(votes, key=lambda key: votes[key])
    k, best = max(
        (kr for kr in readings if C.normalize(kr[1].code) == winner), key=lambda kr: _merit(kr[1])
    )
    if k:
        best.stage = f"{best.stage}@{90 * k}"
    timings["total_ms"] = (time.perf_counter() - t0) * 1000
    best.timings = timings
    return best


# A whole photo (no crop box) at least this large (longest side, px) goes to `find_code`;
# smaller ones are read as a crop (a photo that is already cropped to the code).
PHOTO_SIDE = 800
PHOTO_DET_SIDE = 640  # detector input, longest side: detection cost grows with its area
PHOTO_MAX_LINES = 6  # lines read per photo: the tallest, most central ones ...
PHOTO_MIN_THICKNESS = 0.45  # ... at least this thick against the thickest line ...
PHOTO_WIDTH_BUDGET = 2500  # ... and this many pixels of line at recognizer height, in all
CODE_MAX_ASPECT = 16  # a longer line (20+ characters) is label text that may hold a code
PHOTO_FLIP_LINES = 3  # lines also read upside down when the best reading is unsure


def read_photo(photo_rgb: np.ndarray, *, ocr: Any = None) -> Recognition:
    """A whole upload with no crop box: `find_code` on a large photo, `recognize` on a small
    one (it is most likely cropped to the code already)."""
    if max(np.shape(photo_rgb)[:2]) >= PHOTO_SIDE:
        return find_code(photo_rgb, ocr=ocr)
    return recognize(photo_rgb, ocr=ocr)


def find_code(photo_rgb: np.ndarray, *, ocr: Any = None, turns: bool = True) -> Recognition:
    """The product code on a whole photo (no crop): detect text lines on a downscaled copy,
    read the likeliest few at full resolution, and return the best with its `box`.

    Text that runs vertically (a photo turned by a wrong EXIF tag, a code printed up a tag's
    side) is handled by the rectification, which turns a tall box to horizontal; whether it
    then reads upside down is unknown, so when the best reading is unsure the top lines are
    also read turned by 180° and the likelier reading wins.
    """
    t0 = time.perf_counter()
    model = _get_ocr(ocr)
    classes = model.charset
    img = _as_rgb(photo_rgb)
    timings: dict[str, float] = {}
    h, w = img.shape[:2]
    s = min(PHOTO_DET_SIDE / max(h, w), 1.0)
    small = cv2.resize(img, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
    quads = merge_line_boxes(model.detect(small))
    t = time.perf_counter()
    timings["detect_ms"] = (t - t0) * 1000
    centre = np.array([w, h], np.float32) * s / 2
    diag = float(np.hypot(w, h) * s / 2)
    # Recognition is most of a photo's time and grows with the lines' length: read only the
    # likeliest lines. Product codes are usually the most prominent, most central line.
    ranked = []
    for q in quads:
        _u, length, thick = _axes(q)
        off = float(np.linalg.norm(q.mean(0) - centre)) / max(diag, 1.0)
        aspect = length / max(thick, 1.0)
        score = thick**1.5 * (1.0 - 0.5 * min(off, 1.0)) * min(1.0, CODE_MAX_ASPECT / aspect)
        ranked.append((score, q, thick, 48 * aspect))
    ranked.sort(key=lambda x: -x[0])
    found, budget = [], PHOTO_WIDTH_BUDGET
    thickest = max((th for _s, _q, th, _w in ranked), default=0.0)
    for score, q, thick, width in ranked:
        if len(found) == PHOTO_MAX_LINES or (found and width > budget):
            break
        if thick >= PHOTO_MIN_THICKNESS * thickest or not found:
            found.append((score, q))
            budget -= width
    if not found:
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        return Recognition("", 0.0, [], timings, "photo")
    top_w = found[0][0]
    crops = [_scale_to(_warp_quad(img, q / s), 48) for _w, q in found]
    hyps = [
        _read(p, classes, "line", weight=lw / top_w)
        for (lw, _q), p in zip(found, _rec_by_width(model, crops), strict=True)
    ]
    t = _lap(timings, "lines_ms", t)

    def merit(hy: _Hyp) -> float:
        code, post = hy.best
        return hy.weight**0.5 * hy.quality * post * (1.0 if _fits_pattern(code) else 0.6)

    order = sorted(range(len(hyps)), key=lambda i: -merit(hyps[i]))
    best_i, flipped = order[0], False
    best_hyp = hyps[best_i]
    if turns and best_hyp.quality * best_hyp.best[1] < SURE_PATTERN_CONF:
        # The photo's lines share one orientation: decide it on the top lines together (text
        # reads cleanly one way only; upside down, any one line can still look like a code).
        idx = order[:PHOTO_FLIP_LINES]
        flips = model.rec_probs([np.ascontiguousarray(crops[i][::-1, ::-1]) for i in idx])
        turned = [
            _read(p, classes, "line180", weight=hyps[i].weight)
            for i, p in zip(idx, flips, strict=True)
        ]
        upright = sum(hyps[i].clarity for i in idx)
        if sum(hy.clarity for hy in turned) > upright + TURN_MARGIN * len(idx):
            k = max(range(len(idx)), key=lambda j: merit(turned[j]))
            best_i, best_hyp, flipped = idx[k], turned[k], True
        t = _lap(timings, "turn180_ms", t)
    q = found[best_i][1] / s
    r = _result(_vote([best_hyp]), timings, t0, "photo@180" if flipped else "photo")
    # An unsure line is read again as a crop (with room around it, as a user would draw the
    # box), which is what the crop pipeline is tuned for: the likelier of the two readings wins.
    if best_hyp.quality * best_hyp.best[1] < SURE_PATTERN_CONF:
        region = _warp_quad(img, q, grow=0.6)
        region = np.ascontiguousarray(region[::-1, ::-1]) if flipped else region
        again = _recognize_upright(region, model, 2)
        if again.code and _merit(again) >= _merit(r) - TURN_MARGIN:
            again.stage = f"{r.stage}+crop"
            r = again
        timings["reread_ms"] = again.timings.get("total_ms", 0.0)
    timings["total_ms"] = (time.perf_counter() - t0) * 1000
    r.timings = timings
    r.box = [(float(x), float(y)) for x, y in q]
    return r


def _rec_by_width(model: Any, crops: list[np.ndarray], group: int = 3) -> list[np.ndarray]:
    """`model.rec_probs` in batches of similar widths: one batch pads every line to the widest,
    and on a photo a short size line next to a long barcode number would cost as much as it."""
    order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1])
    out: list[np.ndarray] = [np.empty(0)] * len(crops)
    for k in range(0, len(order), group):
        idx = order[k : k + group]
        for i, p in zip(idx, model.rec_probs([crops[i] for i in idx]), strict=True):
            out[i] = p
    return out


def _lap(timings: dict[str, float], name: str, since: float) -> float:
    now = time.perf_counter()
    timings[name] = timings.get(name, 0.0) + (now - since) * 1000
    return now


def _recognize_upright(img: np.ndarray, model: Any, max_stage: int) -> Recognition:
    """One reading of the crop as it is turned (see `recognize`)."""
    t0 = time.perf_counter()
    classes = model.charset
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + (now - since) * 1000
        return now

    hyps: list[_Hyp] = []

    # Stage 1: the whole crop as one line (most crops are a single tight line).
    t = time.perf_counter()
    skew = estimate_skew(img)
    straight = deskew(img, skew)
    h, w = straight.shape[:2]
    one_line = w / h >= 2.2
    line = _scale_to(pad(straight, max(2, round(h * 0.12))), 48)
    t = lap("deskew_ms", t)
    if one_line:
        [p] = model.rec_probs([line])
        hyps.append(_read(p, classes, "whole"))
        t = lap("whole_ms", t)
        ranked = _vote(hyps)
        if _confident(ranked, hyps) or max_stage <= 1:
            return _result(ranked, timings, t0, "whole")

    # Stage 2: detect lines, rectify, read each.
    h, w = img.shape[:2]
    big = pad(img, max(4, round(min(h, w) * 0.2)))
    bh, bw = big.shape[:2]
    s = min(640 / max(bh, bw), 1.0)
    if min(bh, bw) * s < 48:
        s = min(48 / min(bh, bw), 960 / max(bh, bw))
    det_img = cv2.resize(
        big,
        (round(bw * s), round(bh * s)),
        interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC,
    )
    quads = model.detect(det_img)
    t = lap("detect_ms", t)
    lines = []
    centre = np.array([bw, bh], np.float32) * s / 2
    diag = float(np.hypot(bw, bh) * s / 2)
    for q in merge_line_boxes(quads):
        crop = _warp_quad(big, q / s)
        if crop.shape[0] >= 6 and crop.shape[1] >= 6:
            off = float(np.linalg.norm(q.mean(0) - centre)) / max(diag, 1.0)
            lines.append((crop, float(_quad_height(q)) / s, off))
    line_hyps: list[_Hyp] = []
    if lines:
        max_h = max(lh for _c, lh, _o in lines)
        probs = model.rec_probs([_scale_to(c, 48) for c, _h, _o in lines])
        for (_crop, lh, off), p in zip(lines, probs, strict=True):
            # Product codes are usually the most prominent, most central line.
            w_line = (lh / max_h) ** 1.5 * (1.0 - 0.5 * min(off, 1.0))
            line_hyps.append(_read(p, classes, "line", weight=w_line))
        hyps.extend(line_hyps)
    if not one_line:  # the whole crop, too, as a fallback reading
        [p] = model.rec_probs([line])
        hyps.append(_read(p, classes, "whole", weight=0.7))
    t = lap("lines_ms", t)
    ranked = _vote(hyps)
    if _confident(ranked, hyps) or max_stage <= 2:
        return _result(ranked, timings, t0, "lines")

    # Stage 3: variants of the best line (or the whole crop) in one batched call.
    if line_hyps:
        bi = max(range(len(line_hyps)), key=lambda i: line_hyps[i].weight * line_hyps[i].quality)
        base = _scale_to(lines[bi][0], 48)
    else:
        base = line
    variants = [
        _clahe(base),
        255 - base,
        _sharpen(base),
        _rotate(_scale_to(pad(base, 6), 48), 4),
        _rotate(_scale_to(pad(base, 6), 48), -4),
    ]
    probs = model.rec_probs(variants)
    for p in probs:
        hyps.append(_read(p, classes, "variant", weight=0.8))
    lap("variants_ms", t)
    return _result(_vote(hyps), timings, t0, "variants")


MIN_CODE_CHARS = 4
MIN_ALT_SCORE = 0.005


def _confident(ranked: list[tuple[str, float]], hyps: list[_Hyp]) -> bool:
    if not ranked:
        return False
    code, score = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return score >= _STOP_CONF and _fits_pattern(code) and score - second > 0.5


def _result(
    ranked: list[tuple[str, float]], timings: dict[str, float], t0: float, stage: str
) -> Recognition:
    timings["total_ms"] = (time.perf_counter() - t0) * 1000
    # Product codes have at least MIN_CODE_CHARS letters/digits: a stray "8" from a photo with
    # no tag is "nothing found", not a guess; near-zero readings are noise, not alternatives.
    ranked = [
        (c, s)
        for i, (c, s) in enumerate(ranked)
        if len(C.normalize(c)) >= MIN_CODE_CHARS and (i == 0 or s >= MIN_ALT_SCORE)
    ]
    if not ranked:
        return Recognition("", 0.0, [], timings, stage)
    alts = [
        (C.canonical(c), round(float(min(max(s, 0.0), 1.0)), 4))
        for c, s in ranked[:MAX_ALTERNATIVES]
    ]
    code, conf = alts[0]
    return Recognition(code, conf, alts, timings, stage)
