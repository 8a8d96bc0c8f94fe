"""The UPI (ISO 4914) of a trade: the product attributes that identify it, derived from the
event alone, and what to say when no UPI can be had. docs/UPI.md.

The ANNA DSB issues a UPI per product, described by a template per asset class and
instrument (CPMI-IOSCO Technical Guidance on the UPI, 2017: asset class, instrument type,
product/use case, the underlier or reference rate with its term, notional currency(ies),
delivery type, option type and exercise style). `product_attributes(event)` reads those from
a `TradeEvent` and raises `MissingAttribute` naming the first one the trade does not give;
`ProductAttributes.key` is the cache key (a hash of the attributes' canonical JSON).

Our attribute names are our own: the DSB's JSON field names are not in any reference we
have, so the HTTP adapter maps them through a configurable table (shared/adapters/dsb).
The UPI code's shape check is `shared.domain.identifiers.check_upi`, the one place for it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from enum import StrEnum

from shared.domain.model import AssetClass, Period, TradeEvent

__all__ = [
    "ATTRIBUTE_LABELS",
    "UNAVAILABLE_EXTENSION",
    "USER_TYPES",
    "MissingAttribute",
    "ProductAttributes",
    "Unavailable",
    "UnavailableReason",
    "UpiRecord",
    "UserType",
    "product_attributes",
    "user_type",
]

# The extension a pipeline step sets on an event that needs a UPI and could not get one;
# rule SR-ID-046 turns it into the issue (like "conflicting_utis" and SR-ID-040).
UNAVAILABLE_EXTENSION = "upi_unavailable"

# ISO 10962 / CDE contract type -> the UPI template's instrument type
_INSTRUMENT = {"SWAP": "Swap", "FRAS": "Forward", "FORW": "Forward", "FUTR": "Forward",
               "OPTN": "Option", "SWPT": "Option", "CFDS": "Forward", "OTHR": "Other"}
# Asset classes whose UPI templates carry the delivery type as a product attribute (the IR
# and credit templates take it only where it distinguishes the product, so it is optional)
_DELIVERY_REQUIRED = frozenset({AssetClass.CURR, AssetClass.EQUI, AssetClass.COMM})

# English and Korean names of each attribute, for the messages that name a missing one
ATTRIBUTE_LABELS: dict[str, tuple[str, str]] = {
    "asset_class": ("asset class", "자산군"),
    "instrument_type": ("instrument type (contract type)", "상품유형(계약유형)"),
    "use_case": ("use case", "상품 세부유형"),
    "underlier": ("underlier", "기초자산"),
    "reference_rate": ("reference rate", "기준금리"),
    "reference_rate_term": ("reference rate term", "기준금리 기간"),
    "notional_currency": ("notional currency", "명목금액 통화"),
    "other_notional_currency": ("other notional currency", "상대 명목금액 통화"),
    "settlement_currency": ("settlement currency", "결제통화"),
    "delivery_type": ("delivery type", "결제방식"),
    "option_type": ("option type", "옵션유형"),
    "exercise_style": ("option exercise style", "옵션 행사방식"),
    "commodity": ("commodity classification", "상품(원자재) 분류"),
}


class MissingAttribute(ValueError):
    """The trade lacks an attribute its UPI template needs: `attribute` names it."""

    def __init__(self, attribute: str, why: str = "") -> None:
        en, ko = ATTRIBUTE_LABELS[attribute]
        self.attribute, self.label_en, self.label_ko = attribute, en, ko
        self.why = why
        super().__init__(f"the trade gives no {en} ({attribute}), which its UPI template "
                         f"needs{': ' + why if why else ''}")

    @property
    def message_ko(self) -> str:
        return f"UPI 조회에 필요한 {self.label_ko}({self.attribute})이(가) 거래에 없습니다"


@dataclass(frozen=True)
class ProductAttributes:
    """The attributes one UPI stands for; None: not part of this product's template."""

    asset_class: str
    instrument_type: str
    use_case: str
    notional_currency: str
    underlier: str | None = None
    reference_rate: str | None = None
    reference_rate_term: str | None = None
    other_notional_currency: str | None = None
    settlement_currency: str | None = None
    delivery_type: str | None = None
    option_type: str | None = None
    exercise_style: str | None = None
    commodity: str | None = None  # base/sub/further-sub product, e.g. NRGY/OILP/WTIO

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @property
    def key(self) -> str:
        """The cache key: SHA-256 of the attributes' canonical JSON (sorted, no blanks)."""
        text = json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def describe(self) -> str:
        """The product's attributes by name, for messages: "asset class INTR, instrument type
        Swap, use case Fixed_Float, ..." (`describe_ko`: the same in Korean)."""
        return ", ".join(f"{_short(ATTRIBUTE_LABELS[k][0])} {v}"
                         for k, v in self.as_dict().items())

    def describe_ko(self) -> str:
        return ", ".join(f"{_short(ATTRIBUTE_LABELS[k][1])} {v}"
                         for k, v in self.as_dict().items())

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ProductAttributes:
        """From `as_dict`'s shape (the cache, the EOD file, the CLI); unknown names refused."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown UPI attribute(s) {unknown}; known: {sorted(names)}")
        values = {k: str(v).strip().upper() if k in _CODES else str(v).strip()
                  for k, v in data.items() if v not in (None, "")}
        for required in ("asset_class", "instrument_type", "use_case", "notional_currency"):
            if required not in values:
                raise MissingAttribute(required)
        return cls(**values)


# the tail of an ISDA taxonomy (FpML productType) -> a rates swap's use case
_RATES_TAXONOMY = {"FixedFloat": "Fixed_Float", "Basis": "Basis", "FixedFixed": "Fixed_Fixed",
                   "OIS": "OIS", "Inflation": "Inflation"}


def _short(label: str) -> str:
    return label.split("(", 1)[0].strip()


_CODES = frozenset({"asset_class", "notional_currency", "other_notional_currency",
                    "settlement_currency", "delivery_type", "option_type", "exercise_style"})


class UnavailableReason(StrEnum):
    NOT_FOUND = "not_found"  # no UPI for these attributes, and ours may not create one
    CREATE_REFUSED = "create_refused"  # the DSB refused to create it (cap reached, ...)
    UNREACHABLE = "unreachable"  # the DSB did not answer
    ATTRIBUTES = "attributes_missing"  # the trade lacks an attribute of the template


_REASON_TEXT: dict[UnavailableReason, tuple[str, str]] = {
    UnavailableReason.NOT_FOUND: (
        "the ANNA DSB has no UPI for these attributes and our DSB user type may not create one",
        "ANNA DSB에 해당 속성의 UPI가 없고 현재 DSB 사용자 유형으로는 UPI를 생성할 수 없습니다"),
    UnavailableReason.CREATE_REFUSED: (
        "the ANNA DSB refused to create a UPI for these attributes",
        "ANNA DSB가 해당 속성의 UPI 생성을 거절했습니다"),
    UnavailableReason.UNREACHABLE: (
        "the ANNA DSB could not be reached", "ANNA DSB에 연결할 수 없습니다"),
    UnavailableReason.ATTRIBUTES: (
        "the trade lacks an attribute the UPI needs", "UPI에 필요한 속성이 거래에 없습니다"),
}


@dataclass(frozen=True)
class Unavailable:
    """Why a trade that needs a UPI has none: stored on the event as UNAVAILABLE_EXTENSION."""

    reason: UnavailableReason
    attributes: str  # ProductAttributes.describe(), or "its product" when one is missing
    detail: str = ""  # e.g. the DSB's own error text
    detail_ko: str = ""
    attributes_ko: str = ""  # describe_ko()

    def as_extension(self) -> dict[str, str]:
        en, ko = _REASON_TEXT[self.reason]
        return {"reason": self.reason.value, "attributes": self.attributes,
                "attributes_ko": self.attributes_ko or self.attributes,
                "why": en + (f" ({self.detail})" if self.detail else ""),
                "why_ko": ko + (f" ({self.detail_ko or self.detail})"
                                if (self.detail_ko or self.detail) else "")}


def _term(period: Period | None) -> str | None:
    return f"{period.multiplier}{period.unit.value}" if period is not None else None


def product_attributes(event: TradeEvent) -> ProductAttributes:
    """The UPI attributes of `event`'s product; MissingAttribute names the first one lacking."""
    product = event.product
    if product.asset_class is None:
        raise MissingAttribute("asset_class")
    asset = product.asset_class
    instrument = _INSTRUMENT.get(product.contract_type or "")
    if instrument is None:
        raise MissingAttribute("instrument_type", f"contract type {product.contract_type!r}")
    currencies = [leg.notional.currency for leg in event.legs if leg.notional is not None]
    notional = currencies[0] if currencies else (
        product.settlement_currency if asset in (AssetClass.COMM, AssetClass.EQUI) else None)
    if notional is None:
        raise MissingAttribute("notional_currency")
    other = next((c for c in currencies[1:] if c != notional), None)
    delivery = product.delivery_type
    if delivery is None and asset in _DELIVERY_REQUIRED:
        raise MissingAttribute("delivery_type")
    option_type = exercise = None
    if instrument == "Option":
        option = event.option
        if option is None or option.option_type is None:
            raise MissingAttribute("option_type")
        if option.exercise_style is None:
            raise MissingAttribute("exercise_style")
        option_type, exercise = option.option_type, option.exercise_style
    use_case, rate, term, underlier = _use_case(event, asset, other is not None)
    commodity = None
    if asset is AssetClass.COMM:
        found = product.commodity
        if found is None:
            raise MissingAttribute("commodity")
        commodity = "/".join(p for p in (found.base_product, found.sub_product,
                                         found.further_sub_product) if p)
    return ProductAttributes(
        asset_class=asset.value, instrument_type=instrument, use_case=use_case,
        notional_currency=notional, underlier=underlier, reference_rate=rate,
        reference_rate_term=term, other_notional_currency=other,
        settlement_currency=(product.settlement_currency
                             if delivery == "CASH" and asset is AssetClass.CURR else None),
        delivery_type=delivery, option_type=option_type, exercise_style=exercise,
        commodity=commodity)


