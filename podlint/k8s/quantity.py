"""Kubernetes resource quantities as the apiserver parses them (resource.ParseQuantity)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation, localcontext
from functools import lru_cache

from podlint.lazyre import LazyPattern

_QUANTITY = LazyPattern(
    r"^(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$"
)
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
# ParseQuantity caps a quantity's magnitude at the largest int64 and rounds a non-zero one up
# to a whole nano (away from zero), so no quantity is larger or finer than these.
MAX_QUANTITY = Decimal(2**63 - 1)
NANO = Decimal("1e-9")
_INT64 = 2**63


def parse_quantity(value: object) -> Decimal | None:
    """The value the apiserver stores for a quantity, or None when it refuses to parse it."""
    if type(value) is str:
        return _parse_text(value.strip())
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        text = repr(value) if isinstance(value, float) else str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    return _parse_text(text)


# Manifests repeat a few quantities ("100m", "128Mi") many times over; a bounded cache keeps
# memory flat whatever the input.
@lru_cache(maxsize=4096)
def _parse_text(text: str) -> Decimal | None:
    match = _QUANTITY.match(text)
    if not match:
        return None
    try:
        number = Decimal(match.group("number"))
    except InvalidOperation:
        return None
    suffix = match.group("suffix") or ""
    if suffix in _BINARY:
        return _bounded(number, 0, _BINARY[suffix])
    if suffix in _DECIMAL:
        return _bounded(number, _DECIMAL[suffix], 0)
    if suffix:
        exponent = int(suffix[1:])
        if not -_INT64 <= exponent < _INT64:
            return None  # strconv.ParseInt refuses it: not a suffix
        # The exponent is kept as an int32, so larger ones wrap around as they do in Go.
        exponent = (exponent + 2**31) % 2**32 - 2**31
        return _bounded(number, exponent, 0)
    return _bounded(number, 0, 0)


def _bounded(number: Decimal, exponent10: int, exponent2: int) -> Decimal:
    """number * 10**exponent10 * 2**exponent2, capped and rounded as the apiserver does,
    without ever building a number far beyond the cap (``1e1000000`` is a valid quantity)."""
    if number == 0:
        return Decimal(0)
    sign = -1 if number < 0 else 1
    magnitude = abs(number)
    # log10 of the value, to within one: decides the cap and the round-up without arithmetic
    # on huge exponents.
    scale = magnitude.adjusted() + exponent10 + (exponent2 * 3) // 10
    if scale > 20:
        return sign * MAX_QUANTITY
    if scale < -11:
        return sign * NANO
    with localcontext() as context:
        context.prec = 80
        value = magnitude.scaleb(exponent10) * (Decimal(2) ** exponent2)
        if value > MAX_QUANTITY:
            return sign * MAX_QUANTITY
        if value % NANO:
            value = (value / NANO).to_integral_value(rounding="ROUND_CEILING") * NANO
    return sign * value
