"""The studio brief: how the shot should look, from the product analysis (issue 12, item 3).

`make_brief(analysis)` applies rules, no models: the category picks a mood, props, background
kinds and a starting light (brief_rules.py); the main material and the colours adjust them
(reflective things get a large soft source and a floor reflection, glass a rim light, fabric a
low raking light; a dark product in a luxurious or tech category goes low-key, a bright pastel
one high-key); the palette is built in LCh from the product's main colour (analogous hues,
the complement, or neutrals for colourless products). A `lighting` handed in (a batch's fixed
light) is kept as it is, so every product of a catalogue is lit the same way; the rest of the
brief still follows each product. Text comes in English and Korean, from whole phrases.
"""

from __future__ import annotations

import time

import numpy as np

from pixelsmith.core.colour import (
    colour_name,
    colour_word,
    from_hex,
    hex_to_lab,
    lab_to_lch,
    lab_to_rgb,
    lch_to_lab,
    to_hex,
)

from .brief_rules import (
    BACKGROUND_WORDS,
    CATEGORY_RULES,
    CATEGORY_WORDS,
    DIRECTION_WORDS,
    LIGHT_WORDS,
    MOOD_WORDS,
    PROP_WORDS,
    SCHEME_WORDS,
)
from .types import Brief, Lighting, ProductAnalysis

LANGS = ("en", "ko")
DARK_L, BRIGHT_L = 32.0, 70.0  # product brightness (mean L*) for low-key / high-key
NEUTRAL_C, PASTEL_C, VIVID_C = 10.0, 40.0, 45.0  # chroma of the product's main colour
STRONG = 0.5  # a material score from which it steers the light
REFLECTIVE_FLOORS = ("marble", "podium", "gradient", "solid", "studio_floor", "terrazzo")
BACKDROPS = ("gradient", "bokeh", "solid", "texture")  # kinds seen behind the product


def make_brief(analysis: ProductAnalysis, *, lighting: Lighting | None = None) -> Brief:
    started = time.perf_counter()
    category = analysis.category if analysis.category in CATEGORY_RULES else "other"
    mood, props, background, style = CATEGORY_RULES[category]
    props, background = list(props), list(background)
    L, C, hue = _main_colour(analysis)
    mats = analysis.materials or {}
    reflective = max(mats.get("glossy", 0), mats.get("metal", 0)) >= STRONG
    glass = mats.get("glass", 0) >= STRONG
    fabric = mats.get("fabric", 0) >= STRONG and not reflective

    key = "normal"
    if analysis.brightness < DARK_L and mood in ("luxurious", "tech", "bold"):
        key = "low"
    elif analysis.brightness > BRIGHT_L and NEUTRAL_C <= C <= PASTEL_C:
        key = "high"
        if mood in ("bold", "tech"):
            mood = "clean"
    if C > VIVID_C and category in ("toy", "other"):
        mood = "playful"

    elevation = 50.0
    if glass:
        style = "rim"
    elif reflective:
        # a large diffused source keeps reflections as smooth gradients, not hot spots
        style, elevation = "soft", 60.0
    elif fabric:
        style, elevation = "soft", 30.0  # a low, raking light brings the weave out
        background = _prefer(background, ["linen", "paper_sweep", "wood"])
        if "shadow_play" not in props:
            props.append("shadow_play")
    if key == "low":
        style = "rim" if glass else "low_key"
        dark = ["marble", "gradient"] if mood == "luxurious" else ["gradient", "concrete"]
        background = _prefer(background, dark)
    elif key == "high" and not glass:
        style = "high_key"
    # glass, gloss and metal mirror a smooth floor: a faint reflection sells them
    reflection = (glass or reflective) and background[0] in REFLECTIVE_FLOORS

    scheme = _scheme(C, mood, key)
    palette = _palette(L, C, hue, scheme, key, mood)
    if lighting is None:
        lighting = Lighting(
            style=style,
            azimuth_deg=135.0,
            elevation_deg=elevation,
            shadow_strength={"high_key": 0.35, "low_key": 0.7, "hard": 0.65, "rim": 0.45}.get(
                style, 0.55
            ),
            reflection=reflection,
        )
    text = {lang: _text(lang, lighting, mood, scheme, palette, props, background) for lang in LANGS}
    return Brief(
        lighting=lighting,
        mood=mood,
        colour_scheme=scheme,
        palette=palette,
        props=props,
        background=background,
        query=_query(category, mood, palette, props, background, lighting),
        text=text,
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )


