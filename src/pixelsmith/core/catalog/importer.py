"""Catalog import from CSV or JSON, with a clear error per bad row.

Columns (CSV header / JSON keys; names are case-insensitive, aliases in brackets):

| column | required | meaning |
| --- | --- | --- |
| `code` [product_code, style_code, sku] | yes | product code as printed, e.g. `CW2288-111` |
| `name` [title, product_name] | yes | product name |
| `brand` | no | e.g. `Nike` |
| `category` | no | e.g. `shoes`, `lamp`, `keyboard` |
| `price` | no | as written, in `currency`: `139000`, `139,000`, `₩139,000`, `119.99` (*) |
| `currency` | no | ISO 4217 code, default `KRW` |
| `image_url` [image] | no | `http(s)://…` or a site path `/static/…` (**) |
| `shop_url` [link, url] | no | `http(s)://…` |
| `mall` [mall_name] | no | seller name |
| `tags` | no | CSV: separated by `|` or `;`; JSON: a list or such a string |
| `colours` [colors] | no | hex colours `#rrggbb` / `#rgb`, separated like tags |
| `styles` [style, style_tags] | no | desk styles such as `wood_natural`, separated like tags |
| `width_cm` [width] | no | real width in cm of what the image shows (desk items) |
| `height_cm` [height] | no | real height in cm of what the image shows |
| `item_prompt` [prompt] | no | what GPU inpainting paints for this item, one line |
| `image_file` [image_path, file] | no | the item's image: a file in the .zip, or a path (***) |

(*) With at most the currency's ISO 4217 decimals (KRW 0, USD 2, BHD 3); more is a row error,
never rounded. (**) Not `//host/…` nor `/` + backslash: browsers read both as another host.
(***) A file in the uploaded .zip (by its path in the zip, or its bare name when unique), or for
`pixelsmith catalog import` a path relative to the CSV's folder (or --images-dir).
With images (`import_bytes(..., images=ItemImages(...))`): the row's image_file, else its
http(s) image_url when fetching is on, is read, cut out (U2Net-p) unless it has transparency,
and stored as the product's `cutout_key`; an image_file with no image_url also becomes the
image_url. An image that cannot be read, fetched or cut out is that row's error.

CSV: UTF-8 (a BOM is fine; in Excel save as "CSV UTF-8") with a header row, comma-separated
(or ; or tab, as the header row shows); row numbers in errors count like a spreadsheet
(header = row 1, first product = row 2).
JSON: a list of objects, or `{"products": [...]}`; row numbers count products from 1.

Rows are imported with `source="import"`; importing the same code again updates that product.
Good rows are imported even when other rows fail; every failure is listed with its row number.
Text holding NUL or other control characters (tab and line breaks in names become spaces) or a
lone UTF-16 surrogate is a row error too: the database could not store it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pixelsmith.core.catalog.item_images import (
    MAX_ZIP_MEMBERS,
    MAX_ZIP_TOTAL,
    ImageRowError,
    ItemImages,
    zip_reader,
)
from pixelsmith.core.catalog.models import blob_url, format_price, minor_digits, normalize_code
from pixelsmith.core.catalog.service import CatalogService
from pixelsmith.core.errors import ApiError, lone_surrogate_at

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_ROW_ERRORS = 200  # kept in the report; the count says how many there were in all
REQUIRED = ("code", "name")
ALIASES = {
    "code": "code",
    "product_code": "code",
    "style_code": "code",
    "sku": "code",
    "name": "name",
    "title": "name",
    "product_name": "name",
    "brand": "brand",
    "category": "category",
    "price": "price",
    "currency": "currency",
    "image_url": "image_url",
    "image": "image_url",
    "shop_url": "shop_url",
    "link": "shop_url",
    "url": "shop_url",
    "mall": "mall",
    "mall_name": "mall",
    "tags": "tags",
    "colours": "colours",
    "colors": "colours",
    "styles": "styles",
    "style": "styles",
    "style_tags": "styles",
    "width_cm": "width_cm",
    "width": "width_cm",
    "height_cm": "height_cm",
    "height": "height_cm",
    "item_prompt": "item_prompt",
    "prompt": "item_prompt",
    "image_file": "image_file",
    "image_path": "image_file",
    "file": "image_file",
}
_LIMITS = {
    "brand": 80,
    "name": 200,
    "category": 60,
    "mall": 120,
    "code": 64,
    "item_prompt": 300,
    "image_file": 300,
}
MAX_SIZE_CM = 1000.0
MAX_IMAGES = 500  # item images per import: each cut-out is a fraction of a second of CPU
_STYLE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_PRICE_MINOR = 2**31 - 1  # the price column is a 32-bit integer (PostgreSQL INTEGER)
_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
# C0 controls but tab, LF and CR (which become spaces in text fields), and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BAD = re.compile(r"[\x00-\x1f\x7f]")  # tags, colours: one line, no controls
_URL_BAD = re.compile(r"[\x00-\x20\x7f]")  # in a URL: no controls, no whitespace at all
_ABSOLUTE_URL = re.compile(r"^https?://[^/\\?#@:]+", re.IGNORECASE)
_SITE_PATH = re.compile(r"^/(?![/\\])")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_PRICE_JUNK = re.compile(r"[\s,₩$€£¥]|KRW|USD|EUR|GBP|JPY|원", re.IGNORECASE)
_LIST_SPLIT = re.compile(r"[|;]")


class ImportFileError(ApiError):
    """The file as a whole cannot be imported (type, encoding, structure)."""

    status_code = 422
    code = "invalid_import_file"


class RowError(ValueError):
    pass


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0  # product rows read from the file
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"row", "message"}
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, row: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ROW_ERRORS:
            self.errors.append({"row": row, "message": message})

    def to_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rows": self.rows,
            "errors": self.errors,
            "error_count": self.error_count,
        }


def import_file(
    path: str | Path, catalog: CatalogService, *, images: ItemImages | None = None
) -> ImportReport:
    """Import a .csv, .json or .zip (a catalog file and its images) into the catalog."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"{path} is not a file.", code="import_file_not_found")
    if path.suffix.lower() == ".zip":
        if images is None:
            raise ImportFileError(
                "A .zip import needs image storage.", code="import_unsupported_type"
            )
        with open(path, "rb") as f:
            return import_zip(f, catalog, images=images)
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise _too_large()
    return import_bytes(path.read_bytes(), path.name, catalog, images=images)


