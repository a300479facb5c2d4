"""Plain YAML scalars read as the apiserver reads them (go-yaml via sigs.k8s.io/yaml).

A custom resource that keeps unknown fields echoes back the JSON value the apiserver made of
``value: <scalar>``; podlint's reading of the same scalar must be the same string, number,
boolean or null. A reading where they differ turns into false findings (``0-1`` read as -1 is
a negative number where the apiserver sees a string) or missed ones.
"""

from __future__ import annotations

import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from podlint.model.document import Document
from podlint.source.compose import resolve_plain_scalar
from podlint.source.manifest import parse_text
from tests.cluster.conftest import Cluster

GROUP = "parity.podlint.example"
SHAPES = """
0-1 1-2 0+1 +1 -0 +0 00 1_000 1__0 _1 1_ 0x1F 0X1F 0x_1F 0x-1 0x+1F +0x1F -0x1F 0o17 0o_17 0o+7
0o-7 0b101 0B1 +0b1 -0b101 0b-1 0b+1 -0b-1 -0b+1 0b2 0b 0x 0o 017 019 08 +017 -017 0_17 0_-1
1e3 1E3 1e+3 1e_3 1_e3 1.e3 .e3 1.5e3 1e 0e .5 -.5 +.5 . 0. 0.0 -0.0 1.0_0 0.5_0 1_0.5 1.2.3
6E725 -1e400 1e-400 1:20 190:20:30 -1:20 0:1 60:00 1:2:3.5 2001-12-14 2001-12-14t21:59:43.10-05:00 1-1 -1-1 + --
1,000 1/2 0x1p3 NaN inf Infinity -infinity 9223372036854775807 9223372036854775808
-9223372036854775809 18446744073709551615 18446744073709551616 0xFFFFFFFFFFFFFFFF
yes Yes YES no y n on Off ~ null Null true False
""".split()  # noqa: SIM905 - a table is easier to read than a list literal
# Numbers JSON cannot carry: the apiserver refuses the document (podlint reads them as floats;
# see CONFORMANCE.md).
UNREPRESENTABLE = (".inf", "-.Inf", "+.INF", ".nan", ".NaN")
ALPHABET = "0123456789+-._xobeE:"


@pytest.fixture(scope="module")
def echo(parity_cluster: Cluster) -> str:
    cluster = parity_cluster
    """The collection URL of a custom resource that keeps whatever fields it is given."""
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"echoes.{GROUP}"},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {"plural": "echoes", "singular": "echo", "kind": "Echo"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        }
                    },
                }
            ],
        },
    }
    created = cluster.request(
        "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=crd
    )
    assert created.status_code in (201, 409), created.text
    url = f"/apis/{GROUP}/v1/namespaces/default/echoes"
    deadline = time.monotonic() + 60
    while cluster.request("GET", url).status_code != 200:
        assert time.monotonic() < deadline, "the custom resource was never served"
        time.sleep(0.2)
    return url


def _body(scalar: str) -> str:
    return f"apiVersion: {GROUP}/v1\nkind: Echo\nmetadata:\n  name: e\nvalue: {scalar}\n"


def _server_reading(cluster: Cluster, url: str, scalar: str) -> tuple[bool, Any]:
    answer = cluster.request(
        "POST",
        url,
        params={"dryRun": "All"},
        content=_body(scalar).encode(),
        headers={"Content-Type": "application/yaml"},
    )
    if answer.status_code != 201:
        return False, answer.json().get("message")
    return True, answer.json().get("value")


def _podlint_reading(scalar: str) -> tuple[bool, Any]:
    for item in parse_text(_body(scalar), "echo.yaml"):
        if isinstance(item, Document):
            return True, item.data.get("value")
        return False, item.message
    return False, "no object"


def _same(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, bool) or ours is None or isinstance(ours, str):
        return type(ours) is type(theirs) and ours == theirs
    # JSON has one number type: 1e3 comes back as 1000.
    return (
        isinstance(theirs, (int, float))
        and not isinstance(theirs, bool)
        and float(ours) == float(theirs)
    )


def _random_shapes(seed: int, count: int) -> list[str]:
    generator = random.Random(seed)
    shapes: set[str] = set()
    while len(shapes) < count:
        shapes.add("".join(generator.choice(ALPHABET) for _ in range(generator.randint(1, 6))))
    return sorted(shapes)


def test_plain_scalars_read_as_the_apiserver_reads_them(parity_cluster: Cluster, echo: str) -> None:
    seed = int(os.environ.get("PODLINT_PARITY_SEED", random.randrange(2**32)))
    shapes = SHAPES + _random_shapes(seed, 400)
    with ThreadPoolExecutor(4) as pool:
        readings = list(pool.map(lambda s: _server_reading(parity_cluster, echo, s), shapes))
    wrong = []
    for scalar, (accepted, theirs) in zip(shapes, readings, strict=True):
        read, ours = _podlint_reading(scalar)
        if not accepted and not read:
            continue  # not one scalar at all (a sequence entry, a trailing ':'): both refuse
        if accepted != read or not _same(ours, theirs):
            wrong.append(f"{scalar!r}: apiserver {theirs!r}, podlint {ours!r}")
    assert not wrong, f"seed {seed} (PODLINT_PARITY_SEED):\n" + "\n".join(wrong)


def test_fixed_shapes_are_single_scalars() -> None:
    # Otherwise "both refuse" above could pass over one of them.
    for scalar in SHAPES:
        read, value = _podlint_reading(scalar)
        assert read, scalar
        assert _same(resolve_plain_scalar(scalar), value), scalar


@pytest.mark.parametrize("scalar", UNREPRESENTABLE)
def test_infinities_and_nan_are_refused_by_the_apiserver(
    parity_cluster: Cluster, echo: str, scalar: str
) -> None:
    accepted, message = _server_reading(parity_cluster, echo, scalar)
    assert not accepted
    assert "unsupported value" in str(message)
