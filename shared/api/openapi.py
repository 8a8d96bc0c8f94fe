"""The API's OpenAPI 3.1 document, assembled from one table of operations and the pydantic
models the routes validate with (request bodies, query parameters).

`python -m shared.api.openapi` writes `shared/api/openapi.json` (committed and shipped; the api
action serves it at GET /api/openapi.json without importing this module or pydantic);
`--check` exits 1 when the file is stale. tests/functional/api/test_openapi_contract.py
checks that every routed (method, path) is here and every operation here is routed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from shared.domain.issues import Severity
from shared.domain.obligations.entities import Capacity, EntityKind
from shared.domain.regimes import keys as regime_keys
from shared.domain.roles import ROLES, roles_that_may

SPEC_PATH = Path(__file__).with_name("openapi.json")
JSON = "application/json"
PROBLEM = "application/problem+json"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


@dataclass(frozen=True)
class Op:
    """One operation. `body` and `query` name pydantic models (components); `roles` who may
    call it (`x-roles`; the security tests give every other role a 403), `credential` which
    kind of credential it takes (`x-credential`: user, api_key or any)."""

    method: str
    path: str
    summary: str
    tag: str
    result: dict[str, Any] | None = None
    ok: int = 200
    body: str | None = None
    body_optional: bool = False
    query: str | None = None
    exclude: tuple[str, ...] = ()  # fields of `query` this route does not take
    params: tuple[dict[str, Any], ...] = ()
    errors: tuple[int, ...] = ()
    public: bool = False
    roles: tuple[str, ...] = roles_that_may("read")
    credential: str = "user"
    media: str = JSON
    cached: bool = False  # answers 200 with an ETag, and 304 to a matching If-None-Match
    approvable: bool = False  # may answer 202: held for a second user (four-eyes)


def _items(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": item}}}


def _obj(required: Sequence[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": props}


STR, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NSTR = {"type": ["string", "null"]}
TIME = {"type": "string", "format": "date-time"}
NTIME = {"type": ["string", "null"], "format": "date-time"}
# `response()` writes a datetime with isoformat() ("2026-11-20T01:00:00+00:00"): RFC 3339.
STAMP, NSTAMP = TIME, NTIME
PRESIGNED = _obj(["url", "expires_in", "expires_at"], url={"type": "string", "format": "uri"},
                 expires_in=INT, expires_at=TIME)

OBJECT = {"type": "object", "additionalProperties": True}  # any JSON object


def _page(item: dict[str, Any] | None = None) -> dict[str, Any]:
    """A keyset page: `next_cursor` is the `cursor` of the next one (null at the end)."""
    return _obj(["items", "next_cursor"], items={"type": "array", "items": item or OBJECT},
                next_cursor=NSTR)


def _counted_page(item: dict[str, Any]) -> dict[str, Any]:
    """A keyset page with the selection's total: exact up to a cap (10,000), then the cap
    with `total_capped` true ("10,000+"), so a count never walks a million rows."""
    schema = _page(item)
    schema["required"] += ["total", "total_capped"]
    schema["properties"].update(total={"type": "integer", "minimum": 0},
                                total_capped=BOOL)
    return schema


# -- response schemas (hand-written: the routes answer plain dicts) ------------------------------

SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": {
        "type": "object", "description": "RFC 9457 problem details; `request_id` (the action) "
        "or `requestId` (the gateway) names the request in the logs.",
        "required": ["type", "title", "status"],
        "properties": {
            "type": STR, "title": STR, "status": {"type": "integer", "minimum": 400},
            "detail": STR, "instance": STR, "request_id": STR, "requestId": STR,
            "reason": STR, "code": NSTR,
            "errors": {"type": "array", "items": _obj(
                ["message"], field=NSTR,
                parameter={**NSTR, "description": "a query parameter's name"},
                message=STR, code=NSTR)}}},
    "Health": _obj(["status", "checked_at", "components"],
                   status={"enum": ["ok", "degraded"]}, checked_at=TIME,
                   components={"type": "object", "additionalProperties": _obj(
                       ["status"], status={"enum": ["ok", "down"]})}),
    "User": _obj(["id", "tenant_id", "username", "display_name", "role", "disabled", "tenant",
                  "created_at", "last_login_at"],
                 id=STR, tenant_id=STR, username=STR, display_name=NSTR,
                 role={"enum": list(ROLES)}, disabled=BOOL, tenant=STR,
                 created_at=STAMP, last_login_at=NSTAMP,
                 client_lei={**NSTR, "description": "a client_viewer's one client"}),
    "Session": _obj(["access_token", "token_type", "expires_in", "refresh_token",
                     "refresh_expires_in", "user"],
                    access_token=STR, token_type={"const": "Bearer"}, expires_in=INT,
                    refresh_token=STR, refresh_expires_in=INT, user=ref("User")),
    # A person (the console) or an API key (an FEP): `kind` says which shape follows.
    "Me": {"oneOf": [
        _obj(["kind", "subject", "tenant_id", "role", "tenant", "username", "display_name"],
             kind={"const": "user"}, subject=STR, tenant_id=STR, role={"enum": list(ROLES)},
             tenant=STR, username={**NSTR, "description": "null: a person of the identity "
                                   "provider with no user row"}, display_name=NSTR,
             client_lei={**NSTR, "description": "a client_viewer's one client (the client "
                         "view shows it alone)"}),
        _obj(["kind", "subject", "tenant_id", "name", "prefix", "scopes"],
             kind={"const": "api_key"}, subject=STR, tenant_id=STR, name=STR, prefix=STR,
             scopes={"type": "array", "items": STR})]},
    "ApiKey": _obj(["id", "name", "prefix", "scopes", "created_at"],
                   id=STR, name=STR, prefix=STR, scopes={"type": "array", "items": STR},
                   created_by=NSTR, created_at=STAMP, last_used_at=NSTAMP, revoked_at=NSTAMP,
                   key={"type": "string", "description": "only in the answer to its creation"}),
    "IngestAnswer": _obj(
        ["request_id", "file_id", "replayed", "accepted", "rejected"],
        request_id=STR, file_id=STR, replayed=BOOL,
        accepted={"type": "array", "items": _obj(["index", "event_id", "uti", "duplicate"],
                                                 index=INT, event_id=STR, uti=STR,
                                                 duplicate=BOOL)},
        rejected={"type": "array", "items": _obj(["index", "errors"], index=INT, errors={
            "type": "array", "items": _obj(["code", "message"], code=STR, field=NSTR,
                                           message=STR)})}),
    "ApprovalRequest": _obj(
        ["id", "kind", "request", "events", "requested_by", "requested_by_name",
         "requested_at", "expires_at", "status"],
        id=STR, kind={"enum": ["repair", "bulk_repair", "cancel", "resubmit", "backload"]},
        request={**OBJECT, "description": "the action's own request body, as it will run"},
        events=INT, requested_by=STR, requested_by_name=STR, requested_at=STAMP,
        expires_at=STAMP, status={"enum": ["pending", "approved", "rejected", "expired"]},
        decided_by=NSTR, decided_by_name=NSTR, decided_at=NSTAMP, note=NSTR,
        outcome={"type": ["object", "null"], "additionalProperties": True,
                 "description": "what the action did when approved: the action's own answer"}),
    "BackloadJob": _obj(
        ["id", "reason", "regimes", "as_of", "status", "total", "done", "skipped",
         "batch_size", "created_by", "created_at", "progress"],
        id=STR, reason=STR, regimes={"type": "array", "items": STR}, asset_class=NSTR,
        as_of=STAMP, status={"enum": ["ready", "running", "paused", "done", "cancelled"]},
        total=INT, done=INT, skipped=INT, cursor_uti=NSTR, batch_size=INT,
        rate_per_s={"type": ["number", "null"]}, created_by=STR, created_at=STAMP,
        started_at=NSTAMP, finished_at=NSTAMP, updated_at=STAMP, last_error=NSTR,
        progress=_obj(["worked", "total", "percent", "rate_per_s", "eta"], worked=INT,
                      total=INT, percent={"type": "number"},
                      rate_per_s={"type": ["number", "null"]}, eta=NSTAMP)),
    "BackloadPlanResult": _obj(
        ["total", "regimes", "as_of", "actions", "sample_size", "sample_refused", "sample"],
        total=INT, regimes={"type": "array", "items": STR}, asset_class=NSTR, as_of=STAMP,
        actions={"type": "object", "additionalProperties": INT,
                 "description": "how many open trades each action would re-report"},
        sample_size=INT, sample_refused=INT,
        sample={"type": "array", "items": _obj(
            ["uti"], uti=STR,
            changes={"type": "array", "items": _obj(["field"], field=STR, before={},
                                                    after={})},
            errors={"type": "array", "items": OBJECT})}),
    "PendingApproval": _obj(["status", "approval"], status={"const": "pending_approval"},
                            approval=ref("ApprovalRequest")),
    "ItemOutcome": _obj(["id", "outcome", "ok", "message"], id=STR, outcome=STR, ok=BOOL,
                        message=STR, details=OBJECT),
    "BulkOutcome": _obj(["items", "ok", "refused"], items={
        "type": "array", "items": ref("ItemOutcome")}, ok=INT, refused=INT),
    "RepairOutcome": _obj(["event_id", "new_event_id", "version", "changed"], event_id=STR,
                          new_event_id=STR, version=INT, changed=OBJECT),
    "RepairPreview": _obj(["event_id", "valid", "changed", "errors", "issues"], event_id=STR,
                          valid=BOOL, changed=OBJECT,
                          errors={"type": "array", "items": ref("FieldError")},
                          issues={"type": "array", "items": ref("RuleIssue")}),
    # operations.bulk_repair: per event, the single preview's answer (null when refused)
    "BulkRepairPreviewItem": _obj(
        ["id", "outcome", "ok", "message", "preview"], id=STR,
        outcome={"type": "string", "enum": ["would_pass", "would_fail", "not_found",
                                            "conflict"]},
        ok={**BOOL, "description": "false: refused (not found, or not repairable)"},
        message=STR, preview={"anyOf": [ref("RepairPreview"), {"type": "null"}]}),
    "BulkRepairPreview": _obj(["items", "would_pass", "would_fail", "refused"], items={
        "type": "array", "items": ref("BulkRepairPreviewItem")}, would_pass=INT,
        would_fail=INT, refused=INT),
    # operations.base.FieldError.as_dict: why an edit itself is unusable
    "FieldError": _obj(["field", "message", "code"], field=NSTR, message=STR, code=NSTR),
    # domain.issues.Issue.to_dict: what a rule found
    "RuleIssue": _obj(["rule_id", "severity", "field", "message_en", "message_ko", "regime",
                       "value"], rule_id=STR,
                      severity={"type": "string", "enum": [s.value for s in Severity]},
                      field=NSTR, message_en=STR, message_ko=STR, regime=NSTR, value=NSTR),
    "RedriveOutcome": _obj(["queue", "redriven", "more", "items"], queue=STR, redriven=INT,
                           more=BOOL, items={"type": "array", "items": ref("ItemOutcome")}),
    "UploadUrl": {"allOf": [PRESIGNED, _obj(
        ["method", "headers", "bucket", "key", "size"], method={"const": "PUT"},
        headers={"type": "object", "additionalProperties": STR}, bucket=STR, key=STR,
        size=INT)]},
    "DownloadUrl": {"allOf": [PRESIGNED, _obj(["file_name", "regime"], file_name=STR,
                                              regime=STR)]},
    "Rule": _obj(
        ["id", "area", "severity", "field", "regimes", "per_regime", "actions", "title",
         "title_ko", "message_en", "message_ko", "source", "note"],
        id={"type": "string", "pattern": "^SR-[A-Z]{2}-[0-9]{3}$"}, area=STR, area_name=STR,
        severity={"enum": ["reject", "warn"]}, severity_ko=STR, field=STR, field_label=STR,
        field_label_ko=STR, regimes={"type": ["array", "null"], "items": STR,
                                     "description": "null: every regime"},
        per_regime=BOOL, actions={"type": ["array", "null"], "items": STR,
                                  "description": "null: every action type"},
        title=STR, title_ko=STR, message_en=STR, message_ko=STR, source=STR, note=STR),
    "ExportBundle": {"allOf": [PRESIGNED, _obj(
        ["id", "kind", "bucket", "key", "rows", "files", "bytes", "created_at"], id=STR,
        kind={"enum": ["trades", "errors", "reports"]}, bucket=STR, key=STR, rows=INT,
        files=INT, bytes=INT, created_at=TIME)]},
}

# -- the reads' schemas (shared/services/reads: rows of the tables, `jsonable`: UUIDs as strings,
# timestamps as isoformat(), bigints as integers). Enums are the tables' CHECK constraints; the
# console's types are generated from these (frontend/src/api/schema.d.ts, `npm run gen:api`).

NINT, NBOOL = {"type": ["integer", "null"]}, {"type": ["boolean", "null"]}
NNUM = {"type": ["number", "null"]}
ANY: dict[str, Any] = {"description": "any JSON value"}
COUNTS = {"type": "object", "additionalProperties": INT}


def _enum(*values: str, null: bool = False) -> dict[str, Any]:
    if null:
        return {"type": ["string", "null"], "enum": [*values, None]}
    return {"type": "string", "enum": list(values)}


def _array(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _values(name: str) -> tuple[str, ...]:
    """A filter's Literal (shared/services/reads/filters.py): the one list of its values."""
    from typing import get_args

    from shared.services.reads import filters

    return get_args(getattr(filters, name))


