"""Commodity products (FpML 5.10 commodity derivatives: commoditySwap with fixed and floating
legs, commodityForward, commodityOption, commoditySwaption) and the equity variance swap
(varianceSwap), as DRR reads them.

How DRR (CDM's FpML mapping) sees a commodity swap, which this module follows:
- CDM lists a commodity swap's floating (commodity price) payouts before its fixed price ones,
  so counterparty 1 is the payer of the first floating leg; the reported legs are then ordered
  fixed first (the mapper's leg order).
- A leg's notional amount is the fixed price times the leg's total notional quantity, in the
  price currency, on both legs (a floating leg is sized by the same quantity); with no fixed
  price (two floating legs, a single floating leg) no notional amount is reported.
- A strip of several fixed or several floating legs (one per period) is not a two-leg swap:
  DRR reports no leg terms for it (no direction, notional or price).
- A commodity swap with a single leg is a forward (CtrctTp FORW), reported with buyer and
  seller: the payer of the leg is the buyer.
- The settlement currency (commoditySwap/settlementCurrency) belongs to the first floating
  (commodity) payout; it is the trade's settlement currency when that is the first reported
  leg, i.e. when the swap has no fixed price leg, and leg 2's otherwise.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.domain.model import AssetClass, Money, Period, PeriodUnit, Underlier
from shared.formats.fpml.common import (
    adjustable_date,
    classify,
    exercise_element,
    fill_exercise,
    option_terms,
    period,
    premium,
    product_types,
)
from shared.formats.fpml.equity import _underliers as equity_underliers
from shared.formats.fpml.terms import LegTerms, OptionData, Terms
from shared.formats.fpml.xml import (
    Element,
    decimal,
    find,
    findall,
    href,
    local,
    text,
)

# FpML physically settled commodity legs (commoditySwap's choice of leg types)
PHYSICAL_LEGS = ("gasPhysicalLeg", "oilPhysicalLeg", "electricityPhysicalLeg",
                 "coalPhysicalLeg", "environmentalPhysicalLeg", "bullionPhysicalLeg",
                 "metalPhysicalLeg")


def _fixed_price(leg: Element | None) -> tuple[Decimal | None, str | None, str | None]:
    """(price, currency, price unit) of a fixed leg's fixedPrice (or a forward's price)."""
    price = find(leg, "fixedPrice")
    if price is None:
        return None, None, None
    return (decimal(price, "price"), text(price, "priceCurrency"), text(price, "priceUnit"))


def _quantity(leg: Element | None) -> tuple[Decimal | None, Decimal | None, str | None,
                                            str | None]:
    """(total quantity, per-period quantity, unit, frequency) of a commodity leg: a financial
    leg's notionalQuantity, a physical leg's (delivery) physicalQuantity."""
    notional = next((node for node in (find(leg, path) for path in (
        "notionalQuantity", "physicalQuantity", "deliveryQuantity/physicalQuantity"))
        if node is not None), None)
    total = next((value for value in (decimal(leg, path) for path in (
        "totalNotionalQuantity", "totalPhysicalQuantity/quantity",
        "deliveryQuantity/totalPhysicalQuantity/quantity")) if value is not None), None)
    per_period = decimal(notional, "quantity")
    unit = text(notional, "quantityUnit")
    frequency = text(notional, "quantityFrequency")
    if total is None and (frequency or "").lower() in ("term", "percalculationperiod"):
        total = per_period  # once for the whole term: the total is that quantity
    return total, per_period, unit, frequency


# where a commodity leg names the calculation periods it shares with another leg
_SCHEDULE_REFERENCES = ("calculationPeriodsScheduleReference",
                        "calculation/pricingDates/calculationPeriodsScheduleReference",
                        "relativePaymentDates/calculationPeriodsScheduleReference")


def _calculation_period(leg: Element | None, ids: dict[str, Element]) -> Period | None:
    """The frequency of a commodity leg's calculation periods (FpML calculationPeriodsSchedule,
    its own or the one it references); periods listed date by date (calculationPeriods) are ad
    hoc. A quantity stated PerCalculationPeriod is per one of these periods."""
    schedule = find(leg, "calculationPeriodsSchedule")
    if schedule is None:
        ref = next((value for value in (href(leg, path) for path in _SCHEDULE_REFERENCES)
                    if value), None)
        schedule = ids.get(ref) if ref else None
    found = period(schedule)
    if found is not None:
        return found
    if find(leg, "calculationPeriods") is not None or href(leg, "calculationPeriodsReference"):
        return Period(unit=PeriodUnit.ADHOC, multiplier=0)
    return None


def _commodity_texts(product: Element) -> tuple[list[str], list[str]]:
    """(taxonomy texts, reference prices) that place the trade in the commodity classification:
    the product taxonomy and commodityBase, then each commodity's reference price and details."""
    taxonomy = [value for scheme, value in product_types(product).items()
                if "taxonomy" in scheme or "commodity-base" in scheme]
    taxonomy += [t for t in (text(c, "commodityBase") for c in
                             product.iter("{*}commodity")) if t]
    prices: list[str] = []
    for commodity in product.iter("{*}commodity"):
        for path in ("instrumentId", "commodityDetails", "description"):
            value = text(commodity, path)
            if value:
                prices.append(value)
    return taxonomy, prices


