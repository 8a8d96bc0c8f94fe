"""Errors raised by the object store adapter.

They carry no botocore types, so callers can catch them without importing boto3; the
original botocore error stays available as `__cause__`.
"""

from __future__ import annotations


class ObjectStoreError(RuntimeError):
    """An Object Storage request failed; `code` is the S3 error code when there is one."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class ObjectNotFound(ObjectStoreError):
    """The object (or, for HEAD, possibly its bucket: S3 answers a bare 404) does not exist."""

    def __init__(self, bucket: str, key: str, *, code: str | None = None) -> None:
        super().__init__(f"object not found: s3://{bucket}/{key}", code=code)
        self.bucket = bucket
        self.key = key


class BucketNotFound(ObjectStoreError):
    def __init__(self, bucket: str, *, code: str | None = None) -> None:
        super().__init__(f"bucket not found: {bucket}", code=code)
        self.bucket = bucket


class ListObjectsV2NotSupported(ObjectStoreError):
    """NCP Object Storage rejects ListObjectsV2; the adapter refuses it before it is sent."""

    def __init__(self) -> None:
        super().__init__(
            "ListObjectsV2 is not supported by NCP Object Storage: use ObjectStore.list() "
            "(ListObjects v1 with Marker pagination) or client.list_objects / the "
            "'list_objects' paginator",
            code="ListObjectsV2NotSupported",
        )
