"""The studio brief's rule and phrase tables (data only; brief.py applies them).

Per category: the mood, the props and the background kinds a product photographer would reach
for first, and the light they would start from. Material and colour rules in brief.py adjust
these. Phrases come in English and Korean, written as a photographer would say them (Korean is
composed from whole phrases with the right particles, not word by word).
"""

from __future__ import annotations

# category → (mood, props, background kinds best first, light style)
CATEGORY_RULES: dict[str, tuple[str, list[str], list[str], str]] = {
    "watch": (
        "luxurious",
        ["stone", "leather"],
        ["marble", "concrete", "podium", "gradient"],
        "soft",
    ),
    "jewelry": ("luxurious", ["silk", "stone"], ["marble", "podium", "linen", "gradient"], "soft"),
    "cosmetics": (
        "clean",
        ["water_drops", "flowers"],
        ["podium", "marble", "terrazzo", "gradient"],
        "soft",
    ),
    "bottle": (
        "clean",
        ["water_drops", "ice"],
        ["gradient", "studio_floor", "concrete", "solid"],
        "rim",
    ),
    "electronics": (
        "tech",
        ["geometric_blocks"],
        ["gradient", "concrete", "studio_floor", "solid"],
        "hard",
    ),
    "kitchen": ("warm", ["herbs", "linen_napkin"], ["wood", "linen", "marble", "concrete"], "soft"),
    "food": ("warm", ["herbs", "ingredients"], ["wood", "linen", "marble", "terrazzo"], "soft"),
    "apparel": ("natural", ["plants"], ["linen", "paper_sweep", "concrete", "wood"], "soft"),
    "bag": ("natural", ["plants"], ["paper_sweep", "studio_floor", "concrete", "podium"], "soft"),
    "shoe": (
        "bold",
        ["geometric_blocks"],
        ["concrete", "studio_floor", "paper_sweep", "podium"],
        "hard",
    ),
    "home": ("natural", ["plants", "books"], ["wood", "linen", "studio_floor", "concrete"], "soft"),
    "toy": (
        "playful",
        ["confetti", "geometric_blocks"],
        ["solid", "gradient", "paper_sweep", "terrazzo"],
        "soft",
    ),
    "sports": ("bold", ["towel"], ["concrete", "studio_floor", "gradient", "solid"], "hard"),
    "other": ("clean", [], ["paper_sweep", "gradient", "studio_floor", "podium"], "soft"),
}

MOODS = ("clean", "luxurious", "warm", "natural", "bold", "playful", "tech")

MOOD_WORDS: dict[str, dict[str, str]] = {
    "clean": {"en": "clean, minimal", "ko": "깔끔하고 미니멀한"},
    "luxurious": {"en": "refined, luxurious", "ko": "세련되고 고급스러운"},
    "warm": {"en": "warm, homely", "ko": "따뜻하고 편안한"},
    "natural": {"en": "calm, natural", "ko": "차분하고 자연스러운"},
    "bold": {"en": "bold, energetic", "ko": "강렬하고 역동적인"},
    "playful": {"en": "bright, playful", "ko": "밝고 경쾌한"},
    "tech": {"en": "sleek, modern", "ko": "매끈하고 현대적인"},
}

LIGHT_WORDS: dict[str, dict[str, str]] = {
    "soft": {"en": "Soft, diffused light", "ko": "부드럽게 확산된 빛"},
    "hard": {"en": "Crisp, directional light", "ko": "선명한 방향성 조명"},
    "rim": {"en": "A rim light behind the product", "ko": "제품 뒤쪽의 림 라이트"},
    "high_key": {"en": "Bright high-key light", "ko": "밝은 하이키 조명"},
    "low_key": {"en": "Low-key light with deep shadows", "ko": "깊은 그림자의 로우키 조명"},
}

