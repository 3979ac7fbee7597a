"""Blob storage behind one interface: ``local`` (files under data_dir/blobs) or ``s3``.

Keys are content-addressed: the SHA-256 hex digest of the bytes, plus an optional suffix such
as ``.png``. Storing the same bytes twice gives the same key and writes nothing the second time.
Every key that reaches a backend has passed :func:`validate_key`, so a key can never name a path
outside the store (no slashes, dots only in the one suffix).

Both layouts fan out by the first hex characters: ``ab/cd/abcd…`` (a local folder tree, or an S3
object name after ``prefix``), so no single folder grows without bound.
"""

from __future__ import annotations

import abc
import hashlib
import mimetypes
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from pixelsmith.core.errors import ApiError, NotFound

if TYPE_CHECKING:
    from pixelsmith.core.config import Settings

__all__ = [
    "LocalStorage",
    "S3Storage",
    "Storage",
    "StorageUnavailable",
    "content_key",
    "create_storage",
    "validate_key",
    "validate_suffix",
]

DEFAULT_CONTENT_TYPE = "application/octet-stream"

_KEY_RE = re.compile(r"[0-9a-f]{64}(\.[a-z0-9]{1,8})?")
_SUFFIX_RE = re.compile(r"\.[a-z0-9]{1,8}")
# mimetypes reads the system's tables; these make the common image types independent of them.
_FALLBACK_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".avif": "image/avif",
    ".json": "application/json",
}


class StorageUnavailable(RuntimeError):
    """The store cannot be used (raised by :meth:`Storage.check`)."""


def validate_key(key: str) -> str:
    """Return ``key`` if it is a well-formed blob key; otherwise raise a 400 ``invalid_key``."""
    if not isinstance(key, str) or _KEY_RE.fullmatch(key) is None:
        raise ApiError(
            "Invalid blob key: expected 64 lowercase hex characters and an optional suffix "
            "such as '.png'.",
            code="invalid_key",
            status_code=400,
            details={"key": key if isinstance(key, str) else repr(key)},
        )
    return key


def validate_suffix(suffix: str) -> str:
    """Return ``suffix`` if empty or a dot and 1-8 lowercase letters/digits; else raise 400."""
    if suffix == "":
        return suffix
    if not isinstance(suffix, str) or _SUFFIX_RE.fullmatch(suffix) is None:
        raise ApiError(
            "Invalid blob suffix: expected '' or a dot and 1-8 lowercase letters or digits, "
            "such as '.png'.",
            code="invalid_key",
            status_code=400,
            details={"suffix": suffix if isinstance(suffix, str) else repr(suffix)},
        )
    return suffix


def content_key(data: bytes, suffix: str = "") -> str:
    """The key that ``data`` is stored under: its SHA-256 hex digest plus ``suffix``."""
    return hashlib.sha256(data).hexdigest() + validate_suffix(suffix)


def guess_content_type(key: str) -> str:
    """Content type from a key's suffix; ``application/octet-stream`` when unknown or absent."""
    suffix = key[64:]
    if not suffix:
        return DEFAULT_CONTENT_TYPE
    guessed, _ = mimetypes.guess_type("blob" + suffix, strict=False)
    return guessed or _FALLBACK_TYPES.get(suffix, DEFAULT_CONTENT_TYPE)


def _fanout(key: str) -> str:
    return f"{key[:2]}/{key[2:4]}/{key}"


def _not_found(key: str) -> NotFound:
    return NotFound(f"Blob {key} not found.", details={"key": key})


class Storage(abc.ABC):
    """A content-addressed blob store. Public methods validate keys, then call the backend."""

    name: str

    def put(
        self,
        data: bytes,
        *,
        content_type: str = DEFAULT_CONTENT_TYPE,
        suffix: str = "",
        durable: bool = True,
    ) -> str:
        """Store ``data`` and return its key. Bytes already stored are not written again.

        ``durable=False`` skips the flush to disk, for throwaway blobs such as progress
        previews (a crash may lose them, nothing else)."""
        data = bytes(data)
        key = content_key(data, suffix)
        if not self._exists(key):
            self._put(key, data, content_type, durable)
        return key

    def get(self, key: str) -> bytes:
        """The stored bytes; raises :class:`NotFound` when absent."""
        return self._get(validate_key(key))

    def exists(self, key: str) -> bool:
        return self._exists(validate_key(key))

    def delete(self, key: str) -> None:
        """Remove the blob; removing an absent blob is not an error."""
        self._delete(validate_key(key))

    def size(self, key: str) -> int:
        """Size in bytes; raises :class:`NotFound` when absent."""
        return self._size(validate_key(key))

    def content_type(self, key: str) -> str:
        """The blob's content type; raises :class:`NotFound` when absent."""
        return self._content_type(validate_key(key))

    @abc.abstractmethod
    def check(self) -> None:
        """Readiness probe: return when the store is usable, raise StorageUnavailable if not."""

    # Backend operations; ``key`` has already been validated.
    @abc.abstractmethod
    def _put(self, key: str, data: bytes, content_type: str, durable: bool = True) -> None: ...

    @abc.abstractmethod
    def _get(self, key: str) -> bytes: ...

    @abc.abstractmethod
    def _exists(self, key: str) -> bool: ...

    @abc.abstractmethod
    def _delete(self, key: str) -> None: ...

    @abc.abstractmethod
    def _size(self, key: str) -> int: ...

    @abc.abstractmethod
    def _content_type(self, key: str) -> str: ...


