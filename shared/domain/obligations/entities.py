"""A tenant's legal entities, branches and delegation agreements, as routing reads them.

A branch shares its legal entity's LEI (GLEIF's branch LEIs are not what the regimes want as
the counterparty id), so a trade's booking entity is found by LEI and, where the legal entity
has branches, by the booking hint the record gives or by the country the source states for the
party (FpML `party/country`: a branch's). Statuses are per regime key and checked against the
regime's `Obligation.statuses`, so a typo is an error when the entity is saved, not a silently
unreported trade later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from shared.domain import regimes as registry
from shared.domain.identifiers import lei_shaped


class EntityKind(StrEnum):
    HEAD_OFFICE = "head_office"  # the legal entity itself
    BRANCH = "branch"  # part of a legal entity, booking in another country
    SUBSIDIARY = "subsidiary"  # a legal entity of its own in the group


class Capacity(StrEnum):
    """In what capacity a report is made."""

    SELF = "self"  # the reporting counterparty reports its own side
    GROUP = "group"  # another entity of the same tenant is the reporting counterparty
    MANDATORY = "mandatory"  # on behalf of a client the law assigns (EMIR Art. 9(1a))
    VOLUNTARY = "voluntary"  # on behalf of a client by agreement (EMIR Art. 9(1f))


class EntityError(ValueError):
    """An entity or agreement that cannot be saved as given; names the field."""

    def __init__(self, field_name: str, message: str) -> None:
        self.field = field_name
        super().__init__(f"{field_name}: {message}")


def check_lei(value: str, field_name: str = "lei") -> str:
    """An LEI's shape (ISO 17442: 20 characters, 18 alphanumeric then two check digits);
    the ISO 7064 check is SR-ID-004's, judged on every report."""
    lei = value.strip().upper()
    if not lei_shaped(lei):
        raise EntityError(field_name, f"{value!r} is not an LEI (20 characters, ISO 17442)")
    return lei


def check_statuses(statuses: Mapping[str, str], field_name: str = "statuses") -> dict[str, str]:
    """`{regime key: status}` with every key a registered regime and every status one its
    obligation allows; returned with keys resolved and statuses upper-cased."""
    out: dict[str, str] = {}
    for name, status in statuses.items():
        try:
            regime = registry.resolve(name)
        except registry.UnknownRegime as exc:
            raise EntityError(field_name, str(exc)) from None
        obligation = regime.obligation
        code = str(status).strip().upper()
        if obligation is None or code not in obligation.statuses:
            allowed = ", ".join(obligation.statuses) if obligation else "none"
            raise EntityError(f"{field_name}.{regime.key}",
                              f"{status!r} is not a {regime.display_name} status ({allowed})")
        out[regime.key] = code
    return out


@dataclass(frozen=True)
class LegalEntity:
    """One of the tenant's entities: a head office, a branch of one, or a subsidiary."""

    entity_id: str  # the tenant's own short code, e.g. SEOUL-HO, LONDON-BR
    name: str
    kind: EntityKind
    country: str  # ISO 3166 alpha-2 where it books (a branch: the branch's country)
    lei: str | None = None  # a branch may leave it to its legal entity
    parent: str | None = None  # a branch: its legal entity's entity_id
    statuses: Mapping[str, str] = field(default_factory=dict)  # regime key -> status

    def __post_init__(self) -> None:
        if not self.entity_id.strip():
            raise EntityError("entity_id", "is empty")
        if (len(self.country) != 2 or not self.country.isascii()  # 'ÄÖ' is alpha and upper
                or not self.country.isalpha() or not self.country.isupper()):
            raise EntityError("country", f"{self.country!r} is not an ISO 3166 alpha-2 code")
        if self.kind is EntityKind.BRANCH and not self.parent:
            raise EntityError("parent", "a branch names the legal entity it belongs to")
        if self.kind is not EntityKind.BRANCH and not self.lei:
            raise EntityError("lei", f"a {self.kind.value.replace('_', ' ')} has its own LEI")
        if self.lei is not None:
            object.__setattr__(self, "lei", check_lei(self.lei))
        object.__setattr__(self, "statuses", MappingProxyType(check_statuses(self.statuses)))