def import_zip(fileobj: Any, catalog: CatalogService, *, images: ItemImages) -> ImportReport:
    """Import a .zip holding one .csv or .json catalog file and the images its rows name in
    image_file. The zip is read in place (members are never written to disk)."""
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(
            "The file is not a readable .zip archive.", code="import_bad_zip"
        ) from None
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_ZIP_MEMBERS or sum(i.file_size for i in infos) > MAX_ZIP_TOTAL:
            raise ImportFileError(
                f"The zip holds more than {MAX_ZIP_MEMBERS} files or more than "
                f"{MAX_ZIP_TOTAL // (1024 * 1024)} MB uncompressed; split it.",
                code="import_too_large",
                status_code=413,
            )
        tables = [
            i
            for i in infos
            if Path(i.filename).suffix.lower() in (".csv", ".json")
            and not Path(i.filename).name.startswith(("._", "."))  # macOS resource forks
        ]
        if len(tables) != 1:
            names = ", ".join(i.filename for i in tables[:5]) or "none"
            raise ImportFileError(
                f"The zip must hold exactly one .csv or .json catalog file (found: {names}).",
                code="import_bad_zip",
            )
        table = tables[0]
        if table.file_size > MAX_IMPORT_BYTES:
            raise _too_large()
        try:
            with archive.open(table) as f:
                data = f.read(MAX_IMPORT_BYTES + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
            raise ImportFileError(
                f"The zip's {table.filename} cannot be read: {exc}.", code="import_bad_zip"
            ) from None
        zipped = replace(images, files=zip_reader(archive))
        return import_bytes(data, table.filename, catalog, images=zipped)


def import_bytes(
    data: bytes, filename: str, catalog: CatalogService, *, images: ItemImages | None = None
) -> ImportReport:
    """Import file content; `filename` picks the format (.csv / .json), else it is sniffed.

    Every valid row is saved even when others fail: rows that fail validation are never sent
    to the database, and a row the database still refuses is reported and skipped
    (CatalogService.import_rows), never rolling back the rest.
    """
    numbered, report = _parse(data, filename)
    numbered = _attach_images(numbered, report, images)
    if numbered:
        counts, refused = catalog.import_rows([row for _, row in numbered], source="import")
        report.created, report.updated, report.unchanged = counts
        for index, reason in refused:
            report.add_error(numbered[index][0], reason)
        report.errors.sort(key=lambda e: e["row"])
    return report


def _attach_images(
    numbered: list[tuple[int, dict[str, Any]]], report: ImportReport, images: ItemImages | None
) -> list[tuple[int, dict[str, Any]]]:
    """Rows with their cut-outs stored; a row whose image fails is reported and left out."""
    kept: list[tuple[int, dict[str, Any]]] = []
    done = 0
    try:
        for number, row in numbered:
            if images is None:
                if row.get("image_file"):
                    report.add_error(
                        number,
                        f"image_file {row['image_file']!r}: upload a .zip holding the CSV and "
                        "its images, or use `pixelsmith catalog import`",
                    )
                    continue
                kept.append((number, row))
                continue
            if images.source_of(row) is None:
                kept.append((number, row))
                continue
            if done >= MAX_IMAGES:
                report.add_error(number, f"more than {MAX_IMAGES} images in one import; split it")
                continue
            done += 1
            try:
                key = images.cutout_key(row)
            except ImageRowError as exc:
                report.add_error(number, str(exc))
                continue
            row["cutout_key"] = key
            if row.get("image_file") and not row.get("image_url"):
                row["image_url"] = blob_url(key)
            kept.append((number, row))
    finally:
        if images is not None:
            images.close()
    return kept


def parse_bytes(data: bytes, filename: str = "") -> tuple[list[dict[str, Any]], ImportReport]:
    """Validated rows and a report holding the row errors. Pure: touches no database."""
    numbered, report = _parse(data, filename)
    return [row for _, row in numbered], report


def _parse(data: bytes, filename: str) -> tuple[list[tuple[int, dict[str, Any]]], ImportReport]:
    """(row number, validated row) pairs and the report of the rows that failed."""
    if len(data) > MAX_IMPORT_BYTES:
        raise _too_large()
    if not data.strip():
        raise ImportFileError("The file is empty.", code="import_empty")
    text = _decode(data)
    kind = _kind(filename, text)
    records = _read_json(text) if kind == "json" else _read_csv(text)
    if not records:
        raise ImportFileError("The file holds no products, only a header.", code="import_empty")
    report = ImportReport(rows=len(records))
    rows: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for number, record in records:
        try:
            if "__error__" in record:
                raise RowError(record["__error__"])
            row = validate_row(record)
            norm = normalize_code(row["code"])
            if norm in seen:
                raise RowError(f"code {row['code']!r} repeats row {seen[norm]}")
            seen[norm] = number
            rows.append((number, row))
        except RowError as exc:
            report.add_error(number, str(exc))
    return rows, report


def validate_row(record: dict[str, Any]) -> dict[str, Any]:
    """One product from a record whose keys are canonical column names; raises RowError."""
    for key, value in record.items():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                _check_text(key, text)
    row: dict[str, Any] = {}
    for key in ("code", "name", "brand", "category", "mall"):
        value = record.get(key)
        if value is None:
            value = ""
        if isinstance(value, Decimal) and value.as_tuple().exponent == 0:
            value = str(value)  # a JSON integer, e.g. a numeric code 343938013
        if not isinstance(value, str):
            raise RowError(f"{key} must be text, not {_jtype(value)}")
        value = " ".join(value.split())  # tabs and line breaks become single spaces
        if key in REQUIRED and not value:
            raise RowError(f"{key} is empty")
        if len(value) > _LIMITS[key]:
            raise RowError(f"{key} is longer than {_LIMITS[key]} characters")
        row[key] = value
    if not normalize_code(row["code"]):
        raise RowError(f"code {row['code']!r} has no letters or digits")
    currency = record.get("currency") or "KRW"
    if not isinstance(currency, str):
        raise RowError(f"currency must be text, not {_jtype(currency)}")
    currency = currency.strip().upper()
    if not _CURRENCY.match(currency):
        raise RowError(f"currency {currency!r} is not a 3-letter ISO code such as KRW or USD")
    row["currency"] = currency
    row["price"] = _price(record.get("price"), currency)
    row["image_url"] = _url(record.get("image_url"), "image_url", allow_path=True)
    row["shop_url"] = _url(record.get("shop_url"), "shop_url", allow_path=False)
    row["tags"] = _tags(record.get("tags"))
    row["colours"] = _colours(record.get("colours"))
    row["styles"] = _styles(record.get("styles"))
    row["width_cm"] = _size_cm(record.get("width_cm"), "width_cm")
    row["height_cm"] = _size_cm(record.get("height_cm"), "height_cm")
    for key in ("item_prompt", "image_file"):
        value = record.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise RowError(f"{key} must be text, not {_jtype(value)}")
        value = " ".join(value.split())
        if len(value) > _LIMITS[key]:
            raise RowError(f"{key} is longer than {_LIMITS[key]} characters")
        row[key] = value
    return row


def _check_text(key: str, text: str) -> None:
    """Refuse text that is not text: a lone surrogate (from a JSON "\\udfff" escape; no
    database can store it) or a control character (NUL and the like; tab and line breaks are
    fine, they become spaces)."""
    if (pos := lone_surrogate_at(text)) is not None:
        raise RowError(
            f"{key} holds a lone UTF-16 surrogate (U+{ord(text[pos]):04X}) at character "
            f"{pos + 1}, which is not text; fix that character in the file"
        )
    if m := _CONTROL.search(text):
        raise RowError(
            f"{key} holds a control character (U+{ord(m.group()):04X}) at character "
            f"{m.start() + 1}; remove it"
        )


# -- file level -----------------------------------------------------------------------------


def _too_large() -> ImportFileError:
    return ImportFileError(
        f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB; split it into parts.",
        code="import_too_large",
        status_code=413,
    )


def _looks_binary(data: bytes) -> bool:
    """NULs in the header line, or many of them: a spreadsheet, an image, UTF-16 text. A stray
    NUL or two inside a row is left to that row's error."""
    head = data[:4096]
    nuls = head.count(0)
    return b"\x00" in head.split(b"\n", 1)[0] or (nuls >= 3 and nuls * 100 > len(head))


def _decode(data: bytes) -> str:
    if _looks_binary(data):
        raise ImportFileError(
            "This is a binary file, not CSV or JSON text. Export the catalog as CSV (UTF-8) "
            "or JSON.",
            code="import_unsupported_type",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"The file is not UTF-8 text (bad byte at position {exc.start}). Save it as UTF-8: "
            'in Excel choose "CSV UTF-8 (Comma delimited)".',
            code="import_bad_encoding",
        ) from None


def _kind(filename: str, text: str) -> str:
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix:
        raise ImportFileError(
            f"Unsupported file type {suffix!r}: import a .csv or .json file.",
            code="import_unsupported_type",
        )
    return "json" if text.lstrip()[:1] in ("[", "{") else "csv"


def _canonical(header: str) -> str | None:
    key = re.sub(r"[\s\-]+", "_", str(header).strip().lower())
    return ALIASES.get(key)


def _missing_columns(columns: set[str], found: list[str]) -> ImportFileError:
    missing = [c for c in REQUIRED if c not in columns]
    return ImportFileError(
        f"Missing required column(s): {', '.join(missing)}. Found: "
        f"{', '.join(found) or 'none'}. Required: code, name; optional: brand, category, "
        "price, currency, image_url, shop_url, mall, tags, colours, styles, width_cm, "
        "height_cm, item_prompt, image_file.",
        code="import_missing_columns",
        details={"missing": missing, "found": found},
    )


def _read_csv(text: str) -> list[tuple[int, dict[str, Any]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)  # "," unless the header says so
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise ImportFileError("The CSV file has no header row.", code="import_missing_columns")
        mapping = {i: _canonical(h) for i, h in enumerate(header)}
        columns = {c for c in mapping.values() if c}
        if not set(REQUIRED) <= columns:
            raise _missing_columns(columns, [h.strip() for h in header])
        records: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue  # blank line
            if len(records) >= MAX_ROWS:
                raise _too_many_rows()
            record: dict[str, Any] = {}
            for i, value in enumerate(values):
                key = mapping.get(i)
                if key:
                    record[key] = value
            records.append((number, record))
        return records
    except csv.Error as exc:
        raise ImportFileError(
            f"The CSV file cannot be read: {exc}.", code="import_bad_csv"
        ) from None


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        f"The file has more than {MAX_ROWS} products; split it into parts.",
        code="import_too_large",
        status_code=413,
    )


def _read_json(text: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        # Numbers as Decimal: exact prices, and no int() of a 5000-digit number (a ValueError
        # past Python's 4300-digit limit) before the row can report it.
        data = json.loads(text, parse_int=Decimal, parse_float=Decimal)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
        raise ImportFileError(
            f"The file is not valid JSON{where}: {getattr(exc, 'msg', exc)}.",
            code="import_bad_json",
        ) from None
    if isinstance(data, dict) and isinstance(data.get("products"), list):
        data = data["products"]
    if not isinstance(data, list):
        raise ImportFileError(
            'JSON must be a list of product objects, or {"products": [...]}.',
            code="import_bad_json",
        )
    if len(data) > MAX_ROWS:
        raise _too_many_rows()
    records: list[tuple[int, dict[str, Any]]] = []
    columns: set[str] = set()
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            records.append((number, {"__error__": f"expected an object, got {_jtype(item)}"}))
            continue
        record = {}
        for key, value in item.items():
            canonical = _canonical(key)
            if canonical:
                record[canonical] = value
                columns.add(canonical)
        records.append((number, record))
    if records and not set(REQUIRED) <= columns:
        found = sorted({str(k) for item in data[:50] if isinstance(item, dict) for k in item})
        raise _missing_columns(columns, found)
    return records


def _jtype(value: Any) -> str:
    names = {list: "a list", dict: "an object", str: "text", bool: "true/false"}
    if type(value) in names:
        return names[type(value)]
    if isinstance(value, int | float | Decimal):
        return "a number"
    return "null" if value is None else type(value).__name__


def _show(value: Any) -> str:
    """A value for a message: quoted, cut at 40 characters."""
    text = str(value)
    return repr(text if len(text) <= 40 else text[:40] + "…")


# -- field level ----------------------------------------------------------------------------


def _price(value: Any, currency: str) -> int | None:
    """The price in the currency's minor units (ISO 4217: KRW 0 digits, USD 2, BHD 3), exact.

    More decimals than the currency has is a row error, never rounded: 129.5 KRW or 1.2345 BHD
    is a typo or a wrong currency, and rounding would store a price nobody wrote.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise RowError(f"price must be a number, not {_jtype(value)}")
    text = _PRICE_JUNK.sub("", str(value))
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise RowError(f"price {_show(value)} is not a number") from None
    if not amount.is_finite():
        raise RowError(f"price {_show(value)} is not a number")
    if amount < 0:
        raise RowError(f"price {_show(value)} must be zero or more")
    digits = minor_digits(currency)
    # Size first, from the exponent alone: 1e9999999 × 100 would overflow Decimal's context.
    if amount and amount.adjusted() >= 10 + digits:
        raise RowError(f"price {_show(value)} is too large")
    minor = _minor_units(amount, digits)
    if minor is None:
        raise RowError(
            f"price {_show(value)} has more than {digits} decimal place(s) for {currency}"
        )
    if minor > MAX_PRICE_MINOR:
        top = format_price(MAX_PRICE_MINOR, currency)
        raise RowError(f"price {_show(value)} is too large (at most {top})")
    return minor


def _minor_units(amount: Decimal, digits: int) -> int | None:
    """amount × 10**digits as an exact int, or None when amount has more decimals than that.

    Works on the digits, not with Decimal arithmetic (which rounds to 28 digits): "139000.00"
    KRW is 139000, "0.0000000000000000000000000000001" USD is refused.
    """
    _, coefficient, exponent = amount.as_tuple()
    significant = "".join(map(str, coefficient)).rstrip("0")
    if not significant:
        return 0
    exponent += len(coefficient) - len(significant)  # trailing zeros are not decimals
    if exponent + digits < 0:
        return None
    return int(significant) * 10 ** (exponent + digits)


def _url(value: Any, name: str, *, allow_path: bool) -> str:
    """An absolute http(s) URL, or (image_url) a path on this site.

    A path must start with one "/" not followed by "/" or "\\": browsers read "//evil.com/x"
    and "/\\evil.com/x" as another host. No spaces or control characters anywhere (browsers
    drop tabs and line breaks inside URLs, which turns "/\t/evil.com" into "//evil.com").
    """
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise RowError(f"{name} must be text")
    value = value.strip()
    if len(value) > 1000:
        raise RowError(f"{name} is longer than 1000 characters")
    if m := _URL_BAD.search(value):
        raise RowError(
            f"{name} {_show(value)} holds a space or control character at character "
            f"{m.start() + 1}; percent-encode it (a space is %20)"
        )
    if _ABSOLUTE_URL.match(value):
        return value
    if allow_path and _SITE_PATH.match(value):
        return value
    allowed = "http(s):// URL or a /path on this site" if allow_path else "http(s):// URL"
    raise RowError(f"{name} {_show(value)} is not an {allowed}")


def _split(value: Any, name: str) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        parts = _LIST_SPLIT.split(value) if _LIST_SPLIT.search(value) else value.split(",")
    elif isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise RowError(f"{name} must be a list of text")
        parts = value
    else:
        raise RowError(f"{name} must be a list or text separated by | or ;")
    parts = [p.strip() for p in parts if p.strip()]
    for part in parts:
        if _LINE_BAD.search(part):
            raise RowError(f"{name}: {_show(part)} holds a tab, line break or control character")
    return parts


def _tags(value: Any) -> list[str]:
    tags = list(dict.fromkeys(t.lower() for t in _split(value, "tags")))
    if len(tags) > 30:
        raise RowError("tags: at most 30")
    if any(len(t) > 40 for t in tags):
        raise RowError("tags: each at most 40 characters")
    return tags


def _styles(value: Any) -> list[str]:
    styles = list(dict.fromkeys(t.lower().replace("-", "_") for t in _split(value, "styles")))
    for style in styles:
        if not _STYLE.match(style):
            raise RowError(
                f"style {style!r} is not a style name like wood_natural (letters, digits, _)"
            )
    if len(styles) > 10:
        raise RowError("styles: at most 10")
    return styles


def _size_cm(value: Any, name: str) -> float | None:
    """A real size in centimetres: a number above 0 and at most MAX_SIZE_CM, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise RowError(f"{name} must be a number, not {_jtype(value)}")
    text = str(value).strip().lower().removesuffix("cm").strip()
    try:
        size = Decimal(text)
    except InvalidOperation:
        raise RowError(f"{name} {_show(value)} is not a number of centimetres") from None
    if not size.is_finite() or not 0 < size <= Decimal(MAX_SIZE_CM):
        raise RowError(f"{name} {_show(value)} must be above 0 and at most {MAX_SIZE_CM:g} cm")
    return float(size)


def _colours(value: Any) -> list[str]:
    colours = []
    for c in _split(value, "colours"):
        m = _HEX.match(c)
        if not m:
            raise RowError(f"colour {c!r} is not a hex colour like #1a2b3c")
        h = m.group(1).lower()
        colours.append("#" + (h if len(h) == 6 else "".join(ch * 2 for ch in h)))
    if len(colours) > 12:
        raise RowError("colours: at most 12")
    return colours
