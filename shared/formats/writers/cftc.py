"""CFTC Part 45 report as JSON, with DRR's (CDM report) field names and nesting.

One event -> one JSON object (`write_one`); a batch is `{"recordCount": N, "reports": [...]}`.
Numbers are written from Decimal text, so 0.0253 stays 0.0253 (no float artefacts).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, BinaryIO

from shared.domain.lifecycle import regime_event_type
from shared.domain.model import ActionType, EventType, Leg, OptionTerms, Party, Price, TradeEvent
from shared.formats.writers.derive import (
    basis_points,
    day,
    decimal_text,
    frequency,
    is_lei,
    jurisdiction,
    leg_kind,
    timestamp,
)

ASSET_CLASSES = {"INTR": "InterestRate", "CURR": "ForeignExchange", "CRDT": "Credit",
                 "EQUI": "Equity", "COMM": "Commodity"}
STRIKE_NOTATION = {"MONE": "Monetary", "PERC": "Percentage", "DECI": "Decimal",
                   "YIEL": "Decimal", "BAPO": "Basis"}
PRICE_NOTATION = {"MONE": "Monetary", "PERC": "Decimal", "DECI": "Decimal", "YIEL": "Decimal",
                  "BAPO": "Basis"}
MESSAGE_TYPES = {"VALU": "Valuation", "MARU": "Collateral"}


class CftcPart45Writer:
    regime = "cftc-part45"
    media_type = "application/json"
    extension = ".json"

    def report(self, event: TradeEvent, *, reporting_timestamp: datetime) -> dict[str, Any]:
        return build(event, reporting_timestamp)

    def write_one(self, event: TradeEvent, *, reporting_timestamp: datetime) -> bytes:
        return dumps(self.report(event, reporting_timestamp=reporting_timestamp)).encode()

    def write_batch(self, events: Iterable[TradeEvent], out: BinaryIO, *,
                    reporting_timestamp: datetime) -> int:
        # streamed: the count goes last, once every report has been written
        count = 0
        out.write(b'{"reports": [')
        for event in events:
            if count:
                out.write(b",")
            out.write(dumps(self.report(event, reporting_timestamp=reporting_timestamp)).encode())
            count += 1
        out.write(f'], "recordCount": {count}}}'.encode())
        return count


def dumps(value: Any) -> str:
    """JSON with Decimal numbers written exactly (json.dumps would go through float).

    Texts and keys are escaped by the function json.dumps uses for them (its default
    encoder's `encode_basestring_ascii`), without its per-call set-up: a report has ~90."""
    if type(value) is str:
        return _json_text(value)
    if isinstance(value, dict):
        return "{" + ", ".join([_json_text(str(k)) + ": " + dumps(v)
                                for k, v in value.items() if v is not None]) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join([dumps(v) for v in value]) + "]"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, str):
        return _json_text(value)
    return json.dumps(value)


_json_text = json.encoder.encode_basestring_ascii  # what json.dumps(text) returns


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != {}:
        target[key] = value


