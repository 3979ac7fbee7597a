"""The demo catalog: sample shoes (real code formats, KRW prices) and desk items.

Created by `CatalogService.ensure_demo()` when the product table is empty. Every row is stored
with `source="demo"`, `is_demo=True` and the tag "demo"; prices are typical Korean retail
prices, not live listings. No external image URLs: pages never load anything external for
demo rows; desk items get a cut-out drawn in code (drawings.py), stored as a blob and served
from this site (`image_url` = `cutout_url` = /api/v1/blobs/<key>).
Shop links are Naver Shopping searches for the item, followed only when the user clicks.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

# brand, code as printed, name, price (KRW), colours, tags
_SHOES: list[tuple[str, str, str, int, list[str], list[str]]] = [
    ("Nike", "CW2288-111", "Air Force 1 '07 White/White", 139000, ["#ffffff"], ["lifestyle"]),
    ("Nike", "CW2288-001", "Air Force 1 '07 Black/Black", 139000, ["#111111"], ["lifestyle"]),
    ("Nike", "315122-111", "Air Force 1 Low '07 White", 129000, ["#ffffff"], ["lifestyle"]),
    ("Nike", "DD1391-100", "Dunk Low Retro White/Black", 139000, ["#ffffff", "#111111"], []),
    ("Nike", "DD1503-101", "Dunk Low Women's White/Black", 139000, ["#ffffff", "#111111"], []),
    (
        "Nike",
        "DZ5485-612",
        'Air Jordan 1 Retro High OG "Chicago"',
        229000,
        ["#c8102e", "#ffffff", "#111111"],
        ["basketball"],
    ),
    ("Nike", "884421-001", "Air Max 97 OG Metallic Silver", 239000, ["#c0c0c0", "#c8102e"], []),
    ("Nike", "DV3853-001", "Air Zoom Pegasus 40 Black/White", 159000, ["#111111"], ["running"]),
    ("Nike", "343938 013", "Air Max 90 Essential Black", 169000, ["#111111", "#8a8d8f"], []),
    ("Adidas", "B75806", "Samba OG Cloud White/Core Black", 139000, ["#ffffff", "#111111"], []),
    ("Adidas", "B75807", "Samba OG Core Black/Cloud White", 139000, ["#111111", "#ffffff"], []),
    ("Adidas", "BB5476", "Gazelle Core Black/White", 129000, ["#111111", "#ffffff"], []),
    ("Adidas", "EG4958", "Superstar Cloud White/Core Black", 119000, ["#ffffff", "#111111"], []),
    ("Adidas", "FX5502", "Stan Smith Cloud White/Green", 119000, ["#ffffff", "#1e7b4a"], []),
    ("Adidas", "GZ5922", "Forum Low Cloud White", 129000, ["#ffffff"], ["basketball"]),
    ("Adidas", "FV0657", "NMD_R1 Core Black", 169000, ["#111111"], ["running"]),
    ("New Balance", "M990GL6", "990v6 Made in USA Grey", 299000, ["#8a8d8f"], ["running"]),
    ("New Balance", "M990BK6", "990v6 Made in USA Black", 299000, ["#111111"], ["running"]),
    ("New Balance", "M2002RCC", "2002R Grey", 189000, ["#9ea3a8"], ["running"]),
    ("New Balance", "ML574EVG", "574 Core Grey", 119000, ["#8a8d8f"], ["lifestyle"]),
    ("New Balance", "BB550WT1", "550 White/Green", 149000, ["#ffffff", "#1e7b4a"], []),
    ("New Balance", "U9060GRY", "9060 Rain Cloud", 199000, ["#b7b9bb"], ["running"]),
    ("New Balance", "CM996BG", "996 Grey", 119000, ["#8a8d8f"], ["lifestyle"]),
    ("Converse", "M9160C", "Chuck Taylor All Star Hi Black", 75000, ["#111111"], ["canvas"]),
    ("Converse", "M7650C", "Chuck Taylor All Star Hi Optical White", 75000, ["#f7f7f2"], []),
    ("Converse", "M9166C", "Chuck Taylor All Star Ox Black", 69000, ["#111111"], ["canvas"]),
    ("Converse", "162050C", "Chuck 70 Hi Black", 95000, ["#111111", "#f2ead8"], ["canvas"]),
    ("Converse", "162053C", "Chuck 70 Hi Parchment", 95000, ["#f2ead8"], ["canvas"]),
    ("Vans", "VN000D3HY28", "Old Skool Black/White", 79000, ["#111111", "#ffffff"], ["skate"]),
    ("Vans", "VN000EE3BKA", "Authentic Black", 65000, ["#111111"], ["skate", "canvas"]),
    ("Vans", "VN000EYEBWW", "Classic Slip-On Checkerboard", 69000, ["#111111", "#ffffff"], []),
    ("Vans", "VN000D5IB8C", "Sk8-Hi Black/White", 89000, ["#111111", "#ffffff"], ["skate"]),
    ("Asics", "1201A789-020", "GEL-1130 Black/Pure Silver", 129000, ["#111111", "#c0c0c0"], []),
    ("Asics", "1201A256-111", "GEL-Kayano 14 White/Pure Silver", 199000, ["#ffffff"], []),
    ("Asics", "1011B548-001", "GEL-Nimbus 25 Black/Pure Silver", 189000, ["#111111"], ["running"]),
    ("Onitsuka Tiger", "1183A201 100", "Mexico 66 White/Blue", 139000, ["#ffffff", "#1f4fa3"], []),
    ("Puma", "374915 01", "Suede Classic XXI Black/White", 99000, ["#111111", "#ffffff"], []),
    ("Puma", "395210 01", "Speedcat OG Red/White", 129000, ["#c8102e", "#ffffff"], []),
    ("Fila", "1RM01575D", "Disruptor 2 Premium White", 89000, ["#ffffff"], ["chunky"]),
    ("Fila", "FS1SIZ3220X", "Ray Tracer White/Navy", 89000, ["#ffffff", "#1b2a4a"], ["chunky"]),
]

# The desk catalog (Desk Makeover): categories are the desk analysis' item labels, styles its
# style names; each item has its real size and a cut-out drawn in code (drawings.py).
# brand, code, name, category, price (KRW), colours, styles, (width_cm, height_cm), drawing,
# inpainting prompt
_DESK: list[tuple[str, str, str, str, int, list[str], list[str], tuple[float, float], str, str]] = [
    ("Lumo", "DL-OAK-03", "Oak Arm Desk Lamp", "lamp", 89000, ["#b5835a", "#8a5a3b", "#f1e4cf"],
     ["wood_natural"], (40, 45), "arm_lamp", "an oak wood desk lamp with an adjustable arm"),
    ("Lumo", "DL-MIN-01", "Minimal LED Desk Lamp, White", "lamp", 49000,
     ["#f5f5f5", "#d9d9d9", "#bfbfbf"], ["minimal_white"], (40, 45), "arm_lamp",
     "a minimal white LED desk lamp with a slim adjustable arm"),
    ("Lumo", "DL-RGB-04", "RGB Gaming Light Bar", "lamp", 59000, ["#1a1a1a", "#333333", "#7b2ff7"],
     ["dark_gaming"], (45, 10), "light_bar", "a black monitor light bar glowing purple RGB"),
    ("Lumo", "DL-IND-05", "Black Steel Architect Lamp", "lamp", 69000,
     ["#2b2b2b", "#4a4d52", "#c8a165"], ["industrial"], (40, 45), "arm_lamp",
     "a black steel architect desk lamp with brass joints"),
    ("Lumo", "DL-MSH-06", "Mushroom Table Lamp, Coral", "lamp", 45000,
     ["#ff7a6b", "#ffd3c9", "#ffd43b"], ["colourful"], (25, 35), "dome_lamp",
     "a coral pink mushroom table lamp"),
    ("Lumo", "DL-WAL-07", "Walnut Dome Lamp", "lamp", 99000, ["#5c3a21", "#8a5a3b", "#f1e4cf"],
     ["wood_natural", "industrial"], (25, 35), "dome_lamp", "a walnut wood dome table lamp"),
    ("Greenroom", "PL-POT-01", "Golden Pothos in White Pot", "plant", 25000,
     ["#3f8f3a", "#f5f5f5", "#e0e0e0"], ["minimal_white", "wood_natural"], (30, 40),
     "leafy_plant", "a golden pothos plant in a white ceramic pot"),
    ("Greenroom", "PL-SNK-02", "Snake Plant in Terracotta Pot", "plant", 32000,
     ["#2f6b3a", "#c4693d", "#c9d96b"], ["wood_natural"], (25, 55), "snake_plant",
     "a snake plant in a terracotta pot"),
    ("Greenroom", "PL-CAC-03", "Mini Cactus, Yellow Pot", "plant", 18000,
     ["#3f8f3a", "#f2c641", "#e5548a"], ["colourful"], (14, 20), "cactus",
     "a small flowering cactus in a yellow pot"),
    ("Greenroom", "PL-CON-04", "Monstera in Concrete Pot", "plant", 39000,
     ["#2e7d32", "#8a8d8f", "#6f7275"], ["industrial"], (30, 40), "leafy_plant",
     "a monstera plant in a grey concrete pot"),
    ("Claymade", "MG-WHT-01", "Matte White Ceramic Mug", "mug", 15000,
     ["#f2f2f2", "#6f4e37", "#dcdcdc"], ["minimal_white"], (12, 10), "mug",
     "a matte white ceramic coffee mug"),
    ("Claymade", "MG-WD-02", "Stoneware Mug, Sand Glaze", "mug", 19000,
     ["#c8a27a", "#6f4e37", "#8a5a3b"], ["wood_natural"], (12, 10), "mug",
     "a sand glazed stoneware mug"),
    ("Claymade", "MG-BLK-03", "Black Enamel Camp Mug", "mug", 17000,
     ["#1f1f1f", "#6f4e37", "#c0c0c0"], ["industrial", "dark_gaming"], (12, 10), "mug",
     "a black enamel camp mug with a steel rim"),
    ("Claymade", "MG-POP-04", "Colour Block Mug", "mug", 16000, ["#4dabf7", "#6f4e37", "#ffd43b"],
     ["colourful"], (12, 10), "mug", "a bright blue mug with a yellow band"),
    ("Viewline", "MN-27Q-01", "27-inch QHD Monitor, White", "monitor", 389000,
     ["#f5f5f5", "#1c2a3a", "#8ec5fc"], ["minimal_white"], (61, 46), "monitor",
     "a 27-inch monitor with a thin white bezel on a stand"),
    ("Viewline", "MN-G27-02", "27-inch 165 Hz Gaming Monitor", "monitor", 429000,
     ["#1a1a1a", "#0b0b1a", "#7b2ff7"], ["dark_gaming"], (61, 46), "monitor",
     "a black 27-inch gaming monitor with a purple glowing screen"),
    ("Viewline", "MN-24F-03", "24-inch Office Monitor", "monitor", 189000,
     ["#3a3a3a", "#1c2a3a", "#a7c7e7"], ["industrial", "minimal_white"], (54, 42), "monitor",
     "a 24-inch dark grey office monitor"),
    ("Keyfolk", "KB-WHT-01", "Wireless Low-Profile Keyboard, White", "keyboard", 99000,
     ["#f5f5f5", "#e6e6e6", "#bdbdbd"], ["minimal_white"], (44, 14), "keyboard",
     "a white low-profile wireless keyboard"),
    ("Keyfolk", "KB-RGB-02", "Mechanical Keyboard RGB, Black", "keyboard", 129000,
     ["#1a1a1a", "#2b2b2b", "#00e5ff"], ["dark_gaming"], (44, 14), "rgb_keyboard",
     "a black mechanical gaming keyboard with RGB backlight"),
    ("Keyfolk", "KB-PST-03", "Pastel Retro Mechanical Keyboard", "keyboard", 89000,
     ["#f7c5d0", "#b9e3d8", "#fff1b8"], ["colourful"], (36, 13), "keyboard",
     "a pastel pink retro mechanical keyboard"),
    ("Keyfolk", "KB-WD-04", "Walnut Frame Mechanical Keyboard", "keyboard", 159000,
     ["#5c3a21", "#efe6d8", "#b5835a"], ["wood_natural"], (36, 13), "keyboard",
     "a mechanical keyboard in a walnut wood frame with cream keys"),
    ("Keyfolk", "MS-WHT-01", "Silent Wireless Mouse, White", "mouse", 29000,
     ["#f5f5f5", "#d0d0d0", "#e0e0e0"], ["minimal_white"], (6.5, 11), "mouse",
     "a white wireless mouse"),
    ("Keyfolk", "MS-RGB-02", "Lightweight Gaming Mouse RGB", "mouse", 59000,
     ["#1a1a1a", "#333333", "#ff2e88"], ["dark_gaming"], (6.5, 12), "mouse",
     "a black gaming mouse with a pink RGB logo"),
    ("Keyfolk", "MS-WD-03", "Beech Wood Mouse", "mouse", 45000, ["#d2a679", "#8a5a3b", "#b5835a"],
     ["wood_natural"], (6.5, 11), "mouse", "a beech wood computer mouse"),
    ("Soundnest", "SP-WD-01", "Bookshelf Speaker, Walnut", "speaker", 149000,
     ["#6b4428", "#2b2b2b", "#c8a165"], ["wood_natural"], (15, 24), "speaker",
     "a walnut bookshelf speaker"),
    ("Soundnest", "SP-RGB-02", "RGB Desktop Speaker", "speaker", 79000,
     ["#1a1a1a", "#333333", "#00e5ff"], ["dark_gaming"], (15, 24), "speaker",
     "a black desktop speaker with a cyan light ring"),
    ("Soundnest", "SP-WHT-03", "Smart Speaker, Chalk White", "speaker", 99000,
     ["#ececec", "#d6d6d6", "#9e9e9e"], ["minimal_white"], (10, 15), "round_speaker",
     "a chalk white fabric smart speaker"),
    ("Soundnest", "HP-BLK-01", "Over-Ear Gaming Headset", "headphones", 119000,
     ["#1a1a1a", "#444444", "#ff2e88"], ["dark_gaming"], (18, 20), "headphones",
     "a black over-ear gaming headset with pink lights"),
    ("Soundnest", "HP-CRM-02", "Wireless Headphones, Cream", "headphones", 189000,
     ["#efe6d8", "#c8b8a6", "#b5835a"], ["minimal_white", "wood_natural"], (18, 20),
     "headphones", "cream wireless over-ear headphones"),
    ("Soundnest", "HP-COL-03", "Kids' Colour Headphones", "headphones", 39000,
     ["#4dabf7", "#ffd43b", "#ff6b6b"], ["colourful"], (16, 18), "headphones",
     "bright blue and yellow headphones"),
    ("Paperly", "BK-DSN-01", "Design Classics Book Set", "books", 54000,
     ["#f0ede6", "#2b2b2b", "#c4693d"], ["minimal_white", "industrial"], (24, 16), "books",
     "a stack of design books with white and black covers"),
    ("Paperly", "BK-NAT-02", "Botanical Book Stack", "books", 48000,
     ["#2f6b3a", "#c8a27a", "#8a5a3b"], ["wood_natural"], (24, 16), "books",
     "a stack of books in green and brown linen covers"),
    ("Paperly", "BK-POP-03", "Colourful Comic Collection", "books", 42000,
     ["#ff6b6b", "#4dabf7", "#ffd43b"], ["colourful"], (24, 16), "books",
     "a stack of colourful comic books"),
    ("Tickwell", "CK-WD-01", "Wooden Desk Clock", "clock", 35000, ["#b5835a", "#f1e4cf", "#c4693d"],
     ["wood_natural"], (18, 20), "clock", "a round wooden desk clock"),
    ("Tickwell", "CK-WHT-02", "Minimal White Desk Clock", "clock", 29000,
     ["#f5f5f5", "#ffffff", "#e53935"], ["minimal_white"], (18, 20), "clock",
     "a minimal white desk clock with a red second hand"),
    ("Tickwell", "CK-IND-03", "Iron Station Clock", "clock", 45000,
     ["#2b2b2b", "#f2ead8", "#c8a165"], ["industrial"], (18, 20), "clock",
     "a black iron station clock with a cream face"),
    ("Tickwell", "CK-LED-04", "LED Digital Alarm Clock", "clock", 25000,
     ["#1a1a1a", "#0b0b1a", "#00e5ff"], ["dark_gaming"], (16, 8), "digital_clock",
     "a black LED digital alarm clock with cyan digits"),
    ("Matwork", "MP-FLT-01", "Felt Desk Mat, Grey", "desk_mat", 29000,
     ["#8a8d8f", "#6f7275", "#b0b3b5"], ["minimal_white", "industrial"], (80, 30), "desk_mat",
     "a grey felt desk mat"),
    ("Matwork", "MP-RGB-02", "RGB XL Mouse Pad", "desk_mat", 39000,
     ["#111111", "#222222", "#ff2e88"], ["dark_gaming"], (80, 30), "rgb_desk_mat",
     "a black XL mouse pad with a glowing RGB edge"),
    ("Matwork", "MP-CRK-03", "Cork and Leather Desk Mat", "desk_mat", 35000,
     ["#c8a27a", "#5c3a21", "#f1e4cf"], ["wood_natural"], (80, 30), "desk_mat",
     "a cork and brown leather desk mat"),
    ("Matwork", "MP-POP-04", "Colour Block Desk Mat", "desk_mat", 32000,
     ["#ffd43b", "#4dabf7", "#ff6b6b"], ["colourful"], (80, 30), "desk_mat",
     "a yellow and blue colour block desk mat"),
    ("Paperly", "NB-KRF-01", "Kraft Dot Grid Notebook", "notebook", 12000,
     ["#c8a27a", "#f1e4cf", "#5c3a21"], ["wood_natural"], (15, 21), "notebook",
     "a kraft paper notebook with a brown elastic band"),
    ("Paperly", "NB-BLK-02", "Black Hardcover Notebook", "notebook", 15000,
     ["#1f1f1f", "#3a3a3a", "#c8a165"], ["industrial", "dark_gaming"], (15, 21), "notebook",
     "a black hardcover notebook"),
]  # fmt: skip


def _search_link(query: str) -> str:
    return f"https://search.shopping.naver.com/search/all?query={quote(query)}"


def demo_rows() -> list[dict[str, Any]]:
    """The demo catalog as validated rows for `CatalogService.upsert_many`."""
    rows: list[dict[str, Any]] = []
    for brand, code, name, price, colours, tags in _SHOES:
        rows.append(
            {
                "brand": brand,
                "code": code,
                "name": name,
                "category": "shoes",
                "price": price,
                "currency": "KRW",
                "shop_url": _search_link(f"{brand} {code}"),
                "colours": colours,
                "tags": ["demo", "shoes", brand.lower(), *tags],
            }
        )
    for brand, code, name, category, price, colours, styles, size, _, prompt in _DESK:
        rows.append(
            {
                "brand": brand,
                "code": code,
                "name": name,
                "category": category,
                "price": price,
                "currency": "KRW",
                "shop_url": _search_link(name),
                "colours": colours,
                "tags": ["demo", "desk", *styles],
                "styles": styles,
                "width_cm": float(size[0]),
                "height_cm": float(size[1]),
                "item_prompt": prompt,
            }
        )
    return rows


def desk_drawings() -> dict[str, tuple[str, float, float, list[str]]]:
    """Per desk demo code: (drawing, width_cm, height_cm, colours), for drawings.draw_item."""
    return {d[1]: (d[8], float(d[7][0]), float(d[7][1]), d[5]) for d in _DESK}
