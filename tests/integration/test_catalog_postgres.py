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
