"""Retrieval over the starter set and over hand-made assets, with the real multilingual model."""

from __future__ import annotations

import pytest

from pixelsmith.apps.backdrop import describe, starter
from pixelsmith.apps.backdrop.index import AssetIndex
from pixelsmith.apps.backdrop.types import Asset, Brief, Colour, Lighting, ProductAnalysis
from pixelsmith.core.models import registry


@pytest.fixture(scope="module")
def embedder():
    return registry.get("embeddings_ml")


@pytest.fixture(scope="module")
def starter_index(embedder) -> AssetIndex:
    assets = []
    for img in starter.make_all(64):
        a = starter.asset_stub(img)
        m = describe.measure(img.rgb)
        a.colours = [c["hex"] for c in m["colours"]]
        a.brightness, a.texture = m["brightness"], m["texture"]
        assets.append(a)
    return AssetIndex.build(assets, embedder=embedder)


def brief(query: str, *, scheme: str = "neutral", kinds=(), palette=()) -> Brief:
    return Brief(
        lighting=Lighting(),
        mood="clean",
        colour_scheme=scheme,
        palette=list(palette),
        props=[],
        background=list(kinds),
        query=query,
        text={"en": query},
    )


def product(hex_: str, brightness: float, name: str = "grey") -> ProductAnalysis:
    return ProductAnalysis(
        category="bottle",
        labels=[("water bottle", 0.6)],
        colours=[Colour(hex_, name, 0.8), Colour("#808080", "grey", 0.2)],
        brightness=brightness,
        materials={"glossy": 0.5, "matte": 0.3},
        aspect=0.4,
        orientation="tall",
    )


GREY_BOTTLE = product("#7a7a7a", 50.0)


def test_a_luxurious_marble_brief_gets_marble_first(starter_index: AssetIndex):
    got = starter_index.search(brief("luxurious marble stone surface"), GREY_BOTTLE, k=5)
    assert got[0].asset.kind == "marble", [s.asset.id for s in got]
    assert set(got[0].parts) == {"text", "harmony", "contrast", "kind"}
    assert all(0.0 <= v <= 1.0 for s in got for v in s.parts.values())
    assert [s.score for s in got] == sorted((s.score for s in got), reverse=True)


def test_a_korean_query_finds_what_its_english_translation_finds(starter_index: AssetIndex):
    pairs = [
        ("warm wooden table, natural and cosy", "따뜻하고 자연스러운 나무 테이블, 아늑한 느낌"),
        ("dark moody concrete, industrial", "어둡고 무게감 있는 콘크리트, 인더스트리얼"),
        ("pastel pink backdrop for cosmetics", "화장품을 위한 파스텔 핑크 배경"),
    ]
    for en, ko in pairs:
        top_en = [s.asset.id for s in starter_index.search(brief(en), GREY_BOTTLE, k=5)]
        top_ko = [s.asset.id for s in starter_index.search(brief(ko), GREY_BOTTLE, k=5)]
        assert top_en[0] in top_ko[:2], (en, top_en, top_ko)
        assert len(set(top_en) & set(top_ko)) >= 3, (en, top_en, top_ko)


def _plain(id_: str, hex_: str, brightness: float, kind: str = "paper_sweep") -> Asset:
    return Asset(
        id=id_,
        name=id_,
        description="seamless paper sweep backdrop for product photos",
        kind=kind,
        source="starter",
        colours=[hex_],
        brightness=brightness,
        texture=0.02,
    )


@pytest.fixture(scope="module")
def plain_index(embedder) -> AssetIndex:
    assets = [
        _plain("blue", "#2850c8", 40.0),
        _plain("orange", "#f08c1e", 67.0),
        _plain("white", "#f8f8f8", 97.0),
        _plain("black", "#202020", 12.0),
        _plain("beige", "#dccaaa", 82.0),
    ]
    return AssetIndex.build(assets, embedder=embedder)


def test_harmony_follows_the_colour_scheme(plain_index: AssetIndex):
    orange_product = product("#e0701e", 60.0, "orange")
    q = "seamless paper sweep backdrop for product photos"
    comp = plain_index.scores(brief(q, scheme="complementary"), orange_product)["harmony"]
    anal = plain_index.scores(brief(q, scheme="analogous"), orange_product)["harmony"]
    neutral = plain_index.scores(brief(q, scheme="neutral"), orange_product)["harmony"]
    blue, orange, white = 0, 1, 2
    assert comp[blue] > comp[orange] + 0.3
    assert anal[orange] > anal[blue] + 0.3
    assert neutral[white] > neutral[orange] and neutral[white] > neutral[blue]
    # with everything else equal, the scheme decides which of the two colours ranks higher
    comp_rank = [
        s.asset.id
        for s in plain_index.search(brief(q, scheme="complementary"), orange_product, k=5)
    ]
    anal_rank = [
        s.asset.id for s in plain_index.search(brief(q, scheme="analogous"), orange_product, k=5)
    ]
    assert comp_rank.index("blue") < comp_rank.index("orange")
    assert anal_rank.index("orange") < anal_rank.index("blue")


def test_a_white_product_does_not_land_on_white(plain_index: AssetIndex):
    white_product = product("#f4f4f4", 96.0, "white")
    q = "seamless paper sweep backdrop for product photos"
    s = plain_index.scores(brief(q), white_product)
    assert s["contrast"][2] < 0.1 < 0.9 < s["contrast"][3]
    ranked = [x.asset.id for x in plain_index.search(brief(q), white_product, k=5)]
    assert ranked.index("black") < ranked.index("white")


def test_k_kinds_and_diversity(starter_index: AssetIndex):
    b = brief("soft studio backdrop", kinds=["paper_sweep", "gradient"])
    for k in (1, 3, 8):
        assert len(starter_index.search(b, GREY_BOTTLE, k=k)) == k
    only = starter_index.search(b, GREY_BOTTLE, k=4, kinds=["marble"])
    assert len(only) == 4 and {s.asset.kind for s in only} == {"marble"}
    got = starter_index.search(b, GREY_BOTTLE, k=9)
    per_kind = {}
    for s in got:
        per_kind[s.asset.kind] = per_kind.get(s.asset.kind, 0) + 1
    assert max(per_kind.values()) <= 3, per_kind  # no more than a third of one kind
    assert got[0].asset.kind in {"paper_sweep", "gradient"} and got[0].parts["kind"] > 0
    assert starter_index.search(b, GREY_BOTTLE, k=3, kinds=["no_such_kind"]) == []
