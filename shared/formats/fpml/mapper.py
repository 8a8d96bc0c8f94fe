"""One report an FpML message asks for (`events.Occurrence`) -> one canonical `TradeEvent`.

The reporting side follows DRR's test-pack convention: counterparty 1 is the party CDM calls
Party1, the first counterparty the product names (first stream's payer, the option buyer, ...),
and counterparty 2 the other one. The action and event type, the prior UTI and what the event
changes come from the message's shape (`events.occurrences`): a plain trade is a new trade
(NEWT, TRAD); a correction, termination, novation, withdrawal ... is reported as such.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from shared.domain.model import (
    ActionType,
    Cleared,
    Clearing,
    Collateral,
    CommodityClassification,
    CreditTerms,
    EventType,
    IdType,
    Leg,
    MasterAgreement,
    Money,
    Nature,
    OptionTerms,
    OtherPayment,
    Party,
    Price,
    Product,
    RegimeClassification,
    TradeEvent,
    VarianceTerms,
)
from shared.domain.refdata import RefData
from shared.formats.fpml import commodity, credit, equity, fx, rates
from shared.formats.fpml.events import Occurrence, utis_of
from shared.formats.fpml.message import (
    Message,
    PartyTradeInfo,
    party_trade_infos,
    product_element,
    read_party_trade_info,
)
from shared.formats.fpml.terms import LegTerms, Terms
from shared.formats.fpml.xml import (
    Element,
    MappingError,
    decimal,
    find,
    findall,
    href,
    local,
    text,
    to_date,
)

Handler = Callable[[Element, dict[str, Element]], Terms]

PRODUCTS: dict[str, Handler] = {
    "swap": rates.swap,
    "capFloor": rates.cap_floor,
    "fra": rates.fra,
    "swaption": rates.swaption,
    "bondOption": rates.bond_option,
    "genericProduct": rates.generic_forward,
    "fxSingleLeg": fx.single_leg,
    "fxSwap": fx.swap,
    "fxOption": fx.option,
    "creditDefaultSwap": credit.cds,
    "creditDefaultSwapOption": credit.cds_option,
    "equityOption": equity.option,
    "equityOptionTransactionSupplement": equity.option,
    "returnSwap": equity.return_swap,
    "equitySwapTransactionSupplement": equity.return_swap,
    "dividendSwapTransactionSupplement": equity.dividend_swap,
    "equityForward": equity.forward,
    "commoditySwap": commodity.swap,
    "commodityForward": commodity.forward,
    "commodityOption": commodity.option,
    "commoditySwaption": commodity.swaption,
    "varianceSwap": commodity.variance_swap,
    "varianceSwapTransactionSupplement": commodity.variance_swap,
}

_FPML_INDEX = re.compile(r"^[A-Z]{3}-\S")
_NATURE = {"financial": Nature.FINANCIAL, "nonfinancial": Nature.NON_FINANCIAL,
           "centralcounterparty": Nature.CCP, "other": Nature.OTHER}


def id_index(message: Element) -> dict[str, Element]:
    return {el.get("id"): el for el in message.iter() if isinstance(el.tag, str) and el.get("id")}


def map_occurrence(msg: Message, occurrence: Occurrence, refdata: RefData,
                   ids: dict[str, Element] | None = None) -> TradeEvent:
    """The report `occurrence` asks for: the trade's state after the event, or (an event
    naming its trade by identifier only, e.g. a withdrawal) the identification alone."""
    if occurrence.trade is not None:
        event = map_trade(msg, occurrence.trade, refdata, ids)
    else:
        event = _identified(msg, occurrence, refdata)
    _lifecycle(event, occurrence, msg)
    return event


def _lifecycle(event: TradeEvent, occ: Occurrence, msg: Message) -> None:
    event.action_type = occ.action
    event.event_type = occ.event_type
    # Prior UTI (CDE; EMIR 2.3): the one trade this one replaces; with several (e.g. a
    # compression of many) there is no single prior UTI to report.
    event.prior_uti = occ.prior_utis[0] if len(occ.prior_utis) == 1 else None
    if len(occ.prior_utis) > 1:
        event.extensions["prior_utis"] = list(occ.prior_utis)
    event.event_date = occ.event_date
    event.early_termination_date = occ.early_termination_date
    event.amendment_indicator = occ.amendment
    if occ.allocation:
        event.allocation = occ.allocation
    formation = local(occ.content) == "trade"
    if local(occ.content) == "clearing" and occ.action is ActionType.NEWT:
        event.clearing.cleared = Cleared.YES  # a trade the CCP accepted for clearing
    elif not formation and event.clearing.cleared is Cleared.INTENDED:
        # `intentToClear` is the intent of a new trade (CDM: EventIntent Clearing, read on the
        # contract formation only); an event on a trade that was not cleared reports it as
        # not cleared, as DRR does
        event.clearing.cleared = Cleared.NO
    if occ.outstanding:
        _replace_notionals(event, occ.outstanding)
    for payment in occ.payments:
        fee = _payment(payment, msg, occ.payment_type)
        if fee is not None:
            event.other_payments.append(fee)
    if occ.event_time is not None and event.event_timestamp is None:
        event.event_timestamp = occ.event_time
    if occ.originating_event:
        event.extensions["originating_event"] = occ.originating_event
    for key, value in occ.extras.items():
        event.extensions[key] = value


def _replace_notionals(event: TradeEvent, outstanding: tuple[Money, ...]) -> None:
    """The notional left after a partial termination / novation / exercise (CDM quantity
    change, direction Replace): per currency, else the first leg's."""
    by_currency = {m.currency: m for m in outstanding}
    for leg in event.legs:
        if leg.notional is not None and leg.notional.currency in by_currency:
            leg.notional = by_currency[leg.notional.currency]
    if len(outstanding) == 1 and event.legs and (
            event.legs[0].notional is None
            or event.legs[0].notional.currency not in by_currency):
        event.legs[0].notional = outstanding[0]


