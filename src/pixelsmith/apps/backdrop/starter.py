"""The starter set: 42 studio backgrounds made in code on first run (no files shipped).

Each entry has a stable id, a name, a kind (types.ASSET_KINDS), an English description written
the way a photographer searches ("white Carrara marble slab, soft grey veins, luxurious,
bright": that sentence is what the index embeds), a Korean text for people, tags, and where a
product stands (floor_y, the podium's top face). The painters live in starter_paint.py; each
is seeded from the entry's id, so the same id always gives the same pixels.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

import cv2
import numpy as np

from . import starter_paint as p
from .types import ASSET_SIDE, Asset, Box

Painter = Callable[[int, np.random.Generator], p.Painted]
PAINT_SIDE = 1024  # painted at most this size, then upscaled (see make)


@dataclass(frozen=True)
class StarterSpec:
    id: str
    name: str
    kind: str
    en: str  # embedded for retrieval
    ko: str
    tags: tuple[str, ...]
    paint: Painter = field(repr=False, compare=False)


@dataclass
class StarterImage:
    spec: StarterSpec
    rgb: np.ndarray  # side×side×3 uint8
    floor_y: float
    podium: Box | None  # in ASSET_SIDE² coordinates, as types.Asset keeps it


# Reusable textures -------------------------------------------------------------------------
CARRARA = p.marble_texture((238, 237, 234), (128, 132, 138), cloud=(205, 205, 208), veins=0.9)
NERO = p.marble_texture((24, 24, 27), (214, 212, 206), cloud=(48, 48, 52), veins=0.75, sharp=16)
VERDE = p.marble_texture((24, 72, 54), (176, 206, 186), cloud=(40, 100, 76), veins=0.8, sharp=12)
OAK = p.wood_texture((214, 176, 128), (156, 112, 70))
WALNUT = p.wood_texture((112, 74, 48), (54, 33, 22))
PARQUET = p.herringbone_texture((206, 164, 112), (140, 96, 58))
CONCRETE = p.concrete_texture((168, 166, 160), dark=(128, 126, 122))
CONCRETE_DARK = p.concrete_texture((92, 92, 94), dark=(62, 62, 66), pores=1.4)
LINEN = p.linen_texture((214, 200, 176))
LINEN_GREY = p.linen_texture((176, 176, 172))
TERRAZZO = p.terrazzo_texture(
    (236, 228, 214),
    [
        (196, 104, 76),
        (128, 150, 120),
        (70, 70, 74),
        (226, 176, 92),
        (170, 170, 166),
        (250, 250, 248),
    ],
)
QUARTZ = p.quartz_texture((240, 240, 238), (92, 92, 96))


def _tiles(side: int, rng: np.random.Generator) -> np.ndarray:
    return p.subway_tiles(side, rng, (242, 242, 238), (204, 204, 200))


def _spec(id_, name, kind, en, ko, tags, paint) -> StarterSpec:  # noqa: ANN001
    return StarterSpec(f"starter-{id_}", name, kind, en, ko, tuple(tags), paint)


STARTER_SPECS: tuple[StarterSpec, ...] = (
    # gradients -----
    _spec(
        "gradient-white",
        "White studio gradient",
        "gradient",
        "clean white to light grey studio gradient, soft even light, bright, minimal, high key",
        "흰색에서 연회색으로 번지는 깨끗한 스튜디오 그라데이션, 밝고 미니멀한 하이키 조명",
        ["white", "grey", "clean", "minimal", "bright"],
        partial(p.gradient, centre=(250, 250, 250), edge=(206, 208, 212)),
    ),
    _spec(
        "gradient-beige",
        "Warm beige gradient",
        "gradient",
        "warm beige and cream studio gradient, soft glow, natural, cosy, neutral",
        "따뜻한 베이지와 크림색 스튜디오 그라데이션, 은은한 빛, 자연스럽고 아늑한 분위기",
        ["beige", "cream", "warm", "neutral"],
        partial(p.gradient, centre=(246, 234, 214), edge=(196, 172, 140)),
    ),
    _spec(
        "gradient-blush",
        "Blush pink gradient",
        "gradient",
        "soft blush pink gradient backdrop, pastel, gentle, feminine, beauty and cosmetics",
        "은은한 블러시 핑크 그라데이션 배경, 파스텔 톤, 부드럽고 화장품에 어울림",
        ["pink", "pastel", "soft", "beauty"],
        partial(p.gradient, centre=(252, 226, 224), edge=(222, 170, 172)),
    ),
    _spec(
        "gradient-sky",
        "Sky blue gradient",
        "gradient",
        "light sky blue studio gradient, fresh, cool, airy, clean tech look",
        "맑은 하늘색 스튜디오 그라데이션, 시원하고 산뜻한 테크 느낌",
        ["blue", "cool", "fresh", "tech"],
        partial(p.gradient, centre=(222, 238, 250), edge=(130, 170, 214)),
    ),
    _spec(
        "gradient-sage",
        "Sage green gradient",
        "gradient",
        "muted sage green gradient, calm, natural, organic, botanical",
        "차분한 세이지 그린 그라데이션, 자연스럽고 유기적인 보태니컬 분위기",
        ["green", "sage", "natural", "calm"],
        partial(p.gradient, centre=(214, 226, 208), edge=(126, 150, 124)),
    ),
    _spec(
        "gradient-charcoal",
        "Charcoal spotlight",
        "gradient",
        "dark charcoal grey backdrop with a soft spotlight, moody, dramatic, low key, premium",
        "부드러운 스포트라이트가 비치는 짙은 차콜 그레이 배경, 드라마틱한 로우키 조명, 프리미엄",
        ["dark", "grey", "moody", "dramatic", "premium"],
        partial(p.gradient, centre=(92, 94, 98), edge=(18, 18, 20)),
    ),
    _spec(
        "gradient-navy",
        "Midnight navy spotlight",
        "gradient",
        "deep navy blue to black spotlight gradient, elegant, night, luxury, tech",
        "깊은 네이비에서 검정으로 이어지는 스포트라이트 그라데이션, 우아하고 고급스러운 밤 분위기",
        ["navy", "blue", "dark", "luxury", "tech"],
        partial(p.gradient, centre=(46, 64, 104), edge=(8, 10, 20)),
    ),
    _spec(
        "gradient-peach-lilac",
        "Peach and lilac duotone",
        "gradient",
        "dreamy peach to lilac duotone gradient, playful, pastel, trendy, colourful",
        "복숭아색에서 라일락으로 이어지는 몽환적인 투톤 그라데이션, 발랄하고 트렌디한 파스텔",
        ["peach", "lilac", "pastel", "playful", "colourful"],
        partial(p.gradient, centre=(252, 214, 190), edge=(236, 176, 160), top=(196, 180, 232)),
    ),
    # paper sweeps -----
    _spec(
        "sweep-white",
        "White paper sweep",
        "paper_sweep",
        "seamless white paper sweep, bright studio, clean product photo, e-commerce",
        "이음새 없는 흰색 페이퍼 스윕, 밝은 스튜디오, 깔끔한 쇼핑몰 상품 사진",
        ["white", "seamless", "clean", "ecommerce"],
        partial(p.paper_sweep, colour=(248, 248, 247)),
    ),
    _spec(
        "sweep-grey",
        "Light grey paper sweep",
        "paper_sweep",
        "seamless light grey paper sweep, neutral studio backdrop, soft shadow, minimal",
        "이음새 없는 연회색 페이퍼 스윕, 중립적인 스튜디오 배경, 부드러운 그림자",
        ["grey", "neutral", "seamless", "minimal"],
        partial(p.paper_sweep, colour=(200, 202, 204)),
    ),
    _spec(
        "sweep-sand",
        "Sand paper sweep",
        "paper_sweep",
        "warm sand beige paper sweep, earthy, natural, soft daylight",
        "따뜻한 모래빛 베이지 페이퍼 스윕, 흙빛의 자연스러운 분위기, 부드러운 자연광",
        ["beige", "sand", "warm", "earthy"],
        partial(p.paper_sweep, colour=(222, 200, 170)),
    ),
    _spec(
        "sweep-pink",
        "Pastel pink paper sweep",
        "paper_sweep",
        "pastel pink paper sweep, sweet, playful, beauty, soft colour",
        "파스텔 핑크 페이퍼 스윕, 달콤하고 발랄한 뷰티 느낌",
        ["pink", "pastel", "playful", "beauty"],
        partial(p.paper_sweep, colour=(244, 196, 204)),
    ),
    _spec(
        "sweep-mint",
        "Mint paper sweep",
        "paper_sweep",
        "fresh mint green paper sweep, cool pastel, clean, spring",
        "상쾌한 민트 그린 페이퍼 스윕, 시원한 파스텔, 깨끗한 봄 느낌",
        ["mint", "green", "pastel", "fresh"],
        partial(p.paper_sweep, colour=(188, 228, 210)),
    ),
    _spec(
        "sweep-yellow",
        "Mustard paper sweep",
        "paper_sweep",
        "bold mustard yellow paper sweep, vivid, energetic, pop colour",
        "강렬한 머스터드 옐로 페이퍼 스윕, 선명하고 활기찬 팝 컬러",
        ["yellow", "bold", "vivid", "pop"],
        partial(p.paper_sweep, colour=(236, 190, 60)),
    ),
    _spec(
        "sweep-terracotta",
        "Terracotta paper sweep",
        "paper_sweep",
        "terracotta orange paper sweep, warm, earthy, autumn, bold",
        "테라코타 오렌지 페이퍼 스윕, 따뜻하고 흙빛이 도는 가을 분위기",
        ["terracotta", "orange", "warm", "earthy"],
        partial(p.paper_sweep, colour=(196, 110, 80)),
    ),
    _spec(
        "sweep-black",
        "Black paper sweep",
        "paper_sweep",
        "seamless black paper sweep, dark, dramatic, low key, sleek, luxury",
        "이음새 없는 검정 페이퍼 스윕, 어둡고 드라마틱한 로우키, 세련된 고급스러움",
        ["black", "dark", "dramatic", "luxury"],
        partial(p.paper_sweep, colour=(40, 40, 42)),
    ),
    # marble -----
    _spec(
        "marble-white",
        "White Carrara marble",
        "marble",
        "white Carrara marble slab, soft grey veins, luxurious, bright, elegant tabletop",
        "부드러운 회색 결이 흐르는 흰색 카라라 대리석 상판, 밝고 고급스럽고 우아함",
        ["marble", "white", "luxury", "stone", "elegant"],
        partial(p.tabletop, surface=CARRARA, wall=(226, 224, 220)),
    ),
    _spec(
        "marble-black",
        "Black Marquina marble",
        "marble",
        "black Nero Marquina marble with white veins, dramatic, luxurious, dark, premium",
        "흰 결이 있는 검정 네로 마르퀴나 대리석, 드라마틱하고 고급스러운 프리미엄",
        ["marble", "black", "luxury", "stone", "dark"],
        partial(p.tabletop, surface=NERO, wall=(46, 46, 50), gloss=0.02),
    ),
    _spec(
        "marble-green",
        "Green marble",
        "marble",
        "deep green marble with pale veins, rich, luxurious, jewel tone, stone",
        "연한 결이 있는 짙은 녹색 대리석, 풍부하고 고급스러운 보석 톤",
        ["marble", "green", "luxury", "stone"],
        partial(p.tabletop, surface=VERDE, wall=(196, 204, 196)),
    ),
    _spec(
        "marble-flatlay",
        "Carrara marble flat lay",
        "marble",
        "white marble surface seen from above, flat lay, grey veins, bright, clean, luxury",
        "위에서 내려다본 흰 대리석 표면, 회색 결의 플랫레이, 밝고 깔끔한 고급스러움",
        ["marble", "white", "flat lay", "stone"],
        partial(p.flat, surface=CARRARA),
    ),
    # wood -----
    _spec(
        "wood-oak",
        "Light oak table",
        "wood",
        "light oak wood tabletop, natural grain, warm, Scandinavian, cosy, rustic",
        "자연스러운 나뭇결의 밝은 오크 원목 테이블, 따뜻하고 아늑한 북유럽 분위기",
        ["wood", "oak", "natural", "warm", "scandinavian"],
        partial(p.tabletop, surface=OAK, wall=(236, 230, 220)),
    ),
    _spec(
        "wood-walnut",
        "Dark walnut table",
        "wood",
        "dark walnut wood table, rich brown grain, warm, classic, masculine, premium",
        "짙은 월넛 원목 테이블, 깊은 갈색 나뭇결, 따뜻하고 클래식한 프리미엄",
        ["wood", "walnut", "dark", "brown", "classic"],
        partial(p.tabletop, surface=WALNUT, wall=(120, 104, 92)),
    ),
    _spec(
        "wood-herringbone",
        "Herringbone parquet",
        "wood",
        "herringbone oak parquet floor with a white wall, warm wood, interior, home, cosy",
        "흰 벽과 헤링본 오크 마루 바닥, 따뜻한 나무 질감의 아늑한 실내 인테리어",
        ["wood", "herringbone", "parquet", "floor", "interior"],
        partial(p.tabletop, surface=PARQUET, wall=(240, 238, 234), horizon=0.5),
    ),
    # concrete -----
    _spec(
        "concrete-grey",
        "Concrete slab",
        "concrete",
        "raw grey concrete surface and wall, industrial, urban, minimal, textured",
        "거친 회색 콘크리트 바닥과 벽, 인더스트리얼하고 도시적인 미니멀 질감",
        ["concrete", "grey", "industrial", "urban"],
        partial(
            p.tabletop,
            surface=CONCRETE,
            wall=(170, 168, 164),
            wall_texture=CONCRETE,
            wall_blur=0.004,
        ),
    ),
    _spec(
        "concrete-dark",
        "Dark concrete",
        "concrete",
        "dark charcoal concrete texture, rough, industrial, moody, masculine, tech",
        "어두운 차콜 콘크리트 질감, 거칠고 인더스트리얼한 무드, 테크 제품에 어울림",
        ["concrete", "dark", "industrial", "moody"],
        partial(p.flat, surface=CONCRETE_DARK),
    ),
    # linen -----
    _spec(
        "linen-natural",
        "Natural linen",
        "linen",
        "natural oatmeal linen fabric, soft woven texture, organic, calm, handmade",
        "자연스러운 오트밀 색 린넨 원단, 부드러운 직조 질감, 차분한 핸드메이드 감성",
        ["linen", "fabric", "beige", "natural", "organic"],
        partial(p.flat, surface=LINEN),
    ),
    _spec(
        "linen-grey",
        "Grey linen",
        "linen",
        "soft grey linen cloth, woven fabric texture, neutral, calm, cosy home",
        "부드러운 회색 린넨 천, 직조 원단 질감, 중립적이고 차분한 홈 분위기",
        ["linen", "fabric", "grey", "neutral"],
        partial(p.flat, surface=LINEN_GREY),
    ),
    # bokeh -----
    _spec(
        "bokeh-warm",
        "Warm bokeh",
        "bokeh",
        "warm golden bokeh lights on a dark glossy surface, festive, evening, holiday, glamorous",
        "어두운 광택 바닥 위 따뜻한 황금빛 보케 조명, 축제 같은 저녁, 화려한 연말 분위기",
        ["bokeh", "gold", "warm", "festive", "night"],
        partial(
            p.bokeh,
            bg_top=(40, 26, 18),
            bg_bottom=(18, 12, 10),
            lights=[(255, 190, 90), (255, 214, 140), (250, 150, 70), (255, 236, 200)],
        ),
    ),
    _spec(
        "bokeh-cool",
        "Cool bokeh",
        "bokeh",
        "cool blue and violet bokeh city lights on a dark reflective surface, night, tech, modern",
        "어두운 반사 바닥 위 푸른빛과 보랏빛 보케 도시 조명, 밤, 모던한 테크 느낌",
        ["bokeh", "blue", "cool", "night", "tech"],
        partial(
            p.bokeh,
            bg_top=(14, 20, 40),
            bg_bottom=(8, 10, 20),
            lights=[(90, 150, 255), (150, 110, 255), (110, 220, 255), (220, 230, 255)],
        ),
    ),
    # podiums -----
    _spec(
        "podium-white",
        "White podium",
        "podium",
        "white cylinder podium on a white seamless sweep, minimal product display, clean",
        "흰색 스윕 위 흰색 원기둥 포디움, 미니멀한 상품 디스플레이, 깔끔함",
        ["podium", "white", "minimal", "display"],
        partial(p.podium, backdrop=(240, 240, 240), body=(246, 246, 244)),
    ),
    _spec(
        "podium-pink",
        "Pink podium",
        "podium",
        "pastel pink cylinder podium on a blush backdrop, beauty, cosmetics display, soft",
        "블러시 배경 위 파스텔 핑크 원기둥 포디움, 뷰티·화장품 디스플레이, 부드러움",
        ["podium", "pink", "pastel", "beauty"],
        partial(p.podium, backdrop=(244, 212, 212), body=(236, 180, 186)),
    ),
    _spec(
        "podium-sage",
        "Sage podium",
        "podium",
        "sage green cylinder podium on a cream backdrop, natural, calm, organic skincare",
        "크림색 배경 위 세이지 그린 원기둥 포디움, 자연스럽고 차분한 유기농 스킨케어",
        ["podium", "green", "sage", "natural"],
        partial(p.podium, backdrop=(236, 230, 216), body=(150, 172, 146)),
    ),
    _spec(
        "podium-terracotta",
        "Terracotta podium",
        "podium",
        "terracotta cylinder podium on a warm sand backdrop, earthy, warm, boho",
        "따뜻한 모래빛 배경 위 테라코타 원기둥 포디움, 흙빛의 보헤미안 감성",
        ["podium", "terracotta", "warm", "earthy"],
        partial(p.podium, backdrop=(226, 200, 172), body=(190, 108, 80)),
    ),
    _spec(
        "podium-marble-black",
        "Marble podium on black",
        "podium",
        "white marble cylinder podium on a black backdrop, luxury, dramatic, jewellery, watch",
        "검정 배경 위 흰 대리석 원기둥 포디움, 럭셔리하고 드라마틱한 주얼리·시계 연출",
        ["podium", "marble", "black", "luxury"],
        partial(p.podium, backdrop=(44, 44, 46), body=CARRARA, radius=0.18),
    ),
    # terrazzo, studio floors, sets, counters, solids -----
    _spec(
        "terrazzo-cream",
        "Cream terrazzo",
        "terrazzo",
        "cream terrazzo tabletop with colourful stone chips, playful, modern, retro, bright",
        "알록달록한 돌 조각이 박힌 크림색 테라조 상판, 발랄하고 모던한 레트로 감성",
        ["terrazzo", "cream", "playful", "modern"],
        partial(p.tabletop, surface=TERRAZZO, wall=(232, 222, 210)),
    ),
    _spec(
        "floor-light",
        "Light studio floor",
        "studio_floor",
        "light grey studio floor meeting a white wall at a horizon line, clean, modern, minimal",
        "흰 벽과 연회색 스튜디오 바닥이 수평선으로 만나는 공간, 깔끔하고 모던함",
        ["studio", "floor", "grey", "horizon", "minimal"],
        partial(p.studio_floor, wall=(236, 236, 236), floor=(196, 196, 198)),
    ),
    _spec(
        "floor-dark",
        "Dark studio floor",
        "studio_floor",
        "dark grey studio with a horizon line, smooth floor, moody, tech, sleek",
        "수평선이 보이는 어두운 회색 스튜디오, 매끈한 바닥, 세련된 테크 무드",
        ["studio", "floor", "dark", "horizon", "tech"],
        partial(p.studio_floor, wall=(70, 72, 76), floor=(46, 46, 50)),
    ),
    _spec(
        "set-pastel-arch",
        "Pastel arch set",
        "podium",
        "pastel lilac wall with a peach arch and a round plinth, playful, dreamy, trendy set",
        "라일락 벽과 복숭아빛 아치, 둥근 받침대가 있는 파스텔 세트, 몽환적이고 트렌디함",
        ["pastel", "arch", "lilac", "peach", "playful"],
        partial(
            p.arch_set,
            wall=(214, 202, 236),
            arch=(248, 208, 186),
            floor=(240, 226, 214),
            block=(250, 236, 226),
        ),
    ),
    _spec(
        "set-mint-pink",
        "Mint and pink set",
        "podium",
        "mint green wall with a pink arch and floor, sweet pastel set, fun, spring",
        "민트 그린 벽과 핑크 아치·바닥의 달콤한 파스텔 세트, 경쾌한 봄 분위기",
        ["pastel", "arch", "mint", "pink", "spring"],
        partial(
            p.arch_set,
            wall=(186, 226, 208),
            arch=(246, 200, 206),
            floor=(244, 206, 210),
            block=(252, 244, 240),
        ),
    ),
    _spec(
        "kitchen-counter",
        "White kitchen counter",
        "texture",
        "white quartz kitchen counter in front of white subway tiles, bright, clean, home, food",
        "흰 서브웨이 타일 앞 흰색 쿼츠 주방 상판, 밝고 깨끗한 집밥·식품 연출",
        ["kitchen", "counter", "white", "tiles", "food"],
        partial(
            p.tabletop,
            surface=QUARTZ,
            wall=(240, 240, 238),
            wall_texture=_tiles,
            wall_blur=0.003,
            horizon=0.54,
        ),
    ),
    _spec(
        "solid-white",
        "Pure white",
        "solid",
        "pure white background, plain, marketplace main image, catalogue, clean cut-out",
        "순백색 단색 배경, 오픈마켓 대표 이미지와 카탈로그용 깔끔한 누끼",
        ["white", "plain", "marketplace", "catalogue"],
        lambda side, rng: (np.ones((side, side, 3), np.float32), 0.85, None),
    ),
    _spec(
        "solid-light-grey",
        "Light grey",
        "solid",
        "plain light grey background, flat, neutral, simple, catalogue",
        "단색 연회색 배경, 평평하고 중립적인 심플한 카탈로그용",
        ["grey", "plain", "neutral"],
        lambda side, rng: (np.full((side, side, 3), 232 / 255, np.float32), 0.85, None),
    ),
)

BY_ID: dict[str, StarterSpec] = {s.id: s for s in STARTER_SPECS}

# The starter set's names for people, by language ("en" is each spec's own name). A user's
# imports keep the name they gave.
NAMES: dict[str, dict[str, str]] = {
    "ko": {
        "starter-gradient-white": "흰색 스튜디오 그라데이션",
        "starter-gradient-beige": "따뜻한 베이지 그라데이션",
        "starter-gradient-blush": "블러시 핑크 그라데이션",
        "starter-gradient-sky": "하늘색 그라데이션",
        "starter-gradient-sage": "세이지 그린 그라데이션",
        "starter-gradient-charcoal": "차콜 스포트라이트",
        "starter-gradient-navy": "미드나잇 네이비 스포트라이트",
        "starter-gradient-peach-lilac": "복숭아·라일락 투톤",
        "starter-sweep-white": "흰색 페이퍼 스윕",
        "starter-sweep-grey": "연회색 페이퍼 스윕",
        "starter-sweep-sand": "모래색 페이퍼 스윕",
        "starter-sweep-pink": "파스텔 핑크 페이퍼 스윕",
        "starter-sweep-mint": "민트 페이퍼 스윕",
        "starter-sweep-yellow": "머스터드 페이퍼 스윕",
        "starter-sweep-terracotta": "테라코타 페이퍼 스윕",
        "starter-sweep-black": "검정 페이퍼 스윕",
        "starter-marble-white": "흰색 카라라 대리석",
        "starter-marble-black": "검정 마르퀴나 대리석",
        "starter-marble-green": "녹색 대리석",
        "starter-marble-flatlay": "카라라 대리석 플랫레이",
        "starter-wood-oak": "밝은 오크 테이블",
        "starter-wood-walnut": "짙은 월넛 테이블",
        "starter-wood-herringbone": "헤링본 마루",
        "starter-concrete-grey": "콘크리트 슬래브",
        "starter-concrete-dark": "어두운 콘크리트",
        "starter-linen-natural": "내추럴 린넨",
        "starter-linen-grey": "회색 린넨",
        "starter-bokeh-warm": "따뜻한 보케",
        "starter-bokeh-cool": "차가운 보케",
        "starter-podium-white": "흰색 포디움",
        "starter-podium-pink": "핑크 포디움",
        "starter-podium-sage": "세이지 포디움",
        "starter-podium-terracotta": "테라코타 포디움",
        "starter-podium-marble-black": "검정 배경 대리석 포디움",
        "starter-terrazzo-cream": "크림 테라조",
        "starter-floor-light": "밝은 스튜디오 바닥",
        "starter-floor-dark": "어두운 스튜디오 바닥",
        "starter-set-pastel-arch": "파스텔 아치 세트",
        "starter-set-mint-pink": "민트·핑크 세트",
        "starter-kitchen-counter": "흰색 주방 상판",
        "starter-solid-white": "순백색",
        "starter-solid-light-grey": "연회색",
    },
}


def display_name(asset_id: str, name: str, lang: str | None) -> str:
    """The name to show for an asset in `lang`: the starter set's translation, else `name`."""
    return NAMES.get(lang or "en", {}).get(asset_id, name)


