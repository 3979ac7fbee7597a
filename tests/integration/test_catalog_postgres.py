"""The catalog on PostgreSQL: migration, close matches through the indexes, search, import."""

import pytest
from sqlalchemy import text

from pixelsmith.core.catalog.importer import import_bytes
from pixelsmith.core.catalog.service import CatalogService
from pixelsmith.core.db import Database

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_db(pg_url):
    db = Database(pg_url)
    db.migrate()
    yield db
    db.dispose()


def test_catalog_on_postgres(pg_db):
    catalog = CatalogService(pg_db)
    assert catalog.ensure_demo() >= 50 and catalog.ensure_demo() == 0
    assert catalog.find_by_code("cw2288 111")[0]["code"] == "CW2288-111"
    assert {p["code"] for p in catalog.find_by_code("CW2288")} == {"CW2288-111", "CW2288-001"}
    assert catalog.find_by_code("DD139-100")[0]["match"] == "close"
    assert {p["category"] for p in catalog.search("gaming")} >= {"lamp", "keyboard"}
    assert catalog.search("100%_x") == []
    report = import_bytes(b"code,name,price,tags\nM9160C,Mine,70000,a|b\n", "a.csv", catalog)
    assert report.created == 1
    assert [p["source"] for p in catalog.find_by_code("M9160C")][:2] == ["import", "demo"]
    with pg_db.engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        plan = " ".join(
            conn.execute(
                text("EXPLAIN SELECT id FROM products WHERE code_norm_rev LIKE '111%'")
            ).scalars()
        )
    assert "ix_products_code_norm_rev" in plan


MIXED_CSV = (
    "code,name,price,currency,image_url\n"
    "G-1,Good,139000,KRW,/static/a.png\n"  # row 2
    "B-1,Nul\x00name,1,KRW,\n"  # row 3: PostgreSQL text cannot hold NUL at all
    "B-2,Too dear,3000000000,KRW,\n"  # row 4: past the INTEGER column
    "G-2,Dinar,12.345,BHD,\n"  # row 5
    "B-3,Host,1,KRW,/\\evil.com/a.png\n"  # row 6
    "B-4,Deep,1e9999999,KRW,\n"  # row 7
)


def test_import_keeps_the_good_rows_on_postgres(pg_db):
    catalog = CatalogService(pg_db)
    report = import_bytes(MIXED_CSV.encode(), "mixed.csv", catalog)
    assert report.created == 2 and [e["row"] for e in report.errors] == [3, 4, 6, 7]
    lamp = catalog.find_by_code("G-2")[0]
    assert (lamp["price"], lamp["price_text"]) == (12345, "12.345 BHD")
    json_report = import_bytes(
        b'[{"code":"J-1","name":"\\udfff"},{"code":"J-2","name":"ok"}]', "a.json", catalog
    )
    assert json_report.created == 1 and json_report.errors[0]["row"] == 1
    assert catalog.count() == 3


def test_a_row_postgres_refuses_costs_only_that_row(pg_db):
    """On PostgreSQL an error aborts the whole transaction: the import must still keep the rest."""
    with pg_db.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                "IF NEW.name = 'refuse me' THEN RAISE EXCEPTION 'refused by a trigger'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON products "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        )
    catalog = CatalogService(pg_db)
    data = "code,name\nA1,ok\nB1,refuse me\nC1,ok too\n" + "".join(
        f"D{i},bulk {i}\n" for i in range(600)
    )
    report = import_bytes(data.encode(), "a.csv", catalog)
    assert report.created == 602 and report.error_count == 1
    assert report.errors[0]["row"] == 3 and "refused by a trigger" in report.errors[0]["message"]
    assert catalog.count() == 602
