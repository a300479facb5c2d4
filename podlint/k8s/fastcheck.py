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


def is_json_type(value: Any, kind: str) -> bool:
    """Whether ``value`` is of the JSON Schema type ``kind`` (a boolean is no number, an
    integral float is an integer). KeyError for a name that is not a JSON type."""
    return _TYPES[kind](value)


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
            return _always
        if schema is False:
            return lambda value: False
        if not isinstance(schema, dict) or set(schema) - _KNOWN:
            return None
        checks: list[Predicate] = []
        kinds = schema.get("type")
        names: list[str] = []
        if kinds is not None:
            names = [kinds] if isinstance(kinds, str) else list(kinds)
            if any(name not in _TYPES for name in names):
                return None
        enum = schema.get("enum")
        if enum is not None:
            if not all(isinstance(member, str) for member in enum):
                return None
            allowed = frozenset(enum)
            checks.append(lambda value: isinstance(value, str) and value in allowed)
        go_type = schema.get(DECODES_AS)
        if (
            go_type is not None
            and set(schema) == {"type", DECODES_AS}
            and "integer" in names
            and set(names) <= {"integer", "null"}
        ):
            return _integer_test(go_type, "null" in names)
        if go_type is not None:
            checks.append(lambda value: not _is_integer(value) or decodes(value, go_type))
        fields = tuple(schema.get("required") or ())
        properties = schema.get("properties") or {}
        leaves: dict[str, tuple[type, ...]] = {}
        compiled_properties: dict[str, Predicate] = {}
        for name, child in properties.items():
            simple = _simple_types(child)
            if simple is not None:
                leaves[name] = simple
                continue
            predicate = self.compile(child)
            if predicate is None:
                return None
            compiled_properties[name] = predicate
        extra = schema.get("additionalProperties", True)
        extra_predicate = self.compile(extra)
        if extra_predicate is None:
            return None
        walks_fields = bool(properties) or "additionalProperties" in schema
        if (
            "object" in names
            and set(names) <= {"object", "null"}
            and not checks
            and set(schema) <= _OBJECT_KEYWORDS
        ):
            # The commonest node by far: one function, with the type test inside.
            return _object_test(
                fields, leaves, compiled_properties, extra_predicate, "null" in names
            )
        if kinds is not None:
            checks.insert(0, _type_test(names))
        if fields:
            # A null field decodes as the zero value, as if it were left out.
            checks.append(
                lambda value: (
                    not isinstance(value, dict) or all(value.get(f) is not None for f in fields)
                )
            )
        if walks_fields:
            check_fields = _object_test((), leaves, compiled_properties, extra_predicate, False)
            checks.append(lambda value: not isinstance(value, dict) or check_fields(value))
        if "items" in schema:
            items_test = self._items_test(schema["items"])
            if items_test is None:
                return None
            checks.append(items_test)
        if "oneOf" in schema:
            options = [self.compile(option) for option in schema["oneOf"]]
            if any(option is None for option in options):
                return None
            ready = [option for option in options if option is not None]
            checks.append(lambda value: sum(1 for option in ready if option(value)) == 1)
        if not checks:
            return _always
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:
            first, second = checks
            return lambda value: first(value) and second(value)
        return lambda value: all(check(value) for check in checks)

    def _items_test(self, items: Any) -> Predicate | None:
        simple = _simple_types(items)
        if simple is not None:
            # A null item of a list of objects decodes as an empty object.
            allowed = (*simple, type(None)) if dict in simple else simple

            def check_simple_items(value: Any) -> bool:
                if not isinstance(value, list):
                    return True
                # A loop, not all() over a generator: no frame per item.
                for item in value:  # noqa: SIM110
                    if not isinstance(item, allowed):
                        return False
                return True

            return check_simple_items
        item_predicate = self.compile(items)
        if item_predicate is None:
            return None
        zero: Any = {} if holds_objects(items) else None

        def check_items(value: Any) -> bool:
            if not isinstance(value, list):
                return True
            for item in value:  # noqa: SIM110 (as above)
                if not item_predicate(zero if item is None else item):
                    return False
            return True

        return check_items


def _integer_test(go_type: str, nullable: bool) -> Predicate:
    """An integer (or a float with an integral value) that fits ``go_type``."""

    def check_integer(value: Any) -> bool:
        if value is None:
            return nullable
        return _is_integer(value) and decodes(value, go_type)

    return check_integer


def _always(value: Any) -> bool:
    return True


_OBJECT_KEYWORDS = frozenset({"type", "properties", "additionalProperties", "required"})
# Types whose test is one isinstance (bool has no subclasses; int and float do: bool).
_SIMPLE_TYPES: dict[str, type] = {
    "string": str,
    "object": dict,
    "array": list,
    "null": type(None),
    "boolean": bool,
}


def _simple_types(schema: Any) -> tuple[type, ...] | None:
    """The Python types of a node whose only assertion is a type that one isinstance decides,
    else None."""
    if not isinstance(schema, dict) or len(schema) != 1:
        return None
    kinds = schema.get("type")
    names = [kinds] if isinstance(kinds, str) else kinds
    if not isinstance(names, list) or not names or any(n not in _SIMPLE_TYPES for n in names):
        return None
    return tuple(_SIMPLE_TYPES[name] for name in names)


def _object_test(
    fields: tuple[str, ...],
    leaves: dict[str, tuple[type, ...]],
    properties: dict[str, Predicate],
    extra: Predicate,
    nullable: bool,
) -> Predicate:
    """A mapping's fields: those with a type-only schema (``leaves``) by isinstance, the others
    by their predicates, unknown ones by ``extra``; ``fields`` must not be null or missing.
    Anything but a mapping (or a null, when ``nullable``) is refused."""
    open_ended = extra is _always

    def check_object(value: Any) -> bool:
        if not isinstance(value, dict):
            return nullable and value is None
        for name in fields:
            if value.get(name) is None:
                return False
        for name, child in value.items():
            kinds = leaves.get(name)
            if kinds is not None:
                if not isinstance(child, kinds):
                    return False
                continue
            predicate = properties.get(name)
            if predicate is not None:
                if not predicate(child):
                    return False
            elif not open_ended and not extra(child):
                return False
        return True

    return check_object


def _types(schema: Any) -> list[str]:
    kinds = schema.get("type") if isinstance(schema, dict) else None
    return [kinds] if isinstance(kinds, str) else list(kinds or ())


def holds_objects(schema: Any) -> bool:
    """Whether a schema node takes mappings (its zero value is then an empty mapping)."""
    return "object" in _types(schema)


def holds_integers(schema: Any) -> bool:
    return "integer" in _types(schema)


def _type_test(names: list[str]) -> Predicate:
    """One predicate for a type list; bool is never an integer or a number."""
    simple = tuple(_SIMPLE_TYPES[name] for name in names if name in _SIMPLE_TYPES)
    others = [_TYPES[name] for name in names if name not in _SIMPLE_TYPES]
    if not others:
        return lambda value: isinstance(value, simple)
    if not simple and len(others) == 1:
        return others[0]
    return lambda value: isinstance(value, simple) or any(test(value) for test in others)