# where the key light comes from, by azimuth sector (0 = right, 90 = above, 180 = left)
DIRECTION_WORDS: list[tuple[float, dict[str, str]]] = [
    (22.5, {"en": "from the right", "ko": "오른쪽에서"}),
    (67.5, {"en": "from the upper right", "ko": "오른쪽 위에서"}),
    (112.5, {"en": "from above", "ko": "위에서"}),
    (157.5, {"en": "from the upper left", "ko": "왼쪽 위에서"}),
    (202.5, {"en": "from the left", "ko": "왼쪽에서"}),
    (247.5, {"en": "from the lower left", "ko": "왼쪽 아래에서"}),
    (292.5, {"en": "from below", "ko": "아래에서"}),
    (337.5, {"en": "from the lower right", "ko": "오른쪽 아래에서"}),
    (360.0, {"en": "from the right", "ko": "오른쪽에서"}),
]

BACKGROUND_WORDS: dict[str, dict[str, str]] = {
    "gradient": {"en": "a smooth gradient backdrop", "ko": "부드러운 그라데이션 배경"},
    "paper_sweep": {"en": "a seamless paper sweep", "ko": "이음매 없는 배경지"},
    "marble": {"en": "a marble slab", "ko": "대리석 상판"},
    "wood": {"en": "a wooden tabletop", "ko": "나무 테이블"},
    "concrete": {"en": "raw concrete", "ko": "노출 콘크리트"},
    "linen": {"en": "soft linen", "ko": "부드러운 리넨"},
    "bokeh": {"en": "a softly blurred bokeh backdrop", "ko": "은은한 보케 배경"},
    "podium": {"en": "a round podium", "ko": "원형 포디움"},
    "terrazzo": {"en": "terrazzo", "ko": "테라조"},
    "studio_floor": {"en": "a studio floor with a soft horizon", "ko": "호리존 스튜디오 바닥"},
    "solid": {"en": "a plain solid-colour backdrop", "ko": "단색 배경"},
    "texture": {"en": "a textured backdrop", "ko": "질감 있는 배경"},
}

PROP_WORDS: dict[str, dict[str, str]] = {
    "stone": {"en": "smooth stones", "ko": "매끈한 돌"},
    "leather": {"en": "a leather swatch", "ko": "가죽 조각"},
    "silk": {"en": "draped silk", "ko": "흘러내리는 실크"},
    "water_drops": {"en": "water drops", "ko": "물방울"},
    "flowers": {"en": "fresh flowers", "ko": "생화"},
    "ice": {"en": "ice cubes", "ko": "얼음"},
    "geometric_blocks": {"en": "geometric blocks", "ko": "기하학적 블록"},
    "herbs": {"en": "fresh herbs", "ko": "신선한 허브"},
    "linen_napkin": {"en": "a linen napkin", "ko": "리넨 냅킨"},
    "ingredients": {"en": "a few ingredients", "ko": "몇 가지 재료"},
    "plants": {"en": "green plants", "ko": "초록 식물"},
    "books": {"en": "a stack of books", "ko": "책 몇 권"},
    "confetti": {"en": "confetti", "ko": "색종이 조각"},
    "towel": {"en": "a rolled towel", "ko": "말아 둔 수건"},
    "shadow_play": {"en": "a patterned window shadow", "ko": "창살 그림자"},
}

SCHEME_WORDS: dict[str, dict[str, str]] = {
    "complementary": {"en": "complementary", "ko": "보색"},
    "analogous": {"en": "analogous", "ko": "유사색"},
    "neutral": {"en": "neutral", "ko": "무채색"},
    "monochrome": {"en": "monochrome", "ko": "단색조"},
}

CATEGORY_WORDS: dict[str, dict[str, str]] = {
    "bag": {"en": "bag", "ko": "가방"},
    "shoe": {"en": "shoe", "ko": "신발"},
    "watch": {"en": "watch", "ko": "시계"},
    "jewelry": {"en": "piece of jewellery", "ko": "주얼리"},
    "bottle": {"en": "bottle", "ko": "병"},
    "cosmetics": {"en": "cosmetic", "ko": "화장품"},
    "electronics": {"en": "device", "ko": "전자기기"},
    "kitchen": {"en": "kitchenware", "ko": "주방용품"},
    "food": {"en": "food", "ko": "음식"},
    "apparel": {"en": "garment", "ko": "의류"},
    "home": {"en": "home piece", "ko": "리빙 소품"},
    "toy": {"en": "toy", "ko": "장난감"},
    "sports": {"en": "sports gear", "ko": "스포츠 용품"},
    "other": {"en": "product", "ko": "제품"},
}