INGEST_FILE_STATUSES = _values("FileStatus")
REPORT_FILE_STATUSES = _values("ReportStatus")
EVENT_STATES = _values("EventState")
ISSUE_STATUSES = _values("IssueStatus")
ERROR_KINDS = _values("ErrorKind")
ITEM_STATUSES = ("pending", "acked", "nacked")
DEADLINE_STATUSES = ("open", "late", "met", "missed", "none")  # reads/trades.py _deadline
ALERT_STATUSES, ALERT_SEVERITIES = _values("AlertStatus"), _values("AlertSeverity")
ACTIVATION_STATUSES = _values("ActivationStatus")
ACTION_TYPE = _enum(*_values("ActionType"))
CAPACITIES = tuple(c.value for c in Capacity)
ENTITY_KINDS = tuple(k.value for k in EntityKind)
DAY = {"type": "string", "format": "date"}
REGIME = _enum(*regime_keys())
ACTOR_TYPES = ("user", "api_key", "system", "anonymous")
_SUBMISSION = {"attempt": INT, "started_at": STAMP, "finished_at": NSTAMP, "http_status": NINT,
               "tr_message_id": NSTR, "outcome": _enum("accepted", "retry", "failed", null=True),
               "error": NSTR}
_AUDIT = {"id": INT, "at": STAMP, "actor": STR, "actor_type": _enum(*ACTOR_TYPES),
          "action": STR, "entity_type": NSTR, "entity_id": NSTR, "before": ANY, "after": ANY,
          "request_id": NSTR}
_RATES = {"acked": INT, "nacked": INT,
          "acceptance_rate": {**NNUM, "description": "acked / (acked + nacked); null: none"}}
_VOLUME_COUNTS = {"total": INT, "by_asset_class": COUNTS, "by_action_type": COUNTS,
                  "by_regime": COUNTS, "by_state": COUNTS, **_RATES}
_ISSUE = {"id": INT, "event_id": STR, "rule_id": STR, "severity": _enum("reject", "warn"),
          "field": NSTR, "value": NSTR, "message": STR, "message_ko": NSTR, "regime": NSTR,
          "status": _enum(*ISSUE_STATUSES), "assignee": NSTR, "created_at": STAMP,
          "resolved_at": NSTAMP}
_UNIT = _enum("day", "week", "month")


def _all(props: dict[str, Any], *optional: str) -> dict[str, Any]:
    """An object whose properties are all required but `optional`."""
    return _obj([k for k in props if k not in optional], **props)


