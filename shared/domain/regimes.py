"""The reporting regimes: the one place that says which regimes exist and what each one means.

Pure domain: no I/O, no clock, no import of formats, adapters or services, and nothing beyond
the standard library, because actions whose zips lack `holidays` (generate, submit) or `lxml`
(submit) load it too. Everything else reads this module:

- `shared.formats.writers.base.writer_for` imports `Regime.writer` lazily;
- `shared.adapters.tr` takes a submission's default media type from here;
- `shared.domain.calendars` computes deadlines from `Regime.deadline` (it owns the holiday
  sets, this module owns which calendar, zone and day count a regime uses);
- `shared.services.pipeline.process` / `generate`, the queries' `regime` filter, the CLI and the TR
  simulator take their key lists from `keys()`.

Adding a regime = one `Regime` entry below, its writer class, and a migration widening the
`tenants_regimes_known` constraint (tests/unit/domain/test_regimes.py checks all three).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, time, timedelta, timezone, tzinfo
from functools import cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

__all__ = [
    "CALENDAR_ONLY",
    "CFTC_T1_KINDS",
    "DEFAULT_TENANT_REGIMES",
    "EEA",
    "KST",
    "REGISTRY",
    "Correction",
    "Obligation",
    "Regime",
    "RegimeCalendar",
    "UnknownRegime",
    "deadline_rule",
    "deadline_rules",
    "keys",
    "normalise",
    "regime",
    "resolve",
]

KST = timezone(timedelta(hours=9), "KST")  # Korea has had no DST since 1988: no tz database needed

# CFTC entities that must report by T+1 (§45.3(a) venues, §45.3(b)(1) SD/MSP/DCO).
CFTC_T1_KINDS = frozenset({"SD", "MSP", "DCO", "SEF", "DCM"})


class UnknownRegime(ValueError):
    """A regime name nobody registered. A ValueError, which is what callers already catch."""

    def __init__(self, key: str, known: Iterable[str] = ()) -> None:
        self.key = key
        self.known = tuple(known)
        super().__init__(f"unknown regime {key!r}: expected one of {', '.join(self.known)}")


@dataclass(frozen=True)
class RegimeCalendar:
    """How a regime's reporting deadline is counted; `shared.domain.calendars` applies it."""

    name: str  # KRX, CFTC, EMIR, UKEMIR: the calendars' key
    calendar: str  # key for calendars.business_calendar()
    zone_name: str  # where the trade date and the end of the deadline day are taken
    days: int = 1  # business days after the execution date
    cutoff: time | None = None  # local time on the deadline day; None = end of that day
    days_by_kind: Mapping[str, int] = field(default_factory=dict)
    days_other_kind: int | None = None  # for a known-but-unlisted kind; None: same as `days`

    @property
    def zone(self) -> tzinfo:
        return _zone(self.zone_name)

    def days_for(self, counterparty_kind: str | None) -> int:
        if counterparty_kind is None:
            return self.days
        kind = counterparty_kind.strip().upper()
        if kind in self.days_by_kind:
            return self.days_by_kind[kind]
        return self.days if self.days_other_kind is None else self.days_other_kind


@cache
def _zone(name: str) -> tzinfo:
    # Resolved on first use, not at import: importing this module never needs the tz database
    # (KRX and EMIR never do; CFTC and UK EMIR need it, from the OS or the `tzdata` package).
    if name == "KST":
        return KST
    if name == "UTC":
        return UTC
    return ZoneInfo(name)


# The European Economic Area, where EMIR applies (EU 27 plus Iceland, Liechtenstein, Norway).
EEA = frozenset({"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU",
                 "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES",
                 "SE", "IS", "LI", "NO"})


