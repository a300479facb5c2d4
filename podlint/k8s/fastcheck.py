"""A fast yes/no pass over the Kubernetes schemas, before jsonschema explains any error.

Almost every manifest is valid, and jsonschema spends most of its time building the context
for errors it will not find. The Kubernetes schemas use only a few keywords (type,
properties, additionalProperties, required, items, oneOf, enum), so each schema node compiles
here into a predicate with exactly jsonschema's meaning for them. A node with any other
assertion keyword compiles to None, and the caller then asks jsonschema instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

# The OpenAPI integer formats become this keyword, ``{"decodesAs": "int32"}``: the apiserver
# cannot decode a number outside its Go type's range.
DECODES_AS = "decodesAs"
INTEGER_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    # The items of a `format: byte` field written as a list of byte values.
    "uint8": (0, 255),
}

Predicate = Callable[[Any], bool]


def decodes(value: Any, go_type: str) -> bool:
    """Whether an integral number fits ``go_type``. A negative zero float travels as ``-0``,
    which Go's decoder takes for a signed integer but not for an unsigned one."""
    low, high = INTEGER_RANGES[go_type]
    if low == 0 and isinstance(value, float) and value == 0 and math.copysign(1, value) < 0:
        return False
    return bool(low <= value <= high)


_KNOWN = frozenset(
    {"type", "properties", "additionalProperties", "required", "items", "oneOf", "enum"}
    | {DECODES_AS}
)


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_TYPES: dict[str, Predicate] = {
    "string": lambda v: isinstance(v, str),
    "integer": _is_integer,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


class Unsupported(Exception):
    """A predicate met a schema node it cannot decide; ask jsonschema."""


class Compiler:
    """Compiles schema nodes to predicates, once per node (the schemas share and cycle)."""

    def __init__(self) -> None:
        self._compiled: dict[int, Predicate | None] = {}
        self._keep: list[Any] = []

    def compile(self, schema: Any) -> Predicate | None:
        key = id(schema)
        if key in self._compiled:
            return self._compiled[key]
        # A cycle reaches this node again while it compiles: go through the table.
        self._compiled[key] = lambda value: self._deferred(key, value)
        self._keep.append(schema)
        predicate = self._build(schema)
        self._compiled[key] = predicate
        return predicate

    def _deferred(self, key: int, value: Any) -> bool:
        predicate = self._compiled[key]
        if predicate is None:
            raise Unsupported
        return predicate(value)

    def _build(self, schema: Any) -> Predicate | None:
        if schema is True or schema == {}:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, dict) or set(schema) - _KNOWN:
            return None
        checks: list[Predicate] = []
        kinds = schema.get("type")
        if kinds is not None:
            names = [kinds] if isinstance(kinds, str) else list(kinds)
            if any(name not in _TYPES for name in names):
                return None
            checks.append(_type_test(names))
        enum = schema.get("enum")
        if enum is not None:
            if not all(isinstance(member, str) for member in enum):
                return None
            allowed = frozenset(enum)
            checks.append(lambda value: isinstance(value, str) and value in allowed)
        go_type = schema.get(DECODES_AS)
        if go_type is not None:
            checks.append(lambda value: not _is_integer(value) or decodes(value, go_type))
        required = schema.get("required")
        if required:
            fields = tuple(required)
            # A null field decodes as the zero value, as if it were left out.
            checks.append(
                lambda value: (
                    not isinstance(value, dict) or all(value.get(f) is not None for f in fields)
                )
            )
        properties = schema.get("properties") or {}
        compiled_properties: dict[str, Predicate] = {}
        for name, child in properties.items():
            predicate = self.compile(child)
            if predicate is None:
                return None
            compiled_properties[name] = predicate
        extra = schema.get("additionalProperties", True)
        extra_predicate = self.compile(extra)
        if extra_predicate is None:
            return None
        if compiled_properties or "additionalProperties" in schema:

            def check_object(value: Any) -> bool:
                if not isinstance(value, dict):
                    return True
                for name, child in value.items():
                    predicate = compiled_properties.get(name)
                    if predicate is None:
                        if not extra_predicate(child):
                            return False
                    elif not predicate(child):
                        return False
                return True

            checks.append(check_object)
        if "items" in schema:
            item_predicate = self.compile(schema["items"])
            if item_predicate is None:
                return None
            # A null item of a list of objects decodes as an empty object.
            zero: Any = {} if holds_objects(schema["items"]) else None
            checks.append(
                lambda value: (
                    not isinstance(value, list)
                    or all(item_predicate(zero if i is None else i) for i in value)
                )
            )
        if "oneOf" in schema:
            options = [self.compile(option) for option in schema["oneOf"]]
            if any(option is None for option in options):
                return None
            ready = [option for option in options if option is not None]
            checks.append(lambda value: sum(1 for option in ready if option(value)) == 1)
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:
            first, second = checks
            return lambda value: first(value) and second(value)
        return lambda value: all(check(value) for check in checks)


def _types(schema: Any) -> list[str]:
    kinds = schema.get("type") if isinstance(schema, dict) else None
    return [kinds] if isinstance(kinds, str) else list(kinds or ())


def holds_objects(schema: Any) -> bool:
    """Whether a schema node takes mappings (its zero value is then an empty mapping)."""
    return "object" in _types(schema)


def holds_integers(schema: Any) -> bool:
    return "integer" in _types(schema)


_SIMPLE: dict[str, type] = {"string": str, "object": dict, "array": list, "null": type(None)}


def _type_test(names: list[str]) -> Predicate:
    """One predicate for a type list; bool is never an integer or a number."""
    simple = tuple(_SIMPLE[name] for name in names if name in _SIMPLE)
    others = [_TYPES[name] for name in names if name not in _SIMPLE]
    if not others:
        return lambda value: isinstance(value, simple)
    if not simple and len(others) == 1:
        return others[0]
    return lambda value: isinstance(value, simple) or any(test(value) for test in others)
