"""Per-report lifecycle rules: the action/event pair, and the fields an action type requires
or forbids. The rules over a UTI's history (one NEWT, nothing after EROR, ...) are in
`sequence.py`.
"""

from __future__ import annotations

from collections.abc import Iterator

from shared.domain.issues import Severity
from shared.domain.lifecycle import regime_event_type
from shared.domain.model import ActionType, EventType, TradeEvent
from shared.domain.regimes import REGISTRY
from shared.domain.rules.base import Violation, rule
from shared.domain.rules.combinations import SETTLED, allowed_events
from shared.domain.rules.context import ValidationContext
from shared.domain.rules.labels import label, label_ko

A = ActionType
# How SR-LC-020 names the list it judged by: a regime with no citable table of its own is
# judged by the CFTC and EMIR lists, and the message says so (KRX's is not public at all).
_WHY = {"krx": ("its own is not public", "자체 기준 비공개로")}
_WHY_OTHER = ("its own is not at hand", "자체 기준 미확보로")
REGIME_NAMES: dict[str | None, str] = {**{key: r.display_name for key, r in REGISTRY.items()},
                **{key: f"{REGISTRY[key].display_name} (CFTC and EMIR lists; "
                        f"{_WHY.get(key, _WHY_OTHER)[0]})"
                   for key in REGISTRY if key not in SETTLED},
                None: "CFTC or EMIR"}
REGIME_NAMES_KO: dict[str | None, str] = {**{key: r.display_name for key, r in REGISTRY.items()},
                   **{key: f"{REGISTRY[key].display_name}({_WHY.get(key, _WHY_OTHER)[1]} "
                           "CFTC·EMIR 기준 적용)" for key in REGISTRY if key not in SETTLED},
                   None: "CFTC 또는 EMIR"}


def _codes(events: frozenset[EventType | None]) -> str:
    codes = sorted(e.value for e in events if e is not None)
    if None in events:
        codes.append("(blank)")
    return ", ".join(codes)


@rule("SR-LC-020", severity=Severity.REJECT, field="event_type",
      title="The action/event type pair is valid for the regime",
      en="action type {action} with event type {event} is not valid under {regime_name}: "
         "{problem}",
      ko="{regime_name_ko} 기준으로 조치유형 {action}과(와) 이벤트유형 {event}의 조합이 "
         "올바르지 않습니다: {problem_ko}",
      per_regime=True,
      source="CFTC Tech. Spec. v3.2 App. F Table 7; ESMA74-362-2281 section 3.6.2",
      note="Combinations as the two sources above tabulate them. KRX (spec not "
           "public) and an unknown regime use the union of CFTC and EMIR, and only warn.")
