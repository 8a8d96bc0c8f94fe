"""Demo data for `swaprep up --demo`: a tenant, two users and three sample FEP files.

The files are generated deterministically: the same day (and seed) gives the same bytes, so a
restart on the same day uploads nothing "new"; they are uploaded only while the demo tenant has
no files yet. Trades are dated on the Korean business days before the upload day, so that at
upload some reports are late and some are due today (at risk while they wait for repair).

- `fep-demo-irs-fx.csv` (default profile, UTF-8): ~3,000 events of rates (KRW and USD
  fixed/float swaps, KRW OIS and basis swaps) and FX (forwards, swaps, NDFs) with their
  lifecycle (NEWT, MODI, TERM, VALU, EROR, REVI) and about one row in ten wrong the way FEP
  exports go wrong: broken LEI check digits, an unknown currency, a missing notional, swapped
  dates, a MODI of an unknown UTI or of a refused or terminated trade, a cleared trade not
  valued by its CCP, malformed numbers and dates (parse errors), an unknown action code and
  re-sent rows (duplicates); plus records the TR simulator NACKs (a counterparty LEI its
  register does not list, a valuation older than 14 days).
- `kr-fep-demo.csv` (the `kr-fep` profile: CP949, Korean headers and codes, KST): a smaller
  Korean FEP export without UTIs (they are generated from the tenant's LEI and trade id).
- `fpml-demo.xml`: FpML 5.10 execution reports (KRW and USD swaps, FX forwards, NDFs and FX
  swaps), as a confirmation platform sends them.
- `fep-branches.csv` (default profile, with `booking_entity` and the other side's country,
  nature and clearing threshold): the London and Singapore branches' books. The tenant has
  entities (issue 17: `DEMO_ENTITIES`, `DEMO_AGREEMENTS`): a Seoul head office reporting to
  KRX, a London branch that is a UK EMIR FC, a Singapore branch reporting to MAS, and a UK
  NFC- client London must report for (EMIR Art. 9(1a)); so routing decides KRX only for the
  other files, KRX + UK EMIR for London, KRX + MAS for Singapore, and a mandatory report on
  the client's behalf.

Every record carries its `Intent` (what the pipeline should make of it: acked, nacked with a
TR code, invalid with rule ids, parse error, or duplicate), so tests compare intent with outcome
row by row instead of trusting totals.
"""

from __future__ import annotations

import calendar
import csv
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import psycopg

from shared.domain.identifiers import lei_with_check_digits

DEMO_TENANT = "demo-bank"
DEMO_TENANT_NAME = "Demo Bank Korea"
# Its head office reports to the KRX TR; its London branch under UK EMIR, its Singapore branch
# to MAS (each trade they book also goes to KRX: a Korean firm reports its branches' trades).
DEMO_REGIMES = ("krx", "uk-emir", "mas")
DEMO_USERS = (("demo-admin", "admin"), ("demo-viewer", "viewer"))
# A Korean securities firm whose London and Singapore desks report under UK EMIR and MAS as
# well as to the KRX TR: every trade of its FpML file is reported under all three regimes.
GLOBAL_TENANT = "demo-global"
GLOBAL_TENANT_NAME = "Demo Securities Seoul (London, Singapore desks)"
GLOBAL_REGIMES = ("krx", "uk-emir", "mas")
GLOBAL_USERS = (("global-viewer", "viewer"),)
GLOBAL_FPML_TRADES = 30
# Demo UPIs (ISO 4914 shape: QZ and ten characters) per product, as the ANNA DSB would give
# them: UK EMIR and MAS require a UPI on every new trade (SR-ID-009).
DEMO_UPIS = {"irs-krw": "QZDEMOIRSKRW", "irs-usd": "QZDEMOIRSUSD", "fx-forward": "QZDEMOFXFWD0",
             "ndf": "QZDEMOFXNDF0", "fx-swap": "QZDEMOFXSWP0"}
DEMO_COUNTERPARTIES = ("한국데모증권", "Alpha Global Bank", "서울자산운용", "Beta Securities Tokyo",
                       "부산해운", "Gamma Markets Singapore")
# A day with demo business days before it (Fri 20 Nov 2026 and earlier): the default for
# callers that do not say which day the file is made.
DEFAULT_DAY = date(2026, 11, 21)
# A clean valuation must still be fresh when the TR judges it (at most 14 days old:
# swaprep/trsim/checks.py STALE_VALUATION) on the upload day and the day after. After a long
# holiday (Chuseok with the weekends around it) the five business days before the upload day
# reach back 14 calendar days, so only trades last touched within this window are valued.
VALUATION_WINDOW = timedelta(days=12)
DEMO_CSV_ROWS, DEMO_KR_ROWS, DEMO_FPML_TRADES = 3000, 150, 60
KST = timezone(timedelta(hours=9), "KST")
CSV_COLUMNS = (
    "trade_id", "uti", "action_type", "event_type", "execution_timestamp", "event_timestamp",
    "effective_date", "expiration_date", "asset_class", "product", "counterparty_1_lei",
    "counterparty_2_lei", "counterparty_2_name", "direction", "notional_1", "notional_currency_1",
    "notional_2", "notional_currency_2", "fixed_rate", "floating_index", "floating_tenor",
    "spread_bps", "cleared", "ccp_lei", "execution_venue",
    # added with the lifecycle and product mix (default profile columns)
    "early_termination_date", "floating_index_1", "floating_tenor_1", "exchange_rate",
    "exchange_rate_basis", "settlement_currency", "delivery_type", "fixing_date",
    "valuation_amount", "valuation_currency", "valuation_method", "valuation_timestamp",
)
_IDENTITY = ("trade_id", "uti", "action_type", "event_type", "execution_timestamp",
             "event_timestamp", "effective_date", "expiration_date", "asset_class", "product",
             "counterparty_1_lei", "counterparty_2_lei", "counterparty_2_name", "cleared",
             "ccp_lei", "execution_venue")


def demo_lei(n: int) -> str:
    return lei_with_check_digits(f"9884DEMO{n:010d}")


# Well-formed, but the TR simulator's LEI register does not list it (swaprep/trsim/checks.py
# UNREGISTERED_LEIS): its reports are NACKed with TR-ID-003 although our rules pass them.
UNREGISTERED_LEI = demo_lei(199)
UNREGISTERED_NAME = "Omega Capital Partners"
CCP_LEI = demo_lei(9000)

