from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from shared.domain.model import ActionType, EventType, Party
from swaprep.cli import main
from tests.unit.domain.rules import factory as f

NOW = "2026-11-20T07:00:00Z"


def _jsonl(path: Path, *events, extra_lines: tuple[str, ...] = ()) -> Path:
    lines = [e.model_dump_json(exclude_none=True) for e in events] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(*args: str):
    return CliRunner().invoke(main, ["validate", *args, "--now", NOW], catch_exceptions=False)


def test_clean_file_exits_zero(tmp_path: Path) -> None:
    modi = f.lifecycle(ActionType.MODI, EventType.TRAD)
    result = _run(str(_jsonl(tmp_path / "trades.jsonl", f.newt(), modi)), "--regime", "krx")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2 record(s): 2 ok, 0 rejected, 0 with warnings only"


def test_issues_are_listed_per_record_with_file_line_rule_and_field(tmp_path: Path) -> None:
    modi_first = f.lifecycle(ActionType.MODI, EventType.TRAD)
    bad_lei = f.newt(counterparty_2=Party(identifier="529900ORI6ALO8ABW677"))
    path = _jsonl(tmp_path / "trades.jsonl", modi_first, bad_lei)
    result = _run(str(path), "--regime", "krx", "--regime", "emir")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].split() == ["WHERE", "RULE", "SEVERITY", "FIELD", "REGIME", "MESSAGE"]
    assert any(f"{path}:1" in line and "SR-LC-016" in line and "action_type" in line
               for line in lines)
    assert any(f"{path}:2" in line and "SR-ID-004" in line and "check digits" in line
               for line in lines)
    assert lines[-1] == "2 record(s): 0 ok, 2 rejected, 0 with warnings only"


def test_a_file_is_one_history_per_uti(tmp_path: Path) -> None:
    second = f.newt(reporting_timestamp=f.REPORTED + timedelta(minutes=5))
    other = f.newt(uti=f.LEI_1 + "TRADE0002")
    result = _run(str(_jsonl(tmp_path / "t.jsonl", f.newt(), second, other)), "--json")
    report = json.loads(result.output)
    assert [(i["line"], i["rule_id"]) for i in report["issues"]] == [(2, "SR-LC-015")]
    assert report["rejected"] == 1 and result.exit_code == 1


def test_json_output_carries_both_languages_and_positions(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "t.jsonl", f.newt(expiration_date=f.newt().effective_date
                                               - timedelta(days=1)),
                  extra_lines=("{not json",))
    result = _run(str(path), "--json", "--regime", "cftc-part45")
    report = json.loads(result.output)
    assert report["records"] == 2 and report["ok"] is False and report["regimes"] == [
        "cftc-part45"]
    rule = next(i for i in report["issues"] if i["rule_id"] == "SR-DT-011")
    assert rule["line"] == 1 and rule["field"] == "expiration_date" and rule["kind"] == "rule"
    assert "만기일" in rule["message_ko"] and rule["uti"] == f.UTI
    parse = next(i for i in report["issues"] if i["kind"] == "parse")
    assert parse["line"] == 2 and parse["rule_id"].startswith("PARSE-JSONL-")
    assert parse["severity"] == "reject"


def test_warnings_alone_exit_zero_and_korean_table(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "t.jsonl", f.newt(uti="TRADE0001"))  # SR-ID-003 is a warning
    result = _run(str(path), "--lang", "ko")
    assert result.exit_code == 0
    assert result.output.splitlines()[0].split() == ["위치", "규칙", "심각도", "항목", "제도",
                                                     "내용"]
    assert "SR-ID-003" in result.output and "경고" in result.output
    assert result.output.splitlines()[-1] == "레코드 1건: 정상 0건, 반려 0건, 경고만 있음 1건"


def test_unreadable_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_bytes(b"")
    result = _run(str(path))
    assert result.exit_code == 1 and "FILE" in result.output and "rejected" in result.output


def test_fep_csv_with_the_default_profile(tmp_path: Path) -> None:
    from swaprep.local.demo import generate_fep_csv

    data, counts = generate_fep_csv(rows=40)
    path = tmp_path / "fep.csv"
    path.write_bytes(data)
    result = _run(str(path), "--regime", "krx", "--json")
    report = json.loads(result.output)
    assert report["records"] == counts["rows"]
    assert all(i["file"] == str(path) and i["line"] for i in report["issues"])
