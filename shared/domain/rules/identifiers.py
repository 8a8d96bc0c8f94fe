"""Identifier rules: UTI (ISO 23897), LEI (ISO 17442), UPI (ISO 4914), ISIN (ISO 6166).

Validity comes from `shared.domain.identifiers` (python-stdnum check digits); this module
only says *why* a value fails, in both languages, and which field holds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import isin as _isin
from stdnum.exceptions import InvalidComponent, ValidationError

from shared.domain.identifiers import (
    NON_COUNTRY_ISIN_PREFIXES,
    UTI_MAX_LENGTH,
    is_valid_isin,
    is_valid_lei,
    is_valid_upi,
    is_valid_uti,
    uti_generator_lei,
)
from shared.domain.issues import Severity
from shared.domain.model import ActionType, IdType, TradeEvent
from shared.domain.regimes import keys as regime_keys
from shared.domain.rules.base import Violation, rule
from shared.domain.rules.context import ValidationContext
from shared.domain.rules.labels import label, label_ko
from shared.domain.upi import UNAVAILABLE_EXTENSION

A = ActionType
OFF_VENUE = frozenset({"XOFF", "XXXX"})
NOT_APPLICABLE = "NOAP"  # CFTC execution agent: "not applicable" is a value, not an LEI


def _text_problem(value: str) -> tuple[str, str] | None:
    """Problems every code shares: spaces and lower case (a report carries values verbatim)."""
    if any(c.isspace() for c in value):
        return "it contains spaces", "공백이 포함되어 있습니다"
    return None


def _case_problem(value: str) -> tuple[str, str] | None:
    if value != value.upper():
        return "it contains lower-case letters", "소문자가 포함되어 있습니다"
    return None


def _bad_chars(value: str) -> str:
    return "".join(sorted({c for c in value if not ("A" <= c <= "Z" or "0" <= c <= "9")}))


def uti_reason(value: str) -> tuple[str, str]:
    if problem := _text_problem(value):
        return problem
    if len(value) > UTI_MAX_LENGTH:
        return (f"it has {len(value)} characters, at most {UTI_MAX_LENGTH} are allowed",
                f"{len(value)}자리입니다(최대 {UTI_MAX_LENGTH}자리)")
    if problem := _case_problem(value):
        return problem
    bad = _bad_chars(value)
    return (f"only A-Z and 0-9 are allowed, found {bad!r}",
            f"A-Z, 0-9만 사용할 수 있으나 {bad!r}이(가) 있습니다")


def lei_reason(value: str) -> tuple[str, str]:
    if problem := _text_problem(value):
        return problem
    if len(value) != 20:
        return (f"it has {len(value)} characters, an LEI has 20",
                f"{len(value)}자리입니다(LEI는 20자리)")
    if problem := _case_problem(value):
        return problem
    if _bad_chars(value) or not value[18:].isdigit():
        return ("it must be 18 characters A-Z 0-9 followed by 2 check digits",
                "영문 대문자·숫자 18자리 뒤에 검증숫자 2자리가 와야 합니다")
    return ("its check digits do not match (ISO 7064 MOD 97-10)",
            "검증숫자가 일치하지 않습니다(ISO 7064 MOD 97-10)")


def upi_reason(value: str) -> tuple[str, str]:
    if problem := _text_problem(value):
        return problem
    if len(value) != 12:
        return (f"it has {len(value)} characters, a UPI has 12",
                f"{len(value)}자리입니다(UPI는 12자리)")
    if problem := _case_problem(value):
        return problem
    return ("it must start with QZ followed by 10 characters A-Z 0-9",
            "QZ로 시작하고 뒤에 영문 대문자·숫자 10자리가 와야 합니다")


def isin_reason(value: str) -> tuple[str, str]:
    if problem := _text_problem(value):
        return problem
    if len(value) != 12:
        return (f"it has {len(value)} characters, an ISIN has 12",
                f"{len(value)}자리입니다(ISIN은 12자리)")
    if problem := _case_problem(value):
        return problem
    if not (value[:2].isalpha() and value[-1].isdigit()) or _bad_chars(value):
        return ("it must be 2 letters, 9 characters A-Z 0-9 and a check digit",
                "국가코드 2자리, 영문 대문자·숫자 9자리, 검증숫자 1자리로 구성되어야 합니다")
    if value[:2] not in NON_COUNTRY_ISIN_PREFIXES:
        try:
            _isin.validate(value)
        except InvalidComponent:
            return (f"{value[:2]!r} is not an ISO 3166 country code",
                    f"{value[:2]!r}은(는) ISO 3166 국가코드가 아닙니다")
        except ValidationError:
            pass  # the check digit, below
    return "its check digit does not match (Luhn)", "검증숫자가 일치하지 않습니다(Luhn)"


@rule("SR-ID-001", severity=Severity.REJECT, field="uti", title="UTI is present",
      en="UTI is missing: provide it, or the generating entity's LEI and the trade id so that "
         "it can be generated",
      ko="UTI가 없습니다. UTI를 입력하거나, UTI를 생성할 수 있도록 생성기관 LEI와 거래번호를 "
         "입력하십시오",
      source="ISO 23897; CPMI-IOSCO UTI guidance",
      note="Not for a MARU at portfolio level (collateral portfolio code given, no UTI: CFTC "
           "Tech. Spec. v3.2 App. F Example 15).")
def uti_present(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    portfolio_margin = (event.action_type is A.MARU and event.collateral is not None
                        and bool(event.collateral.portfolio_code))
    conflict = bool(event.extensions.get("conflicting_utis"))  # SR-ID-040 explains that case
    if not event.uti and not portfolio_margin and not conflict:
        yield Violation()


@rule("SR-ID-040", severity=Severity.REJECT, field="uti", title="The source names one UTI",
      en="The trade carries {count} different UTIs ({utis}): agree with the other party which "
         "one identifies it and send only that one",
      ko="거래에 서로 다른 UTI가 {count}개 있습니다({utis}). 거래상대방과 어느 UTI를 사용할지 "
         "합의하고 그 UTI만 보내십시오",
      source="ISO 23897 (one UTI per transaction); CPMI-IOSCO UTI guidance on the generating "
             "entity")
def uti_unambiguous(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    utis = event.extensions.get("conflicting_utis")
    if utis and not event.uti:
        yield Violation({"count": len(utis), "utis": ", ".join(map(str, utis))})


# ISO 20022 auth.030.001.04 EventIdentifier: the generating entity's LEI and up to 32
# characters of its own (CPMI-IOSCO CDE 2.152 "Event identifier"); a TR validating against the
# schema refuses the whole file for one record that breaks the pattern.
EVENT_ID_SHAPE = re.compile(r"[A-Z0-9]{18}[0-9]{2}[A-Z0-9]{0,32}")
# The regimes whose report states the event identifier (DerivEvt/Id/EvtIdr).
EVENT_ID_REGIMES = ("jfsa", "hkma", "asic")


@rule("SR-ID-041", severity=Severity.REJECT, field="event_id",
      title="The event identifier is an LEI and up to 32 characters",
      en="event identifier {value} is not an LEI followed by up to 32 letters or digits: give "
         "the identifier the generating entity assigned (its LEI first), or none",
      ko="이벤트 식별자 {value}이(가) LEI와 최대 32자의 영문 대문자·숫자로 이루어져 있지 "
         "않습니다. 생성기관이 부여한 식별자(LEI로 시작)를 입력하거나 비워 두십시오",
      regimes=EVENT_ID_REGIMES, per_regime=True,
      source="CPMI-IOSCO CDE 2.152; ISO 20022 auth.030.001.04 EventIdentifier pattern",
      note="Only where the report states it (JFSA, HKMA, ASIC); DRR's own test pack sends "
           "identifiers such as SEF123 that the schema refuses.")
def event_id_format(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    if event.event_id and not EVENT_ID_SHAPE.fullmatch(event.event_id):
        yield Violation(value=event.event_id)


@rule("SR-ID-002", severity=Severity.REJECT, field="uti",
      title="UTI is at most 52 characters of A-Z and 0-9",
      en="{label} {value} is not a valid UTI: {reason}",
      ko="{label_ko} {value}은(는) 올바른 UTI가 아닙니다: {reason_ko}",
      source="ISO 23897", note="Also applied to the prior UTI.")
def uti_format(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    for path, value in (("uti", event.uti), ("prior_uti", event.prior_uti)):
        if value and not is_valid_uti(value):
            en, ko = uti_reason(value)
            yield Violation({"label": label(path), "label_ko": label_ko(path), "reason": en,
                             "reason_ko": ko}, field=path, value=value)


@rule("SR-ID-003", severity=Severity.WARN, field="uti",
      title="The UTI starts with the generating entity's LEI",
      en="UTI {value} does not start with a valid LEI (ISO 23897: the generating entity's LEI "
         "and a unique code); check who generated it",
      ko="UTI {value}이(가) 유효한 LEI로 시작하지 않습니다(ISO 23897: 생성기관 LEI + 고유코드). "
         "UTI 생성기관을 확인하십시오",
      source="ISO 23897", note="A warning: UTIs from before ISO 23897 or from some venues differ.")
def uti_prefix(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    if event.uti and is_valid_uti(event.uti) and uti_generator_lei(event.uti) is None:
        yield Violation(value=event.uti)


def lei_fields(event: TradeEvent) -> Iterator[tuple[str, str]]:
    """(path, value) of every field that must hold an LEI, where a value is given."""
    for name in ("counterparty_1", "counterparty_2"):
        party = getattr(event, name)
        if party is None:
            continue
        if party.id_type is IdType.LEI and party.identifier:
            yield f"{name}.identifier", party.identifier
        if party.execution_agent and party.execution_agent != NOT_APPLICABLE:
            yield f"{name}.execution_agent", party.execution_agent
    for path, value in (("submitting_entity", event.submitting_entity),
                        ("entity_responsible", event.entity_responsible),
                        ("broker", event.broker),
                        ("clearing.ccp", event.clearing.ccp),
                        ("clearing.clearing_member", event.clearing.clearing_member)):
        if value:
            yield path, value


@rule("SR-ID-004", severity=Severity.REJECT, field="counterparty_1.identifier",
      title="Every LEI is 20 characters and passes MOD 97-10",
      en="{label} {value} is not a valid LEI: {reason}",
      ko="{label_ko} {value}은(는) 올바른 LEI가 아닙니다: {reason_ko}",
      source="ISO 17442 (ISO 7064 MOD 97-10)",
      note="Counterparties identified by LEI, execution agents, submitting and responsible "
           "entities, broker, CCP and clearing member.")
def lei_format(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation] | None:
    # Most events name only valid LEIs: checked first without naming the fields' paths (the
    # same fields as lei_fields, whose check is memoised per LEI).
    for name in ("counterparty_1", "counterparty_2"):
        party = getattr(event, name)
        if party is None:
            continue
        if party.id_type is IdType.LEI and party.identifier and not is_valid_lei(
                party.identifier):
            return _lei_format(event)
        agent = party.execution_agent
        if agent and agent != NOT_APPLICABLE and not is_valid_lei(agent):
            return _lei_format(event)
    clearing = event.clearing
    for value in (event.submitting_entity, event.entity_responsible, event.broker,
                  clearing.ccp, clearing.clearing_member):
        if value and not is_valid_lei(value):
            return _lei_format(event)
    return None


def _lei_format(event: TradeEvent) -> Iterator[Violation]:
    for path, value in lei_fields(event):
        if not is_valid_lei(value):
            en, ko = lei_reason(value)
            yield Violation({"label": label(path), "label_ko": label_ko(path), "reason": en,
                             "reason_ko": ko}, field=path, value=value)


_STATUS_KO = {"LAPSED": "갱신되지 않음(LAPSED)", "RETIRED": "폐기됨(RETIRED)",
              "ANNULLED": "무효(ANNULLED)", "DUPLICATE": "중복 발급(DUPLICATE)",
              "MERGED": "합병됨(MERGED)", "PENDING_TRANSFER": "이전 중(PENDING_TRANSFER)",
              "PENDING_ARCHIVAL": "보관 예정(PENDING_ARCHIVAL)"}
_STATUS_REJECT = frozenset({"RETIRED", "ANNULLED", "DUPLICATE", "MERGED"})


@rule("SR-ID-005", severity=Severity.REJECT, field="counterparty_1.identifier",
      title="LEIs are ISSUED (LAPSED: warning; RETIRED, ANNULLED, MERGED, DUPLICATE: reject)",
      en="{label} LEI {value} has registration status {status}: {advice}",
      ko="{label_ko} LEI {value}의 등록 상태가 {status_ko}입니다: {advice_ko}",
      source="GLEIF registration status; ESMA EMIR Refit validation rules",
      note="Needs an LEI status table in the context (reference data); LEIs it does not know "
           "pass. Severity: reject, warning for LAPSED and PENDING_*.")
def lei_status(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    if not ctx.lei_status:
        return
    for path, value in lei_fields(event):
        status = (ctx.lei_status.get(value) or "ISSUED").upper()
        if status == "ISSUED":
            continue
        reject = status in _STATUS_REJECT
        advice = ("the entity must be identified by its current LEI" if reject
                  else "ask the entity to renew its LEI")
        advice_ko = ("해당 기관의 현재 LEI로 보고하십시오" if reject
                     else "해당 기관에 LEI 갱신을 요청하십시오")
        yield Violation({"label": label(path), "label_ko": label_ko(path), "status": status,
                         "status_ko": _STATUS_KO.get(status, status), "advice": advice,
                         "advice_ko": advice_ko}, field=path, value=value,
                        severity=Severity.REJECT if reject else Severity.WARN)


@rule("SR-ID-006", severity=Severity.REJECT, field="counterparty_2.identifier",
      title="Counterparty 1 differs from counterparty 2",
      en="counterparty 1 and counterparty 2 are the same ({value}): a derivative has two "
         "different parties",
      ko="거래상대방1과 거래상대방2가 동일합니다({value}). 파생상품 거래의 두 거래상대방은 "
         "서로 달라야 합니다",
      source="ESMA EMIR Refit validation rules (counterparty 2)")
def counterparties_differ(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    one, two = event.counterparty_1, event.counterparty_2
    if one and two and one.identifier and one.identifier.upper() == two.identifier.upper():
        shown = None if IdType.NATURAL_PERSON in (one.id_type, two.id_type) else two.identifier
        yield Violation(value=shown)


@rule("SR-ID-007", severity=Severity.REJECT, field="product.upi",
      title="UPI is 12 characters starting with QZ",
      en="UPI {value} is not a valid UPI: {reason}",
      ko="UPI {value}은(는) 올바른 UPI가 아닙니다: {reason_ko}",
      source="ISO 4914 (DSB)",
      note="Shape only: the check character algorithm is not published in a verifiable form.")
def upi_format(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    upi = event.product.upi
    if upi and not is_valid_upi(upi):
        en, ko = upi_reason(upi)
        yield Violation({"reason": en, "reason_ko": ko}, value=upi)


@rule("SR-ID-008", severity=Severity.REJECT, field="product.isin",
      title="ISIN matches the pattern and passes its check digit",
      en="ISIN {value} is not a valid ISIN: {reason}",
      ko="ISIN {value}은(는) 올바른 ISIN이 아닙니다: {reason_ko}",
      source="ISO 6166 (EZ: ANNA DSB OTC derivative ISINs)")
def isin_format(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    isin = event.product.isin
    if isin and not is_valid_isin(isin):
        en, ko = isin_reason(isin)
        yield Violation({"reason": en, "reason_ko": ko}, value=isin)


# Every regime that requires the ANNA DSB's UPI (docs/RULES.md); KRX's specification is not
# public, so it is not asked for there.
UPI_REGIMES = tuple(key for key in regime_keys() if key != "krx")


@rule("SR-ID-009", severity=Severity.REJECT, field="product.upi",
      title="NEWT, POSC, MODI and CORR identify the product (UPI; or ISIN on a venue, EMIR)",
      en="{action} has no product identifier: {need}",
      ko="{action} 보고에 상품식별기호가 없습니다: {need_ko}",
      regimes=UPI_REGIMES, actions=(A.NEWT, A.POSC, A.MODI, A.CORR),
      per_regime=True,
      source="ISO 4914; UPI reporting from 29 Jan 2024 (CFTC), 29 Apr 2024 (EMIR), 30 Sep 2024 "
             "(UK EMIR), 21 Oct 2024 (ASIC, MAS), 1 Apr 2025 (JFSA), 29 Sep 2025 (HKMA)",
      note="CFTC, JFSA, MAS, HKMA, ASIC: UPI. EMIR and UK EMIR: UPI, or ISIN for a derivative "
           "traded on a venue. KRX: not known.")
def product_identified(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    if event.product.upi or event.extensions.get(UNAVAILABLE_EXTENSION):
        return  # SR-ID-046 says why the DSB lookup found none
    on_venue = bool(event.execution_venue) and event.execution_venue not in OFF_VENUE
    if ctx.regime in ("emir", "uk-emir"):
        if on_venue and event.product.isin:
            return
        need = ("give the ISIN (traded on a venue) or the UPI" if on_venue else "give the UPI")
        need_ko = ("ISIN(장내 거래) 또는 UPI를 입력하십시오" if on_venue else "UPI를 입력하십시오")
    else:
        need, need_ko = "give the UPI", "UPI를 입력하십시오"
    yield Violation({"action": event.action_type.value, "need": need, "need_ko": need_ko})


@rule("SR-ID-046", severity=Severity.REJECT, field="product.upi",
      title="A UPI could be had from the ANNA DSB for the trade's product",
      en="{action} has no UPI, and none could be had from the ANNA DSB for {attributes}: {why}",
      ko="{action} 보고에 UPI가 없으며 ANNA DSB에서 {attributes_ko}의 UPI를 얻지 "
         "못했습니다: {why_ko}",
      regimes=UPI_REGIMES, actions=(A.NEWT, A.POSC, A.MODI, A.CORR),
      source="ISO 4914; ANNA DSB UPI user types (search, creation, end-of-day file)",
      note="Set by the pipeline's UPI lookup (docs/UPI.md): not found and not allowed to "
           "create, creation refused, DSB unreachable, or an attribute missing from the trade.")
def upi_unavailable(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation]:
    found = event.extensions.get(UNAVAILABLE_EXTENSION)
    if isinstance(found, dict) and not event.product.upi:
        yield Violation({"action": event.action_type.value,
                         "attributes": str(found.get("attributes", "")),
                         "attributes_ko": str(found.get("attributes_ko")
                                              or found.get("attributes", "")),
                         "why": str(found.get("why", "")), "why_ko": str(found.get("why_ko", ""))})
