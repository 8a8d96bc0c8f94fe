"""Credit products: single-name, index, tranche and basket CDS, and CDS options."""

from __future__ import annotations

from shared.domain.model import AssetClass, Underlier
from shared.formats.fpml.common import (
    adjustable_date,
    classify,
    exercise_element,
    fill_exercise,
    money,
    period,
    premium,
    product_id_type,
)
from shared.formats.fpml.terms import CreditValue, LegTerms, OptionData, PaymentTerms, Terms
from shared.formats.fpml.xml import (
    Element,
    decimal,
    find,
    findall,
    href,
    integer,
    text,
    to_date,
)

# FpML seniority (index annex / bond) -> ISO 20022 debt seniority (as DRR's GetSeniority)
_SENIOR = {"seniorunsec", "seniorsec", "seniorlossabsorbingcapacity", "senior"}
_SUB = {"subtier3", "subuppertier2", "sublowertier2", "subtier1", "subordinate",
        "subordinated"}


def seniority(general: Element | None) -> str | None:
    index = text(general, "indexReferenceInformation/seniority")
    single = [s.lower() for s in (text(n) for n in findall(
        general, "referenceInformation/referenceObligation/*/seniority")) if s]
    basket = [s.lower() for s in (text(n) for n in findall(
        general, "basketReferenceInformation/referencePool/referencePoolItem/referencePair/"
                 "referenceObligation/*/seniority")) if s]
    if (index or "").lower() in _SENIOR or any(s in _SENIOR for s in single) or (
            basket and all(s in _SENIOR for s in basket)):
        return "SNDB"
    if (index or "").lower() in _SUB or any(s in _SUB for s in single) or (
            basket and all(s in _SUB for s in basket)):
        return "SBOD"
    if index or single or basket:
        return "OTHR"
    return None


def cds(product: Element, ids: dict[str, Element]) -> Terms:
    terms = Terms(asset_class=AssetClass.CRDT, contract_type="SWAP", instrument_type="Swap")
    classify(product, terms)
    general = find(product, "generalTerms")
    terms.buyer = href(general, "buyerPartyReference")
    terms.seller = href(general, "sellerPartyReference")
    terms.effective_date = adjustable_date(find(general, "effectiveDate"))
    terms.expiration_date = adjustable_date(find(general, "scheduledTerminationDate"))
    terms.settlement_date = terms.expiration_date
    fee = find(product, "feeLeg/periodicPayment")
    calc = find(fee, "fixedAmountCalculation")
    notional = (money(find(product, "protectionTerms/calculationAmount"))
                or money(find(calc, "calculationAmount")))
    # the premium leg's parties are stated as buyer and seller, not as payer and receiver
    leg = LegTerms(notional=notional,
                   rate_type="FIXED", fixed_rate=decimal(calc, "fixedRate"),
                   day_count=text(calc, "dayCountFraction"),
                   payment_frequency=period(find(fee, "paymentFrequency")))
    terms.legs = [leg]
    initial = find(product, "feeLeg/initialPayment")
    if initial is not None:
        amount = money(find(initial, "paymentAmount"))
        if amount is not None:
            terms.other_payments.append(PaymentTerms(
                payment_type="UFRO", amount=amount,
                # the payment date as agreed (unadjusted), as CDM reads it; the adjusted one
                # only where the message states no other
                payment_date=to_date(initial, "adjustablePaymentDate")
                or adjustable_date(find(initial, "paymentDate"))
                or to_date(initial, "adjustedPaymentDate"),
                payer=href(initial, "payerPartyReference"),
                receiver=href(initial, "receiverPartyReference")))
    index = find(general, "indexReferenceInformation")
    credit: dict[str, CreditValue] = {"seniority": seniority(general)}
    if index is not None:
        credit.update(series=integer(index, "indexSeries"),
                      version=integer(index, "indexAnnexVersion"),
                      index_factor=decimal(index, "indexFactor"))
        name = text(index, "indexName")
        if name:
            terms.underliers.append(Underlier(identifier=text(index, "indexId") or name,
                                              source="INDX", name=name))
        tranche = find(index, "tranche")
        if tranche is not None:
            credit.update(attachment_point=decimal(tranche, "attachmentPoint"),
                          detachment_point=decimal(tranche, "exhaustionPoint"))
    basket = find(general, "basketReferenceInformation")
    if basket is not None:
        terms.custom_basket = True
        terms.basket_id = text(basket, "basketId")
        for instrument in findall(basket, "referencePool/referencePoolItem/referencePair/"
                                          "referenceObligation/*/instrumentId"):
            if "isin" in (instrument.get("instrumentIdScheme") or "").lower():
                terms.underliers.append(Underlier(identifier=text(instrument) or "",
                                                  source="ISIN"))
        tranche = find(basket, "tranche")
        if tranche is not None:
            credit.update(attachment_point=decimal(tranche, "attachmentPoint"),
                          detachment_point=decimal(tranche, "exhaustionPoint"))
    single = find(general, "referenceInformation")
    if single is not None:
        # the reference entity as reports identify it: its identifier (an LEI, or the RED
        # entity code FpML states), not its name
        credit["reference_entity"] = text(single, "referenceEntity/entityId")
        obligations = findall(single, "referenceObligation/*/instrumentId")
        isin = next((i for i in obligations
                     if "isin" in (i.get("instrumentIdScheme") or "").lower()), None)
        if isin is not None:
            terms.underliers.append(Underlier(identifier=text(isin) or "", source="ISIN",
                                              id_scheme="ISIN"))
        elif obligations and text(obligations[0]):
            # the reference obligation by its other identifier (e.g. a RED pair code)
            scheme = obligations[0].get("instrumentIdScheme")
            terms.underliers.append(Underlier(identifier=text(obligations[0]) or "",
                                              source="OTHR", id_scheme=product_id_type(scheme)))
    terms.credit = {k: v for k, v in credit.items() if v is not None}
    settlement = find(product, "cashSettlementTerms")
    physical = find(product, "physicalSettlementTerms")
    if settlement is not None and physical is None:
        terms.delivery_type = "CASH"
        terms.settlement_currency = text(settlement, "settlementCurrency")
    elif physical is not None and settlement is None:
        terms.delivery_type = "PHYS"
        terms.settlement_currency = text(physical, "settlementCurrency")
    else:
        terms.delivery_type = "OPTL"
    if terms.settlement_currency:
        leg.settlement_currency = terms.settlement_currency
    terms.first_party = terms.seller
    return terms


