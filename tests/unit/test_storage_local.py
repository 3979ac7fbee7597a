"""LocalStorage, plus StorageContract: the behaviour every backend shares.

tests/integration/test_storage_s3.py runs StorageContract against S3Storage on a moto server;
a backend's test class only has to provide the ``storage`` fixture.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pixelsmith.core.config import Settings
from pixelsmith.core.errors import ApiError, NotFound
from pixelsmith.core.storage import (
    LocalStorage,
    Storage,
    StorageUnavailable,
    create_storage,
    validate_key,
)

VALID = "0" * 64
HOSTILE_KEYS = [
    "",
    "../../x",
    "/etc/passwd",
    "a" * 64 + "/../x",
    "../" + "a" * 64,
    "%2e%2e",
    "A" * 64,
    "a" * 63 + "A",
    "a" * 64 + "\x00",
    "a" * 63 + "\x00",
    "a" * 64 + "\n",
    "a" * 63,
    "a" * 65,
    "g" * 64,
    "a" * 64 + ".",
    "a" * 64 + ".PNG",
    "a" * 64 + ".png.exe",
    "a" * 64 + ".toolongxx",
    "a" * 64 + "/",
    "a" * 64 + "\\..\\x",
    " " + "a" * 64,
]
HOSTILE_SUFFIXES = ["png", ".PNG", ".", "..", "/x", "./x", ".p/g", ".png\x00", ".toolongxx", ".a.b"]
KEYED_METHODS = ["get", "exists", "delete", "size", "content_type"]


def _assert_invalid(excinfo: pytest.ExceptionInfo[ApiError]) -> None:
    assert excinfo.value.status_code == 400
    assert excinfo.value.code == "invalid_key"


class StorageContract:
    """Behaviour of every Storage backend. Subclasses provide a ``storage`` fixture.

    Tests must not assume an empty store: a backend may share one store across the class.
    """

    def test_key_is_sha256_of_data(self, storage: Storage) -> None:
        data = b"hello pixelsmith"
        assert storage.put(data) == hashlib.sha256(data).hexdigest()

    def test_suffix_is_appended(self, storage: Storage) -> None:
        data = b"\x89PNG fake"
        assert storage.put(data, suffix=".png") == hashlib.sha256(data).hexdigest() + ".png"

    def test_same_bytes_same_key(self, storage: Storage) -> None:
        assert storage.put(b"same") == storage.put(b"same")
        assert storage.get(storage.put(b"same")) == b"same"

    def test_different_bytes_different_keys(self, storage: Storage) -> None:
        assert storage.put(b"one") != storage.put(b"two")

    @pytest.mark.parametrize(
        "data", [b"", b"x", bytes(range(256)), os.urandom(1024 * 1024)], ids=len
    )
    def test_round_trip(self, storage: Storage, data: bytes) -> None:
        key = storage.put(data)
        assert storage.get(key) == data
        assert storage.size(key) == len(data)

    def test_exists_and_delete(self, storage: Storage) -> None:
        key = storage.put(b"to delete")
        assert storage.exists(key)
        storage.delete(key)
        assert not storage.exists(key)
        storage.delete(key)  # deleting an absent blob is fine
        with pytest.raises(NotFound):
            storage.get(key)

    def test_put_after_delete_writes_again(self, storage: Storage) -> None:
        key = storage.put(b"again")
        storage.delete(key)
        assert storage.put(b"again") == key
        assert storage.get(key) == b"again"

    @pytest.mark.parametrize(
        ("suffix", "expected"),
        [("", "application/octet-stream"), (".png", "image/png"), (".jpg", "image/jpeg")],
    )
    def test_content_type_from_suffix(self, storage: Storage, suffix: str, expected: str) -> None:
        key = storage.put(b"typed " + suffix.encode(), suffix=suffix)
        assert storage.content_type(key) == expected

    @pytest.mark.parametrize("method", ["get", "size", "content_type"])
    def test_absent_key_raises_not_found(self, storage: Storage, method: str) -> None:
        key = hashlib.sha256(b"never stored").hexdigest() + ".png"
        assert not storage.exists(key)
        with pytest.raises(NotFound) as excinfo:
            getattr(storage, method)(key)
        assert excinfo.value.status_code == 404
        assert key in excinfo.value.message

    @pytest.mark.parametrize("method", KEYED_METHODS)
    @pytest.mark.parametrize("key", HOSTILE_KEYS, ids=ascii)
    def test_hostile_keys_rejected(self, storage: Storage, method: str, key: str) -> None:
        with pytest.raises(ApiError) as excinfo:
            getattr(storage, method)(key)
        _assert_invalid(excinfo)

    @pytest.mark.parametrize("suffix", HOSTILE_SUFFIXES, ids=ascii)
    def test_hostile_suffixes_rejected(self, storage: Storage, suffix: str) -> None:
        with pytest.raises(ApiError) as excinfo:
            storage.put(b"data", suffix=suffix)
        _assert_invalid(excinfo)

    def test_concurrent_puts_of_same_data(self, storage: Storage) -> None:
        data = os.urandom(256 * 1024)
        with ThreadPoolExecutor(max_workers=16) as pool:
            keys = list(pool.map(lambda _: storage.put(data, suffix=".bin"), range(64)))
        assert set(keys) == {hashlib.sha256(data).hexdigest() + ".bin"}
        assert storage.get(keys[0]) == data

    def test_check_passes(self, storage: Storage) -> None:
        storage.check()


class TestLocalStorageContract(StorageContract):
    @pytest.fixture
    def storage(self, tmp_path: Path) -> LocalStorage:
        return LocalStorage(tmp_path / "blobs")


@pytest.mark.parametrize("key", [VALID, "0123456789abcdef" * 4 + ".png", "f" * 64 + ".a1b2c3d4"])
def test_validate_key_accepts_well_formed_keys(key: str) -> None:
    assert validate_key(key) == key


@pytest.mark.parametrize("key", [*HOSTILE_KEYS, None, 123, b"0" * 64], ids=ascii)
def test_validate_key_rejects(key: object) -> None:
    with pytest.raises(ApiError) as excinfo:
        validate_key(key)  # type: ignore[arg-type]
    _assert_invalid(excinfo)


def test_local_layout_fans_out_by_hex_prefix(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    key = storage.put(b"layout", suffix=".png")
    path = tmp_path / key[:2] / key[2:4] / key
    assert storage.path_for(key) == path
    assert path.read_bytes() == b"layout"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [path]


def test_local_put_does_not_rewrite_existing_blob(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalStorage(tmp_path)
    key = storage.put(b"once")
    inode = storage.path_for(key).stat().st_ino

    def fail(*args: object) -> None:
        raise AssertionError("existing blob was rewritten")

    monkeypatch.setattr(os, "replace", fail)
    assert storage.put(b"once") == key
    assert storage.path_for(key).stat().st_ino == inode


def test_local_concurrent_puts_leave_one_file(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    data = os.urandom(64 * 1024)
    with ThreadPoolExecutor(max_workers=16) as pool:
        keys = set(pool.map(lambda _: storage.put(data), range(64)))
    (key,) = keys
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [storage.path_for(key)]  # no temporary files left behind


def test_local_failed_write_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalStorage(tmp_path)

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        storage.put(b"doomed")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert not storage.exists(hashlib.sha256(b"doomed").hexdigest())


def test_local_check_creates_root(tmp_path: Path) -> None:
    root = tmp_path / "a" / "b"
    LocalStorage(root).check()
    assert root.is_dir()
    assert list(root.iterdir()) == []


def test_local_check_fails_when_root_unusable(tmp_path: Path) -> None:
    root = tmp_path / "not-a-dir"
    root.write_text("a file where the store should be")
    with pytest.raises(StorageUnavailable, match="not writable"):
        LocalStorage(root).check()


def test_create_storage_local(tmp_path: Path) -> None:
    storage = create_storage(Settings(data_dir=tmp_path, storage_backend="local"))
    assert isinstance(storage, LocalStorage)
    assert storage.name == "local"
    assert storage.root == tmp_path / "blobs"