@dataclass(frozen=True)
class Obligation:
    """Who must report under a regime; `shared.domain.obligations` applies it to a trade.

    `statuses` are what an entity may be under the regime (a tenant's entity states one);
    those in `self_reporting` report their own side. `sides`: "both" (each obliged
    counterparty reports its own side) or "one" (a hierarchy picks one reporting counterparty).
    `scope`: "legal-entity" when a status covers every trade the legal entity books wherever
    (a CFTC swap dealer registration, a Korean firm's KRX obligation), "booking" when it
    covers what the entity or branch holding it books (EMIR's establishment, the Asian
    regimes' booked-or-traded-in tests). `jurisdictions`: where a counterparty that states
    no status is taken to be in the regime's reach (its country). `delegated_for`: statuses a
    financial counterparty must report for (EMIR Art. 9(1a) small NFCs). `follows`: a regime
    whose reporting counterparty reports this one too (Part 43 follows Part 45).
    """

    statuses: tuple[str, ...]
    self_reporting: frozenset[str]
    sides: str
    scope: str
    jurisdictions: frozenset[str]
    delegated_for: frozenset[str] = frozenset()
    follows: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Correction:
    """How fast an error found in reported data must be corrected, whom to tell when it
    cannot be, and how often the firm must verify what the TR holds
    (`shared.domain.corrections` runs the clock).

    `business_days`: on the regime's calendar after discovery; None where the rule says "as
    soon as possible", and the tenant's target stands in. `verify_every_days`: by the
    entity's status under the regime ("*" for any other); empty where no periodic
    verification is prescribed."""

    business_days: int | None
    notify: str
    notify_within_hours: int | None = None
    verify_every_days: Mapping[str, int] = field(default_factory=dict)
    source: str = ""


_CFTC_CORRECTION = Correction(
    7, "the Commission (Division of Market Oversight), with the errors, their scope and the "
       "plan to correct them", notify_within_hours=12,
    # SD/MSP/DCO: every thirty calendar days; others: every calendar quarter (about 91 days)
    verify_every_days=MappingProxyType({"SD": 30, "MSP": 30, "*": 91}),
    source=("17 CFR 45.14(a)(1): correct within seven business days of discovery, or notify "
            "the Commission within 12 hours of finding that it cannot be; 45.14(a)(3) "
            "verification every 30 days (SD, MSP, DCO) or quarterly; no-action letter 25-25 "
            "waives the notice for errors of 5 % or less of an asset class's open swaps"))
_AS_SOON_AS_POSSIBLE = Correction(
    None, "the competent authority, when the misreporting is significant",
    source=("no fixed period: corrected as soon as possible (EMIR and UK EMIR: Art. 9 and the "
            "ESMA Guidelines on reporting, which ask for significant reporting issues to be "
            "notified to the competent authority; KRX and the Asian regimes: no period found, "
            "unverified); the tenant's target applies"))


_EMIR_STATUSES = ("FC", "NFC+", "NFC-", "CCP")
_ENTITY_STATUSES = ("REPORTING", "EXEMPT")  # a prescribed / specified reporting entity or not


def _dual(jurisdictions: Iterable[str], source: str) -> Obligation:
    """A regime where each reporting entity in its reach reports its own side."""
    return Obligation(_ENTITY_STATUSES, frozenset({"REPORTING"}), "both", "booking",
                      frozenset(jurisdictions), source=source)


@dataclass(frozen=True)
class Regime:
    key: str  # TradeEvent.regimes, tenants.regimes, report_files.regime, X-Regime
    display_name: str
    deadline: RegimeCalendar
    record_keeping_years: int  # records kept this long after the trade terminates
    writer: str  # "module:Class" of its ReportWriter, imported only when asked for
    tr_name: str  # report_files.tr: which trade repository receives the files
    media_type: str  # its files' Content-Type, no parameters (TrSubmission's default)
    aliases: tuple[str, ...] = ()  # other spellings a record may use (normalised form)
    sources: str = ""  # where the deadline and the record-keeping period come from (RULES.md)
    obligation: Obligation | None = None  # who reports (None: every trade, by the tenant)
    correction: Correction = _AS_SOON_AS_POSSIBLE  # how fast errors are corrected
    display_name_ko: str = ""  # the name in Korean messages (every regime has one: a test)


