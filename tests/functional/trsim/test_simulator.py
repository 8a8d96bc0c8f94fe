"""The TR simulator over real HTTP: protocol, whole-file and per-record checks, fault modes."""

from __future__ import annotations

import json
import time

import pytest
import requests

from swaprep.trsim import TrSimulator
from tests.functional.trsim.factory import (
    BAD_LEI,
    FEEDBACK,
    KEY,
    LEI_A,
    LEI_B,
    LEI_CP,
    UNKNOWN_LEI,
    days_ago,
    event,
    make_sim,
    post,
    report,
    uti,
)

pytestmark = pytest.mark.functional


def feedback_of(store, answer: dict, folder: str = "alpha-bank") -> dict:
    return json.loads(store.get_bytes(FEEDBACK, f"{folder}/{answer['tr_message_id']}.json"))


def verdicts(feedback: dict) -> list[tuple[str, list[str]]]:
    return [(r["status"], [c["code"] for c in r.get("codes", [])]) for r in feedback["records"]]


def test_accepts_a_file_and_writes_ack_feedback_later(sim, store):
    answer = post(sim, report([event(uti(1)), event(uti(2))]), file_id="rf-happy")
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["records"] == 2 and body["tr_message_id"].startswith("TR-KRX-20261122-")
    assert body["received_at"] == "2026-11-22T10:00:00.000Z"
    assert list(store.list(FEEDBACK)) == []  # not before its delay
    assert sim.flush_feedback() == 1
    feedback = feedback_of(store, body)
    assert feedback["report_file_id"] == "rf-happy" and feedback["regime"] == "krx"
    assert feedback["records"] == [
        {"position": 1, "record_ref": f"{uti(1)}:NEWT:1", "uti": uti(1), "status": "ACK"},
        {"position": 2, "record_ref": f"{uti(2)}:NEWT:2", "uti": uti(2), "status": "ACK"},
    ]


def test_the_same_file_id_and_content_is_one_submission(sim):
    body = report([event(uti(1))])
    first = post(sim, body, file_id="rf-once").json()
    again = post(sim, body, file_id="rf-once")
    assert again.status_code == 202
    assert again.json() == {**first, "replayed": True}
    other = post(sim, report([event(uti(2))]), file_id="rf-once")
    assert other.status_code == 400 and other.json()["code"] == "TR-FILE-005"
    assert len(sim.messages()) == 1 and sim.flush_feedback() == 1


@pytest.mark.parametrize("regime", ["uk-emir", "jfsa", "mas", "hkma", "asic", "cftc-part43"])
def test_every_new_regime_has_its_files_read_record_by_record(sim, store, regime):
    # each ISO regime's file is read in its own auth.030 namespace; Part 43 as CFTC JSON
    answer = post(sim, report([event(uti(1)), event(uti(2))], regime), regime=regime,
                  file_id=f"rf-{regime}")
    assert answer.status_code == 202, answer.text
    assert answer.json()["records"] == 2
    assert sim.flush_feedback() == 1
    feedback = feedback_of(store, answer.json())
    assert feedback["regime"] == regime
    assert [(r["uti"], r["status"]) for r in feedback["records"]] == [
        (uti(1), "ACK"), (uti(2), "ACK")]


def test_an_iso_file_in_another_regimes_namespace_is_refused(sim):
    # an EMIR (auth.030.001.03) document sent as JFSA (auth.030.001.04) is the wrong file
    answer = post(sim, report([event(uti(1))], "emir"), regime="jfsa", file_id="rf-ns")
    assert answer.status_code == 400
    assert answer.json()["code"] == "TR-FILE-003"
    assert "auth.030.001.04" in answer.json()["message"]


