"""Helpers of the checks of the kinds beside workloads: the apiserver's phrasing of a field
error, label selectors with their values, and quantities of resource lists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.checks._api import items, listed, mapping, not_a_quantity, quantity_problem
from podlint.k8s import formats
from podlint.model.finding import Finding
from podlint.model.pointer import join


def shown(value: Any) -> str:
    """A value as the apiserver prints it in an Invalid value error."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def invalid(at: str, where: str, value: Any, problem: str) -> Finding:
    return Finding(at, f"{where}: Invalid value: {shown(value)}: {problem}")


def required(at: str, where: str, detail: str = "") -> Finding:
    return Finding(at, f"{where}: Required value" + (f": {detail}" if detail else ""))


def unsupported(at: str, where: str, value: Any, supported: tuple[str, ...]) -> Finding:
    listed_values = ", ".join(f'"{v}"' for v in supported)
    return Finding(
        at, f"{where}: Unsupported value: {shown(value)}: supported values: {listed_values}"
    )


def selector(value: Any, at: str, where: str, *, values: bool = True) -> Iterator[Finding]:
    """A metav1.LabelSelector on create: keys, operators and their values, and (unless
    ``values`` is false, as for metric selectors) each value a label value. A null
    expression or field is judged as its zero value, as the apiserver decodes it."""
    if not isinstance(value, dict):
        return
    for key, label in mapping(value.get("matchLabels")).items():
        l_at = join(at, "matchLabels", key)
        for problem in formats.qualified_name(str(key)):
            yield Finding(l_at, f'{where}.matchLabels: Invalid value: "{key}": {problem}', key=True)
        if values and isinstance(label, str):
            for problem in formats.label_value(label):
                yield invalid(l_at, f"{where}.matchLabels", label, problem)
    for index, expression in items(value.get("matchExpressions")):
        e_at = join(at, "matchExpressions", index)
        e_where = f"{where}.matchExpressions[{index}]"
        raw_key = expression.get("key")
        if isinstance(raw_key, str) or raw_key is None:
            for problem in formats.qualified_name(raw_key or ""):
                yield invalid(join(e_at, "key"), f"{e_where}.key", raw_key or "", problem)
        yield from requirement_operator(expression, e_at, e_where)
        if not values:
            continue
        for v_index, item in enumerate(listed(expression.get("values"))):
            if isinstance(item, str):
                for problem in formats.label_value(item):
                    yield invalid(
                        join(e_at, "values", v_index), f"{e_where}.values[{v_index}]", item, problem
                    )


def requirement_operator(
    expression: dict[str, Any], at: str, where: str, *, numeric: bool = False
) -> Iterator[Finding]:
    """A selector requirement's operator and the number of values it takes; ``numeric``
    admits the Gt and Lt of node selectors. A null operator is the empty string."""
    operator = expression.get("operator")
    operator = "" if operator is None else operator
    values = listed(expression.get("values"))
    if operator in ("In", "NotIn"):
        if not values:
            yield required(
                join(at, "values"),
                f"{where}.values",
                "must be specified when `operator` is 'In' or 'NotIn'",
            )
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            yield Finding(
                join(at, "values"),
                f"{where}.values: Forbidden: may not be specified when `operator` is 'Exists' "
                "or 'DoesNotExist'",
            )
    elif numeric and operator in ("Gt", "Lt"):
        if len(values) != 1:
            yield required(
                join(at, "values"),
                f"{where}.values",
                "must be specified single value when `operator` is 'Lt' or 'Gt'",
            )
    elif isinstance(operator, str):
        yield invalid(
            join(at, "operator"), f"{where}.operator", operator, "not a valid selector operator"
        )


def quantities(values: Any, at: str, where: str) -> Iterator[Finding]:
    """Every value of a resource list a quantity (the apiserver cannot decode the object
    otherwise)."""
    for name, value in mapping(values).items():
        if not_a_quantity(value):
            yield Finding(join(at, name), quantity_problem(f"{where}[{name}]", value))
