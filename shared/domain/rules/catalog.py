"""The rule catalogue as Markdown (docs/RULES.md is this module's output).

    .venv/bin/python -m shared.domain.rules.catalog > docs/RULES.md
"""

from __future__ import annotations

from shared.domain.model import ActionType
from shared.domain.regimes import REGISTRY, RegimeCalendar
from shared.domain.rules import all_rules
from shared.domain.rules.base import AREAS, Rule
from shared.domain.rules.combinations import SETTLED

__all__ = ["render_markdown"]

HEADER = """\
# Validation rules (SR-*)

<!-- Generated from the rule registry: do not edit by hand. Regenerate with
     .venv/bin/python -m shared.domain.rules.catalog > docs/RULES.md -->

Every rule the pipeline and `swaprep validate` apply, from `shared/domain/rules/`. A **reject**
stops the record until it is fixed; a **warn** is shown and the report still goes out.
*Field* is the canonical path of the field an issue points at (rules that cover several fields,
such as every LEI or every currency, name the exact one in each issue). *Regimes*: `all`, or
the regimes the rule applies to; *per regime* means the rule is judged separately under each
regime of the event (the outcome depends on the regime). Messages are templates: `{value}` is
the offending value (never shown for a natural person), other `{placeholders}` are filled in
per issue.

Numbers run across areas. Ids SR-ID-001 to SR-TM-030 follow the proposed list in
`reference/swap-reporting-domain.md`; SR-LC-035 and later are additions. Not implemented from
that list: SR-TM-031 (7-business-day error escalation: a monitor concern, not a per-record
rule), SR-AU-032 (submitter authorisation: needs the delegation table), SR-SC-033 (XSD: the
EMIR writer's concern) and SR-ID-034 (idempotency: the ingest ledger enforces it).

The sequence rules (SR-LC-015 to 019, 021, 039 and SR-DT-014) are the refusals of the
lifecycle state machine, `shared/domain/lifecycle.py`, whose docstring has the state table of
each profile: EMIR and KRX (after TERM only CORR or REVI) and CFTC (Appendix F, Figure 1:
a terminated swap still takes MODI, CORR, VALU, MARU, EROR, REVI and PRTO). They are judged
only when the UTI's earlier reports are supplied (the pipeline and `swaprep validate` do).
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _regimes(rule: Rule) -> str:
    text = ", ".join(sorted(rule.regimes)) if rule.regimes is not None else "all"
    return text + (" (per regime)" if rule.per_regime else "")


def _actions(rule: Rule) -> str:
    if rule.actions is None:
        return "all"
    return ", ".join(a.value for a in ActionType if a in rule.actions)  # ISO order


def _deadline(rule: RegimeCalendar) -> str:
    days = ", ".join(f"{kind} T+{n}" for kind, n in sorted(rule.days_by_kind.items()))
    text = f"T+{rule.days}" + (f" ({days}" + (
        f"; other kinds T+{rule.days_other_kind}" if rule.days_other_kind is not None else "")
        + ")" if days else "")
    end = f"{rule.cutoff:%H:%M}" if rule.cutoff else "end of day"
    return f"{text}, {end} {rule.zone_name}"


def _regime_lines(rules: list[Rule]) -> list[str]:
    lines = ["## Regimes: deadlines, calendars and records", "",
             "From `shared/domain/regimes.py`. *Deadline*: business days after the execution "
             "date on the calendar named, the day ending in the zone named. *Own rules*: the "
             "rules that apply to this regime and not to all (the action/event table of "
             "SR-LC-020 is its own where *settled*; elsewhere the CFTC and EMIR lists stand in "
             "and a pair outside them only warns).", "",
             "| Regime | Deadline | Calendar | Records kept | Action/event table | Own rules "
             "| Sources |", "|---|---|---|---|---|---|---|"]
    for key, entry in REGISTRY.items():
        own = ", ".join(r.id for r in rules if r.regimes is not None and key in r.regimes)
        table = "settled" if key in SETTLED else "CFTC+EMIR (warn)"
        lines.append(f"| {entry.display_name} (`{key}`) | {_deadline(entry.deadline)} "
                     f"| {entry.deadline.calendar} | {entry.record_keeping_years} years after "
                     f"termination | {table} | {own or '-'} | {_cell(entry.sources)} |")
    return [*lines, ""]


def _obligation_lines() -> list[str]:
    lines = ["## Regimes: who reports", "",
             "From each regime's `Obligation` in `shared/domain/regimes.py`, which "
             "`shared/domain/obligations/routing.py` applies to every event "
             "(docs/OBLIGATIONS.md). *Sides*: both = each obliged counterparty reports its own "
             "side; one = a hierarchy picks the reporting counterparty. *Scope*: legal entity = "
             "a status covers every trade the legal entity books, its branches' included; "
             "booking = the status of the entity or branch that books the trade.", "",
             "| Regime | Statuses (reporting ones in bold) | Sides | Scope | Reach | Reported "
             "for by law | Source |", "|---|---|---|---|---|---|---|"]
    for key, entry in REGISTRY.items():
        ob = entry.obligation
        if ob is None:
            continue
        statuses = ", ".join(f"**{s}**" if s in ob.self_reporting else s for s in ob.statuses)
        reach = ("EEA" if len(ob.jurisdictions) > 5 else "/".join(sorted(ob.jurisdictions)))
        sides = ob.sides + (f" (follows `{ob.follows}`)" if ob.follows else "")
        lines.append(f"| {entry.display_name} (`{key}`) | {statuses} | {sides} "
                     f"| {ob.scope.replace('-', ' ')} | {reach} "
                     f"| {', '.join(sorted(ob.delegated_for)) or '-'} | {_cell(ob.source)} |")
    return [*lines, ""]


def _correction_lines() -> list[str]:
    lines = ["## Regimes: corrections and verification", "",
             "From each regime's `Correction` in `shared/domain/regimes.py`, which "
             "`shared/domain/corrections.py` turns into a clock on the regime's calendar. "
             "*Period*: business days after the error is found; \"as soon as possible\" "
             "where the rule sets none (the tenant's target then applies).", "",
             "| Regime | Period | Tell | Verification | Source |", "|---|---|---|---|---|"]
    for key, entry in REGISTRY.items():
        c = entry.correction
        period = (f"{c.business_days} business days" if c.business_days is not None
                  else "as soon as possible")
        tell = c.notify + (f" (within {c.notify_within_hours} h)" if c.notify_within_hours
                           else "")
        verify = ", ".join(f"{s if s != '*' else 'others'}: every {d} days"
                           for s, d in c.verify_every_days.items()) or "-"
        lines.append(f"| {entry.display_name} (`{key}`) | {period} | {_cell(tell)} | {verify} "
                     f"| {_cell(c.source)} |")
    return [*lines, ""]


def render_markdown() -> str:
    rules = all_rules()
    lines = [HEADER, *_regime_lines(rules), *_obligation_lines(), *_correction_lines(),
             "## Catalogue", "",
             "| ID | Severity | Field | Regimes | Action types | Message (English) "
             "| Message (Korean) |",
             "|---|---|---|---|---|---|---|"]
    for rule in rules:
        lines.append(f"| {rule.id} | {rule.severity.value} | `{rule.field}` | {_regimes(rule)} "
                     f"| {_actions(rule)} | {_cell(rule.message_en)} | {_cell(rule.message_ko)} |")
    lines += ["", "## What each rule checks, and why", "",
              "| ID | Area | Rule | Source | Notes |", "|---|---|---|---|---|"]
    for rule in rules:
        lines.append(f"| {rule.id} | {AREAS[rule.area]} | {_cell(rule.title)} "
                     f"| {_cell(rule.source)} | {_cell(rule.note)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_markdown(), end="")
