"""The OpenAPI-derived JSON Schemas of each Kubernetes version, compiled once per process.

The strict schemas come from the ``kubernetes-validate`` distribution (one directory per
Kubernetes minor version, every object with ``additionalProperties: false``). Only its
``_definitions.json`` is read: each top-level kind there carries its group/version/kind, so
the kind index and the validators are built from one file. Its internal ``$ref``s are resolved
into shared (possibly cyclic) dicts, because looking references up on every validation costs
more than the validation itself; the validators get an empty local ``referencing`` registry,
so nothing is ever fetched.

Reading the 1.5 MB file and resolving all of it took a sixth of a one-file lint, which needs
a few of its definitions. So the resolved graph is written once to the per-user data cache
(:mod:`podlint.datacache`) in a compact form: a table of nodes in which each child schema is
the number of its node. A process reads that table and links (replaces numbers by nodes) only
the part of the graph that a definition it is asked for reaches, when it is first asked. The
compact form is made from the graph that :func:`_inline` builds, so the linked nodes are the
same as those of a direct load (with the cache off, the compact form is built in memory).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import threading
from collections.abc import Iterable, Iterator, Mapping
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
    definitions: Mapping[str, Any]
    kinds: dict[tuple[str, str], str]
    groups: frozenset[str]
    type_names: dict[int, str]
    # The schema nodes of `format: byte` fields ([]byte in Go, base64 in JSON), by id, and
    # the nodes from which one of them can be reached.
    bytes_nodes: frozenset[int] = frozenset()
    bytes_within: frozenset[int] = frozenset()
    _validators: dict[str, Any] = field(default_factory=dict)
    _fast: dict[str, Predicate | None] = field(default_factory=dict)
    _compiler: Compiler = field(default_factory=Compiler)
    _lock: threading.Lock = field(default_factory=threading.Lock)

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

    def errors(self, definition: str, data: Any, *, compiled: bool) -> Iterable[Any]:
        """What is wrong with ``data``, as jsonschema errors (or records with the same
        attributes): from the fast check's own keywords when ``compiled`` (``is_valid`` gave a
        verdict), which spares importing jsonschema; else from jsonschema."""
        if compiled:
            from podlint.k8s.explain import schema_errors

            try:
                return schema_errors(self.definitions[definition], data)
            except Unsupported:
                pass
        errors: Iterable[Any] = self.validator(definition).iter_errors(data)
        return errors

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

    def compile_all(self) -> None:
        """Compile the fast verdict of every kind now (a few milliseconds for all)."""
        for definition in self.kinds.values():
            self.is_valid(definition, None)

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
        if id(schema) in self.bytes_within:
            yield from _formatted(schema, data, [], self.bytes_nodes, self.bytes_within)

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


def definitions_file(version: KubeVersion) -> Path:
    return schema_root() / f"v{version.major}.{version.minor}.0-local-strict" / "_definitions.json"


# Bump when the compact form changes meaning. The key of a cached form also holds podlint's
# version and the size and modification time of the definitions and of the modules that
# shape the graph, so another kubernetes-validate install or an edited loader rebuilds it.
_COMPACT_FORMAT = 1


@cache
def version_schemas(version: KubeVersion) -> VersionSchemas:
    """Load and index the strict schemas of ``version`` (once per process)."""
    from podlint import datacache
    from podlint.k8s import fastcheck

    path = definitions_file(version)
    shaping = [path, Path(__file__), Path(fastcheck.__file__)]
    compact = datacache.load_derived(
        f"schemas{_COMPACT_FORMAT}-{version}", shaping, lambda: compact_schemas(version, path)
    )
    try:
        schemas = _linked(version, compact)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        # an entry edited or damaged in place (podlint writes whole entries or none)
        LOG.debug("the cached Kubernetes %s schemas are damaged; reading %s", version, path)
        schemas = _linked(version, compact_schemas(version, path))
    LOG.debug("loaded %d Kubernetes %s definitions", len(schemas.definitions), version)
    return schemas


def compact_schemas(version: KubeVersion, path: Path) -> dict[str, Any]:
    """The compact form of the resolved definitions at ``path`` (plain JSON data)."""
    try:
        with path.open(encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        raise SchemaUnavailable(
            f"cannot read the Kubernetes {version} schemas at {path}: {error}"
        ) from error
    bytes_nodes: set[int] = set()
    definitions = _inline(document["$defs"], bytes_nodes)
    kinds: list[list[str]] = []
    groups: set[str] = set()
    for name, definition in document["$defs"].items():
        gvks = definition.get("x-kubernetes-group-version-kind") or []
        for gvk in gvks:
            groups.add(gvk["group"])
        if len(gvks) != 1:
            continue
        gvk = gvks[0]
        api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
        kinds.append([api_version, gvk["kind"], name])
    within = _reaching(definitions.values(), frozenset(bytes_nodes))
    table = _Table()
    roots = {name: table.number(node) for name, node in definitions.items()}
    return {
        "nodes": table.nodes,
        "definitions": roots,
        "kinds": kinds,
        "groups": sorted(groups),
        "bytes": sorted(table.numbers[key] for key in bytes_nodes if key in table.numbers),
        "bytes_within": sorted(table.numbers[key] for key in within if key in table.numbers),
    }


class _Table:
    """Numbers the nodes of a resolved schema graph; each node's child schemas become the
    numbers of their nodes (a child that is not a node, such as ``false``, stays a literal:
    a boolean as it is, anything else wrapped in a one-item list)."""

    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.numbers: dict[int, int] = {}
        self._keep: list[Any] = []

    def number(self, root: dict[str, Any]) -> int:
        if id(root) in self.numbers:
            return self.numbers[id(root)]
        stack = [root]
        self._assign(root)
        while stack:
            node = stack.pop()
            flat: dict[str, Any] = {}
            for key, value in node.items():
                if key in _SCHEMA_MAPS and isinstance(value, dict):
                    flat[key] = {name: self._child(child, stack) for name, child in value.items()}
                elif key in _SCHEMA_LISTS and isinstance(value, list):
                    flat[key] = [self._child(child, stack) for child in value]
                elif key in _SCHEMA_CHILDREN:
                    flat[key] = self._child(value, stack)
                else:
                    flat[key] = value
            self.nodes[self.numbers[id(node)]] = flat
        return self.numbers[id(root)]

    def _assign(self, node: dict[str, Any]) -> int:
        self.numbers[id(node)] = len(self.nodes)
        self.nodes.append({})
        self._keep.append(node)
        return self.numbers[id(node)]

    def _child(self, child: Any, stack: list[dict[str, Any]]) -> Any:
        if not isinstance(child, dict):
            return child if isinstance(child, bool) else [child]
        number = self.numbers.get(id(child))
        if number is None:
            number = self._assign(child)
            stack.append(child)
        return number


class _Definitions(Mapping[str, Any]):
    """The definitions of a compact form by name; a definition's part of the graph is linked
    when it is first looked up."""

    def __init__(self, compact: dict[str, Any]) -> None:
        self._nodes: list[dict[str, Any]] = compact["nodes"]
        self._roots: dict[str, int] = compact["definitions"]
        self._linked = bytearray(len(self._nodes))
        # Roots whose whole part of the graph is linked (other threads may then use it).
        self._ready: set[int] = set()
        self._lock = threading.Lock()

    def node(self, number: int) -> dict[str, Any]:
        """A node, linked or not (for its identity)."""
        return self._nodes[number]

    def __getitem__(self, name: str) -> Any:
        number = self._roots[name]
        if number not in self._ready:
            with self._lock:
                self._link(number)
                self._ready.add(number)
        return self._nodes[number]

    def __contains__(self, name: object) -> bool:
        return name in self._roots

    def __iter__(self) -> Iterator[str]:
        return iter(self._roots)

    def __len__(self) -> int:
        return len(self._roots)

    def _link(self, number: int) -> None:
        nodes, linked = self._nodes, self._linked
        stack = [number]
        while stack:
            current = stack.pop()
            if linked[current]:
                continue
            linked[current] = 1
            node = nodes[current]
            for key, value in node.items():
                if key in _SCHEMA_MAPS and isinstance(value, dict):
                    for name, child in value.items():
                        value[name] = self._resolve(child, stack)
                elif key in _SCHEMA_LISTS and isinstance(value, list):
                    value[:] = [self._resolve(child, stack) for child in value]
                elif key in _SCHEMA_CHILDREN:
                    node[key] = self._resolve(value, stack)

    def _resolve(self, child: Any, stack: list[int]) -> Any:
        if type(child) is int:
            if not self._linked[child]:
                stack.append(child)
            return self._nodes[child]
        return child[0] if type(child) is list else child


def _linked(version: KubeVersion, compact: dict[str, Any]) -> VersionSchemas:
    definitions = _Definitions(compact)
    roots: dict[str, int] = compact["definitions"]
    kinds = {(api_version, kind): name for api_version, kind, name in compact["kinds"]}
    type_names = {id(definitions.node(number)): name for name, number in roots.items()}
    return VersionSchemas(
        version,
        definitions,
        kinds,
        frozenset(compact["groups"]),
        type_names,
        frozenset(id(definitions.node(number)) for number in compact["bytes"]),
        frozenset(id(definitions.node(number)) for number in compact["bytes_within"]),
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
