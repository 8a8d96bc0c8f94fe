"""The payload hash recognises a re-delivered record: it must not move when the model grows."""

from __future__ import annotations

import typing

from pydantic import BaseModel

from shared.domain import model
from shared.domain.model import Money, Underlier
from tests.unit.formats.writers.test_cftc import swap

# Hashes of these events as the model computed them before issue 16 added fields (commit
# cbb2f61): an event that does not use a new field hashes as it always did, so a file sent
# again after an upgrade is a duplicate, not a second report to the TR.
BEFORE_ISSUE_16 = "421f418723a7330b86273ad47427f602ef6983e65263230288963db6f7772976"
WITH_UNDERLIER_BEFORE = "be190487a3818704db32227f3d4174a48085293923f54529ee427ed69dfb41f6"


def test_an_event_hashes_as_before_the_model_grew():
    assert swap().payload_hash() == BEFORE_ISSUE_16
    event = swap()
    event.product.underliers = [Underlier(identifier="US0378331005", source="ISIN")]
    assert event.payload_hash() == WITH_UNDERLIER_BEFORE


def test_a_new_field_in_use_changes_the_hash_and_content_still_counts():
    event = swap()
    event.event_timestamp_text = "2021-03-01T10:00:00.206-05:00"
    assert event.payload_hash() != BEFORE_ISSUE_16
    other = swap()
    other.legs[0].notional = Money(amount=1, currency="USD")
    assert other.payload_hash() != BEFORE_ISSUE_16


def _fields(cls: type[BaseModel], seen: set[type]) -> set[str]:
    if cls in seen:
        return set()
    seen.add(cls)
    names = set(cls.model_fields)
    for info in cls.model_fields.values():
        for arg in typing.get_args(info.annotation) or (info.annotation,):
            for inner in typing.get_args(arg) or (arg,):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    names |= _fields(inner, seen)
    return names


def test_every_listed_addition_is_a_real_field():
    # a misspelt name in HASH_ADDED_FIELDS would silently protect nothing
    assert _fields(model.TradeEvent, set()) >= model.HASH_ADDED_FIELDS
