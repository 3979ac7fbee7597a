"""Describe any background image: dominant colours, brightness, texture, classifier labels, a
kind guess, and a sentence in English (embedded for retrieval) and Korean (for people).

Used on the user's imports and generated backgrounds; the starter set has hand-written
sentences and only takes the measurements from here (`measure`). Everything runs on a 160 px
copy (k-means in CIE Lab, a gradient-energy texture score), so a description costs ~10 ms
plus the classifier's ~25 ms.
"""

from __future__ import annotations

import logging
from typing import Any

import cv2
import numpy as np

from pixelsmith.core.colour import colour_name, colour_word, rgb_to_lab
from pixelsmith.core.images import shrink_array

log = logging.getLogger(__name__)

K = 5
SIDE = 160  # colours: ~15k pixels are plenty for 5 clusters
TEXTURE_SIDE = 256
TEXTURE_SCALE = 10.0  # band-passed gradient energy above the floor that reads as 0.63
NOISE_FLOOR = 1.2  # what grain and JPEG noise leave in a smooth image

# A kind word for the sentence, each language.
KIND_WORDS = {
    "gradient": ("gradient backdrop", "그라데이션 배경"),
    "paper_sweep": ("seamless paper sweep", "페이퍼 스윕 배경"),
    "marble": ("marble surface", "대리석 표면"),
    "wood": ("wood surface", "나무 표면"),
    "concrete": ("concrete surface", "콘크리트 표면"),
    "linen": ("fabric texture", "패브릭 질감"),
    "bokeh": ("bokeh lights", "보케 조명"),
    "podium": ("podium set", "포디움 세트"),
    "terrazzo": ("terrazzo surface", "테라조 표면"),
    "studio_floor": ("studio floor", "스튜디오 바닥"),
    "solid": ("plain background", "단색 배경"),
    "texture": ("background", "배경"),
}
# ImageNet labels that say what a background is made of (the classifier's first synonym).
LABEL_KINDS = {
    "wood": ("wooden spoon", "chiffonier", "dining table", "desk", "plate rack"),
    "linen": ("wool", "dishrag", "bath towel", "quilt", "velvet", "handkerchief", "doormat"),
    "concrete": ("stone wall", "manhole cover", "prison", "sliding door"),
    "bokeh": ("spotlight", "candle", "traffic light", "restaurant", "theater curtain"),
}


def small_copy(rgb: np.ndarray, side: int = SIDE) -> np.ndarray:
    return shrink_array(rgb, side)