def _payment(el: Element, msg: Message, payment_type: str | None) -> OtherPayment | None:
    amount = find(el, "paymentAmount")
    value = decimal(amount, "amount") if amount is not None else None
    currency = text(amount, "currency") if amount is not None else None
    if value is None or not currency:
        return None
    when = to_date(el, "paymentDate/adjustedDate") or to_date(
        el, "paymentDate/unadjustedDate") or to_date(el, "paymentDate")
    return OtherPayment(payment_type=payment_type,
                        amount=Money(amount=value, currency=currency), payment_date=when,
                        payer=msg.lei(href(el, "payerPartyReference")),
                        receiver=msg.lei(href(el, "receiverPartyReference")))


def _identified(msg: Message, occ: Occurrence, refdata: RefData) -> TradeEvent:
    """An event that names its trade without restating it (a withdrawal, a termination by
    trade identifier): identification, counterparties and the event's own data only."""
    holder = occ.identifiers if occ.identifiers is not None else occ.content
    event = TradeEvent(action_type=occ.action, event_type=occ.event_type)
    utis = utis_of(holder)
    event.uti = utis[0] if len(utis) == 1 else None
    if len(utis) > 1:
        event.extensions["conflicting_utis"] = utis
    event.trade_id = event.uti or text(holder, "partyTradeIdentifier/tradeId") or text(
        holder, "tradeId")
    infos = [read_party_trade_info(p) for p in findall(occ.content, "partyTradeInformation")]
    parties: list[str] = []
    for ref in [msg.on_behalf_of, *(i.party for i in infos)]:
        if ref and ref not in parties and ref in msg.parties:
            parties.append(ref)
    cp1 = parties[0] if parties else None
    cp2 = parties[1] if len(parties) > 1 else None
    event.counterparty_1 = _party(msg, cp1, _info(infos, cp1), refdata)
    event.counterparty_2 = _party(msg, cp2, _info(infos, cp2), refdata)
    event.submitting_entity = event.counterparty_1.identifier if event.counterparty_1 else None
    event.entity_responsible = event.submitting_entity
    # no trade restated, so nothing else identifies the event than the message itself; a
    # creation time without a zone is taken as UTC (model.utc)
    event.event_id = msg.message_id
    event.event_timestamp = msg.creation_timestamp or occ.event_time
    event.clearing = Clearing(cleared=Cleared.NO)
    event.allocation = "UNAL"
    return event