# The demo tenant's entities and its one delegation agreement, as the API stores them
# (shared.adapters.db.entities; checked by shared.domain.obligations.entities on seeding).
DEMO_ENTITIES = (
    {"entity_id": "SEOUL-HO", "name": "Demo Bank Korea, Seoul head office", "kind": "head_office",
     "country": "KR", "lei": demo_lei(1), "parent": None, "statuses": {"krx": "REPORTING"}},
    {"entity_id": "LONDON-BR", "name": "Demo Bank Korea, London branch", "kind": "branch",
     "country": "GB", "lei": None, "parent": "SEOUL-HO", "statuses": {"uk-emir": "FC"}},
    {"entity_id": "SINGAPORE-BR", "name": "Demo Bank Korea, Singapore branch",
     "kind": "branch", "country": "SG", "lei": None, "parent": "SEOUL-HO",
     "statuses": {"mas": "REPORTING"}},
)
# The London branch's counterparties (UK financial ones; a UK NFC- client it reports for by
# law) and the Singapore branch's (financial ones there): (name, LEI, country, nature,
# above the clearing threshold).
UK_COUNTERPARTIES = (("Delta Bank London", demo_lei(301), "GB", "F", ""),
                     ("Epsilon Insurance UK", demo_lei(302), "GB", "F", ""))
UK_CLIENT = ("Zeta Manufacturing UK", demo_lei(303), "GB", "N", "N")  # NFC-
SG_COUNTERPARTIES = (("Theta Bank Singapore", demo_lei(311), "SG", "F", ""),
                     ("Iota Asset Management SG", demo_lei(312), "SG", "F", ""))
DEMO_AGREEMENTS = (
    {"client_lei": UK_CLIENT[1], "client_name": UK_CLIENT[0], "regime": "uk-emir",
     "capacity": "mandatory", "delegate": "LONDON-BR", "valid_from": date(2026, 1, 1),
     "valid_to": None, "client_status": "NFC-", "opted_out": False},
)


def demo_book():
    """The demo tenant's `EntityBook` (routing's view of DEMO_ENTITIES and DEMO_AGREEMENTS)."""
    from shared.domain.obligations.entities import book_from_rows

    return book_from_rows(DEMO_ENTITIES, DEMO_AGREEMENTS)


@dataclass(frozen=True)
class Intent:
    """What the pipeline should make of one record.

    outcome: `ack` (reported and acknowledged), `nack` (the TR refuses it with `tr_code`),
    `invalid` (validation rejects it with exactly the reject rules in `rules`), `parse_error`
    (the reader refuses it with `parse_codes`), `duplicate` (a re-sent copy of an earlier
    record: not a second event).
    """

    outcome: str
    mistake: str | None = None  # which deliberate mistake, e.g. "lei-check-digits"
    rules: frozenset[str] = frozenset()
    parse_codes: frozenset[str] = frozenset()
    tr_code: str | None = None


CLEAN = Intent("ack")


@dataclass
class DemoRecord:
    row: dict[str, str]
    intent: Intent


# -- days and clocks -------------------------------------------------------------------------


def kst_today(now: datetime | None = None) -> date:
    """The Korean calendar day: the demo is a Korean bank's."""
    return (now or datetime.now(UTC)).astimezone(KST).date()


def business_days_before(day: date, count: int) -> list[date]:
    """The `count` Korean business days before `day`, latest first."""
    from shared.domain.calendars import is_business_day

    days: list[date] = []
    current = day
    while len(days) < count:
        current -= timedelta(days=1)
        if is_business_day("krx", current):
            days.append(current)
    return days


def _seed_for(day: date, seed: int | None) -> int:
    return int(f"{day:%Y%m%d}") if seed is None else seed


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


# -- the main FEP export (default profile) ---------------------------------------------------


@dataclass(eq=False)  # identity: trades are tracked in pools, never compared by terms
class _Trade:
    row: dict[str, str]  # the trade's current terms as a CSV row
    kind: str
    cleared: bool
    last: datetime  # its latest event: the next one comes after it
    state: str = "live"  # live, terminated, errored, refused (NEWT invalid), closed


class _Pool:
    """The trades in one state: O(1) add, remove and random pick (swap-remove), so a
    million-row export (bench/) is generated in linear time."""

    def __init__(self) -> None:
        self.items: list[_Trade] = []
        self.index: dict[int, int] = {}  # id(trade) -> position in items

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def __getitem__(self, position: int) -> _Trade:
        return self.items[position]

    def add(self, trade: _Trade) -> None:
        self.index[id(trade)] = len(self.items)
        self.items.append(trade)

    def discard(self, trade: _Trade) -> None:
        position = self.index.pop(id(trade), None)
        if position is None:
            return
        last = self.items.pop()
        if last is not trade:
            self.items[position] = last
            self.index[id(last)] = position

    def sample(self, rng: random.Random, accept, tries: int = 16) -> _Trade | None:
        """A random trade `accept` takes: a few random draws, then a full scan."""
        for _ in range(tries if self.items else 0):
            trade = self.items[rng.randrange(len(self.items))]
            if accept(trade):
                return trade
        room = [t for t in self.items if accept(t)]
        return rng.choice(room) if room else None


_PRODUCTS = (  # kind, weight
    ("irs-krw", 30), ("irs-usd", 10), ("ois-krw", 7), ("basis-krw", 5),
    ("fx-forward", 25), ("fx-swap", 10), ("ndf", 13),
)


