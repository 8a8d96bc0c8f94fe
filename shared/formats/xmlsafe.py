"""Hardened XML parsing for every XML reader in the project.

Trade files come from outside (FEPs, TR feedback), so the parser never resolves entities, never
loads or validates against a DTD, never touches the network and keeps libxml2's size limits
(no `huge_tree`). An XML bomb therefore stays a handful of unexpanded entity references and an
external entity or DTD is never fetched. Use `parser()` for whole documents and `iterparse()`
to stream a large file in constant memory.

Whichever layer stops a hostile document first, ours or libxml2's own guards (its entity
amplification limit, added in 2.11 and tightened since), the caller gets `UnsafeXml` with our
reason: a refusal must not turn into a bare syntax error when lxml is upgraded.
"""

from __future__ import annotations

import re
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


# The reasons, in one place: both the DTD check and the prolog scan give them.
ENTITIES_REFUSED = "the document declares XML entities, which are not accepted"
EXTERNAL_DTD_REFUSED = "the document refers to an external DTD, which is not accepted"

# Enough of a file's start to hold any DOCTYPE with its internal subset that we could refuse;
# the prolog scan only runs once libxml2 has already failed the document.
_PROLOG_BYTES = 1024 * 1024
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY\s", re.IGNORECASE)
_EXTERNAL_DTD = re.compile(rb"<!DOCTYPE\s+[^\s>\[]+\s+(?:SYSTEM|PUBLIC)\s", re.IGNORECASE)


class UnsafeXml(ValueError):
    """The document declares entities: refused rather than parsed (billion laughs, XXE)."""


def parser(**extra: object) -> etree.XMLParser:
    """A fresh hardened parser (lxml parsers are not thread-safe: one per use)."""
    return etree.XMLParser(remove_comments=False, **_SAFE, **extra)


def fromstring(data: bytes) -> etree._Element:
    """Parse a whole document; refuses entity declarations."""
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        _refuse_prolog(data[:_PROLOG_BYTES], exc)
        raise
    _refuse_entities(root.getroottree())
    return root


def iterparse(
    stream: BinaryIO, events: tuple[str, ...] = ("start", "end"), tag: str | None = None
) -> Iterator[tuple[str, etree._Element]]:
    """Stream (event, element) pairs with the hardened options.

    Raises `UnsafeXml` as soon as the document's DTD declares an entity, and lxml's
    `XMLSyntaxError` for a document that is not well-formed.
    """
    head = _HeadRecorder(stream)
    context = etree.iterparse(head, events=events, tag=tag, **_SAFE)
    checked = False
    try:
        for event, element in context:
            if not checked:
                _refuse_entities(element.getroottree())
                checked = True
                head.stop()
            yield event, element
    except etree.XMLSyntaxError as exc:
        _refuse_prolog(head.captured(), exc)
        raise


def _refuse_entities(tree: etree._ElementTree) -> None:
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise UnsafeXml(ENTITIES_REFUSED)
    if tree.docinfo.system_url:
        raise UnsafeXml(EXTERNAL_DTD_REFUSED)


def _refuse_prolog(prolog: bytes, error: etree.XMLSyntaxError) -> None:
    """libxml2 failed the document before our DTD check ran (its amplification guard fires
    while the bomb is parsed): if the prolog holds what we refuse, say so, not "syntax"."""
    if _ENTITY_DECLARATION.search(prolog):
        raise UnsafeXml(ENTITIES_REFUSED) from error
    if _EXTERNAL_DTD.search(prolog):
        raise UnsafeXml(EXTERNAL_DTD_REFUSED) from error


class _HeadRecorder:
    """A read-only stream that keeps a copy of the first bytes lxml reads (the prolog), until
    the first element has been checked; afterwards it passes reads straight through."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._head = bytearray()
        self._recording = True

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        if self._recording and len(self._head) < _PROLOG_BYTES:
            self._head += data[: _PROLOG_BYTES - len(self._head)]
        return data

    def stop(self) -> None:
        self._recording = False
        self._head = bytearray()

    def captured(self) -> bytes:
        return bytes(self._head)
