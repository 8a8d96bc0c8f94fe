"""Fixtures for the object store adapter: a store on the session's moto server, and a second
front door to the same moto backend that enforces presigned-URL expiry as S3/NCP do."""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.adapters.objectstore import ObjectStore
from swaprep.local.postgres import free_port

BUCKET = "swaprep-test"

_EXPIRED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    b"<Message>Request has expired</Message></Error>"
)


class PresignedExpiry:
    """WSGI middleware: refuse a SigV4 presigned URL once X-Amz-Date + X-Amz-Expires has
    passed. moto accepts expired URLs; S3 and NCP Object Storage answer 403 AccessDenied."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        signed = query.get("X-Amz-Date", [""])[0]
        expires = query.get("X-Amz-Expires", [""])[0]
        if signed and expires:
            signed_at = datetime.strptime(signed, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            if datetime.now(UTC) > signed_at + timedelta(seconds=int(expires)):
                start_response(
                    "403 Forbidden",
                    [("Content-Type", "application/xml"), ("Content-Length", str(len(_EXPIRED)))],
                )
                return [_EXPIRED]
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def s3_expiring_endpoint(s3_endpoint: str) -> Iterator[str]:
    """Same in-process moto backends as `s3_endpoint` (so the same buckets), behind
    PresignedExpiry."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    app = PresignedExpiry(DomainDispatcherApplication(create_backend_app))
    server = make_server(
        "127.0.0.1", free_port(), app, threaded=True, request_handler=MotoRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture
def store(s3_clean: str) -> ObjectStore:
    store = ObjectStore(endpoint_url=s3_clean, region="kr-standard")
    store.ensure_buckets([BUCKET])
    return store
