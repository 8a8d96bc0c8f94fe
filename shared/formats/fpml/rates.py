"""Interest-rate products: swap (IRS, OIS, basis, cross-currency, inflation, zero coupon), FRA,
cap/floor, swaption, bond option and debt forwards (genericProduct)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from shared.domain.model import AssetClass, Money, NotionalStep, Underlier
from shared.formats.fpml.common import (
    adjustable_date,
    classify,
    exercise_element,
    fill_exercise,
    money,
    option_terms,
    payment,
    period,
    premium,
    ref_or_self,
)
from shared.formats.fpml.terms import LegTerms, OptionData, Terms
from shared.formats.fpml.xml import (
    Element,
    decimal,
    find,
    findall,
    href,
    integer,
    local,
    text,
    to_date,
)


def stream_leg(stream: Element, ids: dict[str, Element]) -> LegTerms:
    """One swapStream / capFloorStream as a leg."""
    leg = LegTerms(payer=href(stream, "payerPartyReference"),
                   receiver=href(stream, "receiverPartyReference"))
    dates = ref_or_self(find(stream, "calculationPeriodDates"), ids)
    leg.effective_date = adjustable_date(find(dates, "effectiveDate"))
    leg.end_date = adjustable_date(find(dates, "terminationDate"))
    pay = find(stream, "paymentDates")
    leg.payment_frequency = period(find(pay, "paymentFrequency"))
    leg.reset_frequency = period(find(stream, "resetDates/resetFrequency"))
    amount = find(stream, "calculationPeriodAmount")
    calc = find(amount, "calculation")
    _notional(leg, calc, amount, ids)
    if calc is not None:
        leg.day_count = text(calc, "dayCountFraction")
        fixed = find(calc, "fixedRateSchedule")
        floating = find(calc, "floatingRateCalculation")
        inflation = find(calc, "inflationRateCalculation")
        if fixed is not None:
            leg.rate_type = "FIXED"
            leg.fixed_rate = decimal(fixed, "initialValue")
        elif inflation is not None:
            leg.rate_type = "INFLATION"
            leg.floating_index = text(inflation, "floatingRateIndex")
            leg.floating_tenor = period(find(inflation, "indexTenor"))
            leg.spread = decimal(inflation, "spreadSchedule/initialValue")
        elif floating is not None:
            leg.rate_type = "FLOATING"
            leg.floating_index = text(floating, "floatingRateIndex")
            leg.floating_tenor = period(find(floating, "indexTenor"))
            leg.spread = decimal(floating, "spreadSchedule/initialValue")
    if find(amount, "knownAmountSchedule") is not None:
        leg.rate_type = leg.rate_type or "FIXED"
    leg.settlement_currency = (text(stream, "settlementProvision/settlementCurrency")
                               or text(stream, "cashSettlement/settlementCurrency"))
    return leg


def _notional(leg: LegTerms, calc: Element | None, amount: Element | None,
              ids: dict[str, Element]) -> None:
    schedule = ref_or_self(find(calc, "notionalSchedule"), ids)
    ref = find(schedule, "notionalStepScheduleReference")
    if ref is not None:
        schedule = ids.get(ref.get("href") or "", schedule)
    step = find(schedule, "notionalStepSchedule") if schedule is not None else None
    if step is None and schedule is not None and local(schedule) == "notionalStepSchedule":
        step = schedule
    if step is not None:
        value, ccy = decimal(step, "initialValue"), text(step, "currency")
        if value is not None and ccy:
            leg.notional = Money(amount=value, currency=ccy)
        for s in findall(step, "step"):
            when, amt = to_date(s, "stepDate"), decimal(s, "stepValue")
            if when and amt is not None:
                leg.notional_schedule.append(NotionalStep(effective_date=when, amount=amt))
        return
    linked = find(calc, "fxLinkedNotionalSchedule")
    if linked is not None:
        value = decimal(linked, "initialValue")
        ccy = text(linked, "varyingNotionalCurrency")
        if value is not None and ccy:
            leg.notional = Money(amount=value, currency=ccy)
        return
    known = find(amount, "knownAmountSchedule")
    if known is not None:
        value, ccy = decimal(known, "initialValue"), text(known, "currency")
        if value is not None and ccy:
            leg.notional = Money(amount=value, currency=ccy)


def _known_amounts(streams: list[Element], legs: list[LegTerms]) -> None:
    """A known-amount (fixed amount) leg is sized by the other leg's notional in the same
    currency; the known amount is a payment, not a notional."""
    for stream, leg in zip(streams, legs, strict=False):
        known = find(stream, "calculationPeriodAmount/knownAmountSchedule")
        if known is None or leg.notional is None:
            continue
        other = next((o.notional for o in legs if o is not leg and o.notional
                      and o.notional.currency == leg.notional.currency), None)
        if other is not None:
            leg.notional = other


def _fx_linked_currency(streams: list[Element], legs: list[LegTerms]) -> None:
    """An FX-resetting leg without an initial amount takes the other currency's name."""
    for stream, leg in zip(streams, legs, strict=False):
        linked = find(stream, "calculationPeriodAmount/calculation/fxLinkedNotionalSchedule")
        if linked is not None and leg.notional is None:
            ccy = text(linked, "varyingNotionalCurrency")
            if ccy:
                leg.notional = Money(amount=Decimal(0), currency=ccy)


