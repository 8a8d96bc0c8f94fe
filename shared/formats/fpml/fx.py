"""Foreign-exchange products: forwards and NDFs (fxSingleLeg), FX swaps and FX options
(deliverable and non-deliverable)."""

from __future__ import annotations

from decimal import Decimal

from shared.domain.model import AssetClass
from shared.formats.fpml.common import (
    adjustable_date,
    classify,
    exercise_element,
    fill_exercise,
    money,
    premium,
)
from shared.formats.fpml.terms import LegTerms, OptionData, Terms
from shared.formats.fpml.xml import Element, decimal, find, href, local, text, to_date


def _rate_basis(pair: Element | None) -> str | None:
    """`BASE/QUOTE` from a quotedCurrencyPair (rate = QUOTE units per one BASE)."""
    if pair is None:
        return None
    c1, c2 = text(pair, "currency1"), text(pair, "currency2")
    if not c1 or not c2:
        return None
    basis = (text(pair, "quoteBasis") or "").lower()
    if basis == "currency1percurrency2":
        return f"{c2}/{c1}"
    if basis == "currency2percurrency1":
        return f"{c1}/{c2}"
    # no quoteBasis (FpML requires one): CDM cannot tell which currency the rate is quoted
    # per (its price's unit and perUnitOf), so DRR states no exchange rate basis
    return None


def _exchanged(el: Element | None) -> LegTerms | None:
    if el is None:
        return None
    return LegTerms(payer=href(el, "payerPartyReference"),
                    receiver=href(el, "receiverPartyReference"),
                    notional=money(find(el, "paymentAmount")))


def single_leg(product: Element, ids: dict[str, Element]) -> Terms:
    """fxSingleLeg: outright forward or NDF (also the near/far legs of an fxSwap)."""
    terms = Terms(asset_class=AssetClass.CURR, contract_type="FORW", instrument_type="Forward")
    classify(product, terms)
    legs = [leg for leg in (_exchanged(find(product, "exchangedCurrency1")),
                            _exchanged(find(product, "exchangedCurrency2"))) if leg]
    terms.legs = legs
    terms.first_party = legs[0].payer if legs else None
    value_date = (to_date(product, "valueDate") or to_date(product, "currency1ValueDate")
                  or to_date(product, "currency2ValueDate"))
    terms.expiration_date = terms.settlement_date = value_date
    rate = find(product, "exchangeRate")
    terms.exchange_rate = decimal(rate, "rate")
    terms.exchange_rate_basis = _rate_basis(find(rate, "quotedCurrencyPair"))
    ndf = find(product, "nonDeliverableSettlement")
    if ndf is not None:
        terms.delivery_type = "CASH"
        terms.settlement_currency = text(ndf, "settlementCurrency")
        terms.fixing_date = to_date(ndf, "fixing/fixingDate")
    else:
        terms.delivery_type = "PHYS"
    return terms


def swap(product: Element, ids: dict[str, Element]) -> Terms:
    """fxSwap: reported on its far leg (the near leg is the spot exchange)."""
    legs = [c for c in product if local(c) in ("nearLeg", "farLeg")]
    far = legs[-1] if legs else product
    terms = single_leg(far, ids)
    classify(product, terms)
    terms.contract_type, terms.instrument_type = "SWAP", "Swap"
    near = legs[0] if len(legs) > 1 else None
    if near is not None:
        terms.effective_date = (to_date(near, "valueDate")
                                or to_date(near, "currency1ValueDate"))
    return terms


def option(product: Element, ids: dict[str, Element]) -> Terms:
    terms = Terms(asset_class=AssetClass.CURR, contract_type="OPTN", instrument_type="Option")
    classify(product, terms)
    terms.buyer = href(product, "buyerPartyReference")
    terms.seller = href(product, "sellerPartyReference")
    terms.first_party = terms.buyer
    data = OptionData(option_type="OTHR")
    exercise = exercise_element(product)
    fill_exercise(data, exercise)
    data.call_amount = money(find(product, "callCurrencyAmount"))
    data.put_amount = money(find(product, "putCurrencyAmount"))
    strike = find(product, "strike")
    data.strike = decimal(strike, "rate")
    data.strike_notation = "MONE"
    call = data.call_amount.currency if data.call_amount else None
    put = data.put_amount.currency if data.put_amount else None
    if call and put:
        basis = (text(strike, "strikeQuoteBasis") or "").lower()
        # the strike is quoted as put units per call unit unless said otherwise
        data.strike_currency = (f"{put}/{call}" if basis == "callcurrencyperputcurrency"
                                else f"{call}/{put}")
        terms.exchange_rate_basis = data.strike_currency
    terms.exchange_rate = data.strike
    amount, when, _payer, _receiver = premium(find(product, "premium"))
    data.premium, data.premium_payment_date = amount, when
    terms.option = data
    terms.legs = [LegTerms(notional=m) for m in (data.call_amount, data.put_amount) if m]
    terms.expiration_date = data.expiration_date
    terms.settlement_date = (to_date(exercise, "valueDate")
                             or to_date(exercise, "latestValueDate")
                             or data.expiration_date)
    cash = find(product, "cashSettlement")
    if cash is not None:
        terms.delivery_type = "CASH"
        terms.settlement_currency = text(cash, "settlementCurrency")
        terms.fixing_date = adjustable_date(find(cash, "fixing/fixingDate")) or to_date(
            cash, "fixing/fixingDate")
    else:
        terms.delivery_type = "PHYS"
    if terms.exchange_rate is not None and terms.exchange_rate == Decimal(0):
        terms.exchange_rate = None
    return terms