def _use_case(event: TradeEvent, asset: AssetClass, cross_currency: bool
              ) -> tuple[str, str | None, str | None, str | None]:
    """(use case, reference rate, its term, underlier) per asset class."""
    product = event.product
    # the source's taxonomy says single index / single name / basket where it is given; an
    # FpML index underlier is a "basket" of one constituent, which is not a basket product
    tail = (product.product_name or "").rsplit(":", 1)[-1]
    basket = bool(product.custom_basket or len(product.underliers) > 1
                  or (product.underlier_basket and not tail.startswith("Single")))
    underlier = (product.basket_id or "BASKET" if basket else
                 product.underliers[0].identifier if product.underliers else None)
    contract = product.contract_type
    if asset is AssetClass.INTR:
        floating = [leg for leg in event.legs if leg.rate_type in ("FLOATING", "INFLATION")
                    or leg.floating_index or leg.floating_index_code]
        first = floating[0] if floating else None
        rate = (first.floating_index_code or first.floating_index) if first else None
        term = _term(first.floating_tenor) if first else None
        if underlier is not None:  # a debt forward or option: on a bond, not a rate
            return f"Debt_{'Option' if contract == 'OPTN' else 'Forward'}", None, None, underlier
        if contract == "FRAS":
            kind = "FRA"
        elif contract == "SWPT":
            kind = "Swaption"
        elif contract == "OPTN":
            kind = "Cap_Floor"
        elif any(leg.rate_type == "INFLATION" for leg in event.legs):
            kind = "Inflation"
        else:
            # the source's taxonomy says what the swap is; the legs, when it does not
            kind = _RATES_TAXONOMY.get(tail) or {0: "Fixed_Fixed", 1: "Fixed_Float"}.get(
                len(floating), "Basis")
        if cross_currency and contract == "SWAP":
            kind = f"Cross_Currency_{kind}"
        if not kind.endswith("Fixed_Fixed") and rate is None:
            raise MissingAttribute("reference_rate")
        return kind, rate, term, None
    if asset is AssetClass.CURR:
        if not cross_currency:
            raise MissingAttribute("other_notional_currency")
        ndf = product.delivery_type == "CASH"
        kind = {"FORW": "NDF" if ndf else "Forward",
                "OPTN": "NDO" if ndf else "Vanilla_Option"}.get(contract or "", "Swap")
        return kind, None, None, None
    if underlier is None:
        raise MissingAttribute("underlier")
    if asset is AssetClass.CRDT:
        source = product.underliers[0].source if product.underliers else None
        kind = "Index" if source == "INDX" else "Basket" if basket else "Single_Name"
        if event.credit is not None and event.credit.attachment_point is not None:
            kind += "_Tranche"
        return (f"{kind}_Swaption" if contract == "SWPT" else kind), None, None, underlier
    if asset is AssetClass.EQUI:
        source = product.underliers[0].source if product.underliers else None
        index = source == "INDX" or tail == "SingleIndex"
        kind = "Basket" if basket else "Index" if index else "Single_Name"
        return kind, None, None, underlier
    return ("Index" if product.commodity and product.commodity.base_product == "INDX"
            else "Single_Commodity"), None, None, underlier


