"""CatalogService: products in the database, found by code (exact, then close) or by text.

Code look-ups stay index-only: an exact match is one probe of `code_norm`; close matches are
prefix range scans on `code_norm` and on its reverse `code_norm_rev` (one edit leaves either the
first or the last half of a code intact), checked with an exact edit distance afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import String, case, cast, func, or_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from pixelsmith.core.catalog.demo import demo_rows, desk_drawings
from pixelsmith.core.catalog.models import SOURCES, Product, blob_url, normalize_code
from pixelsmith.core.db import Database, utcnow
from pixelsmith.core.errors import NotFound

if TYPE_CHECKING:
    import numpy as np

    from pixelsmith.core.storage import Storage

MIN_CLOSE_LEN = 4  # codes shorter than this only match exactly
_CHUNK = 500  # rows per query for existing codes (and per transaction when importing)
_CANDIDATES = 200  # rows read per index scan when looking for close matches
_FIELDS = (
    "brand",
    "name",
    "category",
    "price",
    "currency",
    "image_url",
    "shop_url",
    "mall",
    "external_id",
    "tags",
    "colours",
    "styles",
    "width_cm",
    "height_cm",
    "cutout_key",
    "item_prompt",
)
_LIST_FIELDS = ("tags", "colours", "styles")
_NULLABLE_FIELDS = ("price", "width_cm", "height_cm")
_MATCH_RANK = {"exact": 0, "prefix": 1, "close": 2}
# What a row can make the database (or its driver) raise: a value it cannot store, a race on
# the unique code. ValueError covers drivers that refuse text themselves (psycopg and NUL).
_ROW_ERRORS = (SQLAlchemyError, UnicodeError, ValueError)


class UpsertCounts(NamedTuple):
    created: int
    updated: int
    unchanged: int


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion or substitution."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def _source_rank():
    return case({s: i for i, s in enumerate(SOURCES)}, value=Product.source, else_=len(SOURCES))


class CatalogService:
    """Products in `db`; with `storage`, also their cut-out images (the demo desk items' are
    drawn into it on first use)."""

    def __init__(self, db: Database, storage: Storage | None = None) -> None:
        self.db = db
        self.storage = storage

    # -- reading ------------------------------------------------------------------------

    def get(self, product_id: int) -> dict[str, Any]:
        with self.db.session() as s:
            product = s.get(Product, product_id)
            if product is None:
                raise NotFound(f"No product with id {product_id}.")
            return product.to_dict()

    def count(self, *, source: str | None = None) -> int:
        stmt = select(func.count()).select_from(Product)
        if source:
            stmt = stmt.where(Product.source == source)
        with self.db.session() as s:
            return int(s.scalar(stmt) or 0)

    def find_by_code(self, code: str, *, limit: int = 10) -> list[dict[str, Any]]:
        """Products for a printed code, best first, each with `match`:

        - "exact": same normalised code (case, spaces and dashes ignored);
        - "prefix": one code starts with the other (a style code without its colour code, say);
        - "close": one edit apart (one misread, missing or extra character).

        Within a kind, imported rows come before Naver rows before demo rows.
        """
        norm = normalize_code(code)
        if not norm:
            return []
        n = len(norm)
        found: dict[int, tuple[str, Product]] = {}

        def add(products: Iterable[Product], match: str) -> None:
            for p in products:
                if p.id not in found or _MATCH_RANK[match] < _MATCH_RANK[found[p.id][0]]:
                    found[p.id] = (match, p)

        with self.db.session() as s:
            add(s.scalars(select(Product).where(Product.code_norm == norm)), "exact")
            if n >= MIN_CLOSE_LEN:
                # catalog codes that extend the query, and catalog codes the query extends
                add(self._prefixed(s, Product.code_norm, norm), "prefix")
                shorter = [norm[:k] for k in range(MIN_CLOSE_LEN, n)]
                if shorter:
                    add(s.scalars(select(Product).where(Product.code_norm.in_(shorter))), "prefix")
                half = n // 2
                candidates = [
                    *self._prefixed(s, Product.code_norm, norm[:half]),
                    *self._prefixed(s, Product.code_norm_rev, norm[::-1][: n - half]),
                ]
                add((p for p in candidates if within_one_edit(norm, p.code_norm)), "close")
            ranked = sorted(
                found.values(),
                key=lambda mp: (
                    _MATCH_RANK[mp[0]],
                    SOURCES.index(mp[1].source) if mp[1].source in SOURCES else len(SOURCES),
                    abs(len(mp[1].code_norm) - n),
                    mp[1].code_norm,
                    mp[1].id,
                ),
            )
            return [{**p.to_dict(), "match": match} for match, p in ranked[:limit]]

    @staticmethod
    def _prefixed(s: Session, column, prefix: str) -> list[Product]:  # noqa: ANN001
        """Rows whose `column` starts with `prefix` (A–Z0–9 only), by an index range scan."""
        if not prefix:
            return []
        if s.get_bind().dialect.name == "sqlite":
            cond = column.op("GLOB")(prefix + "*")  # case-sensitive: SQLite uses the index
        else:
            cond = column.like(prefix + "%")  # text_pattern_ops index on PostgreSQL
        return list(s.scalars(select(Product).where(cond).limit(_CANDIDATES)))

    def search(self, query: str = "", limit: int = 20, offset: int = 0) -> list[dict[str, Any]]:
        """Products whose name, brand, category, code or tags contain every word of `query`
        (case-insensitive); all products when `query` is empty. Imported rows first."""
        stmt = select(Product)
        for token in query.split()[:10]:
            conds = [
                Product.name.icontains(token, autoescape=True),
                Product.brand.icontains(token, autoescape=True),
                Product.category.icontains(token, autoescape=True),
                cast(Product.tags, String).icontains(token, autoescape=True),
            ]
            if norm := normalize_code(token):
                conds.append(Product.code_norm.contains(norm, autoescape=True))
            stmt = stmt.where(or_(*conds))
        stmt = stmt.order_by(_source_rank(), Product.brand, Product.name, Product.id)
        with self.db.session() as s:
            return [p.to_dict() for p in s.scalars(stmt.limit(limit).offset(offset))]

    # -- writing ------------------------------------------------------------------------

    def upsert_many(
        self, rows: Iterable[dict[str, Any]], *, source: str = "import"
    ) -> UpsertCounts:
        """Create or update products keyed by (normalised code, source), in one transaction.

        Rows are validated dicts (see importer.validate_row): `code` and `name` required;
        brand, category, price (int, minor units), currency, image_url, shop_url, mall,
        external_id, tags and colours optional.
        """
        _check_source(source)
        rows = list(rows)
        total = UpsertCounts(0, 0, 0)
        with self.db.session() as s:
            for start in range(0, len(rows), _CHUNK):
                total = _add(total, _upsert_chunk(s, rows[start : start + _CHUNK], source))
        return total

    def import_rows(
        self, rows: list[dict[str, Any]], *, source: str = "import"
    ) -> tuple[UpsertCounts, list[tuple[int, str]]]:
        """Like upsert_many, but one row the database refuses never costs the others.

        Each chunk of rows commits on its own; a chunk that fails is rolled back and retried
        row by row, each in its own transaction, and the rows that still fail are left out.
        Returns the counts and, per refused row, (its index in `rows`, why). Plain
        transactions, no savepoints: the same on SQLite (whose Python driver mishandles
        SAVEPOINT) and PostgreSQL (where any error aborts the whole transaction).
        """
        _check_source(source)
        total = UpsertCounts(0, 0, 0)
        refused: list[tuple[int, str]] = []
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start : start + _CHUNK]
            try:
                with self.db.session() as s:
                    counts = _upsert_chunk(s, chunk, source)
            except _ROW_ERRORS:
                counts = UpsertCounts(0, 0, 0)
                for index, row in enumerate(chunk, start):
                    try:
                        with self.db.session() as s:
                            counts = _add(counts, _upsert_chunk(s, [row], source))
                    except _ROW_ERRORS as exc:
                        refused.append((index, _refusal(exc)))
            total = _add(total, counts)
        return total, refused

    def upsert(self, row: dict[str, Any], *, source: str) -> dict[str, Any]:
        """Create or update one product; returns it. Safe against a concurrent insert."""
        try:
            self.upsert_many([row], source=source)
        except IntegrityError:  # another thread inserted the same code first: update it
            self.upsert_many([row], source=source)
        norm = normalize_code(row["code"])
        with self.db.session() as s:
            product = s.scalars(
                select(Product).where(Product.code_norm == norm, Product.source == source)
            ).one()
            return product.to_dict()

    def ensure_demo(self) -> int:
        """Create the demo catalog if the product table is empty; returns rows created.

        Any product (demo or the user's own) means the catalog is set up, so a user's catalog
        never gets demo rows. A demo catalog already there is brought up to this version's
        rows (new items added, changed ones updated, retired ones removed). With storage, demo
        desk items missing their cut-out get it drawn and stored.
        """
        if not self.count():
            try:
                created = self.upsert_many(demo_rows(), source="demo").created
            except IntegrityError:  # another process created it at the same moment
                created = 0
        elif self.count(source="demo"):
            created = self._update_demo()
        else:
            return 0
        if self.storage is not None:
            self._draw_demo_cutouts()
        return created

    def _update_demo(self) -> int:
        rows = demo_rows()
        current = {normalize_code(r["code"]) for r in rows}
        try:
            created = self.upsert_many(rows, source="demo").created
        except IntegrityError:  # another process is updating it at the same moment
            return 0
        with self.db.session() as s:
            for p in s.scalars(select(Product).where(Product.source == "demo")):
                if p.code_norm not in current:
                    s.delete(p)
        return created

    def _draw_demo_cutouts(self) -> None:
        """Demo desk items without a stored cut-out get one (deterministic drawings: the same
        bytes, so the same content key, in every process)."""
        from pixelsmith.core.catalog.drawings import draw_item
        from pixelsmith.core.images import encode_image

        assert self.storage is not None
        drawings = {normalize_code(code): spec for code, spec in desk_drawings().items()}
        stmt = select(Product.id, Product.code_norm, Product.cutout_key).where(
            Product.source == "demo", Product.code_norm.in_(list(drawings))
        )
        with self.db.session() as s:
            rows = list(s.execute(stmt))
        keys: dict[int, str] = {}
        for product_id, norm, key in rows:  # drawn outside a transaction: seconds on first run
            if key and self.storage.exists(key):
                continue
            shape, width_cm, height_cm, colours = drawings[norm]
            png = encode_image(draw_item(shape, width_cm, height_cm, colours), "png")
            keys[product_id] = self.storage.put(png, content_type="image/png", suffix=".png")
        if not keys:
            return
        with self.db.session() as s:
            for p in s.scalars(select(Product).where(Product.id.in_(list(keys)))):
                p.cutout_key = keys[p.id]
                p.image_url = blob_url(p.cutout_key)
                p.updated_at = utcnow()

    # -- desk items ---------------------------------------------------------------------

    def desk_products(
        self, categories: Iterable[str] | None = None, *, limit: int = 2000
    ) -> list[dict[str, Any]]:
        """Products that can be placed in a desk photo: with a cut-out and a real width.

        Imported rows first, then demo rows; `categories` narrows them (e.g. the desk
        analysis' item labels)."""
        stmt = select(Product).where(Product.cutout_key != "", Product.width_cm.is_not(None))
        if categories is not None:
            stmt = stmt.where(Product.category.in_(list(categories)))
        stmt = stmt.order_by(_source_rank(), Product.category, Product.id).limit(limit)
        with self.db.session() as s:
            return [p.to_dict() for p in s.scalars(stmt)]

    def load_cutout(self, product: dict[str, Any]) -> np.ndarray:
        """A product's cut-out as HxWx4 uint8 RGBA (straight alpha), from storage."""
        import io

        import numpy as np
        from PIL import Image

        key = product.get("cutout_key") or ""
        if not key:
            raise NotFound(f"Product {product.get('id')} has no cut-out image.")
        if self.storage is None:
            raise RuntimeError("CatalogService was built without storage")
        with Image.open(io.BytesIO(self.storage.get(key)), formats=["PNG"]) as img:
            return np.array(img.convert("RGBA"), dtype=np.uint8)

    def delete_demo(self) -> int:
        """Remove the demo rows (after importing a real catalog); returns rows removed."""
        with self.db.session() as s:
            rows = list(s.scalars(select(Product).where(Product.is_demo.is_(True))))
            for p in rows:
                s.delete(p)
            return len(rows)


def _check_source(source: str) -> None:
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, not {source!r}")


def _add(a: UpsertCounts, b: UpsertCounts) -> UpsertCounts:
    return UpsertCounts(*(x + y for x, y in zip(a, b, strict=True)))


def _upsert_chunk(s: Session, chunk: list[dict[str, Any]], source: str) -> UpsertCounts:
    """Create or update `chunk` (at most _CHUNK rows) inside session `s`; flushes."""
    created = updated = unchanged = 0
    norms = {normalize_code(r["code"]) for r in chunk}
    existing = {
        p.code_norm: p
        for p in s.scalars(
            select(Product).where(Product.source == source, Product.code_norm.in_(norms))
        )
    }
    for row in chunk:
        norm = normalize_code(row["code"])
        if not norm:
            raise ValueError(f"product code {row['code']!r} has no letters or digits")
        product = existing.get(norm)
        if product is None:
            product = Product(source=source, is_demo=source == "demo", tags=[])
            product.colours = []
            product.styles = []
            product.set_code(row["code"])
            _assign(product, row)
            product.created_at = product.updated_at = utcnow()
            s.add(product)
            existing[norm] = product
            created += 1
        elif _assign(product, row, code=row["code"]):
            product.updated_at = utcnow()
            updated += 1
        else:
            unchanged += 1
    s.flush()
    return UpsertCounts(created, updated, unchanged)


def _refusal(exc: Exception) -> str:
    """Why the database refused a row, in a line (the driver's message, without the SQL)."""
    cause = getattr(exc, "orig", None) or exc
    first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return f"the database refused this row: {first[:200]}"


def _assign(product: Product, row: dict[str, Any], *, code: str | None = None) -> bool:
    """Copy row fields onto product; True when anything changed."""
    changed = False
    if code is not None and code.strip() != product.code:
        product.set_code(code)
        changed = True
    for field in _FIELDS:
        if field not in row:
            continue
        value = row[field]
        if field in _LIST_FIELDS:
            value = list(value or [])
        elif value is None and field not in _NULLABLE_FIELDS:
            value = "KRW" if field == "currency" else ""
        if getattr(product, field) != value:
            setattr(product, field, value)
            changed = True
    return changed