def _underliers(product: Element) -> list[Underlier]:
    """Each commodity reference price (ISDA Commodity Definitions name, FpML
    commodity-reference-price scheme), once."""
    found: list[Underlier] = []
    for commodity in product.iter("{*}commodity"):
        name = text(commodity, "instrumentId")
        if name and all(u.identifier != name for u in found):
            found.append(Underlier(identifier=name, source="FPML",
                                   name=text(commodity, "description")))
    return found


def _base_terms(product: Element, contract_type: str, instrument: str) -> Terms:
    terms = Terms(asset_class=AssetClass.COMM, contract_type=contract_type,
                  instrument_type=instrument)
    classify(product, terms)
    terms.underliers = _underliers(product)
    terms.commodity_texts = _commodity_texts(product)
    return terms


def _leg_terms(leg: Element, fixed: Element | None,
               ids: dict[str, Element] | None = None) -> LegTerms:
    total, per_period, unit, frequency = _quantity(leg)
    out = LegTerms(payer=href(leg, "payerPartyReference"),
                   receiver=href(leg, "receiverPartyReference"),
                   rate_type="FIXED" if local(leg) == "fixedLeg" else "OTHER",
                   quantity=per_period, total_quantity=total, quantity_unit=unit,
                   quantity_frequency=frequency,
                   calculation_period=_calculation_period(leg, ids or {}))
    price, currency, _unit = _fixed_price(fixed)
    if price is not None and currency and total is not None:
        out.notional = Money(amount=price * total, currency=currency)
    spread = find(leg, "calculation/spread")
    if spread is not None and decimal(spread, "amount") is not None:
        # a floating commodity leg's spread is a price per unit, in money (EMIR Sprd/MntryVal)
        out.spread = decimal(spread, "amount")
        out.spread_currency = text(spread, "currency")
    return out


def _swap_legs(swap: Element) -> tuple[list[Element], list[Element]]:
    fixed = findall(swap, "fixedLeg")
    floating = findall(swap, "floatingLeg") + [
        leg for name in PHYSICAL_LEGS for leg in findall(swap, name)]
    return fixed, floating


def _dates(swap: Element) -> tuple[date | None, date | None]:
    return (adjustable_date(find(swap, "effectiveDate")),
            adjustable_date(find(swap, "terminationDate")))


def swap(product: Element, ids: dict[str, Element]) -> Terms:
    fixed, floating = _swap_legs(product)
    legs = fixed + floating
    single = len(legs) == 1
    terms = _base_terms(product, "FORW" if single else "SWAP", "Forward" if single else "Swap")
    terms.effective_date, terms.expiration_date = _dates(product)
    terms.settlement_date = terms.expiration_date
    physical = any(local(leg) in PHYSICAL_LEGS for leg in legs)
    terms.delivery_type = "PHYS" if physical else "CASH"
    settlement_ccy = text(product, "settlementCurrency")
    first = floating[0] if floating else (fixed[0] if fixed else None)
    terms.first_party = href(first, "payerPartyReference")
    if single:
        leg = _leg_terms(legs[0], legs[0] if fixed else None, ids)
        terms.buyer, terms.seller = leg.payer, leg.receiver
        terms.legs = [leg]
    elif len(fixed) <= 1 and len(floating) <= 2 and len(legs) == 2:
        fixed_leg = fixed[0] if fixed else None
        terms.legs = [_leg_terms(leg, fixed_leg, ids) for leg in legs]
        terms.report_sides = False
        price, currency, _unit = _fixed_price(fixed_leg)
        if price is not None:
            terms.price, terms.price_currency, terms.price_notation = price, currency, "MONE"
    else:
        # a strip (several fixed or floating legs): no leg DRR can report as leg 1 or 2
        terms.legs = [LegTerms()]
        terms.report_sides = False
    if settlement_ccy and not physical:
        # CDM maps commoditySwap/settlementCurrency onto the first floating (commodity price)
        # payout only; a fixed price payout has no settlement terms. The trade's settlement
        # currency (leg 1's) is stated when that payout is the first reported leg.
        if not fixed:
            terms.settlement_currency = settlement_ccy
        if len(terms.legs) == len(legs) and floating:  # legs are fixed first, then floating
            terms.legs[len(fixed)].settlement_currency = settlement_ccy
        elif not fixed:
            for leg_terms in terms.legs:
                leg_terms.settlement_currency = settlement_ccy
    return terms


