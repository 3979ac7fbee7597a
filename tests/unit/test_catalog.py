"""The catalog on a real SQLite database: codes, close matches, demo catalog, import, CLI."""

import json
import re

import pytest
from sqlalchemy import event, text
from typer.testing import CliRunner

from pixelsmith.core.catalog.cli import app as catalog_cli
from pixelsmith.core.catalog.importer import (
    ImportFileError,
    RowError,
    import_bytes,
    import_file,
    parse_bytes,
    validate_row,
)
from pixelsmith.core.catalog.models import format_price, normalize_code
from pixelsmith.core.catalog.service import CatalogService, within_one_edit
from pixelsmith.core.config import get_settings
from pixelsmith.core.db import Database

CSV_GOOD = (
    "brand,code,name,category,price,currency,image_url,shop_url,tags,colours\n"
    'Nike,CW2288-111,"Air Force 1 \'07, White",shoes,"₩149,000",KRW,,'
    "https://example.com/af1,lifestyle|white,#FFF\n"
    "Adidas,GZ5922,Forum Low,shoes,129000,,/static/img/forum.png,,,\n"
)


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'catalog.db'}")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def catalog(db):
    return CatalogService(db)


# -- codes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["CW2288-111", "cw2288 111", " CW 2288–111 ".replace("–", "-"), "ＣＷ２２８８－１１１"]
)
def test_normalize_code_ignores_case_spaces_dashes_and_width(raw):
    assert normalize_code(raw) == "CW2288111"


def test_normalize_code_keeps_only_letters_and_digits():
    assert normalize_code("343938 013") == "343938013"
    assert normalize_code("1011B548.001") == "1011B548001"
    assert normalize_code(" - ") == ""


@pytest.mark.parametrize(
    ("a", "b", "close"),
    [
        ("CW2288111", "CW2288111", True),
        ("CW2288111", "CW2288112", True),  # substitution
        ("CW2288111", "CW228811", True),  # deletion
        ("CW228811", "CW2288111", True),  # insertion
        ("M9160C", "M91606C", True),
        ("CW2288111", "CW2289112", False),
        ("CW2288111", "CW22881", False),
        ("ABC", "BCA", False),
    ],
)
def test_within_one_edit(a, b, close):
    assert within_one_edit(a, b) is close


def test_format_price():
    assert format_price(139000, "KRW") == "₩139,000"
    assert format_price(11999, "USD") == "$119.99"
    assert format_price(500, "CHF") == "5.00 CHF"
    assert format_price(1250, "BHD") == "1.250 BHD" and format_price(7, "KWD") == "0.007 KWD"
    assert format_price(2**31 - 1, "USD") == "$21,474,836.47"  # exact: no float on the way
    assert format_price(None, "KRW") is None


# -- find_by_code ---------------------------------------------------------------------------


def test_find_by_code_exact_ignores_case_spaces_and_dashes(catalog):
    catalog.ensure_demo()
    for code in ("CW2288-111", "cw2288111", "CW 2288 111"):
        (first, *_) = catalog.find_by_code(code)
        assert first["code"] == "CW2288-111" and first["match"] == "exact"
    assert catalog.find_by_code("343938013")[0]["code"] == "343938 013"


def test_find_by_code_close_matches(catalog):
    catalog.ensure_demo()
    # a style code without its colour code finds every colourway
    assert {(p["code"], p["match"]) for p in catalog.find_by_code("CW2288")} == {
        ("CW2288-111", "prefix"),
        ("CW2288-001", "prefix"),
    }
    # an extra character read after the code
    assert catalog.find_by_code("1RM01575D7")[0]["code"] == "1RM01575D"
    # one misread character (O for 0), one missing, one extra in the middle
    assert catalog.find_by_code("M916OC")[0]["code"] == "M9160C"
    assert catalog.find_by_code("DD139-100")[0]["code"] == "DD1391-100"
    assert catalog.find_by_code("DD13911-100")[0]["code"] == "DD1391-100"
    assert all(p["match"] == "close" for p in catalog.find_by_code("DD1391-10O"))
    assert catalog.find_by_code("ZZ9999-999") == []
    assert catalog.find_by_code("---") == []