def map_trade(msg: Message, trade: Element, refdata: RefData,
              ids: dict[str, Element] | None = None) -> TradeEvent:
    """One `trade` element as a new trade (NEWT, TRAD); `map_occurrence` adds the event."""
    product = product_element(trade)
    if product is None:
        raise MappingError("the trade has no product element", "trade")
    handler = PRODUCTS.get(local(product))
    if handler is None:
        raise MappingError(f"unsupported FpML product {local(product)!r}", local(product))
    terms = handler(product, ids if ids is not None else id_index(msg.element))
    infos = party_trade_infos(trade)
    cp1, cp2 = _counterparties(terms, infos, msg)
    info1 = _info(infos, cp1)
    info2 = _info(infos, cp2)
    first_info = info1 or (infos[0] if infos else None)

    event = TradeEvent(action_type=ActionType.NEWT, event_type=EventType.TRAD)
    utis = _utis(trade)
    # Two different UTIs (one per party's view) leave it ambiguous: report none, as DRR does,
    # and keep both so enrichment does not invent a third and a rule can name the conflict.
    event.uti = utis[0] if len(utis) == 1 else None
    if len(utis) > 1:
        event.extensions["conflicting_utis"] = utis
    event.trade_id = event.uti or _any_trade_id(trade)
    others = _other_trade_ids(trade)
    # like the UTI: two candidates leave it ambiguous, so none is reported
    event.secondary_trade_id = others[0] if len(others) == 1 else None
    event.message_id = msg.message_id  # the record's technical id, whatever the header's time
    # CDM maps the event identifier from the header and from tradingEvent/eventIdentifier: a
    # trading event naming its own identifier (a party's eventId, no issuer) replaces the
    # message's, and DRR then reports none. The event time is the message's creation time.
    own_id = msg.trading_event is not None and msg.trading_event.event_id is not None
    event.event_id = None if own_id else msg.message_id
    event.event_timestamp = msg.creation_timestamp or (
        msg.trading_event.execution_timestamp if msg.trading_event else None)
    if msg.creation_zoned and msg.creation_timestamp is not None:
        # as written (its offset and all its fractional digits), for the ISO 20022 DtTm
        event.event_timestamp_text = text(msg.element, "header/creationTimestamp")
    event.execution_timestamp = next((i.execution_timestamp for i in [first_info, *infos]
                                      if i and i.execution_timestamp), None)
    trade_date = to_date(trade, "tradeHeader/tradeDate")

    event.counterparty_1 = _party(msg, cp1, info1, refdata)
    event.counterparty_2 = _party(msg, cp2, info2, refdata)
    agent1 = _agent(msg, info1)
    agent2 = _agent(msg, info2)
    if event.counterparty_1 and (agent1 or agent2):
        event.counterparty_1.execution_agent = agent1 or "NOAP"
    if event.counterparty_2 and agent2:
        event.counterparty_2.execution_agent = agent2
    for party, info in ((event.counterparty_1, info1), (event.counterparty_2, info2)):
        if party is not None and info is not None:
            party.beneficiary = msg.lei(info.related_party("Beneficiary"))
    event.submitting_entity = event.counterparty_1.identifier if event.counterparty_1 else None
    event.entity_responsible = event.submitting_entity
    broker = next((i.related_party("ArrangingBroker") for i in infos
                   if i.related_party("ArrangingBroker")), None)
    event.broker = msg.lei(broker)
    event.execution_venue = _venue(msg, infos)
    event.execution_venue_type = next((i.execution_venue_type for i in infos
                                       if i.execution_venue_type), None)

    _economics(event, terms, msg, refdata, cp1, cp2)
    _dates(event, terms, trade_date)
    _flags(event, infos, first_info, msg)
    event.master_agreement = _master_agreement(trade)
    event.source = None
    return event


def _counterparties(terms: Terms, infos: list[PartyTradeInfo],
                    msg: Message) -> tuple[str | None, str | None]:
    named = [terms.first_party, terms.buyer, terms.seller]
    for leg in terms.legs:
        named += [leg.payer, leg.receiver]
    named += [p.payer for p in terms.other_payments] + [p.receiver for p in terms.other_payments]
    order: list[str] = []
    for ref in named:
        if ref and ref not in order:
            order.append(ref)
    if len(order) < 2:
        # products that name no parties: fall back to the parties with trade information
        for info in infos:
            if info.party and info.party not in order and info.party in msg.parties:
                order.append(info.party)
    cp1 = order[0] if order else msg.on_behalf_of
    cp2 = next((p for p in order[1:] if p != cp1), None)
    if cp2 is not None and not _reports_for_emir(infos, cp1) and _reports_for_emir(infos, cp2):
        # DRR's default reporting side (TransformTransactionHelper.getDefaultReportingParty):
        # of Party1 then Party2, the first that is the EMIR ReportingParty
        cp1, cp2 = cp2, cp1
    return cp1, cp2