def cds_option(product: Element, ids: dict[str, Element]) -> Terms:
    underlying = find(product, "creditDefaultSwap")
    inner = cds(underlying, ids) if underlying is not None else Terms()
    terms = Terms(asset_class=AssetClass.CRDT, contract_type="SWPT", instrument_type="Option")
    classify(product, terms)
    terms.buyer = href(product, "buyerPartyReference")
    terms.seller = href(product, "sellerPartyReference")
    terms.first_party = terms.buyer
    terms.legs = inner.legs
    for leg in terms.legs:
        leg.payer = leg.receiver = None
    terms.credit = inner.credit
    terms.underliers = inner.underliers
    data = OptionData()
    data.option_type = {"call": "CALL", "put": "PUTO", "payer": "CALL",
                        "receiver": "PUTO"}.get((text(product, "optionType") or "").lower(),
                                                "OTHR")
    fill_exercise(data, exercise_element(product))
    amount, when, _payer, _receiver = premium(find(product, "premium"))
    data.premium, data.premium_payment_date = amount, when
    fixed = inner.legs[0].fixed_rate if inner.legs else None
    data.strike = fixed if fixed is not None else decimal(product, "strike/spread")
    data.strike_notation = "DECI"
    data.underlying_maturity_date = inner.expiration_date
    terms.option = data
    terms.expiration_date = data.expiration_date
    terms.settlement_date = inner.expiration_date
    settlement = (text(product, "settlementType") or "").lower()
    terms.delivery_type = {"cash": "CASH", "physical": "PHYS", "election": "OPTL"}.get(
        settlement, inner.delivery_type)
    terms.settlement_currency = text(product, "settlementCurrency") or inner.settlement_currency
    if terms.legs and terms.settlement_currency:
        terms.legs[0].settlement_currency = terms.settlement_currency
    return terms