def forward(product: Element, ids: dict[str, Element]) -> Terms:
    """commodityForward: a fixed price paid against a (physically or cash) delivered
    commodity; the fixed leg's payer buys."""
    terms = _base_terms(product, "FORW", "Forward")
    fixed = find(product, "fixedLeg")
    physical = next((leg for name in PHYSICAL_LEGS for leg in findall(product, name)), None)
    terms.buyer = href(fixed, "payerPartyReference")
    terms.seller = href(fixed, "receiverPartyReference")
    terms.first_party = terms.buyer
    terms.effective_date = adjustable_date(find(product, "effectiveDate"))
    terms.expiration_date = adjustable_date(find(product, "valueDate")) or adjustable_date(
        find(product, "terminationDate"))
    terms.settlement_date = terms.expiration_date
    terms.delivery_type = "PHYS" if physical is not None else "CASH"
    sized = physical if physical is not None else fixed
    leg = _leg_terms(sized, fixed) if sized is not None else LegTerms()
    leg.payer, leg.receiver, leg.rate_type = terms.buyer, terms.seller, "FIXED"
    terms.legs = [leg]
    price, currency, _unit = _fixed_price(fixed)
    if price is None:
        price, currency = decimal(fixed, "totalPrice/amount"), text(fixed, "totalPrice/currency")
    if price is not None:
        terms.price, terms.price_currency, terms.price_notation = price, currency, "MONE"
    if terms.delivery_type == "CASH":
        terms.settlement_currency = text(product, "settlementCurrency")
    return terms


def _expiration(exercise: Element | None) -> date | None:
    """The expiry of an exercise element: expirationDate or (a commodity option's)
    expirationDates."""
    return (adjustable_date(find(exercise, "expirationDate"))
            or adjustable_date(find(exercise, "expirationDates")))


def option(product: Element, ids: dict[str, Element]) -> Terms:
    """commodityOption: an option on a commodity price (average or plain), cash or physical."""
    terms, data = option_terms(product, AssetClass.COMM)
    terms.underliers = _underliers(product)
    terms.commodity_texts = _commodity_texts(product)
    exercise = _first(product, "exercise", "physicalExercise")
    _fill_exercise(data, exercise)
    physical = find(product, "physicalExercise") is not None or any(
        find(product, name) is not None for name in PHYSICAL_LEGS)
    terms.delivery_type = "PHYS" if physical else "CASH"
    if not physical:
        terms.settlement_currency = text(exercise, "settlementCurrency")
    strike = find(product, "strikePricePerUnit")
    data.strike = decimal(strike, "amount")
    if data.strike is not None:
        data.strike_currency, data.strike_notation = text(strike, "currency"), "MONE"
    amount, when, _payer, _receiver = premium(find(product, "premium"))
    data.premium, data.premium_payment_date = amount, when
    terms.option = data
    total, per_period, unit, frequency = _quantity(product)
    leg = LegTerms(total_quantity=total, quantity=per_period, quantity_unit=unit,
                   quantity_frequency=frequency,
                   calculation_period=_calculation_period(product, ids))
    if data.strike is not None and data.strike_currency and total is not None:
        leg.notional = Money(amount=data.strike * total, currency=data.strike_currency)
    terms.legs = [leg]
    # an option takes effect when traded (the mapper's trade date); it settles at the end of
    # its calculation periods
    terms.expiration_date = data.expiration_date
    terms.settlement_date = adjustable_date(find(product, "terminationDate")) or (
        data.expiration_date)
    return terms