def swap(product: Element, ids: dict[str, Element]) -> Terms:
    terms = Terms(asset_class=AssetClass.INTR, contract_type="SWAP", instrument_type="Swap")
    classify(product, terms)
    streams = findall(product, "swapStream")
    terms.legs = [stream_leg(s, ids) for s in streams]
    _fx_linked_currency(streams, terms.legs)
    _known_amounts(streams, terms.legs)
    if terms.legs:
        terms.first_party = terms.legs[0].payer
        starts = [leg.effective_date for leg in terms.legs if leg.effective_date]
        ends = [leg.end_date for leg in terms.legs if leg.end_date]
        terms.effective_date = min(starts) if starts else None
        terms.expiration_date = max(ends) if ends else None
        terms.settlement_date = terms.expiration_date
    _settlement(terms)
    for node in findall(product, "additionalPayment"):
        paid = payment(node, _payment_type(node))
        if paid:
            terms.other_payments.append(paid)
    return terms


def _payment_type(el: Element) -> str | None:
    kind = (text(el, "paymentType") or "").lower()
    if "upfront" in kind or not kind:
        return "UFRO"
    if "unwind" in kind or "termination" in kind:
        return "UWIN"
    if "principal" in kind:
        return "PEXH"
    return "UFRO"


def _settlement(terms: Terms) -> None:
    ccys = [leg.settlement_currency for leg in terms.legs if leg.settlement_currency]
    if ccys:
        terms.settlement_currency = ccys[0]
        terms.delivery_type = "CASH"


def cap_floor(product: Element, ids: dict[str, Element]) -> Terms:
    terms = Terms(asset_class=AssetClass.INTR, contract_type="OPTN", instrument_type="Option")
    classify(product, terms)
    stream = find(product, "capFloorStream")
    leg = stream_leg(stream, ids) if stream is not None else LegTerms()
    terms.first_party = leg.payer
    # CDM takes the stream's payer as the option buyer; the stream's parties are not
    # reported as leg payer and receiver
    terms.buyer, terms.seller = leg.payer, leg.receiver
    leg.payer = leg.receiver = None
    terms.legs = [leg]
    terms.effective_date, terms.expiration_date = leg.effective_date, leg.end_date
    terms.settlement_date = leg.end_date
    option = OptionData(exercise_style="EURO")
    calc = find(stream, "calculationPeriodAmount/calculation/floatingRateCalculation")
    cap = decimal(calc, "capRateSchedule/initialValue")
    floor = decimal(calc, "floorRateSchedule/initialValue")
    option.option_type = "CALL" if cap is not None and floor is None else (
        "PUTO" if floor is not None and cap is None else "OTHR")
    option.strike = cap if cap is not None else floor
    option.strike_notation = "DECI"
    amount, when, _payer, _receiver = premium(find(product, "premium"))
    option.premium, option.premium_payment_date = amount, when
    terms.option = option
    _settlement(terms)
    if terms.settlement_currency is None and stream is not None:
        terms.settlement_currency = text(stream, "settlementProvision/settlementCurrency")
    return terms