READ_SCHEMAS: dict[str, dict[str, Any]] = {
    "IngestFile": _all({
        "id": STR, "bucket": STR, "object_key": STR, "sha256": STR, "size_bytes": INT,
        "format": NSTR, "profile": NSTR, "source": NSTR,
        "status": _enum(*INGEST_FILE_STATUSES), "reject_reason": NSTR, "row_count": NINT,
        "chunk_count": NINT, "received_at": STAMP, "parsed_at": NSTAMP, "updated_at": STAMP,
        "rows_by_state": {**COUNTS, "description": "the file's raw rows by state"},
        "events_by_state": {**COUNTS, "description": "the events its rows became, by state "
                            "(a re-sent duplicate row is not another event)"},
        "parse_errors": {**INT, "description": "rows that could not be parsed"},
        "duplicates": {**INT, "description": "re-sent rows: copies of an earlier event"}}),
    "Submission": _all(_SUBMISSION),
    "ReportFile": _all({
        "id": STR, "regime": REGIME, "tr": STR, "object_key": NSTR,
        "record_count": INT,
        "status": _enum(*REPORT_FILE_STATUSES), "tr_message_id": NSTR, "reject_code": NSTR,
        "reject_reason": NSTR, "created_at": STAMP, "submitted_at": NSTAMP,
        "feedback_at": NSTAMP, "updated_at": STAMP,
        "items_by_status": {**_all({s: INT for s in ITEM_STATUSES}),
                            "additionalProperties": INT},
        "submissions": _array(ref("Submission"))}),
    "TradeListItem": _all({
        "uti": STR, "trade_id": NSTR, "asset_class": _enum(*_values("AssetClass"), null=True),
        "product": NSTR,
        "counterparty_1": NSTR, "counterparty_2": NSTR, "counterparty_2_name": NSTR,
        "lifecycle": _enum("unreported", "live", "terminated", "errored", "ported"),
        "state": _enum(*EVENT_STATES), "last_event_id": NSTR,
        "last_action_type": _enum(*_values("ActionType"), null=True),
        "regimes": _array(REGIME), "executed_at": NSTAMP, "updated_at": STAMP}),
    "FieldChange": _all({"field": STR, "before": ANY, "after": ANY, "added": {"const": True},
                         "removed": {"const": True}}, "added", "removed"),
    "EventIssue": _all(_ISSUE),
    "EventReportItem": _all({
        "id": INT, "event_id": STR, "report_file_id": STR, "position": INT, "record_ref": STR,
        "status": _enum(*ITEM_STATUSES), "tr_code": NSTR, "tr_message": NSTR, "regime": REGIME,
        "tr": STR, "file_status": _enum(*REPORT_FILE_STATUSES), "tr_message_id": NSTR,
        "file_created_at": STAMP, "submitted_at": NSTAMP,
        "field": {**NSTR, "description": "the field the TR's message names by its value, as "
                  "the errors list's NACK rows carry it; null: none or ambiguous"},
        "value": NSTR}),
    "TradeEvent": _all({
        "id": STR, "seq": {**INT, "description": "the trade's version: its events numbered "
                           "1..n in lifecycle order"},
        "version": {**INT, "description": "this event's repair count: 1 as received, 2 after "
                    "one repair (the new event `supersedes` the old)"},
        "source": _enum("file", "api", "repair"),
        "action_type": ACTION_TYPE, "event_type": NSTR, "event_timestamp": STAMP,
        "state": _enum(*EVENT_STATES), "asset_class": _enum(*_values("AssetClass"), null=True),
        "regimes": _array(REGIME), "reported_regimes": _array(REGIME), "file_id": NSTR,
        "row_no": NINT, "prior_uti": NSTR,
        "trade_id": NSTR, "supersedes": NSTR, "deadline_at": NSTAMP, "waiting_for": NSTR,
        "enrichment": _array(STR), "validated_at": NSTAMP, "created_at": STAMP,
        "updated_at": STAMP, "payload": OBJECT,
        "changes": {"type": ["array", "null"], "items": ref("FieldChange"),
                    "description": "against the previous event; null for the first"},
        "issues": _array(ref("EventIssue")), "report_items": _array(ref("EventReportItem")),
        "routing": {**_nullable(ref("Routing")), "description": "who reports the event under "
                    "which regimes, and why; null: stored before routing was recorded"}}),
    # shared.domain.obligations.routing.Routing.as_dict, as trade_events.routing holds it
    "Routing": _all({
        "basis": {**_enum("entities", "record", "tenant"), "description": "entities: decided "
                  "by the tenant's entities and agreements; record: the record names its "
                  "regimes; tenant: no entities set up, the tenant's regimes"},
        "booking_entity": {**NSTR, "description": "the tenant's entity that booked it"},
        "reports": _array(ref("RoutingReport")), "skipped": _array(ref("RoutingSkipped"))}),
    "RoutingReport": _all({
        "regime": REGIME, "reporting_counterparty": {**STR, "description": "LEI of the side "
                                                     "reported"},
        "other_counterparty": NSTR, "submitting_entity": STR, "entity_responsible": STR,
        "capacity": {**_enum(*CAPACITIES), "description": "self: its own side; group: "
                     "another of the tenant's entities; mandatory / voluntary: for a client, "
                     "by law or by agreement"},
        "entity_id": {**NSTR, "description": "the tenant's entity whose side it is; null: a "
                      "client's"},
        "reason_en": STR, "reason_ko": STR}),
    "RoutingSkipped": _all({"regime": REGIME, "reason_en": STR, "reason_ko": STR}),
    # shared/services/entities.py: the tables of migration 0021
    "LegalEntity": _all({
        "entity_id": STR, "name": STR, "kind": _enum(*ENTITY_KINDS),
        "country": {**STR, "description": "ISO 3166 alpha-2, where it books"},
        "lei": {**NSTR, "description": "null: a branch, which has its legal entity's"},
        "parent": {**NSTR, "description": "a branch: its legal entity's entity_id"},
        "statuses": {"type": "object", "additionalProperties": STR,
                     "description": "regime key -> the entity's status under it"},
        "created_at": STAMP, "updated_at": STAMP}),
    "DelegationAgreement": _all({
        "id": STR, "client_lei": STR, "client_name": STR, "regime": REGIME,
        "capacity": _enum("mandatory", "voluntary"),
        "delegate": {**STR, "description": "the entity_id of the tenant's entity that submits"},
        "valid_from": DAY, "valid_to": {**_nullable(DAY), "description": "null: open-ended"},
        "client_status": NSTR, "opted_out": BOOL, "created_at": STAMP}),
    "EntityBook": _all({
        "entities": {**_array(ref("LegalEntity")), "description": "head offices and "
                     "subsidiaries before branches, then by entity_id"},
        "agreements": _array(ref("DelegationAgreement")),
        "regimes": {**_array(_all({"regime": REGIME, "display_name": STR,
                                   "statuses": _array(STR), "self_reporting": _array(STR)})),
                    "description": "the statuses an entity may hold per regime, and which of "
                    "them report their own side"}}),
    "TrFeedback": _all({
        "id": INT, "report_file_id": NSTR, "object_key": STR,
        "status": _enum("received", "applied", "duplicate", "rejected"), "tr_message_id": NSTR,
        "ack_count": INT, "nack_count": INT, "error": NSTR, "deliveries": INT,
        "received_at": STAMP, "last_seen_at": STAMP}),
    "TradeDeadline": _all({
        "status": {**_enum(*DEADLINE_STATUSES), "description": "open: the earliest deadline "
                   "still owed is ahead; late: it has passed; met/missed: nothing owed, the "
                   "latest acknowledged event made its deadline or not; none: no deadline"},
        # no "as of" time in the body: it would change the ETag of every answer (no 304s)
        "due_at": NSTAMP, "event_id": NSTR, "seq": NINT}),
    "TradeTrStatus": _all({
        "regime": REGIME, "tr": STR, "status": _enum(*ITEM_STATUSES), "tr_code": NSTR,
        "tr_message": NSTR, "event_id": STR, "seq": INT, "report_file_id": STR,
        "tr_message_id": NSTR, "file_created_at": STAMP, "submitted_at": NSTAMP}),
    "TradeDetail": _all({
        "trade": {**_nullable(ref("TradeListItem")),
                  "description": "null: events but no trade row (none accepted yet)"},
        "current": {**_nullable(_all({"event_id": STR, "seq": INT, "payload": OBJECT})),
                    "description": "the event whose canonical fields are the trade's now"},
        "deadline": ref("TradeDeadline"),
        "tr_status": {**_array(ref("TradeTrStatus")), "description": "per regime, what the "
                      "TR said about this trade's latest report item"},
        "events": {**_array(ref("TradeEvent")), "description": "lifecycle order, the newest "
                   "MAX_EVENTS (events_truncated: older ones left out)"},
        "events_truncated": BOOL,
        "submissions": _array(_all({"id": INT, "report_file_id": STR, **_SUBMISSION})),
        "feedback": {**_array(ref("TrFeedback")), "description": "the report files' feedback: "
                     "counts over every record of each file, not this trade's"},
        "audit": _array(_all(_AUDIT))}),
    "ErrorGroup": _obj(
        ["kind", "key", "count", "severity", "open", "oldest_at", "deadline_at"],
        kind=_enum(*ERROR_KINDS),
        key={**NSTR, "description": "the rule id, TR code (null: none given), queue or "
             "ingest file id (kind parse)"},
        count=INT, rule_id=STR, severity=_enum("reject", "warn"),
        open={**INT, "description": "items that still need action: issues not resolved, NACKs "
              "whose event is still nacked, dead letters, rows that did not parse"},
        oldest_at={**NSTAMP, "description": "when the oldest open item was raised (seen)"},
        deadline_at={**NSTAMP, "description": "the nearest reporting deadline of the open "
                     "items' events (null: none)"},
        by_status=_all({s: INT for s in ISSUE_STATUSES}), last_at=STAMP, tr_code=NSTR,
        files=INT, queue=STR, newest_at=STAMP, sample_error=NSTR, file_id=STR,
        object_key=STR,
        sample=_obj(["message", "event_id", "uti"], message=NSTR, field=NSTR, value=NSTR,
                    event_id=STR, uti=STR)),
    "ErrorItem": {**_obj(
        ["id"], id={**INT, "description": "the row's id; kind parse: its row number"},
        event_id=STR, uti=STR, rule_id=STR, severity=_enum("reject", "warn"),
        field=NSTR, value=NSTR, message=STR, message_ko=NSTR, regime=NSTR,
        status=_enum(*ISSUE_STATUSES), assignee=NSTR, created_at=STAMP, resolved_at=NSTAMP,
        event_state={**_enum(*EVENT_STATES), "description": "the event's state now: only an "
                     "invalid or nacked one can be repaired"},
        deadline_at=NSTAMP,
        report_file_id=STR, position=INT, record_ref=STR, tr_code=NSTR, tr_message=NSTR,
        tr_message_id=NSTR, queue=STR, message_id=INT, body=ANY, receive_count=INT,
        last_error=NSTR, sent_at=STAMP, dead_at=STAMP, file_id=STR, object_key=STR,
        row_no=INT, line_no=NINT, error=NSTR,
        content={**STR, "description": "the start of the row (200 characters)"}),
        "description": "a validation issue (kind rule), a NACKed report item (tr_code), a dead "
        "letter (queue) or an ingested row that did not parse (parse)"},
    "Alert": _all({
        "id": INT, "kind": STR, "severity": _enum(*ALERT_SEVERITIES), "summary": STR,
        "details": OBJECT, "status": _enum(*ALERT_STATUSES), "occurrences": INT,
        "first_seen_at": STAMP, "last_seen_at": STAMP, "acked_by": NSTR, "acked_at": NSTAMP,
        "resolved_at": NSTAMP}),
    "Activation": _all({
        "id": STR, "action": STR, "trigger": NSTR, "started_at": STAMP, "ended_at": NSTAMP,
        "duration_ms": NINT, "status": _enum(*ACTIVATION_STATUSES), "cold_start": NBOOL,
        "result": {**ANY, "description": "a web run's: only its statusCode"}, "error": NSTR}),
    "AuditEntry": _all({**_AUDIT, "actor_id": NSTR}),
    "LateReports": _all({"acked_late": INT, "open_overdue": INT,
                         "open_overdue_by_state": COUNTS}),
    "DashboardStats": _all({
        "day": {"type": "string", "format": "date"}, "tz": STR, "received": INT, "valid": INT,
        "invalid": INT, "submitted": INT, "acked": INT, "nacked": INT,
        "acceptance_rate": _RATES["acceptance_rate"],
        "parse_errors": {**INT, "description": "rows that could not be parsed, of the files "
                         "received today"},
        "late": {**INT, "description": "open now: trades with an event past its deadline and "
                 "not acknowledged (as the deadline.late alert and GET /api/trades?due=late)"},
        "at_risk": {**INT, "description": "open now: trades with an event due within "
                    "at_risk_window_s and not acknowledged (GET /api/trades?due=at_risk)"},
        "at_risk_window_s": INT, "by_state": COUNTS}),
    "VolumeCounts": _all(_VOLUME_COUNTS),
    "Volumes": _all({"unit": _UNIT, "tz": STR,
                     "buckets": _array(_all({"start": STAMP, **_VOLUME_COUNTS})),
                     "totals": ref("VolumeCounts")}),
    "Acceptance": _all({"unit": _UNIT, "tz": STR,
                        "buckets": _array(_all({"start": STAMP, **_RATES})),
                        "totals": _all(_RATES)}),
    "Rejections": _all({"rules": _array(_all({"code": STR, "count": INT})),
                        "tr_codes": _array(_all({"code": NSTR, "count": INT}))}),
    "Counterparty": _all({"lei": STR, "name": NSTR, "trades": INT, "acked": INT,
                          "nacked": INT, "invalid": INT}),
}
SCHEMAS.update(READ_SCHEMAS)

