"""What is wrong with an object the fast check refused, without importing jsonschema.

Importing jsonschema costs a run 50 to 70 ms (in each worker process), paid the first time
any object of the run is refused. For the keywords the fast check compiles, this reports
the errors jsonschema reports with the apiserver's decoding (``schemas._decoding_validator``)
in the same order, with the same keyword, value, instance, schema node and path, so that the
schema rule says the same thing either way. A node with any other keyword raises
:class:`fastcheck.Unsupported`, and the caller asks jsonschema instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from podlint.k8s.fastcheck import (
    DECODES_AS,
    Unsupported,
    decodes,
    holds_objects,
    is_json_type,
)

_KEYWORDS = frozenset(
    {"type", "properties", "additionalProperties", "required", "items", "oneOf", "enum"}
    | {DECODES_AS}
)


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One error, with the attributes of a jsonschema ValidationError the schema rule reads."""

    message: str
    validator: str
    validator_value: Any
    instance: Any
    schema: dict[str, Any]
    absolute_path: tuple[str | int, ...]


def schema_errors(schema: Any, instance: Any) -> list[SchemaError]:
    """Every error of ``instance`` against ``schema``, as jsonschema would list them."""
    return list(_errors(schema, instance, ()))


def _errors(schema: Any, instance: Any, path: tuple[str | int, ...]) -> Iterator[SchemaError]:
    if schema is True:
        return
    if not isinstance(schema, dict):
        raise Unsupported
    for keyword, value in schema.items():
        if keyword not in _KEYWORDS:
            raise Unsupported
        for message in _failures(keyword, value, schema, instance, path):
            if isinstance(message, str):
                yield SchemaError(message, keyword, value, instance, schema, path)
            else:
                yield message


def _failures(
    keyword: str, value: Any, schema: dict[str, Any], instance: Any, path: tuple[str | int, ...]
) -> Iterator[str | SchemaError]:
    """The messages of ``keyword``'s own errors, and the errors of the nodes it descends to."""
    if keyword == "type":
        kinds = [value] if isinstance(value, str) else value
        if not any(_is_type(instance, kind) for kind in kinds):
            yield f"{instance!r} is not of type {', '.join(repr(kind) for kind in kinds)}"
    elif keyword == "enum":
        # jsonschema's equality: a string equals only a string (the members are strings)
        if not all(isinstance(member, str) for member in value):
            raise Unsupported
        if not (isinstance(instance, str) and instance in value):
            yield f"{instance!r} is not one of {value!r}"
    elif keyword == DECODES_AS:
        if _is_type(instance, "integer") and not decodes(instance, value):
            yield f"{instance} does not fit in {value}"
    elif keyword == "oneOf":
        yield from _one_of(value, instance)
    elif isinstance(instance, dict):
        yield from _object_failures(keyword, value, schema, instance, path)
    elif isinstance(instance, list) and keyword == "items" and value is not False:
        # A null item of a list of objects decodes as an empty object.
        objects = holds_objects(value)
        for index, item in enumerate(instance):
            item = {} if item is None and objects else item
            yield from _errors(value, item, (*path, index))


def _object_failures(
    keyword: str,
    value: Any,
    schema: dict[str, Any],
    instance: dict[str, Any],
    path: tuple[str | int, ...],
) -> Iterator[str | SchemaError]:
    if keyword == "required":
        # A null field decodes as the zero value, as if it were left out.
        for name in value:
            if instance.get(name) is None:
                yield f"{name!r} is a required property"
    elif keyword == "properties":
        for name, child in value.items():
            if name in instance:
                yield from _errors(child, instance[name], (*path, name))
    elif keyword == "additionalProperties":
        known = schema.get("properties", {})
        extras = [name for name in instance if name not in known]
        if isinstance(value, dict):
            # jsonschema visits them as a set; the rule sorts errors by path.
            for name in extras:
                yield from _errors(value, instance[name], (*path, name))
        elif value is False and extras:
            names = sorted(extras, key=str)
            verb = "was" if len(names) == 1 else "were"
            listed = ", ".join(repr(name) for name in names)
            yield f"Additional properties are not allowed ({listed} {verb} unexpected)"
        elif value is not True and value is not False:
            raise Unsupported


def _one_of(options: list[Any], instance: Any) -> Iterator[str]:
    valid = [index for index, option in enumerate(options) if not _has_errors(option, instance)]
    if not valid:
        yield f"{instance!r} is not valid under any of the given schemas"
    elif len(valid) > 1:
        # jsonschema names the options valid after the first, then the first.
        more = [options[index] for index in valid[1:]] + [options[valid[0]]]
        yield f"{instance!r} is valid under each of {', '.join(repr(each) for each in more)}"


def _has_errors(schema: Any, instance: Any) -> bool:
    return next(_errors(schema, instance, ()), None) is not None


def _is_type(value: Any, kind: str) -> bool:
    try:
        return is_json_type(value, kind)
    except KeyError:
        raise Unsupported from None
