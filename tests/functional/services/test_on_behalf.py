"""Delegated reporting through the pipeline (issue 17 item 2): generate writes the report of the
other side that routing owes (a client's under mandatory delegation, another of the tenant's
entities'), the TR simulator takes both sides of one UTI, and its word on each lands on that
side's item. Real PostgreSQL, the S3 API (moto server), the TR simulator over HTTP."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from lxml import etree

from shared.adapters.db import entities
from shared.adapters.queue import OutgoingMessage
from shared.adapters.tr import transport_from_config
from shared.platform.config import Config
from shared.services.pipeline.generate import GenerateSettings, generate_reports
from shared.services.pipeline.submit import submit_report_file
from swaprep.commands.report import command as report_command
from swaprep.local.demo import demo_lei
from tests.functional.services import pipeline_support
from tests.functional.services.pipeline_support import HEADER, TENANT_LEI, csv_row, uti
from tests.functional.services.test_feedback import deliver
from tests.functional.trsim.factory import FEEDBACK, KEY, OUTBOUND, make_sim

pytestmark = pytest.mark.functional

pipeline, tenant = pipeline_support.pipeline, pipeline_support.tenant

CLIENT, SISTER = demo_lei(303), demo_lei(305)
EMIR_HEADER = (HEADER + ",booking_entity,counterparty_2_country,counterparty_2_nature,"
               "counterparty_2_clearing_threshold")
NS = {"a": "urn:iso:std:iso:20022:tech:xsd:auth.030.001.03"}  # EMIR Refit
REPORTING = "2026-11-20T08:00:00Z"  # pipeline_support.REPORTING_NOW


@pytest.fixture
def store(s3_clean):
    from tests.functional.trsim.factory import make_store

    object_store = make_store(s3_clean)
    object_store.ensure_buckets([pipeline_support.BUCKET])
    return object_store


@pytest.fixture
def sim(s3_clean, store):
    with make_sim(s3_clean) as simulator:
        yield simulator


def _entities(db, tenant_id, *, sister: bool = False) -> None:
    """Frankfurt head office, an EMIR FC holding the tenant's LEI, reporting by law for an NFC-
    client (EMIR Art. 9(1a)); with `sister`, a second FC of the group with its own LEI."""
    with db.tenant(tenant_id) as conn:
        conn.execute("UPDATE tenants SET regimes = '{emir}'")
        entities.upsert_entity(conn, {
            "entity_id": "FRANKFURT-HO", "name": "Alpha Frankfurt", "kind": "head_office",
            "country": "DE", "lei": TENANT_LEI, "parent": None, "statuses": {"emir": "FC"}})
        if sister:
            entities.upsert_entity(conn, {
                "entity_id": "PARIS-SUB", "name": "Alpha Paris", "kind": "subsidiary",
                "country": "FR", "lei": SISTER, "parent": None, "statuses": {"emir": "FC"}})
        entities.insert_agreement(conn, {
            "client_lei": CLIENT, "client_name": "Zeta Manufacturing", "regime": "emir",
            "capacity": "mandatory", "delegate": "FRANKFURT-HO", "valid_from": date(2026, 1, 1),
            "valid_to": None, "client_status": "NFC-", "opted_out": False})


def _row(n: int, action: str = "NEWT", *, counterparty: str = CLIENT, country: str = "DE",
         nature: str = "N", threshold: str = "N", **kwargs) -> str:
    row = csv_row(n, action, counterparty=counterparty, upi="QZDEMOIRSKRW", **kwargs)
    return ",".join([row, "", country, nature, threshold])


def _file(*rows: str) -> bytes:
    return ("\n".join([EMIR_HEADER, *rows]) + "\n").encode()


def _send(pipeline):
    def send(conn, name, bodies, tenant_id):
        pipeline.queue.send(name, [OutgoingMessage(b, tenant_id=tenant_id) for b in bodies],
                            conn=conn)
    return send


def _generate(pipeline, db, store, tenant_id):
    with db.tenant(tenant_id) as conn:
        outcome = generate_reports(conn, tenant_id=tenant_id, regime="emir", store=store,
                                   bucket=OUTBOUND, send=_send(pipeline), flush=True,
                                   settings=GenerateSettings(batch_size=50),
                                   now=pipeline_support.REPORTING_NOW)
    assert not outcome.invalid, outcome
    return outcome.files


def _items(db, tenant_id, file_id) -> list[dict]:
    with db.tenant(tenant_id) as conn:
        return conn.execute(
            "SELECT i.position, i.record_ref, i.reporting_counterparty, i.status, i.tr_code,"
            " e.uti, e.action_type, e.state AS event_state FROM report_items i"
            " JOIN trade_events e ON e.id = i.event_id WHERE i.report_file_id = %s"
            " ORDER BY i.position", (file_id,)).fetchall()


def _reports(store, generated) -> list[etree._Element]:
    root = etree.fromstring(store.get_bytes(OUTBOUND, generated.object_key))
    return root.findall("a:DerivsTradRpt/a:TradData/a:Rpt", NS)


def _parties(rpt) -> dict[str, str | None]:
    """Who reports, for whom and who answers: the fields delegation changes."""
    cpty = ".//a:CtrPtySpcfcData/a:CtrPty/"
    return {name: rpt.findtext(cpty + path, namespaces=NS) for name, path in (
        ("RptgCtrPty", "a:RptgCtrPty/a:Id/a:Lgl/a:Id/a:LEI"),
        ("OthrCtrPty", "a:OthrCtrPty/a:IdTp/a:Lgl/a:Id/a:LEI"),
        ("SubmitgAgt", "a:SubmitgAgt/a:LEI"),
        ("NttyRspnsblForRpt", "a:NttyRspnsblForRpt/a:LEI"))}


def _leaves(node) -> dict[str, str]:
    out = {}
    for child in node.iter():
        if isinstance(child.tag, str) and len(child) == 0:
            path = "/".join(etree.QName(n).localname
                            for n in reversed([child, *child.iterancestors()]))
            out[path.split("/CtrPtySpcfcData/", 1)[-1]] = (child.text or "").strip()
    return out


def _submit(db, store, sim, tenant_id, file_id) -> dict:
    config = Config({"tr_url_emir": sim.url, "tr_api_key_emir": KEY, "tr_max_attempts": 1})
    with db.tenant(tenant_id) as conn:
        outcome = submit_report_file(
            conn, tenant_id, file_id, db=db, store=store, outbound_bucket=OUTBOUND,
            transport_for=lambda regime: transport_from_config(config, regime, db))
    assert outcome.status == "submitted", outcome
    return next(m for m in sim.messages() if m["report_file_id"] == file_id)


def test_a_client_trade_is_reported_for_both_sides_and_the_tr_acks_each(
        pipeline, db, store, sim, tenant, tmp_path):
    _entities(db, tenant)
    pipeline.upload("alpha-bank/client.csv", _file(_row(1)))
    pipeline.run()
    [generated] = _generate(pipeline, db, store, tenant)

    items = _items(db, tenant, generated.report_file_id)
    assert [(i["uti"], i["position"], i["reporting_counterparty"]) for i in items] == [
        (uti(1), 1, None), (uti(1), 2, CLIENT)]
    assert [i["record_ref"] for i in items] == [f"{uti(1)}:NEWT:1", f"{uti(1)}:NEWT:2"]
    own, client = _reports(store, generated)
    # the tenant's own side as before: the record's counterparty 1 reports
    assert (_parties(own)["RptgCtrPty"], _parties(own)["OthrCtrPty"]) == (TENANT_LEI, CLIENT)
    # the client's side: the client reports, the tenant sends and answers for it (Art. 9(1a))
    assert _parties(client) == {"RptgCtrPty": CLIENT, "OthrCtrPty": TENANT_LEI,
                                "SubmitgAgt": TENANT_LEI, "NttyRspnsblForRpt": TENANT_LEI}

    # the same report as `swaprep report --reporting-party` prints it, field for field
    source = tmp_path / "trade.csv"
    source.write_bytes(_file(_row(1)))
    printed = CliRunner().invoke(report_command, [
        "--regime", "emir", "--no-checks", "--reporting-timestamp", REPORTING,
        "--reporting-party", CLIENT, "--submitting-entity", TENANT_LEI,
        "--entity-responsible", TENANT_LEI, str(source)])
    assert printed.exit_code == 0, printed.output
    cli = etree.fromstring(printed.stdout_bytes).find(".//a:CtrPtySpcfcData", NS)
    ours = client.find(".//a:CtrPtySpcfcData", NS)
    assert _leaves(cli) == _leaves(ours)

    message = _submit(db, store, sim, tenant, generated.report_file_id)
    sim.flush_feedback()
    outcome = deliver(db, store, message["feedback_key"])
    assert (outcome.acked, outcome.nacked, outcome.file_status) == (2, 0, "acked")
    assert [(i["reporting_counterparty"], i["status"], i["event_state"])
            for i in _items(db, tenant, generated.report_file_id)] == [
        (None, "acked", "acked"), (CLIENT, "acked", "acked")]

    # the trade's lifecycle: the MODI is reported for both sides too, and the TR knows the
    # client's trade from its NEWT (a MODI of a trade it did not hold would be NACKed)
    pipeline.upload("alpha-bank/modi.csv", _file(_row(1, "MODI", event_ts="2026-11-20T05:00:00Z",
                                                      notional="20000000000")))
    pipeline.run()
    [modified] = _generate(pipeline, db, store, tenant)
    assert [(i["action_type"], i["reporting_counterparty"])
            for i in _items(db, tenant, modified.report_file_id)] == [
        ("MODI", None), ("MODI", CLIENT)]
    message = _submit(db, store, sim, tenant, modified.report_file_id)
    sim.flush_feedback()
    assert deliver(db, store, message["feedback_key"]).acked == 2


def test_the_trs_word_on_one_side_does_not_settle_the_other(pipeline, db, store, sim, tenant):
    _entities(db, tenant)
    pipeline.upload("alpha-bank/client.csv", _file(_row(2)))
    pipeline.run()
    [generated] = _generate(pipeline, db, store, tenant)
    message = _submit(db, store, sim, tenant, generated.report_file_id)
    # the TR answers for the two records of one UTI: the tenant's side ACKed, the client's
    # NACKed (each named by its reference: UTI, action and position)
    feedback = {"tr_message_id": message["tr_message_id"],
                "report_file_id": generated.report_file_id, "regime": "emir", "records": [
                    {"position": 1, "record_ref": f"{uti(2)}:NEWT:1", "uti": uti(2),
                     "status": "ACK"},
                    {"position": 2, "record_ref": f"{uti(2)}:NEWT:2", "uti": uti(2),
                     "status": "NACK", "codes": [{"code": "TR-ID-003",
                                                  "message": "client LEI lapsed"}]}]}
    key = f"alpha-bank/{message['tr_message_id']}.json"
    store.put_bytes(FEEDBACK, key, json.dumps(feedback).encode())
    outcome = deliver(db, store, key)
    assert (outcome.acked, outcome.nacked, outcome.file_status) == (1, 1, "partially_acked")
    items = _items(db, tenant, generated.report_file_id)
    assert [(i["reporting_counterparty"], i["status"], i["tr_code"]) for i in items] == [
        (None, "acked", None), (CLIENT, "nacked", "TR-ID-003")]
    # the event needs attention: a NACK of either side wins
    assert items[0]["event_state"] == "nacked"


def _sister_side(row: str) -> str:
    """The fixture row as the sister entity's FEP sends it: the sister is counterparty 1."""
    return row.replace(f",{TENANT_LEI},{SISTER},", f",{SISTER},{TENANT_LEI},", 1)


