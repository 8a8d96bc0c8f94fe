"""The ports: what the services use of each adapter, as structural types.

A service's signature names the port it needs (`db: Database`, `store: ObjectStore`, ...), so
mypy checks that whatever `bootstrap.py` builds, or a test hands in, has those methods with
those shapes; nothing has to inherit from these classes. Each protocol names only the methods
(and their parameters) that shipped code calls, so a fake in a test stays small.

| Port          | Satisfied by                                                                  |
| ------------- | ----------------------------------------------------------------------------- |
| `Database`    | `shared.adapters.db.Database` (the pool and its tenant/system scopes)         |
| `ObjectStore` | `shared.adapters.objectstore.ObjectStore` (S3 API, NCP Object Storage)        |
| `Queue`       | `shared.adapters.queue.Queue`'s adapters: `PostgresQueue`, `SqsQueue`         |
| `Invoker`     | the adapter's own protocol: `NcpInvoker`, `LocalHostInvoker`, `NullInvoker`   |
| `Webhook`     | `shared.adapters.webhook.Webhook`                                             |
| `TrTransport` | the adapter's own protocol: `HttpsTrTransport`, `GuardedTransport` (breaker)  |
| `ProductIdentifiers` | `shared.adapters.dsb.http.HttpDsb` (the ANNA DSB's UPI service)        |

`Invoker` and `TrTransport` are the adapters' protocols, re-exported, not copies. The queue
adapter's `Queue` is an abstract base class with the consumer's side too (receive, ack,
retry, release: the batch consumer loop in the adapters runs those); the `Queue` here is the
producer's and operator's side the services call.
"""

from __future__ import annotations

import uuid
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Protocol

from shared.adapters.invoker import Invoker
from shared.adapters.tr.base import TrTransport

if TYPE_CHECKING:  # psycopg and boto3 load when an adapter first needs them, not here
    import psycopg

    from shared.adapters.objectstore import ObjectInfo, ObjectSummary
    from shared.adapters.queue import DeadLetter, OutgoingMessage, QueueMetrics
    from shared.domain.upi import ProductAttributes, UpiRecord, UserType

__all__ = ["Database", "Invoker", "ObjectStore", "ProductIdentifiers", "Queue", "TrTransport",
           "Webhook"]


class Database(Protocol):
    """Transactions that declare whose rows they see (row-level security); each yields the
    connection the repositories in `shared.adapters.db` take, and commits on a clean exit."""

    def tenant(self, tenant_id: uuid.UUID | str
               ) -> AbstractContextManager[psycopg.Connection[Any]]:
        """A transaction that sees and writes only `tenant_id`'s rows."""
        ...

    def system(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        """A transaction across all tenants, for platform work (queues, monitor, sign-in)."""
        ...

    def client(self, tenant_id: uuid.UUID | str, client_lei: str
               ) -> AbstractContextManager[psycopg.Connection[Any]]:
        """A tenant transaction that sees only one client's report items (a client_viewer's)."""
        ...

    def ping(self) -> dict[str, Any]:
        """Server facts for the health check (`version`, `rls_enforced`); raises if down."""
        ...


class ObjectStore(Protocol):
    """Objects by bucket and key. Reads raise `ObjectNotFound` for a missing object
    (`shared.adapters.objectstore.exceptions`); presigning is for the API routes."""

    def head(self, bucket: str, key: str) -> ObjectInfo: ...

    def exists(self, bucket: str, key: str) -> bool: ...

    def get_bytes(self, bucket: str, key: str) -> bytes:
        """The whole object in memory: small objects only."""
        ...

    def iter_chunks(self, bucket: str, key: str, chunk_size: int, *,
                    start: int = 0, end: int | None = None) -> Generator[bytes, None, None]:
        """The object (or bytes `start` to `end`, exclusive) in chunks, in constant memory."""
        ...

    def open(self, bucket: str, key: str) -> BinaryIO:
        """A buffered binary stream over the object; close it to release the connection."""
        ...

    def put_bytes(self, bucket: str, key: str, data: bytes, *,
                  content_type: str | None = None,
                  metadata: Mapping[str, str] | None = None) -> str:
        """One PUT; returns the ETag."""
        ...

    def upload_fileobj(self, fileobj: IO[bytes], bucket: str, key: str, *,
                       content_type: str | None = None,
                       metadata: Mapping[str, str] | None = None) -> None:
        """A binary stream, multipart above the adapter's threshold."""
        ...

    def bucket_exists(self, name: str) -> bool: ...

    def presign_get(self, bucket: str, key: str, expires_s: int = 900,
                    filename: str | None = None) -> str: ...

    def presign_put(self, bucket: str, key: str, expires_s: int = 900,
                    content_type: str | None = None, *,
                    metadata: Mapping[str, str] | None = None,
                    content_length: int | None = None) -> str: ...

    # last: inside this class body, after it, `list` would name this method
    def list(self, bucket: str, prefix: str = "", *,
             after: str = "") -> Iterator[ObjectSummary]:
        """Every object under `prefix` (after key `after`), in key order (ListObjects v1)."""
        ...


class Queue(Protocol):
    """Sending, watching and redriving (the queue adapters' base.py says the semantics).
    `conn`: the caller's transaction, so the messages (or the redrive) commit with its
    writes (PostgreSQL; a backend outside the database acts at once)."""

    def send(self, queue: str, messages: Sequence[OutgoingMessage], *,
             conn: psycopg.Connection[Any] | None = None) -> list[str]: ...

    def queues(self) -> list[str]: ...

    def metrics(self, queue: str) -> QueueMetrics: ...

    def dead_letters(self, queue: str, limit: int = 100) -> list[DeadLetter]: ...

    def redrive(self, queue: str, ids: Sequence[str] | None = None, *,
                conn: psycopg.Connection[Any] | None = None) -> int: ...


class Webhook(Protocol):
    """A chat webhook: `post` raises when the message did not go out."""

    @property
    def timeout_s(self) -> float:
        """How long one post may take (the monitor keeps that much of its budget for it)."""
        ...

    def post(self, message: dict[str, Any]) -> None: ...


class ProductIdentifiers(Protocol):
    """The ANNA DSB's UPI service (docs/UPI.md). Raises the adapter's `DsbRefused` (the DSB
    said no: creation not allowed, cap reached), `DsbUnreachable` or `DsbUnauthorized`."""

    @property
    def user_type(self) -> UserType:
        """Our account's user type: what it may search, whether it may create."""
        ...

    def search(self, attributes: ProductAttributes) -> list[UpiRecord]:
        """The UPIs matching `attributes`, at most the user type's records per search."""
        ...

    def create(self, attributes: ProductAttributes) -> UpiRecord: ...

    def lookup(self, code: str) -> UpiRecord | None: ...
