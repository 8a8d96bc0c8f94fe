"""Text PostgreSQL cannot store, found in a decoded JSON document before it reaches the database.

JSON may spell a NUL (`\\u0000`) or a lone UTF-16 surrogate (`\\ud800`); Python decodes both,
but PostgreSQL refuses NUL in text and jsonb, and a lone surrogate cannot be encoded as UTF-8.
Found at the edge, the caller gets a 4xx naming the field instead of a 500 from the database.
"""

from __future__ import annotations

from typing import Any


def _problem(text: str) -> str | None:
    if "\x00" in text:
        return "NUL characters are not allowed"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "invalid Unicode (a lone surrogate) is not allowed"
    return None


def first_bad_text(value: Any, path: str = "") -> tuple[str, str] | None:
    """`(path, reason)` of the first key or string value PostgreSQL could not store, if any;
    paths look like `events[2].counterparty_2.name`."""
    if isinstance(value, str):
        reason = _problem(value)
        return (path, reason) if reason else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            reason = _problem(str(key))
            if reason:
                return (path or "body", f"in a key: {reason}")
            found = first_bad_text(item, where)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = first_bad_text(item, f"{path}[{index}]")
            if found:
                return found
    return None


def json_object(raw: bytes) -> dict[str, Any]:
    """An outside service's answer as a JSON object, or {} when it is not one (not UTF-8, not
    JSON, or another JSON value): the callers treat {} as "no usable answer"."""
    import json

    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
