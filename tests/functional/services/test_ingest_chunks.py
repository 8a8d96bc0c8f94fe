"""Ingest reads every record into raw_rows, in chunks, each chunk with its `process` message;
a large file is read across activations and resumed where the last one stopped."""

import uuid

import pytest

from shared.adapters.queue import RetryPolicy
from shared.adapters.queue.postgres import PostgresQueue
from shared.services.pipeline import ingest_ledger, ingest_reading
from shared.services.pipeline.ingest_reading import parse_file
from swaprep.local.demo import generate_fep_csv
from tests.functional.services import pipeline_support
from tests.functional.services.pipeline_support import (
    csv_file,
    csv_row,
)
from tests.unit.formats.fpml.samples import irs, message, stream

pytestmark = pytest.mark.functional

# fixtures shared by the pipeline-front tests
pipeline, store, tenant = pipeline_support.pipeline, pipeline_support.store, pipeline_support.tenant


def _file(db, tenant_id):
    with db.tenant(tenant_id) as conn:
        return conn.execute("SELECT * FROM ingest_files").fetchone()


def _rows(db, tenant_id):
    with db.tenant(tenant_id) as conn:
        return conn.execute(
            "SELECT row_no, chunk_no, line_no, content, uti, trade_id, parse_result, state"
            " FROM raw_rows ORDER BY row_no").fetchall()


def test_every_record_is_stored_in_chunks_with_one_process_message_each(pipeline, db, tenant):
    content, _ = generate_fep_csv(1200)
    outcome = pipeline.upload("alpha-bank/2026-11-20/fep.csv", content)
    assert outcome.status == "received"
    file = _file(db, tenant)
    assert (file["status"], file["row_count"], file["chunk_count"]) == ("parsed", 1200, 3)
    assert file["encoding"] == "utf-8" and file["header"].startswith("trade_id,uti,")
    assert file["first_record_line"] == 2 and file["parse_owner"] is None
    rows = _rows(db, tenant)
    assert [r["row_no"] for r in rows] == list(range(1, 1201))
    assert [sum(1 for r in rows if r["chunk_no"] == c) for c in range(3)] == [500, 500, 200]
    assert all(r["state"] == "stored" and r["line_no"] == r["row_no"] + 1 for r in rows)
    first = rows[0]
    assert first["content"] == content.decode().splitlines()[1]
    assert first["parse_result"]["event"]["uti"] == first["uti"]
    assert first["parse_result"]["event"]["source"] == {
        "file": "alpha-bank/2026-11-20/fep.csv", "line": 2, "record": 1}
    assert pipeline.bodies("process") == [
        {"file_id": outcome.file_id, "chunk_no": n, "key": f"{outcome.file_id}:{n}"}
        for n in range(3)]
    assert pipeline.depth("ingest") == 0
    assert ("process", {"queue": "process"}) in pipeline.invoker.calls


def test_bad_records_keep_their_raw_text_position_and_errors(pipeline, db, tenant):
    content = csv_file(
        csv_row(1),
        csv_row(2).replace("2026-11-24", "2026-13-45", 1),  # not a date
        "T3,short,row",  # ragged
        "",  # a blank line is not a record
        csv_row(4),
    )
    pipeline.upload("alpha-bank/small.csv", content)
    rows = _rows(db, tenant)
    assert [(r["row_no"], r["line_no"]) for r in rows] == [(1, 2), (2, 3), (3, 4), (4, 6)]
    assert "event" in rows[0]["parse_result"] and "event" in rows[3]["parse_result"]
    [date_error] = rows[1]["parse_result"]["errors"]
    assert date_error["code"] == "PARSE-CSV-006" and "line 3" in date_error["message"]
    assert rows[2]["parse_result"]["errors"][0]["code"] == "PARSE-CSV-003"
    assert rows[2]["content"] == "T3,short,row" and rows[2]["uti"] is None
    assert _file(db, tenant)["row_count"] == 4


def test_cp949_file_with_korean_headers_through_its_profile(pipeline, db, tenant):
    header = ("거래번호,UTI,보고구분,체결일시,효력발생일,만기일,자산군,보고기관LEI,"
              "거래상대방LEI,거래상대방명,명목금액1,통화1")
    line = ("K-1,,신규,20261120103000,20261124,20311124,금리,9884DEMO000000000123,"
            '9884DEMO000000010017,한국데모증권,"1,000,000,000",KRW')
    content = f"{header}\r\n{line}\r\n".encode("cp949")
    pipeline.upload("alpha-bank/국내FEP.csv", content, metadata={"profile": "kr-fep"})
    file = _file(db, tenant)
    assert (file["status"], file["encoding"], file["profile"]) == ("parsed", "cp949", "kr-fep")
    assert file["header"] == header
    [row] = _rows(db, tenant)
    assert row["content"] == line  # decoded, line end dropped
    event = row["parse_result"]["event"]
    assert event["counterparty_2"]["name"] == "한국데모증권"
    assert event["legs"][0]["notional"]["amount"] == "1000000000"
    assert event["execution_timestamp"] == "2026-11-20T01:30:00Z"  # KST -> UTC


