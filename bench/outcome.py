"""Did a benchmark's data end the way its generator intended? One check for every bench.

A bench that measures a pipeline also proves it measured the right thing: the generator
(swaprep/local/demo.py) says of every record what should become of it (its `Intent`: `ack`,
`nack` with the TR's code, `invalid` with its reject rules, `parse_error` with its codes, or
`duplicate`); the bench counts the final states the same way and compares. Counts are keyed
by outcome ("nack") and by outcome and code ("nack TR-VA-001", "invalid SR-ID-004"); a record
with two reject rules counts once under "invalid" and once under each rule. Any state nothing
intends (an event left "submitted", a row left "stored") gets a key of its own, so it shows
up as a difference too.

Pure (no stack, no database): the benches query, this module compares and prints.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

# The generator's outcomes, in the order the table lists them; `valid` stands for ack and
# nack where no TR judges (the domain stages alone).
OUTCOMES = ("ack", "nack", "valid", "invalid", "parse_error", "duplicate")
# trade_events.state -> the outcome it is final for
EVENT_OUTCOMES = {"acked": "ack", "nacked": "nack", "invalid": "invalid"}
EXIT_MISMATCH = 1


def tally(counts: Counter[str], outcome: str, codes: Iterable[str] = ()) -> None:
    """Count one record: under its outcome and under each of its codes."""
    counts[outcome] += 1
    for code in set(codes):
        counts[f"{outcome} {code}"] += 1


def intended_counts(intents: Iterable[Any], *, tr: bool = True) -> Counter[str]:
    """What the generator intended, from its records' `Intent`s (swaprep.local.demo.Intent).

    With `tr` (a TR judges the reports) ack and nack are apart and nacks carry the TR's code;
    without, both are `valid` (our rules pass them), as the domain stages see them."""
    counts: Counter[str] = Counter()
    for intent in intents:
        if intent.outcome in ("ack", "nack"):
            if not tr:
                tally(counts, "valid")
            else:
                tally(counts, intent.outcome, [intent.tr_code] if intent.tr_code else ())
        elif intent.outcome == "invalid":
            tally(counts, "invalid", intent.rules)
        elif intent.outcome == "parse_error":
            tally(counts, "parse_error", intent.parse_codes)
        else:
            tally(counts, intent.outcome)
    return counts


def pipeline_counts(*, events: Mapping[str, int], rows: Mapping[str, int], duplicates: int,
                    nack_codes: Mapping[str, int] | None = None,
                    reject_rules: Mapping[str, int] | None = None,
                    parse_codes: Mapping[str, int] | None = None) -> Counter[str]:
    """The final states of one pipeline run (one tenant's tables) keyed as `intended_counts`.

    events: trade_events per state (acked, nacked, invalid are final; any other state counts
    as "event <state>"); rows: raw_rows per state ("parse_error" is final, "event" rows are
    the events above, any other as "row <state>"); duplicates: raw rows marked duplicate;
    nack_codes: nacked events per TR code; reject_rules: invalid events per reject rule;
    parse_codes: parse-error rows per parse code."""
    counts: Counter[str] = Counter()
    for state, n in events.items():
        counts[EVENT_OUTCOMES.get(state, f"event {state}")] += n
    for state, n in rows.items():
        if state == "parse_error":
            counts["parse_error"] += n
        elif state != "event":
            counts[f"row {state}"] += n
    counts["duplicate"] += duplicates
    for prefix, by_code in (("nack", nack_codes), ("invalid", reject_rules),
                            ("parse_error", parse_codes)):
        for code, n in (by_code or {}).items():
            counts[f"{prefix} {code}"] += n
    return +counts  # without zeros


@dataclass(frozen=True)
class Comparison:
    """Intended and actual count per key, every key either side has (zeros left out)."""

    rows: tuple[tuple[str, int, int], ...]  # (key, intended, actual), in table order

    @property
    def differences(self) -> tuple[tuple[str, int, int], ...]:
        return tuple(row for row in self.rows if row[1] != row[2])

    @property
    def ok(self) -> bool:
        return not self.differences

    def table(self) -> str:
        """A markdown table: outcome, code or rule, intended, actual, difference."""
        lines = ["| outcome | code / rule | intended | actual | difference |",
                 "| --- | --- | --- | --- | --- |"]
        for key, intended, actual in self.rows:
            outcome, _, code = key.partition(" ")
            diff = actual - intended
            mark = f"**{diff:+,}**" if diff else "="
            lines.append(f"| {outcome} | {code} | {intended:,} | {actual:,} | {mark} |")
        return "\n".join(lines)

    def summary(self) -> str:
        """The differences in one line: `nack TR-VA-001: intended 0, actual 120 (+120)`."""
        return "; ".join(f"{key}: intended {i:,}, actual {a:,} ({a - i:+,})"
                         for key, i, a in self.differences)


def _order(key: str) -> tuple[int, str, str]:
    outcome, _, code = key.partition(" ")
    rank = OUTCOMES.index(outcome) if outcome in OUTCOMES else len(OUTCOMES)
    return rank, outcome if rank == len(OUTCOMES) else "", code


def compare(intended: Mapping[str, int], actual: Mapping[str, int]) -> Comparison:
    keys = sorted({k for k, v in intended.items() if v} | {k for k, v in actual.items() if v},
                  key=_order)
    return Comparison(tuple((k, intended.get(k, 0), actual.get(k, 0)) for k in keys))


def check_outcome(intended: Mapping[str, int], actual: Mapping[str, int], *, what: str,
                  out: TextIO | None = None, err: TextIO | None = None) -> bool:
    """Print intended against actual counts; when they differ, say so loudly (on `err` as
    well) with every difference, and return False: the bench then exits non-zero."""
    out, err = out or sys.stdout, err or sys.stderr
    result = compare(intended, actual)
    print(f"\noutcome check ({what}): final states against the generator's intent", file=out)
    print(result.table(), file=out)
    if result.ok:
        print("outcome check: OK, every count as the generator intended", file=out, flush=True)
        return True
    banner = (f"OUTCOME MISMATCH ({what}): {len(result.differences)} count(s) differ from "
              f"the generator's intent: {result.summary()}")
    print(banner, file=out, flush=True)
    if err is not out:
        print(banner, file=err, flush=True)
    return False
