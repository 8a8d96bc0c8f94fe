"""The record plans (mapping.py) build what pydantic's validation builds, or leave it to it.

Every record is read twice: by the mapper as it is (a compiled plan per record shape where it
can vouch for the values) and by one whose plans are switched off (every record validated by
pydantic, the reader before the plans). The events must be the same to the last type and
field set, and the errors the same word for word.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from pydantic import BaseModel

from shared.formats.profiles import parse_profile
from shared.formats.readers import mapping
from shared.formats.readers.base import ParsedRecord
from shared.formats.readers.csv_reader import CsvReader
from swaprep.local.demo import demo_fep_records, generate_fep_csv, kst_today, write_fep_csv


def same(fast: Any, slow: Any, where: str = "event") -> None:
    assert type(fast) is type(slow), where
    if isinstance(fast, BaseModel):
        assert fast.model_fields_set == slow.model_fields_set, where
        assert list(fast.__dict__) == list(slow.__dict__), where
        assert fast.__pydantic_extra__ == slow.__pydantic_extra__, where
        assert fast.__pydantic_private__ == slow.__pydantic_private__, where
        for name, value in fast.__dict__.items():
            same(value, slow.__dict__[name], f"{where}.{name}")
    elif isinstance(fast, list):
        assert len(fast) == len(slow), where
        for i, (a, b) in enumerate(zip(fast, slow, strict=True)):
            same(a, b, f"{where}[{i}]")
    elif isinstance(fast, dict):
        assert list(fast) == list(slow), where
        for key, value in fast.items():
            same(value, slow[key], f"{where}.{key}")
    else:
        assert fast == slow and repr(fast) == repr(slow), where


def read_both(data: bytes, profile: Any = None) -> tuple[list[ParsedRecord], list[ParsedRecord]]:
    fast = list(CsvReader(profile).read(io.BytesIO(data), file_name="fep.csv"))
    with pytest.MonkeyPatch.context() as patch:
        init = mapping.RecordMapper.__init__

        def without_plans(self: mapping.RecordMapper, *args: Any, **kwargs: Any) -> None:
            init(self, *args, **kwargs)
            self._fast = False

        patch.setattr(mapping.RecordMapper, "__init__", without_plans)
        slow = list(CsvReader(profile).read(io.BytesIO(data), file_name="fep.csv"))
    return fast, slow


def assert_same(fast: list[ParsedRecord], slow: list[ParsedRecord]) -> None:
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow, strict=True):
        assert a.errors == b.errors
        assert (a.position, a.raw) == (b.position, b.raw)
        if b.event is None:
            assert a.event is None
        else:
            same(a.event, b.event)
            assert a.event is not None
            assert a.event.model_dump_json() == b.event.model_dump_json()


@pytest.mark.parametrize("broken", [False, True])
def test_the_demo_file_maps_as_pydantic_validates_it(broken: bool) -> None:
    records = demo_fep_records(600, seed=11, day=kst_today(), broken_rows=broken)
    assert_same(*read_both(write_fep_csv(records)))


def test_the_generated_file_maps_as_pydantic_validates_it() -> None:
    data, _ = generate_fep_csv(rows=300)
    fast, slow = read_both(data)
    assert all(r.event is not None for r in fast)
    assert_same(fast, slow)


PROFILE = """
name = "plans"
[format]
timezone = "+09:00"
[columns]
trade_id = "trade_id"
action = { field = "action_type", codes = "action" }
ccy = { field = "legs.0.notional.currency", codes = "ccy" }
amount = "legs.0.notional.amount"
third_leg = "legs.2.fixed_rate"
tenor = "legs.1.floating_tenor"
regimes = "regimes"
desk = "extensions.desk"
multiplier = "legs.0.payment_frequency.multiplier"
unit = "legs.0.payment_frequency.unit"
cp1 = "counterparty_1.name"
[codes.action]
NEW = "NEWT"
[codes.ccy]
WON = " krw "
[defaults]
"counterparty_1.id_type" = "LEI"
"""


@pytest.mark.parametrize("row", [
    "T1,NEW,usd,100,,3M,krx|emir,rates,,Bank",  # a plan builds it
    "T1,,usd,100,,3M,,,,",  # no action type: pydantic's missing-value error
    "T1,NEW,WON,100,,,,,,",  # a code translated to a value with blanks: pydantic strips it
    "T1,NEW,usd,100,0.5,,,,,",  # a third leg: pydantic's too-long error
    "T1,NEW,usd,,,,,,,",  # a currency without an amount: the notional is left out
    "T1,NEW,usd,100,,,,,-1,,MNTH",  # a multiplier below zero: pydantic's constraint error
    "T1,NEW,usd,100,,,,,2,",  # a period without its unit: left out
    "T1,NEW,usd,100,,,,,2,,MNTH",  # a multiplier of its own: pydantic checks it
    "T1,NEWT,usd,100,,1Y,,,,",
    "T1,NEWT,usd,100,,1Y,,,,,MNTH",
])
def test_shapes_a_plan_cannot_vouch_for_go_to_pydantic(row: str) -> None:
    data = ("trade_id,action,ccy,amount,third_leg,tenor,regimes,desk,multiplier,cp1,unit\n"
            f"{row}{',' * (10 - row.count(','))}\n").encode()
    profile = parse_profile(PROFILE)
    fast, slow = read_both(data, profile)
    assert_same(fast, slow)
