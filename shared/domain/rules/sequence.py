"""Rules over a UTI's history, published from the lifecycle state machine's refusals.

Each refusal of `shared.domain.lifecycle` is a rule here, under the same id and messages, so
the console, the catalogue and the machine never disagree. The rules need the UTI's earlier
reports in the context (`history`); without it they pass. They are judged per regime because
CFTC allows more after a termination than EMIR and KRX do.
"""

from __future__ import annotations

from collections.abc import Iterator

from shared.domain.issues import Severity
from shared.domain.lifecycle import REFUSALS, Refusal
from shared.domain.model import TradeEvent
from shared.domain.rules.base import Check, Violation, rule
from shared.domain.rules.context import ValidationContext

_NOTE = "Needs the UTI's earlier reports; judged per regime."


def _check_for(rule_id: str) -> Check:
    def check(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
        lifecycle = ctx.lifecycle
        if lifecycle is None or lifecycle.refusal(event) != rule_id:
            return
        decision = lifecycle.decide(event)  # this rule refuses it: now the messages
        shown = event.execution_timestamp if rule_id == "SR-DT-014" else event.action_type
        yield Violation(decision.params, field=decision.field, value=shown)

    check.__name__ = f"sequence_{rule_id.replace('-', '_').lower()}"
    return check


def _register(refusal: Refusal) -> None:
    rule(refusal.rule_id, severity=Severity.REJECT, field=refusal.field, title=refusal.title,
         en=refusal.message_en, ko=refusal.message_ko, per_regime=True, source=refusal.source,
         note=_NOTE)(_check_for(refusal.rule_id))


for _refusal in REFUSALS.values():
    _register(_refusal)