def test_a_truncated_upload_marks_its_last_record_not_the_file(pipeline, db, tenant):
    content = csv_file(csv_row(1), csv_row(2))
    pipeline.upload("alpha-bank/cut.csv", content[:-30])  # mid-record, no line end
    assert _file(db, tenant)["status"] == "parsed"
    rows = _rows(db, tenant)
    assert "event" in rows[0]["parse_result"]
    assert rows[1]["parse_result"]["errors"][0]["code"] == "PARSE-CSV-004"
    assert "truncated" in rows[1]["parse_result"]["errors"][0]["message"]


@pytest.mark.parametrize(("content", "words"), [
    (b"foo,bar\n1,2\n", "lacks the column(s) action_type"),
    ("\ufeffx".encode("utf-16"), "UTF-16"),
])
def test_an_unreadable_file_is_kept_and_rejected_with_the_readers_reason(
        pipeline, db, tenant, content, words):
    outcome = pipeline.upload("alpha-bank/bad.csv", content)
    assert outcome.status == "received"  # the ledger took it; reading it failed
    file = _file(db, tenant)
    assert file["status"] == "rejected" and words in file["reject_reason"]
    assert _rows(db, tenant) == [] and pipeline.depth("process") == 0


def test_a_file_uploaded_twice_is_read_once(pipeline, db, tenant):
    content = csv_file(csv_row(1), csv_row(2))
    first = pipeline.upload("alpha-bank/a.csv", content)
    again = pipeline.upload("alpha-bank/a (1).csv", content)
    assert again.status == "duplicate" and again.file_id == first.file_id
    assert len(_rows(db, tenant)) == 2 and pipeline.depth("process") == 1


def _read_in_slices(pipeline, db, tenant_id, file_id):
    """Read with a deadline that has always passed: one chunk per activation, as a huge file
    read across 300 s activations would be."""
    outcomes = []
    for _ in range(100):
        outcome = parse_file(tenant_id, file_id, db=db, store=pipeline.store,
                             queue=pipeline.queue, deadline_epoch_s=100.0, clock=lambda: 1000.0)
        outcomes.append(outcome.status)
        if outcome.status != "handed_over":
            return outcomes
    raise AssertionError("never finished")


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_file_read_across_activations_equals_one_read_in_one_go(
        pipeline, db, two_tenants, monkeypatch, fmt):
    alpha, beta = two_tenants
    monkeypatch.setattr(ingest_reading, "CHUNK_RECORDS", 40)
    monkeypatch.setattr(ingest_ledger, "HASH_CHUNK", 1000)  # many index checkpoints
    monkeypatch.setattr(ingest_ledger, "INDEX_STEP", 3000)
    monkeypatch.setattr(ingest_reading, "BLOCK_BYTES", 1000)  # and many blocks to resume in
    if fmt == "csv":
        lines = [csv_row(n) for n in range(1, 131)]
        # the first records of the 2nd and 3rd slices: two physical lines; a bad date
        lines[40] = 'T41,"a quoted field\nspanning two lines",NEWT'
        lines[80] = csv_row(81).replace("2026-11-24", "someday", 1)
        lines.insert(100, "")
        content = csv_file(*lines)
    else:
        events = [f'{{"uti": "U{n}", "action_type": "NEWT", "event_timestamp": '
                  f'"2026-11-20T01:00:00Z"}}' for n in range(1, 131)]
        events[50] = '{"uti": "U51", "action_type": "NOPE"}'
        events.insert(90, "")
        content = ("\n".join(events) + "\n").encode()
    key = f"uploads/big.{fmt}"
    pipeline.upload(key, content, metadata={"tenant": "beta-securities"})  # in one go
    outcome = pipeline.upload(key, content, metadata={"tenant": "alpha-bank"}, read=False)
    statuses = _read_in_slices(pipeline, db, alpha, outcome.file_id)
    assert statuses == ["handed_over"] * 3 + ["parsed"]
    sliced, whole = _rows(db, alpha), _rows(db, beta)
    assert len(sliced) == 130 and sliced == whole
    file = _file(db, alpha)
    assert (file["status"], file["row_count"], file["chunk_count"]) == ("parsed", 130, 4)
    assert len(file["line_index"]) > 3
    # the upload's message and each activation's continuation: read now, they find it done
    assert pipeline.depth("ingest") == 4
    assert {f["status"] for f in pipeline.read()["files"]} == {"done"}
    assert pipeline.depth("ingest") == 0
    process = [b for b in pipeline.bodies("process") if b["file_id"] == outcome.file_id]
    assert [b["chunk_no"] for b in process] == [0, 1, 2, 3]


