"""Valuation and margin rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from shared.domain.issues import Severity
from shared.domain.model import ActionType, Cleared, TradeEvent, ValuationMethod, utc
from shared.domain.rules.base import Violation, rule
from shared.domain.rules.context import ValidationContext

A = ActionType
_OPTIONS = frozenset({"OPTN", "SWPT"})


@rule("SR-VA-027", severity=Severity.REJECT, field="valuation.method",
      title="Cleared trades are valued by the CCP (CCPV)",
      en="the trade is cleared, so its valuation method is CCPV (CCP's valuation), not {value}",
      ko="청산거래의 평가방법은 CCPV(청산소 평가)여야 하나 {value}입니다",
      source="EMIR Refit: missing CCPV is a top rejection (domain notes); CPMI-IOSCO CDE "
             "(valuation method)")
def cleared_valued_by_ccp(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    valuation = event.valuation
    if (event.clearing.cleared is Cleared.YES and valuation is not None
            and valuation.method is not ValuationMethod.CCP):
        yield Violation(value=valuation.method or "(blank)")


@rule("SR-VA-028", severity=Severity.REJECT, field="valuation.delta",
      title="A valued option or swaption carries its delta",
      en="the valuation of this {kind} has no delta",
      ko="이 {kind_ko}의 평가정보에 델타가 없습니다",
      source="EMIR Refit: missing delta is a top rejection (domain notes); CPMI-IOSCO CDE "
             "(delta)")
def option_delta(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    contract = event.product.contract_type
    is_option = contract in _OPTIONS or (contract is None and event.option is not None)
    if is_option and event.valuation is not None and event.valuation.delta is None:
        swaption = contract == "SWPT"
        yield Violation({"kind": "swaption" if swaption else "option",
                         "kind_ko": "스왑션" if swaption else "옵션"})


def _stale(stamp: datetime | None, ctx: ValidationContext) -> int | None:
    if stamp is None:
        return None
    age = (ctx.now - utc(stamp)).days
    return age if age > ctx.valuation_max_age_days else None


@rule("SR-VA-029", severity=Severity.WARN, field="valuation.timestamp",
      title="Valuation or margin more than 14 days old on an outstanding trade (warning)",
      en="the {what} dates from {value}, {days} days ago: an outstanding trade needs one at "
         "most {max_days} days old",
      ko="{what_ko} 기준일 {value}은(는) {days}일 전입니다. 잔존 거래의 {what_ko}는 "
         "{max_days}일 이내여야 합니다",
      actions=(A.NEWT, A.POSC, A.MODI, A.CORR, A.VALU, A.MARU, A.REVI),
      source="ESMA RTS 2022/1858 Art. 4 (TR end-of-day report of stale valuations and margins)",
      note="Judged against the time of validation; not for trades already expired.")
def valuation_fresh(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    if event.expiration_date is not None and event.expiration_date < ctx.now.date():
        return
    checks = (("valuation", "평가정보", "valuation.timestamp",
               event.valuation.timestamp if event.valuation else None),
              ("margin report", "증거금 정보", "collateral.timestamp",
               event.collateral.timestamp if event.collateral else None))
    for what, what_ko, path, stamp in checks:
        days = _stale(stamp, ctx)
        if days is not None:
            yield Violation({"what": what, "what_ko": what_ko, "days": days,
                             "max_days": ctx.valuation_max_age_days},
                            field=path, value=utc(stamp).date() if stamp else None)
