"""The demo catalog: sample shoes (real code formats, KRW prices) and desk accessories.

Created by `CatalogService.ensure_demo()` when the product table is empty. Every row is stored
with `source="demo"`, `is_demo=True` and the tag "demo"; prices are typical Korean retail
prices, not live listings. No image URLs: pages never load anything external for demo rows.
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

# brand, code, name, category, price (KRW), colours, style tags
_DESK: list[tuple[str, str, str, str, int, list[str], list[str]]] = [
    ("Lumo", "DL-MIN-01", "Minimal LED Desk Lamp, White", "lamp", 49000, ["#f5f5f5"],
     ["minimal", "white"]),
    ("Lumo", "DL-BAR-02", "Monitor Light Bar, Black", "lamp", 69000, ["#1a1a1a"],
     ["minimal", "dark", "gaming"]),
    ("Lumo", "DL-OAK-03", "Oak Arm Desk Lamp", "lamp", 89000, ["#b5835a", "#f1e4cf"],
     ["wood", "natural"]),
    ("Lumo", "DL-RGB-04", "RGB Light Bar Lamp", "lamp", 59000, ["#1a1a1a", "#7b2ff7"],
     ["rgb", "gaming", "dark"]),
    ("Riser Co.", "MS-WAL-01", "Walnut Monitor Riser", "monitor_stand", 79000, ["#5c3a21"],
     ["wood", "natural"]),
    ("Riser Co.", "MS-WHT-02", "White Steel Monitor Stand with Drawer", "monitor_stand", 45000,
     ["#f5f5f5"], ["minimal", "white"]),
    ("Riser Co.", "MS-ALU-03", "Aluminium Monitor Stand, Space Grey", "monitor_stand", 59000,
     ["#4a4d52"], ["minimal", "dark"]),
    ("Greenroom", "PL-POT-01", "Golden Pothos in White Pot", "plant", 25000,
     ["#3f8f3a", "#f5f5f5"], ["natural", "green", "minimal"]),
    ("Greenroom", "PL-SNK-02", "Snake Plant in Terracotta Pot", "plant", 32000,
     ["#2f6b3a", "#c4693d"], ["natural", "green", "wood"]),
    ("Greenroom", "PL-CAC-03", "Mini Cactus Trio, Colour Pots", "plant", 18000,
     ["#3f8f3a", "#f2a541", "#e5548a"], ["colourful", "natural"]),
    ("Keyfolk", "KB-WHT-01", "Wireless Low-Profile Keyboard, White", "keyboard", 99000,
     ["#f5f5f5"], ["minimal", "white"]),
    ("Keyfolk", "KB-RGB-02", "Mechanical Keyboard RGB, Black", "keyboard", 129000,
     ["#1a1a1a", "#00e5ff"], ["rgb", "gaming", "dark"]),
    ("Keyfolk", "KB-PST-03", "Pastel Retro Mechanical Keyboard", "keyboard", 89000,
     ["#f7c5d0", "#b9e3d8", "#fff1b8"], ["colourful", "pastel"]),
    ("Matwork", "MP-FLT-01", "Felt Desk Mat, Grey", "mouse_pad", 29000, ["#8a8d8f"],
     ["minimal"]),
    ("Matwork", "MP-RGB-02", "RGB XL Mouse Pad", "mouse_pad", 39000, ["#111111", "#ff2e88"],
     ["rgb", "gaming", "dark"]),
    ("Matwork", "MP-CRK-03", "Cork and Leather Desk Mat", "mouse_pad", 35000,
     ["#c8a27a", "#5c3a21"], ["natural", "wood"]),
    ("Tidy", "OR-WD-01", "Wooden Desk Organizer", "organizer", 39000, ["#b5835a"],
     ["wood", "natural"]),
    ("Tidy", "OR-WHT-02", "White Drawer Organizer", "organizer", 29000, ["#f5f5f5"],
     ["minimal", "white"]),
    ("Tidy", "OR-ACR-03", "Colour Acrylic Pen Stand", "organizer", 15000,
     ["#ff6b6b", "#4dabf7", "#ffd43b"], ["colourful"]),
    ("Tidy", "HS-ALU-01", "Aluminium Headphone Stand, Black", "headphone_stand", 35000,
     ["#1a1a1a"], ["minimal", "dark", "gaming"]),
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
    for brand, code, name, category, price, colours, tags in _DESK:
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
                "tags": ["demo", "desk", *tags],
            }
        )
    return rows
