"""Object Storage (S3 API) adapter shaped by NCP: ListObjects v1 only, presigned URLs,
multipart uploads, streaming reads.

Names are resolved lazily so that `import shared.adapters.objectstore` stays cheap; boto3
itself is imported only when the first client is created.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from shared.adapters.objectstore.exceptions import (
    BucketNotFound,
    ListObjectsV2NotSupported,
    ObjectNotFound,
    ObjectStoreError,
)

if TYPE_CHECKING:
    from shared.adapters.objectstore.s3 import (
        ObjectInfo,
        ObjectStore,
        ObjectStoreSettings,
        ObjectSummary,
        get_client,
    )

_LAZY = {
    "ObjectInfo": "s3",
    "ObjectStore": "s3",
    "ObjectStoreSettings": "s3",
    "ObjectSummary": "s3",
    "get_client": "s3",
}

__all__ = [
    "BucketNotFound",
    "ListObjectsV2NotSupported",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectStore",
    "ObjectStoreError",
    "ObjectStoreSettings",
    "ObjectSummary",
    "get_client",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
