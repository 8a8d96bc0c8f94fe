"""FpML reader: records with positions, per-record errors, streaming containers, bad files."""

from __future__ import annotations

import io
import re

import pytest

from shared.domain.model import ActionType, EventType
from shared.formats.readers import detect_format, reader_for
from shared.formats.readers.base import UnreadableFile
from shared.formats.readers.fpml import FpmlReader
from tests.unit.formats.fpml.samples import LEI_A, LEI_B, irs, message, stream

IRS = irs(stream("A", "B", index="USD-LIBOR-BBA", reset="3M"), stream("B", "A", rate="0.0253"))


def read(data: str | bytes, name: str = "trades.xml"):
    raw = data.encode() if isinstance(data, str) else data
    return list(FpmlReader().read(io.BytesIO(raw), file_name=name))


def _body(msg: str) -> str:
    """A message without its XML declaration, for embedding in a container."""
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", msg)


def test_reader_for_fpml_and_detection():
    assert detect_format("trade.xml") == "fpml"
    assert detect_format("export.bin", b"  <?xml version='1.0'?><x/>") == "fpml"
    assert isinstance(reader_for("fpml"), FpmlReader)


def test_single_message_one_record_with_position():
    [record] = read(message(IRS))
    assert record.ok, record.errors
    event = record.event
    assert event.action_type is ActionType.NEWT and event.event_type is EventType.TRAD
    assert event.uti == "UTI0000000000000000001"
    assert event.counterparty_1.identifier == LEI_A
    assert event.counterparty_2.identifier == LEI_B
    assert record.position.file == "trades.xml"
    assert record.position.record == 1
    assert record.position.path == "/nonpublicExecutionReport/trade"
    assert record.position.line and record.position.line > 1
    assert event.source == record.position
    assert "<swapStream" in record.raw


def test_container_of_messages_streams_in_order_with_paths():
    msgs = [_body(message(IRS, uti=f"UTI{i:020d}", message_id=f"M{i}")) for i in range(3)]
    container = "<batch>" + "".join(msgs) + "</batch>"
    records = read(container, "batch.xml")
    assert [r.event.uti for r in records] == [f"UTI{i:020d}" for i in range(3)]
    assert [r.position.record for r in records] == [1, 2, 3]
    assert records[2].position.path == "/batch/nonpublicExecutionReport[3]/trade"


def test_unmappable_trade_is_a_record_error_and_reading_goes_on():
    bad = _body(message("<weatherDerivative><x/></weatherDerivative>", message_id="BAD"))
    good = _body(message(IRS, message_id="GOOD"))
    records = read("<batch>" + bad + good + "</batch>")
    assert len(records) == 2
    assert not records[0].ok
    [error] = records[0].errors
    assert error.code == "PARSE-FPML-002"
    assert error.field == "weatherDerivative"
    assert "weatherDerivative" in error.message
    assert records[1].ok


def test_bad_value_names_the_element():
    broken = IRS.replace("<initialValue>0.0253</initialValue>", "<initialValue>abc</initialValue>")
    [record] = read(message(broken))
    assert not record.ok
    assert record.errors[0].field == "initialValue"


def test_message_without_trade_is_accounted_for():
    records = read("<batch><requestRetransmission xmlns='x'><header/></requestRetransmission>"
                   "</batch>")
    assert len(records) == 1 and records[0].errors[0].code == "PARSE-FPML-001"


@pytest.mark.parametrize("data", [b"trade_id,uti\n1,2\n", b"{\"a\": 1}", b"<a><b></a>", b""])
def test_not_xml_is_unreadable(data):
    with pytest.raises(UnreadableFile):
        read(data)


class _CountingStream(io.BytesIO):
    """Counts how far the reader has read when each record comes out."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.consumed = 0

    def read(self, size: int = -1) -> bytes:
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


def test_large_container_is_streamed_not_loaded():
    one = _body(message(IRS))
    data = ("<batch>" + one * 400 + "</batch>").encode()
    counting = _CountingStream(data)
    records = FpmlReader(keep_raw=False).read(counting, file_name="big.xml")
    first = next(records)
    assert first.ok
    # the first record is out long before the file has been read
    assert counting.consumed < len(data) // 10
    rest = sum(1 for _ in records)
    assert rest == 399