def _main_colour(analysis: ProductAnalysis) -> tuple[float, float, float]:
    """(L, C, h) of the product's largest colour; a mid grey when there is none."""
    if not analysis.colours:
        return float(analysis.brightness), 0.0, 0.0
    lab = hex_to_lab([analysis.colours[0].hex])[0]
    return lab_to_lch(lab)


def _prefer(kinds: list[str], first: list[str]) -> list[str]:
    """`first` (those already wanted or not) ahead, the rest in their order; at most 4."""
    return list(dict.fromkeys([*first[:2], *kinds]))[:4]


def _scheme(C: float, mood: str, key: str) -> str:
    if C < NEUTRAL_C:
        return "monochrome" if key == "low" else "neutral"
    if C > VIVID_C and mood in ("bold", "playful", "tech"):
        return "complementary"
    return "analogous"


def _lch_hex(L: float, c: float, h: float) -> str:
    return to_hex(lab_to_rgb(lch_to_lab(L, c, h % 360).reshape(1, 3))[0])


def _palette(L: float, C: float, h: float, scheme: str, key: str, mood: str) -> list[str]:
    """2-4 background colours. Backgrounds stay quieter than the product: lower chroma, and a
    lightness that keeps the product's edge visible (light behind dark products, and the
    reverse only in low key)."""
    warm = 75.0 if mood in ("warm", "natural") else 250.0  # tint neutrals warm or cool
    if scheme == "monochrome":  # low key: dark surfaces in steps
        return [_lch_hex(18, 2, warm), _lch_hex(30, 3, warm), _lch_hex(55, 3, warm)]
    if scheme == "neutral":
        if L > 75:  # a white product needs a mid tone to keep its outline
            return [_lch_hex(82, 3, warm), _lch_hex(68, 3, warm), _lch_hex(93, 2, warm)]
        return [_lch_hex(95, 3, warm), _lch_hex(86, 4, warm), _lch_hex(74, 4, warm)]
    bg_l = 26.0 if key == "low" else 90.0 if key == "high" else 84.0
    if scheme == "analogous":
        c = float(np.clip(C * 0.6, 12.0, 24.0))  # tinted enough to read as a colour
        return [_lch_hex(bg_l, c, h - 20), _lch_hex(bg_l, c, h), _lch_hex(bg_l - 8, c, h + 20)]
    c = min(C * 0.5, 35.0)  # complementary: the opposite hue, quieter, and a light neutral
    return [_lch_hex(bg_l - 6, c, h + 180), _lch_hex(bg_l, c * 0.7, h + 150), _lch_hex(95, 3, warm)]


def _direction(azimuth: float, lang: str) -> str:
    a = azimuth % 360
    return next(words[lang] for limit, words in DIRECTION_WORDS if a < limit)


def _has_batchim(word: str) -> bool:
    ch = word.rstrip()[-1:] or " "
    code = ord(ch) - 0xAC00
    return 0 <= code <= 11171 and code % 28 != 0


def josa(word: str, pair: str) -> str:
    """`word` + the Korean particle of `pair` ("을를", "과와", "은는", "이가") that fits its
    last syllable."""
    return word + (pair[0] if _has_batchim(word) else pair[1])


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _euro(word: str) -> str:
    """`word` + 으로 / 로 (로 after a vowel or ㄹ)."""
    code = ord(word[-1]) - 0xAC00
    plain = not _has_batchim(word) or (0 <= code <= 11171 and code % 28 == 8)
    return word + ("로" if plain else "으로")


