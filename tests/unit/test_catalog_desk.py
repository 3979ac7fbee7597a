"""Desk items in the catalog on real SQLite and local blob storage: the migration, the demo desk
catalog with drawn cut-outs, and imports whose rows bring images (zip, folder, URL)."""

import io
import json
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import text
from typer.testing import CliRunner

from pixelsmith.apps.desk.types import ITEM_LABELS, STYLES
from pixelsmith.core.catalog import routes
from pixelsmith.core.catalog.cli import app as catalog_cli
from pixelsmith.core.catalog.importer import RowError, import_bytes, import_zip, validate_row
from pixelsmith.core.catalog.item_images import ItemImages
from pixelsmith.core.catalog.service import CatalogService
from pixelsmith.core.config import get_settings
from pixelsmith.core.db import Database
from pixelsmith.core.storage import LocalStorage
from pixelsmith.core.web.errors import install_error_handlers


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'catalog.db'}")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def storage(tmp_path):
    return LocalStorage(tmp_path / "blobs")


@pytest.fixture
def catalog(db, storage):
    return CatalogService(db, storage)


def _png(img: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "PNG")
    return buf.getvalue()


def product_photo() -> tuple[bytes, np.ndarray]:
    """A photo-like JPEG: a terracotta vase on a light grey backdrop, and its true mask."""
    h, w = 360, 480
    img = np.repeat(np.linspace(210, 240, w, dtype=np.float32)[None, :], h, 0)
    img = np.repeat(img[:, :, None], 3, 2).astype(np.uint8)
    truth = np.zeros((h, w), np.uint8)
    cv2.ellipse(truth, (240, 220), (90, 100), 0, 0, 360, 1, -1)
    cv2.rectangle(truth, (215, 70), (265, 140), 1, -1)
    img[truth > 0] = (180, 90, 50)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=92)
    return buf.getvalue(), truth.astype(bool)


def transparent_png() -> bytes:
    """An RGBA PNG already cut out: a blue disc in a larger transparent canvas."""
    rgba = np.zeros((200, 300, 4), np.uint8)
    cv2.circle(rgba, (150, 100), 40, (40, 90, 200, 255), -1)
    return _png(rgba)


# -- schema ---------------------------------------------------------------------------------


def test_migration_adds_the_desk_columns(db):
    with db.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        cols = {r[1] for r in conn.execute(text("PRAGMA table_info('products')"))}
    assert version >= "0005"
    assert {"styles", "width_cm", "height_cm", "cutout_key", "item_prompt"} <= cols


