"""Backdrop studio brief: rules, palette, fixed batch lighting, English and Korean text."""

from __future__ import annotations

import re

import numpy as np
import pytest

from pixelsmith.apps.backdrop.brief import josa, make_brief
from pixelsmith.apps.backdrop.brief_rules import CATEGORY_RULES, MOODS, PROP_WORDS
from pixelsmith.apps.backdrop.types import (
    ASSET_KINDS,
    CATEGORIES,
    MATERIALS,
    Colour,
    Lighting,
    ProductAnalysis,
)
from pixelsmith.core.colour import from_hex, lab_to_lch, rgb_to_lab

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _analysis(category, colours, brightness, **materials) -> ProductAnalysis:
    mats = {m: 0.0 for m in MATERIALS}
    mats.update(materials)
    if not materials:
        mats["matte"] = 1.0
    return ProductAnalysis(
        category=category,
        labels=[],
        colours=[Colour(hex=h, name="x", share=s) for h, s in colours],
        brightness=brightness,
        materials=mats,
        aspect=1.0,
        orientation="square",
    )


BLACK_WATCH = _analysis("watch", [("#151515", 0.8), ("#b8b8b8", 0.2)], 14.0, metal=0.6, glossy=0.4)
PASTEL_COSMETIC = _analysis("cosmetics", [("#f3c4d2", 0.9), ("#ffffff", 0.1)], 82.0, matte=0.7)


def _lch(hex_):
    return lab_to_lch(rgb_to_lab(np.array(from_hex(hex_), np.uint8).reshape(1, 3))[0])


def test_black_watch_and_pastel_cosmetic_get_different_briefs():
    watch, cosmetic = make_brief(BLACK_WATCH), make_brief(PASTEL_COSMETIC)
    assert watch.mood == "luxurious" and cosmetic.mood == "clean"
    assert watch.lighting.style == "low_key" and cosmetic.lighting.style == "high_key"
    assert watch.colour_scheme == "monochrome" and cosmetic.colour_scheme == "analogous"
    assert max(_lch(h)[0] for h in watch.palette) < 60  # dark surfaces
    assert min(_lch(h)[0] for h in cosmetic.palette) > 70  # light, pastel
    pink_hue = _lch("#f3c4d2")[2]
    for h in cosmetic.palette:  # analogous: within 30° of the product's hue
        assert abs((_lch(h)[2] - pink_hue + 180) % 360 - 180) <= 30
    assert watch.background != cosmetic.background
    assert watch.text["en"] != cosmetic.text["en"] and watch.query != cosmetic.query
    assert watch.lighting.reflection  # metal on a reflective floor


def test_korean_text_is_present_and_its_own():
    b = make_brief(PASTEL_COSMETIC)
    assert set(b.text) == {"en", "ko"}
    assert HANGUL.search(b.text["ko"]) and not HANGUL.search(b.text["en"])
    assert b.text["ko"] != b.text["en"]
    assert "포디움을 배경으로" in b.text["ko"]  # the right particle after the surface
    assert b.text["ko"].endswith("다.")
    assert b.to_dict("ko")["text"] == b.text["ko"]


def test_korean_particles_follow_the_last_syllable():
    assert josa("대리석 상판", "을를") == "대리석 상판을"
    assert josa("배경지", "을를") == "배경지를"
    assert josa("물방울", "과와") == "물방울과"
    assert josa("생화", "과와") == "생화와"
    toy = make_brief(_analysis("toy", [("#1f5fd6", 1.0)], 45.0))
    assert "카키색, 베이지와 흰색 계열" in toy.text["ko"]  # "A, B와 C"
    assert "khaki, beige and white" in toy.text["en"]


def test_a_batch_lighting_is_kept():
    fixed = Lighting(style="hard", azimuth_deg=45.0, elevation_deg=35.0, shadow_strength=0.4)
    for a in (BLACK_WATCH, PASTEL_COSMETIC):
        b = make_brief(a, lighting=fixed)
        assert b.lighting == fixed
        assert "from the upper right" in b.text["en"] and "오른쪽 위에서" in b.text["ko"]
        assert "crisp" in b.query.lower()


def test_glass_gets_a_rim_light_and_fabric_a_raking_one():
    glass = make_brief(_analysis("bottle", [("#cfe3dc", 1.0)], 80.0, glass=0.9))
    assert glass.lighting.style == "rim" and glass.lighting.reflection
    fabric = make_brief(_analysis("apparel", [("#8a6d4f", 1.0)], 50.0, fabric=0.8))
    assert fabric.lighting.elevation_deg == 30.0 and fabric.background[0] == "linen"
    assert "shadow_play" in fabric.props


def test_vivid_toy_gets_a_complementary_palette():
    b = make_brief(_analysis("toy", [("#1f5fd6", 1.0)], 45.0))
    assert b.mood == "playful" and b.colour_scheme == "complementary"
    blue = _lch("#1f5fd6")[2]
    opposite = _lch(b.palette[0])[2]
    assert abs((opposite - blue) % 360 - 180) < 25


def test_rule_tables_are_complete_and_valid():
    assert set(CATEGORY_RULES) == set(CATEGORIES)
    for mood, props, kinds, style in CATEGORY_RULES.values():
        assert mood in MOODS and style in ("soft", "hard", "rim", "high_key", "low_key")
        assert all(p in PROP_WORDS for p in props)
        assert kinds and all(k in ASSET_KINDS for k in kinds)


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize(
    "colour,brightness", [("#101010", 8.0), ("#f7f7f7", 96.0), ("#d8342c", 50.0), ("#a8c8e8", 78.0)]
)
def test_every_category_and_colour_gives_a_whole_brief(category, colour, brightness):
    b = make_brief(_analysis(category, [(colour, 1.0)], brightness))
    assert b.mood in MOODS
    assert 2 <= len(b.palette) <= 4 and all(re.fullmatch(r"#[0-9a-f]{6}", p) for p in b.palette)
    assert b.background and all(k in ASSET_KINDS for k in b.background)
    for text in (*b.text.values(), b.query):
        assert text and "{" not in text and "None" not in text and "  " not in text
    d = b.to_dict()
    assert d["lighting"]["style"] == b.lighting.style and d["query"] == b.query