# -- reconciliation with the TR's end-of-day reports (shared/services/reads/reconciliation.py)
BREAK_STATUSES, BREAK_KINDS = _values("BreakStatus"), _values("BreakKind")
DATE, NDATE = {"type": "string", "format": "date"}, {"type": ["string", "null"], "format": "date"}
_DIFFERENCE = _all({
    "field": {**STR, "description": "the matching field: its element in auth.091 MtchgCrit "
              "(shared.domain.reconciliation.FIELDS)"},
    "name": {**STR, "description": "the field's name in the regulation's tables"},
    "ours": {**NSTR, "description": "the value the TR holds from us (null: not reported)"},
    "theirs": {**NSTR, "description": "the other counterparty's value"}})
_WARNING_KINDS = ("no_valuation", "outdated_valuation")
_REPORT_HEAD = _nullable(_all({"reference_date": DATE, "loaded_at": STAMP, "records": INT,
                               "object_key": STR}))
RECON_SCHEMAS: dict[str, dict[str, Any]] = {
    "FieldDifference": _DIFFERENCE,
    "TrBreak": _all({
        "id": INT, "regime": REGIME, "uti": STR, "kind": {**_enum(*BREAK_KINDS), "description":
            "at_tr_only: open at the TR, not ours; open_at_tr: ended here, open at the TR; "
            "missing_at_tr: open here, not open at the TR; field_mismatch: the other side "
            "reports matching fields differently"},
        "differences": _array(ref("FieldDifference")), "our_action": NSTR, "tr_action": NSTR,
        "first_reference_date": DATE, "last_reference_date": DATE,
        "status": _enum(*BREAK_STATUSES), "assignee": NSTR, "resolution_note": NSTR,
        "resolved_by": NSTR, "resolved_at": NSTAMP, "cleared_at": NSTAMP,
        "first_seen_at": STAMP, "last_seen_at": STAMP,
        "trade_known": {**BOOL, "description": "we hold a trade with this UTI"}}),
    "TrSummary": _all({
        "regimes": _array(_all({
            "regime": REGIME,
            "reports": _all({k: _REPORT_HEAD for k in ("trade_state", "reconciliation",
                                                      "warnings")}),
            "open_at_tr": {**INT, "description": "open trades in the latest trade state "
                           "report"},
            "reconciliation": _all({k: INT for k in ("not_applicable", "unpaired", "matched",
                                                     "unmatched")}),
            "warnings": _all({k: INT for k in _WARNING_KINDS}),
            "breaks": _all({s: _all({k: INT for k in BREAK_KINDS}) for s in BREAK_STATUSES}),
        })),
        "breaks": _all({s: _all({k: INT for k in BREAK_KINDS}) for s in BREAK_STATUSES})}),
    "TrView": _all({
        "uti": STR, "trade_known": BOOL,
        "regimes": _array(_all({
            "regime": REGIME,
            "state": {**_nullable(_all({
                "reference_date": DATE, "open": {"const": True}, "last_action": NSTR,
                "level": NSTR, "reporting_counterparty": NSTR, "other_counterparty": NSTR,
                "received_at": NSTAMP, "valuation_amount": NNUM, "valuation_currency": NSTR,
                "valuation_timestamp": NSTAMP, "reconciliation_flag": NSTR,
                "reported_values": {"type": "object", "additionalProperties": STR}})),
                "description": "the TR's latest trade state of it; null: not open at the TR"},
            "reconciliation": _nullable(_all({
                "reference_date": DATE,
                "pairing": _enum("paired", "unpaired", "not_applicable"),
                "matching": _enum("matched", "unmatched", "not_applicable"),
                "flag": {**STR, "description": "ISO 20022 Reconciliation3Code"},
                "other_counterparty": NSTR, "revived": BOOL, "further_modified": BOOL,
                "differences": _array(ref("FieldDifference"))})),
            "warnings": _array(_all({
                "kind": _enum(*_WARNING_KINDS), "reference_date": DATE,
                "valuation_amount": NNUM, "valuation_currency": NSTR,
                "valuation_timestamp": NSTAMP})),
            "breaks": _array(ref("TrBreak"))}))}),
}
SCHEMAS.update(RECON_SCHEMAS)

