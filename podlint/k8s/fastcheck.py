"""A fast yes/no pass over the Kubernetes schemas, before jsonschema explains any error.

Almost every manifest is valid, and jsonschema spends most of its time building the context
for errors it will not find. The Kubernetes schemas use only a few keywords (type,
properties, additionalProperties, required, items, oneOf, enum), so each schema node compiles
here into a predicate with exactly jsonschema's meaning for them. A node with any other
assertion keyword compiles to None, and the caller then asks jsonschema instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Predicate = Callable[[Any], bool]

_KNOWN = frozenset(
    {"type", "properties", "additionalProperties", "required", "items", "oneOf", "enum"}
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
        names: list[str] = []
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
        required = schema.get("required")
        fields: tuple[str, ...] = tuple(required) if required else ()
        if fields:
            checks.append(
                lambda value: not isinstance(value, dict) or all(f in value for f in fields)
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
            check_object = _object_test(compiled_properties, extra_predicate)
            if names == ["object"] and enum is None and not {"items", "oneOf"} & set(schema):
                # The common shape, tested in one call: a mapping, its required fields, each
                # field.
                return _typed_object_test(fields, check_object)
            checks.append(check_object)
        if "items" in schema:
            item_predicate = self.compile(schema["items"])
            if item_predicate is None:
                return None
            if names == ["array"] and len(checks) == 1 and "oneOf" not in schema:
                return _typed_items_test(item_predicate)
            checks.append(_items_test(item_predicate))
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


def _object_test(properties: dict[str, Predicate], extra: Predicate) -> Predicate:
    def check_object(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for name, child in value.items():
            predicate = properties.get(name)
            if predicate is None:
                if not extra(child):
                    return False
            elif not predicate(child):
                return False
        return True

    return check_object


def _typed_object_test(fields: tuple[str, ...], check_object: Predicate) -> Predicate:
    def typed_object(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        for name in fields:
            if name not in value:
                return False
        return check_object(value)

    return typed_object


def _items_test(item_predicate: Predicate) -> Predicate:
    def items(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        # A loop: all() over a generator costs a frame per item.
        for item in value:  # noqa: SIM110
            if not item_predicate(item):
                return False
        return True

    return items


def _typed_items_test(item_predicate: Predicate) -> Predicate:
    def typed_items(value: Any) -> bool:
        if not isinstance(value, list):
            return False
        for item in value:  # noqa: SIM110
            if not item_predicate(item):
                return False
        return True

    return typed_items


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
