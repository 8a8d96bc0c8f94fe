"""What the auth.030.001.04 writer tests (JFSA, MAS, HKMA, ASIC) share: the namespace map and
the paths of a New report, a writer's document as an element tree, and its lookups."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime

from lxml import etree

from shared.domain.model import TradeEvent
from shared.formats.readers.fpml import FpmlReader
from shared.formats.writers.auth030 import Auth030Writer
from shared.formats.writers.auth030_v04 import NS
from tests.unit.formats.writers.test_cftc import STAMP

N = {"a": NS}
NEW = "a:DerivsTradRpt/a:TradData/a:Rpt/a:New"
TX = f"{NEW}/a:CmonTradData/a:TxData"
CTRCT = f"{NEW}/a:CmonTradData/a:CtrctData"
CPTY = f"{NEW}/a:CtrPtySpcfcData/a:CtrPty"


def documents(writer: type[Auth030Writer]) -> Callable[..., etree._Element]:
    """`document(event, stamp=STAMP)`: the report `writer` writes of `event`, parsed."""

    def document(event: TradeEvent, stamp: datetime = STAMP) -> etree._Element:
        return etree.fromstring(writer().write_one(event, reporting_timestamp=stamp))

    return document


def value(doc: etree._Element, path: str) -> str | None:
    return doc.findtext(path, namespaces=N)


def has(doc: etree._Element, path: str) -> bool:
    return doc.find(path, N) is not None


def quantity_leg(doc: etree._Element, side: str) -> tuple[str | None, ...]:
    """A leg's NtnlQty (`FrstLeg`, `ScndLeg`): (TtlQty, unit code, and its quantity term's
    Qty, Val, TmUnit)."""
    leg = f"{TX}/a:NtnlQty/a:{side}"
    return tuple(value(doc, f"{leg}/{path}") for path in (
        "a:TtlQty", "a:UnitOfMeasr/a:Cd", "a:Dtls/a:Term/a:Qty", "a:Dtls/a:Term/a:Val",
        "a:Dtls/a:Term/a:TmUnit"))


def from_fpml(xml: str) -> TradeEvent:
    """The one event of an FpML message, read as the pipeline reads it."""
    [record] = FpmlReader().read(io.BytesIO(xml.encode()))
    assert record.ok, record.errors
    assert record.event is not None
    return record.event
