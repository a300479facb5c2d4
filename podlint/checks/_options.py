"""Numeric rule options, checked where they are used so a bad value is reported, not raised."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from podlint.rule import RuleContext


def number_option(
    ctx: RuleContext, name: str, default: int, minimum: int, integer: bool = True
) -> tuple[Decimal, str | None]:
    """(value, problem): the option's value, or the default and why the given one is refused."""
    raw = ctx.params.get(name, default)
    value: Decimal | None = None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            value = None
    if (
        value is None
        or not value.is_finite()
        or value < minimum
        or (integer and value != value.to_integral_value())
    ):
        kind = "an integer" if integer else "a number"
        return Decimal(default), (
            f"option {name} of {ctx.rule} must be {kind} of at least {minimum}, not {raw!r}; "
            f"the default {default} is used"
        )
    return value, None
