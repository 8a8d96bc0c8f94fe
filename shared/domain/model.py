"""The canonical trade event: one lifecycle event of one trade, on the CPMI-IOSCO critical data
elements, from which every regime's report is projected.

Deliberately permissive: identifiers, codes and currencies are plain strings so that a wrong
value can be *represented* and then explained by a validation rule (with its rule id, field and
message), instead of failing the whole record at parse time. Only what cannot be represented
at all (a date that is not a date, an amount that is not a number, an unknown action type)
fails parsing, and then as a per-record error naming the field.

Money is Decimal. Timestamps are timezone-aware UTC. Field names follow the CDE wording so the
KRX CSV profile, the rules and the writers can name them the same way.
"""

from __future__ import annotations

import copy
import hashlib
import json
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as time_of_day
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Annotated, Any, TypeVar, cast

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


class ActionType(StrEnum):
    NEWT = "NEWT"  # new
    MODI = "MODI"  # modification
    CORR = "CORR"  # correction
    TERM = "TERM"  # termination
    EROR = "EROR"  # error (reported by mistake)
    REVI = "REVI"  # revive
    VALU = "VALU"  # valuation update
    MARU = "MARU"  # margin update
    POSC = "POSC"  # position component
    PRTO = "PRTO"  # port-out to another repository


class EventType(StrEnum):
    TRAD = "TRAD"  # trade
    NOVA = "NOVA"  # novation / step-in
    COMP = "COMP"  # post-trade risk reduction (compression)
    ETRM = "ETRM"  # early termination
    CLRG = "CLRG"  # clearing
    CLAL = "CLAL"  # clearing and allocation
    ALOC = "ALOC"  # allocation
    EXER = "EXER"  # exercise
    CREV = "CREV"  # credit event
    CORP = "CORP"  # corporate event
    INCP = "INCP"  # inclusion in position
    PTNG = "PTNG"  # porting
    UPDT = "UPDT"  # update (regulatory upgrade)


class AssetClass(StrEnum):
    INTR = "INTR"  # interest rates
    CRDT = "CRDT"  # credit
    CURR = "CURR"  # foreign exchange
    EQUI = "EQUI"  # equity
    COMM = "COMM"  # commodity


class Level(StrEnum):
    TCTN = "TCTN"  # transaction
    PSTN = "PSTN"  # position


class IdType(StrEnum):
    LEI = "LEI"
    NATURAL_PERSON = "PRSN"
    CLIENT_CODE = "CLNT"
    OTHER = "OTHR"


class Nature(StrEnum):
    FINANCIAL = "F"
    NON_FINANCIAL = "N"
    CCP = "C"
    OTHER = "O"


class Cleared(StrEnum):
    YES = "Y"
    NO = "N"
    INTENDED = "I"


class PeriodUnit(StrEnum):
    DAY = "DAIL"
    WEEK = "WEEK"
    MONTH = "MNTH"
    YEAR = "YEAR"
    ADHOC = "ADHO"
    EXPIRY = "EXPI"  # once, at term


class ValuationMethod(StrEnum):
    MARK_TO_MARKET = "MTMA"
    MARK_TO_MODEL = "MTMO"
    CCP = "CCPV"


def _upper_stripped(value: str | None) -> str | None:
    return value.strip().upper() if isinstance(value, str) else value


Code = Annotated[str, AfterValidator(_upper_stripped)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, validate_assignment=True,
                              use_enum_values=False, str_strip_whitespace=True)


class SourcePosition(_Model):
    """Where a record came from, for errors a user can act on."""

    file: str | None = None
    line: int | None = None  # 1-based physical line (CSV/JSONL) or record number (FpML)
    record: int | None = None  # 1-based record number within the file
    path: str | None = None  # e.g. an XPath inside an FpML message


