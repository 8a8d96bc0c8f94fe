"""What one FpML message says around its trades: header, parties, per-party trade information,
reporting regimes, the trading event and quotes. Parsed once per message, shared by its trades.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from shared.formats.fpml.xml import (
    Element,
    boolean,
    children,
    decimal,
    find,
    findall,
    href,
    local,
    text,
    timestamp,
)

LEI_SCHEMES = ("iso17442", "lei")
MIC_SCHEMES = ("iso10383", "exchange-id-mic")


@dataclass
class PartyDef:
    """A `party` element: identifiers and static classifications."""

    id: str
    lei: str | None = None
    other_id: str | None = None  # first non-LEI, non-MIC identifier
    mic: str | None = None
    name: str | None = None
    classifications: dict[str, str] = field(default_factory=dict)  # scheme tail -> value
    country: str | None = None
    organization_type: str | None = None

    @property
    def identifier(self) -> str | None:
        return self.lei or self.other_id


@dataclass
class Regime:
    """One `reportingRegime` of one party."""

    name: str | None = None
    bodies: tuple[str, ...] = ()
    role: str | None = None
    mandatorily_clearable: str | None = None  # true / false / X
    exceeds_clearing_threshold: bool | None = None
    entity_classification: str | None = None  # Financial, NonFinancial, CentralCounterparty..
    directly_linked_activity: bool | None = None
    action_type: str | None = None
    relationship: str | None = None  # tradePartyRelationshipType: Intragroup, Affiliated..


@dataclass
class PartyTradeInfo:
    """A `partyTradeInformation` element."""

    party: str | None
    element: Element
    related: list[tuple[str, str]] = field(default_factory=list)  # (role, party href)
    categories: dict[str, str] = field(default_factory=dict)  # scheme tail -> value
    regimes: list[Regime] = field(default_factory=list)
    execution_timestamp: datetime | None = None
    confirmed_timestamp: datetime | None = None
    cleared_timestamp: datetime | None = None  # timestamps/cleared: when the CCP accepted it
    intent_to_clear: bool | None = None
    clearing_status: bool | None = None
    collateral_portfolio: str | None = None
    execution_venue_type: str | None = None
    confirmation_method: str | None = None
    non_standard_terms: bool | None = None
    large_size_trade: bool | None = None
    allocation_status: str | None = None
    intent_to_allocate: bool | None = None

    def related_party(self, *roles: str) -> str | None:
        wanted = {r.lower() for r in roles}
        return next((h for role, h in self.related if role.lower() in wanted), None)

    def regime(self, name: str) -> Regime | None:
        return next((r for r in self.regimes if r.name == name), None)

    def bodies(self) -> list[str]:
        seen: list[str] = []
        for regime in self.regimes:
            for body in regime.bodies:
                if body not in seen:
                    seen.append(body)
        return seen


@dataclass
class Quote:
    measure_type: str | None
    value: Decimal | None
    units: str | None
    currency: str | None
    time: datetime | None


@dataclass
class TradingEvent:
    event_type: str | None = None
    event_id: str | None = None
    execution_timestamp: datetime | None = None
    agreement_date: str | None = None


@dataclass
class Message:
    element: Element
    kind: str  # local name of the message element
    message_id: str | None = None
    sent_by: str | None = None
    creation_timestamp: datetime | None = None
    creation_zoned: bool = False  # creationTimestamp carried a zone (Z or an offset)
    is_correction: bool | None = None
    on_behalf_of: str | None = None
    originating_event: str | None = None
    trading_event: TradingEvent | None = None
    quotes: list[Quote] = field(default_factory=list)
    parties: dict[str, PartyDef] = field(default_factory=dict)

    def party(self, party_href: str | None) -> PartyDef | None:
        return self.parties.get(party_href) if party_href else None

    def lei(self, party_href: str | None) -> str | None:
        party = self.party(party_href)
        return party.identifier if party else None

    def quote(self, *measure_types: str) -> Quote | None:
        return next((q for q in self.quotes if q.measure_type in measure_types), None)


def scheme_tail(scheme: str | None) -> str:
    """The distinctive end of a coding-scheme URI (`.../esma-emir-refit-regulatory-corporate-
    sector` -> `esma-emir-refit-regulatory-corporate-sector`)."""
    return (scheme or "").rstrip("/").rsplit("/", 1)[-1].lower()


def read_message(el: Element) -> Message:
    header = find(el, "header")
    trading = find(el, "tradingEvent")
    msg = Message(
        element=el,
        kind=local(el),
        message_id=text(header, "messageId"),
        sent_by=text(header, "sentBy"),
        creation_timestamp=timestamp(header, "creationTimestamp"),
        creation_zoned=_zoned(text(header, "creationTimestamp")),
        is_correction=boolean(el, "isCorrection"),
        on_behalf_of=href(el, "onBehalfOf/partyReference"),
        originating_event=text(el, "originatingEvent"),
        trading_event=_trading_event(trading) if trading is not None else None,
    )
    for q in findall(el, "quote"):
        msg.quotes.append(Quote(measure_type=text(q, "measureType"), value=decimal(q, "value"),
                                units=text(q, "quoteUnits"), currency=text(q, "currency"),
                                time=timestamp(q, "time")))
    for p in findall(el, "party"):
        party = read_party(p)
        msg.parties.setdefault(party.id, party)
    return msg


def _zoned(value: str | None) -> bool:
    if not value:
        return False
    return value.endswith("Z") or "+" in value[10:] or "-" in value[10:]


def _trading_event(el: Element) -> TradingEvent:
    return TradingEvent(event_type=text(el, "eventType"),
                        event_id=text(el, "eventIdentifier/eventId"),
                        execution_timestamp=timestamp(el, "executionDateTime"),
                        agreement_date=text(el, "agreementDate"))


def _country(*codes: str | None) -> str | None:
    """The first ISO 3166-1 alpha-2 country code among `codes`: a party's own country, then
    its address's. A user-assigned code (AA, QM-QZ, XA-XZ, ZZ; FpML samples use XX for
    "unknown") or an alpha-3 code names no country there, so the next one is taken."""
    for code in codes:
        value = (code or "").strip().upper()
        if len(value) != 2 or not value.isalpha() or not value.isascii():
            continue
        if value in ("AA", "ZZ") or value[0] == "X" or (value[0] == "Q" and value[1] >= "M"):
            continue
        return value
    return None


def read_party(el: Element) -> PartyDef:
    party = PartyDef(id=el.get("id") or "", name=text(el, "partyName"),
                     country=_country(text(el, "country"),
                                      text(el, "contactInfo/address/country")),
                     organization_type=text(el, "organizationType"))
    for pid in findall(el, "partyId"):
        value = text(pid)
        if not value:
            continue
        scheme = (pid.get("partyIdScheme") or "").lower()
        if any(s in scheme for s in MIC_SCHEMES):
            party.mic = party.mic or value
        elif any(s in scheme for s in LEI_SCHEMES) or (not scheme and len(value) == 20):
            party.lei = party.lei or value
        else:
            party.other_id = party.other_id or value
    for c in findall(el, "classification"):
        value = text(c)
        if value:
            key = scheme_tail(c.get("industryClassificationScheme")) or "_"
            party.classifications.setdefault(key, value)
    return party


def read_party_trade_info(el: Element) -> PartyTradeInfo:
    info = PartyTradeInfo(
        party=href(el, "partyReference"),
        element=el,
        execution_timestamp=timestamp(el, "executionDateTime"),
        confirmed_timestamp=timestamp(el, "timestamps/confirmed"),
        cleared_timestamp=timestamp(el, "timestamps/cleared"),
        intent_to_clear=boolean(el, "intentToClear"),
        clearing_status=boolean(el, "clearingStatus"),
        collateral_portfolio=text(el, "collateralPortfolio"),
        execution_venue_type=text(el, "executionVenueType"),
        confirmation_method=text(el, "confirmationMethod"),
        non_standard_terms=boolean(el, "nonStandardTerms"),
        large_size_trade=boolean(el, "largeSizeTrade"),
        allocation_status=text(el, "allocationStatus"),
        intent_to_allocate=boolean(el, "intentToAllocate"),
    )
    for rp in findall(el, "relatedParty"):
        role, ref = text(rp, "role"), href(rp, "partyReference")
        if role and ref:
            info.related.append((role, ref))
    for c in findall(el, "category"):
        value = text(c)
        if value:
            info.categories.setdefault(scheme_tail(c.get("categoryScheme")), value)
    for r in findall(el, "reportingRegime"):
        info.regimes.append(Regime(
            name=text(r, "name"),
            bodies=tuple(b for b in (text(x) for x in findall(r, "supervisorRegistration/"
                                                                 "supervisoryBody")) if b)
            + tuple(b for b in (text(x) for x in findall(r, "supervisoryBody")) if b),
            role=text(r, "reportingRole"),
            mandatorily_clearable=text(r, "mandatorilyClearable"),
            exceeds_clearing_threshold=boolean(r, "exceedsClearingThreshold"),
            entity_classification=text(r, "entityClassification")
            or text(r, "partyEntityClassification/entityClassification"),
            directly_linked_activity=boolean(r, "directlyLinkedActivity"),
            action_type=text(r, "actionType"),
            relationship=text(r, "tradePartyRelationshipType"),
        ))
    return info


def party_trade_infos(trade: Element) -> list[PartyTradeInfo]:
    return [read_party_trade_info(p) for p in findall(trade, "tradeHeader/partyTradeInformation")]


def product_element(trade: Element) -> Element | None:
    """The trade's product: the first child after the header that is not trade-level data."""
    skip = {"tradeHeader", "documentation", "collateral", "calculationAgent",
            "calculationAgentBusinessCenter", "otherPartyPayment", "brokerPartyReference",
            "governingLaw", "tradeSummary", "originatingPackage", "allocations",
            "approvals", "determiningParty", "hedgingParty", "barrierDeterminationAgent"}
    for child in children(trade):
        if local(child) not in skip:
            return child
    return None
