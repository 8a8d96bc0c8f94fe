"""Durable knowledge of the local S3 buckets: which objects the triggers have seen, and
(optionally) a copy of every object on disk, because moto keeps objects only in memory.

Per bucket, under `<state_dir>/s3/`:

    <bucket>.json       the index: key -> {etag, size, seen, file, content_type, metadata,
                        mtime_ns}; `seen` means the object-storage triggers have fired for it
    <bucket>/<file>     the mirrored object (file = the key, percent-encoded, "/" included)

On start, `restore()` puts every mirrored object that S3 lacks back (streamed from disk);
the index then learns the restored objects' new ETags, so old objects do not fire again.
A file that is in the folder but not in the index (dropped there while the stack was down),
or whose size or mtime changed since it was mirrored, is uploaded as a new object and so
fires its bucket's triggers like an upload would.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

log = logging.getLogger("swaprep.local.s3")


@dataclass
class Entry:
    etag: str
    size: int
    seen: bool = False
    file: str | None = None
    content_type: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    mtime_ns: int | None = None


def file_name_for(key: str) -> str:
    name = quote(key, safe=" !$&'()+,;=@[]^`{}~-._")
    if len(name.encode()) > 200 or name in (".", ".."):
        # Too long for a file name: a digest keeps it unique (the index holds the key).
        name = f"{name[:80]}~{hashlib.sha256(key.encode()).hexdigest()[:32]}"
    return name


def list_objects(client: Any, bucket: str) -> dict[str, tuple[str, int]]:
    """{key: (etag, size)} with ListObjects v1 (NCP Object Storage has no ListObjectsV2)."""
    found: dict[str, tuple[str, int]] = {}
    marker = ""
    while True:
        page = client.list_objects(Bucket=bucket, Marker=marker, MaxKeys=1000)
        contents = page.get("Contents", [])
        for item in contents:
            found[item["Key"]] = (item["ETag"].strip('"'), int(item["Size"]))
        if not page.get("IsTruncated") or not contents:
            return found
        marker = page.get("NextMarker") or contents[-1]["Key"]


class BucketIndex:
    """The index of one bucket, saved atomically when it changed."""

    def __init__(self, root: Path, bucket: str, *, mirror: bool) -> None:
        self.bucket = bucket
        self.mirror = mirror
        self.path = root / f"{bucket}.json"
        self.data_dir = root / bucket
        self.entries: dict[str, Entry] = {}
        self._dirty = False
        if self.path.exists():
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            self.entries = {k: Entry(**v) for k, v in raw.get("objects", {}).items()}

    def set(self, key: str, entry: Entry) -> None:
        self.entries[key] = entry
        self._dirty = True

    def drop(self, key: str) -> None:
        entry = self.entries.pop(key, None)
        self._dirty = True
        if entry and entry.file:
            with contextlib.suppress(FileNotFoundError):
                (self.data_dir / entry.file).unlink()

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        payload = {"bucket": self.bucket, "objects": {k: asdict(v) for k, v in
                                                      self.entries.items()}}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.bucket}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False)
        os.replace(tmp, self.path)
        self._dirty = False

    # -- mirror ----------------------------------------------------------------------------
    def copy_down(self, client: Any, key: str, entry: Entry) -> None:
        """Stream the object to disk (temp file, then rename: never a half-written copy)."""
        if not self.mirror:
            return
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        head = client.head_object(Bucket=self.bucket, Key=key)
        entry.content_type = head.get("ContentType")
        entry.metadata = dict(head.get("Metadata") or {})
        name = file_name_for(key)
        fd, tmp = tempfile.mkstemp(dir=self.data_dir, prefix=".download-")
        try:
            with os.fdopen(fd, "wb") as fh:
                client.download_fileobj(self.bucket, key, fh)
            os.replace(tmp, self.data_dir / name)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        entry.file = name
        entry.mtime_ns = (self.data_dir / name).stat().st_mtime_ns

    def restore(self, client: Any) -> int:
        """Put mirrored objects S3 lacks back; returns how many were uploaded."""
        if not self.mirror or not self.data_dir.is_dir():
            return 0
        present = list_objects(client, self.bucket)
        by_file = {e.file: k for k, e in self.entries.items() if e.file}
        restored: list[str] = []
        for path in sorted(self.data_dir.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            key = by_file.get(path.name) or unquote(path.name)
            entry = self.entries.get(key)
            stat = path.stat()
            changed = entry is None or entry.size != stat.st_size or (
                entry.mtime_ns is not None and entry.mtime_ns != stat.st_mtime_ns
            )
            if key in present and not changed:
                continue
            extra: dict[str, Any] = {}
            if entry and entry.content_type:
                extra["ContentType"] = entry.content_type
            if entry and entry.metadata:
                extra["Metadata"] = entry.metadata
            client.upload_file(str(path), self.bucket, key, ExtraArgs=extra or None)
            restored.append(key)
            if changed:
                # New content (or a file dropped in by hand): let the triggers fire for it.
                self.set(key, Entry(etag="", size=stat.st_size, seen=False, file=path.name,
                                    mtime_ns=stat.st_mtime_ns))
        if restored:
            # An upload may get another ETag than the original had (multipart vs single);
            # the index takes the new one so that the triggers do not see a change.
            present = list_objects(client, self.bucket)
            for key in restored:
                entry = self.entries[key]
                if key in present:
                    entry.etag, entry.size = present[key]
            self._dirty = True
        for key in [k for k, e in self.entries.items()
                    if k not in present and not (e.file and (self.data_dir / e.file).exists())]:
            self.drop(key)  # gone from S3 and from disk: forget it
        self.save()
        return len(restored)