class RegimeClassification(_Model):
    """How one regime classifies a party (the party's FpML `reportingRegime` for it). The same
    entity can be an NFC under ESMA's EMIR and an FC under the FCA's UK EMIR, and DRR takes
    each regime's nature and clearing-threshold status from that regime's own entry."""

    nature: Nature | None = None
    clearing_threshold_exceeded: bool | None = None
    directly_linked_activity: bool | None = None


class Party(_Model):
    identifier: str
    id_type: IdType = IdType.LEI
    name: str | None = None
    nature: Nature | None = None
    sectors: list[str] = Field(default_factory=list)  # EMIR sector codes, e.g. CDTI, AIFD
    country: Code | None = None
    clearing_threshold_exceeded: bool | None = None
    financial_entity: bool | None = None  # CFTC counterparty*FinancialEntityIndicator
    federal_entity: bool | None = None  # CFTC counterparty*FederalEntityIndicator
    reporting_obligation: bool | None = None
    # added for the FpML mapping (all optional):
    directly_linked_activity: bool | None = None  # EMIR NFC hedging flag
    supervisory_bodies: list[str] = Field(default_factory=list)  # CFTC, SEC, ESMA, FCA ...
    execution_agent: str | None = None  # LEI of the agent executing for this party (CFTC)
    # by regime name as FpML's reportingRegime/name gives it (UKEMIR, JFSA, HKTR ...); the
    # EMIR entry is the fields above
    regime_classifications: dict[str, RegimeClassification] = Field(default_factory=dict)
    # every sector classification the source states, by scheme (FpML industryClassificationScheme
    # tail), e.g. {"hkma-rewrite-regulatory-corporate-sector": "CSDS"}: each regime has its own
    classifications: dict[str, str] = Field(default_factory=dict)
    # supervisory body -> the entity classification (Financial, NonFinancial, ...) the party's
    # first reporting regime naming that body states; None where that regime states none
    entity_classifications: dict[str, str | None] = Field(default_factory=dict)
    beneficiary: str | None = None  # LEI of the beneficiary named in this party's trade info


class Period(_Model):
    unit: PeriodUnit
    multiplier: int = Field(ge=0)


class Money(_Model):
    amount: Decimal
    currency: Code


class NotionalStep(_Model):
    effective_date: date
    end_date: date | None = None
    amount: Decimal


class Leg(_Model):
    """One leg (stream) of the trade, seen from counterparty 1's report."""

    payer: str | None = None
    receiver: str | None = None
    notional: Money | None = None
    notional_schedule: list[NotionalStep] = Field(default_factory=list)
    quantity: Decimal | None = None
    fixed_rate: Decimal | None = None  # as a decimal fraction: 0.0253 = 2.53 %
    floating_index: str | None = None  # the FEP's or FpML's name, e.g. USD-LIBOR-BBA
    floating_index_code: Code | None = None  # ISO 20022 code, e.g. LIBO, EURI, SOFR
    floating_tenor: Period | None = None
    spread: Decimal | None = None  # decimal fraction
    spread_currency: Code | None = None
    day_count: Code | None = None  # ISO 20022 day count code, e.g. A004 (ACT/360)
    payment_frequency: Period | None = None
    reset_frequency: Period | None = None
    settlement_currency: Code | None = None
    direction: Code | None = None  # MAKE / TAKE for counterparty 1 on this leg
    # added for the FpML mapping (all optional):
    rate_type: Code | None = None  # FIXED, FLOATING, INFLATION, OTHER (how the leg's rate is set)
    total_quantity: Decimal | None = None  # total notional quantity (equities, bonds)
    quantity_unit: Code | None = None  # e.g. SHAS (shares), IPNT (index points)
    fixing_date: date | None = None  # e.g. an NDF's or a cash-settled option's fixing date
    # added for commodities (all optional):
    quantity_frequency: str | None = None  # FpML quantityFrequency, e.g. PerCalendarDay, Term
    # the leg's calculation periods (what a PerCalculationPeriod quantity is per): a regular
    # schedule's frequency, ADHO for periods listed by date
    calculation_period: Period | None = None


