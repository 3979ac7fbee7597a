"""Desk recommendations over the real demo desk catalog (SQLite + local blobs), with a desk
analysis built by hand; shop links from the Naver stand-in server when it is configured."""

import re

import pytest

from naver_stub import CLIENT_ID, CLIENT_SECRET, NaverStub
from pixelsmith.apps.desk.recommend import recommend
from pixelsmith.apps.desk.types import (
    Box,
    DeskAnalysis,
    DeskItem,
    DeskScale,
    PaletteColor,
    StyleScore,
)
from pixelsmith.core.catalog.providers.naver import NaverShoppingClient
from pixelsmith.core.catalog.service import CatalogService
from pixelsmith.core.colour import hex_to_lab
from pixelsmith.core.db import Database
from pixelsmith.core.storage import LocalStorage

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def products(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("desk-catalog")
    db = Database(f"sqlite:///{tmp / 'catalog.db'}")
    db.migrate()
    catalog = CatalogService(db, LocalStorage(tmp / "blobs"))
    catalog.ensure_demo()
    yield catalog.desk_products()
    db.dispose()


def desk(styles: dict[str, float], palette: list[tuple[str, str, float]], labels: list[str]):
    return DeskAnalysis(
        width=1200,
        height=800,
        items=[DeskItem(label, Box(100 * i, 300, 200, 120), 0.8) for i, label in enumerate(labels)],
        palette=[PaletteColor(h, n, s) for h, n, s in palette],
        styles=sorted((StyleScore(s, v) for s, v in styles.items()), key=lambda s: -s.score),
        surface=[[(0, 500), (1200, 500), (1200, 800), (0, 800)]],
        scale=DeskScale(px_per_cm=10.0, at_y=500, source="keyboard"),
    )


WOOD_DESK = desk(
    {"wood_natural": 0.8, "minimal_white": 0.3, "dark_gaming": 0.05, "industrial": 0.1},
    [("#8b5a2b", "brown", 0.45), ("#c8a27a", "beige", 0.25), ("#f1e4cf", "cream", 0.15)],
    ["keyboard", "monitor"],
)
GAMING_DESK = desk(
    {"dark_gaming": 0.9, "industrial": 0.2, "wood_natural": 0.05},
    [("#111111", "black", 0.6), ("#7b2ff7", "purple", 0.1), ("#00e5ff", "blue", 0.05)],
    ["keyboard", "monitor", "mouse"],
)


def rank_of(recs, code_name: str) -> int:
    return next(i for i, r in enumerate(recs) if r.name == code_name)


def test_a_wood_lamp_ranks_above_a_gaming_rgb_lamp_on_a_wood_desk(products):
    recs = recommend(WOOD_DESK, products, limit=len(products))
    assert rank_of(recs, "Oak Arm Desk Lamp") < rank_of(recs, "RGB Gaming Light Bar")
    lamps = [r for r in recs if r.category == "lamp"]
    assert lamps[0].name in ("Oak Arm Desk Lamp", "Walnut Dome Lamp")
    # and the other way round on a gaming desk
    recs = recommend(GAMING_DESK, products, limit=len(products))
    assert rank_of(recs, "RGB Gaming Light Bar") < rank_of(recs, "Oak Arm Desk Lamp")


def test_categories_the_desk_has_come_back_only_as_upgrades_after_missing_ones(products):
    recs = recommend(WOOD_DESK, products, limit=len(products))
    for r in recs:
        assert r.upgrade == (r.category in {"keyboard", "monitor"})
    flags = [r.upgrade for r in recs]
    assert flags == sorted(flags)  # every missing category before any upgrade
    upgrades = [r for r in recs if r.upgrade]
    assert upgrades and all("upgrade" in r.reason for r in upgrades)
    assert {r.name for r in upgrades} >= {"Walnut Frame Mechanical Keyboard"}
    # a gaming keyboard does not fit a wood desk, not even as an upgrade
    assert "Mechanical Keyboard RGB, Black" not in {r.name for r in recs}


def test_top_picks_are_diverse_and_fit_the_desk(products):
    recs = recommend(WOOD_DESK, products, limit=8)
    assert len(recs) == 8 and not any(r.upgrade for r in recs)
    assert len({r.category for r in recs}) == 8  # one per category before any second
    assert all(r.style == "wood_natural" for r in recs[:5])
    r = recs[0]
    assert r.price.startswith("₩") and r.image_url.startswith("/api/v1/blobs/")
    assert (
        r.shop_url.startswith("https://search.shopping.naver.com/") and r.shop_source == "catalog"
    )
    assert r.cutout_url and r.width_cm and r.reason.startswith("warm wood tones; your desk has no ")


def test_palette_decides_between_items_of_the_same_style(products):
    """Two wood_natural mugs: on a desk of sand and cream, the sand mug first."""
    sand = desk({"wood_natural": 0.8}, [("#c8a27a", "beige", 0.6), ("#f1e4cf", "cream", 0.3)],
                ["keyboard"])  # fmt: skip
    mugs = [r.name for r in recommend(sand, products, limit=len(products)) if r.category == "mug"]
    assert mugs[0] == "Stoneware Mug, Sand Glaze"


def test_reasons_are_korean_for_lang_ko(products):
    recs = recommend(WOOD_DESK, products, lang="ko", limit=len(products))
    assert all(HANGUL.search(r.reason) and "apps.desk" not in r.reason for r in recs)
    lamp = next(r for r in recs if r.name == "Oak Arm Desk Lamp")
    assert lamp.reason == "따뜻한 우드 톤 · 지금 책상에 없는 조명"
    assert any("업그레이드" in r.reason for r in recs if r.upgrade)
    english = recommend(WOOD_DESK, products, lang="en", limit=3)
    assert all(not HANGUL.search(r.reason) for r in english)


def test_lab_conversion_matches_known_values():
    lab = hex_to_lab(["#ffffff", "#000000", "#ff0000"])
    assert lab[0] == pytest.approx([100, 0, 0], abs=0.1)
    assert lab[1] == pytest.approx([0, 0, 0], abs=0.1)
    assert lab[2] == pytest.approx([53.24, 80.09, 67.20], abs=0.1)


@pytest.fixture
def naver():
    stub = NaverStub().start()
    client = NaverShoppingClient(CLIENT_ID, CLIENT_SECRET, base_url=stub.base_url, timeout=2)
    yield stub, client
    client.close()
    stub.stop()


def test_shop_links_come_from_naver_when_it_is_configured(products, naver):
    stub, client = naver
    recs = recommend(WOOD_DESK, products, limit=4, provider=client)
    assert len(recs) == 4 and stub.count == 4
    queried = {r["params"]["query"] for r in stub.requests}
    assert queried == {r.name for r in recs}  # demo rows: by name, no made-up brand
    for r in recs:
        assert r.shop_source == "provider"
        assert r.shop_url.startswith(("https://search.shopping.naver.com/catalog/",
                                      "https://smartstore.naver.com/"))  # fmt: skip


def test_a_failing_provider_falls_back_to_the_catalog_link(products, naver):
    stub, client = naver
    stub.default = "500"
    recs = recommend(WOOD_DESK, products, limit=2, provider=client)
    assert len(recs) == 2 and stub.count >= 2
    assert all(r.shop_source == "catalog" and "search.shopping.naver.com/search" in r.shop_url
               for r in recs)  # fmt: skip
