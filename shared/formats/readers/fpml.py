"""FpML 5.x reader: one `ParsedRecord` per `trade`, streamed message by message.

A file is either one FpML message (the root is e.g. `nonpublicExecutionReport`,
`requestConfirmation`, `dataDocument`) or a container whose children are messages (a batch
export). Containers are streamed with the hardened `iterparse`: each message is mapped when its
end tag is read, then cleared and dropped, so a file of many messages stays in constant memory.
A trade that cannot be mapped yields a record error naming the element and the reader goes on;
a file that is not (safe, well-formed) XML raises `UnreadableFile`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from shared.domain.model import SourcePosition
from shared.domain.refdata import RefData
from shared.formats import xmlsafe
from shared.formats.fpml.events import occurrences
from shared.formats.fpml.mapper import id_index, map_occurrence
from shared.formats.fpml.message import read_message
from shared.formats.fpml.xml import Element, MappingError, local
from shared.formats.readers.base import ParsedRecord, RecordError, UnreadableFile

# Children that only occur directly under an FpML message: seeing one at depth 2 means the
# root element is itself the message, not a container of messages.
_MESSAGE_PARTS = {"header", "trade", "party", "isCorrection", "correlationId", "sequenceNumber",
                  "onBehalfOf", "originatingEvent", "tradingEvent", "account", "asOfDate",
                  "quote", "portfolioReference", "validation", "parentCorrelationId",
                  "originatingTradeId", "reportingRegime", "tradeIdentifier", "amendment",
                  "increase", "termination", "change", "novation", "optionExercise",
                  "withdrawal", "clearing"}


class FpmlReader:
    format = "fpml"

    def __init__(self, refdata: RefData | None = None, keep_raw: bool = True):
        if refdata is None:
            from shared.domain.refdata import load

            refdata = load()
        self.refdata = refdata
        self.keep_raw = keep_raw

    def read(self, stream: BinaryIO, *, file_name: str | None = None) -> Iterator[ParsedRecord]:
        counter = _Counter()
        depth = 0
        root_is_message: bool | None = None
        root: Element | None = None
        seen_names: dict[str, int] = {}
        try:
            for event, el in xmlsafe.iterparse(stream, events=("start", "end")):
                if event == "start":
                    depth += 1
                    if depth == 1:
                        root = el
                    elif depth == 2 and root_is_message is None:
                        root_is_message = local(el) in _MESSAGE_PARTS
                    continue
                depth -= 1
                if depth == 1 and root_is_message is False:
                    name = local(el)
                    seen_names[name] = seen_names.get(name, 0) + 1
                    path = f"/{local(root)}/{name}[{seen_names[name]}]"
                    yield from self._message(el, path, file_name, counter)
                    _release(el)
                elif depth == 0 and root_is_message is not False and root is not None:
                    yield from self._message(root, f"/{local(root)}", file_name, counter)
        except xmlsafe.UnsafeXml as exc:
            raise UnreadableFile(f"{file_name or 'the file'}: {exc}") from exc
        except etree.XMLSyntaxError as exc:
            raise UnreadableFile(f"{file_name or 'the file'} is not well-formed XML: {exc}") \
                from exc
        if root is None:
            raise UnreadableFile(f"{file_name or 'the file'} is empty")

    def _message(self, message: Element, path: str, file_name: str | None,
                 counter: _Counter) -> Iterator[ParsedRecord]:
        try:
            found = occurrences(message)
        except MappingError as exc:
            counter.n += 1
            yield ParsedRecord(
                position=SourcePosition(file=file_name, line=message.sourceline,
                                        record=counter.n, path=path),
                errors=(_error(exc),))
            return
        if not found:
            # a message without a trade or trade event (e.g. an acknowledgement) is still
            # accounted for
            counter.n += 1
            yield ParsedRecord(
                position=SourcePosition(file=file_name, line=message.sourceline,
                                        record=counter.n, path=path),
                errors=(RecordError("PARSE-FPML-001",
                                    f"<{local(message)}> contains no <trade> or trade event "
                                    "to report", local(message)),))
            return
        failure: MappingError | None = None
        try:
            msg = read_message(message)
            ids = id_index(message)
        except MappingError as exc:
            msg, ids, failure = None, {}, exc
        paths = [o.path for o in found]
        for occurrence in found:
            counter.n += 1
            trade = occurrence.trade if occurrence.trade is not None else occurrence.content
            same = [o for o in found if o.path == occurrence.path]
            suffix = f"[{same.index(occurrence) + 1}]" if paths.count(occurrence.path) > 1 \
                else ""
            position = SourcePosition(file=file_name, line=trade.sourceline, record=counter.n,
                                      path=f"{path}/{occurrence.path}{suffix}")
            raw = etree.tostring(trade, encoding="unicode") if self.keep_raw else None
            if failure is not None or msg is None:
                yield ParsedRecord(position=position, raw=raw, errors=(_error(failure),))
                continue
            try:
                event = map_occurrence(msg, occurrence, self.refdata, ids)
            except MappingError as exc:
                yield ParsedRecord(position=position, raw=raw, errors=(_error(exc),))
                continue
            except Exception as exc:  # e.g. a value the model rejects: never stop the file
                yield ParsedRecord(position=position, raw=raw, errors=(
                    RecordError("PARSE-FPML-003", f"cannot map the trade: {exc}",
                                local(trade)),))
                continue
            event.source = position
            yield ParsedRecord(position=position, event=event, raw=raw)


class _Counter:
    n = 0


def _error(exc: MappingError | None) -> RecordError:
    if exc is None:
        return RecordError("PARSE-FPML-002", "the message could not be read")
    return RecordError("PARSE-FPML-002", str(exc), exc.element)


def _release(el: Element) -> None:
    """Free a processed message and the already-processed siblings before it."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]