class Underlier(_Model):
    identifier: str
    source: Code | None = None  # ISIN, CCY, FPML, RED, INDX, ...
    name: str | None = None
    # added for the FpML mapping (optional): the identifier's scheme as a CDM ProductIdTypeEnum
    # value (RIC, BBGID, CUSIP, SEDOL, ..., Other), for regimes that report a non-ISIN id's source
    id_scheme: str | None = None


class CommodityClassification(_Model):
    """The commodity a COMM trade is on, in the ISO 20022 / EMIR Refit taxonomy (RTS 2022/1855
    Table 2 fields 2.119-2.121; ISO 20022 AssetClassCommodity): base product (AGRI, NRGY,
    METL...), sub product (GROS, OILP, PRME...) and further sub product (SOYB, WTIO, GOLD...).
    The code list is refdata/data/commodity_classification.csv."""

    base_product: Code
    sub_product: Code | None = None
    further_sub_product: Code | None = None


class Product(_Model):
    asset_class: AssetClass | None = None
    contract_type: Code | None = None  # SWAP, FRAS, FORW, OPTN, SWPT, CFDS, FUTR, OTHR
    instrument_type: str | None = None  # Swap, Forward, Option, ...
    product_name: str | None = None  # the source's taxonomy, e.g. InterestRate:IRSwap:FixedFloat
    upi: Code | None = None
    isin: Code | None = None
    classification: Code | None = None  # CFI code
    delivery_type: Code | None = None  # CASH, PHYS, OPTL
    underliers: list[Underlier] = Field(default_factory=list)
    settlement_currency: Code | None = None
    custom_basket: bool | None = None
    # added for the FpML mapping (all optional):
    settlement_location: Code | None = None  # e.g. HK for offshore renminbi (CNH)
    basket_id: str | None = None  # identifier of a (custom) basket underlier
    underlier_basket: bool | None = None  # the underlier is a basket (even of one constituent)
    commodity: CommodityClassification | None = None  # COMM only


class OptionTerms(_Model):
    option_type: Code | None = None  # CALL, PUTO, OTHR
    exercise_style: Code | None = None  # EURO, AMER, BERM, ASIA
    strike: Decimal | None = None
    strike_currency: Code | None = None
    strike_notation: Code | None = None  # MONE, PERC, YIEL, BAPO
    premium: Money | None = None
    premium_payment_date: date | None = None
    first_exercise_date: date | None = None
    exercise_dates: list[date] = Field(default_factory=list)
    # added for the FpML mapping (all optional):
    call_amount: Money | None = None  # FX options: the call currency and amount
    put_amount: Money | None = None  # FX options: the put currency and amount
    underlying_maturity_date: date | None = None  # e.g. the swaption's underlying swap end


class VarianceTerms(_Model):
    """An equity variance swap's amount terms (FpML varianceLeg/amount/variance), added for
    the FpML mapping: what a regime reports as the notional is the variance amount."""

    variance_amount: Money | None = None  # the leg's notional (payout per variance point)
    vega_notional: Decimal | None = None
    volatility_strike: Decimal | None = None  # in volatility points, e.g. 18.135
    variance_strike: Decimal | None = None  # in variance points (volatility strike squared)


class Price(_Model):
    value: Decimal
    currency: Code | None = None
    notation: Code | None = None  # MONE, PERC, YIEL, BAPO


class CreditTerms(_Model):
    """Credit derivative terms (added for the FpML mapping)."""

    seniority: Code | None = None  # SNDB, SBOD, OTHR
    series: int | None = None
    version: int | None = None
    index_factor: Decimal | None = None
    attachment_point: Decimal | None = None  # tranche, as a decimal fraction
    detachment_point: Decimal | None = None
    reference_entity: str | None = None


class OtherPayment(_Model):
    """An upfront fee or other one-off payment (added for the FpML mapping)."""

    payment_type: Code | None = None  # UFRO (upfront), UWIN, PEXH, ...
    amount: Money
    payment_date: date | None = None
    payer: str | None = None
    receiver: str | None = None


