"""Legal entities and delegation agreements through the real authorizer and api actions (as
the gateway runs them) on real PostgreSQL: admins keep them, every role reads them, the domain
judges every change and names the field it refuses, nothing crosses tenants, every change is
audited; and the trade detail shows the routing stored on an event."""

from __future__ import annotations

import json

import pytest
from psycopg.types.json import Jsonb

from shared.adapters.db import entities as entity_rows
from shared.domain import regimes as registry
from shared.domain.model import TradeEvent
from shared.domain.obligations.entities import book_from_rows
from shared.domain.obligations.routing import route
from shared.platform import tokens
from shared.services.identity import apikeys
from tests.functional.api.test_auth import SECRET, add_user
from tests.functional.api.test_security_matrix import api  # noqa: F401  (fixture)
from tests.functional.services import pipeline_support
from tests.functional.services.pipeline_support import TENANT_LEI, csv_file, csv_row, uti

pytestmark = pytest.mark.functional

pipeline, store, tenant = pipeline_support.pipeline, pipeline_support.store, pipeline_support.tenant
UK_CORP = "213800ZYXWVUTSRQPO98"  # a client: a UK non-financial counterparty below threshold
HEAD_OFFICE = {"name": "Alpha Bank Seoul", "kind": "head_office", "country": "KR",
               "lei": TENANT_LEI, "statuses": {"krx": "REPORTING", "cftc-part45": "SD"}}
BRANCH = {"name": "Alpha Bank London branch", "kind": "branch", "country": "GB",
          "parent": "SEOUL-HO", "statuses": {"uk-emir": "FC"}}
AGREEMENT = {"client_lei": UK_CORP, "client_name": "Thames Widgets Ltd", "regime": "uk-emir",
             "capacity": "mandatory", "delegate": "LONDON-BR", "valid_from": "2026-01-01",
             "client_status": "NFC-"}


@pytest.fixture
def beta(db):
    with db.system() as conn:
        return conn.execute("INSERT INTO tenants (slug, name) VALUES ('beta-securities', 'Beta')"
                            " RETURNING id").fetchone()["id"]


@pytest.fixture
def people(db, tenant, beta) -> dict[str, str]:
    """Bearer tokens: alpha's admin alice, operator otto, viewer victor; beta's admin bob;
    and alpha's FEP API key."""
    def token(name: str, tenant_id, slug: str, role: str) -> str:
        return tokens.mint(SECRET, subject=add_user(db, tenant_id, name, role),
                           tenant_id=str(tenant_id), tenant_slug=slug, role=role)

    with db.tenant(tenant) as conn:
        key = apikeys.create_key(conn, tenant, "fep")
    return {"alice": token("alice", tenant, "alpha-bank", "admin"),
            "otto": token("otto", tenant, "alpha-bank", "operator"),
            "victor": token("victor", tenant, "alpha-bank", "viewer"),
            "bob": token("bob", beta, "beta-securities", "admin"), "fep": key}


def call(api, who: str, people, method: str, path: str, body=None):  # noqa: F811
    credential = {"key": people[who]} if who == "fep" else {"token": people[who]}
    return api.json(method, path, body, **credential)


@pytest.fixture
def seeded(api, people):  # noqa: F811
    """Alpha's head office, its London branch and one agreement, made by alice."""
    for entity_id, body in (("SEOUL-HO", HEAD_OFFICE), ("LONDON-BR", BRANCH)):
        status, answer, _ = call(api, "alice", people, "PUT", f"/api/entities/{entity_id}", body)
        assert status == 200, answer
    status, agreement, headers = call(api, "alice", people, "POST", "/api/delegations",
                                      AGREEMENT)
    assert status == 201, agreement
    assert headers["Location"] == f"/api/delegations/{agreement['id']}"
    return agreement


def audit(db, tenant_id, prefix: str) -> list[dict]:
    with db.tenant(tenant_id) as conn:
        return conn.execute(
            "SELECT actor, action, entity_type, entity_id, before, after, request_id"
            " FROM audit_log WHERE action LIKE %s ORDER BY id", (prefix + "%",)).fetchall()