@dataclass(frozen=True)
class DelegationAgreement:
    """The tenant reports for a client under one regime, from `valid_from` until `valid_to`.

    MANDATORY: the law makes the tenant's entity responsible (EMIR Art. 9(1a): an FC for an
    NFC- client); `opted_out` records the NFC- that chose to report itself. VOLUNTARY: by
    contract; the client stays responsible."""

    client_lei: str
    client_name: str
    regime: str
    capacity: Capacity
    delegate: str  # the entity_id of the tenant's entity that submits
    valid_from: date
    valid_to: date | None = None
    client_status: str | None = None  # the client's status under the regime, e.g. NFC-
    opted_out: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "client_lei", check_lei(self.client_lei, "client_lei"))
        try:
            object.__setattr__(self, "regime", registry.resolve(self.regime).key)
        except registry.UnknownRegime as exc:
            raise EntityError("regime", str(exc)) from None
        if self.capacity not in (Capacity.MANDATORY, Capacity.VOLUNTARY):
            raise EntityError("capacity", "an agreement is mandatory or voluntary")
        if self.client_status is not None:
            status = check_statuses({self.regime: self.client_status}, "client_status")
            object.__setattr__(self, "client_status", status[self.regime])
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise EntityError("valid_to", "ends before it starts")

    def active_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class EntityBook:
    """The tenant's entities and agreements, looked up as routing needs them."""

    def __init__(self, entities: Iterable[LegalEntity],
                 agreements: Iterable[DelegationAgreement] = ()) -> None:
        self.entities: dict[str, LegalEntity] = {}
        for entity in entities:
            if entity.entity_id in self.entities:
                raise EntityError("entity_id", f"{entity.entity_id!r} is given twice")
            self.entities[entity.entity_id] = entity
        for entity in self.entities.values():
            if entity.parent is not None and entity.parent not in self.entities:
                raise EntityError("parent", f"{entity.entity_id}: no entity {entity.parent!r}")
            if entity.parent is not None and self.entities[entity.parent].parent is not None:
                # a branch's LEI is its legal entity's: a branch of a branch would have none
                raise EntityError("parent", f"{entity.entity_id}: {entity.parent} is a branch;"
                                            " a branch belongs to a head office or subsidiary")
        self.agreements = tuple(agreements)
        for agreement in self.agreements:
            if agreement.delegate not in self.entities:
                raise EntityError("delegate", f"no entity {agreement.delegate!r}")
        # Routing asks these for every event of a chunk: looked up, not scanned
        self._by_lei: dict[str, list[LegalEntity]] = {}
        for entity in self.entities.values():
            self._by_lei.setdefault(self.lei_of(entity), []).append(entity)
        self._agreements: dict[tuple[str, str], list[DelegationAgreement]] = {}
        for agreement in self.agreements:
            self._agreements.setdefault((agreement.client_lei, agreement.regime),
                                        []).append(agreement)

    def __bool__(self) -> bool:
        return bool(self.entities)

    def legal_entity(self, entity: LegalEntity) -> LegalEntity:
        """The legal entity a branch belongs to (an entity is its own)."""
        return self.entities[entity.parent] if entity.parent else entity

    def lei_of(self, entity: LegalEntity) -> str:
        lei = entity.lei or self.legal_entity(entity).lei
        assert lei is not None  # a non-branch has one, and a branch's parent is a non-branch
        return lei

    def by_lei(self, lei: str | None) -> list[LegalEntity]:
        if not lei:
            return []
        return list(self._by_lei.get(lei.strip().upper(), ()))

    def booking_entity(self, lei: str | None, *, hint: str | None = None,
                       country: str | None = None) -> LegalEntity | None:
        """Which of the tenant's entities with this LEI booked the trade: the one the record
        names (`hint`, an entity_id), else the one in the party's country, else the legal
        entity itself."""
        candidates = self.by_lei(lei)
        if not candidates:
            return None
        if hint:
            named = next((e for e in candidates if e.entity_id == hint.strip()), None)
            if named is not None:
                return named
        if country:
            local = [e for e in candidates if e.country == country.strip().upper()]
            if len(local) == 1:
                return local[0]
        return next((e for e in candidates if e.kind is not EntityKind.BRANCH), candidates[0])

    def status(self, entity: LegalEntity, regime_key: str) -> str | None:
        """The entity's status under the regime: its own, else (for a regime whose statuses
        cover the whole legal entity) its legal entity's."""
        own = entity.statuses.get(regime_key)
        if own is not None:
            return own
        regime = registry.regime(regime_key)
        if regime.obligation is not None and regime.obligation.scope == "legal-entity":
            return self.legal_entity(entity).statuses.get(regime_key)
        return None

    def agreement(self, client_lei: str | None, regime_key: str,
                  day: date | None) -> DelegationAgreement | None:
        if not client_lei:
            return None
        for agreement in self._agreements.get((client_lei.strip().upper(), regime_key), ()):
            if day is None or agreement.active_on(day):
                return agreement
        return None


def entity_from_row(row: Mapping[str, object]) -> LegalEntity:
    """A `LegalEntity` from a stored row or an API body (the same field names)."""
    statuses = row.get("statuses") or {}
    if not isinstance(statuses, Mapping):
        raise EntityError("statuses", "is an object of regime -> status")
    try:
        kind = EntityKind(str(row.get("kind")))
    except ValueError:
        raise EntityError("kind", f"{row.get('kind')!r} is not one of "
                                  f"{', '.join(k.value for k in EntityKind)}") from None
    return LegalEntity(entity_id=str(row.get("entity_id") or ""), name=str(row.get("name") or ""),
                       kind=kind, country=str(row.get("country") or ""),
                       lei=_text(row.get("lei")), parent=_text(row.get("parent")),
                       statuses={str(k): str(v) for k, v in statuses.items()})


def agreement_from_row(row: Mapping[str, object]) -> DelegationAgreement:
    """A `DelegationAgreement` from a stored row or an API body (dates as date or ISO text)."""
    try:
        capacity = Capacity(str(row.get("capacity")))
    except ValueError:
        raise EntityError("capacity", "an agreement is mandatory or voluntary") from None
    return DelegationAgreement(
        client_lei=str(row.get("client_lei") or ""), client_name=str(row.get("client_name") or ""),
        regime=str(row.get("regime") or ""), capacity=capacity,
        delegate=str(row.get("delegate") or ""),
        valid_from=_day(row.get("valid_from"), "valid_from"),
        valid_to=_day(row.get("valid_to"), "valid_to") if row.get("valid_to") else None,
        client_status=_text(row.get("client_status")), opted_out=bool(row.get("opted_out")))


def book_from_rows(entity_rows: Iterable[Mapping[str, object]],
                   agreement_rows: Iterable[Mapping[str, object]] = ()) -> EntityBook:
    return EntityBook([entity_from_row(r) for r in entity_rows],
                      [agreement_from_row(r) for r in agreement_rows])


def _text(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def _day(value: object, field_name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise EntityError(field_name, f"{value!r} is not a date (YYYY-MM-DD)") from None