def test_rows_from_before_the_migration_get_empty_desk_fields(tmp_path):
    """A product stored under 0004 reads back after upgrading, with empty desk fields."""
    from alembic import command
    from alembic.config import Config

    from pixelsmith.core.db import MIGRATIONS_DIR

    database = Database(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
        conn.execute(
            text(
                "INSERT INTO products (brand, code, code_norm, code_norm_rev, name, category, "
                "currency, image_url, shop_url, mall, external_id, tags, colours, source, "
                "is_demo, created_at, updated_at) VALUES ('', 'A-1', 'A1', '1A', 'Old', '', "
                "'KRW', '', '', '', '', '[]', '[]', 'import', 0, '2026-01-01', '2026-01-01')"
            )
        )
    database.migrate()
    old = CatalogService(database).find_by_code("A-1")[0]
    assert old["styles"] == [] and old["width_cm"] is None and old["cutout_key"] == ""
    assert old["cutout_url"] == "" and old["item_prompt"] == ""
    database.dispose()


# -- demo desk catalog ----------------------------------------------------------------------


def test_demo_desk_catalog_has_drawn_cutouts_sizes_and_styles(catalog, storage):
    catalog.ensure_demo()
    desk = catalog.desk_products()
    assert len(desk) >= 40
    categories = {p["category"] for p in desk}
    assert len(categories) >= 10 and categories <= set(ITEM_LABELS)
    assert {"lamp", "plant", "mug", "monitor", "keyboard", "mouse", "speaker"} <= categories
    assert {"headphones", "books", "clock", "desk_mat"} <= categories
    assert {s for p in desk for s in p["styles"]} == set(STYLES)
    assert len({c for p in desk for c in p["colours"]}) >= 30
    for p in desk:
        assert p["is_demo"] and p["source"] == "demo" and p["demo_notice"]
        assert p["styles"] and set(p["styles"]) <= set(STYLES)
        assert 1 < p["width_cm"] <= 100 and 1 < p["height_cm"] <= 100
        assert p["item_prompt"] and p["price"] > 0 and p["currency"] == "KRW"
        assert p["image_url"] == p["cutout_url"] == f"/api/v1/blobs/{p['cutout_key']}"
        rgba = catalog.load_cutout(p)
        assert rgba.dtype == np.uint8 and rgba.shape[2] == 4
        assert 400 <= max(rgba.shape[:2]) <= 512
        alpha = rgba[:, :, 3]
        # transparent around the item, opaque on it, cropped to it
        assert alpha.min() == 0 and alpha.max() == 255
        seen = alpha > 8
        assert seen[[0, -1], :].any(axis=1).all() and seen[:, [0, -1]].any(axis=0).all()
        # the drawing's aspect ratio is the item's real one
        aspect = rgba.shape[1] / rgba.shape[0]
        assert aspect == pytest.approx(p["width_cm"] / p["height_cm"], rel=0.25), p["name"]


def test_demo_drawings_are_deterministic_and_drawn_once(catalog, storage, db):
    catalog.ensure_demo()
    keys = {p["code"]: p["cutout_key"] for p in catalog.desk_products()}
    lamp = next(p for p in catalog.desk_products(["lamp"]) if "Oak" in p["name"])
    storage.delete(lamp["cutout_key"])  # a lost blob is drawn again, to the same key
    assert catalog.ensure_demo() == 0
    again = {p["code"]: p["cutout_key"] for p in catalog.desk_products()}
    assert again == keys and storage.exists(lamp["cutout_key"])


def test_a_lamp_drawing_has_a_shade_above_a_base():
    from pixelsmith.core.catalog.drawings import draw_item

    img = np.asarray(draw_item("arm_lamp", 40, 45, ["#b5835a", "#8a5a3b", "#f1e4cf"]))
    alpha = img[:, :, 3] > 128
    rows = alpha.sum(axis=1)
    h = len(rows)
    assert rows[int(h * 0.95)] > rows[int(h * 0.6)]  # the base is wider than the arm
    assert alpha.mean() < 0.5  # an arm lamp is mostly air around its arm


def test_an_old_demo_catalog_is_brought_up_to_date(catalog):
    """A database holding an older demo (retired categories) gets this version's desk items."""
    catalog.upsert_many(
        [{"code": "MS-WAL-01", "name": "Walnut Monitor Riser", "category": "monitor_stand"}],
        source="demo",
    )
    catalog.ensure_demo()
    assert not catalog.find_by_code("MS-WAL-01")
    assert len(catalog.desk_products()) >= 40


def test_desk_products_can_be_narrowed_by_category(catalog):
    catalog.ensure_demo()
    lamps = catalog.desk_products(["lamp", "plant"])
    assert lamps and {p["category"] for p in lamps} == {"lamp", "plant"}


# -- row validation -------------------------------------------------------------------------


def test_desk_columns_are_validated():
    row = validate_row(
        {"code": "L-1", "name": "Lamp", "styles": "Wood-Natural|industrial",
         "width_cm": "40 cm", "height_cm": "45.5", "item_prompt": "an oak\\tlamp"}
    )  # fmt: skip
    assert row["styles"] == ["wood_natural", "industrial"]
    assert row["width_cm"] == 40.0 and row["height_cm"] == 45.5
    for bad, why in [
        ({"width_cm": "0"}, "above 0"),
        ({"width_cm": "-3"}, "above 0"),
        ({"height_cm": "2000"}, "at most 1000"),
        ({"width_cm": "wide"}, "not a number"),
        ({"width_cm": "nan"}, "above 0"),
        ({"styles": "wood natural!"}, "style name"),
        ({"item_prompt": "x" * 301}, "longer than 300"),
    ]:
        with pytest.raises(RowError, match=why):
            validate_row({"code": "L-1", "name": "Lamp", **bad})


def test_an_image_file_without_images_is_a_row_error(catalog):
    report = import_bytes(b"code,name,image_file\nA-1,Lamp,lamp.png\nA-2,Mug,\n", "c.csv", catalog)
    assert report.created == 1 and report.error_count == 1
    assert report.errors[0]["row"] == 2 and ".zip" in report.errors[0]["message"]


# -- imports with images --------------------------------------------------------------------


def _zip(files: dict[str, bytes]) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    buf.seek(0)
    return buf


def test_zip_import_cuts_out_photos_and_keeps_transparent_pngs(catalog, storage):
    photo, truth = product_photo()
    csv = (
        "code,name,category,price,styles,width_cm,height_cm,image_file\n"
        "V-1,Clay Vase,plant,25000,wood_natural,18,20,images/vase.jpg\n"
        "D-1,Blue Disc Clock,clock,19000,colourful,20,20,disc.png\n"
        "X-1,Missing,lamp,1000,,,,nope.png\n"
        "X-2,Not an image,lamp,1000,,,,notes.png\n"
    )
    archive = _zip(
        {"catalog.csv": csv.encode(), "images/vase.jpg": photo, "disc.png": transparent_png(),
         "notes.png": b"hello, not a png"}
    )  # fmt: skip
    report = import_zip(archive, catalog, images=ItemImages(storage=storage))
    assert report.created == 2 and report.error_count == 2, report.errors
    assert {e["row"] for e in report.errors} == {4, 5}
    assert "not in the zip" in report.errors[0]["message"]
    assert "image" in report.errors[1]["message"]

    vase = catalog.find_by_code("V-1")[0]
    assert vase["cutout_key"].endswith(".png") and vase["image_url"] == vase["cutout_url"]
    assert vase["styles"] == ["wood_natural"] and vase["width_cm"] == 18.0
    rgba = catalog.load_cutout(vase)
    ys, xs = np.nonzero(truth)
    box = truth[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    assert abs(rgba.shape[0] - box.shape[0]) <= 8 and abs(rgba.shape[1] - box.shape[1]) <= 8
    pred = rgba[:, :, 3] > 128
    h, w = min(pred.shape[0], box.shape[0]), min(pred.shape[1], box.shape[1])
    iou = (pred[:h, :w] & box[:h, :w]).sum() / (pred[:h, :w] | box[:h, :w]).sum()
    assert iou > 0.9

    disc = catalog.load_cutout(catalog.find_by_code("D-1")[0])
    assert disc.shape[:2] == (81 + 4, 81 + 4)  # its own alpha, cropped (2 px margin)
    assert disc[42, 42, 3] == 255 and disc[0, 0, 3] == 0


@pytest.mark.parametrize(
    "files, code",
    [
        ({"a.png": b"x"}, "import_bad_zip"),  # no catalog file
        ({"a.csv": b"code,name\n", "b.json": b"[]"}, "import_bad_zip"),  # two
    ],
)
def test_bad_zips_are_clear_422s(catalog, storage, files, code):
    from pixelsmith.core.catalog.importer import ImportFileError

    with pytest.raises(ImportFileError) as err:
        import_zip(_zip(files), catalog, images=ItemImages(storage=storage))
    assert err.value.code == code and err.value.status_code == 422
    with pytest.raises(ImportFileError) as err:
        import_zip(io.BytesIO(b"PK\x03\x04 truncated"), catalog, images=ItemImages(storage=storage))
    assert err.value.code == "import_bad_zip"


def test_cli_import_reads_image_files_next_to_the_csv(tmp_path, monkeypatch):
    monkeypatch.setenv("PIXELSMITH_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    photo, _ = product_photo()
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "vase.jpg").write_bytes(photo)
    (tmp_path / "shop" / "items.csv").write_text(
        "code,name,category,width_cm,image_file\nV-9,Vase,plant,18,vase.jpg\n"
    )
    try:
        r = CliRunner().invoke(
            catalog_cli, ["import", str(tmp_path / "shop" / "items.csv"), "--json"]
        )
        assert r.exit_code == 0, r.stdout
        assert json.loads(r.stdout)["created"] == 1
        r = CliRunner().invoke(catalog_cli, ["list", "--q", "Vase", "--json"])
        item = json.loads(r.stdout)["items"][0]
        assert item["cutout_key"] and item["width_cm"] == 18.0
        assert (tmp_path / "data" / "blobs").is_dir()
    finally:
        get_settings.cache_clear()


# -- image URLs -----------------------------------------------------------------------------


class ImageServer:
    """A local HTTP server for image URLs: /vase.jpg, /big, /slow, /redirect, /missing."""

    def __init__(self, photo: bytes) -> None:
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.hits.append(self.path)
                if self.path == "/vase.jpg":
                    return self._send(200, photo, "image/jpeg")
                if self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", "/vase.jpg")
                    self.end_headers()
                    return None
                if self.path == "/big":  # no Content-Length: only reading shows the size
                    self.send_response(200)
                    self.end_headers()
                    for _ in range(40):
                        self.wfile.write(b"\xff" * 65536)
                    return None
                if self.path == "/slow":
                    time.sleep(1.5)
                    return self._send(200, photo, "image/jpeg")
                return self._send(404, b"not found", "text/plain")

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def image_server():
    server = ImageServer(product_photo()[0])
    yield server
    server.stop()


def test_image_urls_are_fetched_cut_out_and_limited(catalog, storage, image_server):
    base = image_server.base
    csv = (
        "code,name,category,width_cm,image_url\n"
        f"U-1,Vase,plant,18,{base}/vase.jpg\n"
        f"U-2,Moved vase,plant,18,{base}/redirect\n"
        f"U-3,Huge,plant,18,{base}/big\n"
        f"U-4,Slow,plant,18,{base}/slow\n"
        f"U-5,Gone,plant,18,{base}/missing\n"
        "U-6,Site path,plant,18,/static/x.png\n"  # a same-site path is kept, not fetched
    )
    images = ItemImages(
        storage=storage, fetch_urls=True, allow_private_hosts=True, timeout_s=0.8,
        max_bytes=1024 * 1024,
    )  # fmt: skip
    report = import_bytes(csv.encode(), "c.csv", catalog, images=images)
    errors = {e["row"]: e["message"] for e in report.errors}
    assert report.created == 3, errors
    assert "larger than 1 MB" in errors[4]
    assert "within 0.8 s" in errors[5]
    assert "HTTP 404" in errors[6]
    one, moved = catalog.find_by_code("U-1")[0], catalog.find_by_code("U-2")[0]
    assert one["cutout_key"] and one["cutout_key"] == moved["cutout_key"]  # same bytes
    assert one["image_url"] == f"{base}/vase.jpg"  # the shop's image stays the card image
    site = catalog.find_by_code("U-6")[0]
    assert site["image_url"] == "/static/x.png" and site["cutout_key"] == ""


def test_private_hosts_are_not_fetched_unless_allowed(catalog, storage, image_server):
    csv = f"code,name,image_url\nP-1,Vase,{image_server.base}/vase.jpg\n"
    images = ItemImages(storage=storage, fetch_urls=True)
    report = import_bytes(csv.encode(), "c.csv", catalog, images=images)
    assert report.created == 0 and "private network" in report.errors[0]["message"]
    assert image_server.hits == []  # refused before any request


def test_urls_are_not_fetched_unless_asked(catalog, storage, image_server):
    csv = f"code,name,image_url\nN-1,Vase,{image_server.base}/vase.jpg\n"
    report = import_bytes(csv.encode(), "c.csv", catalog, images=ItemImages(storage=storage))
    assert report.created == 1 and image_server.hits == []
    assert catalog.find_by_code("N-1")[0]["cutout_key"] == ""


# -- the route ------------------------------------------------------------------------------


@pytest.fixture
def client(catalog):
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(routes.router)
    app.dependency_overrides[routes.get_catalog] = lambda: catalog
    app.dependency_overrides[routes.get_shopping_provider] = lambda: None
    with TestClient(app) as c:
        yield c


def test_import_route_takes_a_zip_with_images(client):
    photo, _ = product_photo()
    csv = "code,name,category,width_cm,image_file\nZ-1,Vase,plant,18,vase.jpg\n"
    archive = _zip({"items.csv": csv.encode(), "vase.jpg": photo}).getvalue()
    r = client.post(
        "/api/v1/products/import", files={"file": ("items.zip", archive, "application/zip")}
    )
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1
    item = client.get("/api/v1/products", params={"q": "Vase"}).json()["items"][0]
    assert item["cutout_url"].startswith("/api/v1/blobs/") and item["width_cm"] == 18.0

    r = client.post(
        "/api/v1/products/import", files={"file": ("items.zip", b"PK\x03\x04junk", "x/y")}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "import_bad_zip"


def test_import_route_fetches_urls_only_when_asked(client, image_server, monkeypatch):
    monkeypatch.setenv("PIXELSMITH_CATALOG_FETCH_PRIVATE_HOSTS", "true")
    get_settings.cache_clear()
    try:
        csv = f"code,name,image_url\nW-1,Vase,{image_server.base}/vase.jpg\n"
        files = {"file": ("c.csv", csv.encode(), "text/csv")}
        assert client.post("/api/v1/products/import", files=files).status_code == 200
        assert image_server.hits == []
        r = client.post("/api/v1/products/import", params={"fetch_images": "true"}, files=files)
        assert r.status_code == 200 and r.json()["updated"] == 1, r.text
        assert image_server.hits == ["/vase.jpg"]
    finally:
        get_settings.cache_clear()