def test_an_admin_sets_up_a_head_office_a_branch_and_an_agreement(api, db, people, tenant,  # noqa: F811
                                                                  seeded):
    status, book, _ = call(api, "victor", people, "GET", "/api/entities")  # a viewer reads
    assert status == 200, book
    assert [(e["entity_id"], e["kind"], e["lei"], e["parent"]) for e in book["entities"]] == [
        ("SEOUL-HO", "head_office", TENANT_LEI, None), ("LONDON-BR", "branch", None, "SEOUL-HO")]
    assert book["entities"][0]["statuses"] == {"krx": "REPORTING", "cftc-part45": "SD"}
    [agreement] = book["agreements"]
    assert agreement == seeded
    assert (agreement["client_lei"], agreement["regime"], agreement["capacity"],
            agreement["delegate"], agreement["valid_from"], agreement["valid_to"],
            agreement["client_status"], agreement["opted_out"]) == (
        UK_CORP, "uk-emir", "mandatory", "LONDON-BR", "2026-01-01", None, "NFC-", False)
    # what a form offers: each regime's statuses (Part 43 follows Part 45: none of its own)
    offered = {r["regime"]: r["statuses"] for r in book["regimes"]}
    assert offered["uk-emir"] == ["FC", "NFC+", "NFC-", "CCP"] and "cftc-part43" not in offered

    # a replacement keeps the id, changes the rest; spellings are the domain's (keys, case)
    status, replaced, _ = call(api, "alice", people, "PUT", "/api/entities/SEOUL-HO", {
        **HEAD_OFFICE, "name": "Alpha Bank Head Office", "lei": TENANT_LEI.lower(),
        "statuses": {"KRX": "reporting"}})
    assert status == 200, replaced
    assert (replaced["name"], replaced["lei"], replaced["statuses"]) == (
        "Alpha Bank Head Office", TENANT_LEI, {"krx": "REPORTING"})

    rows = audit(db, tenant, "entity.") + audit(db, tenant, "delegation.")
    assert [(r["action"], r["entity_id"]) for r in rows] == [
        ("entity.created", "SEOUL-HO"), ("entity.created", "LONDON-BR"),
        ("entity.updated", "SEOUL-HO"), ("delegation.created", seeded["id"])]
    assert {r["actor"] for r in rows} == {"alice"} and all(r["request_id"] for r in rows)
    updated = rows[2]
    assert updated["before"]["name"] == "Alpha Bank Seoul"
    assert updated["before"]["statuses"] == {"krx": "REPORTING", "cftc-part45": "SD"}
    assert updated["after"]["name"] == "Alpha Bank Head Office"
    assert updated["after"]["statuses"] == {"krx": "REPORTING"}
    assert rows[0]["before"] is None and rows[3]["after"]["client_name"] == "Thames Widgets Ltd"


def test_removing_in_order_is_allowed_and_audited(api, db, people, tenant, seeded):  # noqa: F811
    # the branch is the agreement's delegate, the head office the branch's parent: refused
    status, problem, _ = call(api, "alice", people, "DELETE", "/api/entities/SEOUL-HO")
    assert (status, problem["reason"]) == (409, "entity_in_use")
    assert "its branch LONDON-BR" in problem["detail"]
    status, problem, _ = call(api, "alice", people, "DELETE", "/api/entities/LONDON-BR")
    assert (status, problem["reason"]) == (409, "entity_in_use")
    assert "Thames Widgets Ltd (uk-emir)" in problem["detail"]

    status, removed, _ = call(api, "alice", people, "DELETE", f"/api/delegations/{seeded['id']}")
    assert (status, removed["id"]) == (200, seeded["id"])
    for entity_id in ("LONDON-BR", "SEOUL-HO"):
        status, removed, _ = call(api, "alice", people, "DELETE", f"/api/entities/{entity_id}")
        assert (status, removed["entity_id"]) == (200, entity_id), removed
    status, book, _ = call(api, "alice", people, "GET", "/api/entities")
    assert (book["entities"], book["agreements"]) == ([], [])
    status, problem, _ = call(api, "alice", people, "DELETE", "/api/entities/SEOUL-HO")
    assert status == 404, problem

    rows = audit(db, tenant, "delegation.deleted") + audit(db, tenant, "entity.deleted")
    assert [(r["action"], r["entity_id"], r["after"]) for r in rows] == [
        ("delegation.deleted", seeded["id"], None), ("entity.deleted", "LONDON-BR", None),
        ("entity.deleted", "SEOUL-HO", None)]
    assert rows[0]["before"]["delegate"] == "LONDON-BR"
    assert rows[2]["before"]["lei"] == TENANT_LEI


