"""The catalog on a real SQLite database: codes, close matches, demo catalog, import, CLI."""

import json
import re

import pytest
from sqlalchemy import event, text
from typer.testing import CliRunner

from pixelsmith.core.catalog.cli import app as catalog_cli
from pixelsmith.core.catalog.importer import (
    ImportFileError,
    import_bytes,
    import_file,
    parse_bytes,
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
    assert {p["category"] for p in catalog.search("gaming")} >= {"lamp", "keyboard", "mouse_pad"}
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
    assert desk >= {"lamp", "monitor_stand", "plant", "keyboard", "mouse_pad", "organizer"}
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


def test_cli_list_creates_the_demo_catalog_on_first_run(cli):
    r = cli("list", "--limit", "100")
    assert r.exit_code == 0 and "demo catalog" in r.stdout
    assert json.loads(cli("list", "--json", "--limit", "500").stdout)["total"] >= 50
