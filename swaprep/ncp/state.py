"""The local control plane's state: one JSON file, action zips as files beside it.

`<state_path>` holds packages, actions and triggers, and under "gateway" the API Gateway
stand-in's products, APIs, resources, stages, authorizers, usage plans and API keys (added on
first use, so older files load as they are); `<state_path>.zips/<package>/` holds one
zip per action version (named by content hash), so the state file stays small and the local
function host can run a deployed zip straight from disk. Writes are atomic (temp + rename):
a stop or a crash leaves the previous state, never half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

STATE_VERSION = 1


def empty_state() -> dict[str, Any]:
    return {"version": STATE_VERSION, "packages": {}, "actions": {}, "triggers": {}}


class StateStore:
    def __init__(self, state_path: str | Path) -> None:
        self.path = Path(state_path)
        self.zip_dir = self.path.with_name(self.path.name + ".zips")

    def load(self) -> dict[str, Any]:
        if not self.path.exists():
            return empty_state()
        data = json.loads(self.path.read_text(encoding="utf-8"))
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"{self.path}: state version {data.get('version')!r} is not "
                             f"{STATE_VERSION}; remove it to start afresh")
        return data

    def save(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._atomic_write(self.path, json.dumps(data, indent=1, sort_keys=True).encode())

    def write_zip(self, package: str, action: str, data: bytes) -> str:
        """Store `data`; the path relative to the zip folder (what the state records)."""
        digest = hashlib.sha256(data).hexdigest()
        relative = f"{package}/{action}-{digest[:20]}.zip"
        target = self.zip_dir / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            self._atomic_write(target, data)
        return relative

    def zip_path(self, relative: str) -> Path:
        return self.zip_dir / relative

    def remove_zip(self, relative: str | None) -> None:
        if relative:
            self.zip_path(relative).unlink(missing_ok=True)

    @staticmethod
    def _atomic_write(target: Path, data: bytes) -> None:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
