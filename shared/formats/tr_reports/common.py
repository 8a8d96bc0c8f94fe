"""What the three TR reports share: namespaces, element helpers, and reading a trade's
matching values, counterparties and valuation from a report body.

A trade's body has the same shape in the report we send (auth.030: `Rpt/New`, `Rpt/Mod`, ...)
and in the TR's trade state report (auth.107: `Stat`): `CtrPtySpcfcData` then `CmonTradData`.
`values_of` reads the matching fields (shared.domain.reconciliation.FIELDS) from either, so
the simulator (from what we sent) and the tr-reports stage (from the TR's report) read them
the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from shared.formats.writers.derive import decimal_text

# The versions written (the ones python-iso20022 publishes generated models of, which the unit
# tests check against); the readers take any version of the same message.
NS_STATE = "urn:iso:std:iso:20022:tech:xsd:auth.107.001.02"
NS_RECON = "urn:iso:std:iso:20022:tech:xsd:auth.091.001.03"
NS_WARNINGS = "urn:iso:std:iso:20022:tech:xsd:auth.106.001.01"
XSD_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"
MESSAGES = {"auth.107": "trade_state", "auth.091": "reconciliation", "auth.106": "warnings"}
ROOTS = {"trade_state": "DerivsTradStatRpt", "reconciliation": "DerivsTradRcncltnSttstclRpt",
         "warnings": "DerivsTradWrnngsRpt"}
# ISO 17442 as the schemas' pattern has it; a UTI the schema's UnqTxIdr pattern admits
LEI_SHAPE = r"[A-Z0-9]{18}[0-9]{2}"
UTI_SHAPE = r"[A-Z0-9]{18}[0-9]{2}[A-Z0-9]{0,32}"


class TrReportError(ValueError):
    """A TR report that cannot be read as a whole; the message says where and why."""


def message_of(namespace: str) -> str | None:
    """'auth.091' for any auth.091.001.NN namespace, None for anything else."""
    if not namespace.startswith(XSD_PREFIX):
        return None
    name = namespace[len(XSD_PREFIX):]
    parts = name.split(".")
    return f"{parts[0]}.{parts[1]}" if len(parts) == 4 else None


class Builder:
    """Elements of one namespace: `sub(parent, "A/B/C", text, **attrs)` makes the path."""

    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def document(self, root: str) -> tuple[etree._Element, etree._Element]:
        doc = etree.Element(f"{{{self.ns}}}Document", nsmap={None: self.ns})
        return doc, self.sub(doc, root)

    def sub(self, parent: etree._Element, path: str, value: object = None,
            **attrs: str) -> etree._Element:
        node = parent
        for name in path.split("/"):
            node = etree.SubElement(node, f"{{{self.ns}}}{name}")
        if value is not None:
            node.text = text_of(value)
        for key, val in attrs.items():
            node.set(key, val)
        return node


def write_transaction_id(b: Builder, parent: etree._Element, *, last_action: str | None,
                         other_counterparty: str | None, uti: str) -> None:
    """`TxId` as auth.091 and auth.106 state it: the last action, the other counterparty (an
    LEI, else a natural person's id) and the UTI (or a proprietary id when not UTI-shaped)."""
    tx = b.sub(parent, "TxId")
    if last_action:
        b.sub(tx, "ActnTp", last_action)
    if other_counterparty and re.fullmatch(LEI_SHAPE, other_counterparty):
        b.sub(tx, "OthrCtrPty/Lgl/Id/LEI", other_counterparty)
    elif other_counterparty:
        b.sub(tx, "OthrCtrPty/Ntrl/Id/Id/Id", other_counterparty)
    if re.fullmatch(UTI_SHAPE, uti):
        b.sub(tx, "UnqIdr/UnqTxIdr", uti)
    else:
        b.sub(tx, "UnqIdr/Prtry/Id", uti)


def text_of(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int):
        return decimal_text(value)
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def utc_text(value: datetime) -> str:
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return moment.isoformat().replace("+00:00", "Z")


def serialize(doc: etree._Element) -> bytes:
    data: bytes = etree.tostring(doc, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


def renamed(element: etree._Element, namespace: str) -> etree._Element:
    """A copy of `element` with every element in `namespace` (auth.030 content moved into
    another message)."""
    copy = etree.fromstring(etree.tostring(element))
    for node in copy.iter():
        if isinstance(node.tag, str):
            node.tag = f"{{{namespace}}}{etree.QName(node).localname}"
    etree.cleanup_namespaces(copy)
    return copy


# -- reading ------------------------------------------------------------------------------------


class Finder:
    """Path lookups in the document's own namespace: `text(node, "A/B")` strips the value."""

    def __init__(self, namespace: str) -> None:
        self.ns = {"a": namespace}

    def _path(self, path: str) -> str:
        return "/".join(f"a:{p}" if p not in (".", "..") and not p.startswith(".//") else p
                        for p in path.split("/"))

    def find(self, node: etree._Element, path: str) -> etree._Element | None:
        found: etree._Element | None = node.find(self._path(path), self.ns)
        return found

    def findall(self, node: etree._Element, path: str) -> list[etree._Element]:
        return list(node.findall(self._path(path), self.ns))

    def text(self, node: etree._Element, path: str) -> str | None:
        found = self.find(node, path)
        if found is None or found.text is None:
            return None
        return found.text.strip() or None


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_decimal(value: str | None) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def signed_amount(finder: Finder, node: etree._Element | None) -> tuple[Decimal | None,
                                                                      str | None]:
    """An AmountAndDirection (`Amt` with `Ccy`, optional `Sgn` false for negative)."""
    if node is None:
        return None, None
    amount_node = finder.find(node, "Amt")
    if amount_node is None:
        return None, None
    amount = parse_decimal((amount_node.text or "").strip())
    if amount is not None and finder.text(node, "Sgn") == "false":
        amount = -amount
    return amount, amount_node.get("Ccy")


def amount_text(amount: Decimal | None, currency: str | None) -> str | None:
    """Matching text of an amount: "<amount> <currency>"."""
    if amount is None:
        return None
    return f"{decimal_text(amount)} {currency}" if currency else decimal_text(amount)


# The matching fields' places in a trade's body (auth.030 variant or auth.107 Stat), each a
# function of (finder, body) -> text or None.
_CTRPTY = "CtrPtySpcfcData/CtrPty"
_CTRCT = "CmonTradData/CtrctData"
_TX = "CmonTradData/TxData"


def _first(*paths: str) -> Callable[[Finder, etree._Element], str | None]:
    def read(finder: Finder, body: etree._Element) -> str | None:
        for path in paths:
            value = finder.text(body, path)
            if value is not None:
                return value
        return None
    return read


def _notional(leg: str) -> Callable[[Finder, etree._Element], str | None]:
    def read(finder: Finder, body: etree._Element) -> str | None:
        return amount_text(*signed_amount(finder, finder.find(body, f"{_TX}/NtnlAmt/{leg}/Amt")))
    return read


VALUE_READERS: dict[str, Callable[[Finder, etree._Element], str | None]] = {
    "DrctnOrSd": _first(f"{_CTRPTY}/RptgCtrPty/DrctnOrSd/CtrPtySd",
                        f"{_CTRPTY}/RptgCtrPty/DrctnOrSd/Drctn/DrctnOfTheFrstLeg"),
    "ISIN": _first(f"{_CTRCT}/PdctId/ISIN", f"{_CTRCT}/ISIN"),
    "UnqPdctIdr": _first(f"{_CTRCT}/PdctId/UnqPdctIdr/Id", f"{_CTRCT}/UnqPdctIdr/Id"),
    "PdctClssfctn": _first(f"{_CTRCT}/PdctClssfctn"),
    "CtrctTp": _first(f"{_CTRCT}/CtrctTp"),
    "AsstClss": _first(f"{_CTRCT}/AsstClss"),
    "SttlmCcy": _first(f"{_CTRCT}/SttlmCcy/Ccy"),
    "MstrAgrmtTp": _first(f"{_TX}/MstrAgrmt/Tp/Tp", f"{_TX}/MstrAgrmt/Tp/Prtry"),
    "PltfmIdr": _first(f"{_TX}/PltfmIdr"),
    "ExctnTmStmp": _first(f"{_TX}/ExctnTmStmp"),
    "FctvDt": _first(f"{_TX}/FctvDt"),
    "XprtnDt": _first(f"{_TX}/XprtnDt"),
    "EarlyTermntnDt": _first(f"{_TX}/EarlyTermntnDt"),
    "DlvryTp": _first(f"{_TX}/DlvryTp"),
    "NtnlAmtFrstLeg": _notional("FrstLeg"),
    "NtnlAmtScndLeg": _notional("ScndLeg"),
    "IntrstFxdRateFrstLeg": _first(f"{_TX}/IntrstRate/FrstLeg/Fxd/Rate/Rate"),
    "IntrstRateFxdScndLeg": _first(f"{_TX}/IntrstRate/ScndLeg/Fxd/Rate/Rate"),
    "Lvl": _first("Lvl", "CmonTradData/CtrctMod/Lvl"),
}


def values_of(finder: Finder, body: etree._Element) -> dict[str, str]:
    """The matching fields a trade's body reports (absent ones left out)."""
    found = {}
    for key, read in VALUE_READERS.items():
        value = read(finder, body)
        if value is not None:
            found[key] = value
    return found


def uti_of(finder: Finder, body: etree._Element) -> str | None:
    return _first(f"{_TX}/TxId/UnqTxIdr", f"{_TX}/TxId/Prtry/Id")(finder, body)


def counterparties_of(finder: Finder, body: etree._Element) -> tuple[str | None, str | None,
                                                                   bool]:
    """(reporting counterparty LEI, other counterparty LEI or id, whether the other side
    reports too: OthrCtrPty/RptgOblgtn)."""
    reporting = finder.text(body, f"{_CTRPTY}/RptgCtrPty/Id/Lgl/Id/LEI")
    other = _first(f"{_CTRPTY}/OthrCtrPty/IdTp/Lgl/Id/LEI",
                   f"{_CTRPTY}/OthrCtrPty/IdTp/Ntrl/Id/Id/Id")(finder, body)
    obliged = finder.text(body, f"{_CTRPTY}/OthrCtrPty/RptgOblgtn") == "true"
    return reporting, other, obliged


def valuation_of(finder: Finder, body: etree._Element) -> tuple[Decimal | None, str | None,
                                                               datetime | None]:
    node = finder.find(body, "CtrPtySpcfcData/Valtn")
    if node is None:
        return None, None, None
    amount, currency = signed_amount(finder, finder.find(node, "CtrctVal"))
    return amount, currency, parse_timestamp(finder.text(node, "TmStmp"))