def test_fpml_is_resumed_by_skipping_what_is_stored(pipeline, db, tenant, monkeypatch):
    monkeypatch.setattr(ingest_reading, "CHUNK_RECORDS", 1)
    swap = irs(stream("A", "B", rate="0.01"), stream("B", "A", index="USD-SOFR"))
    messages = [message(swap, uti=f"UTI{n:019d}").split("?>", 1)[1] for n in range(1, 4)]
    content = ("<batch>" + "".join(messages) + "</batch>").encode()
    outcome = pipeline.upload("alpha-bank/trades.xml", content, read=False)
    assert _read_in_slices(pipeline, db, tenant, outcome.file_id) == [
        "handed_over", "handed_over", "parsed"]
    rows = _rows(db, tenant)
    assert [r["uti"] for r in rows] == [f"UTI{n:019d}" for n in range(1, 4)]
    assert [r["chunk_no"] for r in rows] == [0, 1, 2]


def test_a_file_that_breaks_mid_way_keeps_what_was_read_and_says_so(pipeline, db, tenant):
    swap = irs(stream("A", "B", rate="0.01"), stream("B", "A", index="USD-SOFR"))
    messages = [message(swap, uti=f"UTI{n:019d}").split("?>", 1)[1] for n in range(1, 4)]
    content = ("<batch>" + "".join(messages) + "</batch>").encode()
    pipeline.upload("alpha-bank/cut.xml", content[:-400])
    file = _file(db, tenant)
    assert file["status"] == "rejected" and "not well-formed" in file["reject_reason"]
    assert "records 1-2 are kept" in file["reject_reason"]
    assert [r["uti"] for r in _rows(db, tenant)] == ["UTI0000000000000000001",
                                                     "UTI0000000000000000002"]
    assert pipeline.depth("process") == 1


def test_a_crash_after_a_chunk_commits_does_not_store_it_twice(
        pipeline, db, tenant, monkeypatch):
    monkeypatch.setattr(ingest_reading, "CHUNK_RECORDS", 10)
    calls = []

    def crash_once(invoker, queue_name):
        calls.append(queue_name)
        if len(calls) == 1:
            raise RuntimeError("activation killed")

    monkeypatch.setattr(ingest_reading, "_wake", crash_once)
    pipeline.queue = PostgresQueue(db, policy=RetryPolicy(random=lambda: 0.5))  # 1 s backoff
    content = csv_file(*[csv_row(n) for n in range(1, 26)])
    pipeline.upload("alpha-bank/x.csv", content, read=False)
    first = pipeline.read()
    assert first["failed"] == 1  # after chunk 0 committed; the message is retried
    assert len(_rows(db, tenant)) == 10
    pipeline.expedite("ingest")
    second = pipeline.read()
    assert second["succeeded"] == 1
    rows = _rows(db, tenant)
    assert [r["row_no"] for r in rows] == list(range(1, 26))
    assert [r["chunk_no"] for r in rows[::10]] == [0, 1, 2]
    assert pipeline.depth("process") == 3


def test_a_live_reader_is_left_alone_and_a_dead_one_taken_over(pipeline, db, tenant):
    content = csv_file(csv_row(1), csv_row(2))
    outcome = pipeline.upload("alpha-bank/x.csv", content, read=False)
    other = uuid.uuid4()
    with db.tenant(tenant) as conn:
        conn.execute("UPDATE ingest_files SET status = 'parsing', parse_owner = %s,"
                     " parse_heartbeat = now()", (other,))
    result = pipeline.read()
    assert result["files"] == [{"file_id": outcome.file_id, "status": "busy", "chunks": 0,
                                "rows": 0}]
    with db.system() as conn:  # it comes back later, in case that reader dies
        [watch] = conn.execute("SELECT body, visible_at > now() AS later FROM queue_messages"
                               " WHERE queue = 'ingest'").fetchall()
    assert watch["later"] and watch["body"]["file_id"] == outcome.file_id
    with db.tenant(tenant) as conn:
        conn.execute("UPDATE ingest_files SET parse_heartbeat = now() - interval '10 minutes'")
    pipeline.expedite("ingest")
    assert pipeline.read()["files"][0]["status"] == "parsed"
    assert len(_rows(db, tenant)) == 2


def test_a_reader_that_lost_its_file_stores_nothing(pipeline, db, tenant):
    outcome = pipeline.upload("alpha-bank/x.csv", csv_file(csv_row(1)))
    stale = ingest_reading._Reading(tenant, uuid.UUID(outcome.file_id), uuid.uuid4(), 0, 0, 2)
    with pytest.raises(ingest_reading._LostOwnership):
        ingest_reading._store_chunk(db, pipeline.queue, stale, [], next_line=None,
                                    final_status="parsed")
    assert len(_rows(db, tenant)) == 1

