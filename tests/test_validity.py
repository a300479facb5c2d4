"""The yes/no check of podlint's own file schemas agrees with jsonschema whenever it says yes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podlint.config import config_schema
from podlint.source.data import load_yaml_file
from podlint.validity import is_valid

ROOT = Path(__file__).resolve().parent.parent
POLICY_SCHEMA = json.loads((ROOT / "podlint" / "schemas" / "policy.schema.json").read_text())
CONFIG_SCHEMA = config_schema()


def _jsonschema_valid(schema: dict[str, Any], document: Any) -> bool:
    return not any(jsonschema.Draft7Validator(schema).iter_errors(document))


@pytest.mark.parametrize("policy", sorted((ROOT / "policies").glob("*.yaml")), ids=str)
def test_the_shipped_policies_are_valid_without_jsonschema(policy: Path) -> None:
    assert is_valid(POLICY_SCHEMA, load_yaml_file(policy))


VALID_CONFIG = {
    "extends": "recommended",
    "kubernetes-version": "1.34",
    "rules": {
        "latest-image-tag": "off",
        "@security": {"severity": "warning"},
        "acme/*": False,
        "api-probes": {"options": {"max": 3}},
    },
    "per-file-ignores": {"legacy/**": ["api-probes", "@reliability"], "one.yaml": "schema"},
    "rule-paths": ["rules"],
    "workload-kinds": {"argoproj.io/Rollout": "/spec/template/spec"},
    "fail-on": "warning",
}


def test_a_full_configuration_is_valid_without_jsonschema() -> None:
    assert _jsonschema_valid(CONFIG_SCHEMA, VALID_CONFIG)
    assert is_valid(CONFIG_SCHEMA, VALID_CONFIG)


@pytest.mark.parametrize(
    "document",
    [
        {"extends": ""},
        {"kubernetes-version": "one"},
        {"rules": {"Bad Id": "off"}},
        {"rules": {"x": "loud"}},
        {"rules": {"x": True}},
        {"rules": {"x": 0}},
        {"rules": {"x": {"severity": "off", "extra": 1}}},
        {"per-file-ignores": {"a": []}},
        {"per-file-ignores": {"a": [""]}},
        {"rule-paths": "rules"},
        {"workload-kinds": {"Rollout": "/spec"}},
        {"workload-kinds": {"a/B": "spec"}},
        {"fail-on": "sometimes"},
        {"unknown": 1},
        [],
    ],
)
def test_an_invalid_configuration_is_left_to_jsonschema(document: Any) -> None:
    assert not _jsonschema_valid(CONFIG_SCHEMA, document)
    assert not is_valid(CONFIG_SCHEMA, document)


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.sampled_from(
        ["", "off", "warning", "error", "default", "info", "never", "1.34", "latest", "v1.2.3",
         "x", "Bad Id", "@security", "acme/*", "a/B", "argoproj.io/Rollout", "/spec", "spec",
         "legacy/**", "recommended", "severity", "options"]
    ),
)  # fmt: skip
_KEYS = st.sampled_from(
    ["extends", "kubernetes-version", "rules", "per-file-ignores", "rule-paths",
     "workload-kinds", "fail-on", "severity", "options", "x", "Bad Id", "@security",
     "acme/*", "argoproj.io/Rollout", "a/B", "legacy/**", "name", "description", "unknown"]
)  # fmt: skip
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(_KEYS, children, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=1500,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(_DOCUMENTS)
def test_yes_only_when_jsonschema_finds_nothing(document: Any) -> None:
    for schema in (CONFIG_SCHEMA, POLICY_SCHEMA):
        if is_valid(schema, document):
            assert _jsonschema_valid(schema, document), document