# RegimeNameEnum (DRR drr.regulation.common, FpML reporting-regime scheme), with the FpML
# names DRR's MapRegimeNameEnum translates (CA.Rule.91-507 -> CSA, HKTR -> HKMA)
_REGIME_NAMES = {"ASIC": "ASIC", "CSA": "CSA", "DoddFrankAct": "DoddFrankAct", "EMIR": "EMIR",
                 "HKMA": "HKMA", "JFSA": "JFSA", "MAS": "MAS", "MiFID": "MiFID",
                 "MiFIDII": "MiFIDII", "MiFIR": "MiFIR", "ODRF": "ODRF",
                 "RussianFederation": "RussianFederation", "SFTR": "SFTR", "UKEMIR": "UKEMIR",
                 "CA.Rule.91-507": "CSA", "HKTR": "HKMA"}


def _reports_for_emir(infos: list[PartyTradeInfo], party: str | None) -> bool:
    """Whether `party` has reportingRole ReportingParty in a regime DRR reads as EMIR's: one
    named EMIR, or one whose name DRR cannot map (no name, or none of RegimeNameEnum), which
    its filter lets through for every regime."""
    return party is not None and any(
        _REGIME_NAMES.get(regime.name or "", "EMIR") == "EMIR"
        and regime.role == "ReportingParty"
        for info in infos if info.party == party for regime in info.regimes)


def _info(infos: list[PartyTradeInfo], party: str | None) -> PartyTradeInfo | None:
    """The party's trade information; with several, the one carrying regimes."""
    mine = [i for i in infos if i.party == party]
    return next((i for i in mine if i.regimes), mine[0] if mine else None)


def _party(msg: Message, ref: str | None, info: PartyTradeInfo | None,
           refdata: RefData) -> Party | None:
    definition = msg.party(ref)
    if definition is None or not definition.identifier:
        return None
    party = Party(identifier=definition.identifier,
                  id_type=IdType.LEI if definition.lei else IdType.OTHER,
                  name=definition.name, country=definition.country)
    party.classifications = {scheme: code for scheme, code in definition.classifications.items()
                             if scheme != "_"}
    sector = definition.classifications.get("esma-emir-refit-regulatory-corporate-sector")
    if sector:
        party.sectors = [sector]
    emir = info.regime("EMIR") if info else None
    if emir is not None:
        nature = (emir.entity_classification or "").replace(" ", "").lower()
        party.nature = _NATURE.get(nature)
        party.clearing_threshold_exceeded = emir.exceeds_clearing_threshold
        party.directly_linked_activity = emir.directly_linked_activity
        party.reporting_obligation = True
    if info is not None:
        party.regime_classifications = _regime_classifications(info)
        party.supervisory_bodies = info.bodies()
        for regime in info.regimes:
            for body in regime.bodies:
                party.entity_classifications.setdefault(body, regime.entity_classification)
        cftc = next((r for r in info.regimes if "CFTC" in r.bodies), None)
        if cftc is not None:
            party.financial_entity = _cftc_flag(info, "entityClassification")
            party.federal_entity = _cftc_flag(info, "organizationType")
    known = refdata.entity(party.identifier)
    if known is not None:
        party.nature = party.nature or (Nature(known.nature) if known.nature else None)
        party.sectors = party.sectors or list(known.sectors)
        for attr in ("financial_entity", "federal_entity", "clearing_threshold_exceeded",
                     "directly_linked_activity"):
            if getattr(party, attr) is None and getattr(known, attr) is not None:
                setattr(party, attr, getattr(known, attr))
        party.country = party.country or known.country
    if party.reporting_obligation and party.nature == Nature.NON_FINANCIAL and (
            party.clearing_threshold_exceeded is False):
        # an NFC below the clearing threshold has its report made by its counterparty
        party.reporting_obligation = False
    return party