def seed_of(asset_id: str) -> int:
    return zlib.crc32(asset_id.encode("utf-8"))


def make(spec: StarterSpec, side: int = ASSET_SIDE) -> StarterImage:
    """Paint one backdrop at side² (deterministic: seeded from its id).

    Painted at most PAINT_SIDE² and upscaled, with fresh grain at full size: backdrops sit
    out of focus behind the product and renders are 1024² by default, so the extra pixels
    would cost 4x the time for detail nobody sees."""
    rng = np.random.default_rng(seed_of(spec.id))
    work = min(side, PAINT_SIDE)
    img, floor_y, podium = spec.paint(work, rng)
    if work < side:
        img = cv2.resize(np.ascontiguousarray(img), (side, side), interpolation=cv2.INTER_CUBIC)
        if spec.kind != "solid":
            img = p.grain(img, rng, 0.004)
    box = None
    if podium is not None:
        f = ASSET_SIDE / work
        x, y, w, h = podium
        box = Box(round(x * f), round(y * f), round(w * f), round(h * f))
    return StarterImage(spec, p.to_u8(img), float(floor_y), box)


def make_all(side: int = ASSET_SIDE) -> Iterator[StarterImage]:
    for spec in STARTER_SPECS:
        yield make(spec, side)


def asset_stub(image: StarterImage) -> Asset:
    """The Asset for a painted backdrop, before the library measures its colours and stores it."""
    s = image.spec
    return Asset(
        id=s.id,
        name=s.name,
        description=s.en,
        kind=s.kind,
        source="starter",
        colours=[],
        brightness=0.0,
        texture=0.0,
        floor_y=image.floor_y,
        podium=image.podium,
        tags=list(s.tags),
        width=image.rgb.shape[1],
        height=image.rgb.shape[0],
        descriptions={"en": s.en, "ko": s.ko},
    )
