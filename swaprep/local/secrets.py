"""The local stack's generated secrets, kept in `.swaprep/secrets.json` (mode 0600).

Generated on first use and kept across restarts, so a database password or a token signing
key is never in code, in a committed file, or in a log. On NCP the same settings come from
package parameters instead.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from pathlib import Path

from swaprep.local.settings import state_dir

_lock = threading.Lock()


def _path(home: Path | None) -> Path:
    return (home or state_dir()) / "secrets.json"


def load(home: Path | None = None) -> dict[str, str]:
    path = _path(home)
    return json.loads(path.read_text()) if path.exists() else {}


def get(name: str, *, nbytes: int = 32, home: Path | None = None) -> str:
    """The secret `name`, created (URL-safe random) and saved the first time it is asked for.

    `home` is the stack's state folder (default: `.swaprep/` or $SWAPREP_HOME).
    """
    with _lock:
        values = load(home)
        if name not in values:
            values[name] = secrets.token_urlsafe(nbytes)
            path = _path(home)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                json.dump(values, out, indent=2)
            os.replace(tmp, path)
        return values[name]