# The order every list of regimes shows (API enum, CLI choices, messages): the home regime
# first, then as the API has always listed them. A new regime goes at the end.
_REGIMES = (
    Regime(
        key="krx",
        display_name="KRX TR",
        display_name_ko="한국거래소 TR",
        # FSC Notice 2019-4: T+1, a CCP the same day; no cut-off time is published, so the end
        # of the Korean day (give it `cutoff=time(18, 0)` once the TR publishes one).
        deadline=RegimeCalendar("KRX", "KR", "KST", days=1,
                                days_by_kind=MappingProxyType({"CCP": 0})),
        # Five years after termination under the FSCMA-based TR rule (issue 13). Unverified:
        # the KRX TR rulebook is not public, and FSCMA Art. 60 leaves periods to its Enforcement
        # Decree, which sets them per record type; confirm before relying on this figure.
        record_keeping_years=5,
        writer="shared.formats.writers.krx:KrxCsvWriter",
        tr_name="KRX-TR",
        media_type="text/csv",
        aliases=("krx-tr", "kr"),
        sources=("FSC Notice 2019-4 (T+1, CCP T+0); record keeping per the FSCMA-based TR rule, "
                 "unverified (the KRX TR rulebook is not public)"),
        obligation=Obligation(
            _ENTITY_STATUSES, frozenset({"REPORTING"}), "both", "legal-entity", frozenset({"KR"}),
            source=("FSC rules under the FSCMA (TR live 1 April 2021): each reporting firm "
                    "reports its own side and the TR pairs and matches both sides; "
                    "delegation leaves the obligation with the firm. That a Korean firm's "
                    "overseas branches report too is our reading, unverified")),
    ),
    Regime(
        key="cftc-part45",
        display_name="CFTC Part 45",
        display_name_ko="CFTC Part 45(스왑 데이터 보고)",
        deadline=RegimeCalendar(
            "CFTC", "US", "America/New_York", days=1,
            days_by_kind=MappingProxyType(dict.fromkeys(CFTC_T1_KINDS, 1)), days_other_kind=2,
        ),
        # 17 CFR 45.2(c): kept throughout the life of the swap and at least five years after
        # its final termination.
        record_keeping_years=5,
        writer="shared.formats.writers.cftc:CftcPart45Writer",
        tr_name="CFTC-SDR",
        media_type="application/json",
        aliases=("cftc", "cftc45", "part45", "doddfrank", "doddfrankact"),
        sources=("17 CFR 45.3 (SD/MSP/DCO and venues T+1, others T+2), 45.1 business day "
                 "(85 FR 75503); 45.2(c) records"),
        correction=_CFTC_CORRECTION,
        obligation=Obligation(
            ("SD", "MSP", "FE", "NFE"), frozenset({"SD", "MSP", "FE", "NFE"}), "one",
            "legal-entity", frozenset({"US"}),
            source=("17 CFR 45.8: SD/MSP over the rest (a), MSP over non-SD (b), financial "
                    "entity over non-financial (c), a US person over a non-US one (d); equals "
                    "agree which reports")),
    ),
    Regime(
        key="emir",
        display_name="EMIR Refit",
        display_name_ko="유럽연합 EMIR Refit",
        deadline=RegimeCalendar("EMIR", "TARGET", "UTC", days=1),
        # EMIR (Regulation (EU) 648/2012) Art. 9(2): at least five years following the
        # termination of the contract.
        record_keeping_years=5,
        writer="shared.formats.writers.emir:EmirRefitWriter",
        tr_name="EMIR-TR",
        media_type="application/xml",
        aliases=("esma", "emir-refit", "eu-emir"),
        sources=("EMIR Art. 9(1) working day following; Art. 9(2) five years; TARGET calendar"),
        obligation=Obligation(
            _EMIR_STATUSES, frozenset({"FC", "NFC+", "CCP"}), "both", "booking", EEA,
            delegated_for=frozenset({"NFC-"}),
            source=("EMIR Art. 9(1) both counterparties report; Art. 9(1a) an FC reports for an "
                    "NFC- counterparty, which may report itself instead; Art. 9(1f) "
                    "delegation of reporting by agreement")),
    ),
    Regime(
        key="uk-emir",
        display_name="UK EMIR",
        display_name_ko="영국 EMIR",
        # UK EMIR (onshored Regulation 648/2012) Art. 9(1): "no later than the working day
        # following" the conclusion; England and Wales bank holidays; UK time.
        deadline=RegimeCalendar("UKEMIR", "GB", "Europe/London", days=1),
        record_keeping_years=5,  # UK EMIR Art. 9(2), as EMIR
        writer="shared.formats.writers.uk_emir:UkEmirWriter",
        tr_name="UKEMIR-TR",
        media_type="application/xml",
        aliases=("ukemir", "fca", "uk"),
        sources=("UK EMIR Art. 9(1) (legislation.gov.uk/eur/2012/648/article/9), FCA Handbook "
                 "glossary G120 business day; Art. 9(2) five years; PS23/2 (from 30 Sep 2024)"),
        obligation=Obligation(
            _EMIR_STATUSES, frozenset({"FC", "NFC+", "CCP"}), "both", "booking",
            frozenset({"GB"}), delegated_for=frozenset({"NFC-"}),
            source=("UK EMIR Art. 9(1) both UK counterparties report; Art. 9(1a) a UK FC "
                    "reports for a UK NFC- counterparty; delegation by agreement")),
    ),
    Regime(
        key="jfsa",
        display_name="JFSA",
        display_name_ko="일본 금융청(JFSA)",
        # Japanese national holidays, not the exchange calendar (which also closes 31 Dec and
        # 2-3 Jan): the earlier deadline, as for KRX, so an alert never comes late
        deadline=RegimeCalendar("JFSA", "JP", "Asia/Tokyo", days=1),
        record_keeping_years=5,
        writer="shared.formats.writers.jfsa:JfsaWriter",
        tr_name="JFSA-TR",
        media_type="application/xml",
        aliases=("jp", "japan", "fsa"),
        sources=("Cabinet Office Order on the Regulation of OTC Derivatives Transactions (No. 48 "
                 "of 2012) ch. III; T+1 and five years unverified against the article text"),
        obligation=_dual({"JP"}, "FIEA Art. 156-63 and the Cabinet Office Order (No. 48 of "
                         "2012): each financial instruments business operator party to the "
                         "trade reports (article numbers unverified)"),
    ),
    Regime(
        key="mas",
        display_name="MAS",
        display_name_ko="싱가포르 통화청(MAS)",
        deadline=RegimeCalendar("MAS", "SG", "Asia/Singapore", days=2),
        record_keeping_years=5,
        writer="shared.formats.writers.mas:MasWriter",
        tr_name="MAS-TR",
        media_type="application/xml",
        aliases=("sg", "singapore"),
        sources=("SF(RDC)R Third Schedule Part II and MAS FAQs (10 Jan 2022): two business "
                 "days; reg. 2 business day; five years by analogy (unverified)"),
        obligation=_dual({"SG"}, "SFA s.124 and SF(RDC)R reg. 6-7: each specified person "
                         "reports the trades booked or traded in Singapore (unverified)"),
    ),
    Regime(
        key="hkma",
        display_name="HKMA (HKTR)",
        display_name_ko="홍콩 금융관리국(HKMA, HKTR)",
        # a gale or black-rainstorm warning day is no business day either (Cap. 1 s.71); it is
        # declared on the day, so no table holds it: such a deadline is judged a day early
        deadline=RegimeCalendar("HKMA", "HK", "Asia/Hong_Kong", days=2),
        record_keeping_years=5,
        writer="shared.formats.writers.hkma:HkmaWriter",
        tr_name="HKTR",
        media_type="application/xml",
        aliases=("hktr", "hk", "sfc"),
        sources=("SFO (OTC Derivative Transactions - Reporting and Record Keeping Obligations) "
                 "Rules, Cap. 571AL: T+2 Hong Kong business days, five years after expiry"),
        obligation=_dual({"HK"}, "Cap. 571AL rules 10-13: each prescribed person (an "
                         "authorized institution, a licensed corporation) reports the trades "
                         "booked or conducted in Hong Kong (rule numbers unverified)"),
    ),
    Regime(
        key="asic",
        display_name="ASIC",
        display_name_ko="호주 증권투자위원회(ASIC)",
        # Rule 2.2.3(1): by the end of the second Business Day after the transaction; a
        # Business Day is a Sydney one (not a weekend, public or bank holiday in NSW)
        deadline=RegimeCalendar("ASIC", "AU", "Australia/Sydney", days=2),
        record_keeping_years=5,
        writer="shared.formats.writers.asic:AsicWriter",
        tr_name="ASIC-TR",
        media_type="application/xml",
        aliases=("au", "australia"),
        sources=("ASIC Derivative Transaction Rules (Reporting) 2024, Rule 2.2.3(1) end of the "
                 "second Business Day (T+4 with a package id, 2.2.3(3)); Rule 2.5.1 five years"),
        obligation=_dual({"AU"}, "ASIC Derivative Transaction Rules (Reporting) 2024 "
                         "Rule 1.2.4 and 2.2.1: each Reporting Entity reports the trades booked "
                         "or executed in Australia (rule numbers unverified)"),
    ),
    Regime(
        key="cftc-part43",
        display_name="CFTC Part 43",
        display_name_ko="CFTC Part 43(실시간 공시)",
        # 17 CFR 43.3(a): public dissemination "as soon as technologically practicable" after
        # execution; the calendar can only say "by the end of the execution day".
        deadline=RegimeCalendar("CFTC43", "US", "America/New_York", days=0),
        record_keeping_years=5,  # 17 CFR 45.2, the same records
        writer="shared.formats.writers.cftc_part43:CftcPart43Writer",
        tr_name="CFTC-SDR",
        media_type="application/json",
        aliases=("cftc43", "part43", "cftc-rt"),
        sources=("17 CFR 43.3(a) as soon as technologically practicable (43.2); post-priced "
                 "swaps by 11:59:59 pm ET, 43.3(a)(4); 43.5 delays are for dissemination"),
        correction=Correction(
            None, "the SDR, by a corrected report",
            source=("17 CFR 43.3(e): errors in publicly reported data are corrected as soon as "
                    "technologically practicable after discovery (unverified); the tenant's "
                    "target applies")),
        obligation=Obligation(
            ("SD", "MSP", "FE", "NFE"), frozenset({"SD", "MSP", "FE", "NFE"}), "one",
            "legal-entity", frozenset({"US"}), follows="cftc-part45",
            source="17 CFR 43.3(a)(3): the reporting counterparty of Part 45 reports it"),
    ),
)

