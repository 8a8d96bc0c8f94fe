"""Validation judges a batch's events against their UTI's sequence in one pass per UTI; an
event out of order, or missing from the sequence, is still judged against what precedes it."""

import uuid

from shared.domain.model import ActionType, Level
from shared.services.pipeline.validation import _Item, _Past, _Walk


def _item(state: str, action: str = "MODI") -> _Item:
    return _Item(uuid.uuid4(), state, _Past(ActionType(action), None, Level.TCTN, None))


def test_each_event_sees_the_accepted_events_before_it_and_the_first_still_unjudged():
    newt, modi, waiting, term = (_item("valid", "NEWT"), _item("acked"), _item("received"),
                                 _item("received", "TERM"))
    walk = _Walk([newt, modi, waiting, term])
    assert walk.before(modi.id) == (None, [newt.past])
    assert walk.before(waiting.id) == (None, [newt.past, modi.past])
    assert walk.before(term.id) == (waiting, [newt.past, modi.past])


def test_an_event_out_of_order_or_missing_is_judged_against_the_whole_past_again():
    newt, modi, later = _item("valid", "NEWT"), _item("valid"), _item("received")
    walk = _Walk([newt, modi, later])
    assert walk.before(later.id) == (None, [newt.past, modi.past])
    assert walk.before(modi.id) == (None, [newt.past])  # behind the walk: starts over
    assert walk.before(uuid.uuid4()) == (later, [newt.past, modi.past])  # not in the sequence
