"""The single-mistake mutation harness the seeded generators share.

A generator supplies valid base objects, one per kind, and the optional fields whose
validation is subtle (its additions). A mutation changes one thing in one base: it replaces
one value with another of a kind people get wrong (a negative number, a name with capitals, a
wrong type, an unsupported enum value), removes one field, adds an unknown field, empties a
list or mapping, duplicates a list item, or sets one of the generator's additions. The same
seed gives the same cases.
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

# Values people write by mistake, by the type of the value they replace.
STRINGS: tuple[Any, ...] = (
    "",
    " ",
    "UPPER",
    "under_score",
    "-lead",
    "trail-",
    "a.b",
    "a..b",
    "a/b",
    "a b",
    "x" * 64,
    "y" * 254,
    "0-1",
    "1.5",
    "*",
    "Always",
    "Never",
    "IfNotPresent",
    "OnFailure",
    "TCP",
    "tcp",
    "In",
    "Exists",
    "NoSchedule",
    "RuntimeDefault",
    "Localhost",
    "100m",
    "1Gi",
    "-1",
    "0",
    "http",
    "example.com/x",
    "ALL",
    "/abs/path",
    "rel/path",
    "../up",
    "a:b",
    "${VAR}",
    "10.0.0.1",
    "::1",
    "300.1.1.1",
    0,
    1,
    -1,
    True,
    None,
    [],
    {},
)
INTEGERS: tuple[Any, ...] = (
    -1,
    0,
    1,
    2,
    65535,
    65536,
    100001,
    2**31,
    -(2**31) - 1,
    1.5,
    "1",
    "80",
    None,
    True,
)
BOOLEANS: tuple[Any, ...] = ("true", 1, None, "yes")
NAMES: tuple[Any, ...] = ("", "Web", "web_1", "-web", "w" * 64, "w" * 254, "web.1", "a/b")


@dataclass(frozen=True)
class Mutation:
    kind: str
    operation: str  # replace | remove | add | unknown-field | empty | duplicate
    pointer: str  # where, in the object
    value: Any = None

    @property
    def site(self) -> str:
        """The pointer with list indexes as ``N``."""
        return indexes_as_n(self.pointer)

    @property
    def signature(self) -> str:
        """``site operation value``: what known gaps are matched against."""
        value = json.dumps(self.value) if self.operation in ("replace", "add") else ""
        return f"{self.site} {self.operation} {value}".rstrip()

    def describe(self) -> str:
        shown = json.dumps(self.value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return f"{self.kind} {self.operation} {self.pointer}" + (
            f" = {shown}" if self.operation in ("replace", "add") else ""
        )


def indexes_as_n(pointer: str) -> str:
    return re.sub(r"/[0-9]+(?=/|$)", "/N", pointer)


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def leaves(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """(pointer, value) for every node below the root."""
    if isinstance(value, dict):
        for key, child in value.items():
            at = f"{pointer}/{_escape(key)}"
            yield at, child
            yield from leaves(child, at)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            at = f"{pointer}/{index}"
            yield at, child
            yield from leaves(child, at)


def _parent(root: Any, pointer: str, create: bool = False) -> tuple[Any, str | int] | None:
    parts = [_unescape(p) for p in pointer.split("/")[1:]]
    node = root
    for part in parts[:-1]:
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                return None
            node = node[int(part)]
        elif isinstance(node, dict):
            if part not in node or node[part] is None:
                if not create:
                    return None
                node[part] = {}
            node = node[part]
        else:
            return None
    last = parts[-1]
    if isinstance(node, list):
        return (node, int(last)) if last.isdigit() and int(last) < len(node) else None
    return (node, last) if isinstance(node, dict) else None


def apply(obj: dict[str, Any], mutation: Mutation) -> dict[str, Any] | None:
    """The object with the mutation applied, or None when it does not apply to this kind."""
    result = copy.deepcopy(obj)
    found = _parent(result, mutation.pointer, create=mutation.operation == "add")
    if found is None:
        return None
    node, key = found
    if mutation.operation in ("replace", "add"):
        node[key] = copy.deepcopy(mutation.value)  # type: ignore[index]
    elif mutation.operation == "remove":
        del node[key]  # type: ignore[arg-type]
    elif mutation.operation == "unknown-field":
        target = node[key]  # type: ignore[index]
        if not isinstance(target, dict):
            return None
        target["unknownField"] = "x"
    elif mutation.operation == "empty":
        target = node[key]  # type: ignore[index]
        node[key] = type(target)()  # type: ignore[index]
    elif mutation.operation == "duplicate":
        target = node[key]  # type: ignore[index]
        if not isinstance(target, list) or not target:
            return None
        target.append(copy.deepcopy(target[0]))
    return result


def _candidates(value: Any, key: str) -> tuple[Any, ...]:
    if key == "name":
        return NAMES
    if isinstance(value, bool):
        return BOOLEANS
    if isinstance(value, int):
        return INTEGERS
    if isinstance(value, str):
        return STRINGS
    return (None, "x", 1)


# Draws one of a generator's additions for a kind; None when the kind has none.
Addition = Callable[[random.Random, str], Mutation | None]


def generate(
    seed: int,
    count: int,
    base_objects: dict[str, dict[str, Any]],
    addition: Addition,
    make: type[Mutation] = Mutation,
) -> list[tuple[Mutation, dict[str, Any]]]:
    """``count`` distinct mutated objects, each with the mutation (of type ``make``) that
    made it: in 3 of 10 draws one of the generator's additions, else a change of one field."""
    generator = random.Random(seed)
    sites = {kind: list(leaves(obj)) for kind, obj in base_objects.items()}
    seen: set[str] = set()
    cases: list[tuple[Mutation, dict[str, Any]]] = []
    attempts = 0
    while len(cases) < count and attempts < count * 50:
        attempts += 1
        kind = generator.choice(sorted(base_objects))
        mutation = _mutation(generator, kind, sites[kind], addition, make)
        if mutation is None:
            continue
        mutated = apply(base_objects[kind], mutation)
        if mutated is None:
            continue
        text = json.dumps(mutated, sort_keys=True)
        if text in seen:
            continue
        seen.add(text)
        cases.append((mutation, mutated))
    return cases


def _mutation(
    generator: random.Random,
    kind: str,
    sites: list[tuple[str, Any]],
    addition: Addition,
    make: type[Mutation],
) -> Mutation | None:
    roll = generator.random()
    if roll < 0.3:
        return addition(generator, kind)
    pointer, value = generator.choice(sites)
    if pointer in ("/apiVersion", "/kind"):
        return None
    key = _unescape(pointer.rsplit("/", 1)[1])
    if roll < 0.75:
        return make(kind, "replace", pointer, generator.choice(_candidates(value, key)))
    if roll < 0.85:
        return make(kind, "remove", pointer)
    if isinstance(value, dict):
        return make(kind, generator.choice(("unknown-field", "empty")), pointer)
    if isinstance(value, list):
        return make(kind, generator.choice(("duplicate", "empty")), pointer)
    return make(kind, "remove", pointer)