class _Desk:
    """Generates one FEP export: new trades and lifecycle events over the last business
    days, with deliberate mistakes, keeping each trade's state as the TR will see it."""

    def __init__(self, rng: random.Random, day: date, broken_rows: bool) -> None:
        self.rng = rng
        self.day = day
        self.broken_rows = broken_rows  # parse errors and duplicates (not for reader tests)
        self.days = business_days_before(day, 5)
        # nothing is stamped on or after the upload day: the file is yesterday's and earlier
        self.cutoff = datetime.combine(day, time(0), KST).astimezone(UTC) - timedelta(minutes=1)
        self.fresh_from = self.cutoff - VALUATION_WINDOW  # a clean valuation is stamped after
        self.reporting_lei = demo_lei(1)
        self.records: list[DemoRecord] = []
        self.trades: dict[str, _Pool] = {s: _Pool() for s in (
            "live", "terminated", "errored", "refused", "backdated")}
        self.clean_newts: list[dict[str, str]] = []
        self.n = 0

    # ---------------------------------------------------------------- emitting
    def emit(self, row: dict[str, str], intent: Intent = CLEAN) -> None:
        self.records.append(DemoRecord(dict(row), intent))
        if intent == CLEAN and row["action_type"] == "NEWT":
            self.clean_newts.append(dict(row))

    def move(self, trade: _Trade, state: str) -> None:
        if trade.state in self.trades:
            self.trades[trade.state].discard(trade)
        trade.state = state
        if state in self.trades:
            self.trades[state].add(trade)

    def pick(self, state: str, *, since: datetime | None = None) -> _Trade | None:
        """A random trade in `state` with room for an event before the cutoff (and, with
        `since`, last touched after it)."""
        return self.trades[state].sample(
            self.rng, lambda t: t.last + timedelta(hours=4) < self.cutoff
            and (since is None or t.last >= since))

    def next_stamp(self, trade: _Trade) -> datetime:
        stamp = trade.last + timedelta(minutes=self.rng.randint(15, 200), seconds=self.n % 60)
        trade.last = min(stamp, self.cutoff)
        return trade.last

    # ---------------------------------------------------------------- trades
    def executed(self, days_back: int | None = None) -> datetime:
        if days_back is None:
            index = 0 if self.rng.random() < 0.65 else self.rng.randint(1, len(self.days) - 1)
            trade_day = self.days[index]
        else:
            trade_day = self.day - timedelta(days=days_back)
        local = datetime.combine(trade_day, time(9), KST) + timedelta(
            minutes=self.rng.randint(0, 450), seconds=self.rng.randint(0, 59))
        return local.astimezone(UTC)

    def new_trade(self, *, executed: datetime | None = None, kind: str | None = None,
                  counterparty: tuple[str, str] | None = None) -> _Trade:
        rng, i = self.rng, self.n
        executed = executed or self.executed()
        kind = kind or rng.choices([k for k, _ in _PRODUCTS], [w for _, w in _PRODUCTS])[0]
        if counterparty is None:
            index = rng.randrange(len(DEMO_COUNTERPARTIES))
            counterparty = (DEMO_COUNTERPARTIES[index], demo_lei(100 + index))
        cleared = kind in ("irs-krw", "ois-krw") and rng.random() < 0.4
        effective = executed.date() + timedelta(days=2)
        row = dict.fromkeys(CSV_COLUMNS, "")
        row.update({
            "trade_id": f"FEP-{executed:%Y%m%d}-{i:05d}",
            "uti": f"{self.reporting_lei}DEMO{executed:%Y%m%d}{i:06d}",
            "action_type": "NEWT", "event_type": "TRAD",
            "execution_timestamp": _iso(executed), "event_timestamp": _iso(executed),
            "effective_date": effective.isoformat(), "counterparty_1_lei": self.reporting_lei,
            "counterparty_2_lei": counterparty[1], "counterparty_2_name": counterparty[0],
            "direction": rng.choice(("PAY_FIXED", "RECEIVE_FIXED")),
            "cleared": "Y" if cleared else "N", "ccp_lei": CCP_LEI if cleared else "",
            "execution_venue": "XOFF",
        })
        _terms(rng, kind, row, effective)
        return _Trade(row, kind, cleared, executed)

    def newt(self) -> None:
        trade = self.new_trade()
        self.emit(trade.row)
        self.move(trade, "live")

    def lifecycle_row(self, trade: _Trade, action: str, event_type: str = "") -> dict[str, str]:
        row = dict(trade.row)
        row.update(action_type=action, event_type=event_type,
                   event_timestamp=_iso(self.next_stamp(trade)))
        return row

    def modi(self, trade: _Trade) -> dict[str, str]:
        row = self.lifecycle_row(trade, "MODI", "TRAD")
        factor = self.rng.choice((0.5, 1.25, 1.5))
        for column in ("notional_1", "notional_2"):
            if row[column]:
                row[column] = str(int(int(row[column]) * factor))
        return row

    def valu(self, trade: _Trade, *, method: str | None = None,
             stamp: datetime | None = None) -> dict[str, str]:
        row = self.lifecycle_row(trade, "VALU")
        if stamp is not None:
            row["event_timestamp"] = _iso(stamp)
        currency = "USD" if trade.kind == "irs-usd" else "KRW"
        base = int(row["notional_2"] or row["notional_1"])
        row.update(valuation_amount=str(round(base * self.rng.uniform(-0.03, 0.03))),
                   valuation_currency=currency,
                   valuation_method=method or ("CCPV" if trade.cleared else "MTMA"),
                   valuation_timestamp=row["event_timestamp"])  # a VALU values its own day
        return row

    def clean_event(self) -> None:
        choice = self.rng.random()
        trade = None
        if choice < 0.58:
            return self.newt()
        if choice < 0.75 and (trade := self.pick("live")):
            row = self.modi(trade)
            trade.row.update({k: row[k] for k in ("notional_1", "notional_2")})
            return self.emit(row)
        if choice < 0.82 and (trade := self.pick("live")):
            row = self.lifecycle_row(trade, "TERM", "ETRM")
            row["early_termination_date"] = row["event_timestamp"][:10]
            self.emit(row)
            return self.move(trade, "terminated")
        if choice < 0.94 and (trade := self.pick("live", since=self.fresh_from)):
            return self.emit(self.valu(trade))
        if choice < 0.97 and (trade := self.pick("live")):
            row = self.lifecycle_row(trade, "EROR")
            self.emit({c: (row[c] if c in _IDENTITY else "") for c in CSV_COLUMNS})
            return self.move(trade, "errored")
        if trade is None and (trade := self.pick("errored")):
            self.emit(self.lifecycle_row(trade, "REVI"))
            return self.move(trade, "live")
        return self.newt()

    # ---------------------------------------------------------------- mistakes
    def invalid(self, row: dict[str, str], mistake: str, *rules: str) -> None:
        self.emit(row, Intent("invalid", mistake, frozenset(rules)))

    def invalid_newt(self) -> None:
        trade = self.new_trade()
        row = dict(trade.row)  # the trade keeps its clean terms: its later events are clean
        mistake = self.rng.choice(("lei-check-digits", "unknown-currency", "missing-notional",
                                   "expiration-before-effective"))
        if mistake == "lei-check-digits":
            row["counterparty_2_lei"] = row["counterparty_2_lei"][:-2] + "00"
            rules: tuple[str, ...] = ("SR-ID-004",)
        elif mistake == "unknown-currency":
            row["notional_currency_1"] = "KRX"
            rules = ("SR-EC-023",)
        elif mistake == "missing-notional":
            row["notional_1"] = ""
            rules = ("SR-LC-037",)
        else:  # a template's placeholder date: before the effective date and the trade
            row["expiration_date"] = "2020-01-01"
            rules = ("SR-DT-011", "SR-DT-012")
        self.invalid(row, mistake, *rules)
        self.move(trade, "refused")  # the TR never hears of it: its later events are refused

    def mistake(self) -> None:
        choice = self.rng.random()
        if choice < 0.45:
            return self.invalid_newt()
        if choice < 0.60 and (trade := self.pick("live")):
            row = self.modi(trade)
            if self.rng.random() < 0.5:
                row["notional_currency_1"] = "KRX"
                return self.invalid(row, "unknown-currency", "SR-EC-023")
            row["notional_1"] = ""
            return self.invalid(row, "missing-notional", "SR-LC-037")
        if choice < 0.70 and (trade := self.pick("live")):
            row = self.modi(trade)  # a UTI this bank never reported (typed by hand)
            row["uti"] = f"{self.reporting_lei}DEMOX{self.n:09d}"
            row["trade_id"] = f"FEP-MANUAL-{self.n:05d}"
            return self.invalid(row, "modi-unknown-uti", "SR-LC-016")
        if choice < 0.80 and (trade := self.pick("refused")):
            action = self.rng.choice(("MODI", "TERM"))
            row = self.modi(trade) if action == "MODI" else self.lifecycle_row(
                trade, "TERM", "ETRM")
            return self.invalid(row, "lifecycle-of-refused-trade", "SR-LC-016")
        if choice < 0.90 and (trade := self.pick("terminated")):
            return self.invalid(self.modi(trade), "modi-after-term", "SR-LC-021")
        trade = self.trades["live"].sample(
            self.rng, lambda t: t.cleared and t.last + timedelta(hours=4) < self.cutoff)
        if trade is not None:
            return self.invalid(self.valu(trade, method="MTMA"), "cleared-not-ccpv",
                                "SR-VA-027")
        return self.invalid_newt()

    def nack(self) -> None:
        if self.rng.random() < 0.5:
            trade = self.new_trade(counterparty=(UNREGISTERED_NAME, UNREGISTERED_LEI))
            self.emit(trade.row, Intent("nack", "lei-not-registered", tr_code="TR-ID-003"))
            return self.move(trade, "closed")
        backdated = self.trades["backdated"]
        if not backdated:  # a trade booked weeks ago, reported late (a back-office backlog)
            trade = self.new_trade(executed=self.executed(self.rng.randint(19, 24)),
                                   kind="irs-krw")
            self.emit(trade.row)
            return self.move(trade, "backdated")
        trade = backdated[0]  # ... then its valuation of the next day: stale at the TR
        stamp = trade.last + timedelta(days=1, hours=8)
        self.emit(self.valu(trade, stamp=stamp),
                  Intent("nack", "stale-valuation", tr_code="TR-VA-001"))
        self.move(trade, "closed")

    def broken(self) -> None:
        choice = self.rng.random()
        if choice < 0.3 and self.clean_newts:  # the FEP sent a row again
            return self.emit(self.rng.choice(self.clean_newts),
                             Intent("duplicate", "resent-row"))
        if choice < 0.5 and (trade := self.pick("live")):
            row = self.modi(trade)
            row["action_type"] = "AMEND"
            return self.emit(row, Intent("parse_error", "unknown-action-code",
                                         parse_codes=frozenset({"PARSE-CSV-009"})))
        trade = self.new_trade()
        row = dict(trade.row)
        if choice < 0.75:  # a spreadsheet's thousands separators
            row["notional_1"] = f"{int(row['notional_1']):,}"
            mistake, code = "amount-with-separators", "PARSE-CSV-007"
        else:
            effective = date.fromisoformat(row["effective_date"])
            last = calendar.monthrange(effective.year, effective.month)[1]
            row["effective_date"] = f"{effective:%Y-%m}-{last + 1}"
            mistake, code = "impossible-date", "PARSE-CSV-006"
        self.emit(row, Intent("parse_error", mistake, parse_codes=frozenset({code})))
        self.move(trade, "closed")

    def row(self) -> None:
        choice = self.rng.random()
        if self.broken_rows and choice < 0.035:
            self.broken()
        elif choice < 0.045:
            self.nack()
        elif choice < 0.115:
            self.mistake()
        else:
            self.clean_event()
        self.n += 1