def swaption(product: Element, ids: dict[str, Element]) -> Terms:
    """commoditySwaption: the right to enter the underlying commoditySwap; its strike is the
    underlying swap's fixed price, its size the fixed leg's quantity."""
    terms, data = option_terms(product, AssetClass.COMM)
    terms.contract_type = "SWPT"
    underlying = find(product, "commoditySwap")
    terms.underliers = _underliers(product)
    terms.commodity_texts = _commodity_texts(product)
    exercise = _first(product, "physicalExercise", "exercise")
    _fill_exercise(data, exercise)
    # exercising a swaption delivers the swap: physically settled unless stated in cash
    cash = find(product, "exercise") is not None and find(product, "physicalExercise") is None
    terms.delivery_type = "CASH" if cash else "PHYS"
    if cash:
        terms.settlement_currency = text(underlying, "settlementCurrency")
    fixed, floating = _swap_legs(underlying) if underlying is not None else ([], [])
    fixed_leg = fixed[0] if fixed else None
    price, currency, _unit = _fixed_price(fixed_leg)
    if price is not None:
        data.strike, data.strike_currency, data.strike_notation = price, currency, "MONE"
    amount, when, _payer, _receiver = premium(find(product, "premium"))
    data.premium, data.premium_payment_date = amount, when
    _start, end = _dates(underlying) if underlying is not None else (None, None)
    data.underlying_maturity_date = end
    terms.option = data
    sized = fixed_leg if fixed_leg is not None else (floating[0] if floating else None)
    leg = _leg_terms(sized, fixed_leg, ids) if sized is not None else LegTerms()
    leg.payer = leg.receiver = None
    leg.spread = leg.spread_currency = None  # the swap's terms are not the option's legs
    terms.legs = [leg]
    terms.expiration_date = data.expiration_date
    terms.settlement_date = end or data.expiration_date
    return terms


def _first(el: Element, *paths: str) -> Element | None:
    """The first of `paths` present (an lxml element without children is falsy: no `or`)."""
    return next((node for node in (find(el, p) for p in paths) if node is not None), None)


def _fill_exercise(data: OptionData, exercise: Element | None) -> None:
    style = exercise_element(exercise) if exercise is not None else None
    fill_exercise(data, style)
    data.expiration_date = data.expiration_date or _expiration(style)
    if data.exercise_style == "EURO":
        data.first_exercise_date = data.expiration_date
    data.first_exercise_date = data.first_exercise_date or data.expiration_date


def variance_swap(product: Element, ids: dict[str, Element]) -> Terms:
    """varianceSwap (equity): the variance leg's payer pays the realised variance, so its
    receiver is the buyer (long variance); the leg's notional is the variance amount."""
    terms = Terms(asset_class=AssetClass.EQUI, contract_type="SWAP", instrument_type="Swap")
    classify(product, terms)
    leg_el = find(product, "varianceLeg")
    variance = find(leg_el, "amount/variance")
    payer, receiver = href(leg_el, "payerPartyReference"), href(leg_el, "receiverPartyReference")
    terms.first_party = payer
    terms.buyer, terms.seller = receiver, payer
    amount = variance.find("{*}varianceAmount") if variance is not None else None
    notional = None
    if amount is not None and decimal(amount, "amount") is not None and text(amount,
                                                                             "currency"):
        notional = Money(amount=decimal(amount, "amount"),  # type: ignore[arg-type]
                         currency=text(amount, "currency"))  # type: ignore[arg-type]
    terms.legs = [LegTerms(payer=payer, receiver=receiver, rate_type="OTHER",
                           notional=notional)]
    kind = (text(leg_el, "settlementType") or "").lower()
    terms.delivery_type = {"cash": "CASH", "physical": "PHYS", "election": "OPTL"}.get(kind)
    # FpML's optional leg dates; the final valuation date is not the contract's expiry
    terms.effective_date = adjustable_date(find(leg_el, "effectiveDate"))
    terms.expiration_date = adjustable_date(find(leg_el, "terminationDate"))
    terms.settlement_date = terms.expiration_date
    terms.underliers, _unit, _basket = equity_underliers(find(leg_el, "underlyer"))
    volatility = decimal(variance, "volatilityStrikePrice")
    strike = decimal(variance, "varianceStrikePrice")
    if strike is None and volatility is not None:
        strike = volatility * volatility  # variance points are volatility points squared
    terms.variance = {"variance_amount": notional, "vega_notional":
                      decimal(variance, "vegaNotionalAmount"),
                      "volatility_strike": volatility, "variance_strike": strike}
    return terms
