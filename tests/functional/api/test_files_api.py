"""Presigned uploads and downloads and export bundles through the real api action, on real
PostgreSQL and the S3 API (moto), fronted by a SigV4 check as S3 and NCP do it (moto itself
accepts any signature)."""
# ruff: noqa: F811  (fixtures shared with test_operations_api are parameters of the same name)

from __future__ import annotations

import hashlib
import hmac
import io
import threading
import urllib.parse
import zipfile

import pytest
import requests

from shared.services.pipeline.ingest_ledger import tenant_slug_for
from swaprep.local.postgres import free_port
from tests.functional.api.test_operations_api import (  # noqa: F401  (fixtures)
    api,
    audit_rows,
    beta,
    invalid,
    people,
    wakeups,
)
from tests.functional.services import pipeline_support
from tests.functional.services.pipeline_support import BUCKET, csv_file, csv_row

pytestmark = pytest.mark.functional

pipeline, store, tenant = pipeline_support.pipeline, pipeline_support.store, pipeline_support.tenant
OUTBOUND = "swaprep-outbound"
_DENIED = b"<Error><Code>SignatureDoesNotMatch</Code></Error>"


def _signature(environ: dict, secret: str) -> tuple[str, str]:
    """(the signature sent, the one the request deserves) of a SigV4 presigned request."""
    query = urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    params = dict(query)
    signed = params["X-Amz-SignedHeaders"].split(";")
    headers = {"host": environ.get("HTTP_HOST", ""),
               "content-type": environ.get("CONTENT_TYPE", ""),
               "content-length": environ.get("CONTENT_LENGTH", "")}
    for name, value in environ.items():
        if name.startswith("HTTP_"):
            headers[name[5:].lower().replace("_", "-")] = value
    canonical_query = "&".join(sorted(
        f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}"
        for k, v in query if k != "X-Amz-Signature"))
    path = urllib.parse.quote(environ.get("RAW_URI", environ["PATH_INFO"]).split("?")[0],
                              safe="/-_.~%")
    request = "\n".join([environ["REQUEST_METHOD"], path, canonical_query,
                         "".join(f"{h}:{headers.get(h, '').strip()}\n" for h in signed),
                         ";".join(signed), "UNSIGNED-PAYLOAD"])
    scope = params["X-Amz-Credential"].split("/", 1)[1]
    to_sign = "\n".join(["AWS4-HMAC-SHA256", params["X-Amz-Date"], scope,
                         hashlib.sha256(request.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return params["X-Amz-Signature"], hmac.new(key, to_sign.encode(), "sha256").hexdigest()


class SignatureCheck:
    """WSGI middleware refusing a presigned request whose signature does not match it."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        if "X-Amz-Signature=" in environ.get("QUERY_STRING", ""):
            sent, due = _signature(environ, "testing")
            if not hmac.compare_digest(sent, due):
                start_response("403 Forbidden", [("Content-Length", str(len(_DENIED)))])
                return [_DENIED]
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def signed_s3(s3_endpoint):
    """The session's moto backends behind SignatureCheck."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    app = SignatureCheck(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", free_port(), app, threaded=True,
                         request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_presigned_upload_lands_under_the_tenant_and_is_ingested_as_it(
        api, db, store, tenant, people, signed_s3, pipeline):
    content = csv_file(csv_row(1), csv_row(2))
    status, upload, headers = api("POST", "/api/uploads", {
        "file_name": "../../beta-securities/거래 내역.csv", "size": len(content)},
        token=people["otto"], s3_endpoint_url=signed_s3)
    assert status == 201, upload
    assert headers["Cache-Control"] == "no-store"
    assert upload["key"].startswith("alpha-bank/") and upload["key"].endswith("/거래_내역.csv")
    assert upload["headers"]["x-amz-meta-tenant"] == "alpha-bank"

    # another key, another tenant's metadata, another size: the signature does not cover them
    other = upload["url"].replace("alpha-bank/", "beta-securities/", 1)
    assert requests.put(other, data=content, headers=upload["headers"]).status_code == 403
    forged = {**upload["headers"], "x-amz-meta-tenant": "beta-securities"}
    assert requests.put(upload["url"], data=content, headers=forged).status_code == 403
    assert requests.put(upload["url"], data=content + b"x",
                        headers=upload["headers"]).status_code == 403
    assert not store.exists(BUCKET, upload["key"])

    put = requests.put(upload["url"], data=content, headers=upload["headers"])
    assert put.status_code == 200, put.text
    info = store.head(BUCKET, upload["key"])
    assert info.metadata["tenant"] == "alpha-bank" and info.content_type == "text/csv"
    assert info.metadata["source"] == "console:otto"
    assert tenant_slug_for(upload["key"], info.metadata) == "alpha-bank"
    [row] = audit_rows(db, "upload.url_issued")
    assert row["actor"] == "otto" and row["entity_id"] == f"{BUCKET}/{upload['key']}"

    status, problem, _ = api("POST", "/api/uploads", {"file_name": "거래 내역.csv", "size": 9},
                             token=people["otto"])
    assert status == 409 and "already uploaded today" in problem["detail"]


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"file_name": "trades.exe", "size": 10}, 422, "file_name"),
    ({"file_name": "../..", "size": 10}, 422, "file_name"),
    ({"file_name": "a.csv", "size": 0}, 422, "size"),
    ({"file_name": "a.csv", "size": 2 * 1024 ** 3}, 413, None),
    ({"file_name": "a.csv", "size": 10, "profile": "nope"}, 422, "profile"),
])
def test_uploads_are_checked(api, store, tenant, people, body, status, field):
    got, problem, _ = api("POST", "/api/uploads", body, token=people["otto"])
    assert got == status, problem
    if field:
        assert field in [e["field"] for e in problem["errors"]]
    assert api("POST", "/api/uploads", body, token=people["victor"])[0] == 403


