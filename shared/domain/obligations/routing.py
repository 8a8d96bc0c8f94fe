"""For one event: which regimes it is reported under, by which side, and who submits.

`route` applies each regime's `Obligation` (shared.domain.regimes) to the tenant's entity on
the trade (`EntityBook.booking_entity`) and to the other counterparty:
- a regime where each side reports its own ("both"): the tenant's entity reports if its
  status is one that reports; an NFC- facing a financial counterparty of the same regime is
  reported for (EMIR Art. 9(1a)); the tenant reports the other side too when that side is
  another of its entities (GROUP), a client under an agreement, or an NFC- the law assigns
  to the tenant's FC (MANDATORY, unless the client opted out);
- a regime where one side reports ("one", CFTC §45.8): the higher of SD > MSP > financial
  entity > other, a US person before a non-US one; between equals the tenant's side reports
  (the rule leaves it to agreement: reporting is the side that cannot be fined for silence);
- a regime that `follows` another (Part 43) is reported by whoever reports the one it follows.

What the counterparty is under a regime comes from the record (EMIR nature and clearing
threshold, the CFTC classification, its country), or from an agreement's client status, or,
when the counterparty is one of the tenant's entities, from that entity. Every decision and
every regime left out carries its reason, in English and Korean.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.domain import regimes as registry
from shared.domain.model import Party, TradeEvent
from shared.domain.obligations.entities import Capacity, DelegationAgreement, EntityBook
from shared.domain.obligations.status import counterparty_status

# CFTC §45.8 hierarchy: the higher rank reports
_CFTC_RANK = {"SD": 4, "MSP": 3, "FE": 2, "NFE": 1}


@dataclass(frozen=True)
class Report:
    """One report the tenant owes."""

    regime: str
    reporting_counterparty: str  # LEI of the side reported
    other_counterparty: str | None
    submitting_entity: str  # LEI that sends it
    entity_responsible: str  # LEI answerable for it
    capacity: Capacity
    entity_id: str | None  # the tenant's entity whose side it is (None: a client's)
    reason_en: str
    reason_ko: str


@dataclass(frozen=True)
class Skipped:
    """A regime the trade touches that the tenant does not report, and why."""

    regime: str
    reason_en: str
    reason_ko: str


@dataclass(frozen=True)
class Routing:
    basis: str  # "entities": decided here; "record": the record names its regimes;
    # "tenant": no entities configured, the tenant's regimes
    booking_entity: str | None
    reports: tuple[Report, ...]
    skipped: tuple[Skipped, ...] = ()

    @property
    def regimes(self) -> tuple[str, ...]:
        """The regimes in which the event is reported as it stands (the record's own side),
        in registry order: what `trade_events.regimes` holds."""
        return tuple(dict.fromkeys(r.regime for r in self.reports
                                   if r.capacity in (Capacity.SELF,)))

    @property
    def on_behalf(self) -> tuple[Report, ...]:
        """The reports of the other side (a client's or another of the tenant's entities)."""
        return tuple(r for r in self.reports if r.capacity is not Capacity.SELF)

    def as_dict(self) -> dict[str, Any]:
        # By hand: dataclasses.asdict copies recursively, and process stores this per event
        return {"basis": self.basis, "booking_entity": self.booking_entity,
                "reports": [{"regime": r.regime,
                             "reporting_counterparty": r.reporting_counterparty,
                             "other_counterparty": r.other_counterparty,
                             "submitting_entity": r.submitting_entity,
                             "entity_responsible": r.entity_responsible,
                             "capacity": r.capacity.value, "entity_id": r.entity_id,
                             "reason_en": r.reason_en, "reason_ko": r.reason_ko}
                            for r in self.reports],
                "skipped": [{"regime": s.regime, "reason_en": s.reason_en,
                             "reason_ko": s.reason_ko} for s in self.skipped]}


def route(event: TradeEvent, book: EntityBook, *, enabled: Sequence[str],
          named: Iterable[str] | None = None) -> Routing:
    """The reports `event` owes. `enabled`: the regimes the tenant reports to (has a TR
    for); `named`: the regimes the record names (default: `event.regimes`), which restrict
    the decision to them (an FEP that routes by itself stays in charge)."""
    named_keys = _resolve(event.regimes if named is None else named)
    if not book:
        regimes = named_keys or tuple(enabled)
        basis = "record" if named_keys else "tenant"
        why_en = ("the record names it" if named_keys
                  else "no entities are set up: the tenant's regimes")
        why_ko = "레코드에 명시됨" if named_keys else "법인 설정 없음: 테넌트의 보고제도"
        lei = event.counterparty_1.identifier if event.counterparty_1 else ""
        other = event.counterparty_2.identifier if event.counterparty_2 else None
        return Routing(basis, None, tuple(
            Report(r, lei, other, event.submitting_entity or lei,
                   event.entity_responsible or event.submitting_entity or lei,
                   Capacity.SELF, None, why_en, why_ko) for r in regimes))
    return _Router(event, book, tuple(enabled), named_keys).route()


class Router:
    """`route` for the events of one batch (a chunk of 500): events that differ in nothing
    routing reads share one decision, computed once. A chunk names a few dozen counterparties
    and days, so most events cost a dictionary lookup instead of a pass over every regime."""

    def __init__(self, book: EntityBook, *, enabled: Sequence[str]) -> None:
        self.book, self.enabled = book, tuple(enabled)
        self._decided: dict[tuple[Any, ...], Routing] = {}

    def route(self, event: TradeEvent, named: Iterable[str] | None = None) -> Routing:
        key = _inputs(event, None if named is None else tuple(named))
        decided = self._decided.get(key)
        if decided is None:
            decided = route(event, self.book, enabled=self.enabled, named=key[3])
            self._decided[key] = decided
        return decided


def _inputs(event: TradeEvent, named: tuple[str, ...] | None) -> tuple[Any, ...]:
    """Everything `route` reads of an event, and nothing else (keep in step with `route`,
    `_Router` and `counterparty_status`): the key under which `Router` shares decisions."""
    executed = event.execution_timestamp
    return (_party_inputs(event.counterparty_1), _party_inputs(event.counterparty_2),
            event.booking_entity, tuple(event.regimes) if named is None else named,
            executed.date() if executed is not None else None, event.submitting_entity,
            event.entity_responsible)


def _party_inputs(party: Party | None) -> tuple[Any, ...] | None:
    if party is None:
        return None
    return (party.identifier, party.country, party.nature, party.clearing_threshold_exceeded,
            party.financial_entity, party.entity_classifications.get("CFTC"),
            tuple((name, c.nature, c.clearing_threshold_exceeded)
                  for name, c in party.regime_classifications.items()))


def _resolve(names: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        try:
            key = registry.resolve(name).key
        except registry.UnknownRegime:
            continue
        if key not in out:
            out.append(key)
    return tuple(out)


class _Router:
    def __init__(self, event: TradeEvent, book: EntityBook, enabled: tuple[str, ...],
                 named: tuple[str, ...]) -> None:
        self.event, self.book, self.enabled, self.named = event, book, enabled, named
        self.reports: list[Report] = []
        self.skipped: list[Skipped] = []
        self._agreements: dict[str, DelegationAgreement | None] = {}
        self.day: date | None = (event.execution_timestamp.date()
                                 if event.execution_timestamp else None)
        cp1, cp2 = event.counterparty_1, event.counterparty_2
        hint = event.booking_entity
        self.ours = book.booking_entity(cp1.identifier if cp1 else None, hint=hint,
                                        country=cp1.country if cp1 else None)
        self.party, self.other = cp1, cp2
        if self.ours is None and cp2 is not None:  # the record put the counterparty first
            self.ours = book.booking_entity(cp2.identifier, hint=hint, country=cp2.country)
            self.party, self.other = cp2, cp1
        self.their_entity = (book.booking_entity(self.other.identifier,
                                                 country=self.other.country)
                             if self.other is not None else None)

    def route(self) -> Routing:
        if self.ours is None:
            lei = self.event.counterparty_1.identifier if self.event.counterparty_1 else "-"
            for key in self.enabled:
                self._skip(key, f"neither counterparty ({lei}, ...) is one of the tenant's "
                                "entities: nobody here is obliged to report it",
                           "어느 거래상대방도 테넌트의 법인이 아니므로 보고의무가 없습니다")
            return self._result()
        for regime in registry.REGISTRY.values():
            if regime.obligation is None or regime.obligation.follows:
                continue
            if self.named and regime.key not in self.named:
                if self.book.status(self.ours, regime.key) is not None:
                    self._skip(regime.key, "the record names its regimes "
                                           f"({', '.join(self.named)}) and not this one",
                               f"레코드가 보고제도({', '.join(self.named)})를 지정하여 "
                               "제외되었습니다")
                continue
            self._decide(regime)
        for regime in registry.REGISTRY.values():
            follows = regime.obligation.follows if regime.obligation else None
            if follows and (not self.named or regime.key in self.named):
                self._follow(regime, follows)
        return self._result()

    def _result(self) -> Routing:
        return Routing("entities", self.ours.entity_id if self.ours else None,
                       tuple(self.reports), tuple(self.skipped))

    # --- one regime ------------------------------------------------------------------------

    def _decide(self, regime: registry.Regime) -> None:
        obligation = regime.obligation
        assert obligation is not None and self.ours is not None
        mine = self.book.status(self.ours, regime.key)
        theirs = self._their_status(regime.key)
        if mine is not None and obligation.scope == "legal-entity" and not self._in_reach(
                obligation.jurisdictions):
            where = "/".join(sorted(obligation.jurisdictions))
            self._skip(regime.key, f"{self.ours.entity_id} is {mine} under "
                                   f"{regime.display_name}, but neither side nor the booking "
                                   f"is in {where}: outside its reach",
                       f"{self.ours.entity_id}은(는) {regime.display_name_ko} {mine}이나 거래 "
                       f"양측과 부킹이 {where} 밖에 있어 적용대상이 아닙니다")
            return
        if mine is None and self._agreement(regime.key) is None:
            if theirs is not None:
                self._skip(regime.key,
                           f"{self.ours.entity_id} has no {regime.display_name} status; the "
                           f"counterparty ({theirs}) reports its own side",
                           f"{self.ours.entity_id}은(는) {regime.display_name_ko} "
                           f"보고대상이 아니며 거래상대방({theirs})이 보고합니다")
            return
        if obligation.sides == "one":
            self._one_side(regime, mine, theirs)
        else:
            self._both_sides(regime, mine, theirs)

    def _both_sides(self, regime: registry.Regime, mine: str | None,
                    theirs: str | None) -> None:
        obligation = regime.obligation
        assert obligation is not None and self.ours is not None
        name, entity = regime.display_name, self.ours.entity_id
        name_ko = regime.display_name_ko
        if mine in obligation.self_reporting:
            self._own(regime.key, f"{entity} is {mine} under {name}: it reports its own side "
                                  f"({obligation.source.split(';')[0]})",
                      f"{entity}은(는) {name_ko} {mine}로서 자기 측을 보고합니다")
        elif mine in obligation.delegated_for and theirs == "FC":
            self._skip(regime.key, f"{entity} is {mine}: its financial counterparty reports "
                                   f"for it under {name} (Art. 9(1a))",
                       f"{entity}은(는) {mine}로서 금융 거래상대방이 대신 보고합니다(제9조(1a))")
        elif mine in obligation.delegated_for:
            self._own(regime.key, f"{entity} is {mine} and its counterparty is no {name} "
                                  "financial counterparty: it reports itself",
                      f"{entity}은(는) {mine}이나 거래상대방이 {name_ko} 금융상대방이 아니므로 "
                      "직접 보고합니다")
        elif mine is not None:
            self._skip(regime.key, f"{entity} is {mine} under {name}: not obliged to report",
                       f"{entity}은(는) {name_ko} {mine}로서 보고의무가 없습니다")
        self._other_side(regime, mine, theirs)

    def _other_side(self, regime: registry.Regime, mine: str | None,
                    theirs: str | None) -> None:
        obligation = regime.obligation
        assert obligation is not None and self.ours is not None
        if self.other is None:
            return
        name = regime.display_name
        name_ko = regime.display_name_ko
        if self.their_entity is not None:
            status = self.book.status(self.their_entity, regime.key)
            if status in obligation.self_reporting:
                self._report(regime.key, Capacity.GROUP, self.other, self.party,
                             submitter=self.book.lei_of(self.their_entity),
                             responsible=self.book.lei_of(self.their_entity),
                             entity_id=self.their_entity.entity_id,
                             en=f"the counterparty is the tenant's {self.their_entity.entity_id}"
                                f", {status} under {name}: its side is reported too",
                             ko=f"거래상대방도 테넌트의 법인({self.their_entity.entity_id}, "
                                f"{status})이므로 그 측도 보고합니다")
            return
        agreement = self._agreement(regime.key)
        if agreement is not None and not agreement.opted_out:
            delegate = self.book.entities[agreement.delegate]
            mandatory = agreement.capacity is Capacity.MANDATORY
            self._report(regime.key, agreement.capacity, self.other, self.party,
                         submitter=self.book.lei_of(delegate),
                         responsible=(self.book.lei_of(delegate) if mandatory
                                      else self.other.identifier),
                         entity_id=None,
                         en=(f"{agreement.client_name} is a client: {delegate.entity_id} "
                             f"reports for it under {name} by "
                             + ("law (Art. 9(1a)), and is responsible" if mandatory else
                                "agreement; the client stays responsible")),
                         ko=(f"{agreement.client_name}은(는) 고객으로, {delegate.entity_id}이(가) "
                             + ("법에 따라 대신 보고하고 책임집니다(제9조(1a))" if mandatory
                                else "계약에 따라 대신 보고하며 책임은 고객에게 있습니다")))
            return
        opted_out = agreement is not None and agreement.opted_out
        if (mine == "FC" and theirs in obligation.delegated_for and not opted_out):
            lei = self.book.lei_of(self.ours)
            self._report(regime.key, Capacity.MANDATORY, self.other, self.party,
                         submitter=lei, responsible=lei, entity_id=None,
                         en=f"the counterparty is {theirs} under {name} and "
                            f"{self.ours.entity_id} is FC: it must report for it (Art. 9(1a))",
                         ko=f"거래상대방이 {name_ko} {theirs}이고 {self.ours.entity_id}이(가) "
                            "금융상대방이므로 대신 보고해야 합니다(제9조(1a))")

    def _one_side(self, regime: registry.Regime, mine: str | None,
                  theirs: str | None) -> None:
        assert self.ours is not None
        name, entity = regime.display_name, self.ours.entity_id
        if self.their_entity is not None:
            theirs = self.book.status(self.their_entity, regime.key) or theirs
        rank_mine, rank_theirs = _rank(mine, self.party), _rank(theirs, self.other)
        if mine is None:
            return
        if rank_theirs > rank_mine:
            if self.their_entity is not None:
                self._report(regime.key, Capacity.GROUP, self.other, self.party,
                             submitter=self.book.lei_of(self.their_entity),
                             responsible=self.book.lei_of(self.their_entity),
                             entity_id=self.their_entity.entity_id,
                             en=f"the tenant's {self.their_entity.entity_id} ({theirs}) ranks "
                                f"above {entity} ({mine}) under §45.8: it reports",
                             ko=f"§45.8 순위상 테넌트의 {self.their_entity.entity_id}({theirs})이"
                                f"(가) {entity}({mine})보다 앞서 보고합니다")
            else:
                self._skip(regime.key, f"the counterparty ({theirs}) ranks above {entity} "
                                       f"({mine}) under §45.8: it is the reporting counterparty",
                           f"§45.8 순위상 거래상대방({theirs})이 보고상대방입니다")
            return
        if rank_theirs == rank_mine:
            en = (f"{entity} and the counterparty are both {mine}: the rule leaves it to "
                  f"them (§45.8), and {entity} reports unless another side is agreed")
            ko = (f"{entity}와 거래상대방이 모두 {mine}로서 합의에 따르며(§45.8), 달리 합의가 "
                  f"없으므로 {entity}이(가) 보고합니다")
        else:
            en = (f"{entity} ({mine}) ranks above the counterparty "
                  f"({theirs or 'no CFTC status'}) under §45.8: it reports")
            ko = f"§45.8 순위상 {entity}({mine})이(가) 보고상대방입니다"
        self._own(regime.key, f"{en} ({name})", ko)

    def _follow(self, regime: registry.Regime, leader: str) -> None:
        led = [r for r in self.reports if r.regime == leader]
        source = regime.obligation.source if regime.obligation else ""
        if led and regime.key not in self.enabled:
            self._skip(regime.key, f"the {registry.regime(leader).display_name} reporting "
                                   f"counterparty reports {regime.display_name} too; but the "
                                   f"tenant has no {regime.display_name} connection: set one "
                                   "up or it goes unreported",
                       f"{registry.regime(leader).display_name_ko} 보고상대방이 "
                       f"{regime.display_name_ko}도 보고해야 하나 테넌트에 해당 보고제도 "
                       "연결이 없어 보고되지 않습니다")
            return
        for report in led:
            self.reports.append(Report(
                regime.key, report.reporting_counterparty, report.other_counterparty,
                report.submitting_entity, report.entity_responsible, report.capacity,
                report.entity_id,
                f"the {registry.regime(leader).display_name} reporting counterparty reports "
                f"{regime.display_name} too ({source})",
                f"{registry.regime(leader).display_name_ko} 보고상대방이 "
                f"{regime.display_name_ko}도 보고합니다"))
        if not led and any(s.regime == leader for s in self.skipped):
            self._skip(regime.key, f"follows {registry.regime(leader).display_name}, which "
                                   "the tenant does not report",
                       f"{registry.regime(leader).display_name_ko}을(를) 따르며 테넌트가 보고하지 "
                       "않습니다")

    # --- helpers ---------------------------------------------------------------------------

    def _in_reach(self, jurisdictions: frozenset[str]) -> bool:
        """A legal-entity status reaches a trade when the legal entity, the booking entity or
        the counterparty is in the regime's jurisdictions (a non-US swap dealer reports its
        swaps with US persons, not every swap it books)."""
        assert self.ours is not None
        countries = {self.ours.country, self.book.legal_entity(self.ours).country,
                     (self.other.country or "").upper() if self.other is not None else ""}
        return bool(countries & jurisdictions)

    def _their_status(self, regime_key: str) -> str | None:
        if self.their_entity is not None:
            return self.book.status(self.their_entity, regime_key)
        agreement = self._agreement(regime_key)
        if agreement is not None and agreement.client_status:
            return agreement.client_status
        return counterparty_status(self.other, regime_key)

    def _agreement(self, regime_key: str) -> DelegationAgreement | None:
        # asked up to three times per regime: once each
        if regime_key not in self._agreements:
            other = self.other.identifier if self.other is not None else None
            self._agreements[regime_key] = self.book.agreement(other, regime_key, self.day)
        return self._agreements[regime_key]

    def _own(self, regime_key: str, en: str, ko: str) -> None:
        assert self.ours is not None and self.party is not None
        lei = self.book.lei_of(self.ours)
        self._report(regime_key, Capacity.SELF, self.party, self.other, submitter=lei,
                     responsible=lei, entity_id=self.ours.entity_id, en=en, ko=ko)

    def _report(self, regime_key: str, capacity: Capacity, side: Party | None,
                other: Party | None, *, submitter: str, responsible: str,
                entity_id: str | None, en: str, ko: str) -> None:
        assert side is not None
        if regime_key not in self.enabled:
            name = registry.regime(regime_key).display_name
            self._skip(regime_key, f"{en}; but the tenant has no {name} connection: set one up "
                                   "or it goes unreported",
                       f"{ko}. 그러나 테넌트에 해당 보고제도 연결이 없어 보고되지 않습니다")
            return
        self.reports.append(Report(regime_key, side.identifier,
                                   other.identifier if other else None, submitter,
                                   responsible, capacity, entity_id, en, ko))

    def _skip(self, regime_key: str, en: str, ko: str) -> None:
        self.skipped.append(Skipped(regime_key, en, ko))


def _rank(status: str | None, party: Party | None) -> tuple[int, int]:
    """CFTC §45.8 order: (the status rank, then 1 for a US person), the US person mattering
    only between two counterparties that are neither SD nor MSP (§45.8(d))."""
    rank = _CFTC_RANK.get(status or "", 0)
    us = 1 if rank <= _CFTC_RANK["FE"] and party is not None and (
        (party.country or "").upper() == "US") else 0
    return (rank, us)
