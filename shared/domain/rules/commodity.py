"""Commodity terms: the commodity classification and the quantity in its unit of measure."""

from __future__ import annotations

from collections.abc import Iterator

from shared.domain.issues import Severity
from shared.domain.model import AssetClass, TradeEvent
from shared.domain.rules.base import Violation, rule
from shared.domain.rules.context import ValidationContext


@rule("SR-EC-050", severity=Severity.REJECT, field="product.commodity",
      title="A commodity trade is classified in the ISO 20022 / EMIR commodity taxonomy",
      en="the commodity classification {value} {problem}",
      ko="원자재 분류 {value}: {problem_ko}",
      source="ESMA RTS 2022/1855 Annex Table 2 fields 2.119-2.121 (base product, sub-product, "
             "further sub-product); ISO 20022 AssetClassCommodity",
      note="Reject: a base / sub / further sub product combination that is not in the "
           "published code list (refdata commodity_classification.csv). Warning: a commodity "
           "(COMM) trade without a classification, which EMIR Refit requires.")
def commodity_classification(event: TradeEvent, ctx: ValidationContext
                             ) -> Iterator[Violation] | None:
    commodity = event.product.commodity
    if commodity is None:
        if event.product.asset_class is AssetClass.COMM:
            return iter([Violation({"problem": "is missing for a commodity trade",
                                    "problem_ko": "원자재 거래에 분류가 없습니다"},
                                   value="-", severity=Severity.WARN)])
        return None
    key = (commodity.base_product, commodity.sub_product, commodity.further_sub_product)
    if key in ctx.commodity_codes:
        return None
    shown = "/".join(code for code in key if code)
    return iter([Violation({"problem": "is not a combination of the published code list",
                            "problem_ko": "공표된 코드 목록에 없는 조합입니다"}, value=shown)])


@rule("SR-EC-051", severity=Severity.REJECT, field="legs[0].quantity_unit",
      title="A total notional quantity is non-negative and states its unit of measure",
      en="leg {leg}: {problem}",
      ko="레그{leg}: {problem_ko}",
      source="CPMI-IOSCO CDE (total notional quantity, quantity unit of measure); CFTC Tech. "
             "Spec. v3.2 (quantity unit of measure: ISO 20022 UnitOfMeasure codes)",
      note="Reject: a negative quantity, or a quantity without a unit. Warning: a unit that is "
           "not one of the ISO 20022 codes the unit table (refdata commodity_units.csv) "
           "reports. Commodity (COMM) trades only: equities state shares or index points.")
def quantity_unit(event: TradeEvent, ctx: ValidationContext) -> Iterator[Violation] | None:
    if event.product.asset_class is not AssetClass.COMM:
        return None
    found: list[Violation] = []
    for i, leg in enumerate(event.legs):
        if leg.total_quantity is None:
            continue
        if leg.total_quantity < 0:
            found.append(Violation({"leg": i + 1, "problem": "the total notional quantity is "
                                    "negative", "problem_ko": "총 명목수량이 음수입니다"},
                                   field=f"legs[{i}].total_quantity", value=leg.total_quantity))
        if not leg.quantity_unit:
            found.append(Violation({"leg": i + 1, "problem": "a total notional quantity without "
                                    "its unit of measure", "problem_ko": "총 명목수량의 단위가 "
                                    "없습니다"}, field=f"legs[{i}].quantity_unit"))
        elif leg.quantity_unit not in ctx.units_of_measure:
            found.append(Violation({"leg": i + 1, "problem": f"unit {leg.quantity_unit} is not "
                                    "an ISO 20022 unit of measure code", "problem_ko":
                                    f"단위 {leg.quantity_unit}은(는) ISO 20022 단위 코드가 "
                                    "아닙니다"}, field=f"legs[{i}].quantity_unit",
                                   value=leg.quantity_unit, severity=Severity.WARN))
    return iter(found) if found else None