def _report(db, store, tenant_id, key: str, content: bytes) -> str:
    store.ensure_buckets([OUTBOUND])
    store.put_bytes(OUTBOUND, key, content)
    with db.tenant(tenant_id) as conn:
        return str(conn.execute(
            "INSERT INTO report_files (tenant_id, regime, tr, bucket, object_key, record_count,"
            " status) VALUES (%s, 'krx', 'krx-tr', %s, %s, 1, 'acked') RETURNING id",
            (tenant_id, OUTBOUND, key)).fetchone()["id"])


def test_a_report_file_downloads_through_its_presigned_url_for_its_tenant_only(
        api, db, store, tenant, beta, people):
    report_id = _report(db, store, tenant, "alpha-bank/krx/R1.csv", b"record,1\n")
    status, link, _ = api("GET", f"/api/reports/{report_id}/download", token=people["victor"])
    assert status == 200, link
    got = requests.get(link["url"])
    assert got.status_code == 200 and got.content == b"record,1\n"
    assert "R1.csv" in got.headers["Content-Disposition"]
    status, problem, _ = api("GET", f"/api/reports/{report_id}/download", token=people["bob"])
    assert status == 404 and "no report file" in problem["detail"]
    assert api("GET", "/api/reports/x'--/download", token=people["otto"])[0] == 404


def test_an_export_zip_holds_only_the_callers_rows(api, db, store, tenant, beta, people,
                                                   invalid, pipeline):
    _report(db, store, tenant, "alpha-bank/krx/R1.csv", b"alpha report\n")
    _report(db, store, beta, "beta-securities/krx/B1.csv", b"beta report\n")
    with db.system() as conn:  # beta has a trade of its own, which must not leak
        conn.execute("INSERT INTO trades (tenant_id, uti, state) VALUES (%s, 'BETA-UTI', 'acked')",
                     (beta,))
    for kind, filters, name in [("trades", {"state": "invalid"}, "trades.csv"),
                                ("errors", {"severity": "reject"}, "errors.csv"),
                                ("reports", {}, "reports.csv")]:
        status, done, _ = api("POST", "/api/exports", {"kind": kind, "filters": filters},
                              token=people["otto"])
        assert status == 201, done
        assert done["key"] == f"alpha-bank/exports/{done['id']}.zip"
        archive = zipfile.ZipFile(io.BytesIO(requests.get(done["url"]).content))
        text = archive.read(name).decode("utf-8-sig")
        assert "beta" not in text.lower() and "BETA-UTI" not in text
        assert len(text.strip().splitlines()) == done["rows"] + 1
        if kind == "trades":
            assert done["rows"] == 3 and all(invalid_row["uti"] in text
                                             for invalid_row in invalid)
        if kind == "reports":
            assert archive.namelist()[-1] == "reports/R1.csv"
            assert archive.read("reports/R1.csv") == b"alpha report\n"
    assert [r["actor"] for r in audit_rows(db, "export.created")] == ["otto"] * 3

    status, problem, _ = api("POST", "/api/exports", {"kind": "trades"}, token=people["otto"],
                             export_max_rows=2)
    assert status == 413 and "more than 2 trades rows" in problem["detail"]
    status, problem, _ = api("POST", "/api/exports",
                             {"kind": "trades", "filters": {"state": "lost", "limit": 5}},
                             token=people["otto"])
    assert status == 422
    assert {e["field"] for e in problem["errors"]} == {"filters.limit", "filters.state.0"}
    assert api("POST", "/api/exports", {"kind": "trades"}, token=people["victor"])[0] == 403
