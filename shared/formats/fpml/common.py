"""Pieces of FpML that every product family uses: periods, money, adjustable dates, premiums,
product classification and the CFI-derived contract type."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from shared.domain.model import AssetClass, Money, Period, PeriodUnit
from shared.formats.fpml.terms import OptionData, PaymentTerms, Terms
from shared.formats.fpml.xml import (
    Element,
    MappingError,
    decimal,
    find,
    findall,
    href,
    integer,
    text,
    to_date,
)

T = TypeVar("T")

_UNITS = {"D": PeriodUnit.DAY, "W": PeriodUnit.WEEK, "M": PeriodUnit.MONTH,
          "Y": PeriodUnit.YEAR, "T": PeriodUnit.EXPIRY}


def period(el: Element | None) -> Period | None:
    """An FpML Period (periodMultiplier + period); `1T` is "once, at term"."""
    if el is None:
        return None
    unit = text(el, "period")
    mult = integer(el, "periodMultiplier")
    if unit is None or unit.upper() not in _UNITS:
        return None
    if mult is not None and mult < 0:
        raise MappingError(f"a frequency cannot be negative: {mult}", "periodMultiplier")
    return Period(unit=_UNITS[unit.upper()], multiplier=mult if mult is not None else 1)


def money(el: Element | None, amount: str = "amount", currency: str = "currency") -> Money | None:
    if el is None:
        return None
    value = decimal(el, amount)
    ccy = text(el, currency)
    if value is None or ccy is None:
        return None
    return Money(amount=value, currency=ccy)


def adjustable_date(el: Element | None) -> date | None:
    """Any of FpML's date shapes: a plain date, unadjusted/adjusted, adjustableDate(s),
    relative dates with an adjusted value."""
    if el is None:
        return None
    if el.text and el.text.strip() and len(el) == 0:
        return to_date(el)
    for path in ("unadjustedDate", "adjustableDate/unadjustedDate", "adjustedDate",
                 "adjustableDate/adjustedDate", "adjustableDates/unadjustedDate",
                 "relativeDate/adjustedDate", "dateAdjustments/../unadjustedDate"):
        value = to_date(el, path)
        if value is not None:
            return value
    return None


def ref_or_self(el: Element | None, ids: dict[str, Element]) -> Element | None:
    """Follow an FpML reference (`href`) to the element it points at."""
    if el is None:
        return None
    target = el.get("href")
    return ids.get(target, el) if target else el


def premium(el: Element | None) -> tuple[Money | None, date | None, str | None, str | None]:
    """(amount, payment date, payer, receiver) of a `premium` / `equityPremium`."""
    if el is None:
        return None, None, None, None
    amount = money(find(el, "paymentAmount"))
    when = adjustable_date(find(el, "paymentDate"))
    return amount, when, href(el, "payerPartyReference"), href(el, "receiverPartyReference")


def product_types(product: Element) -> dict[str, str]:
    """productType / productId values keyed by their coding-scheme tail."""
    out: dict[str, str] = {}
    for tag, attr in (("productType", "productTypeScheme"), ("productId", "productIdScheme")):
        for node in findall(product, tag):
            value = text(node)
            if value:
                scheme = (node.get(attr) or "").replace(" ", "").lower()
                out.setdefault(scheme, value)
    return out


def classify(product: Element, terms: Terms) -> None:
    """Fill CFI, ISIN, UPI and taxonomy from the product's productType / productId."""
    for scheme, value in product_types(product).items():
        if "iso10962" in scheme:
            terms.cfi = terms.cfi or value
        elif "product-taxonomy" in scheme or "gtr-product-id" in scheme:
            terms.taxonomy = terms.taxonomy or value
        elif "upi" in scheme or "iso4914" in scheme:
            terms.upi = terms.upi or value
        elif "isin" in scheme and "underlying" not in scheme:
            terms.isin = terms.isin or value
    if terms.cfi is None:
        # some messages carry the CFI without a scheme
        for node in findall(product, "productType"):
            bare = text(node)
            if bare and len(bare) == 6 and bare.isalpha() and bare.isupper():
                terms.cfi = bare
                break


