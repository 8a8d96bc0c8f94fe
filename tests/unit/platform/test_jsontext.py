"""Text PostgreSQL cannot store is found, with its path, before it reaches the database."""

import json

import pytest

from shared.platform.jsontext import first_bad_text


@pytest.mark.parametrize(("document", "path", "reason"), [
    ({"events": [{"uti": "ok"}, {"counterparty": {"name": "a\x00b"}}]},
     "events[1].counterparty.name", "NUL"),
    ({"events": [{"x": json.loads('"\\ud800"')}]}, "events[0].x", "lone surrogate"),
    ({"events": [{"a\x00": 1}]}, "events[0]", "in a key: NUL"),
    (["fine", ["deeper", "\x00"]], "[1][1]", "NUL"),
])
def test_unstorable_text_is_named_by_its_path(document, path, reason):
    found = first_bad_text(document)
    assert found is not None and found[0] == path and reason in found[1]


def test_korean_emoji_and_escapes_are_fine():
    assert first_bad_text({"이름": "한국데모증권 😀", "n": 1.5, "t": None, "u": "\u0001"}) is None