def test_find_by_code_puts_exact_before_close_and_imports_before_demo(catalog):
    catalog.ensure_demo()
    catalog.upsert_many([{"code": "M9160C", "name": "Chuck Taylor Hi (my shop)", "price": 72000}])
    found = catalog.find_by_code("m9160c")
    assert [(p["source"], p["match"]) for p in found[:3]] == [
        ("import", "exact"),
        ("demo", "exact"),
        ("demo", "close"),  # M9166C
    ]


def test_find_by_code_only_uses_indexes(catalog, db):
    catalog.ensure_demo()
    statements = []

    def capture(conn, cursor, statement, params, context, executemany):  # noqa: ANN001, ARG001
        if statement.lstrip().upper().startswith("SELECT") and "products" in statement:
            statements.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        catalog.find_by_code("CW2288-112")
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert len(statements) >= 4
    with db.engine.connect() as conn:
        for statement, params in statements:
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).fetchall()
            detail = " ".join(row[-1] for row in plan)
            assert "USING INDEX" in detail, (statement, detail)
            assert not re.search(r"\bSCAN products\b", detail), (statement, detail)


# -- search ---------------------------------------------------------------------------------


def test_search_matches_every_word_in_name_brand_tags_or_code(catalog):
    catalog.ensure_demo()
    names = [p["name"] for p in catalog.search("nike white")]
    assert names and all("White" in n for n in names)
    assert {p["code"] for p in catalog.search("dd1391")} == {"DD1391-100"}
    assert {p["category"] for p in catalog.search("gaming")} >= {"lamp", "keyboard", "desk_mat"}
    assert catalog.search("100%_nothing") == []
    assert len(catalog.search("", limit=5)) == 5


# -- demo catalog ---------------------------------------------------------------------------


def test_demo_catalog_is_created_once_and_labelled(catalog):
    created = catalog.ensure_demo()
    assert created == catalog.count() >= 50
    assert catalog.ensure_demo() == 0 and catalog.count() == created

    products = catalog.search("", limit=500)
    shoes = [p for p in products if p["category"] == "shoes"]
    assert len(shoes) >= 40
    assert {p["brand"] for p in shoes} >= {
        "Nike",
        "Adidas",
        "New Balance",
        "Converse",
        "Vans",
        "Asics",
        "Puma",
    }
    desk = {p["category"] for p in products if "desk" in p["tags"]}
    assert desk >= {"lamp", "monitor", "plant", "keyboard", "mouse", "desk_mat", "mug", "clock"}
    for p in products:
        assert p["is_demo"] and p["source"] == "demo" and "demo" in p["tags"]
        assert p["demo_notice"] and "demo" in p["demo_notice"].lower()
        assert p["currency"] == "KRW" and p["price"] > 0
        assert p["image_url"] == "" or p["image_url"].startswith("/")  # nothing external loads
        assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in p["colours"])
    codes = {p["code"] for p in shoes}
    assert {"CW2288-111", "DD1391-100", "GZ5922", "FV0657", "M990GL6", "M9160C"} <= codes
    assert {"1RM01575D", "343938 013", "FS1SIZ3220X"} <= codes


def test_demo_catalog_is_not_added_to_a_users_catalog(catalog):
    import_bytes(CSV_GOOD.encode(), "mine.csv", catalog)
    assert catalog.ensure_demo() == 0
    assert catalog.count(source="demo") == 0


def test_demo_rows_can_be_removed(catalog):
    catalog.ensure_demo()
    import_bytes(CSV_GOOD.encode(), "mine.csv", catalog)
    assert catalog.delete_demo() >= 50
    assert catalog.count() == 2


# -- import ---------------------------------------------------------------------------------


