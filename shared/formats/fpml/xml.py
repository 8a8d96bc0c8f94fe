"""Namespace-agnostic helpers over lxml elements.

FpML comes in several namespaces (confirmation, recordkeeping, reporting, transparency, and
versions 5-0 .. 5-13), and the mapping only cares about local names, so paths here are written
as `a/b/c` and matched in any namespace.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TypeAlias

from lxml import etree

# lxml ships no type information (lxml-stubs is a separate project), so to mypy this is `Any`;
# the alias names what the annotations mean.
Element: TypeAlias = etree._Element


class MappingError(ValueError):
    """A required element is missing or unreadable; `element` names it for the record error."""

    def __init__(self, message: str, element: str | None = None):
        super().__init__(message)
        self.element = element


def _xpath(path: str) -> str:
    return "/".join(part if part in (".", "..") or part.startswith("{") else "{*}" + part
                    for part in path.split("/"))


def local(el: Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def find(el: Element | None, path: str) -> Element | None:
    return None if el is None else el.find(_xpath(path))


def findall(el: Element | None, path: str) -> list[Element]:
    return [] if el is None else el.findall(_xpath(path))


def children(el: Element | None) -> list[Element]:
    return [] if el is None else [c for c in el if isinstance(c.tag, str)]


def text(el: Element | None, path: str | None = None) -> str | None:
    node = el if path is None else find(el, path)
    if node is None or node.text is None:
        return None
    value = node.text.strip()
    return value or None


def texts(el: Element | None, path: str) -> list[str]:
    return [t for t in (text(n) for n in findall(el, path)) if t]


def href(el: Element | None, path: str) -> str | None:
    node = find(el, path)
    return None if node is None else node.get("href")


def decimal(el: Element | None, path: str | None = None) -> Decimal | None:
    value = text(el, path)
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise MappingError(f"not a number: {value!r}", path) from exc
    if not number.is_finite():
        raise MappingError(f"not a finite number: {value!r}", path)
    return number


def integer(el: Element | None, path: str | None = None) -> int | None:
    value = decimal(el, path)
    return None if value is None else int(value)


def boolean(el: Element | None, path: str | None = None) -> bool | None:
    value = text(el, path)
    if value is None:
        return None
    return value.lower() in ("true", "1", "y", "yes")


def to_date(el: Element | None, path: str | None = None) -> date | None:
    value = text(el, path)
    if value is None:
        return None
    try:
        # FpML dates may carry a zone suffix (2021-01-01Z, 2021-01-01+09:00)
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise MappingError(f"not a date: {value!r}", path) from exc


def parse_timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MappingError(f"not a timestamp: {value!r}") from exc
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp


def timestamp(el: Element | None, path: str | None = None) -> datetime | None:
    return parse_timestamp(text(el, path))


def xpath_of(el: Element) -> str:
    """A readable absolute path with local names and 1-based positions, for error messages."""
    parts: list[str] = []
    node: Element | None = el
    while node is not None:
        name = local(node)
        parent = node.getparent()
        if parent is not None:
            same = [c for c in parent if isinstance(c.tag, str) and local(c) == name]
            name = f"{name}[{same.index(node) + 1}]" if len(same) > 1 else name
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))
