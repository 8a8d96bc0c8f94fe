"""UPIs for trades: cache first, then the ANNA DSB, with one cache read per batch (docs/UPI.md).

`resolve` answers a batch of products: one `upi_cache` read for all of them, then one DSB
search per distinct product the cache does not answer (and a creation where the user type
may create), then one write of what was learned. A negative entry (not found, creation
refused, DSB down) is kept until its retry time, so a chunk of trades on one unknown product
asks the DSB once, and the next chunk not at all.

`fill_upis` is the pipeline's step: each event that must carry a UPI (a NEWT, POSC, MODI or
CORR owed under a regime that requires one) and has none gets the UPI, or the reason none
could be had as the `upi_unavailable` extension that rule SR-ID-046 turns into an issue;
the event is kept either way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from shared.adapters.db import upi_cache
from shared.adapters.dsb.base import DsbRefused, DsbUnauthorized, DsbUnreachable
from shared.domain.model import ActionType, TradeEvent
from shared.domain.rules.identifiers import UPI_REGIMES
from shared.domain.upi import (
    UNAVAILABLE_EXTENSION,
    MissingAttribute,
    ProductAttributes,
    Unavailable,
    UnavailableReason,
    UpiRecord,
    product_attributes,
)
from shared.platform.logging import get_logger
from shared.services.ports import ProductIdentifiers

log = get_logger("swaprep.upi")

NEEDS_UPI = frozenset({ActionType.NEWT, ActionType.POSC, ActionType.MODI, ActionType.CORR})
UNREACHABLE_RETRY = timedelta(minutes=15)
# New UPIs reach fee-paying users' EOD file shortly after 00:00 UTC, free users' at T+1
# 23:55 UTC (anna-dsb.com "UPI user types"): a product not found is asked for again then.
PAID_RETRY_AT, FREE_RETRY_AT = time(0, 5), time(23, 55)


@dataclass(frozen=True)
class Found:
    upi: str
    source: str  # cache, search, create


Answer = Found | Unavailable


def resolve(conn: Any, dsb: ProductIdentifiers | None, products: Iterable[ProductAttributes],
            *, now: datetime) -> dict[str, Answer]:
    """Each distinct product's UPI or why there is none, by `ProductAttributes.key`. With no
    DSB (`dsb` None), only the cache answers and a product it lacks is absent."""
    wanted = {p.key: p for p in products}
    cached = upi_cache.entries(conn, wanted)
    answers: dict[str, Answer] = {}
    learned: list[dict[str, Any]] = []
    for key, product in wanted.items():
        entry = cached.get(key)
        if entry is not None and entry["upi"]:
            answers[key] = Found(entry["upi"], "cache")
            continue
        if entry is not None and entry["retry_after"] > now:
            answers[key] = Unavailable(UnavailableReason(entry["unavailable_reason"]),
                                       product.describe(), entry["unavailable_detail"] or "",
                                       attributes_ko=product.describe_ko())
            continue
        if dsb is None:
            continue
        answer, source = _ask(dsb, product)
        answers[key] = answer
        learned.append(_entry(key, product, answer, source, now, dsb))
    if learned:
        upi_cache.store(conn, learned)
    return answers


def _ask(dsb: ProductIdentifiers, product: ProductAttributes) -> tuple[Answer, str]:
    en, ko = product.describe(), product.describe_ko()
    try:
        match = next((r for r in dsb.search(product) if r.attributes == product), None)
        if match is not None:
            return Found(match.code, "search"), "search"
        if not (dsb.user_type.can_create and dsb.user_type.api):
            return Unavailable(UnavailableReason.NOT_FOUND, en, f"user type {dsb.user_type.name}",
                               f"사용자 유형 {dsb.user_type.name}", ko), "search"
        created = dsb.create(product)
        return Found(created.code, "create"), "create"
    except DsbRefused as exc:
        return Unavailable(UnavailableReason.CREATE_REFUSED, en, str(exc),
                           attributes_ko=ko), "create"
    except DsbUnauthorized as exc:
        log.error("the DSB refused our credentials", extra={"error": str(exc)})
        return Unavailable(UnavailableReason.UNREACHABLE, en, "credentials refused",
                           "인증 거절", ko), "search"
    except DsbUnreachable as exc:
        log.warning("the DSB did not answer", extra={"error": str(exc)})
        return Unavailable(UnavailableReason.UNREACHABLE, en, str(exc),
                           attributes_ko=ko), "search"


def _entry(key: str, product: ProductAttributes, answer: Answer, source: str, now: datetime,
           dsb: ProductIdentifiers) -> dict[str, Any]:
    base = {"key": key, "attributes": product.as_dict(), "source": source, "fetched_at": now}
    if isinstance(answer, Found):
        return {**base, "upi": answer.upi}
    if answer.reason is UnavailableReason.UNREACHABLE:
        retry = now + UNREACHABLE_RETRY
    else:
        at = FREE_RETRY_AT if dsb.user_type.free else PAID_RETRY_AT
        retry = datetime.combine(now.date(), at, now.tzinfo)
        retry += timedelta(days=1) if retry <= now else timedelta(0)
    return {**base, "reason": answer.reason.value, "detail": answer.detail or None,
            "retry_after": retry}


def needs_upi(event: TradeEvent, regimes: Sequence[str]) -> bool:
    return (not event.product.upi and event.action_type in NEEDS_UPI
            and any(r in UPI_REGIMES for r in regimes))


def fill_upis(conn: Any, dsb: ProductIdentifiers | None,
              events: Sequence[tuple[TradeEvent, Sequence[str]]], *, now: datetime) -> list[int]:
    """Give each event of `events` (event, regimes owed) that needs a UPI its UPI, or the
    reason none could be had; one `resolve` for the batch. Returns the indices changed."""
    wanted: dict[int, ProductAttributes | MissingAttribute] = {}
    for index, (event, regimes) in enumerate(events):
        if needs_upi(event, regimes):
            try:
                wanted[index] = product_attributes(event)
            except MissingAttribute as exc:
                wanted[index] = exc
    if not wanted:
        return []
    answers = resolve(conn, dsb, [p for p in wanted.values()
                                  if isinstance(p, ProductAttributes)], now=now)
    changed = []
    for index, product in wanted.items():
        event = events[index][0]
        if isinstance(product, MissingAttribute):
            answer: Answer | None = Unavailable(
                UnavailableReason.ATTRIBUTES, "its product", str(product), product.message_ko,
                "상품")
        else:
            answer = answers.get(product.key)
        if answer is None:
            continue  # no DSB and not cached: SR-ID-009 says the UPI is missing
        if isinstance(answer, Found):
            event.product.upi = answer.upi
            event.extensions.pop(UNAVAILABLE_EXTENSION, None)
        else:
            event.extensions[UNAVAILABLE_EXTENSION] = answer.as_extension()
        changed.append(index)
    return changed


def with_upis(conn: Any, dsb: ProductIdentifiers | None, prepared: list[Any], *,
              now: datetime) -> list[Any]:
    """The process stage's step over its `(Prepared, file id, row no)` items: the events that
    needed a UPI get it (or the reason), and their payload hash is taken again so that it
    stays the hash of what is stored."""
    from dataclasses import replace

    changed = fill_upis(conn, dsb, [(p.event, p.regimes) for p, _, _ in prepared], now=now)
    out = list(prepared)
    for index in changed:
        item, file_id, row_no = out[index]
        filled = (*item.filled, "product.upi: from the ANNA DSB"
                  if item.event.product.upi else "product.upi: none from the ANNA DSB")
        out[index] = (replace(item, filled=filled, payload_hash=item.event.payload_hash()),
                      file_id, row_no)
    return out


def load_eod(conn: Any, records: Iterable[UpiRecord], *, now: datetime) -> int:
    """Put an EOD file's UPIs in the cache (replacing negative entries); returns how many."""
    items = [{"key": r.attributes.key, "upi": r.code, "attributes": r.attributes.as_dict(),
              "source": "eod", "fetched_at": now} for r in records]
    for start in range(0, len(items), 1000):
        upi_cache.store(conn, items[start:start + 1000])
    return len(items)


def lookup_code(conn: Any, dsb: ProductIdentifiers | None, code: str, *,
                now: datetime) -> dict[str, Any] | None:
    """A UPI's attributes: the cache, else the DSB (and cached then)."""
    row = upi_cache.by_code(conn, code)
    if row is not None:
        return {"upi": code, "attributes": row["attributes"], "source": "cache"}
    if dsb is None:
        return None
    record = dsb.lookup(code)
    if record is None:
        return None
    upi_cache.store(conn, [{"key": record.attributes.key, "upi": record.code,
                            "attributes": record.attributes.as_dict(), "source": "lookup",
                            "fetched_at": now}])
    return {"upi": record.code, "attributes": record.attributes.as_dict(), "source": "lookup"}


def describe(answer: Answer | None) -> str:
    if answer is None:
        return "not cached, and no DSB configured"
    if isinstance(answer, Found):
        return f"{answer.upi} ({answer.source})"
    return json.dumps(answer.as_extension(), ensure_ascii=False)