def test_csv_import(catalog):
    report = import_bytes(CSV_GOOD.encode("utf-8-sig"), "products.csv", catalog)
    assert (report.created, report.updated, report.errors) == (2, 0, [])
    af1 = catalog.find_by_code("CW2288-111")[0]
    assert af1["name"] == "Air Force 1 '07, White" and af1["brand"] == "Nike"
    assert (af1["price"], af1["currency"], af1["price_text"]) == (149000, "KRW", "₩149,000")
    assert af1["tags"] == ["lifestyle", "white"] and af1["colours"] == ["#ffffff"]
    assert af1["shop_url"] == "https://example.com/af1"
    assert af1["source"] == "import" and not af1["is_demo"] and af1["demo_notice"] is None
    forum = catalog.find_by_code("GZ5922")[0]
    assert forum["currency"] == "KRW" and forum["image_url"] == "/static/img/forum.png"


def test_csv_import_reports_bad_rows_with_spreadsheet_row_numbers(catalog):
    data = (
        "Code;Name;Price;Currency;Colors;Image URL\n"
        "CW2288-111;Air Force 1;139000;KRW;;\n"  # row 2: fine
        ";No code;1000;KRW;;\n"  # row 3
        "DD1391-100;Dunk;lots;KRW;;\n"  # row 4
        "\n"
        "M9160C;Chuck;75000;KRW;#12345G;\n"  # row 6
        "GZ5922;Forum;129.5;KRW;;\n"  # row 7: KRW has no decimals
        "FV0657;NMD;119.99;USD;;javascript:alert(1)\n"  # row 8
        "cw2288 111;Again;1;KRW;;\n"  # row 9: duplicate of row 2
        "B75806;Samba;19.99;usd;;\n"  # row 10: fine, $19.99
    )
    report = import_bytes(data.encode(), "list.csv", catalog)
    assert report.created == 2 and report.error_count == 6
    errors = {e["row"]: e["message"] for e in report.errors}
    assert set(errors) == {3, 4, 6, 7, 8, 9}
    assert "code is empty" in errors[3]
    assert "'lots' is not a number" in errors[4]
    assert "#12345G" in errors[6]
    assert "decimal" in errors[7]
    assert "image_url" in errors[8]
    assert "repeats row 2" in errors[9]
    samba = catalog.find_by_code("B75806")[0]
    assert (samba["price"], samba["currency"], samba["price_text"]) == (1999, "USD", "$19.99")


def test_json_import_and_per_row_errors(catalog):
    data = {
        "products": [
            {
                "brand": "New Balance",
                "code": "M990GL6",
                "name": "990v6 Grey",
                "price": 299000,
                "tags": ["running"],
                "colors": ["#8a8d8f"],
            },
            {"code": "M9160C", "name": "Chuck 70", "price": -5},
            "not an object",
            {"code": 343938013, "name": "Numeric code", "price": "99,000"},
            {"code": "VN000D3HY28", "name": ["a", "list"]},
            {"code": "1RM01575D", "name": "Disruptor", "tags": "chunky; white", "extra": 1},
        ]
    }
    report = import_bytes(json.dumps(data).encode(), "catalog.json", catalog)
    assert report.created == 3 and report.rows == 6
    errors = {e["row"]: e["message"] for e in report.errors}
    assert set(errors) == {2, 3, 5}
    assert "zero or more" in errors[2] and "expected an object" in errors[3]
    assert "name must be text" in errors[5]
    assert catalog.find_by_code("M990GL6")[0]["colours"] == ["#8a8d8f"]
    assert catalog.find_by_code("343938 013")[0]["price"] == 99000
    assert catalog.find_by_code("1RM01575D")[0]["tags"] == ["chunky", "white"]


def test_reimport_updates_products(catalog):
    import_bytes(CSV_GOOD.encode(), "a.csv", catalog)
    before = catalog.find_by_code("CW2288-111")[0]
    changed = CSV_GOOD.replace('"₩149,000"', "139000")
    report = import_bytes(changed.encode(), "a.csv", catalog)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    after = catalog.find_by_code("CW2288-111")[0]
    assert after["id"] == before["id"] and after["price"] == 139000
    assert after["updated_at"] > before["updated_at"]
    assert catalog.count() == 2