def fra(product: Element, ids: dict[str, Element]) -> Terms:
    terms = Terms(asset_class=AssetClass.INTR, contract_type="FRAS", instrument_type="Forward",
                  report_sides=False)
    classify(product, terms)
    terms.buyer = href(product, "buyerPartyReference")
    terms.seller = href(product, "sellerPartyReference")
    terms.first_party = terms.buyer
    notional = money(find(product, "notional"))
    start = to_date(product, "adjustedEffectiveDate")
    end = to_date(product, "adjustedTerminationDate")
    terms.effective_date, terms.expiration_date, terms.settlement_date = start, end, end
    dcf = text(product, "dayCountFraction")
    # the buyer pays the fixed rate and receives the floating rate
    fixed = LegTerms(payer=terms.buyer, receiver=terms.seller, rate_type="FIXED",
                     notional=notional, fixed_rate=decimal(product, "fixedRate"),
                     day_count=dcf, payment_frequency=period(find(product, "indexTenor")))
    floating = LegTerms(payer=terms.seller, receiver=terms.buyer, rate_type="FLOATING",
                        notional=notional, floating_index=text(product, "floatingRateIndex"),
                        floating_tenor=period(find(product, "indexTenor")), day_count=dcf)
    floating.fixing_date = _fra_fixing(product, start)
    terms.legs = [fixed, floating]
    return terms


def _fra_fixing(product: Element, start: date | None) -> date | None:
    """The FRA's fixing date: the fixingDateOffset (business days) from its start date."""
    offset = find(product, "fixingDateOffset")
    days = integer(offset, "periodMultiplier") if offset is not None else None
    if start is None or days is None or (text(offset, "period") or "D") != "D":
        return None
    step = -1 if days < 0 else 1
    current, remaining = start, abs(days)
    business = (text(offset, "dayType") or "Business").lower() == "business"
    while remaining:
        current = current + timedelta(days=step)
        if not business or current.weekday() < 5:
            remaining -= 1
    return current


def swaption(product: Element, ids: dict[str, Element]) -> Terms:
    terms = Terms(asset_class=AssetClass.INTR, contract_type="SWPT", instrument_type="Option")
    classify(product, terms)
    terms.buyer = href(product, "buyerPartyReference")
    terms.seller = href(product, "sellerPartyReference")
    terms.first_party = terms.buyer
    underlying = swap(find(product, "swap"), ids) if find(product, "swap") is not None else None
    option = OptionData()
    kind = (text(product, "optionType") or "").lower()
    option.option_type = {"payer": "CALL", "receiver": "PUTO", "call": "CALL",
                          "put": "PUTO"}.get(kind, "OTHR")
    if (text(product, "swaptionStraddle") or "").lower() == "true":
        option.option_type = "OTHR"
    fill_exercise(option, exercise_element(product))
    amount, when, _payer, _receiver = premium(find(product, "premium"))
    option.premium, option.premium_payment_date = amount, when
    if underlying is not None:
        terms.legs = underlying.legs
        option.underlying_maturity_date = underlying.expiration_date
        fixed = next((leg.fixed_rate for leg in underlying.legs if leg.fixed_rate is not None),
                     None)
        option.strike, option.strike_notation = fixed, "DECI"
    terms.expiration_date = option.expiration_date
    ends = [d for d in (option.expiration_date,
                        underlying.expiration_date if underlying else None) if d]
    terms.settlement_date = max(ends) if ends else None
    terms.option = option
    cash = find(product, "cashSettlement")
    if cash is not None:
        terms.delivery_type = "CASH"
        terms.settlement_currency = (text(cash, "cashPriceMethod/cashSettlementCurrency")
                                     or text(cash, "cashPriceAlternateMethod/"
                                                   "cashSettlementCurrency")
                                     or text(cash, "settlementCurrency"))
    elif text(product, "physicalSettlement") is not None or find(
            product, "physicalSettlement") is not None:
        terms.delivery_type = "PHYS"
    return terms


