"""Object Storage over the S3 API (boto3), limited to what NCP Object Storage supports.

- One boto3 client per process and settings: created on first use and reused by every warm
  activation of the container (client creation costs tens of milliseconds and the pool keeps
  TLS connections open).
- boto3 is imported only when a client is first needed, so an action that never touches
  storage does not pay for importing it on a cold start.
- NCP has no ListObjectsV2: `list()` uses ListObjects (v1) with Marker pagination, and the
  client refuses ListObjectsV2 before sending it (`ListObjectsV2NotSupported`).
- Newer botocore adds CRC checksums to every upload by default (aws-chunked bodies with
  trailers), which several S3-compatible stores reject; checksums are only sent when an
  operation requires them.
"""

from __future__ import annotations

import builtins
import dataclasses
import io
import threading
import urllib.parse
from collections.abc import Generator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Literal

from shared.adapters.objectstore.exceptions import (
    BucketNotFound,
    ListObjectsV2NotSupported,
    ObjectNotFound,
    ObjectStoreError,
)

if TYPE_CHECKING:
    from shared.platform.config import Config

NCP_ENDPOINT_URL = "https://kr.object.ncloudstorage.com"
NCP_REGION = "kr-standard"
MiB = 1024 * 1024
# S3 parts must be at least 5 MiB (except the last); below the threshold one PUT is cheaper.
DEFAULT_MULTIPART_THRESHOLD = 16 * MiB
DEFAULT_MULTIPART_CHUNKSIZE = 8 * MiB
DEFAULT_CHUNK_SIZE = 1 * MiB
MAX_PRESIGN_SECONDS = 7 * 24 * 3600  # SigV4 presigned URLs live at most 7 days

AddressingStyle = Literal["path", "virtual", "auto"]


@dataclass(frozen=True)
class ObjectStoreSettings:
    endpoint_url: str | None = NCP_ENDPOINT_URL
    region: str = NCP_REGION
    # None: boto3's normal credential chain (env vars, shared files, ...).
    access_key_id: str | None = field(default=None, repr=False)
    secret_access_key: str | None = field(default=None, repr=False)
    # Path style works on NCP and on loopback emulators (no wildcard DNS needed).
    addressing_style: AddressingStyle = "path"
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    max_attempts: int = 3
    multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD
    multipart_chunksize: int = DEFAULT_MULTIPART_CHUNKSIZE
    max_concurrency: int = 4

    def __post_init__(self) -> None:
        if self.addressing_style not in ("path", "virtual", "auto"):
            raise ValueError(
                f"addressing_style must be path, virtual or auto: {self.addressing_style!r}"
            )
        if (self.access_key_id is None) != (self.secret_access_key is None):
            raise ValueError("give both access_key_id and secret_access_key, or neither")

    @classmethod
    def from_config(cls, config: Config) -> ObjectStoreSettings:
        """Settings from action parameters / environment (see shared.platform.config)."""
        return cls(
            endpoint_url=config.get("s3_endpoint_url", NCP_ENDPOINT_URL),
            region=config.get("s3_region", NCP_REGION),
            access_key_id=config.get("s3_access_key_id"),
            secret_access_key=config.get("s3_secret_access_key"),
            addressing_style=config.get("s3_addressing_style", "path"),
            multipart_threshold=config.integer(
                "s3_multipart_threshold", DEFAULT_MULTIPART_THRESHOLD
            ),
            multipart_chunksize=config.integer(
                "s3_multipart_chunksize", DEFAULT_MULTIPART_CHUNKSIZE
            ),
        )

    def client_key(self) -> tuple[Any, ...]:
        """What the boto3 client depends on (transfer settings do not)."""
        return (
            self.endpoint_url,
            self.region,
            self.access_key_id,
            self.secret_access_key,
            self.addressing_style,
            self.connect_timeout,
            self.read_timeout,
            self.max_attempts,
        )


@dataclass(frozen=True)
class ObjectInfo:
    bucket: str
    key: str
    size: int
    etag: str  # without the surrounding quotes; multipart uploads end in "-<parts>"
    content_type: str | None
    metadata: dict[str, str]
    last_modified: datetime | None


@dataclass(frozen=True)
class ObjectSummary:
    key: str
    size: int
    etag: str
    last_modified: datetime | None


# ---------------------------------------------------------------------------------------------
# Process-wide client cache