def test_upsert_many_updates_by_normalised_code(catalog):
    assert catalog.upsert_many([{"code": "CW2288-111", "name": "A"}]) == (1, 0, 0)
    assert catalog.upsert_many([{"code": "cw2288 111", "name": "B"}]) == (0, 1, 0)
    (p,) = catalog.find_by_code("CW2288111")
    assert p["name"] == "B" and p["code"] == "cw2288 111"
    # the same code from another source is another row
    catalog.upsert_many([{"code": "CW2288-111", "name": "C"}], source="naver")
    assert catalog.count() == 2
    with pytest.raises(ValueError):
        catalog.upsert_many([{"code": "X", "name": "x"}], source="elsewhere")


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"", "a.csv", "import_empty"),
        (b"code,name\n", "a.csv", "import_empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a.png", "import_unsupported_type"),
        (b"PK\x03\x04\x14\x00\x00\x00", "catalog.xlsx", "import_unsupported_type"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "", "import_unsupported_type"),
        ("code,name\nCW2288-111,나이키\n".encode("cp949"), "a.csv", "import_bad_encoding"),
        (b"brand,title_x,price\nNike,AF1,1\n", "a.csv", "import_missing_columns"),
        (b'[{"brand": "Nike", "sku": "CW2288-111"}]', "a.json", "import_missing_columns"),
        (b'{"products": [{"code": "A"', "a.json", "import_bad_json"),
        (b'{"code": "CW2288-111", "name": "x"}', "a.json", "import_bad_json"),
        (b"[]", "a.json", "import_empty"),
        (b"[" * 100_000, "a.json", "import_bad_json"),
    ],
)
def test_bad_files_raise_clear_422s(catalog, data, filename, code):
    with pytest.raises(ImportFileError) as exc:
        import_bytes(data, filename, catalog)
    assert exc.value.code == code and exc.value.status_code == 422
    assert exc.value.message.endswith(".")
    assert catalog.count() == 0


def test_bad_encoding_message_says_what_to_do():
    with pytest.raises(ImportFileError) as exc:
        parse_bytes("code,name\nA1,가방\n".encode("cp949"), "a.csv")
    assert "UTF-8" in exc.value.message and "CSV UTF-8" in exc.value.message


def test_missing_columns_message_lists_them():
    with pytest.raises(ImportFileError) as exc:
        parse_bytes(b"brand,price\nNike,1\n", "a.csv")
    assert "code, name" in exc.value.message and exc.value.details["missing"] == ["code", "name"]


def test_sniffs_the_format_without_a_suffix(catalog):
    assert import_bytes(b'[{"code": "A1234", "name": "x"}]', "", catalog).created == 1
    assert import_bytes(b"code,name\nB1234,y\n", "", catalog).created == 1


def test_import_file_from_disk(catalog, tmp_path):
    path = tmp_path / "products.csv"
    path.write_text(CSV_GOOD, encoding="utf-8")
    assert import_file(path, catalog).created == 2
    with pytest.raises(ImportFileError) as exc:
        import_file(tmp_path / "missing.csv", catalog)
    assert exc.value.code == "import_file_not_found"


def test_migration_creates_the_products_table(db):
    with db.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        indexes = {r[1] for r in conn.execute(text("PRAGMA index_list('products')"))}
    assert version >= "0002"
    assert {"ix_products_code_norm", "ix_products_code_norm_rev"} <= indexes


# -- import: good rows kept, each bad row reported ------------------------------------------

# Every bad row below fails for the reason in its comment; the good ones must all be imported.
CSV_MIXED = (
    "code,name,brand,price,currency,image_url,tags\n"
    "G-1,Good one,Nike,139000,KRW,/static/a.png,a|b\n"  # row 2: good
    "B-1,Too dear,,1e9999999,KRW,,\n"  # row 3: past Decimal's range
    "B-2,Nul\x00name,,1000,KRW,,\n"  # row 4: NUL
    "G-2,Dinar lamp,,12.345,BHD,https://cdn.example.com/l.png,\n"  # row 5: good, 3 decimals
    "B-3,Backslash host,,1000,KRW,/\\evil.com/a.png,\n"  # row 6: /\\ is another host
    "B-4,Two slashes,,1000,KRW,//evil.com/a.png,\n"  # row 7: protocol-relative
    "B-5,Fils,,1.2345,BHD,,\n"  # row 8: BHD has 3 decimals
    "B-6,Bell\x07brand,,1,KRW,,\n"  # row 9: a control character
    "G-3,Yen pen,,500,JPY,,\n"  # row 10: good
    "B-7,Won cents,,129.5,KRW,,\n"  # row 11: KRW has no decimals
    "B-8,Tab host,,1,KRW,/\t/evil.com,\n"  # row 12: browsers drop the tab
    "G-4,Tab\tin name,,0,KWD,,\n"  # row 13: good; the tab becomes a space
    "B-9,Huge,,30000000,USD,,\n"  # row 14: 3e9 cents is past the 32-bit column
)


