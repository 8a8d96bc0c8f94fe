"""The regulator notification drafted from the facts."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from shared.domain.notices import PLACEHOLDER, NoticeFacts, draft


def facts(regime: str, **more: object) -> NoticeFacts:
    base: dict[str, object] = dict(
        regime=regime, regime_name="CFTC Part 45", firm="Demo Bank (LEI X)",
        prepared_at=datetime(2026, 12, 1, 17, 0, tzinfo=UTC),
        errors_by_kind={"missing_at_tr": 2, "open_at_tr": 1}, utis=["U1", "U2", "U3"],
        first_discovered=datetime(2026, 11, 20, 15, 0, tzinfo=UTC),
        earliest_due=datetime(2026, 12, 3, 5, 0, tzinfo=UTC), late=0, at_risk=3,
        zone=ZoneInfo("America/New_York"), verification_ids=[7])
    base.update(more)
    return NoticeFacts(**base)  # type: ignore[arg-type]


def test_the_cftc_notice_states_what_how_many_when_why_plan_and_date():
    text = draft(facts("cftc-part45", reason="The SDR's API is down", plan="Resubmit",
                       expected="2026-12-09"))
    assert text["kind"] == "cftc_notice"
    body = text["text"]
    assert "Division of Market Oversight" in body and "45.14" in body
    assert "3 swap(s) affected by 3 error(s)" in body and "2 open in our books but not open" in body
    assert "2026-11-20 10:00 (America/New_York)" in body  # when found, in New York
    assert "2026-12-03 00:00 (America/New_York)" in body  # the seventh business day's end
    assert "Verification run(s) 7" in body
    assert "The SDR's API is down" in body and "Resubmit" in body and "2026-12-09" in body


def test_what_the_facts_do_not_say_is_left_for_the_operator():
    body = draft(facts("cftc-part45"))["text"]
    assert body.count(PLACEHOLDER) == 3  # why, the plan, the date


def test_the_emir_notification_follows_the_guidelines_headings():
    text = draft(facts("emir", regime_name="EMIR", zone=ZoneInfo("Europe/Paris")))
    assert text["kind"] == "emir_notification" and text["addressee"] == "the competent authority"
    for heading in ("Type of error or omission", "Date of occurrence and of discovery",
                    "Scope of the affected reports", "Reasons for the error or omission",
                    "Steps taken or planned to resolve it",
                    "Timeline for resolution and correction"):
        assert heading in text["text"]
    assert "ITS 2022/1860 Art. 9" in text["text"]
    assert draft(facts("uk-emir", regime_name="UK EMIR"))["addressee"] == "the FCA"


def test_a_regime_without_a_prescribed_form_gets_the_same_headings_without_a_citation():
    from datetime import timedelta, timezone

    text = draft(facts("krx", regime_name="KRX TR", zone=timezone(timedelta(hours=9), "KST")))
    assert text["kind"] == "notification" and "ITS 2022/1860" not in text["text"]
    assert "2026-11-21 00:00 (KST)" in text["text"]  # found on Friday 15:00 UTC, in Seoul


def test_two_errors_on_one_swap_count_as_one_swap():
    body = draft(facts("cftc-part45", errors_by_kind={"open_at_tr": 1, "nack": 1},
                       utis=["U1"]))["text"]
    assert "1 swap(s) affected by 2 error(s)" in body