def _regime_classifications(info: PartyTradeInfo) -> dict[str, RegimeClassification]:
    """Each named regime's own classification of the party (DRR reads a regime's nature and
    clearing threshold from that regime's reportingRegime; the first one of a name wins)."""
    out: dict[str, RegimeClassification] = {}
    for regime in info.regimes:
        if not regime.name or regime.name in out:
            continue
        nature = _NATURE.get((regime.entity_classification or "").replace(" ", "").lower())
        if nature is None and regime.exceeds_clearing_threshold is None and (
                regime.directly_linked_activity is None):
            continue
        out[regime.name] = RegimeClassification(
            nature=nature, clearing_threshold_exceeded=regime.exceeds_clearing_threshold,
            directly_linked_activity=regime.directly_linked_activity)
    return out


def _cftc_flag(info: PartyTradeInfo, element: str) -> bool:
    for regime in findall(info.element, "reportingRegime"):
        bodies = [text(b) for b in findall(regime, "supervisorRegistration/supervisoryBody")]
        if "CFTC" in bodies and find(regime, f"partyEntityClassification/{element}") is not None:
            return True
    return False


def _agent(msg: Message, info: PartyTradeInfo | None) -> str | None:
    return msg.lei(info.related_party("ExecutionAgent")) if info else None


def _venue(msg: Message, infos: list[PartyTradeInfo]) -> str | None:
    for info in infos:
        ref = info.related_party("ExecutionFacility")
        party = msg.party(ref)
        if party is not None and party.mic:
            return party.mic
    return None


def _utis(trade: Element) -> list[str]:
    return _trade_ids(trade, utis=True)


def _other_trade_ids(trade: Element) -> list[str]:
    """The trade's identifiers that are not UTIs (internal references, platform ids)."""
    return _trade_ids(trade, utis=False)


def _trade_ids(trade: Element, *, utis: bool) -> list[str]:
    values: list[str] = []
    for ident in findall(trade, "tradeHeader/partyTradeIdentifier"):
        for tid in findall(ident, "tradeId"):
            scheme = (tid.get("tradeIdScheme") or "").lower()
            value = text(tid)
            tail = scheme.rstrip("/").rsplit("/", 1)[-1]
            is_uti = "unique-transaction-identifier" in tail or "uti" in re.split(r"[^a-z]+",
                                                                                 tail)
            if value and is_uti == utis and value not in values:
                values.append(value)
    return values


def _any_trade_id(trade: Element) -> str | None:
    return text(trade, "tradeHeader/partyTradeIdentifier/tradeId")


def _legs(terms: Terms, msg: Message, refdata: RefData, cp1: str | None) -> list[Leg]:
    ordered = _order_legs(terms.legs)
    out: list[Leg] = []
    for leg in ordered[:2]:
        out.append(_leg(leg, msg, refdata, cp1))
    return out


def _order_legs(legs: list[LegTerms]) -> list[LegTerms]:
    """DRR's leg order: cross-currency legs by currency code; otherwise fixed before floating,
    then as written."""
    ccys = {leg.notional.currency for leg in legs if leg.notional}
    if len(ccys) > 1 and all(leg.notional for leg in legs):
        return sorted(legs, key=lambda leg: leg.notional.currency)  # type: ignore[union-attr]
    rank = {"FIXED": 0}
    return sorted(legs, key=lambda leg: rank.get(leg.rate_type or "", 1))


def _leg(leg: LegTerms, msg: Message, refdata: RefData, cp1: str | None) -> Leg:
    out = Leg(payer=msg.lei(leg.payer), receiver=msg.lei(leg.receiver), notional=leg.notional,
              notional_schedule=leg.notional_schedule, quantity=leg.quantity,
              fixed_rate=leg.fixed_rate, floating_index=leg.floating_index,
              floating_tenor=leg.floating_tenor, spread=leg.spread,
              payment_frequency=leg.payment_frequency, reset_frequency=leg.reset_frequency,
              rate_type=leg.rate_type, total_quantity=leg.total_quantity,
              quantity_unit=leg.quantity_unit, fixing_date=leg.fixing_date,
              spread_currency=leg.spread_currency, quantity_frequency=leg.quantity_frequency,
              calculation_period=leg.calculation_period)
    if leg.quantity_frequency is not None:  # a commodity leg: its unit as an ISO 20022 code
        out.quantity_unit = refdata.unit_of_measure(leg.quantity_unit)
    out.day_count = refdata.day_count(leg.day_count)
    if leg.rate_type == "FLOATING" and not _FPML_INDEX.match(leg.floating_index or ""):
        # not an FpML floating rate index name (CCY-NAME...): DRR cannot read its rate terms
        out.rate_type, out.day_count, out.floating_tenor = "OTHER", None, None
        out.payment_frequency = out.reset_frequency = None
    elif leg.floating_index and leg.rate_type != "INFLATION":
        out.floating_index_code = refdata.rate_index(leg.floating_index)
    out.settlement_currency = refdata.iso_currency(leg.settlement_currency)
    # CDE direction of a leg (EMIR 2.14/2.15): MAKE when counterparty 1 pays it, TAKE when it
    # receives it; a leg naming neither side as counterparty 1 (e.g. a payer and no receiver)
    # has no direction DRR can state
    if cp1 and leg.payer == cp1:
        out.direction = "MAKE"
    elif cp1 and leg.receiver == cp1:
        out.direction = "TAKE"
    return out