def test_csv_with_good_and_bad_rows_imports_the_good_ones(catalog):
    report = import_bytes(CSV_MIXED.encode(), "mixed.csv", catalog)
    assert (report.created, report.rows, report.error_count) == (4, 13, 9)
    errors = {e["row"]: e["message"] for e in report.errors}
    assert errors == {
        3: "price '1e9999999' is too large",
        4: "name holds a control character (U+0000) at character 4; remove it",
        6: "image_url '/\\\\evil.com/a.png' is not an http(s):// URL or a /path on this site",
        7: "image_url '//evil.com/a.png' is not an http(s):// URL or a /path on this site",
        8: "price '1.2345' has more than 3 decimal place(s) for BHD",
        9: "name holds a control character (U+0007) at character 5; remove it",
        11: "price '129.5' has more than 0 decimal place(s) for KRW",
        12: "image_url '/\\t/evil.com' holds a space or control character at character 2; "
        "percent-encode it (a space is %20)",
        14: "price '30000000' is too large (at most $21,474,836.47)",
    }
    assert {p["code"] for p in catalog.search("", limit=50)} == {"G-1", "G-2", "G-3", "G-4"}
    lamp = catalog.find_by_code("G-2")[0]
    assert (lamp["price"], lamp["currency"], lamp["price_text"]) == (12345, "BHD", "12.345 BHD")
    assert catalog.find_by_code("G-3")[0]["price_text"] == "¥500"
    assert catalog.find_by_code("G-4")[0]["name"] == "Tab in name"


JSON_MIXED = (
    b'{"products": ['
    b'{"code": "G-1", "name": "Good", "price": 119.99, "currency": "USD"},'  # 1: good
    b'{"code": "B-1", "name": "Digits", "price": ' + b"9" * 5000 + b"},"  # 2: 5000 digits
    b'{"code": "B-2", "name": "\\udfff"},'  # 3: a lone surrogate
    b'{"code": "B-3", "name": "Nul tag", "tags": ["ok", "n\\u0000l"]},'  # 4: NUL in a tag
    b'{"code": "B-4", "name": "NaN", "price": NaN},'  # 5: not a number
    b'{"code": "B-5", "name": "Flag", "brand": true},'  # 6: not text
    b'{"code": 343938013, "name": "Numeric code", "price": 1.5, "currency": "KWD"},'  # 7: good
    b'{"code": "B-6", "name": "Tiny", "price": 1e-9999999, "currency": "USD"},'  # 8: decimals
    b'{"code": "B-7", "name": "Esc", "image_url": "/a\\u001b.png"},'  # 9: ESC in a URL
    b'{"code": "G-2", "name": "Whole won", "price": 139000.00}'  # 10: good, .00 is no decimal
    b"]}"
)


def test_json_with_good_and_bad_rows_imports_the_good_ones(catalog):
    report = import_bytes(JSON_MIXED, "mixed.json", catalog)
    assert (report.created, report.rows, report.error_count) == (3, 10, 7)
    errors = {e["row"]: e["message"] for e in report.errors}
    assert set(errors) == {2, 3, 4, 5, 6, 8, 9}
    assert errors[2] == "price '9999999999999999999999999999999999999999…' is too large"
    assert errors[3] == (
        "name holds a lone UTF-16 surrogate (U+DFFF) at character 1, which is not text; "
        "fix that character in the file"
    )
    assert errors[4] == "tags holds a control character (U+0000) at character 2; remove it"
    assert errors[5] == "price 'nan' is not a number"
    assert errors[6] == "brand must be text, not true/false"
    assert errors[8] == "price '1E-9999999' has more than 2 decimal place(s) for USD"
    assert "image_url" in errors[9] and "control character" in errors[9]
    assert catalog.find_by_code("G-1")[0]["price"] == 11999
    numeric = catalog.find_by_code("343938013")[0]
    assert (numeric["code"], numeric["price"], numeric["price_text"]) == (
        "343938013",
        1500,
        "1.500 KWD",
    )
    assert catalog.find_by_code("G-2")[0]["price"] == 139000