def option_style(exercise: Element | None) -> str | None:
    if exercise is None:
        return None
    return {"europeanExercise": "EURO", "americanExercise": "AMER",
            "bermudaExercise": "BERM"}.get(exercise.tag.rsplit("}", 1)[-1])


def exercise_element(product: Element) -> Element | None:
    for tag in ("europeanExercise", "americanExercise", "bermudaExercise",
                "exercise/europeanExercise", "exercise/americanExercise",
                "exercise/bermudaExercise", "equityExercise/equityEuropeanExercise",
                "equityExercise/equityAmericanExercise", "equityExercise/equityBermudaExercise"):
        node = find(product, tag)
        if node is not None:
            return node
    return None


def fill_exercise(option: OptionData, exercise: Element | None) -> None:
    """Style, expiry and first exercise date of an FpML exercise element."""
    if exercise is None:
        return
    name = exercise.tag.rsplit("}", 1)[-1]
    option.exercise_style = {"europeanExercise": "EURO", "americanExercise": "AMER",
                             "bermudaExercise": "BERM", "equityEuropeanExercise": "EURO",
                             "equityAmericanExercise": "AMER",
                             "equityBermudaExercise": "BERM"}.get(name)
    expiry = (adjustable_date(find(exercise, "expirationDate"))
              or adjustable_date(find(exercise, "expiryDate")))
    option.expiration_date = expiry
    first = (adjustable_date(find(exercise, "commencementDate"))
             or adjustable_date(find(exercise, "bermudaExerciseDates")))
    if option.exercise_style == "EURO":
        first = expiry
    option.first_exercise_date = first or expiry
    dates = [d for d in (adjustable_date(n) for n in findall(exercise, "bermudaExerciseDates/"
                                                              "adjustableDates/unadjustedDate"))
             if d]
    option.exercise_dates = dates
    if option.expiration_date is None and dates:
        option.expiration_date = max(dates)


def payment(el: Element, payment_type: str | None) -> PaymentTerms | None:
    amount = money(find(el, "paymentAmount"))
    if amount is None:
        return None
    return PaymentTerms(payment_type=payment_type, amount=amount,
                        payment_date=adjustable_date(find(el, "paymentDate")),
                        payer=href(el, "payerPartyReference"),
                        receiver=href(el, "receiverPartyReference"))


def require(value: T | None, what: str) -> T:
    if value is None:
        raise MappingError(f"{what} is missing", what)
    return value


def option_terms(product: Element, asset_class: AssetClass) -> tuple[Terms, OptionData]:
    """Terms and option data every FpML option product starts from: the buyer is the first
    party, the option type comes from `optionType` (anything but call/put is OTHR)."""
    terms = Terms(asset_class=asset_class, contract_type="OPTN", instrument_type="Option")
    classify(product, terms)
    terms.buyer = href(product, "buyerPartyReference")
    terms.seller = href(product, "sellerPartyReference")
    terms.first_party = terms.buyer
    option = OptionData()
    option.option_type = {"call": "CALL", "put": "PUTO"}.get(
        (text(product, "optionType") or "").lower(), "OTHR")
    return terms, option


# FpML instrumentIdScheme (by the name it ends with) -> CDM ProductIdTypeEnum, the source DRR
# reports beside an underlier's non-ISIN identifier; any other scheme is "Other"
PRODUCT_ID_TYPES = (("reuters-ric", "RIC"), ("ric", "RIC"), ("bloombergticker", "BBGTICKER"),
                    ("bloomberg", "BBGID"), ("figi", "FIGI"), ("cusip", "CUSIP"),
                    ("sedol", "SEDOL"), ("isin", "ISIN"), ("red", "REDID"),
                    ("bloomberg-ticker", "BBGTICKER"), ("valoren", "VALOREN"),
                    ("wertpapier", "Wertpapier"), ("sicovam", "Sicovam"), ("upi", "UPI"),
                    ("isda-crp", "ISDACRP"), ("name", "Name"))


def product_id_type(scheme: str | None) -> str:
    tail = (scheme or "").lower().rstrip("/").rsplit("/", 1)[-1]
    tail = tail.removeprefix("instrument-id-")
    return next((kind for key, kind in PRODUCT_ID_TYPES if tail == key), "Other")
