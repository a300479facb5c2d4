"""Custom resources validated against a user's schema files (the ``schema-locations`` option).

Imported by the ``schema`` and ``unknown-kind`` checks only when that option names a location.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from podlint.checks.schema import _findings
from podlint.k8s.custom import find_schema_file
from podlint.model.finding import Finding
from podlint.model.views import ObjectView

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnusableSchema:
    """A schema file that was found but cannot validate anything; its content is never shown."""

    path: Path
    reason: str

    def message(self, api_version: str, kind: str) -> str:
        return (
            f'the schema for "{kind}" of apiVersion "{api_version}" in {self.path} cannot be '
            f"used ({self.reason})"
        )


@dataclass(frozen=True)
class CustomSchema:
    """A schema file from a user's schema directory, with its validator."""

    path: Path
    validator: Any


@cache
def custom_validator(
    locations: tuple[str, ...], api_version: str, kind: str
) -> CustomSchema | UnusableSchema | None:
    """The schema from a user's schema directory (kubeconform layouts), an UnusableSchema,
    or None when no location holds a schema for the kind."""
    if not locations:
        return None
    path = find_schema_file(locations, api_version, kind)
    if path is None:
        return None
    try:
        schema = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return UnusableSchema(path, "not readable as JSON")
    if not isinstance(schema, (dict, bool)):
        return UnusableSchema(path, "a JSON Schema is an object")
    import jsonschema
    from referencing import Registry

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError:
        return UnusableSchema(path, f"not a valid {cls.__name__.removesuffix('Validator')} schema")
    return CustomSchema(path, cls(schema, registry=Registry()))


def custom_findings(
    obj: ObjectView, locations: tuple[str, ...], api_version: str, kind: str
) -> Iterator[Finding]:
    """The object against a schema from ``locations``, if one is there for its kind."""
    custom = custom_validator(locations, api_version, kind)
    if isinstance(custom, UnusableSchema):
        yield Finding(obj.at("kind"), custom.message(api_version, kind))
        return
    if custom is not None:
        try:
            errors = list(custom.validator.iter_errors(obj.data))
        except Exception as error:  # a user's schema: $refs that cannot resolve, bad keywords
            LOG.debug("custom schema for %s %s failed", api_version, kind, exc_info=True)
            # Never the exception's text: it can quote the schema file.
            unusable = UnusableSchema(custom.path, type(error).__name__)
            yield Finding(obj.at("kind"), unusable.message(api_version, kind))
            return
        yield from _findings(obj, errors, None, kind)