class Valuation(_Model):
    amount: Money
    method: ValuationMethod | None = None
    timestamp: datetime
    delta: Decimal | None = None


class Collateral(_Model):
    portfolio_code: str | None = None
    category: Code | None = None  # UNCL, PRCL, OWCL, TWCL ...
    initial_margin_posted: Money | None = None
    initial_margin_collected: Money | None = None
    variation_margin_posted: Money | None = None
    variation_margin_collected: Money | None = None
    timestamp: datetime | None = None


class Clearing(_Model):
    cleared: Cleared = Cleared.NO
    ccp: str | None = None
    clearing_member: str | None = None
    clearing_timestamp: datetime | None = None
    clearing_obligation: bool | None = None
    mandatory_clearing: bool | None = None


class MasterAgreement(_Model):
    type: str | None = None  # ISDA, KOFIA, ...
    version: str | None = None


class TradeEvent(_Model):
    """One reportable lifecycle event of one trade."""

    # identity and lifecycle
    uti: str | None = None  # None: generated in enrichment from the generating LEI + trade id
    prior_uti: str | None = None
    trade_id: str | None = None  # the FEP's own trade reference
    # the trade's one identifier that is not a UTI (none when it has several): ISO 20022
    # ScndryTxId, and the proprietary TxId where the trade has no UTI
    secondary_trade_id: str | None = None
    event_id: str | None = None
    action_type: ActionType
    event_type: EventType | None = None
    level: Level = Level.TCTN

    # timestamps and dates (UTC)
    execution_timestamp: datetime | None = None
    event_timestamp: datetime | None = None
    reporting_timestamp: datetime | None = None
    effective_date: date | None = None
    expiration_date: date | None = None
    early_termination_date: date | None = None
    final_settlement_date: date | None = None

    # parties
    counterparty_1: Party | None = None  # the reporting counterparty
    counterparty_2: Party | None = None
    submitting_entity: str | None = None
    entity_responsible: str | None = None
    broker: str | None = None
    execution_venue: Code | None = None  # MIC, XOFF (off venue) or XXXX

    # economics
    product: Product = Field(default_factory=Product)
    legs: list[Leg] = Field(default_factory=list, max_length=2)
    option: OptionTerms | None = None
    price: Price | None = None
    exchange_rate: Decimal | None = None
    exchange_rate_basis: str | None = None  # e.g. USD/JPY
    valuation: Valuation | None = None
    collateral: Collateral | None = None
    clearing: Clearing = Field(default_factory=Clearing)
    confirmation: Code | None = None  # ECNF, YCNF, NCNF
    confirmation_timestamp: datetime | None = None
    master_agreement: MasterAgreement | None = None

    # flags and packages
    package_id: str | None = None
    block_trade: bool | None = None
    allocation: Code | None = None  # UNAL, POST, PREA
    prime_brokerage: bool | None = None
    post_priced: bool | None = None
    non_standard_terms: bool | None = None
    compression: bool | None = None

    # added for the FpML mapping (all optional):
    buyer: str | None = None  # CDE buyer / seller identifiers (options, CDS, forwards)
    seller: str | None = None
    execution_venue_type: str | None = None  # SEF, DCM, OffFacility
    intragroup: bool | None = None
    credit: CreditTerms | None = None
    other_payments: list[OtherPayment] = Field(default_factory=list)
    package_price: Price | None = None
    package_spread: Price | None = None
    # the source's text of event_timestamp (ISO 8601 with its own offset and precision, e.g.
    # 2004-01-24T04:36:35-08:00 or ...38.7635176Z), which auth.030.001.04 DtTm reports as is
    event_timestamp_text: str | None = None
    variance: VarianceTerms | None = None  # equity variance swaps
    message_id: str | None = None  # the source message's own (technical record) identifier
    # added for lifecycle events (all optional):
    event_date: date | None = None  # EMIR 2.152: when the reported event took place
    amendment_indicator: bool | None = None  # CFTC: a MODI reflecting newly agreed terms

    # added for reporting obligations (issue 17, optional): the tenant's entity or branch that
    # booked the trade (its entity_id), when the record says
    booking_entity: str | None = None

    # regimes this event is reportable under (cftc-part45, emir, krx); empty: tenant default
    regimes: list[str] = Field(default_factory=list)
    # regime-specific values without a CDE home, e.g. a DRR-only flag
    extensions: dict[str, Any] = Field(default_factory=dict)
    source: SourcePosition | None = None

    def payload_hash(self) -> str:
        """SHA-256 of the event's content: what makes a re-delivery recognisable.

        Excludes where it came from and when it was reported, so the same event sent twice,
        from two files, is the same event.
        """
        content = self.model_dump(mode="json", exclude={"source", "reporting_timestamp"})
        _drop_unset_additions(content)
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def notional(self, leg: int = 0) -> Money | None:
        return self.legs[leg].notional if len(self.legs) > leg else None