def build(event: TradeEvent, reporting_timestamp: datetime) -> dict[str, Any]:
    r: dict[str, Any] = {}
    cp1, cp2 = event.counterparty_1, event.counterparty_2
    product = event.product
    juris = jurisdiction(event)
    _put(r, "actionType", str(event.action_type))
    _put(r, "allocationIndicator", event.allocation or "UNAL")
    _put(r, "blockTradeElectionIndicator", bool(event.block_trade))
    _put(r, "buyerIdentifier", event.buyer)
    _put(r, "sellerIdentifier", event.seller)
    _option_amounts(r, event.option)
    if event.credit is not None:
        _put(r, "cdSIndexAttachmentPoint", event.credit.attachment_point)
        _put(r, "cdSIndexDetachmentPoint", event.credit.detachment_point)
        _put(r, "indexFactor", event.credit.index_factor)
    guide: dict[str, Any] = {}
    _put(guide, "assetClass", ASSET_CLASSES.get(str(product.asset_class or "")))
    _put(guide, "messageType", MESSAGE_TYPES.get(str(event.action_type), "Trade State"))
    guide["physicalCommodityIndicator"] = False
    guide["sefOrDcmAnonymousExecutionIndicator"] = False
    guide["sefOrDcmIndicator"] = (event.execution_venue_type or "").upper() in ("SEF", "DCM")
    if juris in ("CFTC", "MIXX"):
        guide["largeNotionalOffFacilitySwapElectionIndicator"] = False
        _put(guide, "mandatoryClearingIndicator", event.clearing.mandatory_clearing)
    if event.option is not None:
        _put(guide, "optionStyle", event.option.exercise_style)
        _put(guide, "optionType", event.option.option_type)
        _put(guide, "maturityDateOfTheUnderlier", day(event.option.underlying_maturity_date))
    debt_forward = product.contract_type == "FORW" and product.asset_class == "INTR"
    if product.delivery_type and (product.settlement_currency or event.option is not None
                                  or product.asset_class == "EQUI" or debt_forward):
        guide["settlementType"] = product.delivery_type
    r["cftcGuidebook"] = guide
    _put(r, "cleared", str(event.clearing.cleared))
    _put(r, "clearingTimestamp", timestamp(event.clearing.clearing_timestamp))
    _counterparty(r, "counterparty1", cp1)
    _counterparty(r, "counterparty2", cp2)
    if cp2 is not None:
        r["counterparty2IdentifierSource"] = "LEID" if is_lei(cp2.identifier) else "NPID"
    _put(r, "customBasketIndicator", bool(product.custom_basket))
    _put(r, "effectiveDate", day(event.effective_date))
    _put(r, "eventIdentifier", event.event_id)
    # DRR passes the header's creation time through as written (its offset, every fractional
    # digit); a time without a zone is normalised to UTC
    _put(r, "eventTimestamp", event.event_timestamp_text or timestamp(event.event_timestamp))
    event_type = regime_event_type("cftc-part45", event.action_type, event.event_type)
    _put(r, "eventType", str(event_type) if event_type else None)
    if event.action_type is ActionType.MODI:
        # Tech. Spec. v3.2 "Amendment indicator" (MODI only): the modification reflects newly
        # agreed terms; unless the source says, a TRAD modification is one
        amended = event.amendment_indicator
        r["amendmentIndicator"] = amended if amended is not None else event_type is EventType.TRAD
    _put(r, "executionTimestamp", timestamp(event.execution_timestamp))
    _put(r, "expirationDate", day(event.expiration_date))
    _put(r, "finalContractualSettlementDate", day(event.final_settlement_date))
    _put(r, "exchangeRate", event.exchange_rate)
    _put(r, "exchangeRateBasis", event.exchange_rate_basis)
    if cp1 is not None:
        _put(r, "executionAgentCounterparty1", cp1.execution_agent)
    if cp2 is not None:
        _put(r, "executionAgentCounterparty2", cp2.execution_agent)
    if event.option is not None:
        _put(r, "firstExerciseDate", day(event.option.first_exercise_date))
    _put(r, "jurisdiction", juris)
    for index in (0, 1):
        leg = event.legs[index] if len(event.legs) > index else None
        r[f"leg{index + 1}"] = _leg(leg, event)
    if str(event.clearing.cleared) == "N" and event.action_type is not ActionType.EROR:
        # (an EROR restates no terms to qualify)
        # DRR states it only for swaps that are not (to be) cleared
        r["nonStandardizedTermIndicator"] = bool(event.non_standard_terms)
    _option_premium(r, event.option)
    _other_payments(r, event)
    _package(r, event)
    _put(r, "platformIdentifier", event.execution_venue)
    r["postPricedSwapIndicator"] = bool(event.post_priced)
    r["primeBrokerageTransactionIndicator"] = bool(event.prime_brokerage)
    _price(r, event.price)
    _put(r, "reportSubmittingEntityID", event.submitting_entity)
    _put(r, "reportingTimestamp", timestamp(reporting_timestamp))
    _put(r, "settlementLocation", product.settlement_location)
    _strike(r, event.option)
    _put(r, "uniqueProductIdentifier", product.upi)
    _put(r, "uniqueTransactionIdentifier", event.uti)
    _put(r, "priorUTI", event.prior_uti)  # the trade this one replaces (CDE prior UTI)
    return dict(sorted(r.items()))


def _counterparty(r: dict[str, Any], key: str, party: Party | None) -> None:
    if party is None:
        return
    r[key] = party.identifier
    r[f"{key}FederalEntityIndicator"] = bool(party.federal_entity)
    r[f"{key}FinancialEntityIndicator"] = bool(party.financial_entity)


