"""Synthetic shoe-tag crops for evaluating (and optionally training) the code recognizer.

    rng = np.random.default_rng(7)
    codes = make_codes(400, rng)
    rgb, label = render_crop(codes[0], rng)

Fonts come from the matplotlib wheel (DejaVu, STIX, Computer Modern) plus OpenCV's Hershey
fonts, backgrounds from skimage.data photos and procedural paper/cardboard — nothing depends
on system fonts or the network. Fonts and photo backgrounds are split into a *dev* set (used
while tuning the recognizer) and a *heldout* set (used only for reporting), so the benchmark
can show how far tuning generalises beyond what it saw.

CLI: ``python -m pixelsmith.apps.tags.synth OUT_DIR --n 400 --seed 7 [--split heldout]`` writes
PNGs and ``gt.txt`` (``path<TAB>label``, the deep-text-recognition-benchmark layout).
"""

from __future__ import annotations

import argparse
import functools
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

LETTERS = string.ascii_uppercase
DIGITS = string.digits
ALNUM = LETTERS + DIGITS

FAMILIES = (
    "nike", "adidas", "newbalance", "converse", "puma", "asics", "vans", "style9", "alnum11",
    "random",
)  # fmt: skip
_FAMILY_WEIGHTS = np.array([0.20, 0.15, 0.12, 0.09, 0.06, 0.07, 0.06, 0.07, 0.06, 0.12])

# (kind, name): kind "ttf" is a file in matplotlib's mpl-data/fonts/ttf, "hershey" a cv2 font.
FONT_SPLITS: dict[str, list[tuple[str, str]]] = {
    "dev": [
        ("ttf", "DejaVuSans.ttf"),
        ("ttf", "DejaVuSans-Bold.ttf"),
        ("ttf", "DejaVuSansMono.ttf"),
        ("ttf", "cmtt10.ttf"),
        ("hershey", "simplex"),
        ("hershey", "duplex"),
    ],
    "heldout": [
        ("ttf", "DejaVuSerif.ttf"),
        ("ttf", "DejaVuSansMono-Bold.ttf"),
        ("ttf", "DejaVuSans-Oblique.ttf"),
        ("ttf", "cmr10.ttf"),
        ("ttf", "STIXGeneral.ttf"),
        ("ttf", "STIXGeneralBol.ttf"),
        ("ttf", "cmss10.ttf"),
        ("hershey", "complex"),
        ("hershey", "triplex"),
    ],
}
PHOTO_SPLITS: dict[str, list[str]] = {
    "dev": ["coffee", "brick", "chelsea"],
    "heldout": ["grass", "gravel", "rocket", "astronaut", "immunohistochemistry"],
}
_HERSHEY = {
    "simplex": cv2.FONT_HERSHEY_SIMPLEX,
    "duplex": cv2.FONT_HERSHEY_DUPLEX,
    "complex": cv2.FONT_HERSHEY_COMPLEX,
    "triplex": cv2.FONT_HERSHEY_TRIPLEX,
    "plain": cv2.FONT_HERSHEY_PLAIN,
}
_NEIGHBOURS = [
    "US 9",
    "UK 8.5",
    "EUR 42.5",
    "US 10.5  UK 9.5  EUR 44.5",
    "MADE IN VIETNAM",
    "MADE IN CHINA",
    "MADE IN INDONESIA",
    "CM 27",
    "JP 270",
    "US M 8 / W 9.5",
    "SIZE 42",
]
_RENDER_H = 56  # cap height the code is drawn at before the final resize


@dataclass
class Sample:
    rgb: np.ndarray
    label: str
    family: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def difficulty(self) -> str:
        return self.meta.get("difficulty", "")


# ---- codes --------------------------------------------------------------------------------------


def _pick(rng: np.random.Generator, alphabet: str, n: int) -> str:
    return "".join(alphabet[i] for i in rng.integers(0, len(alphabet), n))


