from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from shared.services.reads.filters import (
    ErrorItemsQuery,
    FilesQuery,
    StatsQuery,
    TradesQuery,
)


def refused(model, **params) -> str:
    with pytest.raises(ValidationError) as caught:
        model(**params)
    assert isinstance(caught.value, ValueError)
    return str(caught.value)


def test_limit_defaults_to_50_and_is_bounded_to_500():
    assert TradesQuery().limit == 50
    assert TradesQuery(limit="500").limit == 500
    assert "limit" in refused(TradesQuery, limit=501)
    assert "limit" in refused(TradesQuery, limit=0)
    assert "limit" in refused(TradesQuery, limit="ten")


def test_lists_come_as_lists_or_comma_separated_and_unknown_values_are_named():
    assert TradesQuery(state="acked, nacked").state == ["acked", "nacked"]
    assert TradesQuery(regime=["krx", "emir"]).regime == ["krx", "emir"]
    message = refused(TradesQuery, state="acked,shipped")
    assert "state.1" in message and "'acked'" in message and "shipped" in message
    assert "regime" in refused(TradesQuery, regime="esma")
    assert "asset_class" in refused(TradesQuery, asset_class="IR")
    assert "action_type" in refused(TradesQuery, action_type="NEW")
    assert "status" in refused(FilesQuery, status="parsed,lost")
    assert "state" in refused(TradesQuery, state=",".join(["acked"] * 21))


def test_unknown_parameters_are_refused():
    assert "sort" in refused(TradesQuery, sort="uti; DROP TABLE trades")


def test_text_is_bounded_and_free_of_control_characters():
    assert TradesQuery(uti="  ABC ").uti == "ABC"
    assert "uti" in refused(TradesQuery, uti="A" * 53)
    assert "counterparty" in refused(TradesQuery, counterparty="x" * 201)
    assert "control characters" in refused(TradesQuery, q="a\x00b")
    assert "q" in refused(TradesQuery, q="   ")
    assert TradesQuery(q="' OR 1=1 --").q == "' OR 1=1 --"  # a value, not an error


def test_date_ranges_must_be_ordered_and_naive_times_are_utc():
    q = TradesQuery(executed_from="2026-11-20T00:00:00", executed_to="2026-11-21T00:00:00+09:00")
    assert q.executed_from == datetime(2026, 11, 20, tzinfo=UTC)
    assert "executed_from must not be after executed_to" in refused(
        TradesQuery, executed_from="2026-11-22T00:00:00Z", executed_to="2026-11-21T00:00:00Z")
    assert "updated_from" in refused(TradesQuery, updated_from="yesterday")


def test_stats_periods_zones_and_units():
    q = StatsQuery(date_from="2026-11-01", date_to="2026-11-30")
    assert (q.tz, q.unit, q.date_from) == ("Asia/Seoul", "day", date(2026, 11, 1))
    assert "unknown time zone 'Mars/Olympus'" in refused(
        StatsQuery, date_from="2026-11-01", date_to="2026-11-02", tz="Mars/Olympus")
    assert "unit" in refused(StatsQuery, date_from="2026-11-01", date_to="2026-11-02",
                             unit="hour")
    assert "at most three years" in refused(StatsQuery, date_from="2020-01-01",
                                            date_to="2026-01-01")
    assert "date_from must not be after date_to" in refused(
        StatsQuery, date_from="2026-11-02", date_to="2026-11-01")


def test_error_items_status_only_for_rules():
    assert ErrorItemsQuery(kind="rule", key="SR-1", status="open").status == ["open"]
    assert "only for kind=rule" in refused(ErrorItemsQuery, kind="queue", key="q",
                                           status="open")
    assert "kind" in refused(ErrorItemsQuery, kind="table", key="x")


def test_the_cursor_fingerprint_covers_filters_but_not_paging():
    a = TradesQuery(state="acked", limit=5, cursor="abc").filters()
    assert a == TradesQuery(state=["acked"]).filters() == {"state": ["acked"], "regime": [],
                                                           "asset_class": [],
                                                           "action_type": [],
                                                           "sort": "updated_at",
                                                           "order": "desc"}
    # the order is part of what a cursor is bound to
    assert TradesQuery(sort="uti").filters() != TradesQuery().filters()


def test_every_sort_the_api_offers_has_a_keyset_order():
    from typing import get_args

    from shared.adapters.db.reads.trades import SORT_KEYS
    from shared.services.reads.filters import TradeSort

    assert set(get_args(TradeSort)) == set(SORT_KEYS)
    for keys, names in SORT_KEYS.values():  # the UTI last: unique per tenant
        assert keys[-1].column == "t.uti" and names[-1] == "uti" and len(keys) == len(names)
