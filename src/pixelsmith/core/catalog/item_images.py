"""Item images for a catalog import: read (zip member, local file or http(s) URL), checked like
any upload (core/images.py), cut out when they have no transparency, stored as PNG blobs.

URLs are fetched with a size limit, a total time limit and no redirect to another host that is
not checked again. Hosts on private, loopback and link-local networks are refused unless
allowed (`PIXELSMITH_CATALOG_FETCH_PRIVATE_HOSTS`): a CSV must not make the server read its own
network (cloud metadata addresses, admin ports). The check resolves the name first; a DNS
answer that changes between check and connect (rebinding) is not covered.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urljoin, urlsplit

import numpy as np

from pixelsmith.core.errors import ApiError
from pixelsmith.core.storage import Storage

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 3
CUTOUT_MAX_SIDE = 1024  # stored cut-outs: enough for a desk render, small blobs
MAX_ZIP_MEMBERS = 5000
MAX_ZIP_TOTAL = 500 * 1024 * 1024  # uncompressed, all members together


class ImageRowError(ValueError):
    """This row's image cannot be used; the message says why (a row error)."""


@dataclass
class ItemImages:
    """Where an import's item images come from and where their cut-outs go."""

    storage: Storage
    files: Callable[[str], bytes] | None = None  # an image_file name → its bytes
    fetch_urls: bool = False  # fetch http(s) image_url values
    allow_private_hosts: bool = False
    timeout_s: float = 10.0  # per URL, connect to last byte
    max_bytes: int = MAX_IMAGE_BYTES
    max_pixels: int = 40_000_000
    max_side: int = 12_000
    model: Any = None  # the salient model; default: the registry's
    _client: Any = field(default=None, repr=False)

    def source_of(self, row: dict[str, Any]) -> str | None:
        """What this row's image would be read from, or None when it has none to read."""
        if row.get("image_file"):
            return "file"
        if self.fetch_urls and str(row.get("image_url", "")).lower().startswith("http"):
            return "url"
        return None

    def cutout_key(self, row: dict[str, Any]) -> str:
        """Read the row's image, cut it out, store it; its blob key. Raises ImageRowError."""
        if row.get("image_file"):
            data = self._read_file(row["image_file"])
        else:
            data = self._fetch(row["image_url"])
        return self.store_cutout(data)

    def store_cutout(self, data: bytes) -> str:
        from PIL import Image

        from pixelsmith.core.cutout import NoObjectFound, crop_rgba, cut_out
        from pixelsmith.core.images import downscale_to, encode_image, read_image

        try:
            intake = read_image(
                data, max_bytes=self.max_bytes, max_pixels=self.max_pixels, max_side=self.max_side
            )
        except ApiError as exc:
            raise ImageRowError(f"image: {exc.message}") from None
        img = downscale_to(intake.image, CUTOUT_MAX_SIDE)
        try:
            if img.mode == "RGBA":  # already cut out: keep its alpha, crop to the item
                arr = np.asarray(img)
                rgba = crop_rgba(arr[:, :, :3], arr[:, :, 3].astype(np.float32) / 255.0)
            else:
                rgba = cut_out(np.asarray(img.convert("RGB")), model=self.model)
        except NoObjectFound:
            raise ImageRowError(
                "image: no item stands out from the background; use a photo of the item on a "
                "plain background, or a PNG with transparency"
            ) from None
        png = encode_image(Image.fromarray(rgba, "RGBA"), "png")
        return self.storage.put(png, content_type="image/png", suffix=".png")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- sources --------------------------------------------------------------------------

    def _read_file(self, name: str) -> bytes:
        if self.files is None:
            raise ImageRowError(
                f"image_file {name!r}: upload a .zip holding the CSV and its images (or use "
                "`pixelsmith catalog import`, which reads files next to the CSV)"
            )
        return self.files(name)

    def _fetch(self, url: str) -> bytes:
        import httpx

        if self._client is None:
            self._client = httpx.Client(follow_redirects=False, trust_env=False)
        deadline = time.monotonic() + self.timeout_s
        for _ in range(MAX_REDIRECTS + 1):
            self._check_host(url)
            left = deadline - time.monotonic()
            if left <= 0:
                raise ImageRowError(f"image_url: no answer within {self.timeout_s:g} s")
            try:
                with self._client.stream(
                    "GET", url, timeout=httpx.Timeout(left), headers={"Accept": "image/*"}
                ) as resp:
                    if resp.is_redirect and "location" in resp.headers:
                        url = urljoin(url, resp.headers["location"])
                        continue
                    if resp.status_code != 200:
                        raise ImageRowError(f"image_url answered HTTP {resp.status_code}")
                    return self._read_body(resp, deadline)
            except httpx.TimeoutException:
                raise ImageRowError(f"image_url: no answer within {self.timeout_s:g} s") from None
            except httpx.HTTPError as exc:
                raise ImageRowError(f"image_url cannot be fetched: {type(exc).__name__}") from None
        raise ImageRowError(f"image_url redirects more than {MAX_REDIRECTS} times")

    def _read_body(self, resp: Any, deadline: float) -> bytes:
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise ImageRowError(f"image_url: the image is larger than {_mb(self.max_bytes)}")
        buf = bytearray()
        for chunk in resp.iter_bytes(64 * 1024):
            buf += chunk
            if len(buf) > self.max_bytes:
                raise ImageRowError(f"image_url: the image is larger than {_mb(self.max_bytes)}")
            if time.monotonic() > deadline:  # a server trickling bytes
                raise ImageRowError(f"image_url: no full answer within {self.timeout_s:g} s")
        return bytes(buf)

    def _check_host(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ImageRowError("image_url redirects to something that is not http(s)")
        if self.allow_private_hosts:
            return
        try:
            infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise ImageRowError(f"image_url: host {parts.hostname!r} is not found") from None
        for info in infos:
            ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
            if not ip.is_global:
                raise ImageRowError(
                    f"image_url: host {parts.hostname!r} is on a private network; only public "
                    "hosts are fetched"
                )


def zip_reader(archive: zipfile.ZipFile) -> Callable[[str], bytes]:
    """image_file names → member bytes, matched by path inside the zip (or by bare file name
    when that is unique), each read with the size limit. Names never reach the filesystem."""
    members = {i.filename: i for i in archive.infolist() if not i.is_dir()}
    by_name: dict[str, list[zipfile.ZipInfo]] = {}
    for info in members.values():
        by_name.setdefault(PurePosixPath(info.filename).name, []).append(info)

    def read(name: str) -> bytes:
        key = name.replace("\\", "/").lstrip("/")
        info = members.get(key)
        if info is None:
            found = by_name.get(PurePosixPath(key).name, [])
            if len(found) != 1:
                why = "is not in the zip" if not found else "matches several files in the zip"
                raise ImageRowError(f"image_file {name!r} {why}")
            info = found[0]
        if info.file_size > MAX_IMAGE_BYTES:
            raise ImageRowError(f"image_file {name!r} is larger than {_mb(MAX_IMAGE_BYTES)}")
        with archive.open(info) as f:
            data = f.read(MAX_IMAGE_BYTES + 1)  # a lying header cannot make it read more
        if len(data) > MAX_IMAGE_BYTES:
            raise ImageRowError(f"image_file {name!r} is larger than {_mb(MAX_IMAGE_BYTES)}")
        return data

    return read


def folder_reader(base: Path) -> Callable[[str], bytes]:
    """image_file names → bytes of files relative to `base` (the CLI: files next to the CSV),
    or absolute paths (the CLI's user names files on their own machine)."""

    def read(name: str) -> bytes:
        path = Path(name).expanduser()
        path = path if path.is_absolute() else base / path
        if not path.is_file():
            raise ImageRowError(f"image_file {name!r}: no such file ({path})")
        if path.stat().st_size > MAX_IMAGE_BYTES:
            raise ImageRowError(f"image_file {name!r} is larger than {_mb(MAX_IMAGE_BYTES)}")
        return path.read_bytes()

    return read


def _mb(n: int) -> str:
    return f"{n // (1024 * 1024)} MB"


def item_images_from_settings(settings: Any, storage: Storage, *, fetch_urls: bool) -> ItemImages:
    """ItemImages with the server's upload limits and fetch settings."""
    return ItemImages(
        storage=storage,
        fetch_urls=fetch_urls,
        allow_private_hosts=settings.catalog_fetch_private_hosts,
        timeout_s=settings.catalog_image_timeout_s,
        max_bytes=min(settings.max_upload_bytes, MAX_IMAGE_BYTES),
        max_pixels=settings.max_image_pixels,
        max_side=settings.max_image_side,
    )
