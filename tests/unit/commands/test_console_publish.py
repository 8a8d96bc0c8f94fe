"""`swaprep console-publish`: the build scan and the --dry-run plan (no S3 API involved)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from swaprep.cli import main
from swaprep.commands.console_publish import scan_dist
from swaprep.console_release import DistFile

INDEX_HTML = (
    '<!doctype html><script type="module" src="./assets/index-abc123.js"></script>'
    '<link rel="stylesheet" href="./assets/index-def456.css">'
)


def make_dist(root: Path) -> Path:
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX_HTML, encoding="utf-8")
    (root / "assets" / "index-abc123.js").write_text("console.log('콘솔');\n", encoding="utf-8")
    (root / "assets" / "index-def456.css").write_text("body{margin:0}\n", encoding="utf-8")
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    return root


@pytest.fixture(autouse=True)
def no_local_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWAPREP_HOME", str(tmp_path / "no-stack"))
    monkeypatch.delenv("BUCKET_FRONTEND", raising=False)


def _run(*args: str):
    return CliRunner().invoke(main, ["console-publish", *args])


def test_scan_lists_files_with_sizes_and_flags_symlinks(tmp_path: Path) -> None:
    dist = make_dist(tmp_path / "dist")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not for the CDN")
    (dist / "assets" / "linked.js").symlink_to(outside / "secret.txt")
    (dist / "shared").symlink_to(outside, target_is_directory=True)
    found = {f.path: f for f in scan_dist(dist)}
    assert found["index.html"] == DistFile("index.html", len(INDEX_HTML.encode()))
    assert found["assets/index-abc123.js"].size == len("console.log('콘솔');\n".encode())
    assert found["assets/linked.js"].symlink
    assert found["shared"].symlink  # listed, never entered
    assert not any(p.startswith("shared/") for p in found)
    assert "assets" not in found  # directories are walked, not published


def test_dry_run_prints_the_plan_in_upload_order(tmp_path: Path) -> None:
    dist = make_dist(tmp_path / "dist")
    result = _run("--dist", str(dist), "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Plan: {dist} -> s3://swaprep-frontend/ at (no S3 API resolved)"
    assert lines[1].split() == ["#", "key", "bytes", "cache", "content-type"]
    rows = [line.split(None, 4) for line in lines[2:6]]
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
        ("1", "assets/index-abc123.js", "immutable", "application/javascript; charset=utf-8"),
        ("2", "assets/index-def456.css", "immutable", "text/css; charset=utf-8"),
        ("3", "favicon.svg", "no-cache", "image/svg+xml"),
        ("4", "index.html", "no-cache", "text/html; charset=utf-8"),
    ]
    total = sum(f.stat().st_size for f in dist.rglob("*") if f.is_file())
    assert lines[6].startswith(f"4 file(s), {total:,} bytes: 2 hashed asset(s) cached for a year")
    assert lines[6].endswith("index.html goes up last")
    assert lines[-1] == "dry run: nothing uploaded"


def test_dry_run_uses_the_local_stack_bucket_and_endpoint(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "stack"
    home.mkdir()
    (home / "endpoints.json").write_text(json.dumps({
        "s3": "http://127.0.0.1:8782",
        "buckets": {"frontend": "dev-frontend"},
        "config": {"s3_endpoint_url": "http://127.0.0.1:8782", "bucket_frontend": "dev-frontend"},
    }))
    monkeypatch.setenv("SWAPREP_HOME", str(home))
    dist = make_dist(tmp_path / "dist")
    result = _run("--dist", str(dist), "--dry-run", "--prefix", "/console")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        f"Plan: {dist} -> s3://dev-frontend/console/ at http://127.0.0.1:8782")
    assert "console/index.html" in result.output.splitlines()[5]


def test_explicit_bucket_and_endpoint_win(tmp_path: Path) -> None:
    dist = make_dist(tmp_path / "dist")
    result = _run("--dist", str(dist), "--dry-run", "--bucket", "prod-console",
                  "--endpoint-url", "https://kr.object.ncloudstorage.com/")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].endswith(
        "s3://prod-console/ at https://kr.object.ncloudstorage.com")


def test_build_without_index_html_is_refused_with_a_hint(tmp_path: Path) -> None:
    dist = make_dist(tmp_path / "dist")
    (dist / "index.html").unlink()
    result = _run("--dist", str(dist), "--dry-run")
    assert result.exit_code == 1
    assert "no index.html at the root of the build" in result.output
    assert "npm run build" in result.output


def test_missing_dist_is_refused_with_a_hint(tmp_path: Path) -> None:
    result = _run("--dist", str(tmp_path / "nowhere"), "--dry-run")
    assert result.exit_code == 1
    assert "is not a directory" in result.output and "npm run build" in result.output


def test_symlinked_file_is_refused_naming_it(tmp_path: Path) -> None:
    dist = make_dist(tmp_path / "dist")
    (tmp_path / "id_rsa").write_text("private")
    (dist / "assets" / "vendor-abc123.js").symlink_to(tmp_path / "id_rsa")
    result = _run("--dist", str(dist), "--dry-run")
    assert result.exit_code == 1
    assert "assets/vendor-abc123.js is a symbolic link" in result.output
    assert "Plan:" not in result.output  # refused before any plan is shown


def test_prune_dry_run_needs_an_s3_api(tmp_path: Path) -> None:
    dist = make_dist(tmp_path / "dist")
    result = _run("--dist", str(dist), "--dry-run", "--prune")
    assert result.exit_code == 1
    assert "no S3 API: pass --endpoint-url" in result.output
