"""The back-load report: an open trade re-stated as MODI / UPDT, the same every time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shared.domain.backload import backload_event, progress
from shared.domain.model import ActionType, EventType, Money, TradeEvent, Valuation

AS_OF = datetime(2026, 12, 1, tzinfo=UTC)


def latest() -> TradeEvent:
    return TradeEvent(uti="UTI1", prior_uti="OLD1", action_type=ActionType.NEWT,
                      event_type=EventType.NOVA, event_id="E1", message_id="M1",
                      event_timestamp=datetime(2026, 3, 2, tzinfo=UTC), regimes=["krx"],
                      valuation=Valuation(amount=Money(amount=Decimal(5), currency="KRW"),
                                          timestamp=datetime(2026, 3, 2, tzinfo=UTC)))


def test_an_open_trade_is_restated_as_an_update_as_of_the_job():
    event = backload_event(latest(), as_of=AS_OF, regimes=["emir"])
    assert (event.action_type, event.event_type, event.event_timestamp) == (
        ActionType.MODI, EventType.UPDT, AS_OF)
    assert event.regimes == ["emir"]
    # what the old event said of itself is gone; what it said of the trade stays
    assert (event.event_id, event.message_id, event.valuation) == (None, None, None)
    assert (event.uti, event.prior_uti) == ("UTI1", "OLD1")


def test_the_same_trade_and_job_give_the_same_event_so_a_rerun_adds_nothing():
    one = backload_event(latest(), as_of=AS_OF)
    assert one.payload_hash() == backload_event(latest(), as_of=AS_OF).payload_hash()
    assert one.regimes == ["krx"]  # no regimes given: the trade's own
    assert latest().action_type is ActionType.NEWT  # the source is not changed


def test_the_as_of_time_must_say_its_zone():
    with pytest.raises(ValueError, match="timezone"):
        backload_event(latest(), as_of=datetime(2026, 12, 1))


def test_progress_gives_the_rate_and_when_the_job_would_end():
    started = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    shown = progress(total=1000, done=190, skipped=10, started_at=started,
                     updated_at=started + timedelta(seconds=100), status="running")
    assert (shown["worked"], shown["percent"], shown["rate_per_s"]) == (200, 20.0, 2.0)
    assert shown["eta"] == (started + timedelta(seconds=500)).isoformat()  # 800 more at 2/s
    paused = progress(total=1000, done=200, skipped=0, started_at=started,
                      updated_at=started + timedelta(seconds=100), status="paused")
    assert paused["eta"] is None and paused["rate_per_s"] == 2.0
    fresh = progress(total=0, done=0, skipped=0, started_at=None, updated_at=None,
                     status="ready")
    assert (fresh["percent"], fresh["rate_per_s"], fresh["eta"]) == (100.0, None, None)