def _terms(rng: random.Random, kind: str, row: dict[str, str], effective: date) -> None:
    """The economics of a new trade of `kind` (columns of the default profile)."""
    if kind in ("irs-krw", "irs-usd", "ois-krw", "basis-krw"):
        krw = kind != "irs-usd"
        years = rng.choice((1, 2, 3, 5, 10))
        row.update(
            asset_class="IR", notional_currency_1="KRW" if krw else "USD",
            expiration_date=(effective + timedelta(days=365 * years)).isoformat(),
            notional_1=str(rng.choice((5, 10, 25, 50, 100)) * (1_000_000_000 if krw
                                                               else 10_000_000)),
        )
        if kind == "basis-krw":  # CD 3M against compounded KOFR, spread on the KOFR leg
            row.update(product="InterestRate:IRSwap:Basis", direction="PAY",
                       floating_index_1="KRW-CD-KSDA-BLOOMBERG", floating_tenor_1="3M",
                       floating_index="KRW-KOFR-COMPOUND", spread_bps=str(rng.choice((5, 8, 12))))
        else:
            index = {"irs-krw": "KRW-CD-KSDA-BLOOMBERG", "irs-usd": "USD-SOFR-COMPOUND",
                     "ois-krw": "KRW-KOFR-COMPOUND"}[kind]
            row.update(product="InterestRate:IRSwap:" + ("OIS" if kind == "ois-krw"
                                                         else "FixedFloat"),
                       fixed_rate=f"{rng.uniform(2.5, 3.8) if krw else rng.uniform(3.4, 4.4):.4f}",
                       floating_index=index, floating_tenor="3M" if kind == "irs-krw" else "",
                       spread_bps=str(rng.choice((0, 0, 5, 10))) if kind == "irs-krw" else "")
        return
    notional = rng.choice((1, 2, 5, 10, 20)) * 1_000_000
    rate = round(rng.uniform(1350, 1420), 2)
    days = rng.choice((30, 90, 180))
    expiration = effective + timedelta(days=days)
    row.update(
        asset_class="FX", expiration_date=expiration.isoformat(),
        notional_1=str(notional), notional_currency_1="USD",
        notional_2=str(round(notional * rate)), notional_currency_2="KRW",
        exchange_rate=f"{rate:.2f}", exchange_rate_basis="USD/KRW",
        direction=rng.choice(("PAY", "RECEIVE")),
    )
    if kind == "fx-forward":
        row.update(product="ForeignExchange:Forward", delivery_type="PHYS")
    elif kind == "fx-swap":  # near leg at spot (the effective date), reported on the far leg
        row.update(product="ForeignExchange:Swap", delivery_type="PHYS")
    else:  # offshore USD/KRW NDF, settled in USD two days after fixing
        row.update(product="ForeignExchange:NDF", delivery_type="CASH",
                   settlement_currency="USD",
                   fixing_date=(expiration - timedelta(days=2)).isoformat())


def demo_fep_records(rows: int = DEMO_CSV_ROWS, seed: int | None = None, *,
                     day: date = DEFAULT_DAY, broken_rows: bool = True) -> list[DemoRecord]:
    """The main FEP export's records with their intents (seeded from `day` by default)."""
    desk = _Desk(random.Random(_seed_for(day, seed)), day, broken_rows)
    while len(desk.records) < rows:
        desk.row()
    return desk.records


