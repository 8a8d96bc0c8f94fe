"""Declarative validation rules and their registry.

A rule is data: an id (`SR-<area>-<nnn>`, in the style of ESMA's `EMIR-VR-<field>-<nn>`), a
severity, the canonical field it is about, an English and a Korean message template, the
regimes and action types it applies to, where it comes from, and one pure check function.

The check function gets the event and the validation context and yields a `Violation` per
problem found (nothing when the event passes). A violation carries the template parameters,
the offending value when it is safe to show, and, when the rule covers several fields (every
LEI, every currency), the exact field path. Rules never raise for bad data: data that cannot
be judged (a missing date in a date-order rule) is another rule's business, so they pass.

Templates use `str.format` placeholders; `{value}` is always available (the offending value).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from shared.domain.issues import Issue, Severity, shown_value
from shared.domain.model import ActionType

if TYPE_CHECKING:
    from shared.domain.model import TradeEvent
    from shared.domain.rules.context import ValidationContext

__all__ = ["AREAS", "REGISTRY", "Rule", "Violation", "all_rules", "get_rule", "register", "rule"]

RULE_ID = re.compile(r"SR-(?P<area>[A-Z]{2})-(?P<number>\d{3})")
AREAS = {
    "ID": "Identifiers", "DT": "Dates and timestamps", "LC": "Lifecycle",
    "EC": "Economics", "CL": "Clearing", "VA": "Valuation", "TM": "Timeliness",
}


@dataclass(frozen=True)
class Violation:
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)
    field: str | None = None  # the exact path when it differs from the rule's (legs[1]...)
    value: Any = None  # the offending value; leave None when it must not be shown
    severity: Severity | None = None  # only for rules whose severity depends on the data


Check = Callable[["TradeEvent", "ValidationContext"], Iterable[Violation] | None]
T = TypeVar("T")


class _Template(dict[str, object]):
    """Missing placeholders stay visible instead of raising: a message is never lost."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    field: str
    title: str  # one line for the catalogue
    message_en: str
    message_ko: str
    check: Check = dataclass_field(repr=False, compare=False)
    regimes: frozenset[str] | None = None  # None: every regime
    actions: frozenset[ActionType] | None = None  # None: every action type
    per_regime: bool = False  # judged once per regime: the outcome depends on the regime
    source: str = ""  # the regulation, validation rule or standard it follows
    note: str = ""  # severity variants, inputs it needs, known limits (for the catalogue)

    @property
    def area(self) -> str:
        return self.id.split("-")[1]

    def applies_to(self, action: ActionType) -> bool:
        return self.actions is None or action in self.actions

    def violations(self, event: TradeEvent, context: ValidationContext) -> Iterator[Violation]:
        found = self.check(event, context)
        if found is not None:
            yield from found

    def issue(self, violation: Violation, *, regime: str | None) -> Issue:
        value = shown_value(violation.value)
        key = _issue_key(self, violation, regime, value)
        if key is not None:
            known = _ISSUES.get(key)
            if known is not None and known[0] is self:
                return known[1]
        params = _Template(violation.params)
        params.setdefault("value", value if value is not None else "-")
        made = Issue(
            rule_id=self.id,
            severity=violation.severity or self.severity,
            field=violation.field or self.field,
            message_en=self.message_en.format_map(params),
            message_ko=self.message_ko.format_map(params),
            regime=regime,
            value=value,
        )
        if key is not None:
            if len(_ISSUES) >= _ISSUES_MAX:
                _ISSUES.clear()
            _ISSUES[key] = (self, made)
        return made


# Issues made, remembered: a late-report warning (SR-TM-030) names the same deadline and
# clock for most events of a file, and a stale valuation the same dates. Safe: an Issue is
# immutable, and a pure function of the rule (by identity, kept alive by the entry), the
# regime, the violation's field, severity and shown value, and its parameters, which are
# part of the key only when they are all exact str or int (a Decimal's text depends on more
# than its value: 1.0 == 1.00). Bounded: emptied when full.
_ISSUES: dict[tuple[object, ...], tuple[Rule, Issue]] = {}
_ISSUES_MAX = 1024


def _issue_key(rule: Rule, violation: Violation, regime: str | None,
               value: str | None) -> tuple[object, ...] | None:
    items = tuple(violation.params.items())
    for _, param in items:
        if type(param) is not str and type(param) is not int:
            return None
    return (id(rule), regime, violation.field, violation.severity, value, items)


REGISTRY: dict[str, Rule] = {}

# What is derived from the rules (the catalogue's order, the engine's plan per regimes and
# action type), so that it is not derived again per event. Rules are registered when their
# modules are imported; `register` empties it, so a rule registered later is never missed.
_DERIVED: dict[Hashable, Any] = {}
_DERIVED_MAX = 256  # keys are (regimes, action type) pairs: a few dozen in practice


def derived_from_rules(key: Hashable, derive: Callable[[], T]) -> T:
    """`derive()` (a pure function of the registered rules and of `key`, an immutable value),
    remembered until a rule is registered."""
    try:
        return cast(T, _DERIVED[key])
    except KeyError:
        pass
    if len(_DERIVED) >= _DERIVED_MAX:
        _DERIVED.clear()
    value = _DERIVED[key] = derive()
    return value


def register(new: Rule) -> Rule:
    if not RULE_ID.fullmatch(new.id):
        raise ValueError(f"rule id {new.id!r} does not read SR-<AREA>-<nnn>")
    if new.area not in AREAS:
        raise ValueError(f"rule {new.id}: unknown area {new.area!r}")
    if new.id in REGISTRY:
        raise ValueError(f"rule {new.id} is registered twice")
    REGISTRY[new.id] = new
    _DERIVED.clear()
    return new


def rule(rule_id: str, *, severity: Severity, field: str, title: str, en: str, ko: str,
         regimes: Iterable[str] | None = None, actions: Iterable[ActionType] | None = None,
         per_regime: bool = False, source: str = "", note: str = "") -> Callable[[Check], Check]:
    """Register the decorated check function as rule `rule_id`."""

    def decorate(check: Check) -> Check:
        register(Rule(rule_id, severity, field, title, en, ko, check,
                      frozenset(regimes) if regimes is not None else None,
                      frozenset(actions) if actions is not None else None,
                      per_regime, source, note))
        return check

    return decorate


def get_rule(rule_id: str) -> Rule:
    return REGISTRY[rule_id]


def all_rules() -> list[Rule]:
    """Every rule, by number (numbers run across areas: SR-ID-001 ... SR-TM-030 ...)."""
    return list(rules_in_order())


def rules_in_order() -> tuple[Rule, ...]:
    """`all_rules()` as a tuple, sorted once until a rule is registered (not once per event)."""
    return derived_from_rules("in order", _sorted_rules)


def _sorted_rules() -> tuple[Rule, ...]:
    return tuple(REGISTRY[k] for k in sorted(REGISTRY, key=lambda k: (k.split("-")[2], k)))
