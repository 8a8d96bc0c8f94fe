"""An ISO 20022 message checked against its schema, as python-iso20022 generates it from the
published XSD (a dev dependency, pinned in requirements-dev.lock, so this runs offline):
element names and nesting, code lists, required elements, lengths, patterns, digits, and the
sequence order of every element. The same checks as tests/unit/formats/writers/
test_auth030_schema.py, for any message model."""

from __future__ import annotations

import dataclasses
import re
import warnings
from decimal import Decimal
from typing import Any

from lxml import etree


def _parser() -> Any:
    from xsdata.formats.dataclass.parsers import XmlParser
    from xsdata.formats.dataclass.parsers.config import ParserConfig

    return XmlParser(config=ParserConfig(fail_on_unknown_properties=True,
                                         fail_on_unknown_attributes=True,
                                         fail_on_converter_warnings=True))


def _restrictions(node: Any, where: str, problems: list[str]) -> None:
    for field in dataclasses.fields(node):
        meta, value = field.metadata, getattr(node, field.name)
        name = f"{where}/{meta.get('name', field.name)}"
        if meta.get("required") and (value is None or value == []):
            problems.append(f"{name}: required but missing")
        for item in value if isinstance(value, list) else [value]:
            if dataclasses.is_dataclass(item):
                _restrictions(item, name, problems)
            elif isinstance(item, str):
                if "max_length" in meta and len(item) > meta["max_length"]:
                    problems.append(f"{name}: {item!r} longer than {meta['max_length']}")
                if "min_length" in meta and len(item) < meta["min_length"]:
                    problems.append(f"{name}: {item!r} shorter than {meta['min_length']}")
                if "pattern" in meta and not re.fullmatch(meta["pattern"], item):
                    problems.append(f"{name}: {item!r} does not match {meta['pattern']}")
            elif isinstance(item, Decimal):
                digits = item.normalize().as_tuple()
                fraction = max(0, -int(digits.exponent))
                if "fraction_digits" in meta and fraction > meta["fraction_digits"]:
                    problems.append(f"{name}: {item} has over {meta['fraction_digits']} decimals")
                if "total_digits" in meta and len(digits.digits) > meta["total_digits"]:
                    problems.append(f"{name}: {item} has over {meta['total_digits']} digits")
                if "min_inclusive" in meta and item < Decimal(str(meta["min_inclusive"])):
                    problems.append(f"{name}: {item} below {meta['min_inclusive']}")


def _order(node: Any, element: etree._Element, where: str, problems: list[str]) -> None:
    fields = [f for f in dataclasses.fields(node) if f.metadata.get("type") != "Attribute"]
    rank = {f.metadata.get("name", f.name): i for i, f in enumerate(fields)}
    children = [child for child in element if isinstance(child.tag, str)]
    names = [etree.QName(child).localname for child in children]
    ranks = [rank.get(name, -1) for name in names]
    if ranks != sorted(ranks):
        problems.append(f"{where}: children {names} are not in the schema's order")
    by_name = {f.metadata.get("name", f.name): f for f in fields}
    seen: dict[str, int] = {}
    for child, name in zip(children, names, strict=True):
        field = by_name.get(name)
        if field is None:
            continue
        value = getattr(node, field.name)
        if isinstance(value, list):
            value = value[seen.get(name, 0)] if seen.get(name, 0) < len(value) else None
            seen[name] = seen.get(name, 0) + 1
        if dataclasses.is_dataclass(value):
            _order(value, child, f"{where}/{name}", problems)


def schema_problems(data: bytes, model: type) -> list[str]:
    """Every way `data` breaks the schema of `model` (a python-iso20022 Document class)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a value the schema's type cannot hold is an error
        try:
            document = _parser().from_bytes(data, model)
        except Exception as exc:
            return [f"{type(exc).__name__}: {exc}"]
    problems: list[str] = []
    _restrictions(document, "Document", problems)
    _order(document, etree.fromstring(data), "Document", problems)
    return problems
