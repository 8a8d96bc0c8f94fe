"""`swaprep console-publish` against a real S3 API (moto server): the stored headers, the
upload order, and --prune replacing one release with the next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from click.testing import CliRunner

from shared.adapters.objectstore import ObjectStore
from swaprep.cli import main

pytestmark = pytest.mark.functional

BUCKET = "swaprep-frontend"


def make_build(root: Path, js: str, css: str, release: str) -> Path:
    """A Vite-shaped build: index.html naming its hashed assets, plus an unhashed favicon."""
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(
        f'<!doctype html><title>{release}</title>'
        f'<script type="module" src="./assets/{js}"></script>'
        f'<link rel="stylesheet" href="./assets/{css}">',
        encoding="utf-8",
    )
    (root / "assets" / js).write_text(f"console.log('{release} 콘솔');\n", encoding="utf-8")
    (root / "assets" / css).write_text(f"/* {release} */ body{{margin:0}}\n")
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    return root


@pytest.fixture
def store(s3_clean: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ObjectStore:
    monkeypatch.setenv("SWAPREP_HOME", str(tmp_path / "no-stack"))  # never a running stack
    store = ObjectStore(endpoint_url=s3_clean, region="kr-standard")
    store.ensure_buckets([BUCKET])
    return store


@pytest.fixture
def s3_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(operation, key) of every S3 request sent, in order, from any client."""
    calls: list[tuple[str, str]] = []
    original = BaseClient._make_api_call

    def recording(self: Any, operation: str, params: dict[str, Any]) -> Any:
        calls.append((operation, params.get("Key", "")))
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    return calls


def publish(store: ObjectStore, dist: Path, *args: str):
    return CliRunner().invoke(main, [
        "console-publish", "--dist", str(dist), "--endpoint-url", store.settings.endpoint_url,
        *args,
    ])


def head(store: ObjectStore, key: str) -> dict[str, Any]:
    return store.client.head_object(Bucket=BUCKET, Key=key)


def keys(store: ObjectStore, prefix: str = "") -> list[str]:
    return [o.key for o in store.list(BUCKET, prefix)]


def test_publish_stores_headers_then_prune_replaces_the_release(
    store: ObjectStore, tmp_path: Path, s3_calls: list[tuple[str, str]]
) -> None:
    first = make_build(tmp_path / "v1", "index-abc123.js", "index-def456.css", "v1")
    result = publish(store, first)
    assert result.exit_code == 0, result.output
    assert "uploaded 4 object(s)" in result.output

    expected = {
        "assets/index-abc123.js": ("application/javascript; charset=utf-8",
                                   "public, max-age=31536000, immutable"),
        "assets/index-def456.css": ("text/css; charset=utf-8",
                                    "public, max-age=31536000, immutable"),
        "favicon.svg": ("image/svg+xml", "no-cache"),
        "index.html": ("text/html; charset=utf-8", "no-cache"),
    }
    for key, (content_type, cache_control) in expected.items():
        stored = head(store, key)
        assert (stored["ContentType"], stored["CacheControl"]) == (content_type, cache_control)
        assert stored["ContentLength"] == (first / key).stat().st_size
    puts = [key for op, key in s3_calls if op == "PutObject"]
    assert puts[-1] == "index.html"
    assert set(puts[:2]) == {"assets/index-abc123.js", "assets/index-def456.css"}

    s3_calls.clear()
    second = make_build(tmp_path / "v2", "index-0a1b2c3d.js", "index-9f8e7d6c.css", "v2")
    result = publish(store, second, "--prune")
    assert result.exit_code == 0, result.output
    assert "pruned 2 object(s)" in result.output

    assert keys(store) == ["assets/index-0a1b2c3d.js", "assets/index-9f8e7d6c.css",
                           "favicon.svg", "index.html"]
    assert store.get_bytes(BUCKET, "index.html") == (second / "index.html").read_bytes()
    assert b"<title>v2</title>" in store.get_bytes(BUCKET, "index.html")
    # Deletes come only after every new object, index.html included, is up; and v1 listing.
    operations = [op for op, _ in s3_calls]
    last_put = max(i for i, op in enumerate(operations) if op == "PutObject")
    first_delete = operations.index("DeleteObject")
    assert s3_calls[last_put] == ("PutObject", "index.html")
    assert last_put < operations.index("ListObjects") < first_delete
    assert sorted(key for op, key in s3_calls if op == "DeleteObject") == [
        "assets/index-abc123.js", "assets/index-def456.css"]


def test_prune_stays_under_the_prefix(store: ObjectStore, tmp_path: Path) -> None:
    store.put_bytes(BUCKET, "console-old/index.html", b"other release")
    store.put_bytes(BUCKET, "console/assets/index-old000.js", b"old")
    build = make_build(tmp_path / "v1", "index-abc123.js", "index-def456.css", "v1")
    result = publish(store, build, "--prefix", "console", "--prune")
    assert result.exit_code == 0, result.output
    assert keys(store) == [
        "console-old/index.html",
        "console/assets/index-abc123.js",
        "console/assets/index-def456.css",
        "console/favicon.svg",
        "console/index.html",
    ]


def test_dry_run_with_prune_lists_but_changes_nothing(store: ObjectStore, tmp_path: Path) -> None:
    old = make_build(tmp_path / "v1", "index-abc123.js", "index-def456.css", "v1")
    assert publish(store, old).exit_code == 0
    new = make_build(tmp_path / "v2", "index-0a1b2c3d.js", "index-9f8e7d6c.css", "v2")
    result = publish(store, new, "--dry-run", "--prune")
    assert result.exit_code == 0, result.output
    assert ("--prune would then delete 2 object(s)\n  assets/index-abc123.js\n"
            "  assets/index-def456.css\ndry run: nothing uploaded") in result.output
    assert b"<title>v1</title>" in store.get_bytes(BUCKET, "index.html")
    assert "assets/index-0a1b2c3d.js" not in keys(store)


def test_failed_upload_leaves_the_live_index_html_and_old_assets(
    store: ObjectStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = make_build(tmp_path / "v1", "index-abc123.js", "index-def456.css", "v1")
    assert publish(store, old).exit_code == 0
    original = BaseClient._make_api_call

    def failing_css(self: Any, operation: str, params: dict[str, Any]) -> Any:
        if operation == "PutObject" and params["Key"].endswith(".css"):
            raise ClientError({"Error": {"Code": "SlowDown", "Message": "try later"}}, operation)
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", failing_css)
    new = make_build(tmp_path / "v2", "index-0a1b2c3d.js", "index-9f8e7d6c.css", "v2")
    result = publish(store, new, "--prune")
    assert result.exit_code == 1
    assert "upload of assets/index-9f8e7d6c.css failed" in result.output
    assert "the live index.html is unchanged" in result.output
    monkeypatch.setattr(BaseClient, "_make_api_call", original)
    assert b"<title>v1</title>" in store.get_bytes(BUCKET, "index.html")
    assert {"assets/index-abc123.js", "assets/index-def456.css"} <= set(keys(store))


def test_missing_bucket_is_named(s3_clean: str, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWAPREP_HOME", str(tmp_path / "no-stack"))
    build = make_build(tmp_path / "v1", "index-abc123.js", "index-def456.css", "v1")
    result = CliRunner().invoke(main, [
        "console-publish", "--dist", str(build), "--endpoint-url", s3_clean,
        "--bucket", "no-such-console",
    ])
    assert result.exit_code == 1
    assert f"no bucket 'no-such-console' at {s3_clean}" in result.output
