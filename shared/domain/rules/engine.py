"""Run every applicable rule on one event: `validate(event, context) -> list[Issue]`.

Which regimes: the context's, else the event's own `regimes`. A rule tied to some regimes runs
for those of them that apply; a per-regime rule runs once per regime (or once with no regime
when none is known); any other rule runs once, and its issues carry no regime. When a
per-regime rule finds the same problem under every regime of the event, the issues are merged
into one without a regime, so the console shows one line instead of three.

Order: by rule number, then in the order each rule found its problems (field order).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from shared.domain.issues import Issue, Severity
from shared.domain.model import ActionType, TradeEvent
from shared.domain.rules.base import Check, Rule, derived_from_rules, rules_in_order
from shared.domain.rules.context import ValidationContext

__all__ = ["validate"]


def _regimes_for(rule: Rule, active: tuple[str, ...]) -> tuple[str | None, ...]:
    if rule.regimes is not None:
        return tuple(r for r in active if r in rule.regimes)
    if rule.per_regime:
        return active or (None,)
    return (None,)


# One rule's runs for an event: the regimes it runs under, and whether its issues name them.
Plan = tuple[tuple[Rule, tuple[str | None, ...], bool], ...]


def _plan(rules: Iterable[Rule], active: tuple[str, ...], action: ActionType) -> Plan:
    return tuple((rule, _regimes_for(rule, active), rule.per_regime or rule.regimes is not None)
                 for rule in rules if rule.applies_to(action))


def validate(event: TradeEvent, context: ValidationContext,
             rules: list[Rule] | None = None) -> list[Issue]:
    """Every issue `event` has under `context`; an empty list means it may be reported."""
    active = context.regimes or tuple(r.lower() for r in event.regimes)
    action = event.action_type
    if rules is None:  # the registry's rules: which run, and how, depends on these two only
        plan = derived_from_rules(("plan", active, action),
                                  lambda: _plan(rules_in_order(), active, action))
    else:
        plan = _plan(rules, active, action)
    if len(active) <= 1 and rules is None:
        return _validate_one_regime(event, context, active, action)
    contexts = {regime: context.for_regime(regime)
                for regime in (None, *active)}  # built once: rules x regimes share them
    merge = len(active) > 1
    issues: list[Issue] = []
    for rule, regimes, names_regime in plan:
        found: list[Issue] = []
        for regime in regimes:
            violations = rule.check(event, contexts[regime])
            if violations is not None:
                tag = regime if names_regime else None
                found += [rule.issue(v, regime=tag) for v in violations]
        if found:
            issues += _merge_regimes(found, active) if merge else found
    return issues


# One regime (or none): nothing to merge, so the plan flattens to one run per rule, each with
# its check and the regime it runs under and names; issues come in the same order.
Runs = tuple[tuple[Rule, Check, str | None, str | None], ...]


def _runs(plan: Plan) -> Runs:
    return tuple((rule, rule.check, regime, regime if names_regime else None)
                 for rule, regimes, names_regime in plan for regime in regimes)


def _validate_one_regime(event: TradeEvent, context: ValidationContext,
                         active: tuple[str, ...], action: ActionType) -> list[Issue]:
    runs: Runs = derived_from_rules(
        ("runs", active, action),
        lambda: _runs(derived_from_rules(("plan", active, action),
                                         lambda: _plan(rules_in_order(), active, action))))
    plain = context.for_regime(None)
    regime = active[0] if active else None
    judged = context.for_regime(regime)
    issues: list[Issue] = []
    for rule, check, run_regime, tag in runs:
        violations = check(event, plain if run_regime is None else judged)
        if violations is not None:
            for violation in violations:
                issues.append(rule.issue(violation, regime=tag))
    return issues


def _merge_regimes(found: list[Issue], active: tuple[str, ...]) -> list[Issue]:
    """One issue without a regime for a problem found identically under every active regime."""
    merged: list[Issue] = []
    seen: set[tuple[Severity, str | None, str, str, str | None]] = set()
    for issue in found:
        if issue.regime is None:
            merged.append(issue)
            continue
        key = (issue.severity, issue.field, issue.message_en, issue.message_ko, issue.value)
        regimes = {i.regime for i in found
                   if (i.severity, i.field, i.message_en, i.message_ko, i.value) == key}
        if regimes >= set(active):
            if key not in seen:
                seen.add(key)
                merged.append(replace(issue, regime=None))
        else:
            merged.append(issue)
    return merged
