"""Economic terms: notionals, currencies, rates."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from shared.domain.issues import Severity
from shared.domain.model import ActionType, AssetClass, EventType, Money, TradeEvent
from shared.domain.rules.base import Violation, rule
from shared.domain.rules.context import ValidationContext
from shared.domain.rules.labels import label, label_ko

A = ActionType


def notionals(event: TradeEvent) -> Iterator[tuple[str, Decimal, str | None]]:
    """(path, amount, currency) of every notional and notional schedule step."""
    for i, leg in enumerate(event.legs):
        if leg.notional is not None:
            yield f"legs[{i}].notional.amount", leg.notional.amount, leg.notional.currency
        currency = leg.notional.currency if leg.notional else None
        for j, step in enumerate(leg.notional_schedule):
            yield f"legs[{i}].notional_schedule[{j}].amount", step.amount, currency


@rule("SR-EC-022", severity=Severity.REJECT, field="legs[0].notional.amount",
      title="Notional >= 0; zero only with TERM or COMP",
      en="{label} is {value}: {problem}",
      ko="{label_ko}이(가) {value}입니다: {problem_ko}",
      source="CPMI-IOSCO CDE (notional amount); ESMA EMIR Refit validation rules")
def notional_sign(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation] | None:
    # Most events have no notional at or below zero: then there is nothing to report, and no
    # field paths to name (the walk below makes one per notional).
    if not any(amount <= 0 for amount in _amounts(event)):
        return None
    return _notional_sign(event)


def _amounts(event: TradeEvent) -> Iterator[Decimal]:
    """The amounts of `notionals(event)`, in the same order, without their paths."""
    for leg in event.legs:
        if leg.notional is not None:
            yield leg.notional.amount
        for step in leg.notional_schedule:
            yield step.amount


def _notional_sign(event: TradeEvent) -> Iterator[Violation]:
    zero_allowed = event.action_type is A.TERM or event.event_type is EventType.COMP
    for path, amount, _ in notionals(event):
        if amount < 0:
            problem, problem_ko = "a notional is never negative", "명목금액은 음수일 수 없습니다"
        elif amount == 0 and not zero_allowed:
            problem = "a zero notional is only reported with TERM or a compression (COMP)"
            problem_ko = "명목금액 0은 TERM 또는 압축(COMP) 보고에서만 허용됩니다"
        else:
            continue
        yield Violation({"label": label(path), "label_ko": label_ko(path), "problem": problem,
                         "problem_ko": problem_ko}, field=path, value=amount)


def currency_fields(event: TradeEvent) -> Iterator[tuple[str, str]]:
    """(path, code) of every currency the event carries."""
    for i, leg in enumerate(event.legs):
        for name, code in (("notional.currency", leg.notional.currency if leg.notional else None),
                           ("settlement_currency", leg.settlement_currency),
                           ("spread_currency", leg.spread_currency)):
            if code:
                yield f"legs[{i}].{name}", code
    monies: list[tuple[str, Money | None]] = [
        ("valuation.amount", event.valuation.amount if event.valuation else None)]
    if event.option:
        monies += [("option.premium", event.option.premium),
                   ("option.call_amount", event.option.call_amount),
                   ("option.put_amount", event.option.put_amount)]
    if event.collateral:
        monies += [(f"collateral.{name}", getattr(event.collateral, name)) for name in (
            "initial_margin_posted", "initial_margin_collected", "variation_margin_posted",
            "variation_margin_collected")]
    monies += [(f"other_payments[{i}].amount", payment.amount)
               for i, payment in enumerate(event.other_payments)]
    for path, money in monies:
        if money is not None and money.currency:
            yield f"{path}.currency", money.currency
    codes = [("product.settlement_currency", event.product.settlement_currency),
             ("price.currency", event.price.currency if event.price else None)]
    if event.option and event.option.strike_currency:
        # a strike may be quoted in a currency pair (EUR/USD): check each side
        for side in event.option.strike_currency.split("/"):
            codes.append(("option.strike_currency", side))
    yield from ((path, code) for path, code in codes if code)


@rule("SR-EC-023", severity=Severity.REJECT, field="legs[0].notional.currency",
      title="Currencies are ISO 4217 codes",
      en="{label} {value} is not an ISO 4217 currency code{hint}",
      ko="{label_ko} {value}은(는) ISO 4217 통화코드가 아닙니다{hint_ko}",
      source="ISO 4217; CFTC Tech. Spec. v3.2 1.3.7 (offshore currencies)",
      note="ISO 4217 List One, without XTS and XXX.")
def currency_codes(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation] | None:
    # Most events carry only known currencies: the legs' codes are checked first without
    # naming their paths; anything else is walked as before.
    currencies = ctx.currencies
    for leg in event.legs:
        notional = leg.notional
        for code in (notional.currency if notional else None, leg.settlement_currency,
                     leg.spread_currency):
            if code and code not in currencies:
                return _currency_codes(event, currencies)
    if _other_currencies_known(event, currencies):
        return None
    return _currency_codes(event, currencies)


def _other_currencies_known(event: TradeEvent, currencies: frozenset[str]) -> bool:
    """True when `event` carries no currency but its legs' or only known ones (the common
    event: no option, collateral, other payments, price or product settlement currency)."""
    if event.option is not None or event.collateral is not None or event.other_payments:
        return False  # walked with their paths: rare on the hot path
    valuation = event.valuation
    codes = (valuation.amount.currency if valuation is not None else None,
             event.product.settlement_currency,
             event.price.currency if event.price is not None else None)
    return all(not code or code in currencies for code in codes)


def _currency_codes(event: TradeEvent, currencies: frozenset[str]) -> Iterator[Violation]:
    for path, code in currency_fields(event):
        if code in currencies:
            continue
        hint = hint_ko = ""
        if code in ("CNH", "CNT"):
            hint = " (offshore renminbi: report CNY with the settlement location)"
            hint_ko = " (역외 위안화: CNY와 결제지역으로 보고하십시오)"
        yield Violation({"label": label(path), "label_ko": label_ko(path), "hint": hint,
                         "hint_ko": hint_ko}, field=path, value=code)


@rule("SR-EC-024", severity=Severity.REJECT, field="legs[0].fixed_rate",
      title="Each leg of an interest rate swap has a fixed rate or a floating index",
      en="leg {leg} of this interest rate swap has neither a fixed rate nor a floating rate "
         "index",
      ko="금리스왑 레그{leg}에 고정금리와 변동금리 지표가 모두 없습니다",
      source="CPMI-IOSCO CDE (fixed rate, floating rate index)",
      note="Interest rate (INTR) contracts of type SWAP only, legs without a stated rate type "
           "(a FIXED leg may pay a known amount). A spread that is not a number fails when the "
           "record is read.")
def swap_leg_rates(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    if event.product.asset_class is not AssetClass.INTR or event.product.contract_type != "SWAP":
        return
    for i, leg in enumerate(event.legs):
        # a leg whose rate type is stated is judged by it: a FIXED leg may pay a known amount
        # (zero-coupon) and so have no rate; only an unqualified leg must show one or the other
        if leg.rate_type is None and leg.fixed_rate is None and not (
                leg.floating_index or leg.floating_index_code):
            yield Violation({"leg": i + 1}, field=f"legs[{i}].fixed_rate")


@rule("SR-EC-025", severity=Severity.WARN, field="legs[0].notional.amount",
      title="Abnormal notional (warning)",
      en="{label} {value} {currency} is above {ceiling} {currency}: check the amount and its unit",
      ko="{label_ko} {value} {currency}이(가) {ceiling} {currency}을(를) 넘습니다. 금액과 단위를 "
         "확인하십시오",
      source="ESMA RTS 2022/1858 Art. 4 (TRs flag abnormal notionals)",
      note="Ceilings of about USD 10 bn per currency, configurable in the context.")
def notional_abnormal(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation] | None:
    ceilings = ctx.notional_ceilings
    for leg in event.legs:  # first without the paths: most events have no abnormal notional
        notional = leg.notional
        currency = notional.currency if notional else None
        ceiling = ceilings.get(currency or "")
        if ceiling is None:
            continue
        if (notional is not None and notional.amount > ceiling) or any(
                step.amount > ceiling for step in leg.notional_schedule):
            return _notional_abnormal(event, ctx)
    return None


def _notional_abnormal(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    for path, amount, currency in notionals(event):
        ceiling = ctx.notional_ceilings.get(currency or "")
        if ceiling is not None and amount > ceiling:
            yield Violation({"label": label(path), "label_ko": label_ko(path),
                             "currency": currency, "ceiling": f"{ceiling:,.0f}"},
                            field=path, value=amount)
