"""The rules catalogue's user text (GET /api/rules, the console's rule card) names regulations,
never the code's internals: no module paths, file names or the context's attribute names."""

import re

import pytest

from shared.api.routes.rules import rule_view
from shared.domain.rules import all_rules

INTERNAL = re.compile(r"\w+\.py\b|\bshared[./]\w|\bcontext\.\w|`")


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_rule_text_has_no_internal_paths(rule: object) -> None:
    view = rule_view(rule)
    for field in ("title", "title_ko", "source", "note", "message_en", "message_ko"):
        assert not INTERNAL.search(view[field] or ""), f"{view['id']} {field}: {view[field]}"
