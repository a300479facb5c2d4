"""The OpenAPI-derived JSON Schemas of each Kubernetes version, compiled once per process.

The strict schemas come from the ``kubernetes-validate`` distribution (one directory per
Kubernetes minor version, every object with ``additionalProperties: false``). Only its
``_definitions.json`` is read: each top-level kind there carries its group/version/kind, so
the kind index and the validators are built from one file. ``$ref``s are resolved from a
local ``referencing`` registry; nothing is ever fetched.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from podlint.model.version import KubeVersion

LOG = logging.getLogger(__name__)

DEFINITIONS_URI = "https://kubernetes.io/api/_definitions.json"
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
    _registry: Any
    _validators: dict[str, Any] = field(default_factory=dict)
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
                from jsonschema import Draft202012Validator

                schema = {"$ref": f"{DEFINITIONS_URI}#/$defs/{definition}"}
                validator = Draft202012Validator(schema, registry=self._registry)
                self._validators[definition] = validator
            return validator

    def type_name(self, schema: Any) -> str | None:
        """The short OpenAPI type name ("PodSpec") of a subschema taken from the definitions."""
        return self.type_names.get(id(schema))


@cache
def version_schemas(version: KubeVersion) -> VersionSchemas:
    """Load and index the strict schemas of ``version`` (once per process)."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    folder = schema_root() / f"v{version.major}.{version.minor}.0-local-strict"
    path = folder / "_definitions.json"
    try:
        with path.open(encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        raise SchemaUnavailable(
            f"cannot read the Kubernetes {version} schemas at {path}: {error}"
        ) from error
    definitions: dict[str, Any] = document["$defs"]
    kinds: dict[tuple[str, str], str] = {}
    groups: set[str] = set()
    type_names: dict[int, str] = {}
    for name, definition in definitions.items():
        type_names[id(definition)] = name.rsplit(".", 1)[-1]
        gvks = definition.get("x-kubernetes-group-version-kind") or []
        for gvk in gvks:
            groups.add(gvk["group"])
        if len(gvks) != 1:
            continue
        gvk = gvks[0]
        api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
        kinds[(api_version, gvk["kind"])] = name
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry = Registry().with_resource(DEFINITIONS_URI, resource).crawl()
    LOG.debug("loaded %d Kubernetes %s definitions", len(definitions), version)
    return VersionSchemas(version, definitions, kinds, frozenset(groups), type_names, registry)