def make_code(family: str, rng: np.random.Generator) -> str:
    """One code of a brand family (see FAMILIES)."""
    if family == "nike":  # CW2288-111
        return f"{_pick(rng, LETTERS, 2)}{_pick(rng, DIGITS, 4)}-{_pick(rng, DIGITS, 3)}"
    if family == "adidas":  # GZ5922
        return f"{_pick(rng, LETTERS, 2)}{_pick(rng, DIGITS, 4)}"
    if family == "newbalance":  # M990GL6, M9160C, ML574EVG, U9060BLK
        head = rng.choice(["M", "M", "W", "U", "ML", "MR", "WL", "GC"])
        num = _pick(rng, DIGITS, int(rng.choice([3, 4])))
        tail = _pick(rng, LETTERS, int(rng.integers(0, 4)))
        end = _pick(rng, DIGITS, 1) if rng.random() < 0.4 else ""
        return f"{head}{num}{tail}{end}"
    if family == "converse":  # 343938 013 / 162050C
        if rng.random() < 0.75:
            sep = " " if rng.random() < 0.7 else "-"
            return f"{_pick(rng, DIGITS, 6)}{sep}{_pick(rng, DIGITS, 3)}"
        return f"{_pick(rng, DIGITS, 6)}{_pick(rng, LETTERS, 1)}"
    if family == "puma":  # 374915 01
        return (
            f"{_pick(rng, DIGITS, 6)}{rng.choice([' ', '-', '_'])}{_pick(rng, DIGITS, 2)}".replace(
                "_", ""
            )
        )
    if family == "asics":  # 1011B548-001
        return f"1{_pick(rng, '012', 1)}{_pick(rng, DIGITS, 2)}{_pick(rng, 'ABC', 1)}" + (
            f"{_pick(rng, DIGITS, 3)}-{_pick(rng, DIGITS, 3)}"
        )
    if family == "vans":  # VN0A4BV4VR3
        return "VN0" + _pick(rng, ALNUM, 8)
    if family == "style9":  # 1RM01575D
        return f"{_pick(rng, DIGITS, 1)}{_pick(rng, LETTERS, 2)}{_pick(rng, DIGITS, 5)}" + _pick(
            rng, LETTERS, 1
        )
    if family == "alnum11":  # FS1SIZ3220X
        return (
            f"{_pick(rng, LETTERS, 2)}{_pick(rng, DIGITS, 1)}{_pick(rng, LETTERS, 3)}"
            f"{_pick(rng, DIGITS, 4)}{_pick(rng, LETTERS, 1)}"
        )
    if family == "random":  # anything in the charset: the prior must not filter these out
        n = int(rng.integers(5, 11))
        code = _pick(rng, ALNUM, n)
        if rng.random() < 0.25:
            cut = int(rng.integers(2, n - 1))
            code = code[:cut] + "-" + code[cut:]
        return code
    raise ValueError(f"unknown family {family!r}")


def make_codes(n: int, rng: np.random.Generator) -> list[str]:
    """`n` codes drawn from the brand families plus random alphanumerics."""
    return [code for code, _ in make_labelled_codes(n, rng)]


def make_labelled_codes(n: int, rng: np.random.Generator) -> list[tuple[str, str]]:
    """Like make_codes, with the family of each code: [(code, family)]."""
    p = _FAMILY_WEIGHTS / _FAMILY_WEIGHTS.sum()
    fams = rng.choice(len(FAMILIES), size=n, p=p)
    return [(make_code(FAMILIES[i], rng), FAMILIES[i]) for i in fams]


# ---- resources ----------------------------------------------------------------------------------


@functools.cache
def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@functools.cache
def _ttf(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_font_dir() / name), size)


@functools.cache
def _photo(name: str) -> np.ndarray:
    import skimage.data

    img = np.asarray(getattr(skimage.data, name)())
    if img.dtype == bool:
        img = img.astype(np.uint8) * 255
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    return np.ascontiguousarray(img[:, :, :3]).astype(np.uint8)


# ---- drawing ------------------------------------------------------------------------------------