def _leg(leg: Leg | None, event: TradeEvent) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if leg is not None:
        if leg.notional is not None:
            out["notionalAmount"] = leg.notional.amount
            out["notionalCurrency"] = leg.notional.currency
        sided = event.buyer is not None or event.seller is not None
        # with a buyer and a seller, legs carry no payer and receiver; DRR states them for a
        # variance swap's leg all the same (its variance payout names payer and receiver)
        if not sided or event.variance is not None:
            _put(out, "payerIdentifier", leg.payer)
            _put(out, "receiverIdentifier", leg.receiver)
        if event.option is None:  # an option's rate is its strike
            _put(out, "fixedRate", leg.fixed_rate)
        if leg.spread is not None and leg_kind(leg) == "FLOATING":
            out["spread"] = {"basis": basis_points(leg.spread)}
            out["spreadNotation"] = "Basis"
        _put(out, "settlementCurrency", leg.settlement_currency)
        if leg.fixing_date is not None and event.product.asset_class == "CURR":
            out["fixingDate"] = f"{leg.fixing_date.isoformat()}T00:00:00Z"
        _put(out, "totalNotionalQuantity", leg.total_quantity)
        _put(out, "quantityUnitOfMeasure", leg.quantity_unit)
        _put(out, "periodicPayment", _periodic(leg))
    # DRR always states the identifier format of both legs' payer and receiver
    out["payerIdentifierFormat"] = "Lei"
    out["receiverIdentifierFormat"] = "Lei"
    return dict(sorted(out.items()))


def _periodic(leg: Leg) -> dict[str, Any]:
    kind = leg_kind(leg)
    out: dict[str, Any] = {}
    if kind is None:
        return out
    prefix = "fixedRate" if kind == "FIXED" else "floatingRate"
    if kind == "FIXED" and leg.fixed_rate is None:
        return out  # a known-amount leg has no rate terms
    _put(out, f"{prefix}DayCountConvention", leg.day_count)
    pay = frequency(leg.payment_frequency)
    if pay:
        out[f"{prefix}PaymentFrequencyPeriod"] = pay[0]
        _put(out, f"{prefix}PaymentFrequencyPeriodMultiplier", pay[1])
    reset = frequency(leg.reset_frequency)
    if reset and kind == "FLOATING":
        out["floatingRateResetFrequencyPeriod"] = reset[0]
        _put(out, "floatingRateResetFrequencyMultiplier", reset[1])
    return out


def _option_amounts(r: dict[str, Any], option: OptionTerms | None) -> None:
    if option is None:
        return
    if option.call_amount is not None:
        r["callAmount"] = option.call_amount.amount
        r["callCurrency"] = option.call_amount.currency
    if option.put_amount is not None:
        r["putAmount"] = option.put_amount.amount
        r["putCurrency"] = option.put_amount.currency


def _option_premium(r: dict[str, Any], option: OptionTerms | None) -> None:
    if option is None:
        return
    if option.premium is not None:
        r["optionPremiumAmount"] = option.premium.amount
        r["optionPremiumCurrency"] = option.premium.currency
    _put(r, "optionPremiumPaymentDate", day(option.premium_payment_date))


def _strike(r: dict[str, Any], option: OptionTerms | None) -> None:
    if option is None or option.strike is None:
        return
    notation = STRIKE_NOTATION.get(option.strike_notation or "DECI", "Decimal")
    key = {"Monetary": "monetary", "Percentage": "percentage", "Basis": "basis"}.get(
        notation, "decimal")
    r["strikePrice"] = {key: option.strike}
    r["strikePriceNotation"] = notation
    _put(r, "strikePriceCurrency", option.strike_currency)


def _price(r: dict[str, Any], price: Price | None) -> None:
    if price is None:
        return
    if price.notation != "MONE":
        return  # DRR leaves percentage prices (e.g. a bond's clean price) out of Part 45
    r["priceNotation"] = "Monetary"
    r["price"] = {"monetary": price.value}
    _put(r, "priceCurrency", price.currency)


def _other_payments(r: dict[str, Any], event: TradeEvent) -> None:
    payments = []
    for p in event.other_payments:
        item: dict[str, Any] = {"amount": p.amount.amount, "currency": p.amount.currency}
        _put(item, "date", day(p.payment_date))
        _put(item, "payer", p.payer)
        if p.payer:
            item["payerFormat"] = "Lei"
        _put(item, "paymentType", p.payment_type)
        _put(item, "receiver", p.receiver)
        if p.receiver:
            item["receiverFormat"] = "Lei"
        payments.append(dict(sorted(item.items())))
    if payments:
        r["otherPayment"] = payments


def _package(r: dict[str, Any], event: TradeEvent) -> None:
    r["packageIndicator"] = bool(event.package_id)
    _put(r, "packageIdentifier", event.package_id)
    price = event.package_price
    if price is not None:
        notation = PRICE_NOTATION.get(price.notation or "MONE", "Monetary")
        key = {"Monetary": "monetary", "Basis": "basis"}.get(notation, "decimal")
        r["packageTransactionPrice"] = {key: price.value}
        r["packageTransactionPriceNotation"] = notation
        _put(r, "packageTransactionPriceCurrency", price.currency)
    spread = event.package_spread
    if spread is not None:
        r["packageTransactionSpread"] = {"basis": spread.value}
        r["packageTransactionSpreadNotation"] = "Basis"
        _put(r, "packageTransactionSpreadCurrency", spread.currency)