def _economics(event: TradeEvent, terms: Terms, msg: Message, refdata: RefData,
               cp1: str | None, cp2: str | None) -> None:
    event.product = Product(
        asset_class=terms.asset_class, contract_type=terms.contract_type,
        instrument_type=terms.instrument_type, product_name=terms.taxonomy, upi=terms.upi,
        isin=terms.isin, classification=terms.cfi, delivery_type=terms.delivery_type,
        underliers=terms.underliers,
        settlement_currency=refdata.iso_currency(terms.settlement_currency),
        settlement_location=refdata.settlement_location(terms.settlement_currency),
        custom_basket=terms.custom_basket, basket_id=terms.basket_id,
        underlier_basket=terms.underlier_basket)
    if terms.commodity_texts is not None:
        found = refdata.classify_commodity(*terms.commodity_texts)
        if found is not None:
            event.product.commodity = CommodityClassification(
                base_product=found[0], sub_product=found[1], further_sub_product=found[2])
    if terms.variance is not None:
        event.variance = VarianceTerms.model_validate(terms.variance)
    event.legs = _legs(terms, msg, refdata, cp1)
    if terms.delivery_type != "CASH":
        # a settlement currency is reported for cash-settled trades only
        event.product.settlement_currency = event.product.settlement_location = None
        for leg in event.legs:
            leg.settlement_currency = None
    elif terms.settlement_currency and event.legs and not any(
            leg.settlement_currency for leg in event.legs):
        event.legs[0].settlement_currency = refdata.iso_currency(terms.settlement_currency)
    if terms.fixing_date and event.legs:
        event.legs[0].fixing_date = terms.fixing_date
    if terms.report_sides:
        event.buyer, event.seller = msg.lei(terms.buyer), msg.lei(terms.seller)
    option = terms.option
    if option is not None:
        event.option = OptionTerms(
            option_type=option.option_type, exercise_style=option.exercise_style,
            strike=option.strike, strike_currency=option.strike_currency,
            strike_notation=option.strike_notation, premium=option.premium,
            premium_payment_date=option.premium_payment_date,
            first_exercise_date=option.first_exercise_date,
            exercise_dates=option.exercise_dates, call_amount=option.call_amount,
            put_amount=option.put_amount,
            underlying_maturity_date=option.underlying_maturity_date)
    event.exchange_rate = terms.exchange_rate
    event.exchange_rate_basis = terms.exchange_rate_basis
    if terms.credit:
        event.credit = CreditTerms.model_validate(terms.credit)
    event.other_payments = [
        OtherPayment(payment_type=p.payment_type, amount=p.amount, payment_date=p.payment_date,
                     payer=msg.lei(p.payer), receiver=msg.lei(p.receiver))
        for p in terms.other_payments]
    if terms.price is not None:
        event.price = Price(value=terms.price, currency=terms.price_currency,
                            notation=terms.price_notation)
    _quotes(event, msg)


def _quotes(event: TradeEvent, msg: Message) -> None:
    """Price and package price/spread quoted on the message (quote/measureType)."""
    if event.price is None and event.product.contract_type == "FORW" and (
            event.product.asset_class == "INTR"):
        quote = msg.quote("PriceNotation")
        if quote is not None and quote.value is not None:
            units = (quote.units or "").lower()
            event.price = Price(value=quote.value, currency=quote.currency,
                                notation="PERC" if "percent" in units else "MONE")
    for measure, attr in (("PackagePrice", "package_price"), ("PackageSpread",
                                                              "package_spread")):
        quote = msg.quote(measure)
        if quote is not None and quote.value is not None:
            units = (quote.units or "").lower()
            value = quote.value
            if attr == "package_spread":
                # quoted as a decimal fraction; reported in basis points
                value, notation = value * 10000, "BAPO"
            else:
                notation = "PERC" if "percent" in units else "MONE"
            setattr(event, attr, Price(value=value, currency=quote.currency,
                                       notation=notation))