# -- verification and the correction clocks (shared/services/operations/verification.py)
CLOCK_STATES = _values("ClockState")
_FINDING_KINDS = ("at_tr_only", "open_at_tr", "missing_at_tr", "field_differs")
VERIFY_SCHEMAS: dict[str, dict[str, Any]] = {
    "Verification": _all({
        "id": INT, "regime": REGIME,
        "entity_id": {**NSTR, "description": "the entity whose status set the cadence"},
        "entity_status": NSTR,
        "status": {**_enum("running", "completed", "no_tr_view", "failed"), "description":
                   "no_tr_view: the TR's open-trade report was not there to compare"},
        "reference_date": {**NDATE, "description": "the TR's trade state report compared"},
        "started_at": STAMP, "finished_at": NSTAMP,
        "open_at_tr": INT, "open_here": INT, "findings": INT,
        "details": _array(_all({
            "uti": STR, "kind": _enum(*_FINDING_KINDS), "our_action": NSTR,
            "tr_action": NSTR, "summary": STR,
            "differences": _array(_obj(["field", "ours", "theirs"], field=STR, ours=NSTR,
                                       theirs=NSTR))})),
        "trigger": _enum("schedule", "manual"), "run_by": STR, "error": NSTR}),
    "CorrectionClock": _all({
        "id": INT, "regime": STR, "uti": STR,
        "source": _enum("verification", "break", "nack"), "source_id": STR,
        "kind": {**STR, "description": "what is wrong: a finding's or break's kind, or nack"},
        "summary": STR, "discovered_at": STAMP,
        "due": {**STAMP, "description": "the end of the last business day, UTC"},
        "due_local": {**STR, "description": "the same instant in the regime's zone"},
        "zone": STR, "business_days": INT,
        "prescribed": {**BOOL, "description": "false: the tenant's target, the regime sets "
                       "no period"},
        "state": _enum(*CLOCK_STATES), "state_changed_at": STAMP,
        "business_days_left": {**INT, "description": "business days after today's to the "
                               "due day (unresolved clocks)"},
        "resolved_at": NSTAMP, "resolved_by": NSTR, "resolution_note": NSTR,
        "notified_at": NSTAMP, "created_at": STAMP},
        "due_local", "zone", "business_days_left"),
    "VerificationResult": _all({
        "runs": _array(_all({
            "id": INT, "regime": REGIME, "status": STR, "findings": INT, "clocks_opened": INT,
            "reference_date": STR, "open_at_tr": INT, "open_here": INT},
            "reference_date", "open_at_tr", "open_here")),
        "clocks_opened": INT,
        "clocks": {"type": "object", "additionalProperties": INT,
                   "description": "unresolved clocks by state, and alerts raised"}}),
    "NoticeRecorded": _all({
        "regime": REGIME, "clocks": _array(INT), "reference": STR, "notified_at": STAMP}),
    "CorrectionNotice": _all({
        "kind": _enum("cftc_notice", "emir_notification", "notification"), "title": STR,
        "addressee": STR, "text": {**STR, "description": "the draft, for an operator to "
                                   "complete and send"},
        "regime": REGIME, "clocks": INT, "prepared_at": STAMP}),
}
SCHEMAS.update(VERIFY_SCHEMAS)
# shared/services/clients.py: the client view of delegated reporting (migration 0027)
CLIENT_SCHEMAS: dict[str, dict[str, Any]] = {
    "Client": _all({
        "lei": STR, "name": NSTR,
        "kind": {**_enum("client", "group", "former"), "description": "client: under a "
                 "delegation agreement; group: another of the tenant's entities; former: "
                 "reported for, but under no agreement now"},
        "regimes": _array(STR), "capacities": _array(STR),
        "reports": INT, "acked": INT, "nacked": INT, "pending": INT,
        "last_reported_at": NSTAMP}),
    "ClientReport": _all({
        "id": INT, "client_lei": STR, "uti": STR, "action_type": STR, "event_type": NSTR,
        "event_timestamp": STAMP, "regime": REGIME,
        "status": _enum("pending", "acked", "nacked"), "tr_code": NSTR, "tr_message": NSTR,
        "record_ref": STR, "position": INT, "report_file_id": STR, "object_key": STR,
        "file_status": STR, "reported_at": STAMP, "submitted_at": NSTAMP,
        "feedback_at": NSTAMP, "counterparty_1": NSTR, "counterparty_2": NSTR,
        "record_submitting_entity": NSTR}),
}
SCHEMAS.update(CLIENT_SCHEMAS)

# -- the operations --------------------------------------------------------------------------------


class _Roles(TypedDict):
    roles: tuple[str, ...]


class _Detail(TypedDict):
    errors: tuple[int, ...]
    cached: bool


def needs(permission: str) -> _Roles:
    """`roles` for an operation the route checks `permission` for (shared.domain.roles)."""
    return {"roles": roles_that_may(permission)}


USERS, KEYS = needs("manage_users"), needs("manage_api_keys")
ENTITIES = needs("manage_entities")
DETAIL: _Detail = {"errors": (400, 414), "cached": True}  # a detail takes no query parameter

