"""GET /api/rules and /api/rules/{rule_id}: the validation rules (SR-*) the pipeline applies,
read-only, for every signed-in role (docs/API.md#validation-rules).

The catalogue is code (`shared/domain/rules`, docs/RULES.md): it changes only with a
deployment, is the same for every tenant and needs no database. Each answer is rendered once
per warm container with its strong ETag, so the console's revalidation costs a 304.

What the domain has in one language only gets its Korean here: the one-line title
(`TITLES_KO`, one per registered rule; a test fails when a rule has none). Messages, field
labels and severities come from the domain as they are.
"""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import unquote

from shared.api.reading import _no_parameters, parse_query, reader
from shared.platform.action import ActionContext
from shared.platform.http_cache import strong_etag
from shared.platform.web import HttpError, Router, WebRequest, response

router = Router()
# Private (the caller must be signed in); a browser may reuse it 5 minutes, then revalidates.
CACHE_CONTROL = "private, max-age=300, must-revalidate"
_MAX_SHOWN_ID = 40  # of an unknown rule id quoted back in a 404

TITLES_KO: dict[str, str] = {
    "SR-ID-001": "UTI가 있어야 합니다",
    "SR-ID-002": "UTI는 A-Z와 0-9로 된 52자 이내여야 합니다",
    "SR-ID-003": "UTI는 생성기관의 LEI로 시작해야 합니다(경고)",
    "SR-ID-004": "모든 LEI는 20자리이며 MOD 97-10 검증을 통과해야 합니다",
    "SR-ID-005": "LEI는 ISSUED 상태여야 합니다(LAPSED는 경고, RETIRED·ANNULLED·MERGED·"
                 "DUPLICATE는 반려)",
    "SR-ID-006": "거래상대방1과 거래상대방2는 서로 달라야 합니다",
    "SR-ID-007": "UPI는 QZ로 시작하는 12자리여야 합니다",
    "SR-ID-008": "ISIN은 형식에 맞고 검증번호가 맞아야 합니다",
    "SR-ID-009": "NEWT·POSC·MODI·CORR 보고에는 상품식별기호가 있어야 합니다(UPI, EMIR 장내거래는 "
                 "ISIN도 가능)",
    "SR-ID-046": "거래 상품의 UPI를 ANNA DSB에서 얻을 수 있어야 합니다",
    "SR-DT-010": "체결시각은 보고시각(없으면 현재시각)보다 늦을 수 없습니다",
    "SR-DT-011": "효력발생일은 만기일보다 늦을 수 없습니다",
    "SR-DT-012": "체결일 ≤ 이벤트 일자 ≤ 만기일이어야 합니다",
    "SR-DT-013": "VALU 보고의 평가일은 이벤트 일자와 같아야 합니다",
    "SR-DT-014": "MODI 보고로 체결시각을 바꿀 수 없습니다",
    "SR-LC-015": "NEWT 또는 POSC 보고는 UTI당 한 번만 할 수 있습니다",
    "SR-LC-016": "MODI·CORR·TERM·EROR·VALU·MARU·PRTO는 존속 중인 거래에만 보고할 수 있습니다",
    "SR-LC-017": "EROR 이후에는 REVI만 보고할 수 있습니다",
    "SR-LC-018": "REVI는 EROR 또는 TERM 이후에만 보고할 수 있습니다",
    "SR-LC-019": "보고 수준은 CORR 또는 REVI로만 바꿀 수 있습니다",
    "SR-LC-020": "조치유형과 이벤트유형의 조합이 해당 보고제도에서 유효해야 합니다",
    "SR-LC-021": "TERM 이후에는 CORR 또는 REVI만 보고할 수 있습니다(CFTC는 MODI·VALU·MARU·EROR·"
                 "PRTO도 가능)",
    "SR-EC-022": "명목금액은 0 이상이어야 하며, 0은 TERM 또는 COMP에서만 허용됩니다",
    "SR-EC-023": "통화는 ISO 4217 통화코드여야 합니다",
    "SR-EC-024": "금리스왑의 각 레그에는 고정금리 또는 변동금리 지표가 있어야 합니다",
    "SR-EC-025": "비정상적으로 큰 명목금액(경고)",
    "SR-CL-026": "청산거래에는 청산소(CCP)가 있어야 하며, 청산회원은 CCP일 수 없습니다",
    "SR-VA-027": "청산거래는 청산소 평가(CCPV)로 평가해야 합니다",
    "SR-VA-028": "평가된 옵션 또는 스왑션에는 델타가 있어야 합니다",
    "SR-VA-029": "잔존 거래의 평가정보나 증거금 기준일이 14일을 넘었습니다(경고)",
    "SR-TM-030": "보고제도의 보고기한 내에 보고해야 합니다(지연은 경고이며 보고는 진행됩니다)",
    "SR-LC-035": "TERM 보고에는 거래 종료 시점(조기종료일 또는 이벤트시각)이 있어야 합니다",
    "SR-LC-036": "EROR 보고에는 경제적 조건을 넣지 않습니다",
    "SR-LC-037": "NEWT·POSC·MODI·CORR 보고에는 거래의 핵심 항목이 있어야 합니다",
    "SR-LC-038": "VALU 보고에는 평가정보, MARU 보고에는 담보정보가 있어야 합니다",
    "SR-LC-039": "PRTO 이후에는 이 거래정보저장소에 보고할 수 없습니다(CFTC는 NEWT-PTNG로 복귀)",
    "SR-ID-040": "원천 데이터의 거래에는 UTI가 하나만 있어야 합니다",
    "SR-ID-041": "이벤트 식별자는 LEI와 최대 32자의 영문 대문자·숫자여야 합니다",
    "SR-EC-050": "상품(커머디티) 거래는 ISO 20022·EMIR 상품 분류체계로 분류해야 합니다",
    "SR-EC-051": "총 명목수량은 음수가 아니어야 하며 측정단위를 밝혀야 합니다",
}


