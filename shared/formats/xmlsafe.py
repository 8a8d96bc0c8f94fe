"""Hardened XML parsing for every XML reader in the project.

Trade files come from outside (FEPs, TR feedback), so the parser never resolves entities, never
loads or validates against a DTD, never touches the network and keeps libxml2's size limits
(no `huge_tree`). An XML bomb therefore stays a handful of unexpanded entity references and an
external entity or DTD is never fetched. Use `parser()` for whole documents and `iterparse()`
to stream a large file in constant memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

# One place for the options, so a reader cannot forget one of them.
_SAFE = {
    "resolve_entities": False,
    "load_dtd": False,
    "dtd_validation": False,
    "no_network": True,
    "huge_tree": False,
}


class UnsafeXml(ValueError):
    """The document declares entities: refused rather than parsed (billion laughs, XXE)."""


def parser(**extra) -> etree.XMLParser:
    """A fresh hardened parser (lxml parsers are not thread-safe: one per use)."""
    return etree.XMLParser(remove_comments=False, **_SAFE, **extra)


def fromstring(data: bytes) -> etree._Element:
    """Parse a whole document; refuses entity declarations."""
    root = etree.fromstring(data, parser())
    _refuse_entities(root.getroottree())
    return root


def iterparse(
    stream: BinaryIO, events: tuple[str, ...] = ("start", "end"), tag: str | None = None
) -> Iterator[tuple[str, etree._Element]]:
    """Stream (event, element) pairs with the hardened options.

    Raises `UnsafeXml` as soon as the document's DTD declares an entity, and lxml's
    `XMLSyntaxError` for a document that is not well-formed.
    """
    context = etree.iterparse(stream, events=events, tag=tag, **_SAFE)
    checked = False
    for event, element in context:
        if not checked:
            _refuse_entities(element.getroottree())
            checked = True
        yield event, element


def _refuse_entities(tree: etree._ElementTree) -> None:
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise UnsafeXml("the document declares XML entities, which are not accepted")
    if tree.docinfo.system_url:
        raise UnsafeXml("the document refers to an external DTD, which is not accepted")
