"""Comparing two versions of an object the way the apiserver's semantic equality does.

Go's ``apiequality.Semantic`` treats nil and empty lists and maps alike and compares resource
quantities by value, so ``resources: {}`` equals no ``resources`` and ``memory: 1Gi`` equals
``memory: 1024Mi``. :func:`normalize` brings plain data to that form; :func:`changes` lists
the places where two normalized values differ, as deep as possible.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from podlint.model.pointer import join

# Maps whose values are resource quantities.
_QUANTITY_MAPS = frozenset({"limits", "requests", "capacity", "overhead"})
_QUANTITY_FIELDS = frozenset({"sizeLimit", "storage"})

# String fields that are pointers in the Go types, where "" differs from unset; every other
# string field is a plain string, where "" is the unset value.
_POINTER_STRINGS = frozenset({"storageClassName"})

_QUANTITY = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|([numkMGTPE]i?|Ki)?)$")
_SUFFIX = {
    "": Fraction(1),
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
    "k": Fraction(1000),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
    "Ki": Fraction(2**10),
    "Mi": Fraction(2**20),
    "Gi": Fraction(2**30),
    "Ti": Fraction(2**40),
    "Pi": Fraction(2**50),
    "Ei": Fraction(2**60),
}


@dataclass(frozen=True)
class Quantity:
    """A resource quantity compared by value; ``text`` is how the manifest wrote it."""

    value: Fraction
    text: str

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Quantity) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)


def parse_quantity(value: Any) -> Quantity | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Quantity(Fraction(value), str(value))
    if not isinstance(value, str):
        return None
    match = _QUANTITY.match(value.strip())
    if not match:
        return None
    number = Fraction(match.group(1))
    if match.group(2):
        number *= Fraction(10) ** int(match.group(2)[1:])
    else:
        number *= _SUFFIX[match.group(3) or ""]
    return Quantity(number, value)


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (list, dict)) and not value)


def normalize(value: Any, key: str = "", in_quantities: bool = False) -> Any:
    """A copy with empty values dropped and quantities made comparable by value."""
    if isinstance(value, dict):
        result = {}
        quantities = key in _QUANTITY_MAPS
        for name, item in value.items():
            normalized = normalize(item, str(name), quantities)
            if is_empty(normalized) or (normalized == "" and name not in _POINTER_STRINGS):
                continue
            result[name] = normalized
        return result
    if isinstance(value, list):
        return [normalize(item, key) for item in value]
    if in_quantities or key in _QUANTITY_FIELDS:
        quantity = parse_quantity(value)
        if quantity is not None:
            return quantity
    return value


@dataclass(frozen=True)
class Change:
    """One difference: where (in the new object), and the old and new values (None: absent)."""

    pointer: str
    old: Any
    new: Any
    # The pointer of the nearest container that still exists in the new object, for removals.
    anchor: str


def changes(old: Any, new: Any, pointer: str = "") -> Iterator[Change]:
    """The differences between two normalized values, at the deepest place each one starts."""
    if isinstance(old, dict) and isinstance(new, dict):
        for name in list(old) + [k for k in new if k not in old]:
            child = join(pointer, name)
            if name not in new:
                yield Change(child, old[name], None, pointer)
            elif name not in old:
                yield Change(child, None, new[name], child)
            else:
                yield from changes(old[name], new[name], child)
        return
    if isinstance(old, list) and isinstance(new, list):
        for index in range(min(len(old), len(new))):
            yield from changes(old[index], new[index], join(pointer, index))
        for index in range(len(new), len(old)):
            yield Change(join(pointer, index), old[index], None, pointer)
        for index in range(len(old), len(new)):
            child = join(pointer, index)
            yield Change(child, None, new[index], child)
        return
    if old != new:
        yield Change(pointer, old, new, pointer)


def show(value: Any, limit: int = 80) -> str:
    """A short JSON rendering of a value for messages."""
    text = json.dumps(value, default=_plain, sort_keys=False, separators=(", ", ": "))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _plain(value: Any) -> Any:
    if isinstance(value, Quantity):
        return value.text
    return str(value)


def field_path(pointer: str, base: str = "") -> str:
    """How the apiserver names a field: ``spec.containers[0].image`` for a JSON pointer."""
    from podlint.model.pointer import split

    relative = pointer[len(base) :] if base and pointer.startswith(base) else pointer
    text = ""
    for part in split(relative):
        if part.isdigit() or (text and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part)):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text
