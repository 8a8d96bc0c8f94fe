"""How messages name fields and codes for people, in English and Korean.

The field *path* (`clearing.ccp`) goes into the issue's field column; messages use these
names, which are the ones an operations desk uses.
"""

from __future__ import annotations

__all__ = ["label", "label_ko"]

_LABELS: dict[str, tuple[str, str]] = {
    "uti": ("UTI", "UTI"),
    "prior_uti": ("prior UTI", "이전 UTI"),
    "counterparty_1.identifier": ("counterparty 1", "거래상대방1"),
    "counterparty_2.identifier": ("counterparty 2", "거래상대방2"),
    "counterparty_1.execution_agent": ("counterparty 1's execution agent",
                                       "거래상대방1 집행대리인"),
    "counterparty_2.execution_agent": ("counterparty 2's execution agent",
                                       "거래상대방2 집행대리인"),
    "submitting_entity": ("submitting entity", "보고제출기관"),
    "entity_responsible": ("entity responsible for reporting", "보고책임기관"),
    "broker": ("broker", "중개회사"),
    "clearing.ccp": ("CCP", "청산소(CCP)"),
    "clearing.clearing_member": ("clearing member", "청산회원"),
    "product.upi": ("UPI", "UPI"),
    "product.isin": ("ISIN", "ISIN"),
    "product.settlement_currency": ("settlement currency", "결제통화"),
    "price.currency": ("price currency", "가격 통화"),
    "valuation.amount.currency": ("valuation currency", "평가금액 통화"),
    "option.strike_currency": ("strike currency", "행사가격 통화"),
    "option.premium.currency": ("option premium currency", "옵션 프리미엄 통화"),
    "option.call_amount.currency": ("call currency", "콜 통화"),
    "option.put_amount.currency": ("put currency", "풋 통화"),
    "collateral.initial_margin_posted.currency": ("initial margin posted currency",
                                                  "개시증거금(지급) 통화"),
    "collateral.initial_margin_collected.currency": ("initial margin collected currency",
                                                     "개시증거금(수취) 통화"),
    "collateral.variation_margin_posted.currency": ("variation margin posted currency",
                                                    "변동증거금(지급) 통화"),
    "collateral.variation_margin_collected.currency": ("variation margin collected currency",
                                                       "변동증거금(수취) 통화"),
    "counterparty_1": ("counterparty 1", "거래상대방1"),
    "counterparty_2": ("counterparty 2", "거래상대방2"),
    "execution_timestamp": ("execution timestamp", "체결시각"),
    "event_timestamp": ("event timestamp", "이벤트시각"),
    "reporting_timestamp": ("reporting timestamp", "보고시각"),
    "effective_date": ("effective date", "효력발생일"),
    "expiration_date": ("expiration date", "만기일"),
    "early_termination_date": ("early termination date", "조기종료일"),
    "product.asset_class": ("asset class", "기초자산 유형"),
    "legs[0].notional": ("notional of leg 1", "레그1 명목금액"),
    "valuation": ("valuation", "평가정보"),
    "collateral": ("collateral", "담보정보"),
}


def _leg_label(path: str) -> tuple[str, str] | None:
    # legs[1].notional.currency -> "leg 2 notional currency"
    if not path.startswith("legs["):
        return None
    index, _, rest = path[5:].partition("].")
    if not index.isdigit():
        return None
    n = int(index) + 1
    parts = {
        "notional.currency": ("notional currency", "명목금액 통화"),
        "notional.amount": ("notional", "명목금액"),
        "notional": ("notional", "명목금액"),
        "settlement_currency": ("settlement currency", "결제통화"),
        "spread_currency": ("spread currency", "스프레드 통화"),
        "fixed_rate": ("fixed rate", "고정금리"),
        "floating_index": ("floating rate index", "변동금리 지표"),
    }
    en, ko = parts.get(rest.split("[")[0], (rest.replace("_", " "), rest))
    if rest.startswith("notional_schedule"):
        en, ko = "notional schedule amount", "명목금액 스케줄 금액"
    return f"leg {n} {en}", f"레그{n} {ko}"


def label(path: str) -> str:
    found = _LABELS.get(path) or _leg_label(path)
    return found[0] if found else path


def label_ko(path: str) -> str:
    found = _LABELS.get(path) or _leg_label(path)
    return found[1] if found else path