_CLIENTS: dict[tuple[Any, ...], Any] = {}
_CLIENTS_LOCK = threading.Lock()


def _refuse_list_objects_v2(**_: Any) -> None:
    raise ListObjectsV2NotSupported()


def _create_client(settings: ObjectStoreSettings) -> Any:
    import boto3
    from botocore.config import Config as BotoConfig

    options: dict[str, Any] = {
        "signature_version": "s3v4",
        "s3": {"addressing_style": settings.addressing_style},
        "connect_timeout": settings.connect_timeout,
        "read_timeout": settings.read_timeout,
        "retries": {"max_attempts": settings.max_attempts, "mode": "standard"},
    }
    if "request_checksum_calculation" in BotoConfig.OPTION_DEFAULTS:  # botocore >= 1.36
        options["request_checksum_calculation"] = "when_required"
        options["response_checksum_validation"] = "when_required"
    # A private session: the default one is shared module state and not thread-safe to set up.
    session = boto3.session.Session()
    client = session.client(
        "s3",
        endpoint_url=settings.endpoint_url,
        region_name=settings.region,
        aws_access_key_id=settings.access_key_id,
        aws_secret_access_key=settings.secret_access_key,
        config=BotoConfig(**options),
    )
    client.meta.events.register("before-call.s3.ListObjectsV2", _refuse_list_objects_v2)
    return client


def get_client(settings: ObjectStoreSettings) -> Any:
    """The process's boto3 S3 client for these settings (created once, then reused)."""
    key = settings.client_key()
    client = _CLIENTS.get(key)
    if client is None:
        with _CLIENTS_LOCK:
            client = _CLIENTS.get(key)
            if client is None:
                client = _CLIENTS[key] = _create_client(settings)
    return client


# ---------------------------------------------------------------------------------------------
# Error translation


def _translate(exc: Exception, bucket: str, key: str | None) -> ObjectStoreError:
    response = getattr(exc, "response", None) or {}
    error = response.get("Error", {})
    code = str(error.get("Code") or "")
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code == "NoSuchBucket":
        return BucketNotFound(bucket, code=code)
    if code in ("NoSuchKey", "NotFound", "404") or status == 404:
        # HEAD answers a bare 404 for a missing object and for a missing bucket alike.
        return ObjectNotFound(bucket, key, code=code) if key else BucketNotFound(bucket, code=code)
    where = f"s3://{bucket}/{key}" if key else f"s3://{bucket}"
    operation = getattr(exc, "operation_name", None) or "request"
    detail = f"{code}: {error.get('Message') or ''}".strip(": ") if code else str(exc)
    return ObjectStoreError(f"{operation} on {where} failed: {detail}", code=code or None)


@contextmanager
def _errors(bucket: str, key: str | None = None) -> Iterator[None]:
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        raise _translate(exc, bucket, key) from exc
    except (BotoCoreError, Boto3Error) as exc:
        # e.g. S3UploadFailedError from a managed transfer, or a connection error
        where = f"s3://{bucket}/{key}" if key else f"s3://{bucket}"
        raise ObjectStoreError(f"request on {where} failed: {exc}") from exc


def _content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback plus the RFC 6266/5987 UTF-8 name (Hangul names)."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    quoted = urllib.parse.quote(filename, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quoted}"


def _check_expiry(expires_s: int) -> int:
    if not 1 <= int(expires_s) <= MAX_PRESIGN_SECONDS:
        raise ValueError(f"expires_s must be between 1 and {MAX_PRESIGN_SECONDS}: {expires_s}")
    return int(expires_s)


