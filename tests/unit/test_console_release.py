"""The console release plan: what each object of a Vite build is stored as, and in what order."""

from __future__ import annotations

import random

import pytest

from swaprep.console_release import (
    IMMUTABLE,
    NO_CACHE,
    DistFile,
    MissingIndexError,
    ReleaseError,
    cache_control_for,
    content_type_for,
    normalize_prefix,
    plan_release,
)

# Names as Vite 8 emits them: 8-character base64url hashes, which may hold `-` and `_`.
VITE_ASSETS = [
    "assets/index-CLKrqvrP.js",
    "assets/index-BEfauIaS.css",
    "assets/JsonView-vLMV8-Mt.js",
    "assets/Time-D-irwdWp.js",
    "assets/rules-Cc7l_I39.js",
    "assets/Trades-aTRQTsKN.js",
]


def _files(*paths: str) -> list[DistFile]:
    return [DistFile(p, 100 + n) for n, p in enumerate(paths)]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("assets/index-CLKrqvrP.js", "application/javascript; charset=utf-8"),
        ("assets/worker-abc123.mjs", "application/javascript; charset=utf-8"),
        ("assets/index-BEfauIaS.css", "text/css; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
        ("LOGO.SVG", "image/svg+xml"),
        ("manifest.json", "application/json"),
        ("assets/index-CLKrqvrP.js.map", "application/json"),
        ("site.webmanifest", "application/manifest+json"),
        ("assets/pretendard-Ab12Cd34.woff2", "font/woff2"),
        ("assets/pretendard-Ab12Cd34.woff", "font/woff"),
        ("assets/noto-Ab12Cd34.ttf", "font/ttf"),
        ("assets/logo-Ab12Cd34.png", "image/png"),
        ("robots.txt", "text/plain; charset=utf-8"),
        ("data/rates.csv", "text/csv; charset=utf-8"),
        ("data/rates.json.gz", "application/octet-stream"),
        ("LICENSE", "application/octet-stream"),
    ],
)
def test_content_type(path: str, expected: str) -> None:
    assert content_type_for(path) == expected


@pytest.mark.parametrize(
    "path", [*VITE_ASSETS, "assets/index-CLKrqvrP.js.map", "assets/index-abc123.js"]
)
def test_vite_hashed_assets_are_cached_for_a_year(path: str) -> None:
    assert cache_control_for(path) == IMMUTABLE == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        "favicon.svg",
        "index-abc123.js",  # hashed-looking, but not in Vite's assets/ directory
        "assets/logo.svg",  # copied from public/assets/: no hash
        "assets/user-settings.css",  # a word after the dash, not a hash
        "assets/Logo-Darkmode.svg",
        "assets/sub/index.html",
    ],
)
def test_index_and_unhashed_files_are_revalidated(path: str) -> None:
    assert cache_control_for(path) == NO_CACHE == "no-cache"


def test_hashed_assets_go_first_and_index_html_last() -> None:
    paths = [*VITE_ASSETS, "index.html", "favicon.svg", "robots.txt", "help/index.html"]
    random.Random(7).shuffle(paths)
    plan = plan_release(_files(*paths))
    order = [o.path for o in plan.objects]
    assert order[-1] == "index.html"
    assert order[: len(VITE_ASSETS)] == sorted(VITE_ASSETS)
    assert order[len(VITE_ASSETS):] == ["favicon.svg", "robots.txt", "help/index.html",
                                        "index.html"]


def test_plan_carries_sizes_headers_and_totals() -> None:
    plan = plan_release([DistFile("index.html", 407), DistFile("assets/index-abc123.js", 1000)])
    js, index = plan.objects
    assert (js.key, js.size, js.content_type, js.immutable) == (
        "assets/index-abc123.js", 1000, "application/javascript; charset=utf-8", True)
    assert (index.key, index.cache_control, index.immutable) == ("index.html", NO_CACHE, False)
    assert plan.total_bytes == 1407


@pytest.mark.parametrize(
    ("given", "normalized"),
    [("", ""), ("console", "console/"), ("/console/", "console/"), ("a//b/", "a/b/")],
)
def test_prefix_is_normalized_into_keys(given: str, normalized: str) -> None:
    assert normalize_prefix(given) == normalized
    plan = plan_release(_files("index.html"), given)
    assert plan.prefix == normalized
    assert [o.key for o in plan.objects] == [normalized + "index.html"]


@pytest.mark.parametrize("prefix", ["../other", "console/./x", "a/../b"])
def test_prefix_with_dot_segments_is_refused(prefix: str) -> None:
    with pytest.raises(ReleaseError, match="prefix"):
        plan_release(_files("index.html"), prefix)


def test_build_without_root_index_html_is_refused() -> None:
    with pytest.raises(MissingIndexError, match=r"no index\.html"):
        plan_release(_files("assets/index-abc123.js", "help/index.html"))


def test_symlink_is_refused_naming_the_file() -> None:
    files = [*_files("index.html"), DistFile("assets/index-abc123.js", 0, symlink=True)]
    with pytest.raises(ReleaseError, match=r"assets/index-abc123\.js is a symbolic link"):
        plan_release(files)


@pytest.mark.parametrize(
    "path", ["../secrets.json", "/etc/passwd", "assets/../../x.js", "assets\\x.js", "a//b.js",
             "./index.html"],
)
def test_paths_escaping_the_dist_directory_are_refused(path: str) -> None:
    with pytest.raises(ReleaseError, match="escapes the dist directory") as refused:
        plan_release([*_files("index.html"), DistFile(path, 1)])
    assert repr(path) in str(refused.value)


def test_stale_keys_are_old_objects_under_the_prefix_only() -> None:
    plan = plan_release(_files("index.html", "assets/index-new111.js"), "console")
    existing = [
        "console/index.html",
        "console/assets/index-new111.js",
        "console/assets/index-old000.js",
        "console/old-page.html",
        "other/assets/index-old000.js",
        "console-v1/index.html",
    ]
    assert plan.stale_keys(existing) == ["console/assets/index-old000.js",
                                         "console/old-page.html"]
