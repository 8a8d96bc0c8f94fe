"""Files in and out through presigned URLs (docs/API.md#files): the console's upload into the
inbound bucket, a report file's download, and export bundles.

The API never carries file bytes (NCP caps action parameters at 1 MB): it signs a URL for
exactly one key. An upload's key and metadata are chosen here from the caller's tenant and
signed with the declared size and content type, so the URL cannot write anywhere else, as
anyone else, or more bytes than declared.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from shared.api.bodies import parse_body
from shared.api.routes.operations import caller, operation_error
from shared.platform import clock
from shared.platform.action import ActionContext
from shared.platform.web import HttpError, Router, WebRequest, response
from shared.services import bootstrap

router = Router()
DEFAULT_URL_TTL_S = 900
DEFAULT_UPLOAD_MAX_BYTES = 1024 ** 3  # the largest file the pipeline is tested with (1 GB)
MAX_NAME = 150
NO_STORE = {"Cache-Control": "no-store"}  # a signed URL is a credential
CONTENT_TYPES = {"csv": "text/csv", "jsonl": "application/x-ndjson", "fpml": "application/xml"}


def sanitise_name(name: str) -> str:
    """A file name safe as the last key segment: no directories (`/`, `\\`, `..`), no control
    or odd characters (Hangul and other letters stay), at most MAX_NAME characters with the
    extension kept. Raises ValueError when nothing usable is left."""
    base = unicodedata.normalize("NFC", re.split(r"[/\\]", name.strip())[-1])
    safe = re.sub(r"[^\w.\-]+", "_", base).strip("._")
    safe = re.sub(r"\.{2,}", ".", safe)
    stem, dot, ext = safe.rpartition(".")
    if not dot:
        stem, ext = safe, ""
    if not stem:
        raise ValueError("the file name has no usable characters")
    ext = ext[:10]
    return (stem[:MAX_NAME - len(ext) - 1] + "." + ext) if ext else stem[:MAX_NAME]


def upload_key(tenant_slug: str, file_name: str, today: datetime) -> str:
    """`<tenant>/<yyyy-mm-dd>/<name>`: ingest takes the tenant from the first segment."""
    return f"{tenant_slug}/{today:%Y-%m-%d}/{file_name}"


@functools.cache
def models() -> SimpleNamespace:
    from typing import Annotated, Literal

    from pydantic import BaseModel, ConfigDict, Field, StringConstraints

    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid")

    class Upload(Strict):
        file_name: Annotated[str, StringConstraints(min_length=1, max_length=300)]
        size: int = Field(ge=1)  # signed: S3 refuses a body of another length
        content_type: Annotated[str, StringConstraints(
            pattern=r"^[a-z]+/[a-z0-9.+-]+(;\s*charset=[A-Za-z0-9_-]+)?$",
            max_length=100)] | None = None
        profile: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")] \
            | None = None

    class ExportRequest(Strict):
        kind: Literal["trades", "errors", "reports"]
        filters: dict[str, Any] = Field(default_factory=dict, max_length=30)

    return SimpleNamespace(Upload=Upload, ExportRequest=ExportRequest)


def _ttl(ctx: ActionContext, name: str) -> int:
    from shared.adapters.objectstore.s3 import MAX_PRESIGN_SECONDS

    return max(1, min(ctx.config.integer(name, DEFAULT_URL_TTL_S), MAX_PRESIGN_SECONDS))


# -- uploads ------------------------------------------------------------------------------------

@router.route("POST", "/api/uploads")
def post_upload(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.formats.readers import FORMAT_BY_EXTENSION as FORMATS
    from shared.services.operations.base import audit

    who = caller(request, ctx, "upload", "uploading files")
    body = parse_body(request, models().Upload)
    errors = []
    try:
        name = sanitise_name(body.file_name)
    except ValueError as exc:
        name, errors = "", [{"field": "file_name", "message": str(exc)}]
    ext = "." + name.rpartition(".")[2].lower() if "." in name else ""
    if name and ext not in FORMATS:
        errors.append({"field": "file_name", "message": f"the extension must be one of "
                       f"{', '.join(sorted(FORMATS))} (the file format comes from it)"})
    max_bytes = ctx.config.integer("upload_max_bytes", DEFAULT_UPLOAD_MAX_BYTES)
    if body.size > max_bytes:
        raise HttpError(413, "File too large", f"size: {body.size} bytes is over the "
                        f"{max_bytes} bytes an upload may have")
    if body.profile and body.profile not in _profiles():
        errors.append({"field": "profile", "message": f"unknown FEP profile {body.profile!r}"
                       f" (known: {', '.join(sorted(_profiles()))})"})
    if errors:
        raise HttpError(422, "Invalid request body", "; ".join(
            f"{e['field']}: {e['message']}" for e in errors), extra={"errors": errors})
    slug = who.tenant_slug
    now = clock.now()
    bucket, key = ctx.config.bucket("inbound"), upload_key(slug, name, now)
    store = bootstrap.object_store(ctx.config)
    if store.exists(bucket, key):  # keep what was uploaded: the ledger points at it
        raise HttpError(409, "Conflict", f"a file named {name} was already uploaded today "
                        f"({key}); upload it under another name")
    content_type = body.content_type or CONTENT_TYPES[FORMATS[ext]]
    metadata = {"tenant": slug, "source": f"console:{who.actor.name}"[:200]}
    if body.profile:
        metadata["profile"] = body.profile
    ttl = _ttl(ctx, "upload_url_ttl_s")
    url = store.presign_put(bucket, key, ttl, content_type, metadata=metadata,
                            content_length=body.size)
    expires_at = now + timedelta(seconds=ttl)
    with bootstrap.database(ctx.config).tenant(who.tenant_id) as conn:
        audit(conn, who.actor, tenant_id=who.tenant_id, action="upload.url_issued",
              entity_type="object", entity_id=f"{bucket}/{key}", before=None,
              after={"file_name": body.file_name, "size": body.size,
                     "content_type": content_type, "expires_at": expires_at})
    # The browser sets Content-Length from the body itself; the others must be sent as is.
    headers = {"Content-Type": content_type,
               **{f"x-amz-meta-{k}": v for k, v in metadata.items()}}
    return response(201, {"method": "PUT", "url": url, "headers": headers, "bucket": bucket,
                          "key": key, "size": body.size, "expires_in": ttl,
                          "expires_at": expires_at.isoformat()},
                    headers=NO_STORE, request_id=request.request_id)


@functools.cache
def _profiles() -> frozenset[str]:
    from shared.formats.profiles import available_profiles

    return frozenset(available_profiles())


# -- report downloads ---------------------------------------------------------------------------

@router.route("GET", "/api/reports/{report_id}/download")
def get_report_download(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.adapters.db import api_reads
    from shared.domain.identifiers import uuid_or_none
    from shared.services.operations.base import audit

    who = caller(request, ctx, None)
    report_id = request.path_params["report_id"]
    report_uuid = uuid_or_none(report_id)
    with bootstrap.database(ctx.config).tenant(who.tenant_id) as conn:
        row = api_reads.find_report_file(conn, report_uuid) if report_uuid else None
        if row is None:  # another tenant's id too (RLS): not found, never forbidden
            raise HttpError(404, "Not found", f"no report file {report_id[:64]} in this tenant")
        if not row["object_key"]:
            raise HttpError(409, "Conflict", f"report file {report_id} is {row['status']}: "
                            "its file is not written yet")
        bucket = row["bucket"] or ctx.config.bucket("outbound")
        audit(conn, who.actor, tenant_id=who.tenant_id, action="report_file.download_url",
              entity_type="report_file", entity_id=row["id"], before=None,
              after={"bucket": bucket, "key": row["object_key"]})
    ttl = _ttl(ctx, "download_url_ttl_s")
    name = row["object_key"].rpartition("/")[2]
    url = bootstrap.object_store(ctx.config).presign_get(bucket, row["object_key"], expires_s=ttl,
                                                      filename=name)
    return response(200, {"url": url, "file_name": name, "regime": row["regime"],
                          "expires_in": ttl, "expires_at": (
                              clock.now() + timedelta(seconds=ttl)).isoformat()},
                    headers=NO_STORE, request_id=request.request_id)


# -- exports ------------------------------------------------------------------------------------

@router.route("POST", "/api/exports")
def post_export(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.operations import OperationError
    from shared.services.reads import exports

    who = caller(request, ctx, "export", "exporting data")
    body = parse_body(request, models().ExportRequest)
    config = ctx.config
    limits = exports.Limits(
        max_rows=config.integer("export_max_rows", exports.DEFAULT_MAX_ROWS),
        max_bytes=config.integer("export_max_bytes", exports.DEFAULT_MAX_BYTES))
    store = bootstrap.object_store(config)
    try:
        done = exports.export(bootstrap.database(config), store, who.actor,
                              tenant_id=who.tenant_id,
                              tenant_slug=who.tenant_slug,
                              kind=body.kind, filters=body.filters,
                              bucket=config.bucket("outbound"), limits=limits)
    except OperationError as exc:
        error = operation_error(exc)
        if exc.status == 413:
            error.title = "Export too large"
        raise error from None
    ttl = _ttl(ctx, "export_url_ttl_s")
    url = store.presign_get(done.bucket, done.key, expires_s=ttl,
                            filename=f"{done.kind}-{done.created_at:%Y%m%d-%H%M%S}.zip")
    return response(201, {**done.as_dict(), "url": url, "expires_in": ttl, "expires_at": (
        done.created_at + timedelta(seconds=ttl)).isoformat()},
        headers=NO_STORE, request_id=request.request_id)