def _dates(event: TradeEvent, terms: Terms, traded: date | None) -> None:
    event.effective_date = terms.effective_date
    if event.effective_date is None or terms.contract_type in ("SWPT",) or (
            terms.option is not None and terms.asset_class in ("EQUI", "CURR", "CRDT")):
        event.effective_date = traded if traded else terms.effective_date
    event.expiration_date = terms.expiration_date
    event.final_settlement_date = terms.settlement_date or terms.expiration_date


def _flags(event: TradeEvent, infos: list[PartyTradeInfo], first: PartyTradeInfo | None,
           msg: Message) -> None:
    intent = any(i.intent_to_clear for i in infos)
    event.clearing = Clearing(cleared=Cleared.INTENDED if intent else Cleared.NO)
    # CFTC "clearing timestamp": when the DCO accepted the swap for clearing
    event.clearing.clearing_timestamp = next((i.cleared_timestamp for i in ordered_infos(
        first, infos) if i.cleared_timestamp), None)
    ordered = ([first] if first else []) + [i for i in infos if i is not first]
    cftc_regime = next((r for i in ordered for r in i.regimes
                        if "CFTC" in r.bodies and r.mandatorily_clearable is not None), None)
    if cftc_regime is not None and cftc_regime.mandatorily_clearable is not None:
        event.clearing.mandatory_clearing = cftc_regime.mandatorily_clearable.lower() == "true"
    event.block_trade = any(i.large_size_trade for i in infos)
    event.non_standard_terms = next((i.non_standard_terms for i in infos
                                     if i.non_standard_terms is not None), None)
    intragroup = next((i.categories.get("intragroup") for i in infos
                       if "intragroup" in i.categories), None)
    event.intragroup = None if intragroup is None else intragroup.lower() == "true"
    if event.intragroup is None and any(r.relationship == "Intragroup"
                                        for i in infos for r in i.regimes):
        # a regime stating the counterparties' relationship as intragroup: the trade is one
        # between members of the same group, whichever regime says so (EMIR 2.38 intragroup)
        event.intragroup = True
    compressed = next((i.categories.get("compressed_trade") for i in infos
                       if "compressed_trade" in i.categories), None)
    event.compression = compressed is not None and compressed.lower() == "true"
    event.allocation = "UNAL"
    event.prime_brokerage = any(i.related_party("PrimeBroker") for i in infos)
    event.post_priced = False
    portfolio = next((i.collateral_portfolio for i in infos if i.collateral_portfolio), None)
    event.collateral = Collateral(portfolio_code=portfolio) if portfolio else None
    confirmed = next((i.confirmed_timestamp for i in infos if i.confirmed_timestamp), None)
    method = next((i.confirmation_method for i in infos if i.confirmation_method), None)
    # confirmed only with both a confirmation time and a (non-)electronic method
    code = {"electronic": "ECNF", "nonelectronic": "YCNF"}.get((method or "").lower())
    event.confirmation = code if code and confirmed else "NCNF"
    event.confirmation_timestamp = confirmed if event.confirmation != "NCNF" else None
    package = _package(msg)
    if package:
        event.package_id = package


def ordered_infos(first: PartyTradeInfo | None,
                  infos: list[PartyTradeInfo]) -> list[PartyTradeInfo]:
    """The reporting party's trade information first, then the others."""
    return ([first] if first else []) + [i for i in infos if i is not first]


def _package(msg: Message) -> str | None:
    for path in ("trade/tradeHeader/originatingPackage/packageIdentifier/tradeId",
                 "trade/tradeHeader/originatingPackage/packageIdentifier/packageId",
                 "originatingPackage/packageIdentifier/tradeId",
                 "originatingPackage/packageIdentifier/packageId"):
        value = text(msg.element, path)
        if value:
            return value
    return None


def _master_agreement(trade: Element) -> MasterAgreement | None:
    agreement = find(trade, "documentation/masterAgreement")
    if agreement is None:
        return None
    return MasterAgreement(type=text(agreement, "masterAgreementType"),
                           version=text(agreement, "masterAgreementVersion"))

