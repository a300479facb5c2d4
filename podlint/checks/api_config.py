"""What the apiserver refuses in ConfigMaps and Secrets (keys) and in `format: byte` fields.

A `[]byte` field travels as base64 in JSON: a value that does not decode makes the whole
request undecodable, whatever kind carries it.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from collections.abc import Iterator

from podlint.checks._api import mapping
from podlint.k8s import formats
from podlint.k8s.schemas import Part, SchemaUnavailable, version_schemas
from podlint.lazyre import LazyPattern
from podlint.model.finding import Finding
from podlint.model.views import ObjectView
from podlint.rule import RuleContext

# Go's base64 decoder skips line breaks and nothing else.
_LINE_BREAKS = LazyPattern(r"[\r\n]")


def config_keys(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    """ConfigMap data and binaryData keys, Secret data keys: valid config keys, not repeated."""
    fields = ("data", "binaryData") if obj.kind == "ConfigMap" else ("data",)
    seen: set[str] = set()
    for field in fields:
        for key in mapping(obj.data.get(field)):
            if not isinstance(key, str):
                continue
            for problem in formats.config_key(key):
                yield Finding(
                    obj.at(field, key),
                    f'{field}[{key}]: Invalid value: "{key}": {problem}',
                    key=True,
                )
            if key in seen:
                # The apiserver names the data key, as the one that repeats a binaryData key.
                yield Finding(
                    obj.at("data", key),
                    f'data[{key}]: Invalid value: "{key}": duplicate of key present in binaryData',
                    key=True,
                )
            seen.add(key)


def base64_fields(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    """Every `format: byte` value of the kind's schema must be base64 (padded, line breaks
    allowed), wherever the schema has one."""
    try:
        schemas = version_schemas(ctx.kubernetes_version)
    except SchemaUnavailable:
        return  # the schema rule reports it
    definition = schemas.definition_name(obj.api_version, obj.kind)
    if definition is None:
        return
    for path, value in schemas.byte_values(definition, obj.data):
        if isinstance(value, str) and not _decodes(value):
            where = _where(path)
            hint = (
                ", or write the text under stringData in a Secret" if obj.kind == "Secret" else ""
            )
            yield Finding(
                obj.at(*(p[0] if isinstance(p, tuple) else p for p in path)),
                f"{where} is not valid base64 (encode the bytes with `base64 -w0`{hint})",
            )


def _where(path: list[Part]) -> str:
    """data[key], webhooks[0].clientConfig.caBundle: the way the apiserver writes paths."""
    text = ""
    for part in path:
        if isinstance(part, tuple):
            text += f"[{part[0]}]"
        elif isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _decodes(value: str) -> bool:
    try:
        b64decode(_LINE_BREAKS.sub("", value), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True