# Fields added to the model after events were first stored with their hash. A hash is how a
# re-delivered record is recognised (trade_events.payload_hash), so a new field at its empty
# default must not change the hash of an event that does not use it: the same file sent again
# after an upgrade is still the same event, not a second report. Add each new field here.
HASH_ADDED_FIELDS_AT: Mapping[str, frozenset[str]] = types.MappingProxyType({
    "event": frozenset({"event_timestamp_text", "variance", "secondary_trade_id", "message_id",
                        "event_date", "amendment_indicator",  # TradeEvent (issue 16)
                        "booking_entity"}),  # issue 17
    "product": frozenset({"commodity"}),
    "underlier": frozenset({"id_scheme"}),
    "leg": frozenset({"quantity_frequency", "calculation_period"}),
    "party": frozenset({"regime_classifications", "classifications", "entity_classifications",
                        "beneficiary"}),
})
HASH_ADDED_FIELDS = frozenset().union(*HASH_ADDED_FIELDS_AT.values())
_EMPTY: tuple[Any, ...] = (None, {}, [])


def _drop(content: Any, names: frozenset[str]) -> None:
    if isinstance(content, dict):
        for name in names.intersection(content):
            if content[name] in _EMPTY:
                del content[name]


def _drop_unset_additions(content: dict[str, Any]) -> None:
    """Remove the added fields still at their empty default from an event's dump, in place.

    Only where each can be (a walk over the whole dump cost more than the hash itself)."""
    added = HASH_ADDED_FIELDS_AT
    _drop(content, added["event"])
    product = content.get("product")
    _drop(product, added["product"])
    if isinstance(product, dict):
        for underlier in product.get("underliers") or ():
            _drop(underlier, added["underlier"])
    for leg in content.get("legs") or ():
        _drop(leg, added["leg"])
    for name in ("counterparty_1", "counterparty_2"):
        _drop(content.get(name), added["party"])


ModelT = TypeVar("ModelT", bound=BaseModel)

# Values that are never changed in place, so a copy may share them: every scalar a model field
# holds (codes and identifiers, amounts, dates, timestamps, flags, enum members).
_IMMUTABLE = (str, int, float, Decimal, date, time_of_day, Enum, type(None))


def copy_model(model: ModelT) -> ModelT:
    """A deep copy of a validated model, as `type(model).model_validate(model.model_dump())`
    makes it (the same values and types, every field marked as set) without validating again.

    Enrichment copies every event it is given: dump-and-validate was most of its cost, and
    `model_copy(deep=True)` is slower still (copy.deepcopy of every date and Decimal). The
    values came out of validation, so they are valid as they are; only what can be changed in
    place (sub-models, lists, dicts) is copied, the immutable scalars are shared.
    """
    copier = _COPIERS.get(type(model)) or _copier(type(model))
    return cast(ModelT, copier(model))


