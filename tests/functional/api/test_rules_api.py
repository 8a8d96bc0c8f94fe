"""GET /api/rules and /api/rules/{rule_id} through the real api action: the rule registry as
the console shows it (severity, regimes, field, messages in English and Korean), for every
signed-in role, never for an API key or without a credential, and revalidated by ETag."""

from __future__ import annotations

import base64
import gzip
import json
import uuid

import pytest

from shared.api.routes import rules as route
from shared.domain.regimes import keys as regime_keys
from shared.domain.rules import all_rules, get_rule
from shared.platform import tokens
from tests.functional.api.test_auth import CHEAP_PARAMS, SECRET, add_user
from tests.support.actions import load_main

pytestmark = pytest.mark.functional

VIEWER = {"kind": "user", "subject": "u-victor", "tenant_id": str(uuid.uuid4()),
          "role": "viewer", "tenant": "alpha-bank"}
FEP_KEY = {"kind": "api_key", "subject": "k-1", "tenant_id": VIEWER["tenant_id"],
           "scopes": ["ingest"], "name": "fep", "prefix": "abcd1234"}


@pytest.fixture(scope="module")
def api():
    """GET through the api action, as the gateway passes it after its authorizer (`who`) or
    without one (`params` then carries what the action needs to check a credential itself)."""
    main = load_main("api")

    def call(path: str, query: str = "", *, who: dict | None = VIEWER,
             headers: dict | None = None, **params) -> tuple[int, object, dict]:
        args = {"__ow_method": "get", "__ow_path": path, "__ow_query": query,
                "__ow_headers": {"x-request-id": uuid.uuid4().hex, **(headers or {})},
                "__ow_body": "", "log_level": "WARNING", **params}
        if who is not None:
            args["__authorizer"] = who
        result = main(args)
        body = result["body"]
        if result.get("isBase64Encoded"):
            body = gzip.decompress(base64.b64decode(body)).decode("utf-8")
        return result["statusCode"], json.loads(body) if body else None, result["headers"]

    return call


def test_the_list_is_the_registry_with_both_languages(api):
    status, body, headers = api("/api/rules")
    assert status == 200
    assert [r["id"] for r in body["items"]] == [r.id for r in all_rules()]
    currency = next(r for r in body["items"] if r["id"] == "SR-EC-023")
    domain = get_rule("SR-EC-023")
    assert currency["severity"] == "reject" and currency["severity_ko"] == "반려"
    assert currency["field"] == "legs[0].notional.currency"
    assert currency["field_label_ko"] == "레그1 명목금액 통화"
    assert currency["regimes"] is None  # every regime
    assert (currency["message_en"], currency["message_ko"]) == (domain.message_en,
                                                                domain.message_ko)
    assert currency["title"] == "Currencies are ISO 4217 codes"
    assert currency["title_ko"] == "통화는 ISO 4217 통화코드여야 합니다"
    assert currency["source"].startswith("ISO 4217")
    upi = next(r for r in body["items"] if r["id"] == "SR-ID-009")
    # every regime that requires the UPI: all but KRX, whose use of it is not known
    assert upi["regimes"] == sorted(set(regime_keys()) - {"krx"}) and upi["per_regime"] is True
    assert upi["actions"] == ["NEWT", "MODI", "CORR", "POSC"]  # ISO order
    assert headers["Cache-Control"] == route.CACHE_CONTROL and headers["ETag"]


def test_every_registered_rule_has_a_korean_title():
    assert set(route.TITLES_KO) == {r.id for r in all_rules()}
    assert all(route.TITLES_KO[r.id] != r.title for r in all_rules())


def test_one_rule_by_id_any_case_and_an_unknown_id_is_404(api):
    status, body, headers = api("/api/rules/SR-LC-035")
    assert status == 200 and body["id"] == "SR-LC-035" and body["actions"] == ["TERM"]
    assert headers["ETag"]
    assert api("/api/rules/sr-lc-035")[1] == body
    status, problem, _ = api("/api/rules/SR-XX-999")
    assert status == 404 and "SR-XX-999" in problem["detail"] and problem["request_id"]
    status, problem, _ = api("/api/rules/" + "A" * 300)
    assert status == 404 and len(problem["detail"]) < 120


def test_a_matching_etag_is_a_304_without_a_body(api):
    _, first, headers = api("/api/rules", headers={"accept-encoding": "gzip"})
    assert headers["ETag"].endswith('-gzip"')  # the gzip representation's own tag
    # either tag matches the resource: a client without gzip revalidates with the one it got
    status, body, again = api("/api/rules", headers={"if-none-match": headers["ETag"]})
    assert status == 304 and body is None and again["ETag"] == headers["ETag"].replace(
        "-gzip", "")
    _, _, plain = api("/api/rules/SR-EC-023")
    status, _, _ = api("/api/rules/SR-EC-023", headers={"if-none-match": plain["ETag"]})
    assert status == 304
    assert len(first["items"]) == len(all_rules())  # the gzip answer decodes to the same list


def test_parameters_are_refused_and_an_api_key_may_not_read(api):
    status, problem, _ = api("/api/rules", "severity=reject")
    assert status == 400 and "severity" in problem["detail"]
    status, problem, _ = api("/api/rules", who=FEP_KEY)
    assert status == 403 and "API key" in problem["detail"]


def test_a_signed_in_user_reads_directly_and_no_credential_is_401(api, database_url, db,
                                                                   two_tenants):
    params = {"database_url": database_url, "jwt_signing_secret": SECRET, **CHEAP_PARAMS}
    tenant = two_tenants[0]
    token = tokens.mint(SECRET, subject=add_user(db, tenant, "olga", "operator"),
                        tenant_id=str(tenant), tenant_slug="alpha-bank", role="operator")
    status, body, _ = api("/api/rules", who=None, headers={"authorization": f"Bearer {token}"},
                          **params)
    assert status == 200 and len(body["items"]) == len(all_rules())
    status, problem, headers = api("/api/rules", who=None, **params)
    assert status == 401 and problem["status"] == 401 and "WWW-Authenticate" in headers