def action_event_pair(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    allowed = allowed_events(ctx.regime, event.action_type)
    # judged as the regime reports it (CFTC: a partial termination's ETRM is reported as TRAD)
    if regime_event_type(ctx.regime, event.action_type, event.event_type) in allowed:
        return
    action = event.action_type.value
    if not allowed:
        problem = f"{action} is not an action type of this regime"
        problem_ko = f"{action}은(는) 이 제도의 조치유형이 아닙니다"
    elif event.event_type is None:
        problem = f"{action} needs an event type, one of {_codes(allowed)}"
        problem_ko = f"{action} 보고에는 이벤트유형({_codes(allowed)} 중 하나)이 필요합니다"
    elif allowed == {None}:
        problem = f"{action} carries no event type; leave it blank"
        problem_ko = f"{action} 보고에는 이벤트유형을 기재하지 않습니다. 비워 두십시오"
    else:
        problem = f"{action} allows {_codes(allowed)}"
        problem_ko = f"{action}에 허용되는 이벤트유형은 {_codes(allowed)}입니다"
    # KRX's list is not public (nor, without a regime, is it known which list applies), and
    # JFSA's, MAS's, HKMA's and ASIC's were not at hand: a pair outside both CFTC's and EMIR's
    # is then flagged for review, not rejected.
    settled = ctx.regime in SETTLED
    yield Violation({"action": action,
                     "event": event.event_type.value if event.event_type else "(blank)",
                     "regime_name": REGIME_NAMES.get(ctx.regime, ctx.regime),
                     "regime_name_ko": REGIME_NAMES_KO.get(ctx.regime, ctx.regime),
                     "problem": problem, "problem_ko": problem_ko},
                    value=event.event_type, severity=None if settled else Severity.WARN)


@rule("SR-LC-035", severity=Severity.REJECT, field="early_termination_date",
      title="TERM says when the trade ends (early termination date or event timestamp)",
      en="TERM needs the date the trade ends: give the early termination date or the event "
         "timestamp",
      ko="TERM 보고에는 거래 종료 시점이 필요합니다. 조기종료일 또는 이벤트시각을 입력하십시오",
      actions=(A.TERM,), source="CPMI-IOSCO CDE (early termination date, event timestamp)")
def termination_dated(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    if event.early_termination_date is None and event.event_timestamp is None:
        yield Violation()


def _economics(event: TradeEvent) -> list[str]:
    present = []
    if event.legs:
        present.append("legs")
    for name in ("price", "option", "valuation", "collateral", "exchange_rate", "credit",
                 "package_price", "package_spread"):
        if getattr(event, name) is not None:
            present.append(name)
    if event.other_payments:
        present.append("other_payments")
    return present


@rule("SR-LC-036", severity=Severity.REJECT, field="legs",
      title="EROR carries no economics",
      en="EROR withdraws a report and carries no economics, but it has {fields}: remove them "
         "(to fix values, send a CORR instead)",
      ko="EROR는 보고를 취소하는 것으로 경제적 조건을 포함하지 않으나 {fields}이(가) 있습니다. "
         "해당 항목을 삭제하십시오(값을 바로잡으려면 CORR로 보고하십시오)",
      actions=(A.EROR,), per_regime=True,
      source="ESMA EMIR Refit validation rules (economic fields not applicable to EROR)",
      note="Not applied under CFTC, whose EROR may repeat the unchanged terms "
           "(Tech. Spec. v3.2, footnote 5).")
def error_without_economics(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    if ctx.regime in ("cftc-part45", "cftc-part43"):
        return
    present = _economics(event)
    if present:
        yield Violation({"fields": ", ".join(present)}, field=present[0])


_REQUIRED_FOR_TRADE = ("counterparty_1", "counterparty_2", "execution_timestamp",
                       "product.asset_class", "legs[0].notional")


def _missing_trade_fields(event: TradeEvent) -> Iterator[str]:
    if event.counterparty_1 is None or not event.counterparty_1.identifier:
        yield "counterparty_1"
    if event.counterparty_2 is None or not event.counterparty_2.identifier:
        yield "counterparty_2"
    if event.execution_timestamp is None:
        yield "execution_timestamp"
    if event.product.asset_class is None:
        yield "product.asset_class"
    leg = event.legs[0] if event.legs else None
    if leg is None or (leg.notional is None and leg.quantity is None
                       and leg.total_quantity is None):
        yield "legs[0].notional"


@rule("SR-LC-037", severity=Severity.REJECT, field="legs[0].notional",
      title="NEWT, POSC, MODI and CORR carry the trade's core fields",
      en="{action} must state the whole trade, but the {label} is missing",
      ko="{action} 보고에는 거래 전체 조건이 필요하나 {label_ko}이(가) 없습니다",
      actions=(A.NEWT, A.POSC, A.MODI, A.CORR),
      source="CFTC Tech. Spec. v3.2 (all elements mandatory except for TERM, PRTO, EROR); "
             "ESMA RTS 2022/1855",
      note="Core fields: counterparty 1 and 2, execution timestamp, asset class, leg 1 "
           "notional (or quantity).")
def trade_fields_present(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    for path in _missing_trade_fields(event):
        yield Violation({"action": event.action_type.value, "label": label(path),
                         "label_ko": label_ko(path)}, field=path)


@rule("SR-LC-038", severity=Severity.REJECT, field="valuation",
      title="VALU carries a valuation, MARU carries collateral",
      en="{action} reports {what} but has none",
      ko="{action}는 {what_ko}를 보고하는 것이나 해당 정보가 없습니다",
      actions=(A.VALU, A.MARU),
      source="CFTC Tech. Spec. v3.2 App. F Examples 14-15; ESMA RTS 2022/1855")
def update_has_content(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    if event.action_type is A.VALU and event.valuation is None:
        yield Violation({"action": "VALU", "what": "a valuation", "what_ko": "평가정보"},
                        field="valuation")
    if event.action_type is A.MARU and event.collateral is None:
        yield Violation({"action": "MARU", "what": "margins and collateral",
                         "what_ko": "증거금·담보정보"}, field="collateral")
