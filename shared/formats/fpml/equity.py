"""Equity products: options on a share, an index or a basket, total/price return swaps
(returnSwap, incl. portfolio swaps) and dividend swaps; equity forwards as equityForward."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.domain.model import AssetClass, Money, Period, PeriodUnit, Underlier
from shared.formats.fpml.common import (
    adjustable_date,
    classify,
    exercise_element,
    fill_exercise,
    money,
    option_terms,
    period,
    premium,
    product_id_type,
)
from shared.formats.fpml.terms import LegTerms, Terms
from shared.formats.fpml.xml import (
    Element,
    children,
    decimal,
    find,
    findall,
    href,
    local,
    text,
)


def _underliers(underlyer: Element | None) -> tuple[list[Underlier], str | None, bool]:
    """(underliers, unit of measure, is a basket) of an FpML `underlyer`."""
    if underlyer is None:
        return [], None, False
    found: list[Underlier] = []
    basket = find(underlyer, "basket")
    single = find(underlyer, "singleUnderlyer")
    assets = (findall(basket, "basketConstituent/*") if basket is not None
              else children(single))
    unit = None
    for asset in assets:
        kind = local(asset)
        if kind not in ("equity", "index", "bond", "convertibleBond", "future", "mutualFund",
                        "exchangeTradedFund"):
            continue
        unit = unit or ("IPNT" if kind == "index" else "SHAS")
        isin = next((text(i) for i in findall(asset, "instrumentId")
                     if "isin" in (i.get("instrumentIdScheme") or "").lower()), None)
        other_id = find(asset, "instrumentId")
        other = text(other_id)
        if isin or other:
            first = find(asset, "instrumentId")
            scheme = first.get("instrumentIdScheme") if first is not None else None
            found.append(Underlier(identifier=isin or other or "", source="ISIN" if isin else
                                   "OTHR", name=other if isin else None,
                                   id_scheme="ISIN" if isin else product_id_type(scheme)))
    is_basket = basket is not None and len(findall(basket, "basketConstituent")) > 1
    return found, (None if is_basket else unit), is_basket


def _in_basket(underlyer: Element | None) -> bool:
    return find(underlyer, "basket") is not None


def _settlement(terms: Terms, el: Element | None) -> None:
    kind = (text(el, "settlementType") or "").lower()
    terms.delivery_type = {"cash": "CASH", "physical": "PHYS", "election": "OPTL"}.get(
        kind, terms.delivery_type)
    terms.settlement_currency = text(el, "settlementCurrency") or terms.settlement_currency


def option(product: Element, ids: dict[str, Element]) -> Terms:
    terms, data = option_terms(product, AssetClass.EQUI)
    exercise = find(product, "equityExercise")
    fill_exercise(data, exercise_element(product))
    _settlement(terms, exercise)
    strike = find(product, "strike")
    data.strike = decimal(strike, "strikePrice")
    if data.strike is not None:
        data.strike_notation = "MONE"
        # a strike without its own currency is in the settlement (or premium) currency
        data.strike_currency = (text(strike, "currency") or text(exercise, "settlementCurrency")
                                or text(product, "equityPremium/paymentAmount/currency"))
    elif decimal(strike, "strikePercentage") is not None:
        data.strike, data.strike_notation = decimal(strike, "strikePercentage"), "PERC"
    amount, when, _payer, _receiver = premium(find(product, "equityPremium"))
    data.premium, data.premium_payment_date = amount, when
    terms.option = data
    underliers, unit, basket = _underliers(find(product, "underlyer"))
    terms.underliers = underliers
    terms.underlier_basket = _in_basket(find(product, "underlyer"))
    count = decimal(product, "numberOfOptions")
    entitlement = decimal(product, "optionEntitlement") or Decimal(1)
    leg = LegTerms()
    if count is not None and not basket:
        leg.total_quantity = count * entitlement
        leg.quantity_unit = unit
        if data.strike is not None and data.strike_notation == "MONE" and data.strike_currency:
            leg.notional = Money(amount=data.strike * count * entitlement,
                                 currency=data.strike_currency)
    terms.legs = [leg]
    terms.expiration_date = data.expiration_date
    terms.settlement_date = data.expiration_date
    return terms


def _leg_dates(leg: Element) -> tuple[date | None, date | None]:
    start = (adjustable_date(find(leg, "effectiveDate"))
             or adjustable_date(find(leg, "interestLegCalculationPeriodDates/effectiveDate")))
    # the swap ends on a leg's termination date (CDM economicTerms.terminationDate); the final
    # valuation date is an observation date, not the end of the swap, so a swap stating no
    # termination date has no expiration date to report
    end = (adjustable_date(find(leg, "terminationDate"))
           or adjustable_date(find(leg, "interestLegCalculationPeriodDates/terminationDate")))
    return start, end


def _constituent_quantity(underlyer: Element | None) -> Decimal | None:
    """A one-constituent basket's quantity: CDM maps a basket constituent's constituentWeight
    (openUnits or basketPercentage) to the constituent's quantity, which DRR reports as the
    leg's total notional quantity when it is the only one (with several there is no single
    quantity; the basket's own openUnits is not a constituent's)."""
    constituents = findall(underlyer, "basket/basketConstituent")
    if len(constituents) != 1:
        return None
    weight = find(constituents[0], "constituentWeight")
    return decimal(weight, "openUnits") if decimal(weight, "openUnits") is not None else (
        decimal(weight, "basketPercentage"))


def return_swap(product: Element, ids: dict[str, Element]) -> Terms:
    terms = Terms(asset_class=AssetClass.EQUI, contract_type="SWAP", instrument_type="Swap",
                  report_sides=False)
    classify(product, terms)
    terms.buyer = href(product, "buyerPartyReference")
    terms.seller = href(product, "sellerPartyReference")
    terms.first_party = terms.buyer
    starts, ends = [], []
    legs: list[LegTerms] = []
    for ret in findall(product, "returnLeg"):
        start, end = _leg_dates(ret)
        starts.append(start)
        ends.append(end)
        underliers, _unit, _basket = _underliers(find(ret, "underlyer"))
        terms.underliers.extend(underliers)
        terms.underlier_basket = terms.underlier_basket or _in_basket(find(ret, "underlyer"))
        notional = money(find(ret, "notional/notionalAmount"))
        leg = LegTerms(payer=href(ret, "payerPartyReference"),
                       receiver=href(ret, "receiverPartyReference"), rate_type="OTHER",
                       notional=notional)
        legs.append(leg)
        _settlement(terms, ret)
    for interest in findall(product, "interestLeg"):
        start, end = _leg_dates(interest)
        starts.append(start)
        ends.append(end)
        calc = find(interest, "interestCalculation")
        floating = find(calc, "floatingRateCalculation")
        # the interest leg pays on the return leg's (ad hoc) valuation schedule
        leg = LegTerms(payer=href(interest, "payerPartyReference"),
                       receiver=href(interest, "receiverPartyReference"),
                       notional=money(find(interest, "notional/notionalAmount")),
                       day_count=text(calc, "dayCountFraction"),
                       payment_frequency=Period(unit=PeriodUnit.ADHOC, multiplier=0))
        if floating is not None:
            leg.rate_type = "FLOATING"
            leg.floating_index = text(floating, "floatingRateIndex")
            leg.floating_tenor = period(find(floating, "indexTenor"))
            leg.spread = decimal(floating, "spreadSchedule/initialValue")
        elif find(calc, "fixedRate") is not None:
            leg.rate_type = "FIXED"
            leg.fixed_rate = decimal(calc, "fixedRate/initialValue")
        legs.append(leg)
    named = {ref for leg in legs for ref in (leg.payer, leg.receiver) if ref}
    if len(named) < 2:
        # CDM takes a swap's two counterparties (Party1, Party2) from its payouts' payer and
        # receiver references (the returnSwap's buyer and seller are not payout parties);
        # legs naming a single party leave the roles unresolved, so DRR states no leg payer,
        # receiver or direction
        for leg in legs:
            leg.payer = leg.receiver = None
    quantity = _constituent_quantity(find(product, "returnLeg/underlyer"))
    if legs and quantity is not None and legs[0].total_quantity is None:
        legs[0].total_quantity = quantity
    # an interest leg sized by reference to the return leg's notional
    for leg in legs:
        if leg.notional is None:
            leg.notional = next((o.notional for o in legs if o.notional), None)
    terms.legs = legs
    terms.effective_date = min((d for d in starts if d), default=None)
    terms.expiration_date = max((d for d in ends if d), default=None)
    terms.settlement_date = terms.expiration_date
    if terms.delivery_type == "CASH" and terms.settlement_currency is None and legs and \
            legs[0].notional:
        terms.settlement_currency = legs[0].notional.currency
    if terms.delivery_type == "CASH":
        for leg in legs:  # both legs settle in the settlement currency
            leg.settlement_currency = terms.settlement_currency
    return terms


def dividend_swap(product: Element, ids: dict[str, Element]) -> Terms:
    terms = Terms(asset_class=AssetClass.EQUI, contract_type="SWAP", instrument_type="Swap")
    classify(product, terms)
    dividend = find(product, "dividendLeg")
    fixed = find(product, "fixedLeg")
    underliers, unit, _basket = _underliers(find(dividend, "underlyer"))
    terms.underliers = underliers
    terms.underlier_basket = _in_basket(find(dividend, "underlyer"))
    start, end = _leg_dates(dividend if dividend is not None else fixed)
    terms.effective_date, terms.expiration_date, terms.settlement_date = start, end, end
    units = decimal(dividend, "underlyer/singleUnderlyer/openUnits")
    # leg 1 is the dividend leg (CDM's performance payout: its payer pays the dividends), sized
    # by the fixed payment and the shares; leg 2 the fixed leg paying the fixed amount
    notional = money(find(fixed, "fixedPayment/paymentAmount"))
    leg = LegTerms(payer=href(dividend, "payerPartyReference"),
                   receiver=href(dividend, "receiverPartyReference"), rate_type="OTHER",
                   notional=notional,
                   total_quantity=units, quantity_unit=unit if units is not None else None)
    terms.legs = [leg]
    if fixed is not None:
        terms.legs.append(LegTerms(payer=href(fixed, "payerPartyReference"),
                                   receiver=href(fixed, "receiverPartyReference"),
                                   rate_type="OTHER"))
    terms.first_party = href(fixed, "payerPartyReference") or leg.receiver
    return terms


def forward(product: Element, ids: dict[str, Element]) -> Terms:
    terms = option(product, ids)
    terms.contract_type, terms.instrument_type = "FORW", "Forward"
    terms.option = None
    price = decimal(product, "forwardPrice/amount")
    if price is not None:
        terms.price, terms.price_currency = price, text(product, "forwardPrice/currency")
        terms.price_notation = "MONE"
    return terms