def _sent(store, generated) -> list[tuple[str, str, str | None]]:
    """(UTI, action, reporting counterparty) of each record of the file."""
    return sorted((r.findtext(".//a:TxId/a:UnqTxIdr", namespaces=NS),
                   etree.QName(next(iter(r))).localname, _parties(r)["RptgCtrPty"])
                  for r in _reports(store, generated))


def test_a_group_trade_goes_out_once_per_side_whether_one_or_both_feps_send_it(
        pipeline, db, store, tenant):
    _entities(db, tenant, sister=True)
    newt = _row(5, counterparty=SISTER, country="FR", nature="F", threshold="")
    modi = _row(5, "MODI", counterparty=SISTER, country="FR", nature="F", threshold="",
                event_ts="2026-11-20T05:00:00Z", notional="20000000000")
    # only Frankfurt's FEP sends the NEWT: Frankfurt's side and, for the group, Paris's
    pipeline.upload("alpha-bank/frankfurt.csv", _file(newt))
    pipeline.run()
    [first] = _generate(pipeline, db, store, tenant)
    assert _sent(store, first) == [(uti(5), "New", TENANT_LEI), (uti(5), "New", SISTER)]
    assert [i["reporting_counterparty"] for i in _items(db, tenant, first.report_file_id)] == [
        None, SISTER]

    # both FEPs send the MODI, each from its own side: each side goes out once, from the
    # event of the entity whose side it is, not again on the other's behalf
    pipeline.upload("alpha-bank/frankfurt-2.csv", _file(modi))
    pipeline.upload("alpha-bank/paris.csv", _file(_sister_side(modi)))
    pipeline.run()
    [second] = _generate(pipeline, db, store, tenant)
    assert _sent(store, second) == [(uti(5), "Mod", TENANT_LEI), (uti(5), "Mod", SISTER)]
    assert [i["reporting_counterparty"] for i in _items(db, tenant, second.report_file_id)] == [
        None, None]
