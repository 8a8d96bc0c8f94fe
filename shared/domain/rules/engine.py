"""Run every applicable rule on one event: `validate(event, context) -> list[Issue]`.

Which regimes: the context's, else the event's own `regimes`. A rule tied to some regimes runs
for those of them that apply; a per-regime rule runs once per regime (or once with no regime
when none is known); any other rule runs once, and its issues carry no regime. When a
per-regime rule finds the same problem under every regime of the event, the issues are merged
into one without a regime, so the console shows one line instead of three.

Order: by rule number, then in the order each rule found its problems (field order).
"""

from __future__ import annotations

from dataclasses import replace

from shared.domain.issues import Issue, Severity
from shared.domain.model import TradeEvent
from shared.domain.rules.base import Rule, all_rules
from shared.domain.rules.context import ValidationContext

__all__ = ["validate"]


def _regimes_for(rule: Rule, active: tuple[str, ...]) -> tuple[str | None, ...]:
    if rule.regimes is not None:
        return tuple(r for r in active if r in rule.regimes)
    if rule.per_regime:
        return active or (None,)
    return (None,)


def validate(event: TradeEvent, context: ValidationContext,
             rules: list[Rule] | None = None) -> list[Issue]:
    """Every issue `event` has under `context`; an empty list means it may be reported."""
    active = context.regimes or tuple(r.lower() for r in event.regimes)
    contexts = {regime: context if regime == context.regime else replace(context, regime=regime)
                for regime in (None, *active)}  # built once: rules x regimes share them
    issues: list[Issue] = []
    for rule in rules if rules is not None else all_rules():
        if not rule.applies_to(event.action_type):
            continue
        found: list[Issue] = []
        for regime in _regimes_for(rule, active):
            ctx = contexts[regime]
            tag = regime if (rule.per_regime or rule.regimes is not None) else None
            found += [rule.issue(v, regime=tag) for v in rule.violations(event, ctx)]
        issues += _merge_regimes(found, active) if len(active) > 1 else found
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
