"""Declarative validation rules (SR-*), their registry and the engine that runs them.

    from shared.domain.rules import ValidationContext, validate
    issues = validate(event, ValidationContext(now=now, regimes=("krx",)))

Importing this package registers every rule: the catalogue (`all_rules()`, docs/RULES.md) is
complete as soon as anything from it is used.
"""

from shared.domain.issues import Issue, Severity, has_rejects

# Rule modules register on import; the order here does not matter (the catalogue sorts).
from shared.domain.rules import (
    clearing,
    commodity,
    dates,
    economics,
    identifiers,
    lifecycle_fields,
    sequence,
    timeliness,
    valuation,
)
from shared.domain.rules.base import REGISTRY, Rule, Violation, all_rules, get_rule, rule
from shared.domain.rules.context import ValidationContext
from shared.domain.rules.engine import validate

__all__ = [
    "REGISTRY",
    "Issue",
    "Rule",
    "Severity",
    "ValidationContext",
    "Violation",
    "all_rules",
    "get_rule",
    "has_rejects",
    "rule",
    "validate",
]

_RULE_MODULES = (clearing, commodity, dates, economics, identifiers, lifecycle_fields, sequence,
                 timeliness, valuation)
