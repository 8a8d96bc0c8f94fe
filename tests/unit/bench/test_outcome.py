"""The benches' outcome check (bench/outcome.py): equal counts pass; unequal ones fail, naming
every difference. Pure: no stack, no database."""

from __future__ import annotations

import io
from collections import Counter

from bench.outcome import (
    check_outcome,
    compare,
    intended_counts,
    pipeline_counts,
)
from swaprep.local.demo import CLEAN, Intent

STALE = Intent("nack", "stale-valuation", tr_code="TR-VA-001")
UNREGISTERED = Intent("nack", "lei-not-registered", tr_code="TR-ID-003")
BAD_DATES = Intent("invalid", "expiration-before-effective",
                   frozenset({"SR-DT-011", "SR-DT-012"}))
BAD_LEI = Intent("invalid", "lei-check-digits", frozenset({"SR-ID-004"}))
SEPARATORS = Intent("parse_error", "amount-with-separators",
                    parse_codes=frozenset({"PARSE-CSV-007"}))
RESENT = Intent("duplicate", "resent-row")
INTENTS = [CLEAN] * 5 + [STALE, STALE, UNREGISTERED, BAD_DATES, BAD_LEI, SEPARATORS, RESENT]

# What the pipeline's tables would say when every record ended as intended.
FINAL = dict(events={"acked": 5, "nacked": 3, "invalid": 2},
             rows={"event": 11, "parse_error": 1}, duplicates=1,
             nack_codes={"TR-VA-001": 2, "TR-ID-003": 1},
             reject_rules={"SR-DT-011": 1, "SR-DT-012": 1, "SR-ID-004": 1},
             parse_codes={"PARSE-CSV-007": 1})


def _check(intended, actual) -> tuple[bool, str, str]:
    out, err = io.StringIO(), io.StringIO()
    ok = check_outcome(intended, actual, what="test", out=out, err=err)
    return ok, out.getvalue(), err.getvalue()


def test_intent_is_counted_by_outcome_and_by_code():
    assert intended_counts(INTENTS) == Counter({
        "ack": 5, "nack": 3, "nack TR-VA-001": 2, "nack TR-ID-003": 1, "invalid": 2,
        "invalid SR-DT-011": 1, "invalid SR-DT-012": 1, "invalid SR-ID-004": 1,
        "parse_error": 1, "parse_error PARSE-CSV-007": 1, "duplicate": 1})


def test_without_a_tr_ack_and_nack_are_both_valid():
    counts = intended_counts(INTENTS, tr=False)
    assert counts["valid"] == 8 and "ack" not in counts and "nack TR-VA-001" not in counts
    assert counts["invalid SR-ID-004"] == 1


def test_the_pipelines_final_states_are_keyed_as_the_intent():
    assert pipeline_counts(**FINAL) == intended_counts(INTENTS)


def test_equal_counts_pass_and_print_the_table():
    ok, out, err = _check(intended_counts(INTENTS), pipeline_counts(**FINAL))
    assert ok and err == ""
    assert "| nack | TR-VA-001 | 2 | 2 | = |" in out
    assert "OK" in out and "MISMATCH" not in out
    assert compare({"ack": 3, "nack": 0}, {"ack": 3}).ok  # a zero is an absent count


def test_unequal_counts_fail_loudly_listing_every_difference():
    # issue 11: a file dated weeks back, so the TR found more valuations stale than meant
    actual = pipeline_counts(**{**FINAL, "events": {"acked": 3, "nacked": 5, "invalid": 2},
                                "nack_codes": {"TR-VA-001": 4, "TR-ID-003": 1}})
    ok, out, err = _check(intended_counts(INTENTS), actual)
    assert not ok
    result = compare(intended_counts(INTENTS), actual)
    assert result.differences == (("ack", 5, 3), ("nack", 3, 5), ("nack TR-VA-001", 2, 4))
    for text in (out, err):
        assert "OUTCOME MISMATCH (test): 3 count(s) differ" in text
        assert "ack: intended 5, actual 3 (-2)" in text
        assert "nack TR-VA-001: intended 2, actual 4 (+2)" in text
    assert "| nack | TR-VA-001 | 2 | 4 | **+2** |" in out
    assert "| nack | TR-ID-003 | 1 | 1 | = |" in out


def test_a_state_nothing_intends_is_a_difference():
    """Events still in flight or rows never processed: keys of their own, intended 0."""
    actual = pipeline_counts(**{**FINAL, "events": {"acked": 4, "nacked": 3, "invalid": 2,
                                                    "submitted": 1},
                                "rows": {"event": 10, "parse_error": 1, "stored": 1}})
    result = compare(intended_counts(INTENTS), actual)
    assert not result.ok
    assert ("event submitted", 0, 1) in result.differences
    assert ("row stored", 0, 1) in result.differences
    assert result.rows[-2:] == (("event submitted", 0, 1), ("row stored", 0, 1))  # last


def test_a_rule_or_code_besides_the_intended_ones_is_a_difference():
    actual = pipeline_counts(**{**FINAL, "reject_rules": {**FINAL["reject_rules"],
                                                          "SR-DT-010": 2}})
    result = compare(intended_counts(INTENTS), actual)
    assert result.differences == (("invalid SR-DT-010", 0, 2),)


def test_the_table_lists_outcomes_in_order_with_their_codes_after_them():
    keys = [k for k, _, _ in compare(intended_counts(INTENTS), {}).rows]
    assert keys == ["ack", "nack", "nack TR-ID-003", "nack TR-VA-001", "invalid",
                    "invalid SR-DT-011", "invalid SR-DT-012", "invalid SR-ID-004",
                    "parse_error", "parse_error PARSE-CSV-007", "duplicate"]
