"""What the apiserver refuses in ConfigMaps and Secrets (keys) and in `format: byte` fields.

A `[]byte` field travels as base64 in JSON: a value that does not decode makes the whole
request undecodable, whatever kind carries it.
"""

from __future__ import annotations

import binascii
import re
from base64 import b64decode
from collections.abc import Iterator
from typing import Any

from podlint.checks._api import items, mapping
from podlint.k8s import formats
from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.views import ObjectView
from podlint.rule import RuleContext

# Go's base64 decoder skips line breaks and nothing else.
_LINE_BREAKS = re.compile(r"[\r\n]")
_CLIENT_CONFIG_KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")


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
    """Every `format: byte` value of the kind must be base64 (padded, line breaks allowed)."""
    for pointer, where, value in _byte_values(obj):
        if isinstance(value, str) and not _decodes(value):
            yield Finding(
                pointer,
                f"{where} is not valid base64 (encode the bytes with `base64 -w0`, or write the "
                "text under stringData in a Secret)"
                if where.startswith("data[")
                else f"{where} is not valid base64 (encode the bytes with `base64 -w0`)",
            )


def _byte_values(obj: ObjectView) -> Iterator[tuple[str, str, Any]]:
    data = obj.data
    if obj.kind == "Secret":
        for key, value in mapping(data.get("data")).items():
            yield obj.at("data", str(key)), f"data[{key}]", value
    elif obj.kind == "ConfigMap":
        for key, value in mapping(data.get("binaryData")).items():
            yield obj.at("binaryData", str(key)), f"binaryData[{key}]", value
    elif obj.kind in _CLIENT_CONFIG_KINDS:
        for index, hook in items(data.get("webhooks")):
            bundle = mapping(hook.get("clientConfig")).get("caBundle")
            at = obj.at("webhooks", str(index), "clientConfig", "caBundle")
            yield at, f"webhooks[{index}].clientConfig.caBundle", bundle
    elif obj.kind == "APIService":
        yield obj.at("spec", "caBundle"), "spec.caBundle", mapping(data.get("spec")).get("caBundle")
    elif obj.kind == "CustomResourceDefinition":
        conversion = mapping(mapping(data.get("spec")).get("conversion"))
        config = mapping(mapping(conversion.get("webhook")).get("clientConfig"))
        at = join(obj.at("spec", "conversion", "webhook", "clientConfig"), "caBundle")
        yield at, "spec.conversion.webhook.clientConfig.caBundle", config.get("caBundle")
    elif obj.kind == "CertificateSigningRequest":
        yield obj.at("spec", "request"), "spec.request", mapping(data.get("spec")).get("request")


def _decodes(value: str) -> bool:
    try:
        b64decode(_LINE_BREAKS.sub("", value), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True
