"""What the apiserver refuses in ConfigMaps and Secrets (keys) and in `format: byte` fields.

A `[]byte` field travels as base64 in JSON: a value that does not decode makes the whole
request undecodable, whatever kind carries it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from podlint.checks._api import mapping
from podlint.k8s import formats
from podlint.k8s.schemas import Part, SchemaUnavailable, version_schemas
from podlint.model.finding import Finding
from podlint.model.views import ObjectView
from podlint.rule import RuleContext


def config_keys(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    """ConfigMap data and binaryData keys, Secret data and stringData keys: valid config keys,
    not repeated; and the keys each built-in Secret type requires."""
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
    if obj.kind == "Secret":
        yield from _string_data_keys(obj, seen)
        yield from _secret_type(obj)
    yield from _size(obj)


def _string_data_keys(obj: ObjectView, data_keys: set[str]) -> Iterator[Finding]:
    """The apiserver merges stringData into data before validating, so a stringData key is
    judged (and named) as a data key."""
    for key in mapping(obj.data.get("stringData")):
        if not isinstance(key, str) or key in data_keys:
            continue  # a data key of the same name is reported already
        for problem in formats.config_key(key):
            yield Finding(
                obj.at("stringData", key),
                f'data[{key}]: Invalid value: "{key}": {problem} (stringData keys become '
                "data keys)",
                key=True,
            )


# core.MaxSecretSize, which bounds the values of a ConfigMap too.
MAX_SIZE = 1024 * 1024


def _size(obj: ObjectView) -> Iterator[Finding]:
    """The values of a Secret (stringData merged into data) or of a ConfigMap (data and
    binaryData) may not hold more than 1 MiB together."""
    if obj.kind == "Secret":
        values = [value for _, value in _merged_data(obj).values()]
    else:
        values = [_text_bytes(value) for value in mapping(obj.data.get("data")).values()]
        values += [
            formats.byte_value(value) for value in mapping(obj.data.get("binaryData")).values()
        ]
    if any(value is None for value in values):
        return  # a value the apiserver cannot decode, reported by the schema rules
    total = sum(len(value) for value in values if value is not None)
    if total <= MAX_SIZE:
        return
    if obj.kind == "Secret":
        yield Finding(
            obj.at("data"),
            f"data: Too long: may not be more than {MAX_SIZE} bytes (the values of data and "
            f"stringData hold {total})",
        )
    else:
        yield Finding(
            obj.pointer,
            f"[]: Too long: may not be more than {MAX_SIZE} bytes (the values of data and "
            f"binaryData hold {total})",
        )


def _text_bytes(value: Any) -> bytes | None:
    """A string value as the bytes Go holds; null is empty, anything else undecodable."""
    if value is None:
        return b""
    return value.encode("utf-8", "surrogateescape") if isinstance(value, str) else None


# The annotation a Secret of type kubernetes.io/service-account-token must carry.
SERVICE_ACCOUNT_NAME = "kubernetes.io/service-account.name"
# The data keys a Secret type requires (ValidateSecret); basic-auth wants either of its two.
_REQUIRED_KEYS = {
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
}
_JSON_KEYS = frozenset({".dockercfg", ".dockerconfigjson"})
_BASIC_AUTH_KEYS = ("username", "password")


def _secret_type(obj: ObjectView) -> Iterator[Finding]:
    """What ValidateSecret requires of each built-in type, in data after stringData is merged
    into it: a key present with an empty (or null) value counts as present, except the SSH
    private key, which must not be empty; the docker config keys must hold a JSON object."""
    secret_type = obj.data.get("type")
    if secret_type == "kubernetes.io/service-account-token":
        annotations = mapping(mapping(obj.data.get("metadata")).get("annotations"))
        if annotations.get(SERVICE_ACCOUNT_NAME) in (None, ""):
            yield Finding(
                obj.at("metadata", "annotations", SERVICE_ACCOUNT_NAME),
                f"metadata.annotations[{SERVICE_ACCOUNT_NAME}]: Required value: a Secret of "
                "type kubernetes.io/service-account-token names its ServiceAccount there",
            )
        return
    if not isinstance(secret_type, str):
        return  # the schema rule reports a type that is not a string
    data = _merged_data(obj)
    if secret_type == "kubernetes.io/basic-auth":
        if not any(key in data for key in _BASIC_AUTH_KEYS):
            for key in _BASIC_AUTH_KEYS:
                yield _required_key(obj, key, secret_type)
        return
    for key in _REQUIRED_KEYS.get(secret_type, ()):
        if key not in data or (key == "ssh-privatekey" and data[key][1] == b""):
            yield _required_key(obj, key, secret_type)
            continue
        field, value = data[key]
        if key in _JSON_KEYS and value is not None:
            problem = _json_object_problem(value)
            if problem:
                yield Finding(
                    obj.at(field, key),
                    f'data[{key}]: Invalid value: "<secret contents redacted>": {problem}',
                )


def _required_key(obj: ObjectView, key: str, secret_type: str) -> Finding:
    return Finding(
        obj.at("data", key),
        f"data[{key}]: Required value: a Secret of type {secret_type} needs the key {key} "
        "(in data or stringData)",
    )


def _merged_data(obj: ObjectView) -> dict[str, tuple[str, bytes | None]]:
    """Each key of data and stringData with the field it comes from and its bytes (None when
    they cannot be decoded, which other findings report); stringData wins, as it does when
    the apiserver merges them."""
    merged: dict[str, tuple[str, bytes | None]] = {}
    for key, value in mapping(obj.data.get("data")).items():
        merged[str(key)] = ("data", formats.byte_value(value))
    for key, value in mapping(obj.data.get("stringData")).items():
        merged[str(key)] = ("stringData", _text_bytes(value))
    return merged


def _json_object_problem(raw: bytes) -> str | None:
    """Why Go's json.Unmarshal into a map[string]interface{} refuses ``raw``, if it does: it
    wants one JSON object (or null), numbers that fit a float64, no NaN or Infinity."""
    # Invalid UTF-8 inside a JSON string is accepted by Go (and replaced), so keep the bytes.
    text = raw.decode("utf-8", "surrogateescape")
    try:
        value = json.loads(
            text, parse_constant=_no_constant, parse_float=_finite, parse_int=_finite
        )
    except RecursionError:
        return None  # deeper than Python parses; Go takes up to 10,000 levels
    except _NotFinite as error:
        return f"the number {error} does not fit in a float64"
    except ValueError as error:
        detail = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        where = (
            f" at line {error.lineno}, column {error.colno}"
            if isinstance(error, json.JSONDecodeError)
            else ""
        )
        return f"not valid JSON ({detail}{where})"
    if value is not None and not isinstance(value, dict):
        return f"must be a JSON object, not {_JSON_KINDS.get(type(value), 'a value')}"
    return None


class _NotFinite(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _finite(number: str) -> float:
    value = float(number)
    if math.isinf(value):
        raise _NotFinite(number)
    return value


_JSON_KINDS = {list: "an array", str: "a string", float: "a number", bool: "a boolean"}


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
    return formats.byte_value(value) is not None