@pytest.mark.parametrize("who", ["victor", "otto", "fep"])
def test_only_an_admin_changes_them(api, db, people, tenant, seeded, who):  # noqa: F811
    before = audit(db, tenant, "")
    for method, path, body in (
            ("PUT", "/api/entities/SEOUL-HO", {**HEAD_OFFICE, "name": "Mallory"}),
            ("PUT", "/api/entities/NEW-HO", HEAD_OFFICE),
            ("DELETE", "/api/entities/LONDON-BR", None),
            ("POST", "/api/delegations", {**AGREEMENT, "client_lei": "5493001KJTIIGC8Y1R12"}),
            ("DELETE", f"/api/delegations/{seeded['id']}", None)):
        status, problem, _ = call(api, who, people, method, path, body)
        assert status == 403, (method, path, problem)
        assert ("an API key" if who == "fep" else "needs the admin role") in problem["detail"]
    status, _, _ = call(api, who, people, "GET", "/api/entities")
    assert status == (403 if who == "fep" else 200)  # keys only ingest; every role reads
    status, book, _ = call(api, "alice", people, "GET", "/api/entities")
    assert [e["name"] for e in book["entities"]] == ["Alpha Bank Seoul",
                                                     "Alpha Bank London branch"]
    assert len(book["agreements"]) == 1
    assert audit(db, tenant, "") == before


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/entities/X-HO", {**HEAD_OFFICE, "statuses": {"uk-emir": "SD"}}, "statuses.uk-emir"),
    ("/api/entities/X-HO", {**HEAD_OFFICE, "statuses": {"mifid": "FC"}}, "statuses"),
    ("/api/entities/X-HO", {**HEAD_OFFICE, "lei": "NOT-AN-LEI"}, "lei"),
    ("/api/entities/X-HO", {**HEAD_OFFICE, "lei": None}, "lei"),
    ("/api/entities/X-HO", {**HEAD_OFFICE, "country": "kr"}, "country"),
    ("/api/entities/X-HO", {**HEAD_OFFICE, "kind": "desk"}, "kind"),
    ("/api/entities/X-HO", {**HEAD_OFFICE, "colour": "blue"}, "colour"),
    ("/api/entities/X-BR", {**BRANCH, "parent": None}, "parent"),
    ("/api/entities/X-BR", {**BRANCH, "parent": "NOWHERE"}, "parent"),
    ("/api/entities/X-BR", {**BRANCH, "parent": "LONDON-BR"}, "parent"),  # a branch's branch
    ("/api/entities/SEOUL%20HO", HEAD_OFFICE, "entity_id"),
    ("/api/delegations", {**AGREEMENT, "delegate": "NOWHERE"}, "delegate"),
    ("/api/delegations", {**AGREEMENT, "regime": "mifid"}, "regime"),
    ("/api/delegations", {**AGREEMENT, "client_status": "SD"}, "client_status.uk-emir"),
    ("/api/delegations", {**AGREEMENT, "valid_to": "2025-12-31"}, "valid_to"),
    ("/api/delegations", {**AGREEMENT, "capacity": "self"}, "capacity"),
    ("/api/delegations", {**AGREEMENT, "valid_from": "1 Jan 2026"}, "valid_from"),
])
def test_a_refusal_names_the_field_and_changes_nothing(api, db, people, tenant, seeded,  # noqa: F811
                                                      path, body, field):
    before = audit(db, tenant, "")
    method = "PUT" if path.startswith("/api/entities/") else "POST"
    status, problem, _ = call(api, "alice", people, method, path, body)
    assert status == 422, problem
    assert field in [e["field"] for e in problem["errors"]], problem
    assert audit(db, tenant, "") == before
    _, book, _ = call(api, "alice", people, "GET", "/api/entities")
    assert len(book["entities"]) == 2 and len(book["agreements"]) == 1