@dataclass(frozen=True)
class UserType:
    """What one ANNA DSB user type may do (anna-dsb.com "UPI user types" and fee table)."""

    name: str
    max_records: int  # records returned per search
    create_cap: int  # new UPIs per `cap_period`; 0: may not create
    cap_period: str  # "invoicing period" or "week"
    api: bool  # programmatic access (FIX / REST)
    free: bool  # non fee-paying: sees new UPIs (and the EOD file) at T+1 23:55 UTC

    @property
    def can_create(self) -> bool:
        return self.create_cap > 0


USER_TYPES: dict[str, UserType] = {t.name: t for t in (
    UserType("registered", 5, 0, "invoicing period", api=False, free=True),
    UserType("infrequent", 5, 12, "invoicing period", api=False, free=False),
    UserType("standard", 50, 600, "invoicing period", api=False, free=False),
    UserType("search_only_api", 50, 0, "invoicing period", api=True, free=False),
    UserType("power", 500, 6000, "week", api=True, free=False),
)}


def user_type(name: str) -> UserType:
    try:
        return USER_TYPES[name.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown DSB user type {name!r}; known: {sorted(USER_TYPES)}") \
            from None


@dataclass(frozen=True)
class UpiRecord:
    """One UPI as the DSB describes it: its code and the attributes it stands for."""

    code: str
    attributes: ProductAttributes
