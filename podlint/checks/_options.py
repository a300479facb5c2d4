"""Rule options: what a check derives from them is derived once per rule context, and numeric
ones are checked where they are used, so a bad value is reported, not raised."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from podlint.rule import RuleContext

T = TypeVar("T")

# A rule's options are the same for every object: what is derived from them is derived once
# per rule context (kept with its answer, so that its id stays its own). Bounded: contexts of
# engines that come and go (a language server's) cannot grow it.
_DERIVED: dict[tuple[int, Hashable], tuple[RuleContext, Any]] = {}
_MAX_DERIVED = 1024


def from_options(ctx: RuleContext, key: Hashable, derive: Callable[..., T], *arguments: Any) -> T:
    """What ``derive(*arguments)`` makes of ``ctx``'s options, made once per context and
    ``key`` (arguments rather than a closure: this runs for every object)."""
    entry = _DERIVED.get((id(ctx), key))
    if entry is not None and entry[0] is ctx:
        return entry[1]  # type: ignore[no-any-return]
    answer = derive(*arguments)
    if len(_DERIVED) >= _MAX_DERIVED:
        _DERIVED.clear()
    _DERIVED[id(ctx), key] = (ctx, answer)
    return answer


def number_option(
    ctx: RuleContext, name: str, default: int, minimum: int, integer: bool = True
) -> tuple[Decimal, str | None]:
    """(value, problem): the option's value, or the default and why the given one is refused."""
    return from_options(ctx, name, _read, ctx, name, default, minimum, integer)


def _read(
    ctx: RuleContext, name: str, default: int, minimum: int, integer: bool
) -> tuple[Decimal, str | None]:
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