def test_a_head_office_with_branches_cannot_become_a_branch(api, people, seeded):  # noqa: F811
    status, _, _ = call(api, "alice", people, "PUT", "/api/entities/NEWYORK-SUB", {
        "name": "Alpha US", "kind": "subsidiary", "country": "US", "lei": UK_CORP})
    assert status == 200
    status, problem, _ = call(api, "alice", people, "PUT", "/api/entities/SEOUL-HO", {
        **HEAD_OFFICE, "kind": "branch", "parent": "NEWYORK-SUB", "lei": None})
    assert status == 422 and problem["errors"][0]["field"] == "parent", problem
    assert "SEOUL-HO is a branch" in problem["errors"][0]["message"]


def test_an_agreement_overlapping_another_for_the_client_and_regime_is_refused(
        api, people, seeded):  # noqa: F811
    status, problem, _ = call(api, "alice", people, "POST", "/api/delegations",
                              {**AGREEMENT, "valid_from": "2027-06-01"})
    assert (status, problem["reason"]) == (409, "agreement_overlaps"), problem
    assert seeded["id"] in problem["detail"]
    # another regime for the same client is another agreement
    status, other, _ = call(api, "alice", people, "POST", "/api/delegations", {
        **AGREEMENT, "regime": "emir", "capacity": "voluntary", "client_status": None})
    assert status == 201, other


def test_another_tenant_sees_and_reaches_none_of_them(api, db, people, tenant, beta,  # noqa: F811
                                                      seeded):
    status, book, _ = call(api, "bob", people, "GET", "/api/entities")
    assert (status, book["entities"], book["agreements"]) == (200, [], [])
    for path in ("/api/entities/LONDON-BR", f"/api/delegations/{seeded['id']}"):
        status, problem, _ = call(api, "bob", people, "DELETE", path)
        assert status == 404, (path, problem)
    # the same code in beta is beta's own entity: alpha's stays as it was
    status, own, _ = call(api, "bob", people, "PUT", "/api/entities/SEOUL-HO", {
        **HEAD_OFFICE, "name": "Beta Seoul", "lei": UK_CORP})
    assert (status, own["name"]) == (200, "Beta Seoul")
    # beta's agreement cannot name alpha's entity as its delegate
    status, problem, _ = call(api, "bob", people, "POST", "/api/delegations", AGREEMENT)
    assert status == 422 and problem["errors"][0]["field"] == "delegate", problem
    _, book, _ = call(api, "alice", people, "GET", "/api/entities")
    assert book["entities"][0]["name"] == "Alpha Bank Seoul"
    assert [r["entity_id"] for r in audit(db, beta, "entity.")] == ["SEOUL-HO"]
    assert "Beta Seoul" not in json.dumps(audit(db, tenant, ""))


def test_the_trade_detail_shows_the_routing_stored_on_each_event(api, db, people, tenant,  # noqa: F811
                                                                 pipeline, seeded):
    pipeline.upload("alpha-bank/routed.csv", csv_file(csv_row(1), csv_row(2)))
    pipeline.run()
    with db.tenant(tenant) as conn:
        event = conn.execute("SELECT id, payload FROM trade_events WHERE uti = %s",
                             (uti(1),)).fetchone()
        book = book_from_rows(*entity_rows.book_rows(conn))
        # as the pipeline decides it: the tenant's entities, every regime connected
        routing = route(TradeEvent.model_validate(event["payload"]), book,
                        enabled=registry.keys()).as_dict()
        conn.execute("UPDATE trade_events SET routing = %s WHERE id = %s",
                     (Jsonb(routing), event["id"]))
        # an event stored before routing existed (migration 0021) has none
        conn.execute("UPDATE trade_events SET routing = NULL WHERE uti = %s", (uti(2),))
    assert routing["booking_entity"] == "SEOUL-HO"
    assert [r["regime"] for r in routing["reports"]] == ["krx"]

    status, detail, _ = call(api, "victor", people, "GET", f"/api/trades/{uti(1)}")
    assert status == 200, detail
    [shown] = detail["events"]
    assert shown["routing"] == routing
    assert shown["routing"]["reports"][0]["reason_ko"]  # the console shows it in Korean
    status, detail, _ = call(api, "victor", people, "GET", f"/api/trades/{uti(2)}")
    assert status == 200 and detail["events"][0]["routing"] is None  # none stored: said so
    # nobody else's: beta's admin does not find the trade
    status, _, _ = call(api, "bob", people, "GET", f"/api/trades/{uti(1)}")
    assert status == 404