class _BodyReader(io.RawIOBase):
    """Raw stream over a botocore StreamingBody, so it can sit under an io.BufferedReader."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._body.read(len(view))
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


# ---------------------------------------------------------------------------------------------


class ObjectStore:
    """Object Storage operations for the actions and the local stack.

    Cheap to construct (the boto3 client comes from the process-wide cache), so an action may
    build one per activation with `ObjectStore.from_config(Config(args))`.
    """

    def __init__(self, settings: ObjectStoreSettings | None = None, **overrides: Any) -> None:
        base = settings or ObjectStoreSettings()
        self.settings = dataclasses.replace(base, **overrides) if overrides else base

    @classmethod
    def from_config(cls, config: Config, **overrides: Any) -> ObjectStore:
        return cls(ObjectStoreSettings.from_config(config), **overrides)

    @property
    def client(self) -> Any:
        """The underlying boto3 S3 client (shared; do not register handlers on it casually)."""
        return get_client(self.settings)

    def _transfer_config(self) -> Any:
        from boto3.s3.transfer import TransferConfig

        return TransferConfig(
            multipart_threshold=self.settings.multipart_threshold,
            multipart_chunksize=self.settings.multipart_chunksize,
            max_concurrency=self.settings.max_concurrency,
        )

    # -- writing --------------------------------------------------------------------------

    def put_bytes(
        self,
        bucket: str,
        key: str,
        data: bytes,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> str:
        """Store `data` in one PUT; returns the ETag (unquoted)."""
        params: dict[str, Any] = {"Bucket": bucket, "Key": key, "Body": data}
        params.update(_extra_args(content_type, metadata))
        with _errors(bucket, key):
            response = self.client.put_object(**params)
        etag: str = response.get("ETag", "")
        return etag.strip('"')

    def upload_fileobj(
        self,
        fileobj: IO[bytes],
        bucket: str,
        key: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        """Upload a binary stream; multipart (in parallel parts) above the threshold."""
        with _errors(bucket, key):
            self.client.upload_fileobj(
                fileobj,
                bucket,
                key,
                ExtraArgs=_extra_args(content_type, metadata) or None,
                Config=self._transfer_config(),
            )

    def upload_file(
        self,
        path: str | Path,
        bucket: str,
        key: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        with open(path, "rb") as fileobj:
            self.upload_fileobj(fileobj, bucket, key, content_type=content_type,
                                metadata=metadata)

    # -- reading --------------------------------------------------------------------------

    def _get_body(self, bucket: str, key: str, start: int = 0, end: int | None = None) -> Any:
        extra = {}
        if start or end is not None:
            # HTTP ranges are inclusive; `end` here is exclusive, as in Python slices.
            extra["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
        with _errors(bucket, key):
            return self.client.get_object(Bucket=bucket, Key=key, **extra)["Body"]

    def get_bytes(self, bucket: str, key: str) -> bytes:
        """The whole object in memory: for small objects only (use iter_chunks/open otherwise)."""
        body = self._get_body(bucket, key)
        try:
            data: bytes = body.read()
            return data
        finally:
            body.close()

    def iter_chunks(
        self, bucket: str, key: str, chunk_size: int = DEFAULT_CHUNK_SIZE, *,
        start: int = 0, end: int | None = None,
    ) -> Generator[bytes, None, None]:
        """Stream the object (or bytes `start` to `end`, exclusive: one ranged GET) in chunks
        of at most `chunk_size` bytes, in constant memory. Closing the returned generator
        releases the connection.

        The GET is sent here, so a missing object raises ObjectNotFound at the call, not at the
        first iteration.
        """
        body = self._get_body(bucket, key, start, end)

        def chunks() -> Generator[bytes, None, None]:
            try:
                yield from body.iter_chunks(chunk_size)
            finally:
                body.close()

        return chunks()

    def open(self, bucket: str, key: str, buffer_size: int = DEFAULT_CHUNK_SIZE) -> BinaryIO:
        """A readable, buffered binary stream over the object (wrap it in io.TextIOWrapper
        for text); close it, or use it as a context manager, to release the connection."""
        return io.BufferedReader(_BodyReader(self._get_body(bucket, key)), buffer_size)

    def head(self, bucket: str, key: str) -> ObjectInfo:
        with _errors(bucket, key):
            response = self.client.head_object(Bucket=bucket, Key=key)
        return ObjectInfo(
            bucket=bucket,
            key=key,
            size=int(response.get("ContentLength", 0)),
            etag=response.get("ETag", "").strip('"'),
            content_type=response.get("ContentType"),
            metadata=dict(response.get("Metadata", {})),
            last_modified=response.get("LastModified"),
        )

    def exists(self, bucket: str, key: str) -> bool:
        try:
            self.head(bucket, key)
        except ObjectNotFound:
            return False
        return True

    def list(
        self, bucket: str, prefix: str = "", *, page_size: int = 1000, after: str = ""
    ) -> Iterator[ObjectSummary]:
        """Every object under `prefix` (and after key `after`, when given), in key order, via
        ListObjects v1 and Marker pagination."""
        marker = after
        while True:
            params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": page_size}
            if marker:
                params["Marker"] = marker
            with _errors(bucket):
                page = self.client.list_objects(**params)
            contents = page.get("Contents", [])
            for item in contents:
                yield ObjectSummary(
                    key=item["Key"],
                    size=int(item.get("Size", 0)),
                    etag=item.get("ETag", "").strip('"'),
                    last_modified=item.get("LastModified"),
                )
            if not page.get("IsTruncated"):
                return
            if not contents and not page.get("NextMarker"):
                raise ObjectStoreError(f"ListObjects on s3://{bucket} truncated without a marker")
            # v1 returns NextMarker only when a Delimiter is sent; otherwise the last key is it.
            marker = page.get("NextMarker") or contents[-1]["Key"]

    # -- managing -------------------------------------------------------------------------

    def delete(self, bucket: str, key: str) -> None:
        """Delete an object; deleting a missing object is not an error (S3 semantics)."""
        with _errors(bucket, key):
            self.client.delete_object(Bucket=bucket, Key=key)

    def copy(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> None:
        """Server-side copy (single request: objects up to 5 GB), keeping metadata."""
        try:
            with _errors(src_bucket, src_key):
                self.client.copy_object(
                    Bucket=dst_bucket,
                    Key=dst_key,
                    CopySource={"Bucket": src_bucket, "Key": src_key},
                )
        except BucketNotFound as exc:  # S3 does not say which of the two is missing
            both = src_bucket if src_bucket == dst_bucket else f"{src_bucket} or {dst_bucket}"
            raise BucketNotFound(both, code=exc.code) from exc.__cause__

    # builtins.list: inside this class body `list` is the method above
    def ensure_buckets(self, names: Iterable[str]) -> builtins.list[str]:
        """Create the buckets that do not exist yet; returns the names created."""
        created = []
        for name in names:
            if self.bucket_exists(name):
                continue
            self._create_bucket(name)
            created.append(name)
        return created

    def bucket_exists(self, name: str) -> bool:
        """HEAD Bucket: False when missing; a 403 or an unreachable endpoint raises."""
        try:
            with _errors(name):
                self.client.head_bucket(Bucket=name)
        except BucketNotFound:
            return False
        return True

    def _create_bucket(self, name: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.create_bucket(Bucket=name)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code == "BucketAlreadyOwnedByYou":  # created concurrently: fine
                return
            if code != "IllegalLocationConstraintException":
                raise _translate(exc, name, None) from exc
            # AWS-style servers want the region spelled out outside us-east-1; NCP does not.
            with _errors(name):
                try:
                    self.client.create_bucket(
                        Bucket=name,
                        CreateBucketConfiguration={"LocationConstraint": self.settings.region},
                    )
                except ClientError as again:
                    if again.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
                        raise

    # -- presigned URLs -------------------------------------------------------------------

    def presign_get(
        self, bucket: str, key: str, expires_s: int = 900, filename: str | None = None
    ) -> str:
        """A URL that GETs the object without credentials until it expires; with `filename`
        the browser saves it under that name (Content-Disposition: attachment)."""
        params: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if filename:
            params["ResponseContentDisposition"] = _content_disposition(filename)
        with _errors(bucket, key):
            url: str = self.client.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=_check_expiry(expires_s)
            )
        return url

    def presign_put(
        self, bucket: str, key: str, expires_s: int = 900, content_type: str | None = None,
        *, metadata: Mapping[str, str] | None = None, content_length: int | None = None,
    ) -> str:
        """A URL that PUTs the object without credentials until it expires. What is given is
        signed, so the uploader must send exactly it: `content_type`, `metadata` (as
        x-amz-meta-* headers; e.g. the tenant, so nobody uploads as another) and
        `content_length` (the declared size: a bigger body is refused)."""
        params: dict[str, Any] = {"Bucket": bucket, "Key": key, **_extra_args(content_type,
                                                                             metadata)}
        if content_length is not None:
            params["ContentLength"] = int(content_length)
        with _errors(bucket, key):
            url: str = self.client.generate_presigned_url(
                "put_object", Params=params, ExpiresIn=_check_expiry(expires_s)
            )
        return url


def _extra_args(content_type: str | None, metadata: Mapping[str, str] | None) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if content_type:
        extra["ContentType"] = content_type
    if metadata:
        extra["Metadata"] = dict(metadata)
    return extra