def _copier(cls: type[BaseModel]) -> Callable[[Any], Any]:
    """The copy function of one model class, its fields sorted once: those that may hold a
    sub-model, a list of them, or anything else mutable (a list of scalars, a dict, Any)."""
    shape = _SHAPES.get(cls) or _shape(cls)
    models = tuple(name for name, how in shape.nested if how is _Nested.MODEL)
    lists = tuple(name for name, how in shape.nested if how is _Nested.MODELS)
    others = tuple(name for name, how in shape.nested if how is _Nested.OTHER)
    every_field = shape.every_field
    new, set_attr = cls.__new__, object.__setattr__

    def copy_one(model: Any) -> Any:
        values = model.__dict__.copy()
        for name in models:
            value = values[name]
            if value is not None:
                values[name] = (_COPIERS.get(type(value)) or _copier(type(value)))(value)
        for name in lists:
            value = values[name]
            if value:
                values[name] = [copy_model(item) for item in value]
            elif value is not None:
                values[name] = []
        for name in others:
            value = values[name]
            if value:
                values[name] = _copy_value(value)
            elif value is not None:  # an empty list or dict, most often
                values[name] = [] if type(value) is list else (
                    {} if type(value) is dict else _copy_value(value))
        # What pydantic's model_construct sets, without its per-field loop (4x slower here: 84
        # us against 20 per event); tests/unit/domain/test_enrichment.py holds the copy to
        # dump-and-validate, so a pydantic that keeps more state fails there, not in production.
        copied = new(cls)
        set_attr(copied, "__dict__", values)
        set_attr(copied, "__pydantic_fields_set__", set(every_field))
        set_attr(copied, "__pydantic_extra__", None)  # extra="forbid": never any
        set_attr(copied, "__pydantic_private__", None)  # no private attributes
        return copied

    _COPIERS[cls] = copy_one
    return copy_one


_COPIERS: dict[type[BaseModel], Callable[[Any], Any]] = {}  # one per model class: a handful


def _copy_value(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return copy_model(value)
    kind = type(value)
    if kind is list:
        return [_copy_value(item) for item in value]
    if kind is dict:
        return {key: _copy_value(item) for key, item in value.items()}
    if isinstance(value, _IMMUTABLE):
        return value
    return copy.deepcopy(value)  # anything else an `Any` field (extensions) may hold


class _Nested(Enum):
    MODEL = "a sub-model"
    MODELS = "a list of sub-models"
    OTHER = "a list of scalars, a dict or anything (Any)"


@dataclass(frozen=True)
class _Shape:
    nested: tuple[tuple[str, _Nested], ...]  # the fields that may hold something mutable
    every_field: frozenset[str]


_SHAPES: dict[type[BaseModel], _Shape] = {}  # one per model class: a handful


def _shape(cls: type[BaseModel]) -> _Shape:
    nested = []
    for name, info in cls.model_fields.items():
        annotation = _optional_of(info.annotation)
        if _is_scalar(annotation):
            continue
        inner = typing.get_args(annotation)[0] if typing.get_origin(annotation) is list else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            nested.append((name, _Nested.MODEL))
        elif isinstance(inner, type) and issubclass(inner, BaseModel):
            nested.append((name, _Nested.MODELS))
        else:
            nested.append((name, _Nested.OTHER))
    shape = _SHAPES[cls] = _Shape(tuple(nested), frozenset(cls.model_fields))
    return shape


def _optional_of(annotation: Any) -> Any:
    """X for `X | None`; anything else as it is."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _is_scalar(annotation: Any) -> bool:
    """True when every type `annotation` admits (through Optional and Annotated) is immutable."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_scalar(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return all(_is_scalar(arg) for arg in typing.get_args(annotation))
    return isinstance(annotation, type) and issubclass(annotation, _IMMUTABLE)


def utc(value: datetime) -> datetime:
    """Aware UTC datetime; a naive one is taken as UTC (FEP exports often omit the zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
