"""Clearing rules."""

from __future__ import annotations

from collections.abc import Iterator

from shared.domain.issues import Severity
from shared.domain.model import Cleared, TradeEvent
from shared.domain.rules.base import Violation, rule
from shared.domain.rules.context import ValidationContext


@rule("SR-CL-026", severity=Severity.REJECT, field="clearing.ccp",
      title="Cleared trades name the CCP; the clearing member is not a CCP",
      en="the trade is cleared (cleared = Y) but {problem}",
      ko="청산거래(청산여부 Y)이나 {problem_ko}",
      source="EMIR-VR-1016-07 (a clearing member cannot be a CCP); CFTC Tech. Spec. v3.2 #2 "
             "(CCP required when cleared = Y)",
      note="A clearing member is taken to be a CCP when it equals the CCP or is in the "
           "context's known CCP LEIs (reference data).")
def cleared_trade_parties(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    clearing = event.clearing
    if clearing.cleared is not Cleared.YES:
        return
    if not clearing.ccp:
        yield Violation({"problem": "no CCP is given", "problem_ko": "청산소(CCP)가 없습니다"})
    member = clearing.clearing_member
    if member and (member == clearing.ccp or member in ctx.known_ccps):
        yield Violation({"problem": f"the clearing member {member} is a CCP; name the clearing "
                                    "member through which it was cleared",
                         "problem_ko": f"청산회원 {member}이(가) 청산소(CCP)입니다. 거래를 청산한 "
                                       "청산회원을 기재하십시오"},
                        field="clearing.clearing_member", value=member)