@pytest.mark.parametrize(("regime", "mangle", "code"), [
    ("krx", lambda b: b.replace(b"\r\nT,2,", b"\r\nT,3,"), "TR-FILE-002"),
    ("krx", lambda b: b.rsplit(b"T,2,", 1)[0], "TR-FILE-002"),
    ("krx", lambda b: b"\xff\xfe" + b[3:], "TR-FILE-001"),
    ("krx", lambda b: b"UTI,ACTION\r\nX,NEWT\r\nT,1,x\r\n", "TR-FILE-003"),
    ("emir", lambda b: b.replace(b"<NbRcrds>2<", b"<NbRcrds>5<"), "TR-FILE-002"),
    ("emir", lambda b: b[: len(b) // 2], "TR-FILE-001"),
    ("cftc-part45", lambda b: b.replace(b'"recordCount": 2', b'"recordCount": 1'),
     "TR-FILE-002"),
    ("cftc-part45", lambda b: b"[]", "TR-FILE-003"),
])
def test_an_unusable_file_is_refused_as_a_whole(sim, regime, mangle, code):
    body = mangle(report([event(uti(1)), event(uti(2))], regime))
    answer = post(sim, body, regime=regime, file_id=f"rf-{code}")
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == code and answer.json()["message"]
    assert sim.messages() == []


def test_credentials_and_headers_are_checked(sim):
    body = report([event(uti(1))])
    assert post(sim, body, key="wrong").status_code == 401
    assert post(sim, body, submitter=None).json()["code"] == "TR-HDR-002"
    assert post(sim, body, submitter=BAD_LEI).json()["code"] == "TR-HDR-002"
    assert post(sim, body, regime="krx", file_id="").json()["code"] == "TR-HDR-003"
    wrong_regime = requests.post(f"{sim.url}/reports", data=body, timeout=5, headers={
        "Authorization": f"Bearer {KEY}", "X-Regime": "csa", "X-Submitter": LEI_A,
        "X-Report-File-Id": "x"})
    assert wrong_regime.json()["code"] == "TR-HDR-001"


def test_records_are_checked_against_the_submitters_trade_state_across_files(sim, store):
    sim.set_known_leis({LEI_A, LEI_B, LEI_CP})
    first = post(sim, report([
        event(uti(1)),                                   # ACK
        event(uti(9), "MODI"),                           # unknown UTI
        event(uti(1)),                                   # second NEWT
        event(uti(2), cp2=BAD_LEI),                      # check digits
        event(uti(3)),                                   # ACK
        event(uti(3), "EROR"),                           # ACK: cancelled
        event(uti(4), cp2=UNKNOWN_LEI),                  # not in the LEI register
    ]), file_id="rf-a").json()
    second = post(sim, report([
        event(uti(3), "MODI"),                           # MODI after EROR, no REVI
        event(uti(3), "REVI"),                           # ACK
        event(uti(3), "MODI"),                           # ACK now
        event(uti(1), "TERM"),                           # ACK
        event(uti(1), "VALU", valued=days_ago(1)),       # dead trade
        event(uti(3), "VALU", valued=days_ago(20)),      # stale valuation
        event(uti(3), "VALU", valued=days_ago(2)),       # ACK
        event(uti(2), "MODI"),                           # its NEWT was NACKed: unknown
    ]), file_id="rf-b").json()
    sim.flush_feedback()
    assert verdicts(feedback_of(store, first)) == [
        ("ACK", []), ("NACK", ["TR-LC-001"]), ("NACK", ["TR-LC-002"]), ("NACK", ["TR-ID-002"]),
        ("ACK", []), ("ACK", []), ("NACK", ["TR-ID-003"]),
    ]
    assert verdicts(feedback_of(store, second)) == [
        ("NACK", ["TR-LC-003"]), ("ACK", []), ("ACK", []), ("ACK", []), ("NACK", ["TR-LC-004"]),
        ("NACK", ["TR-VA-001"]), ("ACK", []), ("NACK", ["TR-LC-001"]),
    ]
    nack = feedback_of(store, first)["records"][3]["codes"][0]
    assert "CP2_ID" in nack["message"] and "check digits" in nack["message"]
    # another submitter has a book of its own: the same UTI is new there
    other = post(sim, report([event(uti(1))]), file_id="rf-c", submitter=LEI_B).json()
    sim.flush_feedback()
    assert verdicts(feedback_of(store, other)) == [("ACK", [])]


@pytest.mark.parametrize("regime", ["emir", "cftc-part45"])
def test_xml_and_json_records_get_the_same_checks(sim, store, regime):
    answer = post(sim, report([event(uti(1)), event(uti(1), "MODI"), event(uti(7), "TERM"),
                               event(uti(8), cp2=BAD_LEI)], regime),
                  regime=regime, file_id=f"rf-{regime}")
    assert answer.status_code == 202, answer.text
    sim.flush_feedback()
    feedback = feedback_of(store, answer.json())
    assert verdicts(feedback) == [("ACK", []), ("ACK", []), ("NACK", ["TR-LC-001"]),
                                  ("NACK", ["TR-ID-002"])]
    assert feedback["records"][2]["record_ref"] == f"{uti(7)}:TERM:3"


def admin(sim: TrSimulator, path: str, body: dict | None = None) -> dict:
    if body is None:
        return requests.get(f"{sim.admin_url}{path}", timeout=5).json()
    response = requests.post(f"{sim.admin_url}{path}", json=body, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def test_down_refuses_connections_while_the_admin_api_stays_up(sim):
    admin(sim, "/admin/faults", {"down": True})
    with pytest.raises(requests.ConnectionError):
        post(sim, report([event(uti(1))]))
    assert admin(sim, "/admin/state")["faults"]["down"] is True
    admin(sim, "/admin/faults", {"down": False})
    assert post(sim, report([event(uti(1))])).status_code == 202


def test_a_5xx_burst_answers_the_next_requests_and_takes_nothing(sim):
    admin(sim, "/admin/faults", {"fail_next": 2, "fail_status": 503, "retry_after_s": 1})
    body = report([event(uti(1))])
    first = post(sim, body)
    assert first.status_code == 503 and first.headers["Retry-After"] == "1"
    assert first.json()["code"] == "TR-SYS-001"
    assert post(sim, body).status_code == 503
    assert post(sim, body).status_code == 202
    assert len(sim.messages()) == 1 and sim.requests == 3


def test_slow_stalls_a_request_but_still_takes_the_file(sim):
    sim.set_faults(slow_s=0.8, slow_requests=1)
    body = report([event(uti(1))])
    with pytest.raises(requests.Timeout):
        post(sim, body, file_id="rf-slow", timeout=0.3)
    retried = post(sim, body, file_id="rf-slow")  # not slow any more
    assert retried.status_code == 202
    time.sleep(0.8)  # the stalled request finishes in the background: a replay
    assert sim.requests == 2 and len(sim.messages()) == 1


def test_malformed_and_duplicate_feedback_modes(sim, store):
    admin(sim, "/admin/faults", {"malformed_feedback": 1, "duplicate_feedback": 1})
    garbled = post(sim, report([event(uti(1))]), file_id="rf-1").json()
    assert admin(sim, "/admin/flush", {}) == {"written": 2}  # garbled, and twice
    raw = store.get_bytes(FEEDBACK, f"alpha-bank/{garbled['tr_message_id']}.json")
    with pytest.raises(ValueError):
        json.loads(raw)
    copy = store.get_bytes(FEEDBACK, f"alpha-bank/{garbled['tr_message_id']}.redelivered.json")
    assert copy == raw
    fine = post(sim, report([event(uti(2))]), file_id="rf-2").json()
    assert sim.flush_feedback() == 1
    assert feedback_of(store, fine)["records"][0]["status"] == "ACK"
    assert admin(sim, "/admin/messages")["messages"][0]["feedback_written"] == 2


def test_feedback_is_written_after_its_delay_by_itself(sim, store):
    sim.set_faults(feedback_delay_s=0.2)
    answer = post(sim, report([event(uti(1))])).json()
    key = f"alpha-bank/{answer['tr_message_id']}.json"
    for _ in range(40):
        if store.exists(FEEDBACK, key):
            break
        time.sleep(0.1)
    assert store.exists(FEEDBACK, key)


def test_state_survives_a_restart_with_a_state_file(s3_clean, store, tmp_path):
    def simulator() -> TrSimulator:
        return make_sim(s3_clean, state_path=tmp_path / "trsim.json")

    body = report([event(uti(1))])
    with simulator() as first:
        answer = post(first, body, file_id="rf-1").json()
    with simulator() as second:
        assert post(second, body, file_id="rf-1").json()["tr_message_id"] == \
            answer["tr_message_id"]
        modi = post(second, report([event(uti(1), "MODI")]), file_id="rf-2").json()
        assert second.flush_feedback() == 2  # the first file's feedback was still pending
        assert feedback_of(store, modi)["records"][0]["status"] == "ACK"
