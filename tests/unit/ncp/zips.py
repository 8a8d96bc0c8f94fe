"""Small real action zips for the NCP tests, built with zipfile."""

from __future__ import annotations

import base64
import io
import zipfile

MAIN_PY = "def main(args):\n    return {'greeting': 'hello ' + args.get('name', 'world')}\n"


def action_zip(files: dict[str, str] | None = None, *, comment_bytes: int = 0) -> bytes:
    """A zip of `files` (default: a `__main__.py`); `comment_bytes` pads it to a chosen size
    (the zip comment is part of the file but not of any entry)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (files or {"__main__.py": MAIN_PY}).items():
            archive.writestr(name, text)
        archive.comment = b"x" * comment_bytes
    return buffer.getvalue()


def zip_of_size(size: int) -> bytes:
    """A valid action zip of exactly `size` bytes (size must exceed a bare zip's)."""
    bare = len(action_zip())
    if size < bare or size - bare > 65_535:
        raise ValueError(f"cannot pad a {bare}-byte zip to {size} bytes")
    data = action_zip(comment_bytes=size - bare)
    assert len(data) == size
    return data


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def action_body(code: bytes | None = None, *, memory: int = 256, timeout: int = 60_000,
                **extra: object) -> dict[str, object]:
    return {
        "limits": {"memory": memory, "timeout": timeout},
        "exec": {"kind": "python:3.13", "binary": True, "main": "main",
                 "code": b64(code if code is not None else action_zip())},
        **extra,
    }
