"""HKMA report to the HKTR, auth.030.001.04, as `Auth030Writer` builds it.

Starts from the ISO 20022 document every auth.030 regime shares; the elements this regime's
rules fill differently are overridden here. Two kinds of difference from EMIR (auth.030.001.03):

- the auth.030.001.04 schema, shared with JFSA, MAS and ASIC: no `Lvl`, `ClrOblgtn`,
  `ClrThrshld`, `RptgOblgtn`, `PdctClssfctn`, `MstrAgrmt` or `PstTradRskRdctnFlg`; rates, strikes
  and prices as decimal fractions (`Dcml`); the event time as a date-time (`DerivEvt/TmStmp/DtTm`)
  with its identifier (`DerivEvt/Id/EvtIdr`); margin portfolio codes (`MrgnPrtflCd`); the
  exchange rate as `XchgRate`; exercise dates and call / put amounts of options; the second
  leg's settlement currency; basket constituents by any identifier (`OthrId`); `TechAttrbts`.
- HKMA's own field set (the HKTR's reporting instructions for the September 2025 rewrite, as
  DRR 6.10's HKMA rules digitise them): the counterparty's
  nature from its HKTR reporting regime and its HKMA corporate sector, the booking location,
  the secondary transaction id, the non-standardised term flag, the platform only where the
  trade names one, no reset frequency, the HKTR's technical record id.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import ClassVar

from lxml import etree

from shared.domain.model import ActionType, Leg, Money, Nature, Party, TradeEvent
from shared.formats.writers.auth030 import SLIM_VARIANTS, iso_unit
from shared.formats.writers.auth030_v04 import NS as NS  # the regime's namespace, re-exported
from shared.formats.writers.auth030_v04 import (
    UNKNOWN_QUANTITY,
    Auth030V04Writer,
    quantity_period,
)
from shared.formats.writers.derive import frequency, leg_kind, timestamp

# the FpML party classification scheme carrying the HKMA corporate sector (FpML coding scheme
# hkma-rewrite-regulatory-corporate-sector); the EMIR taxonomy is a different scheme
HKMA_SECTOR_SCHEME = "hkma-rewrite-regulatory-corporate-sector"
HKMA_BODY = "HKMA"
_NATURES = {"financial": Nature.FINANCIAL, "nonfinancial": Nature.NON_FINANCIAL,
            "centralcounterparty": Nature.CCP, "other": Nature.OTHER}
# a trade without a UTI is identified by its transaction id (HKMA: "UTI / Transaction ID")
NO_UTI_SCHEME = "UTI-TID"
_ZONED_TEXT = re.compile(
    r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})$")


def java_instant_text(value: str | None, fallback: datetime | None) -> str | None:
    """A date-time as Java's `OffsetDateTime.toString()` writes it, which DRR uses to build the
    HKTR technical record id: seconds left out when zero (and no fraction), the fraction in
    groups of 3, 6 or 9 digits, a zero offset as Z, any other offset kept as written."""
    match = _ZONED_TEXT.match(value) if value else None
    if match is None:
        if fallback is None:
            return None
        utc = fallback.astimezone(UTC) if fallback.tzinfo else fallback
        seconds = f"{utc.second:02d}"
        fraction = f"{utc.microsecond:06d}" + "000" if utc.microsecond else ""
        minute, zone = utc.strftime("%Y-%m-%dT%H:%M"), "Z"
    else:
        minute, seconds, fraction, zone = match.group(1), match.group(2) or "00", \
            (match.group(3) or "").ljust(9, "0")[:9], match.group(4)
        if zone in ("+00:00", "-00:00"):
            zone = "Z"
    nanos = int(fraction) if fraction else 0
    if nanos == 0:
        tail = "" if seconds == "00" else f":{seconds}"
    elif nanos % 1_000_000 == 0:
        tail = f":{seconds}.{nanos // 1_000_000:03d}"
    elif nanos % 1000 == 0:
        tail = f":{seconds}.{nanos // 1000:06d}"
    else:
        tail = f":{seconds}.{nanos:09d}"
    return f"{minute}{tail}{zone}"


class HkmaWriter(Auth030V04Writer):
    regime = "hkma"
    # auth.030.001.04 TxData sequence, the elements HKMA's field list fills
    TX_SEQUENCE: ClassVar[tuple[str, ...]] = (
        "_tx_identifier", "_secondary_tx_identifier", "_collateral_portfolio", "_platform",
        "_price", "_notionals", "_delivery", "_execution", "_tx_dates", "_derivative_event",
        "_confirmation", "_non_standard_term", "_clearing", "_currency", "_interest_rates",
        "_option", "_credit", "_other_payments", "_package",
    )
    BROKER: ClassVar[bool] = True
    BOOKING_LOCATION: ClassVar[bool] = True  # of the reporting entity (ISO 3166 alpha-2)
    RESET_FREQUENCY: ClassVar[bool] = False  # the HKMA field list has none

    # --- report frame ------------------------------------------------------------------------

    def _transaction_data(self, parent: etree._Element, event: TradeEvent,
                          variant: str) -> None:
        if variant == "Err":
            self._error_data(parent, event)
            return
        super()._transaction_data(parent, event, variant)

    def _error_data(self, tx: etree._Element, event: TradeEvent) -> None:
        """An error report (action EROR, a trade withdrawn as reported in error): the trade's
        UTI and the withdrawal's event identifier; the event's type and time are not among the
        fields an HKTR error report carries (DRR's HKMA rules report them for every other
        action)."""
        self._tx_identifier(tx, event)
        if event.event_id:
            self.sub(tx, "DerivEvt/Id/EvtIdr", event.event_id)

    def _technical_record_id(self, event: TradeEvent, stamp: datetime) -> str | None:
        # the HKTR keys each record by its technical record id
        return self.technical_record_id(event)

    @staticmethod
    def technical_record_id(event: TradeEvent) -> str | None:
        """DRR's HKTR technical record id: HKMA-<counterparty 1>-<counterparty 2>-<UTI>-<event
        time>, the parts that are reported joined by '-' (an error report states no event
        time, so its id ends with the UTI)."""
        when = None if event.action_type == ActionType.EROR else java_instant_text(
            event.event_timestamp_text, event.event_timestamp)
        parts = [event.counterparty_1.identifier if event.counterparty_1 else None,
                 event.counterparty_2.identifier if event.counterparty_2 else None,
                 event.uti, when]
        known = [part for part in parts if part]
        return "-".join(["HKMA", *known]) if known else None

    # --- counterparty-specific data ----------------------------------------------------------

    def _other_counterparty(self, cpty: etree._Element, party: Party, variant: str) -> None:
        # named on an error report too
        other = self.sub(cpty, "OthrCtrPty")
        self.sub(other, "IdTp/Lgl/Id/LEI", party.identifier)
        if variant not in SLIM_VARIANTS:
            self._nature(other, party, other=True)

    @staticmethod
    def hkma_nature(party: Party) -> Nature | None:
        """The nature the party's HKTR reporting regime states; a party without one keeps the
        nature it has (from the message's other regimes or the entity reference data)."""
        if HKMA_BODY not in party.entity_classifications:
            return party.nature
        stated = party.entity_classifications[HKMA_BODY]
        return _NATURES.get((stated or "").replace(" ", "").lower())

    def _nature(self, parent: etree._Element, party: Party, other: bool) -> None:
        # the HKMA field list has no clearing threshold nor directly-linked-activity flag (EMIR
        # concepts); the sector is the party's HKMA corporate sector
        nature = self.hkma_nature(party)
        if nature is None:
            return
        sector = party.classifications.get(HKMA_SECTOR_SCHEME)
        ntr = self.sub(parent, "Ntr")
        if nature == Nature.FINANCIAL:
            fi = self.sub(ntr, "FI")
            if sector:
                self.sub(fi, "Sctr/Cd", sector)
        elif nature == Nature.NON_FINANCIAL:
            nfi = self.sub(ntr, "NFI")
            if sector:
                self.sub(nfi, "Sctr/Id", sector)
        elif nature == Nature.CCP:
            self.sub(ntr, "CntrlCntrPty", "NORE")
        else:
            self.sub(ntr, "Othr", "NORE")

    # --- contract data -----------------------------------------------------------------------

    def _settlement_currency(self, parent: etree._Element, event: TradeEvent) -> None:
        super()._settlement_currency(parent, event)
        if event.product.settlement_location:
            # HKMA: place of settlement, e.g. HK for offshore renminbi (CNH)
            self.sub(parent, "PlcOfSttlm", event.product.settlement_location)

    def _second_settlement_currency(self, event: TradeEvent) -> str | None:
        if str(event.product.asset_class) == "COMM" and event.product.settlement_currency:
            # a commodity swap's settlement currency is its first commodity price leg's (CDM
            # puts commoditySwap/settlementCurrency on that payout): stated once, as leg 1's
            return None
        return super()._second_settlement_currency(event)

    def _fixing_date(self, event: TradeEvent) -> date | None:
        # a non-deliverable FX contract states when its settlement amount is fixed
        if str(event.product.asset_class) != "CURR":
            return None
        return next((leg.fixing_date for leg in event.legs if leg.fixing_date), None)

    def _underlying(self, parent: etree._Element, event: TradeEvent) -> None:
        product = event.product
        listed = [u for u in product.underliers if u.source in ("ISIN", "OTHR")]
        index = next((u for u in product.underliers if u.source == "INDX"), None)
        if product.custom_basket or product.basket_id or (product.underlier_basket and listed):
            # auth.030.001.04: a basket states its identifier as the structurer's (Strr) and
            # each constituent by ISIN or by another identifier with its kind (OthrId/Src)
            node = self.sub(parent, "UndrlygInstrm/Bskt")
            if product.basket_id:
                self.sub(node, "Strr", product.basket_id)
            for underlier in listed:
                if underlier.source == "ISIN":
                    self.sub(node, "Cnsttnts/InstrmId/ISIN", underlier.identifier)
                else:
                    self._other_id(self.sub(node, "Cnsttnts/InstrmId/OthrId"), underlier)
            return
        if listed:
            if listed[0].source == "ISIN":
                self.sub(parent, "UndrlygInstrm/ISIN", listed[0].identifier)
            else:  # a single underlier known by another identifier (RIC, ticker, ...)
                self._other_id(self.sub(parent, "UndrlygInstrm/Othr"), listed[0])
            return
        if index is not None:
            node = self.sub(parent, "UndrlygInstrm/Indx")
            if index.name and index.identifier != index.name:
                # DRR reports the index's identifier (e.g. a credit index's RED pair code) in
                # the index ISIN element
                self.sub(node, "ISIN", index.identifier)
            self.sub(node, "Nm", index.name or index.identifier)

    # --- transaction data --------------------------------------------------------------------

    def _tx_identifier(self, parent: etree._Element, event: TradeEvent) -> None:
        if event.uti:
            self.sub(parent, "TxId/UnqTxIdr", event.uti)
        elif event.secondary_trade_id:
            node = self.sub(parent, "TxId/Prtry")
            self.sub(node, "Id", event.secondary_trade_id)
            self.sub(node, "SchmeNm", NO_UTI_SCHEME)

    def _secondary_tx_identifier(self, parent: etree._Element, event: TradeEvent) -> None:
        if event.secondary_trade_id:
            self.sub(parent, "ScndryTxId", event.secondary_trade_id)

    def _event_timestamp(self, node: etree._Element, event: TradeEvent) -> None:
        # the source's text as written; no execution time in place of a missing event time
        when = event.event_timestamp_text or timestamp(event.event_timestamp)
        if when:
            self.sub(node, "TmStmp/DtTm", when)

    def _confirmation(self, parent: etree._Element, event: TradeEvent) -> None:
        # HKMA has no confirmation timestamp field
        code = event.confirmation or "NCNF"
        if code == "NCNF":
            self.sub(parent, "TradConf/NonConfd/Tp", "NCNF")
        else:
            self.sub(parent, "TradConf/Confd/Tp", code)

    def _non_standard_term(self, parent: etree._Element, event: TradeEvent) -> None:
        self.sub(parent, "NonStdsdTerm", bool(event.non_standard_terms))

    def _clearing(self, parent: etree._Element, event: TradeEvent) -> None:
        # HKMA has no clearing obligation field; a trade intended to be cleared says so
        node = self.sub(parent, "TradClr")
        if str(event.clearing.cleared) == "I":
            intended = self.sub(node, "ClrSts/IntndToClear/Dtls")
            if event.clearing.ccp:
                self.sub(intended, "CCP/LEI", event.clearing.ccp)
        else:
            self._cleared_status(node, event)
        if event.intragroup is not None:
            self.sub(node, "IntraGrp", event.intragroup)

    def _interest_rates(self, parent: etree._Element, event: TradeEvent) -> None:
        if event.product.contract_type != "FRAS":
            super()._interest_rates(parent, event)
            return
        # an FRA: its fixed rate is the first leg; the floating leg states only its day count
        # (the rate it fixes against is the contract's, not a leg's, in DRR's HKMA mapping)
        fixed = next((leg for leg in event.legs if leg_kind(leg) == "FIXED"
                      and leg.fixed_rate is not None), None)
        floating = next((leg for leg in event.legs if leg_kind(leg) == "FLOATING"), None)
        if fixed is None and floating is None:
            return
        node = self.sub(parent, "IntrstRate")
        if fixed is not None:
            self._rate_leg_node(self.sub(node, "FrstLeg"), fixed, event)
        if floating is not None and floating.day_count:
            self.sub(node, "ScndLeg/Fltg/DayCnt/Cd", floating.day_count)

    def _floating_rate_node(self, node: etree._Element, leg: Leg, event: TradeEvent) -> None:
        if leg.floating_index_code:
            self.sub(node, "Rate/Cd", leg.floating_index_code)
        stated = frequency(leg.payment_frequency)
        if stated is not None:
            # DRR's HKMA reference period is the period the floating leg pays over (its
            # payment frequency, EXPI for a single payment at term), not the index tenor
            self._reference_period(node, stated)
        self._floating_terms(node, leg)

    def _call_put_amounts(self, event: TradeEvent) -> tuple[Money | None, Money | None]:
        """(call amount, put amount), CDE 'Call amount' / 'Put amount' as DRR fills them."""
        option = event.option
        assert option is not None
        if option.call_amount is not None or option.put_amount is not None:
            return option.call_amount, option.put_amount  # FX: each currency's amount
        notional = event.legs[0].notional if event.legs else None
        if notional is None:
            return None, None
        product = event.product
        if str(product.asset_class) == "CRDT":
            return notional, notional  # an option on a CDS: the notional is either side
        if product.contract_type == "SWPT":
            # a payer swaption (the buyer pays the fixed leg) is a put on the fixed rate
            fixed = next((leg for leg in event.legs if leg_kind(leg) == "FIXED"), None)
            buyer_pays_fixed = fixed is not None and fixed.payer is not None and \
                fixed.payer == event.buyer
            return (None, notional) if buyer_pays_fixed else (notional, None)
        if str(product.asset_class) == "INTR" and any(
                u.source == "ISIN" for u in product.underliers):
            return None, None  # a bond option: its size is the bond's, not a notional
        if option.option_type == "CALL":
            return notional, None
        if option.option_type == "PUTO":
            return None, notional
        return None, None

    def _notional_quantities(self, parent: etree._Element, event: TradeEvent) -> None:
        legs = event.legs[:2]
        if not any(leg.total_quantity is not None for leg in legs) and legs:
            # DRR states an unknown quantity with the schema's largest value: an equity
            # derivative's (equity) first leg, both legs of a commodity swap (each is in a
            # quantity of the commodity, e.g. a strip of monthly legs DRR cannot size)
            unknown = {"EQUI": 1, "COMM": 2 if event.product.contract_type == "SWAP" else 0}
            sides = ("FrstLeg", "ScndLeg")[:unknown.get(str(event.product.asset_class), 0)]
            node = self.sub(parent, "NtnlQty") if sides else None
            for name in sides:
                self.sub(node, f"{name}/TtlQty", UNKNOWN_QUANTITY)
            return
        node = None
        for name, leg in zip(("FrstLeg", "ScndLeg"), legs, strict=False):
            if leg.total_quantity is None:
                continue
            node = node if node is not None else self.sub(parent, "NtnlQty")
            side = self.sub(node, name)
            self.sub(side, "TtlQty", leg.total_quantity)
            if iso_unit(leg.quantity_unit):
                self.sub(side, "UnitOfMeasr/Cd", leg.quantity_unit)
            self._quantity_term(self.sub(side, "Dtls/Term"), leg)

    def _quantity_term(self, term: etree._Element, leg: Leg) -> None:
        """auth.030.001.04 details the notional quantity over time (CDE "notional quantity"):
        a commodity leg's quantity per period (FpML notionalQuantity/quantity) and the period
        it is per; any other quantity is constant, a single term of the total."""
        if leg.quantity_frequency is None or leg.quantity is None:
            self.sub(term, "Qty", leg.total_quantity)
            return
        self.sub(term, "Qty", leg.quantity)
        stated = quantity_period(leg)
        if stated is None:
            return
        unit, multiplier = stated
        if multiplier is not None:
            self.sub(term, "Val", multiplier)
        self.sub(term, "TmUnit", unit)

    def _price(self, parent: etree._Element, event: TradeEvent) -> None:
        price = event.price
        if price is None:
            return
        if price.notation == "PERC":
            # a percentage (of par) as a decimal fraction, a price per amount of currency
            node = self.sub(parent, "TxPric")
            self.sub(node, "Pric/Dcml", price.value / Decimal(100))
            self.sub(node, "UnitOfMeasr/Cd", "ACCY")
        elif price.notation == "MONE":
            node = self.sub(parent, "TxPric")
            self.sub(node, "Pric/MntryVal/Amt", price.value,
                     **({"Ccy": price.currency} if price.currency else {}))
            unit = event.legs[0].quantity_unit if event.legs else None
            if str(event.product.asset_class) == "COMM" and iso_unit(unit):
                # a commodity's price is per unit of the quantity it is traded in
                self.sub(node, "UnitOfMeasr/Cd", unit)