OPERATIONS: tuple[Op, ...] = (
    Op("GET", "/api/health", "State of the database, buckets and queues", "health",
       ref("Health"), public=True, errors=(503,)),
    Op("GET", "/api/openapi.json", "This document", "health", {"type": "object"}, public=True,
       cached=True),
    # sign-in
    Op("POST", "/api/auth/token", "Sign in: a short-lived JWT and a refresh token", "auth",
       ref("Session"), body="SignIn", public=True, errors=(401,)),
    Op("POST", "/api/auth/refresh", "A new session for a refresh token (rotated)", "auth",
       ref("Session"), body="Refresh", public=True, errors=(401,)),
    Op("POST", "/api/auth/logout", "End this sign-in's sessions, or all of the caller's",
       "auth", _obj(["revoked"], revoked=INT), body="Logout", body_optional=True, roles=ROLES),
    Op("GET", "/api/auth/me", "The caller", "auth", ref("Me"), credential="any", roles=ROLES),
    # administration
    Op("GET", "/api/admin/users", "The tenant's users", "admin", _items(ref("User")), **USERS),
    Op("POST", "/api/admin/users", "Create a user", "admin", ref("User"), ok=201,
       body="NewUser", errors=(409,), **USERS),
    Op("PATCH", "/api/admin/users/{user_id}", "Change a user", "admin", ref("User"),
       body="UserChange", errors=(404, 409), **USERS),
    Op("GET", "/api/admin/api-keys", "The tenant's API keys", "admin", _items(ref("ApiKey")),
       **KEYS),
    Op("POST", "/api/admin/api-keys", "Create an API key (shown once)", "admin", ref("ApiKey"),
       ok=201, body="NewKey", **KEYS),
    Op("DELETE", "/api/admin/api-keys/{key_id}", "Revoke an API key", "admin", ref("ApiKey"),
       errors=(404, 409), **KEYS),
    # legal entities and delegation agreements: what routing decides by
    Op("GET", "/api/entities", "The tenant's legal entities, branches and delegation "
       "agreements, with the statuses each regime allows", "entities", ref("EntityBook"),
       **DETAIL),
    Op("PUT", "/api/entities/{entity_id}", "Create or replace an entity", "entities",
       ref("LegalEntity"), body="EntityBody", errors=(409,), **ENTITIES),
    Op("DELETE", "/api/entities/{entity_id}", "Remove an entity no branch or agreement names",
       "entities", ref("LegalEntity"), errors=(409,), **ENTITIES),
    Op("POST", "/api/delegations", "Record a delegation agreement with a client", "entities",
       ref("DelegationAgreement"), ok=201, body="NewAgreement", errors=(409,), **ENTITIES),
    Op("DELETE", "/api/delegations/{agreement_id}", "Remove a delegation agreement",
       "entities", ref("DelegationAgreement"), **ENTITIES),
    # ingestion
    Op("POST", "/api/ingest/events", "Online ingestion of events (an FEP's API key)", "ingest",
       ref("IngestAnswer"), ok=202, body="IngestBody", credential="api_key", roles=(),
       params=({"name": "profile", "in": "query", "required": False, "schema": {
           "type": "string", "maxLength": 63}, "description": "an FEP profile: flat records"},),
       errors=(409,)),
    # operator actions
    Op("POST", "/api/events/{event_id}/repair", "Repair an invalid or NACKed event", "events",
       ref("RepairOutcome"), body="Repair", errors=(404, 409), params=(
           {"name": "preview", "in": "query", "required": False, "schema": {
               "type": "string", "enum": ["true", "false"]},
            "description": "true: answer as /repair/preview does"},), approvable=True,
       **needs("repair")),
    Op("POST", "/api/events/{event_id}/repair/preview", "What validation would say of a repair",
       "events", ref("RepairPreview"), body="Repair", errors=(404, 409)),
    Op("POST", "/api/events/repair/bulk", "One correction for many events, or its preview "
       "(`preview: true`: writes nothing, open to every role)", "events",
       {"oneOf": [ref("BulkOutcome"), ref("BulkRepairPreview")]}, body="BulkRepair",
       approvable=True, **needs("repair")),
    Op("POST", "/api/events/resubmit", "Resubmit events", "events", ref("BulkOutcome"),
       body="Events", approvable=True, **needs("resubmit")),
    Op("POST", "/api/events/cancel", "Cancel events", "events", ref("BulkOutcome"),
       body="Cancel", approvable=True, **needs("cancel")),
    Op("POST", "/api/events/{event_id}/revalidate", "Validate an event again", "events",
       ref("ItemOutcome"), errors=(404, 409), **needs("revalidate")),
    Op("POST", "/api/dead-letters/redrive", "Redrive dead letters of a queue", "events",
       ref("RedriveOutcome"), body="Redrive", **needs("redrive")),
    Op("POST", "/api/issues/assign", "Assign validation issues", "issues", ref("BulkOutcome"),
       body="Assign", **needs("triage")),
    Op("POST", "/api/issues/resolve", "Resolve validation issues", "issues",
       ref("BulkOutcome"), body="Resolve", **needs("triage")),
    Op("POST", "/api/alerts/{alert_id}/ack", "Acknowledge an alert", "alerts",
       ref("ItemOutcome"), errors=(404, 409), **needs("acknowledge")),
    # four-eyes approvals (shared.services.operations.approvals)
    Op("GET", "/api/approvals", "Approval requests, newest first", "approvals",
       _items(ref("ApprovalRequest")), params=({
           "name": "status", "in": "query", "required": False,
           "schema": {"enum": ["pending", "approved", "rejected", "expired"]}},)),
    Op("POST", "/api/approvals/{approval_id}/approve", "Approve a request: its action runs "
       "as the approver, who must be another user", "approvals", ref("ApprovalRequest"),
       errors=(409,), **needs("repair")),
    Op("POST", "/api/approvals/{approval_id}/reject", "Reject (or, as its requester, "
       "withdraw) a request", "approvals", ref("ApprovalRequest"), body="Reject",
       body_optional=True, errors=(409,), **needs("repair")),
    Op("GET", "/api/approvals/policy", "The tenant's four-eyes policy", "approvals",
       ref("FourEyesPolicy")),
    Op("PUT", "/api/approvals/policy", "Set the tenant's four-eyes policy", "approvals",
       ref("FourEyesPolicy"), body="FourEyesPolicy", **needs("manage_approvals")),
    # files
    Op("POST", "/api/uploads", "A presigned PUT into the inbound bucket", "files",
       ref("UploadUrl"), ok=201, body="Upload", errors=(409,), **needs("upload")),
    Op("GET", "/api/reports/{report_id}/download", "A presigned GET for a report file",
       "reports", ref("DownloadUrl"), errors=(404, 409)),
    Op("POST", "/api/exports", "A signed zip of a selection", "files", ref("ExportBundle"),
       ok=201, body="ExportRequest", **needs("export")),
    Op("GET", "/api/metrics", "The tenant's figures (Prometheus text format 0.0.4)",
       "metrics", {"type": "string"}, media="text/plain; version=0.0.4; charset=utf-8"),
    # queries: every role reads its own tenant (docs/QUERIES.md)
    Op("GET", "/api/files", "Ingested files: status and rows by state", "files",
       _counted_page(ref("IngestFile")), query="FilesQuery", cached=True),
    Op("GET", "/api/files/{file_id}", "One ingested file", "files", ref("IngestFile"),
       **DETAIL),
    Op("GET", "/api/trades", "Trades: the current state per UTI", "trades",
       _counted_page(ref("TradeListItem")), query="TradesQuery", cached=True),
    Op("GET", "/api/trades/{uti}", "One trade: every event version with diffs, issues, "
       "reports, submissions, TR feedback and audit", "trades", ref("TradeDetail"), **DETAIL),
    Op("GET", "/api/errors", "Validation issues by rule, NACKs by TR code, dead letters by "
       "queue, unparsed rows by file: what needs action first", "errors",
       _page(ref("ErrorGroup")), query="ErrorsQuery", cached=True),
    Op("GET", "/api/errors/{kind}/{key}", "The rows behind one error group", "errors",
       _counted_page(ref("ErrorItem")), query="ErrorItemsQuery", exclude=("kind", "key"),
       cached=True),
    Op("GET", "/api/reports", "Report files and their submissions", "reports",
       _counted_page(ref("ReportFile")), query="ReportsQuery", cached=True),
    Op("GET", "/api/reports/{report_id}", "One report file", "reports", ref("ReportFile"),
       **DETAIL),
    Op("GET", "/api/stats", "Today's counts in a time zone", "stats",
       ref("DashboardStats"), query="DashboardQuery", cached=True),
    Op("GET", "/api/stats/volumes", "Events per day / week / month by asset class, action and "
       "regime", "stats", ref("Volumes"), query="StatsQuery", exclude=("top",), cached=True),
    Op("GET", "/api/stats/acceptance", "Acceptance rate per bucket and in total", "stats",
       ref("Acceptance"), query="StatsQuery", exclude=("top",), cached=True),
    Op("GET", "/api/stats/rejections", "Top rejection codes (rules and TR codes)", "stats",
       ref("Rejections"), query="StatsQuery", exclude=("unit",), cached=True),
    Op("GET", "/api/stats/late", "Late and overdue reports", "stats", ref("LateReports"),
       query="StatsQuery", exclude=("unit", "top"), cached=True),
    Op("GET", "/api/stats/counterparties", "The other sides with most trades", "stats",
       _page(ref("Counterparty")), query="StatsQuery", exclude=("unit",), cached=True),
    Op("GET", "/api/alerts", "Alerts", "alerts", _counted_page(ref("Alert")),
       query="AlertsQuery", cached=True),
    Op("GET", "/api/activations", "The tenant's action runs", "activations",
       _counted_page(ref("Activation")), query="ActivationsQuery", cached=True),
    Op("GET", "/api/audit", "The audit log", "audit", _counted_page(ref("AuditEntry")),
       query="AuditQuery", cached=True),
    # reconciliation with the TR's end-of-day reports (docs/API.md#reconciliation)
    Op("GET", "/api/reconciliation/breaks", "Breaks between the TR's reports and our books",
       "reconciliation", _counted_page(ref("TrBreak")), query="BreaksQuery", cached=True),
    Op("GET", "/api/reconciliation/summary", "The TR reports' figures per regime: reports "
       "loaded, pairing and matching, warnings, breaks by status and kind", "reconciliation",
       ref("TrSummary"), **DETAIL),
    Op("GET", "/api/trades/{uti}/tr-view", "One trade as the TRs' latest reports show it: "
       "pairing, matching, the fields the other side reports differently, warnings, breaks",
       "trades", ref("TrView"), **DETAIL),
    Op("POST", "/api/reconciliation/breaks/{break_id}/assign", "Assign a break to someone",
       "reconciliation", ref("TrBreak"), body="AssignBreak", errors=(404, 409),
       **needs("reconcile")),
    Op("POST", "/api/reconciliation/breaks/{break_id}/resolve", "Resolve a break, with a note",
       "reconciliation", ref("TrBreak"), body="ResolveBreak", errors=(404, 409),
       **needs("reconcile")),
    # verification and the correction clocks (docs/API.md#corrections)
    Op("GET", "/api/verifications", "The verification log: each comparison of a TR's open "
       "trades with our books", "corrections", _counted_page(ref("Verification")),
       query="VerificationsQuery", cached=True),
    Op("POST", "/api/verifications/run", "Verify now (one regime or all), whether due or not",
       "corrections", ref("VerificationResult"), body="RunVerification", body_optional=True,
       errors=(422,), **needs("verify")),
    Op("GET", "/api/corrections", "Correction clocks: each error found, its due time and "
       "state", "corrections", _counted_page(ref("CorrectionClock")), query="CorrectionsQuery",
       cached=True),
    Op("GET", "/api/corrections/notice", "The draft regulator notification for a regime's "
       "open clocks (CFTC notice, EMIR notification)", "corrections", ref("CorrectionNotice"),
       query="NoticeQuery", cached=True),
    Op("POST", "/api/corrections/{clock_id}/resolve", "Resolve a correction clock, with a note",
       "corrections", ref("CorrectionClock"), body="ResolveCorrection", errors=(404, 409),
       **needs("verify")),
    Op("POST", "/api/corrections/notice/sent", "Record that the regulator was told of a "
       "regime's open errors (the drafted notice, sent): each open clock's notified_at",
       "corrections", ref("NoticeRecorded"), body="NoticeSent", errors=(409, 422),
       **needs("verify")),
    # delegated reporting: whom the tenant reports for, and what it reported for each
    Op("GET", "/api/clients", "The counterparties the tenant reports for (delegation "
       "agreements, its other entities), with what was reported for each", "clients",
       _items(ref("Client")), **needs("read_client")),
    Op("GET", "/api/clients/{lei}/reports", "The reports made on behalf of one client",
       "clients", _page(ref("ClientReport")), query="ClientReportsQuery", errors=(404, 422),
       **needs("read_client")),
    Op("GET", "/api/clients/{lei}/daily", "The client's daily file: what was reported for it "
       "on a day (CSV with a header row)", "clients", {"type": "string"}, query="DailyQuery",
       media="text/csv", errors=(404, 422), **needs("read_client")),
    # the validation rules (code, the same for every tenant)
    Op("GET", "/api/rules", "The validation rules (SR-*) with their messages in English and "
       "Korean", "rules", _items(ref("Rule")), **DETAIL),
    Op("GET", "/api/rules/{rule_id}", "One validation rule", "rules", ref("Rule"), **DETAIL),
    # back-load jobs (shared.services.operations.backload; run by the monitor's tick)
    Op("POST", "/api/backloads/plan", "The dry run of a back-load: open trades it would "
       "re-report and a sample of what changes; writes nothing", "backloads",
       ref("BackloadPlanResult"), body="BackloadPlan", **needs("manage_backloads")),
    Op("POST", "/api/backloads", "Create a back-load job (held for a second user above the "
       "tenant's four-eyes threshold)", "backloads", ref("BackloadJob"), ok=201,
       body="BackloadCreate", approvable=True, **needs("manage_backloads")),
    Op("GET", "/api/backloads", "Back-load jobs with their progress, newest first",
       "backloads", _items(ref("BackloadJob"))),
    Op("GET", "/api/backloads/{job_id}", "One back-load job: progress, rate, ETA, last error",
       "backloads", ref("BackloadJob"), errors=(404,)),
    Op("POST", "/api/backloads/{job_id}/pause", "Pause a job between batches", "backloads",
       ref("BackloadJob"), errors=(404, 409), **needs("manage_backloads")),
    Op("POST", "/api/backloads/{job_id}/resume", "Resume a paused job from its cursor",
       "backloads", ref("BackloadJob"), errors=(404, 409), **needs("manage_backloads")),
    Op("POST", "/api/backloads/{job_id}/cancel", "Cancel a job; what it reported stays",
       "backloads", ref("BackloadJob"), errors=(404, 409), **needs("manage_backloads")),
)


