"""Plan a console release into the frontend bucket: key, Content-Type, Cache-Control and upload
order for every file of a Vite build (frontend/dist). Pure: no file or network access; the
caller lists the files (`swaprep console-publish` does) and carries the plan out.

On NCP the console is a static SPA in Object Storage behind the CDN, and each object's headers
are what the CDN and the browser get:

- Vite's content-hashed assets (`assets/<name>-<hash>.<ext>`) never change under their name:
  cached for a year, `immutable`.
- `index.html` and any other file without a hash in its name: `no-cache` (stored, but
  revalidated each time), so a new release is seen at once.
- Upload order: hashed assets first, then the other files, `index.html` last, so a browser
  never loads an `index.html` naming assets that are not uploaded yet.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

INDEX = "index.html"
ASSETS_DIR = "assets"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"

# Text types carry their charset: the bundles hold the Korean strings of the console.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".mjs": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".ico": "image/x-icon",
    ".wasm": "application/wasm",
    ".txt": "text/plain; charset=utf-8",
}
FALLBACK_CONTENT_TYPE = "application/octet-stream"

# Vite names emitted files `<name>-<hash>.<ext>` with an 8-character base64url hash (which may
# itself hold `-` or `_`). A token counts as a hash only when it holds a digit or an upper-case
# letter past its first character, so `user-settings.css` or `Logo-Dark.svg` stay `no-cache`:
# wrongly caching an unhashed file for a year is far worse than revalidating a hashed one.
_HASHED_NAME = re.compile(r"^.+?-(?P<hash>[A-Za-z0-9_-]{6,})(?:\.[A-Za-z0-9]+)+$")
_HASH_MARK = re.compile(r"[0-9]|.[A-Z]")

# Built-in types only (not /etc/mime.types), so a plan is the same on every machine.
_MIME = mimetypes.MimeTypes()


class ReleaseError(ValueError):
    """The build cannot be published as it is; the message names the offending file."""


class MissingIndexError(ReleaseError):
    """No index.html at the root: not a finished build."""


@dataclass(frozen=True)
class DistFile:
    """One entry of the build directory, as listed by the caller."""

    path: str  # relative to the dist directory, `/`-separated
    size: int
    symlink: bool = False


@dataclass(frozen=True)
class PlannedObject:
    path: str  # the file, relative to the dist directory
    key: str
    size: int
    content_type: str
    cache_control: str

    @property
    def immutable(self) -> bool:
        return self.cache_control == IMMUTABLE


@dataclass(frozen=True)
class ReleasePlan:
    prefix: str  # "" or ending in "/"
    objects: tuple[PlannedObject, ...]  # in upload order: index.html last

    @property
    def total_bytes(self) -> int:
        return sum(o.size for o in self.objects)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(o.key for o in self.objects)

    def stale_keys(self, existing: Iterable[str]) -> list[str]:
        """Keys under the prefix that this build does not have (what `--prune` deletes). Every
        key of the build, index.html included, is kept by construction."""
        keys = self.keys
        return sorted(k for k in set(existing) if k.startswith(self.prefix) and k not in keys)


def normalize_prefix(prefix: str) -> str:
    """`console`, `/console/` -> `console/`; empty stays empty. No `.` or `..` segments."""
    parts = [p for p in prefix.strip().split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise ReleaseError(f"prefix {prefix!r} may not contain '.' or '..' segments")
    return "".join(f"{p}/" for p in parts)


def content_type_for(path: str) -> str:
    name = PurePosixPath(path).name.lower()
    suffix = PurePosixPath(name).suffix
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, encoding = _MIME.guess_type(name, strict=False)
    if guessed is None or encoding is not None:  # e.g. x.json.gz: not JSON to a browser
        return FALLBACK_CONTENT_TYPE
    if guessed.startswith("text/"):
        return f"{guessed}; charset=utf-8"
    return guessed


def is_content_hashed(path: str) -> bool:
    """A file Vite emitted under assets/ with a content hash in its name."""
    parts = PurePosixPath(path).parts
    if len(parts) < 2 or parts[0] != ASSETS_DIR:
        return False
    match = _HASHED_NAME.match(parts[-1])
    return bool(match and _HASH_MARK.search(match["hash"]))


def cache_control_for(path: str) -> str:
    return IMMUTABLE if is_content_hashed(path) else NO_CACHE


def _check_path(entry: DistFile) -> str:
    if entry.symlink:
        raise ReleaseError(
            f"{entry.path} is a symbolic link (it could publish a file from outside the build):"
            " publish a build of real files only"
        )
    raw = entry.path
    # "" segments catch absolute paths and doubled or trailing slashes.
    if "\\" in raw or any(p in ("", ".", "..") for p in raw.split("/")):
        raise ReleaseError(f"{raw!r} escapes the dist directory (or is not a plain relative path)")
    return raw


def _upload_rank(path: str) -> int:
    if path == INDEX:
        return 3
    if is_content_hashed(path):
        return 0
    return 2 if path.lower().endswith(".html") else 1


def plan_release(files: Iterable[DistFile], prefix: str = "") -> ReleasePlan:
    """The objects to upload for a build, in upload order. Refuses a build without a root
    index.html, and any symlink or path outside the dist directory."""
    prefix = normalize_prefix(prefix)
    by_path: dict[str, DistFile] = {}
    for entry in files:
        by_path[_check_path(entry)] = entry
    if INDEX not in by_path:
        raise MissingIndexError(f"no {INDEX} at the root of the build: it is the console's entry")
    ordered = sorted(by_path, key=lambda p: (_upload_rank(p), p))
    return ReleasePlan(
        prefix=prefix,
        objects=tuple(
            PlannedObject(
                path=p,
                key=prefix + p,
                size=by_path[p].size,
                content_type=content_type_for(p),
                cache_control=cache_control_for(p),
            )
            for p in ordered
        ),
    )