REGISTRY: Mapping[str, Regime] = MappingProxyType({r.key: r for r in _REGIMES})

# What a tenant reports to when its row names no regime (tenants.regimes defaults to it too).
DEFAULT_TENANT_REGIMES: tuple[str, ...] = ("krx",)

# Deadline rules of regimes we judge but do not report to: none since UK EMIR got its writer;
# the hook stays for the next regime whose deadline comes before its writer.
CALENDAR_ONLY: Mapping[str, tuple[RegimeCalendar, tuple[str, ...]]] = MappingProxyType({})


def normalise(name: str) -> str:
    """The form aliases are matched in: `CFTC_Part45 ` -> `cftc-part45`."""
    return name.strip().lower().replace("_", "-")


_BY_SPELLING: Mapping[str, Regime] = MappingProxyType({
    spelling: r
    for r in _REGIMES
    for spelling in (r.key, r.deadline.name.lower(), *r.aliases)
})


def keys() -> tuple[str, ...]:
    """The reporting regimes' keys, in registry order."""
    return tuple(REGISTRY)


def regime(key: str) -> Regime:
    """The regime with exactly this key; `UnknownRegime` naming the known keys otherwise."""
    try:
        return REGISTRY[key]
    except KeyError:
        raise UnknownRegime(key, known=keys()) from None


def resolve(name: str) -> Regime:
    """The regime for any spelling a record may use (`CFTC`, `emir_refit`, `KRX-TR`, ...)."""
    found = _BY_SPELLING.get(normalise(name))
    if found is None:
        raise UnknownRegime(name, known=keys())
    return found


def deadline_rules() -> Mapping[str, RegimeCalendar]:
    """Every deadline rule by its calendars' key: the regimes' and the calendar-only ones."""
    rules = {r.deadline.name: r.deadline for r in _REGIMES}
    rules.update({name: rule for name, (rule, _) in CALENDAR_ONLY.items()})
    return MappingProxyType(rules)


_RULE_BY_SPELLING: Mapping[str, RegimeCalendar] = MappingProxyType({
    **{spelling: r.deadline for spelling, r in _BY_SPELLING.items()},
    **{spelling: rule for name, (rule, spellings) in CALENDAR_ONLY.items()
       for spelling in (name.lower(), *spellings)},
})


def deadline_rule(name: str) -> RegimeCalendar:
    """The deadline rule for any spelling of a regime or a calendar-only regime."""
    found = _RULE_BY_SPELLING.get(normalise(name))
    if found is None:
        raise UnknownRegime(name, known=sorted(deadline_rules()))
    return found