def _text_mask(text: str, font: tuple[str, str], cap_h: int, x_scale: float) -> np.ndarray:
    """Float mask (0..1) of `text` whose capital letters are about `cap_h` px tall, tightly cut."""
    kind, name = font
    if kind == "hershey":
        face = _HERSHEY[name]
        scale = cap_h / 22.0  # Hershey capitals are ~22 px at scale 1
        thick = max(1, round(scale * (2.2 if name in ("duplex", "triplex") else 1.7)))
        (w, h), base = cv2.getTextSize(text, face, scale, thick)
        img = np.zeros((h + base + 2 * thick + 4, w + 2 * thick + 4), np.uint8)
        cv2.putText(img, text, (thick + 2, h + thick + 2), face, scale, 255, thick, cv2.LINE_AA)
    else:
        probe = _ttf(name, 100)
        box = probe.getbbox("H")
        size = max(6, round(cap_h * 100 / max(1, box[3] - box[1])))
        f = _ttf(name, size)
        left, t, r, b = f.getbbox(text)
        pil = Image.new("L", (r - left + 8, b - t + 8), 0)
        ImageDraw.Draw(pil).text((4 - left, 4 - t), text, font=f, fill=255)
        img = np.asarray(pil)
    ys, xs = np.nonzero(img > 20)
    if len(xs) == 0:
        return np.zeros((cap_h, cap_h), np.float32)
    img = img[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    if abs(x_scale - 1) > 0.02:
        img = cv2.resize(img, (max(1, round(img.shape[1] * x_scale)), img.shape[0]))
    return img.astype(np.float32) / 255.0


def _barcode(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    widths = rng.integers(1, 5, size=w)
    mask = np.zeros((h, w), np.float32)
    x, on = 0, True
    for bw in widths:
        if x >= w:
            break
        if on:
            mask[:, x : x + bw] = 1.0
        x += bw
        on = not on
    return mask


def _background(
    rng: np.random.Generator, h: int, w: int, split: str, dark: bool
) -> tuple[np.ndarray, str]:
    """Label background (float RGB 0..255) and its kind."""
    r = rng.random()
    if dark:
        base = rng.uniform(10, 90, 3)
    elif rng.random() < 0.6:
        base = rng.uniform(195, 255, 3)  # white / cream paper
        base[2] -= rng.uniform(0, 25)
    else:  # coloured label / cardboard
        base = rng.choice(
            [
                [215, 180, 130],  # kraft cardboard
                [240, 200, 80],
                [180, 210, 235],
                [235, 170, 170],
                [200, 230, 190],
                [225, 225, 225],
            ]
        ).astype(float) + rng.uniform(-20, 20, 3)
    bg = np.ones((h, w, 3), np.float32) * base
    kind = "flat"
    if r < 0.35:
        # paper / cardboard fibre noise
        noise = rng.normal(0, 1, (max(2, h // 3), max(2, w // 3))).astype(np.float32)
        noise = cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC)
        fibres = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 0.8)
        bg += (noise * rng.uniform(3, 10) + fibres * rng.uniform(2, 6))[..., None]
        kind = "paper"
    elif r < 0.7:
        names = PHOTO_SPLITS[split]
        photo = _photo(names[int(rng.integers(0, len(names)))]).astype(np.float32)
        scale = rng.uniform(0.6, 2.0)
        ph = cv2.resize(photo, None, fx=scale, fy=scale)
        if ph.shape[0] < h or ph.shape[1] < w:
            reps = (h // ph.shape[0] + 1, w // ph.shape[1] + 1, 1)
            ph = np.tile(ph, reps)
        y = int(rng.integers(0, ph.shape[0] - h + 1))
        x = int(rng.integers(0, ph.shape[1] - w + 1))
        patch = ph[y : y + h, x : x + w]
        alpha = rng.uniform(0.15, 0.45)
        # keep the photo's texture but pull its level toward the label colour
        patch = patch - patch.mean() + base
        bg = bg * (1 - alpha) + patch * alpha
        kind = "photo"
    return bg, kind


def _glare(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    cy, cx = rng.uniform(0, h), rng.uniform(0, w)
    ry, rx = rng.uniform(0.2, 0.7) * h, rng.uniform(0.15, 0.5) * w
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ang = rng.uniform(0, np.pi)
    dx, dy = xx - cx, yy - cy
    u = dx * np.cos(ang) + dy * np.sin(ang)
    v = -dx * np.sin(ang) + dy * np.cos(ang)
    d = (u / rx) ** 2 + (v / ry) ** 2
    return np.exp(-d * 1.5).astype(np.float32) * rng.uniform(0.35, 0.75)


def _motion_kernel(rng: np.random.Generator) -> np.ndarray:
    k = int(rng.integers(3, 8))
    kern = np.zeros((k, k), np.float32)
    kern[k // 2, :] = 1
    m = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), rng.uniform(0, 180), 1)
    kern = cv2.warpAffine(kern, m, (k, k))
    return kern / max(kern.sum(), 1e-6)


# ---- the renderer -------------------------------------------------------------------------------


def render_sample(
    code: str,
    rng: np.random.Generator,
    *,
    split: str = "dev",
    family: str = "",
) -> Sample:
    """A realistic crop around `code` (RGB uint8), its label, and what was done to it."""
    fonts = FONT_SPLITS[split]
    font = fonts[int(rng.integers(0, len(fonts)))]
    meta: dict[str, Any] = {"font": f"{font[0]}:{font[1]}", "split": split}

    dark = rng.random() < 0.15  # light text on a dark label
    x_scale = float(rng.uniform(0.75, 1.15))
    code_mask = _text_mask(code, font, _RENDER_H, x_scale)

    # Neighbouring lines above and below.
    neighbours = []
    if rng.random() < 0.55:
        for pos in ("above", "below"):
            if rng.random() < 0.6:
                kind = rng.random()
                if kind < 0.6:
                    text = _NEIGHBOURS[int(rng.integers(0, len(_NEIGHBOURS)))]
                    m = _text_mask(text, font, int(_RENDER_H * rng.uniform(0.45, 0.8)), x_scale)
                elif kind < 0.8:
                    text = _pick(rng, DIGITS, int(rng.integers(8, 14)))
                    m = _text_mask(text, font, int(_RENDER_H * rng.uniform(0.4, 0.7)), x_scale)
                else:
                    m = _barcode(rng, int(_RENDER_H * rng.uniform(0.6, 1.4)), code_mask.shape[1])
                neighbours.append((pos, m))
    meta["neighbours"] = len(neighbours)

    # Layout on a generous canvas (so rotation never reveals an edge).
    gap = int(_RENDER_H * rng.uniform(0.35, 0.8))
    ch, cw = code_mask.shape
    widest = max([cw] + [m.shape[1] for _, m in neighbours])
    pad = int(0.3 * widest + 3 * ch) + 16
    above = [m for p, m in neighbours if p == "above"]
    below = [m for p, m in neighbours if p == "below"]
    H = pad * 2 + ch + sum(m.shape[0] + gap for m in above + below)
    W = pad * 2 + widest
    ink = np.zeros((H, W), np.float32)
    align = rng.choice(["left", "center"])

    def place(m: np.ndarray, y: int) -> tuple[int, int]:
        x = pad if align == "left" else pad + (widest - m.shape[1]) // 2
        ink[y : y + m.shape[0], x : x + m.shape[1]] = np.maximum(
            ink[y : y + m.shape[0], x : x + m.shape[1]], m
        )
        return x, y

    y = pad
    for m in above:
        place(m, y)
        y += m.shape[0] + gap
    cx0, cy0 = place(code_mask, y)
    y += ch + gap
    for m in below:
        place(m, y)
        y += m.shape[0] + gap
    corners = np.array(
        [[cx0, cy0], [cx0 + cw, cy0], [cx0 + cw, cy0 + ch], [cx0, cy0 + ch]], np.float32
    )

    # Colours first (they do not depend on geometry).
    if dark:
        text_col = rng.uniform(200, 255, 3)
    else:
        text_col = rng.uniform(0, 70, 3)
        if rng.random() < 0.2:  # coloured print
            text_col = rng.choice([[20, 40, 140], [150, 20, 20], [30, 90, 40]]).astype(float)
    low_contrast = rng.random() < 0.2
    meta["low_contrast"] = bool(low_contrast)
    meta["dark"] = bool(dark)

    # Geometry: tilt + mild perspective, about the code's centre.
    r = rng.random()
    tilt = (
        rng.uniform(-4, 4)
        if r < 0.45
        else rng.uniform(-15, 15)
        if r < 0.8
        else rng.uniform(-30, 30)
    )
    meta["tilt"] = round(float(tilt), 1)
    centre = corners.mean(0)
    rot = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), float(tilt), 1.0)
    rot3 = np.vstack([rot, [0, 0, 1]])
    persp = np.eye(3)
    if rng.random() < 0.5:
        persp[2, 0] = rng.uniform(-1, 1) * 3e-4 * 56 / ch
        persp[2, 1] = rng.uniform(-1, 1) * 3e-4 * 56 / ch
        persp[0, 1] = rng.uniform(-0.15, 0.15)  # shear (italic-ish / slanted shot)
        t = np.array([[1, 0, -centre[0]], [0, 1, -centre[1]], [0, 0, 1]])
        persp = np.linalg.inv(t) @ persp @ t
    M = rot3 @ persp
    pts = cv2.perspectiveTransform(corners[None], M)[0]

    # Crop around the (transformed) code; normal and loose crops take in the neighbours that
    # fall inside their margins.
    x0, y0 = pts.min(0)
    x1, y1 = pts.max(0)
    line_h = ch
    r = rng.random()
    if r < 0.3:
        mode = "tight"
        margins = rng.uniform(-0.08, 0.06, 4) * line_h
    elif r < 0.8:
        mode = "normal"
        margins = rng.uniform(0.1, 0.5, 4) * line_h
    else:
        mode = "loose"
        margins = rng.uniform(0.4, 1.6, 4) * line_h
    meta["crop"] = mode
    X0 = int(max(0, x0 - margins[0]))
    Y0 = int(max(0, y0 - margins[1]))
    X1 = int(min(W, x1 + margins[2]))
    Y1 = int(min(H, y1 + margins[3]))
    cw_, ch_ = max(4, X1 - X0), max(4, Y1 - Y0)
    # Warp only the ink inside the crop; the label texture is made at the crop's size.
    shift = np.array([[1, 0, -X0], [0, 1, -Y0], [0, 0, 1]], np.float64)
    ink_c = cv2.warpPerspective(ink, shift @ M, (cw_, ch_), flags=cv2.INTER_LINEAR)
    bg, bg_kind = _background(rng, ch_, cw_, split, dark)
    meta["background"] = bg_kind
    if low_contrast:
        k = rng.uniform(0.3, 0.55)
        text_col = bg.reshape(-1, 3).mean(0) * (1 - k) + text_col * k
    crop = bg * (1 - ink_c[..., None]) + text_col * ink_c[..., None]

    # Final scale: code cap height 14..60 px.
    r = rng.random()
    target_h = (
        rng.uniform(14, 20) if r < 0.2 else rng.uniform(20, 34) if r < 0.6 else rng.uniform(34, 60)
    )
    meta["text_h"] = round(float(target_h), 1)
    s = target_h / line_h
    out_w, out_h = max(8, round(crop.shape[1] * s)), max(8, round(crop.shape[0] * s))
    crop = cv2.resize(crop, (out_w, out_h), interpolation=cv2.INTER_AREA)

    # Photometric degradations.
    if rng.random() < 0.5:  # uneven lighting
        gx = np.linspace(rng.uniform(0.75, 1.0), rng.uniform(0.9, 1.1), out_w, dtype=np.float32)
        crop = crop * gx[None, :, None]
    glare = rng.random() < 0.25
    if glare:
        g = _glare(rng, out_h, out_w)[..., None]
        crop = crop * (1 - g) + 255 * g
    meta["glare"] = bool(glare)
    r = rng.random()
    if r < 0.3:
        crop = cv2.GaussianBlur(crop, (0, 0), rng.uniform(0.4, 1.3) * max(1.0, target_h / 30))
        meta["blur"] = "gauss"
    elif r < 0.45:
        crop = cv2.filter2D(crop, -1, _motion_kernel(rng))
        meta["blur"] = "motion"
    else:
        meta["blur"] = ""
    crop = crop + rng.normal(0, rng.uniform(1, 10), crop.shape).astype(np.float32)
    crop = np.clip(crop, 0, 255).astype(np.uint8)
    q = int(rng.integers(20, 81)) if rng.random() < 0.7 else 95
    meta["jpeg"] = q
    ok, buf = cv2.imencode(".jpg", crop[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, q])
    crop = cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1]

    hard = [
        abs(tilt) > 15,
        target_h < 20,
        glare,
        low_contrast,
        mode == "tight",
        meta["blur"] != "" and target_h < 30,
        q < 35,
        dark,
    ]
    meta["hard"] = int(sum(hard))
    meta["difficulty"] = "easy" if sum(hard) == 0 else "medium" if sum(hard) <= 1 else "hard"
    return Sample(np.ascontiguousarray(crop), code, family, meta)


def render_crop(
    code: str, rng: np.random.Generator, *, split: str = "dev"
) -> tuple[np.ndarray, str]:
    """(RGB uint8 crop, label) for `code`."""
    s = render_sample(code, rng, split=split)
    return s.rgb, s.label


def make_dataset(n: int, seed: int, *, split: str = "dev") -> list[Sample]:
    """`n` deterministic samples for one seed and font/background split."""
    out = []
    for i in range(n):  # one stream per sample: a prefix of a bigger set is the same crops
        rng = np.random.default_rng([seed, i])
        [(code, fam)] = make_labelled_codes(1, rng)
        out.append(render_sample(code, rng, split=split, family=fam))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Render synthetic shoe-tag crops + gt.txt")
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--split", choices=sorted(FONT_SPLITS), default="dev")
    args = ap.parse_args(argv)
    out: Path = args.out_dir
    (out / "images").mkdir(parents=True, exist_ok=True)
    lines = []
    for i, s in enumerate(make_dataset(args.n, args.seed, split=args.split)):
        rel = f"images/{i:05d}.png"
        Image.fromarray(s.rgb).save(out / rel)
        lines.append(f"{rel}\t{s.label}")
    (out / "gt.txt").write_text("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} crops to {out}")


if __name__ == "__main__":
    main()