@pytest.mark.parametrize(
    ("price", "currency", "minor"),
    [
        ("139000", "KRW", 139000),
        ("₩139,000", "KRW", 139000),
        ("139000.00", "KRW", 139000),
        ("500", "JPY", 500),
        ("119.99", "USD", 11999),
        ("0", "USD", 0),
        ("0.000", "KRW", 0),
        ("1.5", "BHD", 1500),
        ("1.234", "KWD", 1234),
        ("0.0001", "CLF", 1),
        ("21474836.47", "USD", 2**31 - 1),
        ("1.10", "EUR", 110),
    ],
)
def test_prices_use_iso_4217_minor_units(price, currency, minor):
    rows, report = parse_bytes(f'code,name,price,currency\nA1,x,"{price}",{currency}\n'.encode())
    assert report.errors == [] and rows[0]["price"] == minor


@pytest.mark.parametrize(
    ("price", "currency", "reason"),
    [
        ("1e9999999", "KRW", "too large"),
        ("1e-9999999", "KRW", "decimal place"),
        ("9" * 5000, "KRW", "too large"),
        ("2147483648", "KRW", "too large"),
        ("0.5", "JPY", "more than 0 decimal"),
        ("1.001", "USD", "more than 2 decimal"),
        ("1.0001", "BHD", "more than 3 decimal"),
        ("0." + "0" * 40 + "1", "USD", "more than 2 decimal"),
        ("1." + "0" * 40 + "1", "USD", "more than 2 decimal"),  # past Decimal's 28 digits
        ("Infinity", "USD", "not a number"),
        ("sNaN", "USD", "not a number"),
        ("-1", "USD", "zero or more"),
    ],
)
def test_bad_prices_are_row_errors(price, currency, reason):
    rows, report = parse_bytes(f"code,name,price,currency\nA1,x,{price},{currency}\n".encode())
    assert rows == [] and report.errors[0]["row"] == 2
    assert reason in report.errors[0]["message"] and len(report.errors[0]["message"]) < 120


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("/static/img/a.png", True),
        ("/a\\b.png", True),  # a backslash later in the path stays on this site
        ("https://cdn.example.com/a.png", True),
        ("HTTP://cdn.example.com/a.png", True),
        ("/\\evil.com/a.png", False),
        ("//evil.com/a.png", False),
        ("\\\\evil.com/a.png", False),
        ("/\t/evil.com", False),
        ("/\n/evil.com", False),
        ("https:\\\\evil.com", False),
        ("https://\\evil.com", False),
        ("https:///evil.com", False),
        ("javascript:alert(1)", False),
        ("data:image/png;base64,AAAA", False),
        ("static/a.png", False),
        ("/a b.png", False),
        ("/a\x00.png", False),
    ],
)
def test_image_url_is_absolute_http_or_a_same_origin_path(url, ok):
    record = {"code": "A1", "name": "x", "image_url": url}
    if ok:
        assert validate_row(record)["image_url"] == url
    else:
        with pytest.raises(RowError, match="image_url"):
            validate_row(record)


def test_shop_url_must_be_absolute():
    with pytest.raises(RowError, match="shop_url"):
        validate_row({"code": "A1", "name": "x", "shop_url": "/local/path"})


@pytest.mark.parametrize("field", ["code", "name", "brand", "category", "mall", "currency"])
@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\x7f", "\ud800", "\udfff"])
def test_nul_controls_and_surrogates_are_row_errors_in_every_text_field(field, bad):
    record = {"code": "A1", "name": "x", field: f"ab{bad}c"}
    with pytest.raises(RowError, match=rf"^{field} holds a"):
        validate_row(record)


