"""Where a trade names its counterparties: once as the parties themselves
(`counterparty_1.identifier`, `counterparty_2.identifier`) and again, by that identifier, as
the payer and receiver of each leg and of each other payment (enrichment fills them from the
parties and the direction).

So the one field that holds a counterparty's LEI is the party's identifier; the payer and
receiver fields only refer to it. A correction of a party's identifier must carry over to the
references, or the edited event would name a payer that is neither counterparty. Works on an
event as the API and the repair see it (`TradeEvent.model_dump(mode="json")`); pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any

PARTY_PATHS = ("counterparty_1.identifier", "counterparty_2.identifier")
# The lists whose items name a party by its identifier, and the fields that do.
_REFERRING = {"legs": ("payer", "receiver"), "other_payments": ("payer", "receiver")}
_REFERENCE = re.compile(r"^(legs|other_payments)\[\d+\]\.(payer|receiver)$")


def is_reference(path: str) -> bool:
    """`legs[0].payer`, `other_payments[1].receiver`: a field naming a party it refers to."""
    return bool(_REFERENCE.match(path))


def holder(paths: set[str]) -> str | None:
    """Of the fields that hold one value, the party identifier they all go back to: one party
    path plus only references to it; None when the value sits in more than one field of its
    own (then no single correction is implied)."""
    own = [p for p in paths if not is_reference(p)]
    if len(own) == 1 and (own[0] in PARTY_PATHS or len(paths) == 1):
        return own[0]
    return None


def carry_party_changes(before: Mapping[str, Any], after: MutableMapping[str, Any]) -> list[str]:
    """In `after` (an edited copy of `before`), every payer or receiver that named a party by
    the identifier the edit changed now names it by the new one. Returns the paths changed."""
    renamed: dict[str, str] = {}
    for side in ("counterparty_1", "counterparty_2"):
        old = (before.get(side) or {}).get("identifier")
        new = (after.get(side) or {}).get("identifier")
        if old and new and old != new:
            renamed[old] = new
    if not renamed:
        return []
    carried = []
    for list_name, fields in _REFERRING.items():
        for index, item in enumerate(after.get(list_name) or []):
            if not isinstance(item, MutableMapping):
                continue
            for name in fields:
                if item.get(name) in renamed:
                    item[name] = renamed[item[name]]
                    carried.append(f"{list_name}[{index}].{name}")
    return carried