# -- pydantic models -----------------------------------------------------------------------------

def _models() -> dict[str, Any]:
    """Component name -> the pydantic model a route validates with."""
    from shared.api.routes import (
        admin,
        approvals,
        auth,
        backloads,
        entities,
        files,
        operations,
        reconciliation,
        verification,
    )

    out: dict[str, Any] = {}
    for namespace in (auth.models(), admin.models(), operations.models(), files.models(),
                      approvals.models(), entities.models(), reconciliation.models(),
                      verification.models(), backloads.models()):
        for name, model in vars(namespace).items():
            if name != "Strict":
                out[name] = model
    return out


def _model_schemas(models: dict[str, Any]) -> dict[str, Any]:
    from pydantic.json_schema import models_json_schema

    _, top = models_json_schema([(m, "validation") for m in models.values()],
                                ref_template="#/components/schemas/{model}")
    defs: dict[str, Any] = top.get("$defs", {})
    return defs


def _ingest_body() -> dict[str, Any]:
    """The reader takes any JSON object per event (errors come back per event): an event, or
    `{"events": [...]}`."""
    event = {"type": "object", "description": "a canonical TradeEvent (nested), or a flat "
             "record with ?profile= (docs/FEP-FORMATS.md#json-lines)"}
    return {"oneOf": [
        {"type": "object", "required": ["events"], "properties": {"events": {
            "type": "array", "minItems": 1, "maxItems": 500, "items": event}},
         "additionalProperties": False},
        {**event, "not": {"required": ["events"]}}]}


