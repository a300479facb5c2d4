"""Errors from the fast check's own keywords are jsonschema's errors, in jsonschema's order."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podlint.k8s.explain import schema_errors
from podlint.k8s.fastcheck import Unsupported
from podlint.k8s.schemas import version_schemas
from podlint.model.version import KubeVersion
from podlint.source.manifest import parse_text

FIXTURES = Path(__file__).resolve().parent / "rules"
SCHEMAS = version_schemas(KubeVersion(1, 35))


def _objects() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(FIXTURES.rglob("*.yaml")):
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue  # a fixture of the reading rules
        for item in parse_text(text, str(path)):
            data = getattr(item, "data", None)
            if isinstance(data, dict) and isinstance(data.get("kind"), str):
                definition = SCHEMAS.definition_name(str(data.get("apiVersion")), data["kind"])
                if definition is not None:
                    found.append((definition, data))
    return found


OBJECTS = _objects()


def _as_compared(errors: Any) -> list[tuple[Any, ...]]:
    # What the schema rule reads of each error, in the order it reads them (stably sorted by
    # path, as podlint.checks.schema does).
    listed = [
        (
            error.validator,
            tuple(error.absolute_path),
            error.message,
            id(error.schema),
            repr(error.validator_value),
            repr(error.instance),
        )
        for error in errors
    ]
    return sorted(listed, key=lambda row: [str(part) for part in row[1]])


def _agree(definition: str, data: Any) -> bool:
    """Whether the two agree; False when the explainer leaves the object to jsonschema."""
    try:
        ours = schema_errors(SCHEMAS.definitions[definition], data)
    except Unsupported:
        return False
    theirs = list(SCHEMAS.validator(definition).iter_errors(data))
    assert _as_compared(ours) == _as_compared(theirs)
    return True


def test_every_fixture_object_gets_the_same_errors() -> None:
    explained = sum(_agree(definition, data) for definition, data in OBJECTS)
    assert len(OBJECTS) > 200
    assert explained > 0.9 * len(OBJECTS)


_REPLACEMENTS = st.sampled_from(
    [None, True, 0, -1, 2**31, 2**63, 3.5, "", "x", "Always", [], [None], {}, {"bogus": 1},
     [{"name": None}], {"name": "a"}]
)  # fmt: skip


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*prefix, index)))
    return found


@settings(
    max_examples=600,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_mutated_objects_get_the_same_errors(data: st.DataObject) -> None:
    definition, original = data.draw(st.sampled_from(OBJECTS))
    mutated = copy.deepcopy(original)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(mutated)
        path = data.draw(st.sampled_from(paths[1:] or paths))
        if not path:
            continue
        parent = mutated
        for part in path[:-1]:
            parent = parent[part]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            parent["unknownField" + str(len(path))] = copy.deepcopy(data.draw(_REPLACEMENTS))
        else:
            parent[path[-1]] = copy.deepcopy(data.draw(_REPLACEMENTS))
    _agree(definition, mutated)


@pytest.mark.parametrize("value", [2**31, -(2**31) - 1])
def test_an_integer_beyond_int32_is_reported_as_jsonschema_does(value: int) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "a", "image": "x"}], "terminationGracePeriodSeconds": 1},
    }
    pod["spec"]["containers"][0]["ports"] = [{"containerPort": value}]
    assert _agree("io.k8s.api.core.v1.Pod", pod)


def test_unknown_fields_are_named_in_jsonschema_s_order() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "zeta": 1, "alpha": 2},
        "spec": {"containers": [{"name": "a", "image": "x", "portz": [], "envv": None}]},
    }
    assert _agree("io.k8s.api.core.v1.Pod", pod)