def rule_view(rule: Any) -> dict[str, Any]:
    """One rule as the API shows it. `regimes` / `actions`: null means every one."""
    from shared.domain.model import ActionType
    from shared.domain.rules.base import AREAS
    from shared.domain.rules.labels import label, label_ko

    return {
        "id": rule.id, "area": rule.area, "area_name": AREAS[rule.area],
        "severity": rule.severity.value, "severity_ko": rule.severity.ko,
        "field": rule.field, "field_label": label(rule.field),
        "field_label_ko": label_ko(rule.field),
        "regimes": sorted(rule.regimes) if rule.regimes is not None else None,
        "per_regime": rule.per_regime,
        "actions": ([a.value for a in ActionType if a in rule.actions]  # ISO order
                    if rule.actions is not None else None),
        "title": rule.title, "title_ko": TITLES_KO.get(rule.id, rule.title),
        "message_en": rule.message_en, "message_ko": rule.message_ko,
        "source": rule.source, "note": rule.note,
    }


@functools.cache
def _catalogue() -> tuple[tuple[str, str], dict[str, tuple[str, str]]]:
    """((list body, its ETag), {rule id: (body, ETag)}), rendered once per warm container."""
    from shared.domain.rules import all_rules

    def rendered(body: Any) -> tuple[str, str]:
        text = json.dumps(body, ensure_ascii=False)
        return text, strong_etag(text.encode("utf-8"))

    views = [rule_view(r) for r in all_rules()]
    return rendered({"items": views}), {v["id"]: rendered(v) for v in views}


def _answer(request: WebRequest, text: str, etag: str) -> dict[str, Any]:
    return response(200, text, headers={"Cache-Control": CACHE_CONTROL, "ETag": etag},
                    request_id=request.request_id)


@router.route("GET", "/api/rules")
def list_rules(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    reader(request, ctx)  # any signed-in role; an API key 403, no credential 401
    parse_query(request, _no_parameters())
    (text, etag), _ = _catalogue()
    return _answer(request, text, etag)


@router.route("GET", "/api/rules/{rule_id}")
def get_rule(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    reader(request, ctx)
    parse_query(request, _no_parameters())
    wanted = unquote(request.path_params["rule_id"]).strip().upper()
    found = _catalogue()[1].get(wanted)
    if found is None:
        shown = wanted if len(wanted) <= _MAX_SHOWN_ID and wanted.isprintable() \
            else f"{wanted[:_MAX_SHOWN_ID]!r}..."
        raise HttpError(404, "Not found", f"no validation rule {shown}; GET /api/rules lists"
                        " them")
    return _answer(request, *found)