class LocalStorage(Storage):
    """Files at ``root/ab/cd/<key>``.

    Writes go to a uniquely named temporary file in the target folder, are flushed to disk and
    then renamed over the final name with ``os.replace``, so readers never see a partial blob and
    concurrent writers of the same bytes (same key, same content) cannot corrupt each other. No
    lock is needed: every operation is a single atomic filesystem call. The content type is
    derived from the key's suffix; ``put``'s ``content_type`` is not stored.
    """

    name = "local"

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalStorage(root={str(self.root)!r})"

    def path_for(self, key: str) -> Path:
        """Where the blob with ``key`` lives (whether or not it exists)."""
        return self.root / _fanout(validate_key(key))

    def _path(self, key: str) -> Path:
        return self.root / _fanout(key)

    def _put(self, key: str, data: bytes, content_type: str, durable: bool = True) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                if durable:
                    fh.flush()
                    os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    def _get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise _not_found(key) from None

    def _exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def _delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def _size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise _not_found(key) from None

    def _content_type(self, key: str) -> str:
        if not self._exists(key):
            raise _not_found(key)
        return guess_content_type(key)

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=".probe-", dir=self.root)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise StorageUnavailable(
                f"Local storage at {self.root} is not writable: {exc}"
            ) from exc


class S3Storage(Storage):
    """Objects at ``<bucket>/<prefix>ab/cd/<key>`` in S3 or an S3-compatible service.

    One boto3 client is created per instance (boto3 clients are thread-safe). The bucket is
    created when missing. With a custom ``endpoint_url`` (MinIO, moto, …) path-style addressing
    is used. ``put`` stores ``content_type``; when that is left at the default it is guessed from
    the suffix, so both backends report the same type for the same key.
    """

    name = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        prefix: str = "blobs/",
    ) -> None:
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        self.bucket = bucket
        self.prefix = prefix
        self.region = region
        self.endpoint_url = endpoint_url
        config = Config(
            region_name=region,
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 4, "mode": "standard"},
            s3={"addressing_style": "path"} if endpoint_url else None,
        )
        self._client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=config,
        )
        self.ensure_bucket()

    def __repr__(self) -> str:
        return (
            f"S3Storage(bucket={self.bucket!r}, endpoint_url={self.endpoint_url!r}, "
            f"prefix={self.prefix!r})"
        )

    def object_key(self, key: str) -> str:
        """The S3 object name for blob ``key``."""
        return self.prefix + _fanout(validate_key(key))

    def _object_key(self, key: str) -> str:
        return self.prefix + _fanout(key)

    def ensure_bucket(self) -> None:
        """Create the bucket unless it exists (already owning it is fine)."""
        try:
            self._client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as exc:
            if not _is_missing(exc, "NoSuchBucket"):
                raise
        kwargs: dict[str, Any] = {"Bucket": self.bucket}
        if self.region and self.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        try:
            self._client.create_bucket(**kwargs)
        except ClientError as exc:
            if _error_code(exc) != "BucketAlreadyOwnedByYou":
                raise

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            return self._client.head_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as exc:
            if _is_missing(exc, "NoSuchKey"):
                return None
            raise

    def _put(self, key: str, data: bytes, content_type: str, durable: bool = True) -> None:
        if content_type == DEFAULT_CONTENT_TYPE:
            content_type = guess_content_type(key)
        self._client.put_object(
            Bucket=self.bucket, Key=self._object_key(key), Body=data, ContentType=content_type
        )

    def _get(self, key: str) -> bytes:
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as exc:
            if _is_missing(exc, "NoSuchKey"):
                raise _not_found(key) from None
            raise
        with response["Body"] as body:
            return body.read()

    def _exists(self, key: str) -> bool:
        return self._head(key) is not None

    def _delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=self._object_key(key))

    def _size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise _not_found(key)
        return int(head["ContentLength"])

    def _content_type(self, key: str) -> str:
        head = self._head(key)
        if head is None:
            raise _not_found(key)
        return head.get("ContentType") or DEFAULT_CONTENT_TYPE

    def check(self) -> None:
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(f"S3 bucket {self.bucket!r} is not reachable: {exc}") from exc


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _is_missing(exc: ClientError, specific_code: str) -> bool:
    """True for a 404 answer: HEAD requests carry only the status ("404"), others a code."""
    return _error_code(exc) in {"404", "NotFound", specific_code}


def create_storage(settings: Settings) -> Storage:
    """The storage backend that ``settings.storage_backend`` names."""
    if settings.storage_backend == "local":
        return LocalStorage(settings.data_dir / "blobs")
    if settings.storage_backend == "s3":
        return S3Storage(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
        )
    raise ValueError(f"Unknown storage backend: {settings.storage_backend!r}")