def measure(rgb: np.ndarray) -> dict[str, Any]:
    """Colours (k-means in Lab, biggest share first), brightness (mean L*) and texture (0..1)."""
    small = small_copy(np.ascontiguousarray(rgb[:, :, :3], dtype=np.uint8))
    lab = rgb_to_lab(small)
    samples = lab.reshape(-1, 3).astype(np.float32)
    k = max(1, min(K, len(samples)))
    cv2.setRNGSeed(7)  # the same image gets the same colours
    crit = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _, labels, _ = cv2.kmeans(samples, k, None, crit, 2, cv2.KMEANS_PP_CENTERS)
    labels = labels.ravel()
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    flat_rgb = small.reshape(-1, 3)
    colours, seen = [], set()
    for idx in np.argsort(-counts):
        if counts[idx] == 0:
            continue
        c = np.median(flat_rgb[labels == idx], axis=0).astype(np.uint8)
        hex_ = "#{:02x}{:02x}{:02x}".format(*(int(v) for v in c))
        name = colour_name(c)
        share = float(counts[idx] / counts.sum())
        if name in seen:  # two clusters of one named colour: one entry, shares added
            next(x for x in colours if x["name"] == name)["share"] += share
            continue
        seen.add(name)
        colours.append({"hex": hex_, "name": name, "share": share})
    for c in colours:
        c["share"] = round(c["share"], 4)
    # Texture: gradient energy of the detail left after taking out the smooth light (a
    # gradient or a vignette is not texture), on a 256 px copy, away from the borders.
    grey = cv2.cvtColor(
        small_copy(np.ascontiguousarray(rgb[:, :, :3], dtype=np.uint8), TEXTURE_SIDE),
        cv2.COLOR_RGB2GRAY,
    ).astype(np.float32)
    # band-pass: film grain and JPEG noise (σ < 1 px) are not texture either
    detail = cv2.GaussianBlur(grey, (0, 0), 1.0) - cv2.GaussianBlur(grey, (0, 0), 4.0)
    gx = cv2.Sobel(detail, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(detail, cv2.CV_32F, 0, 1, ksize=3)
    m = max(1, min(grey.shape) // 16)
    energy = float(np.mean(np.hypot(gx, gy)[m:-m, m:-m])) if min(grey.shape) > 4 * m else 0.0
    # ~0 for a flat colour or a smooth gradient, ~0.3-0.6 for marble or wood, → 1 for busy
    texture = float(np.clip(1.0 - np.exp(-max(0.0, energy - NOISE_FLOOR) / TEXTURE_SCALE), 0, 1))
    return {
        "colours": colours,
        "brightness": round(float(lab[:, :, 0].mean()), 2),
        "texture": round(texture, 4),
        "_lab": lab,
        "_grey": grey,
        "_grad": (gx, gy),
    }


def guess_kind(m: dict[str, Any], labels: list[tuple[str, float]]) -> str:
    """A coarse kind (ASSET_KINDS) from the measurements; the classifier's labels decide only
    what the measurements leave open."""
    lab, grey = m["_lab"], m["_grey"]
    gx, gy = m["_grad"]
    tex = m["texture"]
    L = lab[:, :, 0]
    chroma = np.hypot(lab[:, :, 1], lab[:, :, 2])
    if float(grey.std()) < 2.0:
        return "solid"
    # coloured bright blobs on a dark ground: bokeh (blurred, so before the smoothness test);
    # the white veins of a black marble are bright too, but without colour
    bright = L > float(L.mean()) + 15
    if float(L.mean()) < 35 and float(bright.mean()) > 0.03 and float(chroma[bright].mean()) > 12:
        return "bokeh"
    if tex < 0.08:
        rows = L.mean(axis=1)
        # a sweep gets lighter toward a bend low in the frame; a radial gradient is centred
        return "paper_sweep" if rows.argmax() > 0.62 * len(rows) else "gradient"
    # wood: warm hue and grain that runs one way (structure tensor coherence)
    jxx, jyy, jxy = float((gx * gx).mean()), float((gy * gy).mean()), float((gx * gy).mean())
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy * jxy) / max(jxx + jyy, 1e-6)
    hue = np.degrees(np.arctan2(lab[:, :, 2], lab[:, :, 1]))
    warm = float(np.mean((hue > 30) & (hue < 90) & (chroma > 12)))
    if warm > 0.3 and coherence > 0.3:
        return "wood"
    # Sharp local detail (away from the smooth light): where it is and how much of it.
    local = np.abs(L - cv2.GaussianBlur(L, (0, 0), 6.0)) > 10
    h, w = local.shape
    grid = local[: h - h % 8, : w - w % 8].reshape(8, h // 8, 8, w // 8).any(axis=(1, 3))
    spread = float(grid.mean())
    if spread > 0.2 and float(local.mean()) < 0.1:
        # sparse lines or chips all over an even ground: coloured chips are terrazzo
        return "terrazzo" if float(chroma[local].mean()) > 15 else "marble"
    if 0.03 < spread <= 0.2 and tex < 0.5:
        ys, xs = np.nonzero(grid)
        if xs.min() >= 1 and xs.max() <= 6 and ys.min() >= 2:  # one object, centred, low
            return "podium"
    for kind, words in LABEL_KINDS.items():
        if any(name in words and p >= 0.2 for name, p in labels):
            return kind
    if float(np.median(chroma)) < 8:
        return "concrete"
    return "texture"


def _brightness_words(L: float) -> tuple[str, str]:
    if L >= 80:
        return "bright", "밝은"
    if L >= 55:
        return "light", "화사한"
    if L >= 30:
        return "mid-tone", "중간 톤의"
    return "dark", "어두운"


def _texture_words(t: float) -> tuple[str, str]:
    if t < 0.06:
        return "smooth", "매끈한"
    if t < 0.3:
        return "subtly textured", "은은한 질감의"
    if t < 0.6:
        return "textured", "질감이 있는"
    return "busy, detailed", "복잡하고 디테일한"


def _ko_and(words: list[str]) -> str:
    """Korean "A와 B와 C": 과 after a final consonant (흰색과), 와 after a vowel (민트와)."""
    out = words[0]
    for w in words[1:]:
        last = out[-1]
        batchim = "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 != 0
        out += ("과 " if batchim else "와 ") + w
    return out


def sentences(
    colours: list[dict[str, Any]], brightness: float, texture: float, kind: str, labels: list[str]
) -> dict[str, str]:
    """The description in English (for the embedder) and Korean (for people)."""
    names = [c["name"] for c in colours if c["share"] >= 0.08][:3] or [colours[0]["name"]]
    b_en, b_ko = _brightness_words(brightness)
    if colour_word(names[0]).split()[0] == b_en:  # not "light light grey"
        b_en, b_ko = "", ""
    t_en, t_ko = _texture_words(texture)
    k_en, k_ko = KIND_WORDS.get(kind, KIND_WORDS["texture"])
    en = f"{b_en} {' and '.join(colour_word(n) for n in names)} {k_en}, {t_en}".strip()
    ko = f"{b_ko} {_ko_and([colour_word(n, 'ko') for n in names])} {k_ko}, {t_ko} 느낌".strip()
    if labels:
        en += ", like " + ", ".join(labels[:2])
    return {"en": en, "ko": ko}


def classify(rgb: np.ndarray, classifier: Any | None) -> list[tuple[str, float]]:
    """Top-3 ImageNet labels, from the given classifier or the registry's; [] when none loads."""
    if classifier is False:
        return []
    if classifier is None:
        try:
            from pixelsmith.core.models.registry import registry

            classifier = registry.get("classifier")
        except Exception as exc:  # ModelUnavailable: describe without labels
            log.info("describing without classifier labels: %s", exc)
            return []
    return [(str(lab), float(p)) for lab, p in classifier.classify(small_copy(rgb, 256), top_k=3)]


def describe_image(rgb: np.ndarray, *, classifier: Any | None = None) -> dict[str, Any]:
    """Everything the library stores about a background. `classifier`: a ClassifierModel,
    None for the registry's ("classifier"), False for no labels."""
    m = measure(rgb)
    labels = classify(rgb, classifier)
    kind = guess_kind(m, labels)
    label_names = [lab for lab, p in labels if p >= 0.1]
    text = sentences(m["colours"], m["brightness"], m["texture"], kind, label_names)
    return {
        "colours": m["colours"],
        "brightness": m["brightness"],
        "texture": m["texture"],
        "labels": [{"label": lab, "p": round(p, 4)} for lab, p in labels],
        "kind": kind,
        "description": text["en"],
        "descriptions": text,
    }
