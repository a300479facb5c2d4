"""The container start and restart-loop predictions are about manifests the apiserver accepts.

A status rule reports what the kubelet or the runtime refuses later; if kube-apiserver v1.35
refused the same document, the finding would belong to an ``api-*`` rule instead. Every
document of these rules' failing fixtures is sent as a server-side dry-run create and must be
accepted.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from podlint.source.manifest import _split_documents
from tests.cluster.apiserver import Case, Judge, object_of
from tests.cluster.conftest import Cluster
from tests.conftest import ROOT

RULES = (
    "command-empty",
    "working-dir-relative",
    "run-as-non-root-conflict",
    "subpath-expr-unresolved",
    "container-exits-immediately",
)


@pytest.fixture(scope="module")
def judge(cluster: Cluster) -> Iterator[Judge]:
    running = Judge(cluster)
    yield running
    running.close()


@pytest.mark.parametrize("rule", RULES)
def test_the_apiserver_accepts_what_the_rule_reports(judge: Judge, rule: str) -> None:
    cases = []
    for path in sorted((ROOT / "tests" / "rules" / rule).glob("fail-*.yaml")):
        text = path.read_text(encoding="utf-8")
        for offset, chunk in _split_documents(text):
            case = Case(f"{path.name}:{offset + 1}", chunk)
            obj = object_of(case)
            assert obj is not None and judge.serves(obj), case.origin
            cases.append((case, obj))
    assert cases
    judge.prepare(obj for _, obj in cases)
    refused = [
        f"{case.origin}: {verdict.message}"
        for (case, _), verdict in zip(cases, judge.judge_all(cases), strict=True)
        if not verdict.accepted
    ]
    assert not refused, "\n".join(refused)
