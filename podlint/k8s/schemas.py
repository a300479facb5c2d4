"""The OpenAPI-derived JSON Schemas of each Kubernetes version, compiled once per process.

The strict schemas come from the ``kubernetes-validate`` distribution (one directory per
Kubernetes minor version, every object with ``additionalProperties: false``). Only its
``_definitions.json`` is read: each top-level kind there carries its group/version/kind, so
the kind index and the validators are built from one file. Its internal ``$ref``s are resolved
once, at load, into shared (possibly cyclic) dicts, because looking references up on every
validation costs more than the validation itself; the validators get an empty local
``referencing`` registry, so nothing is ever fetched.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from podlint.k8s.fastcheck import (
    DECODES_AS,
    INTEGER_RANGES,
    Compiler,
    Predicate,
    Unsupported,
    decodes,
    holds_integers,
    holds_objects,
)
from podlint.model.version import KubeVersion

LOG = logging.getLogger(__name__)

_DISTRIBUTION = "kubernetes_validate"


class SchemaUnavailable(RuntimeError):
    """The schemas for a version cannot be read (package missing or damaged)."""


def schema_root() -> Path:
    """The directory of per-version schema folders, found without importing the package."""
    spec = importlib.util.find_spec(_DISTRIBUTION)
    if spec is None or not spec.submodule_search_locations:
        raise SchemaUnavailable(
            "the kubernetes-validate package is not installed; it provides the schemas"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


@dataclass
class VersionSchemas:
    """The definitions of one Kubernetes version and the validators built from them."""

    version: KubeVersion
    definitions: dict[str, Any]
    kinds: dict[tuple[str, str], str]
    groups: frozenset[str]
    type_names: dict[int, str]
    # The schema nodes of `format: byte` fields ([]byte in Go, base64 in JSON), by id.
    bytes_nodes: frozenset[int] = frozenset()
    _validators: dict[str, Any] = field(default_factory=dict)
    _fast: dict[str, Predicate | None] = field(default_factory=dict)
    _compiler: Compiler = field(default_factory=Compiler)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _bytes_within: frozenset[int] | None = None

    def definition_name(self, api_version: str, kind: str) -> str | None:
        return self.kinds.get((api_version, kind))

    def serves_group(self, api_version: str) -> bool:
        group = api_version.split("/", 1)[0] if "/" in api_version else ""
        return group in self.groups

    def validator(self, definition: str) -> Any:
        """The compiled validator of one top-level definition, built on first use."""
        with self._lock:
            validator = self._validators.get(definition)
            if validator is None:
                from referencing import Registry

                # An empty registry: no $ref is left to resolve, and none is ever fetched.
                schema = self.definitions[definition]
                validator = _decoding_validator()(schema, registry=Registry())
                self._validators[definition] = validator
            return validator

    def is_valid(self, definition: str, data: Any) -> bool | None:
        """A fast verdict on ``data``; None when it must be left to the full validator."""
        with self._lock:
            if definition not in self._fast:
                self._fast[definition] = self._compiler.compile(self.definitions[definition])
            predicate = self._fast[definition]
        if predicate is None:
            return None
        try:
            return predicate(data)
        except Unsupported:
            return None

    def definition_of(self, schema: Any) -> str | None:
        """The definition name ("io.k8s.api.core.v1.PodSpec") of a subschema, if it is one."""
        return self.type_names.get(id(schema))

    def type_name(self, schema: Any) -> str | None:
        """The short OpenAPI type name ("PodSpec") of a subschema taken from the definitions."""
        name = self.type_names.get(id(schema))
        return name.rsplit(".", 1)[-1] if name else None

    def byte_values(self, definition: str, data: Any) -> Iterator[tuple[list[Part], Any]]:
        """Every value of ``data`` that a `format: byte` field holds, with its path (a map
        key as ``(key,)``, a field as its name, a list index as an int)."""
        schema = self.definitions[definition]
        with self._lock:
            if self._bytes_within is None:
                self._bytes_within = _reaching(self.definitions.values(), self.bytes_nodes)
            within = self._bytes_within
        if id(schema) in within:
            yield from _formatted(schema, data, [], self.bytes_nodes, within)

    def required(self, definition: str) -> tuple[str, ...]:
        value = self.definitions.get(definition, {}).get("required") or ()
        return tuple(value)


# A step of a path into data: a field name, a list index, or a map key as a 1-tuple.
Part = str | int | tuple[str]


def _children(schema: Any) -> Iterator[Any]:
    if not isinstance(schema, dict):
        return
    yield from (schema.get("properties") or {}).values()
    for key in ("additionalProperties", "items"):
        if isinstance(schema.get(key), dict):
            yield schema[key]
    yield from schema.get("oneOf") or ()


def _reaching(roots: Iterable[Any], targets: frozenset[int]) -> frozenset[int]:
    """The ids of the schema nodes from which some target node can be reached."""
    parents: dict[int, set[int]] = {}
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for child in _children(node):
            parents.setdefault(id(child), set()).add(id(node))
            stack.append(child)
    found = set(targets)
    todo = list(targets)
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return frozenset(found)


def _formatted(
    schema: Any, data: Any, path: list[Part], marked: frozenset[int], within: frozenset[int]
) -> Iterator[tuple[list[Part], Any]]:
    if id(schema) in marked:
        yield path, data
        return
    if isinstance(data, dict):
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, value in data.items():
            child = properties.get(key)
            part: Part = key
            if child is None and isinstance(extra, dict):
                child, part = extra, (str(key),)
            if child is not None and id(child) in within:
                yield from _formatted(child, value, [*path, part], marked, within)
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        child = schema["items"]
        if id(child) in within:
            for index, value in enumerate(data):
                yield from _formatted(child, value, [*path, index], marked, within)


@cache
def version_schemas(version: KubeVersion) -> VersionSchemas:
    """Load and index the strict schemas of ``version`` (once per process)."""

    folder = schema_root() / f"v{version.major}.{version.minor}.0-local-strict"
    path = folder / "_definitions.json"
    try:
        with path.open(encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        raise SchemaUnavailable(
            f"cannot read the Kubernetes {version} schemas at {path}: {error}"
        ) from error
    bytes_nodes: set[int] = set()
    definitions = _inline(document["$defs"], bytes_nodes)
    kinds: dict[tuple[str, str], str] = {}
    groups: set[str] = set()
    type_names: dict[int, str] = {}
    for name, definition in document["$defs"].items():
        type_names[id(definitions[name])] = name
        gvks = definition.get("x-kubernetes-group-version-kind") or []
        for gvk in gvks:
            groups.add(gvk["group"])
        if len(gvks) != 1:
            continue
        gvk = gvks[0]
        api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
        kinds[(api_version, gvk["kind"])] = name
    LOG.debug("loaded %d Kubernetes %s definitions", len(definitions), version)
    return VersionSchemas(
        version, definitions, kinds, frozenset(groups), type_names, frozenset(bytes_nodes)
    )


_LOCAL_REF = "#/$defs/"

_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"


@cache
def _decoding_validator() -> Any:
    """Draft 2020-12 with the apiserver's decoding: a null field is the zero value, as if it
    were left out (so a required one is missing); a null item of a list of objects is an
    empty object, judged as one; an integer must fit its Go type."""
    from jsonschema import Draft202012Validator, ValidationError, validators

    def required(validator: Any, names: Any, instance: Any, schema: Any) -> Any:
        if not validator.is_type(instance, "object"):
            return
        for name in names:
            if instance.get(name) is None:
                yield ValidationError(f"{name!r} is a required property")

    def items(validator: Any, item_schema: Any, instance: Any, schema: Any) -> Any:
        if not validator.is_type(instance, "array") or item_schema is False:
            return
        objects = holds_objects(item_schema)
        for index, item in enumerate(instance):
            value = {} if item is None and objects else item
            yield from validator.descend(instance=value, schema=item_schema, path=index)

    def decodes_as(validator: Any, go_type: Any, instance: Any, schema: Any) -> Any:
        if not validator.is_type(instance, "integer"):
            return
        if not decodes(instance, go_type):
            yield ValidationError(f"{instance} does not fit in {go_type}")

    return validators.extend(
        Draft202012Validator, {"required": required, "items": items, DECODES_AS: decodes_as}
    )


def _inline(definitions: dict[str, Any], bytes_nodes: set[int]) -> dict[str, Any]:
    """The definitions with every local ``$ref`` replaced by the (shared) definition itself.

    Annotations (descriptions, formats, ``x-kubernetes-*``) are left out of schema nodes:
    jsonschema visits every key of every node it applies, and they assert nothing.
    """
    inlined: dict[str, dict[str, Any]] = {name: {} for name in definitions}

    def schema(node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_LOCAL_REF):
            return inlined[ref[len(_LOCAL_REF) :]]
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {name: schema(child) for name, child in value.items()}
            elif key in _SCHEMA_LISTS and isinstance(value, list):
                out[key] = [schema(child) for child in value]
            elif key in _SCHEMA_CHILDREN:
                out[key] = schema(value)
            elif key not in _ANNOTATIONS and not key.startswith("x-"):
                out[key] = value
        if node.get("format") in INTEGER_RANGES and holds_integers(node):
            out[DECODES_AS] = node["format"]
        elif node.get("format") == "byte":
            bytes_nodes.add(id(out))
            _take_byte_lists(out)
        return out

    for name, definition in definitions.items():
        inlined[name].update(schema(definition))
    # IntOrString holds its integer in an int32.
    for option in inlined.get(_INT_OR_STRING, {}).get("oneOf", ()):
        if holds_integers(option):
            option[DECODES_AS] = "int32"
    return inlined


def _take_byte_lists(node: dict[str, Any]) -> None:
    """A `format: byte` field is a Go []byte: the apiserver's JSON decoder takes a base64
    string, or a list of byte values (integers 0 to 255, a null item being 0)."""
    kinds = node.get("type")
    if kinds is None:
        return
    names = [kinds] if isinstance(kinds, str) else list(kinds)
    node["type"] = [*names, "array"]
    node["items"] = {"type": ["integer", "null"], DECODES_AS: "uint8"}


_SCHEMA_MAPS = frozenset({"properties", "patternProperties"})
_SCHEMA_LISTS = frozenset({"oneOf", "anyOf", "allOf"})
_SCHEMA_CHILDREN = frozenset({"items", "additionalProperties", "not"})
_ANNOTATIONS = frozenset({"description", "format", "$schema", "$id", "default"})