def test_a_row_the_database_refuses_is_reported_and_the_others_are_kept(catalog, db):
    """Whatever validation misses, the database's own refusal costs one row, not the file."""
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON products WHEN NEW.name = 'refuse me' "
                "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
            )
        )
    data = "code,name\nA1,ok\nB1,refuse me\nC1,ok too\n" + "".join(
        f"D{i},bulk {i}\n"
        for i in range(600)  # a second chunk, which commits on its own
    )
    report = import_bytes(data.encode(), "a.csv", catalog)
    assert report.created == 602 and report.error_count == 1
    assert report.errors[0]["row"] == 3
    assert "refused by a trigger" in report.errors[0]["message"]
    assert catalog.count() == 602 and catalog.find_by_code("C1")[0]["name"] == "ok too"
    assert "B1" not in {p["code"] for p in catalog.find_by_code("B1")}


def test_upsert_many_stays_all_or_nothing(catalog, db):
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON products WHEN NEW.name = 'refuse me' "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        )
    with pytest.raises(Exception, match="refused"):
        catalog.upsert_many([{"code": "A1", "name": "ok"}, {"code": "B1", "name": "refuse me"}])
    assert catalog.count() == 0


# -- CLI ------------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("PIXELSMITH_DATA_DIR", str(tmp_path / "data"))
    for key in ("PIXELSMITH_NAVER_CLIENT_ID", "PIXELSMITH_NAVER_CLIENT_SECRET"):
        monkeypatch.delenv(key, raising=False)
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(catalog_cli, list(args), catch_exceptions=False)
    get_settings.cache_clear()


def test_cli_import_list_and_lookup(cli, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(CSV_GOOD, encoding="utf-8")
    r = cli("import", str(good))
    assert r.exit_code == 0, r.stdout
    assert "Imported good.csv" in r.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,price\nM9160C,Chuck,75000\n,nameless,1\n", encoding="utf-8")
    r = cli("import", str(bad), "--json")
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    assert report["created"] == 1 and report["errors"] == [{"row": 3, "message": "code is empty"}]
    r = cli("import", str(bad))
    assert r.exit_code == 1 and "Rows not imported" in r.stdout and "code is empty" in r.stdout

    wrong = tmp_path / "catalog.xlsx"
    wrong.write_bytes(b"PK\x03\x04")
    r = cli("import", str(wrong))
    assert r.exit_code == 1 and ".csv or .json" in r.stdout

    r = cli("list", "--json")
    data = json.loads(r.stdout)
    assert data["total"] == 3  # the user's catalog: no demo rows added
    r = cli("list", "--q", "forum")
    assert r.exit_code == 0 and "GZ5922" in r.stdout

    r = cli("lookup", "cw2288 111", "--json")
    assert r.exit_code == 0
    result = json.loads(r.stdout)
    assert result["source"] == "local" and result["products"][0]["code"] == "CW2288-111"
    assert "PIXELSMITH_NAVER_CLIENT_ID" in result["message"]
    r = cli("lookup", "ZZ0000-000")
    assert r.exit_code == 1 and "Online lookup is off" in r.stdout


def test_cli_import_of_a_mixed_file_keeps_the_good_rows(cli, tmp_path):
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(CSV_MIXED, encoding="utf-8")
    r = cli("import", str(mixed), "--json")
    assert r.exit_code == 1  # some rows failed
    report = json.loads(r.stdout)
    assert report["created"] == 4 and report["error_count"] == 9
    r = cli("list", "--json")
    assert {p["code"] for p in json.loads(r.stdout)["items"]} == {"G-1", "G-2", "G-3", "G-4"}
    markup = tmp_path / "markup.csv"
    markup.write_text("code,name,colours\nX1,x,[red]\n", encoding="utf-8")
    r = cli("import", str(markup))
    assert "colour '[red]'" in r.stdout  # a row's text is printed as it is, not as rich markup


def test_cli_list_creates_the_demo_catalog_on_first_run(cli):
    r = cli("list", "--limit", "100")
    assert r.exit_code == 0 and "demo catalog" in r.stdout
    assert json.loads(cli("list", "--json", "--limit", "500").stdout)["total"] >= 50
