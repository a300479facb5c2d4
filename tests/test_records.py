"""Records sent back by worker processes pickle as their class and field values."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest

from podlint.lint import ObjectRef
from podlint.model.finding import Finding, Severity
from podlint.model.records import pickled_by_fields
from podlint.model.span import Span
from podlint.model.workloads import ContainerSummary, WorkloadSummary


@pytest.mark.parametrize(
    "record",
    [
        ObjectRef(3, "/spec", "Deployment", None, "web"),
        Finding(
            "/spec/replicas",
            "message",
            rule="api-workload",
            severity=Severity.ERROR,
            path="a.yaml",
            document=1,
            span=Span(4, 2, 4, 9),
        ),
        WorkloadSummary(
            "apps/v1",
            "Deployment",
            "shop",
            "web",
            "a.yaml",
            (ContainerSummary("web", "app", frozenset({"cpu"}), True, False),),
            (("app", "web"),),
            True,
        ),
    ],
)
def test_a_record_travels_as_its_class_and_values(record: Any) -> None:
    values = tuple(getattr(record, field.name) for field in dataclasses.fields(record))
    assert record.__reduce__() == (type(record), values)
    assert pickle.loads(pickle.dumps(record, pickle.HIGHEST_PROTOCOL)) == record


def test_fields_that_are_not_positional_are_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class Keyword:
        name: str
        count: int = dataclasses.field(default=0, kw_only=True)

    with pytest.raises(TypeError, match="positional"):
        pickled_by_fields(Keyword)


def test_a_record_of_one_field_round_trips() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class One:
        name: str

    one = pickled_by_fields(One)("x")
    assert One.__reduce__(one) == (One, ("x",))
