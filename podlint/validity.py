"""Whether a document is valid against one of podlint's own file schemas (configuration,
policies), without importing jsonschema.

Importing jsonschema costs a run 50 to 90 ms, and every run in a project with a
configuration file would pay it to learn what is nearly always true: the file is valid. This
answers yes for the JSON Schema (draft-07) keywords those schemas use, with jsonschema's
meaning; for any other keyword, and for any document it does not find valid, it answers no,
and the caller asks jsonschema, which says what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from podlint.k8s.fastcheck import Unsupported, is_json_type

# Keywords that assert nothing.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "title", "description", "definitions", "default", "examples"}
)
_ASSERTIONS = frozenset(
    {
        "type",
        "enum",
        "properties",
        "additionalProperties",
        "propertyNames",
        "required",
        "items",
        "minItems",
        "minLength",
        "pattern",
        "oneOf",
    }
)


def is_valid(schema: Mapping[str, Any], document: Any) -> bool:
    """True only when jsonschema would find no error in ``document``; False when it may."""
    try:
        return _valid(schema, document, schema)
    except Unsupported:
        return False


def _valid(node: Any, value: Any, root: Mapping[str, Any]) -> bool:
    if node is True or node is False:
        return node
    if not isinstance(node, Mapping):
        raise Unsupported
    if "$ref" in node:
        # Before draft 2019-09 a reference replaces the keywords beside it.
        return _valid(_resolve(root, node["$ref"]), value, root)
    for keyword, expected in node.items():
        if keyword in _ANNOTATIONS or keyword.startswith("x-"):
            continue
        if keyword not in _ASSERTIONS:
            raise Unsupported
        if not _holds(keyword, expected, node, value, root):
            return False
    return True


def _holds(keyword: str, expected: Any, node: Mapping[str, Any], value: Any, root: Any) -> bool:
    if keyword == "type":
        kinds = [expected] if isinstance(expected, str) else expected
        return any(_is_type(value, kind) for kind in kinds)
    if keyword == "enum":
        return any(_equal(value, member) for member in expected)
    if keyword == "oneOf":
        return sum(1 for option in expected if _valid(option, value, root)) == 1
    if isinstance(value, dict):
        return _object_holds(keyword, expected, node, value, root)
    if isinstance(value, list):
        if keyword == "items":
            if not isinstance(expected, (Mapping, bool)):
                raise Unsupported  # a list of schemas, one per position
            return all(_valid(expected, item, root) for item in value)
        if keyword == "minItems":
            return len(value) >= int(expected)
    elif isinstance(value, str):
        if keyword == "minLength":
            return len(value) >= int(expected)
        if keyword == "pattern":
            return re.search(expected, value) is not None
    return True  # the keyword does not apply to a value of this type


def _object_holds(
    keyword: str, expected: Any, node: Mapping[str, Any], value: dict[Any, Any], root: Any
) -> bool:
    if keyword == "required":
        return all(name in value for name in expected)
    if keyword == "properties":
        return all(_valid(expected[name], value[name], root) for name in expected if name in value)
    if keyword == "additionalProperties":
        # patternProperties is not a keyword read here: a node with it goes to jsonschema
        known = node.get("properties", {})
        extra = [item for name, item in value.items() if name not in known]
        return all(_valid(expected, item, root) for item in extra)
    if keyword == "propertyNames":
        return all(_valid(expected, name, root) for name in value)
    return True


def _is_type(value: Any, kind: str) -> bool:
    try:
        return is_json_type(value, kind)
    except KeyError:
        raise Unsupported from None


def _equal(value: Any, member: Any) -> bool:
    """jsonschema's equality for scalar members: a boolean equals only a boolean."""
    if isinstance(member, (dict, list)):
        raise Unsupported
    if isinstance(value, (dict, list)):
        return False
    if isinstance(value, bool) or isinstance(member, bool):
        return value is member
    return bool(value == member) and isinstance(value, str) is isinstance(member, str)


def _resolve(root: Any, reference: Any) -> Any:
    if not isinstance(reference, str) or not reference.startswith("#/definitions/"):
        raise Unsupported
    definitions = root.get("definitions", {})
    name = reference[len("#/definitions/") :]
    if name not in definitions:
        raise Unsupported
    return definitions[name]
