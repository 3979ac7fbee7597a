"""S3Storage over real HTTP against moto's standalone server, started in-process.

The behavioural checks are StorageContract from tests/unit/test_storage_local.py; this file adds
what is specific to S3 (bucket creation, object layout, content type, readiness failure).
"""

from __future__ import annotations

import importlib
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from pixelsmith.core.config import Settings
from pixelsmith.core.storage import S3Storage, StorageUnavailable, create_storage

pytestmark = pytest.mark.integration

ACCESS_KEY = "testing"
SECRET_KEY = "testing"


def _storage_contract() -> type:
    # tests/ has no __init__.py files, so import the shared contract by its folder.
    unit_dir = str(Path(__file__).resolve().parents[1] / "unit")
    if unit_dir not in sys.path:
        sys.path.insert(0, unit_dir)
    return importlib.import_module("test_storage_local").StorageContract


StorageContract = _storage_contract()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as mp:
        # Dummy credentials, and no profile or config file that could point at real AWS.
        mp.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        mp.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.delenv("AWS_PROFILE", raising=False)
        mp.delenv("AWS_SESSION_TOKEN", raising=False)
        mp.setenv("AWS_CONFIG_FILE", "/nonexistent")
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        port = _free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


@pytest.fixture
def raw_s3(moto_endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def _bucket() -> str:
    return f"pixelsmith-test-{uuid.uuid4().hex[:12]}"


def _s3_storage(endpoint: str, bucket: str, **kwargs: object) -> S3Storage:
    return S3Storage(
        bucket,
        endpoint_url=endpoint,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
        **kwargs,  # type: ignore[arg-type]
    )


class TestS3StorageContract(StorageContract):
    # One bucket for the class keeps the run fast; contract tests never rely on an empty store.
    @pytest.fixture(scope="class")
    def storage(self, moto_endpoint: str) -> S3Storage:
        return _s3_storage(moto_endpoint, _bucket())


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_bucket_is_created_when_missing(moto_endpoint: str, raw_s3, region: str) -> None:
    bucket = _bucket()
    with pytest.raises(ClientError):
        raw_s3.head_bucket(Bucket=bucket)
    storage = _s3_storage(moto_endpoint, bucket, region=region)
    raw_s3.head_bucket(Bucket=bucket)
    storage.check()
    # A second instance on the same (now existing) bucket is fine, as is calling it again.
    again = _s3_storage(moto_endpoint, bucket, region=region)
    again.ensure_bucket()
    assert again.get(storage.put(b"shared")) == b"shared"


def test_object_layout_prefix_and_content_type(moto_endpoint: str, raw_s3) -> None:
    bucket = _bucket()
    storage = _s3_storage(moto_endpoint, bucket, prefix="imgs")
    key = storage.put(b"\x89PNG layout", suffix=".png")
    assert storage.name == "s3"
    assert storage.object_key(key) == f"imgs/{key[:2]}/{key[2:4]}/{key}"
    listed = raw_s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [obj["Key"] for obj in listed] == [storage.object_key(key)]
    head = raw_s3.head_object(Bucket=bucket, Key=storage.object_key(key))
    assert head["ContentType"] == "image/png"

    explicit = storage.put(b"explicit type", content_type="image/webp")
    assert storage.content_type(explicit) == "image/webp"


def test_put_skips_existing_object(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    storage = _s3_storage(moto_endpoint, _bucket())
    key = storage.put(b"once")

    def fail(**kwargs: object) -> None:
        raise AssertionError("existing object was rewritten")

    monkeypatch.setattr(storage._client, "put_object", fail)
    assert storage.put(b"once") == key


def test_check_fails_when_bucket_is_gone(moto_endpoint: str, raw_s3) -> None:
    bucket = _bucket()
    storage = _s3_storage(moto_endpoint, bucket)
    raw_s3.delete_bucket(Bucket=bucket)
    with pytest.raises(StorageUnavailable, match=bucket):
        storage.check()


def test_check_fails_when_endpoint_unreachable(moto_endpoint: str) -> None:
    storage = _s3_storage(moto_endpoint, _bucket())
    storage._client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{_free_port()}",
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    with pytest.raises(StorageUnavailable):
        storage.check()


def test_create_storage_s3(moto_endpoint: str, tmp_path: Path, raw_s3) -> None:
    bucket = _bucket()
    settings = Settings(
        data_dir=tmp_path,
        storage_backend="s3",
        s3_bucket=bucket,
        s3_endpoint_url=moto_endpoint,
        s3_region="us-east-1",
        s3_access_key_id=ACCESS_KEY,
        s3_secret_access_key=SECRET_KEY,
    )
    storage = create_storage(settings)
    assert isinstance(storage, S3Storage)
    raw_s3.head_bucket(Bucket=bucket)
    assert storage.get(storage.put(b"via settings")) == b"via settings"