def write_fep_csv(records: list[DemoRecord]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        writer.writerow([record.row.get(c, "") for c in CSV_COLUMNS])
    return out.getvalue().encode("utf-8")


def outcome_counts(records: list[DemoRecord]) -> dict[str, int]:
    counts = Counter(r.intent.outcome for r in records)
    return {"rows": len(records),
            "intended_errors": counts["invalid"] + counts["parse_error"], **counts}


def generate_fep_csv(rows: int = 400, seed: int = 20261122, trade_date: date | None = None, *,
                     broken_rows: bool = False) -> tuple[bytes, dict[str, int]]:
    """A realistic FEP export: returns (bytes, counts by intended outcome).

    Every row parses unless `broken_rows` (parse errors and re-sent rows, as in the demo);
    `trade_date` is the day the file is made (trades are on the business days before it).
    """
    records = demo_fep_records(rows, seed, day=trade_date or DEFAULT_DAY,
                               broken_rows=broken_rows)
    return write_fep_csv(records), outcome_counts(records)


# -- the Korean FEP export (kr-fep profile, CP949) -------------------------------------------

KR_COLUMNS = (
    "거래번호", "보고구분", "이벤트구분", "체결일시", "이벤트일시", "효력발생일", "만기일",
    "자산군", "상품명", "보고기관LEI", "보고기관명", "거래상대방LEI", "거래상대방명",
    "지급수취구분", "매매구분", "명목금액1", "통화1", "명목금액2", "통화2", "고정금리",
    "변동금리지표", "금리재설정주기", "청산여부", "거래장소",
)


def _kst(value: datetime) -> str:
    return value.astimezone(KST).strftime("%Y%m%d%H%M%S")


def demo_kr_fep_records(rows: int = DEMO_KR_ROWS, seed: int | None = None, *,
                        day: date = DEFAULT_DAY) -> list[DemoRecord]:
    """A Korean FEP's export: KRW swaps and USD/KRW forwards, new, amended and terminated,
    without UTIs; a few rows wrong (LEI check digits, swapped dates, an amount in words)."""
    rng = random.Random(_seed_for(day, seed) + 949)
    days = business_days_before(day, 3)
    lei = demo_lei(1)
    cutoff = datetime.combine(day, time(0), KST) - timedelta(minutes=1)
    records: list[DemoRecord] = []
    live: list[dict[str, str]] = []
    for i in range(rows):
        base = rng.choice(live) if live and rng.random() < 0.25 else None
        last = (datetime.strptime(base["이벤트일시"], "%Y%m%d%H%M%S").replace(tzinfo=KST)
                if base else cutoff)
        stamp = last + timedelta(minutes=rng.randint(30, 180), seconds=i % 60)
        if base is not None and stamp < cutoff:
            row = dict(base, 이벤트일시=_kst(stamp))
            if rng.random() < 0.7:
                row.update(보고구분="변경", 이벤트구분="거래",
                           명목금액1=f"{int(base['명목금액1'].replace(',', '')) * 2:,}")
                if row.get("명목금액2"):
                    row["명목금액2"] = f"{int(base['명목금액2'].replace(',', '')) * 2:,}"
                base.update({k: row[k] for k in ("이벤트일시", "명목금액1", "명목금액2")
                             if k in row})
            else:
                row.update(보고구분="종료", 이벤트구분="조기종료")
                live.remove(base)
            records.append(DemoRecord(row, CLEAN))
            continue
        executed = datetime.combine(rng.choice(days), time(9), KST) + timedelta(
            minutes=rng.randint(0, 420), seconds=rng.randint(0, 59))
        index = rng.randrange(len(DEMO_COUNTERPARTIES))
        effective = executed.date() + timedelta(days=2)
        row = {
            "거래번호": f"KR{executed:%Y%m%d}{i:05d}", "보고구분": "신규", "이벤트구분": "거래",
            "체결일시": _kst(executed), "이벤트일시": _kst(executed),
            "효력발생일": f"{effective:%Y%m%d}", "보고기관LEI": lei, "보고기관명": DEMO_TENANT_NAME,
            "거래상대방LEI": demo_lei(100 + index), "거래상대방명": DEMO_COUNTERPARTIES[index],
            "청산여부": "아니오", "거래장소": "XOFF",
        }
        if rng.random() < 0.6:
            notional = rng.choice((5, 10, 30)) * 1_000_000_000
            row.update(자산군="금리", 상품명="InterestRate:IRSwap:FixedFloat",
                       만기일=f"{effective + timedelta(days=365 * rng.choice((1, 3, 5))):%Y%m%d}",
                       지급수취구분=rng.choice(("지급", "수취")), 명목금액1=f"{notional:,}",
                       통화1="KRW", 고정금리=f"{rng.uniform(2.6, 3.6):.3f}",
                       변동금리지표="KRW-CD-KSDA-BLOOMBERG", 금리재설정주기="3개월")
        else:
            notional = rng.choice((1, 3, 5)) * 1_000_000
            row.update(자산군="외환", 상품명="ForeignExchange:Forward",
                       만기일=f"{effective + timedelta(days=rng.choice((30, 90))):%Y%m%d}",
                       매매구분=rng.choice(("매수", "매도")), 명목금액1=f"{notional:,}",
                       통화1="USD", 명목금액2=f"{round(notional * rng.uniform(1350, 1420)):,}",
                       통화2="KRW")
        intent = CLEAN
        if rng.random() < 0.1:
            mistake = rng.choice(("lei-check-digits", "dates-swapped", "amount-in-words"))
            if mistake == "lei-check-digits":
                row["거래상대방LEI"] = row["거래상대방LEI"][:-2] + "00"
                intent = Intent("invalid", mistake, frozenset({"SR-ID-004"}))
            elif mistake == "dates-swapped":
                row["효력발생일"], row["만기일"] = row["만기일"], row["효력발생일"]
                intent = Intent("invalid", mistake, frozenset({"SR-DT-011"}))
            else:
                row["명목금액1"] = "일억"
                intent = Intent("parse_error", mistake, parse_codes=frozenset({"PARSE-CSV-007"}))
        else:
            live.append(row)
        records.append(DemoRecord(dict(row), intent))
    return records


def write_kr_fep_csv(records: list[DemoRecord]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # a Windows export
    writer.writerow(KR_COLUMNS)
    for record in records:
        writer.writerow([record.row.get(c, "") for c in KR_COLUMNS])
    return out.getvalue().encode("cp949")


# -- the branches' FEP export (default profile, with booking and counterparty columns) -------

BRANCH_COLUMNS = (*CSV_COLUMNS, "upi", "booking_entity", "counterparty_2_country",
                  "counterparty_2_nature", "counterparty_2_clearing_threshold")
# (booking entity, counterparties, new trades): what routing makes of them (issue 17):
# KRX + UK EMIR, the same with the client's side reported by London (Art. 9(1a)),
# KRX + MAS, and KRX only (a UK bank facing the head office reports its own side).
_BRANCH_BOOKS = (("LONDON-BR", UK_COUNTERPARTIES, 8), ("LONDON-BR", (UK_CLIENT,), 4),
                 ("SINGAPORE-BR", SG_COUNTERPARTIES, 8), ("SEOUL-HO", UK_COUNTERPARTIES, 2))
_BRANCH_KINDS = ("irs-usd", "fx-forward", "fx-swap", "ndf", "irs-krw")  # those with a UPI
DEMO_BRANCH_MODIS = 4


def demo_branch_records(seed: int | None = None, *, day: date = DEFAULT_DAY
                        ) -> list[DemoRecord]:
    """The London and Singapore branches' export: new trades booked by each (`booking_entity`)
    with the other side's country, nature and threshold, each with its UPI (UK EMIR and MAS
    require one), then amendments of a few; all clean."""
    desk = _Desk(random.Random(_seed_for(day, seed) + 44), day, broken_rows=False)
    records: list[DemoRecord] = []
    trades: list[_Trade] = []
    for booking, counterparties, count in _BRANCH_BOOKS:
        for k in range(count):
            name, lei, country, nature, threshold = counterparties[k % len(counterparties)]
            trade = desk.new_trade(kind=_BRANCH_KINDS[desk.n % len(_BRANCH_KINDS)],
                                   counterparty=(name, lei))
            executed = datetime.fromisoformat(trade.row["execution_timestamp"])
            trade.row.update(
                trade_id=f"BR-{executed:%Y%m%d}-{desk.n:05d}",
                uti=f"{desk.reporting_lei}BR{executed:%Y%m%d}{desk.n:06d}",
                upi=DEMO_UPIS[trade.kind], booking_entity=booking,
                counterparty_2_country=country, counterparty_2_nature=nature,
                counterparty_2_clearing_threshold=threshold)
            records.append(DemoRecord(dict(trade.row), CLEAN))
            if booking != "SEOUL-HO":
                trades.append(trade)
            desk.n += 1
    amended = [t for t in trades if t.last + timedelta(hours=4) < desk.cutoff]
    for trade in desk.rng.sample(amended, min(DEMO_BRANCH_MODIS, len(amended))):
        records.append(DemoRecord(desk.modi(trade), CLEAN))
    return records


def write_branch_csv(records: list[DemoRecord]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BRANCH_COLUMNS)
    for record in records:
        writer.writerow([record.row.get(c, "") for c in BRANCH_COLUMNS])
    return out.getvalue().encode("utf-8")


# -- FpML execution reports -------------------------------------------------------------------

FPML_NS = "http://www.fpml.org/FpML-5/recordkeeping"
_UTI_SCHEME = "http://www.fpml.org/coding-scheme/external/unique-transaction-identifier"
_LEI_SCHEME = "http://www.fpml.org/coding-scheme/external/iso17442"
_UPI_SCHEME = "http://www.fpml.org/coding-scheme/external/iso4914"  # ANNA DSB UPI
_TAXONOMY = "http://www.fpml.org/coding-scheme/product-taxonomy"


def _fpml_period(tenor: str) -> str:
    return f"<periodMultiplier>{tenor[:-1]}</periodMultiplier><period>{tenor[-1]}</period>"


def _fpml_stream(payer: str, receiver: str, start: date, end: date, notional: int,
                 currency: str, calculation: str, day_count: str) -> str:
    return f"""
      <swapStream>
        <payerPartyReference href="{payer}"/><receiverPartyReference href="{receiver}"/>
        <calculationPeriodDates>
          <effectiveDate><unadjustedDate>{start.isoformat()}</unadjustedDate></effectiveDate>
          <terminationDate><unadjustedDate>{end.isoformat()}</unadjustedDate></terminationDate>
        </calculationPeriodDates>
        <paymentDates><paymentFrequency>{_fpml_period("3M")}</paymentFrequency></paymentDates>
        <calculationPeriodAmount><calculation>
          <notionalSchedule><notionalStepSchedule>
            <initialValue>{notional}</initialValue><currency>{currency}</currency>
          </notionalStepSchedule></notionalSchedule>
          {calculation}
          <dayCountFraction>{day_count}</dayCountFraction>
        </calculation></calculationPeriodAmount>
      </swapStream>"""


def _fpml_swap(rng: random.Random, start: date, usd: bool) -> str:
    end = start + timedelta(days=365 * rng.choice((1, 2, 3, 5)))
    currency = "USD" if usd else "KRW"
    notional = rng.choice((5, 10, 25, 50)) * (10_000_000 if usd else 1_000_000_000)
    rate = rng.uniform(0.034, 0.044) if usd else rng.uniform(0.025, 0.038)
    fixed = f"<fixedRateSchedule><initialValue>{rate:.5f}</initialValue></fixedRateSchedule>"
    index = "USD-SOFR-COMPOUND" if usd else "KRW-CD-KSDA-BLOOMBERG"
    tenor = "" if usd else f"<indexTenor>{_fpml_period('3M')}</indexTenor>"
    floating = (f"<floatingRateCalculation><floatingRateIndex>{index}</floatingRateIndex>"
                f"{tenor}</floatingRateCalculation>")
    payer, receiver = ("A", "B") if rng.random() < 0.5 else ("B", "A")
    day_count = "ACT/360" if usd else "ACT/365.FIXED"
    return f"""<swap>
        <primaryAssetClass>InterestRate</primaryAssetClass>
        <productType productTypeScheme="{_TAXONOMY}">InterestRate:IRSwap:FixedFloat</productType>
        {_fpml_stream(payer, receiver, start, end, notional, currency, fixed, day_count)}
        {_fpml_stream(receiver, payer, start, end, notional, currency, floating, day_count)}
      </swap>"""


def _fx_leg(rng: random.Random, value: date, usd: int, rate: float, buy: bool,
            ndf: bool = False) -> str:
    payer, receiver = ("B", "A") if buy else ("A", "B")  # A buys USD: B pays the USD
    settlement = (f"<nonDeliverableSettlement><settlementCurrency>USD</settlementCurrency>"
                  f"<fixing><fixingDate>{value - timedelta(days=2)}</fixingDate></fixing>"
                  "</nonDeliverableSettlement>") if ndf else ""
    return f"""
        <exchangedCurrency1><payerPartyReference href="{payer}"/>
          <receiverPartyReference href="{receiver}"/><paymentAmount><currency>USD</currency>
          <amount>{usd}</amount></paymentAmount></exchangedCurrency1>
        <exchangedCurrency2><payerPartyReference href="{receiver}"/>
          <receiverPartyReference href="{payer}"/><paymentAmount><currency>KRW</currency>
          <amount>{round(usd * rate)}</amount></paymentAmount></exchangedCurrency2>
        <valueDate>{value.isoformat()}</valueDate>
        <exchangeRate><quotedCurrencyPair><currency1>USD</currency1><currency2>KRW</currency2>
          <quoteBasis>Currency2PerCurrency1</quoteBasis></quotedCurrencyPair>
          <rate>{rate:.2f}</rate></exchangeRate>{settlement}"""


def _fpml_fx(rng: random.Random, start: date, kind: str) -> str:
    usd = rng.choice((1, 2, 5, 10)) * 1_000_000
    rate = round(rng.uniform(1350, 1420), 2)
    end = start + timedelta(days=rng.choice((30, 90, 180)))
    buy = rng.random() < 0.5
    classes = "<primaryAssetClass>ForeignExchange</primaryAssetClass>"
    if kind == "fx-swap":
        return f"""<fxSwap>{classes}
        <productType productTypeScheme="{_TAXONOMY}">ForeignExchange:Swap</productType>
        <nearLeg>{_fx_leg(rng, start, usd, rate, not buy)}</nearLeg>
        <farLeg>{_fx_leg(rng, end, usd, rate + 1.5, buy)}</farLeg>
      </fxSwap>"""
    product = "ForeignExchange:NDF" if kind == "ndf" else "ForeignExchange:Spot-Forward"
    return f"""<fxSingleLeg>{classes}
        <productType productTypeScheme="{_TAXONOMY}">{product}</productType>
        {_fx_leg(rng, end, usd, rate, buy, ndf=kind == "ndf")}
      </fxSingleLeg>"""


def _fpml_message(rng: random.Random, i: int, executed: datetime, reporting_lei: str,
                  product: str, counterparty: str, upi: str | None = None) -> str:
    stamp = executed.strftime("%Y-%m-%dT%H:%M:%SZ")
    if upi:  # FpML's productId, after productType (the Product model's sequence)
        product = product.replace("</productType>", "</productType>\n        <productId "
                                  f'productIdScheme="{_UPI_SCHEME}">{upi}</productId>', 1)
    uti = f"{reporting_lei}FPML{executed:%Y%m%d}{i:06d}"
    return f"""
  <nonpublicExecutionReport fpmlVersion="5-10">
    <header>
      <messageId messageIdScheme="http://demo-bank.example/fpml">DEMO-FPML-{i:05d}</messageId>
      <sentBy>{reporting_lei}</sentBy>
      <creationTimestamp>{stamp}</creationTimestamp>
    </header>
    <isCorrection>false</isCorrection>
    <onBehalfOf><partyReference href="A"/></onBehalfOf>
    <trade>
      <tradeHeader>
        <partyTradeIdentifier>
          <issuer issuerIdScheme="{_LEI_SCHEME}">{reporting_lei}</issuer>
          <tradeId tradeIdScheme="{_UTI_SCHEME}">{uti}</tradeId>
        </partyTradeIdentifier>
        <partyTradeInformation>
          <partyReference href="A"/>
          <executionDateTime>{stamp}</executionDateTime>
          <intentToClear>false</intentToClear>
        </partyTradeInformation>
        <partyTradeInformation><partyReference href="B"/></partyTradeInformation>
        <tradeDate>{executed.date().isoformat()}</tradeDate>
      </tradeHeader>
      {product}
      <documentation><masterAgreement><masterAgreementType>ISDA</masterAgreementType>
        <masterAgreementVersion>2002</masterAgreementVersion></masterAgreement></documentation>
    </trade>
    <party id="A"><partyId partyIdScheme="{_LEI_SCHEME}">{reporting_lei}</partyId></party>
    <party id="B"><partyId partyIdScheme="{_LEI_SCHEME}">{counterparty}</partyId></party>
  </nonpublicExecutionReport>"""


_FPML_PRODUCTS = (("irs-krw", 35), ("irs-usd", 15), ("fx-forward", 20), ("ndf", 15),
                  ("fx-swap", 15))


def demo_fpml_messages(trades: int = DEMO_FPML_TRADES, seed: int | None = None, *,
                       day: date = DEFAULT_DAY, mistakes: bool = True,
                       reporting_lei: str | None = None,
                       upis: bool = False) -> list[tuple[str, Intent]]:
    """FpML execution reports (one NEWT each) with their intents; with `mistakes`, about one
    in twenty names its counterparty by an LEI with broken check digits; with `upis`, each
    product carries its UPI."""
    rng = random.Random(_seed_for(day, seed))
    days = business_days_before(day, 3)
    reporting_lei = reporting_lei or demo_lei(1)
    messages = []
    for i in range(trades):
        executed = (datetime.combine(rng.choice(days), time(9), KST) + timedelta(
            minutes=rng.randint(0, 450), seconds=rng.randint(0, 59))).astimezone(UTC)
        kind = rng.choices([k for k, _ in _FPML_PRODUCTS], [w for _, w in _FPML_PRODUCTS])[0]
        start = executed.date() + timedelta(days=2)
        product = (_fpml_swap(rng, start, kind == "irs-usd") if kind.startswith("irs")
                   else _fpml_fx(rng, start, kind))
        counterparty = demo_lei(100 + rng.randrange(len(DEMO_COUNTERPARTIES)))
        intent = CLEAN
        if mistakes and rng.random() < 0.05:
            counterparty = counterparty[:-2] + "00"
            intent = Intent("invalid", "lei-check-digits", frozenset({"SR-ID-004"}))
        messages.append((_fpml_message(rng, i, executed, reporting_lei, product, counterparty,
                                       DEMO_UPIS[kind] if upis else None), intent))
    return messages


def write_fpml_batch(messages: list[tuple[str, Intent]]) -> bytes:
    body = "".join(xml for xml, _ in messages)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<fpmlBatch xmlns="{FPML_NS}">{body}\n'
            "</fpmlBatch>\n").encode()


def generate_fep_fpml(trades: int = 12, seed: int = 20261122,
                      trade_date: date | None = None) -> bytes:
    """A batch of FpML 5.10 execution reports (rates and FX, one NEWT each), all valid."""
    return write_fpml_batch(demo_fpml_messages(trades, seed, day=trade_date or DEFAULT_DAY,
                                               mistakes=False))


# -- the demo set and the seed ----------------------------------------------------------------


@dataclass(frozen=True)
class DemoFile:
    key: str
    data: bytes
    content_type: str
    metadata: dict[str, str] = field(default_factory=dict)
    intents: tuple[Intent, ...] = ()  # one per record, in file order


def demo_files(day: date) -> list[DemoFile]:
    """The demo's uploads for `day` (the Korean calendar day): same day, same bytes."""
    main = demo_fep_records(DEMO_CSV_ROWS, day=day)
    korean = demo_kr_fep_records(DEMO_KR_ROWS, day=day)
    fpml = demo_fpml_messages(DEMO_FPML_TRADES, day=day)
    branches = demo_branch_records(day=day)
    folder = f"{DEMO_TENANT}/{day.isoformat()}"
    source = {"source": "demo-fep"}
    return [
        DemoFile(f"{folder}/fep-demo-irs-fx.csv", write_fep_csv(main), "text/csv", source,
                 tuple(r.intent for r in main)),
        DemoFile(f"{folder}/fpml-demo.xml", write_fpml_batch(fpml), "application/xml", source,
                 tuple(intent for _, intent in fpml)),
        DemoFile(f"{folder}/kr-fep-demo.csv", write_kr_fep_csv(korean),
                 "text/csv; charset=cp949", {**source, "profile": "kr-fep"},
                 tuple(r.intent for r in korean)),
        DemoFile(f"{folder}/fep-branches.csv", write_branch_csv(branches), "text/csv", source,
                 tuple(r.intent for r in branches)),
    ]


def demo_global_files(day: date) -> list[DemoFile]:
    """The multi-regime tenant's upload for `day`: FpML trades of its desks, all clean."""
    fpml = demo_fpml_messages(GLOBAL_FPML_TRADES, day=day, mistakes=False,
                              reporting_lei=demo_lei(2), upis=True)
    return [DemoFile(f"{GLOBAL_TENANT}/{day.isoformat()}/fpml-desks.xml",
                     write_fpml_batch(fpml), "application/xml", {"source": "demo-fep"},
                     tuple(intent for _, intent in fpml))]


# The demo TR writes its end-of-day reports once no file has come for this long, so the
# reconciliation screen fills on the first start instead of after the TR's midnight.
DEMO_TR_EOD_QUIET_S = 30.0


def demo_tr_settings(day: date) -> dict[str, Any]:
    """What the demo's TR says of the other side of the London branch's UK EMIR trades: each
    reported as we did (paired and matched), but one with a different notional (a field
    mismatch to resolve) and one not reported at all (unpaired)."""
    london = [r.row for r in demo_branch_records(day=day)
              if r.row.get("booking_entity") == "LONDON-BR" and r.row.get("action_type") == "NEWT"]
    differences: dict[str, dict[str, str | None]] = {}
    unreported: list[str] = []
    if london:
        first = london[0]
        theirs = Decimal(first["notional_1"]) + 1_000_000  # a fat-fingered million
        differences[first["uti"]] = {"NtnlAmtFrstLeg": str(theirs)}
    if len(london) > 1:
        unreported.append(london[1]["uti"])
    return {"eod_schedule": DEMO_TR_EOD_QUIET_S,
            "counterparty": {"mode": "mirror", "differences": differences,
                             "unreported": unreported}}


def all_demo_files(day: date) -> list[DemoFile]:
    """Every tenant's demo uploads for `day`, in upload order."""
    return [*demo_files(day), *demo_global_files(day)]


def seed(*, database_url: str, store, inbound_bucket: str, password_for) -> dict[str, Any]:
    """Create the demo tenant and users and upload the sample files once.

    `password_for(username)` returns that user's generated password (kept in the stack's
    secrets file, printed at start so a person can sign in).
    """
    from argon2 import PasswordHasher

    hasher = PasswordHasher()
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT set_config('app.system', 'on', false)")
        conn.execute(
            "INSERT INTO tenants (slug, name, lei, regimes) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (slug) DO NOTHING",
            (DEMO_TENANT, DEMO_TENANT_NAME, demo_lei(1), list(DEMO_REGIMES)),
        )
        conn.execute(
            "INSERT INTO tenants (slug, name, lei, regimes) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (slug) DO NOTHING",
            (GLOBAL_TENANT, GLOBAL_TENANT_NAME, demo_lei(2), list(GLOBAL_REGIMES)),
        )
        tenant_ids = {slug: conn.execute("SELECT id FROM tenants WHERE slug = %s",
                                         (slug,)).fetchone()[0]
                      for slug in (DEMO_TENANT, GLOBAL_TENANT)}
        tenant_id = tenant_ids[DEMO_TENANT]
        _seed_entities(conn, tenant_id)
        for slug, users in ((DEMO_TENANT, DEMO_USERS), (GLOBAL_TENANT, GLOBAL_USERS)):
            for username, role in users:
                conn.execute(
                    "INSERT INTO users (tenant_id, username, display_name, password_hash, role)"
                    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (username) DO NOTHING",
                    (tenant_ids[slug], username, username.replace("-", " ").title(),
                     hasher.hash(password_for(username)), role),
                )
        # The demo FEP's ingest key: derived from a persisted local secret, so every restart
        # prints the same working key for POST /api/ingest/events.
        from shared.services.identity.apikeys import seed_demo_api_key

        api_key = seed_demo_api_key(conn, tenant_id, seed_secret=password_for("demo-fep-api-key"))
        empty = {slug: conn.execute("SELECT 1 FROM ingest_files WHERE tenant_id = %s LIMIT 1",
                                    (tenant_ids[slug],)).fetchone() is None
                 for slug in tenant_ids}
    uploaded = []
    for file in all_demo_files(kst_today()):
        if empty[file.key.split("/", 1)[0]]:  # a tenant's files go up once, on its first start
            store.put_bytes(inbound_bucket, file.key, file.data, content_type=file.content_type,
                            metadata=file.metadata)
            uploaded.append(file.key)
    return {"tenant": f"{DEMO_TENANT} ({', '.join(DEMO_REGIMES)}; entities "
                      f"{', '.join(e['entity_id'] for e in DEMO_ENTITIES)})",
            "tenant_id": str(tenant_id),
            "users": [u for u, _ in (*DEMO_USERS, *GLOBAL_USERS)], "api_key": api_key,
            "global_tenant": f"{GLOBAL_TENANT} ({', '.join(GLOBAL_REGIMES)})",
            "uploaded": ", ".join(uploaded) or None}


def _seed_entities(conn: psycopg.Connection[Any], tenant_id: Any) -> None:
    """The demo tenant's entities and agreement, once: while it has none (an operator's edits
    survive a restart). Checked by the domain first, then stored through the adapter, in the
    tenant's scope as the API would."""
    from shared.adapters.db import entities

    demo_book()  # an EntityError here names the field, before anything is written
    conn.execute("SELECT set_config('app.system', '', false),"
                 " set_config('app.tenant_id', %s, false)", (str(tenant_id),))
    try:
        if entities.entities(conn):
            return
        for entity in DEMO_ENTITIES:  # head office first: its branches name it
            entities.upsert_entity(conn, dict(entity))
        for agreement in DEMO_AGREEMENTS:
            entities.insert_agreement(conn, dict(agreement))
    finally:
        conn.execute("SELECT set_config('app.tenant_id', '', false),"
                     " set_config('app.system', 'on', false)")