def _join(words: list[str], lang: str) -> str:
    if lang == "ko":  # "A, B와 C": the particle only before the last word
        if len(words) == 1:
            return words[0]
        head = "".join(w + ", " for w in words[:-2])
        return f"{head}{josa(words[-2], '과와')} {words[-1]}"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _colour_words(palette: list[str], lang: str) -> list[str]:
    return list(dict.fromkeys(colour_word(colour_name(from_hex(p)), lang) for p in palette))


def _text(
    lang: str,
    lighting: Lighting,
    mood: str,
    scheme: str,
    palette: list[str],
    props: list[str],
    background: list[str],
) -> str:
    light = LIGHT_WORDS.get(lighting.style, LIGHT_WORDS["soft"])[lang]
    where = _direction(lighting.azimuth_deg, lang)
    kind = background[0] if background else "solid"
    surface = BACKGROUND_WORDS[kind][lang]
    behind = kind in BACKDROPS  # the product stands in front of it, not on it
    colours = _join(_colour_words(palette, lang), lang)
    scheme_w = SCHEME_WORDS[scheme][lang]
    mood_w = MOOD_WORDS[mood][lang]
    prop_w = [PROP_WORDS[p][lang] for p in props if p in PROP_WORDS]
    if lang == "ko":
        if lighting.style == "rim":
            first = f"{_euro(light)} 윤곽을 살리고 {where} 보조광을 더해,"
        else:
            first = f"{where} {josa(light, '을를')} 비추고,"
        parts = [
            f"{first} {surface} 앞에 제품을 놓습니다."
            if behind
            else f"{first} {josa(surface, '을를')} 배경으로 제품을 놓습니다.",
            f"{mood_w} 분위기로, 배경색은 {colours} 계열의 {scheme_w} 조합으로 맞춥니다.",
        ]
        if lighting.reflection:
            parts.append("바닥에 은은한 반사를 더합니다.")
        parts.append(
            f"소품으로 {josa(_join(prop_w, 'ko'), '을를')} 곁들입니다."
            if prop_w
            else "소품 없이 제품만 돋보이게 합니다."
        )
        return " ".join(parts)
    if lighting.style == "rim":
        first = f"{light} outlines it, with a fill {where}"
    else:
        first = f"{light} {where}"
    parts = [
        f"{first}; the product stands in front of {surface}."
        if behind
        else f"{first}; the product sits on {surface}.",
        f"A {mood_w} mood, with {_a(scheme_w)} palette of {colours}.",
    ]
    if lighting.reflection:
        parts.append("Add a faint reflection on the floor.")
    parts.append(
        f"Props: {_join(prop_w, 'en')}." if prop_w else "No props: the product stands alone."
    )
    return " ".join(parts)


def _query(
    category: str,
    mood: str,
    palette: list[str],
    props: list[str],
    background: list[str],
    lighting: Lighting,
) -> str:
    """One English sentence for the asset index's text embedding: the words an asset's own
    description would use (surface, colours, mood, light)."""
    surface = BACKGROUND_WORDS[background[0]]["en"] if background else "a plain backdrop"
    colours = _join(_colour_words(palette, "en"), "en")
    light = LIGHT_WORDS.get(lighting.style, LIGHT_WORDS["soft"])["en"].lower()
    prop_w = [PROP_WORDS[p]["en"] for p in props if p in PROP_WORDS]
    with_props = f" with {_join(prop_w, 'en')}" if prop_w else ""
    return (
        f"A {MOOD_WORDS[mood]['en']} studio background: {surface} in {colours}{with_props}, "
        f"{light}, for a {CATEGORY_WORDS[category]['en']}."
    )
