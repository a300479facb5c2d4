"""Kubernetes resource quantities (``500m``, ``1Gi``, ``1e3``) as exact numbers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from podlint.lazyre import LazyPattern

_QUANTITY = LazyPattern(r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))([eE][+-]?[0-9]+|[a-zA-Z]*)$")

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}


@dataclass(frozen=True, slots=True)
class Quantity:
    """A parsed quantity: its exact value and the suffix it was written with."""

    text: str
    value: Decimal
    suffix: str

    @property
    def binary(self) -> bool:
        return self.suffix in _BINARY

    @property
    def decimal_unit(self) -> bool:
        """Written with a decimal SI multiplier such as ``M`` or ``G`` (not ``m`` or none)."""
        return self.suffix in ("k", "M", "G", "T", "P", "E")


def parse_quantity(raw: Any) -> Quantity | None:
    """The quantity a manifest value means, or None when it is not a valid quantity."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Quantity(str(raw), Decimal(raw), "")
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            return None
        return Quantity(repr(raw), Decimal(repr(raw)), "")
    if not isinstance(raw, str):
        return None
    return _parse_text(raw)


# Manifests repeat a few quantities ("100m", "128Mi") many times over; a bounded cache keeps
# memory flat whatever the input.
@lru_cache(maxsize=4096)
def _parse_text(raw: str) -> Quantity | None:
    match = _QUANTITY.match(raw.strip())
    if not match:
        return None
    number_text, suffix = match.groups()
    try:
        number = Decimal(number_text)
    except InvalidOperation:
        return None
    if suffix[:1] in ("e", "E") and suffix[1:].lstrip("+-").isdigit():
        exponent = int(suffix[1:])
        # far beyond any real resource; not worth exact arithmetic
        if abs(exponent) > 100:
            return None
        return Quantity(raw, number * Decimal(10) ** exponent, suffix)
    if suffix in _BINARY:
        return Quantity(raw, number * _BINARY[suffix], suffix)
    if suffix in _DECIMAL:
        return Quantity(raw, number * _DECIMAL[suffix], suffix)
    return None


def describe_bytes(value: Decimal) -> str:
    """A byte count for messages: ``0.512 bytes``, ``128 bytes``, ``1.5 MiB``."""
    if value < 2**20:
        return f"{_plain(value)} bytes"
    for suffix, size in (
        ("EiB", 2**60),
        ("PiB", 2**50),
        ("TiB", 2**40),
        ("GiB", 2**30),
        ("MiB", 2**20),
        ("KiB", 2**10),
    ):
        if value >= size:
            return f"{_plain(round(value / size, 2))} {suffix}"
    return f"{_plain(value)} bytes"  # pragma: no cover - the loop always returns


def describe_cores(value: Decimal) -> str:
    cores = _plain(value)
    return f"{cores} core" if value == 1 else f"{cores} cores"


def format_cpu(value: Decimal) -> str:
    """CPU as Kubernetes writes it: ``250m`` below a core, ``1.5`` above."""
    if value < 1:
        return f"{_plain(value * 1000)}m"
    return _plain(value)


def format_memory(value: Decimal) -> str:
    for suffix, size in (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if value >= size and value % size == 0:
            return f"{_plain(value / size)}{suffix}"
    return _plain(value)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
