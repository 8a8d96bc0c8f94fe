"""What a product mapper extracts, with parties still as FpML hrefs.

The product modules fill a `Terms`; `mapper` resolves hrefs to identifiers and builds the
`TradeEvent`. Keeping hrefs until the end lets the mapper decide the reporting side (which
party is counterparty 1) after seeing the whole product.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from shared.domain.model import AssetClass, Money, NotionalStep, Period, Underlier

# a value of one of CreditTerms' fields (seniority, series, version, index_factor, ...)
CreditValue = str | int | Decimal | None


@dataclass
class LegTerms:
    payer: str | None = None
    receiver: str | None = None
    rate_type: str | None = None  # FIXED, FLOATING, INFLATION, OTHER
    notional: Money | None = None
    notional_schedule: list[NotionalStep] = field(default_factory=list)
    quantity: Decimal | None = None
    total_quantity: Decimal | None = None
    quantity_unit: str | None = None
    fixed_rate: Decimal | None = None
    floating_index: str | None = None
    floating_tenor: Period | None = None
    spread: Decimal | None = None
    spread_currency: str | None = None  # a spread in money (commodity legs)
    quantity_frequency: str | None = None  # FpML quantityFrequency (commodity legs)
    calculation_period: Period | None = None  # a commodity leg's calculation period frequency
    day_count: str | None = None  # FpML value; the mapper looks up the ISO code
    payment_frequency: Period | None = None
    reset_frequency: Period | None = None
    settlement_currency: str | None = None
    fixing_date: date | None = None
    effective_date: date | None = None
    end_date: date | None = None


@dataclass
class OptionData:
    option_type: str | None = None  # CALL, PUTO, OTHR
    exercise_style: str | None = None  # EURO, AMER, BERM
    strike: Decimal | None = None
    strike_currency: str | None = None
    strike_notation: str | None = None  # MONE, PERC, DECI
    premium: Money | None = None
    premium_payment_date: date | None = None
    first_exercise_date: date | None = None
    expiration_date: date | None = None
    exercise_dates: list[date] = field(default_factory=list)
    call_amount: Money | None = None
    put_amount: Money | None = None
    underlying_maturity_date: date | None = None


@dataclass
class PaymentTerms:
    payment_type: str | None
    amount: Money
    payment_date: date | None
    payer: str | None
    receiver: str | None


@dataclass
class Terms:
    asset_class: AssetClass | None = None
    contract_type: str | None = None  # SWAP, FRAS, FORW, OPTN, SWPT, ...
    instrument_type: str | None = None  # Swap, Forward, Option
    taxonomy: str | None = None  # FpML product taxonomy, e.g. InterestRate:IRSwap:FixedFloat
    cfi: str | None = None
    isin: str | None = None
    upi: str | None = None
    legs: list[LegTerms] = field(default_factory=list)
    first_party: str | None = None  # the party CDM calls Party1 (first named in the product)
    buyer: str | None = None
    seller: str | None = None
    report_sides: bool = True  # False: buyer/seller only order the parties (swaps, FRAs)
    fixing_date: date | None = None  # reported on the first leg once legs are ordered
    effective_date: date | None = None
    expiration_date: date | None = None
    settlement_date: date | None = None
    delivery_type: str | None = None  # CASH, PHYS, OPTL
    settlement_currency: str | None = None
    option: OptionData | None = None
    exchange_rate: Decimal | None = None
    exchange_rate_basis: str | None = None  # BASE/QUOTE
    underliers: list[Underlier] = field(default_factory=list)
    basket_id: str | None = None
    custom_basket: bool | None = None
    underlier_basket: bool | None = None
    other_payments: list[PaymentTerms] = field(default_factory=list)
    credit: dict[str, CreditValue] = field(default_factory=dict)  # CreditTerms fields
    price: Decimal | None = None
    price_currency: str | None = None
    price_notation: str | None = None
    # commodities: (taxonomy texts, reference prices) the mapper classifies through refdata
    commodity_texts: tuple[list[str], list[str]] | None = None
    variance: dict[str, object] | None = None  # VarianceTerms fields (variance swaps)