def _query_parameters(model: Any) -> list[dict[str, Any]]:
    """A query model's fields as `in: query` parameters (lists comma-separated)."""
    schema = model.model_json_schema(mode="validation")
    required = set(schema.get("required", ()))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = _without_null(prop)
        prop.pop("title", None)
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required,
                                 "schema": prop}
        if prop.get("type") == "array":
            prop.pop("default", None)
            param.update(style="form", explode=False)
        params.append(param)
    return params


def _without_null(prop: dict[str, Any]) -> dict[str, Any]:
    options = [p for p in prop.get("anyOf", ()) if p.get("type") != "null"]
    if len(options) == 1:
        rest = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
        return {**options[0], **rest}
    return dict(prop)


# -- assembly ------------------------------------------------------------------------------------

HEADERS = {
    "X-Request-Id": {"description": "the request's id (the caller's own when it sent a sane "
                     "one); quote it when reporting a problem", "schema": STR},
    "ETag": {"description": "strong tag of the body (`-gzip` suffixed when compressed)",
             "schema": STR},
    "X-RateLimit-Limit": {"description": "requests allowed by the limit that binds first",
                          "schema": INT},
    "X-RateLimit-Remaining": {"description": "requests left under it", "schema": INT},
    "X-RateLimit-Reset": {"description": "seconds until it is whole again", "schema": INT},
    "Retry-After": {"description": "seconds to wait", "schema": INT},
    "WWW-Authenticate": {"description": "the challenge: Bearer and/or ApiKey", "schema": STR},
}
_RATE = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
ERROR_TEXT = {
    400: "Malformed JSON, a bad query parameter or an unusable request",
    401: "No valid credential (missing, expired, bad signature, wrong issuer or audience)",
    403: "The credential is valid but may not do this (role, or kind of credential)",
    404: "No such resource in the caller's tenant",
    409: "Conflict with the resource's state",
    413: "The body (or the declared size) is over the limit",
    414: "The query string is too long",
    415: "Content-Type is not JSON",
    422: "The body or parameters break a rule; `errors[]` names each field",
    429: "Over a rate limit or quota (gateway or sign-in throttle)",
    503: "A component is down",
}


def _headers(*names: str) -> dict[str, Any]:
    return {n: {"$ref": f"#/components/headers/{n}"} for n in names}


def _problem(status: int) -> dict[str, Any]:
    headers: tuple[str, ...] = ("X-Request-Id", *_RATE)
    if status == 401:
        headers += ("WWW-Authenticate",)
    if status == 429:
        headers += ("Retry-After",)
    return {"description": ERROR_TEXT[status], "headers": _headers(*headers),
            "content": {PROBLEM: {"schema": ref("Problem")}}}


def _operation(op: Op) -> dict[str, Any]:
    params = [{"name": name, "in": "path", "required": True,
               "schema": {"type": "string", "minLength": 1, "maxLength": 200}}
              for name in _path_names(op.path)]
    if op.query:
        params += [{"$ref": f"#/components/parameters/{op.query}.{p['name']}"}
                   for p in _query_parameters(_query_models()[op.query])
                   if p["name"] not in op.exclude]
    params += list(op.params)
    ok_headers = ("X-Request-Id", *_RATE) + (("ETag",) if op.cached else ())
    responses: dict[str, Any] = {str(op.ok): {
        "description": "OK" if op.ok == 200 else "Created" if op.ok == 201 else "Accepted",
        "headers": _headers(*ok_headers),
        "content": {op.media: {"schema": op.result or {}}}}}
    if op.approvable:
        responses["202"] = {
            "description": "Held for a second user's approval (the tenant's four-eyes "
                           "policy): nothing was done yet",
            "headers": _headers("X-Request-Id", *_RATE),
            "content": {JSON: {"schema": ref("PendingApproval")}}}
    if op.cached:
        responses["304"] = {"description": "Not modified (If-None-Match matched the ETag)",
                            "headers": _headers("X-Request-Id", "ETag", *_RATE)}
    errors = set(op.errors) | {429}
    if op.body:
        errors |= {400, 413, 415, 422}
    if op.query or op.params:
        errors |= {400, 422}
    if op.query:  # unknown or over-long query strings are refused
        errors |= {400, 414}
    if _path_names(op.path):
        errors |= {404}
    if not op.public:
        errors |= {401, 403} if op.credential != "any" else {401}
    for status in sorted(errors):
        responses[str(status)] = {"$ref": f"#/components/responses/Problem{status}"}
    out: dict[str, Any] = {
        "operationId": _operation_id(op), "summary": op.summary, "tags": [op.tag],
        "responses": responses}
    if params:
        out["parameters"] = params
    if op.body:
        out["requestBody"] = {"required": not op.body_optional,
                              "content": {JSON: {"schema": ref(op.body)}}}
    if op.public:
        out["security"] = []
    else:
        out["security"] = ([{"ApiKey": []}] if op.credential == "api_key" else
                           [{"BearerJWT": []}, {"ApiKey": []}] if op.credential == "any" else
                           [{"BearerJWT": []}])
        out["x-roles"] = list(op.roles)
        out["x-credential"] = op.credential
    return out


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _operation_id(op: Op) -> str:
    words = [p.strip("{}").replace("-", "_").replace(".", "_") for p in op.path.split("/")[2:]]
    return op.method.lower() + "_" + "_".join(w for w in words if w)


def _query_models() -> dict[str, Any]:
    """Component prefix -> the pydantic model a query route parses its query string into."""
    from shared.api.routes import errors
    from shared.services.reads import filters

    names = ("FilesQuery", "TradesQuery", "ErrorItemsQuery", "ReportsQuery", "StatsQuery",
             "DashboardQuery", "AlertsQuery", "ActivationsQuery", "AuditQuery", "BreaksQuery",
             "VerificationsQuery", "CorrectionsQuery", "NoticeQuery")
    from shared.api.routes import clients
    from shared.services.clients import ClientReportsQuery

    return {"ErrorsQuery": errors._errors_query(),
            **{name: getattr(filters, name) for name in names},
            "ClientReportsQuery": ClientReportsQuery, "DailyQuery": clients.models().DailyQuery}


def build(operations: Sequence[Op] = OPERATIONS,
          models: Callable[[], dict[str, Any]] = _models) -> dict[str, Any]:
    """The whole document (deterministic: same code, same bytes)."""
    schemas = {**_model_schemas(models()), "IngestBody": _ingest_body(), **SCHEMAS}
    parameters = {f"{name}.{p['name']}": p for name, model in _query_models().items()
                  for p in _query_parameters(model)}
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Swap Reporting API", "version": "1",
                 "description": "OTC-derivative trade reporting: ingestion, queries, operator "
                 "actions and files. Errors are RFC 9457 problem+json; every answer carries "
                 "X-Request-Id; lists page by keyset (`limit`, `cursor` -> `next_cursor`). "
                 "See docs/API.md."},
        "servers": [{"url": "/"}],
        "security": [{"BearerJWT": []}],
        "tags": [{"name": t} for t in dict.fromkeys(op.tag for op in operations)],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "BearerJWT": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                              "description": "POST /api/auth/token, or an identity "
                              "provider's RS256/ES256 token (issuer and audience checked)"},
                "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key",
                           "description": "an FEP's key (srk_<prefix>_<secret>), for "
                           "ingestion"}},
            "headers": HEADERS,
            "responses": {f"Problem{s}": _problem(s) for s in sorted(ERROR_TEXT)},
            "schemas": dict(sorted(schemas.items())),
        },
    }
    if parameters:
        doc["components"]["parameters"] = dict(sorted(parameters.items()))
    return doc


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.api.openapi",
                                     description=f"write {SPEC_PATH.name} from the code")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render(build())
    if args.check:
        stale = not SPEC_PATH.is_file() or SPEC_PATH.read_text(encoding="utf-8") != text
        print(f"{SPEC_PATH} is {'stale: run python -m shared.api.openapi' if stale else 'current'}")
        return 1 if stale else 0
    SPEC_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {SPEC_PATH} ({len(OPERATIONS)} operations)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