def bond_option(product: Element, ids: dict[str, Element]) -> Terms:
    terms, option = option_terms(product, AssetClass.INTR)
    fill_exercise(option, exercise_element(product))
    amount, when, _payer, _receiver = premium(find(product, "premium"))
    option.premium, option.premium_payment_date = amount, when
    option.strike = (decimal(product, "strike/price/strikePrice")
                     or decimal(product, "strike/referenceSwapCurve/..") or None)
    option.strike_currency = text(product, "strike/price/currency")
    option.strike_notation = "DECI"
    terms.option = option
    notional = money(find(product, "notionalAmount"))
    terms.legs = [LegTerms(notional=notional)]
    terms.expiration_date = option.expiration_date
    terms.effective_date = option.expiration_date
    terms.settlement_date = option.expiration_date
    settlement = (text(product, "settlementType") or "").lower()
    terms.delivery_type = {"physical": "PHYS", "cash": "CASH", "election": "OPTL"}.get(settlement)
    for instrument in findall(product, "bond/instrumentId") + findall(
            product, "convertibleBond/instrumentId"):
        if "isin" in (instrument.get("instrumentIdScheme") or "").lower():
            terms.underliers.append(Underlier(identifier=text(instrument) or "", source="ISIN"))
            break
    return terms


def generic_forward(product: Element, ids: dict[str, Element]) -> Terms:
    """genericProduct used for debt forwards (InterestRate:Forward:Debt) and the like."""
    terms = Terms(asset_class=_asset_class(text(product, "primaryAssetClass")))
    classify(product, terms)
    taxonomy = (terms.taxonomy or "").lower()
    terms.contract_type = "FORW" if "forward" in taxonomy else (
        "OPTN" if "option" in taxonomy else "SWAP")
    terms.instrument_type = {"FORW": "Forward", "OPTN": "Option"}.get(terms.contract_type,
                                                                       "Swap")
    # CDM reads a generic product's parties the other way round: the FpML seller is the
    # CDM buyer (and Party1); DRR reports them so
    terms.buyer = href(product, "sellerPartyReference")
    terms.seller = href(product, "buyerPartyReference")
    terms.first_party = terms.buyer or terms.seller
    terms.effective_date = adjustable_date(find(product, "effectiveDate"))
    terms.expiration_date = (adjustable_date(find(product, "terminationDate"))
                             or adjustable_date(find(product, "expirationDate")))
    terms.settlement_date = terms.expiration_date
    terms.legs = [LegTerms(notional=money(find(product, "notional")))]
    settlement = (text(product, "settlementType") or "").lower()
    terms.delivery_type = {"physical": "PHYS", "cash": "CASH"}.get(settlement)
    for instrument in findall(product, "underlyer/bond/instrumentId") + findall(
            product, "underlyer/equity/instrumentId"):
        if "isin" in (instrument.get("instrumentIdScheme") or "").lower():
            terms.underliers.append(Underlier(identifier=text(instrument) or "", source="ISIN"))
            break
    return terms


def _asset_class(primary: str | None) -> AssetClass | None:
    value = (primary or "").lower().replace(" ", "")
    return {"interestrate": AssetClass.INTR, "foreignexchange": AssetClass.CURR,
            "credit": AssetClass.CRDT, "equity": AssetClass.EQUI,
            "commodity": AssetClass.COMM}.get(value)


asset_class = _asset_class
