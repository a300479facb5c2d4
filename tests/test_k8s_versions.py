"""Version boundaries: each check starts (or stops) at the release the apiserver changed."""

from __future__ import annotations

import pytest

from podlint.engine import Engine
from podlint.lint import lint_text
from podlint.model.finding import Severity
from podlint.model.version import KubeVersion
from podlint.policy import RuleSetting
from podlint.registry import default_registry

STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db.internal
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: postgres:16
        volumeMounts: [{name: data, mountPath: /data}, {name: missing, mountPath: /x}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {resources: {requests: {storage: 1Gi}}}
"""
POD = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  initContainers:
  - name: init
    image: busybox:1.36
    restartPolicy: OnFailure
  containers:
  - name: web
    image: nginx:1.27
    env: [{name: "my var", value: x}]
    lifecycle:
      preStop: {sleep: {seconds: 0}}
"""


def _messages(rule: str, text: str, version: str) -> list[str]:
    engine = Engine(
        default_registry(),
        {rule: RuleSetting(Severity.ERROR, {})},
        KubeVersion.parse(version),
    )
    return [f.message for f in lint_text(engine, "x.yaml", text).findings]


@pytest.mark.parametrize(
    ("rule", "text", "counts"),
    [
        # claim templates and the pod template validated from 1.34; serviceName a label from 1.33
        ("api-workload", STATEFULSET, {"1.32": 0, "1.33": 1, "1.34": 2, "1.36": 2}),
        ("api-volumes", STATEFULSET, {"1.33": 0, "1.34": 1}),
        # init restartPolicy: dropped in 1.28 and 1.34, refused 1.29-1.33, allowed from 1.35
        ("api-init-containers", POD, {"1.28": 0, "1.29": 1, "1.33": 1, "1.34": 0, "1.35": 0}),
        # strict env names before 1.32
        ("api-env", POD, {"1.31": 1, "1.32": 0}),
        # sleep action from 1.30, zero seconds allowed from 1.33
        ("api-probes", POD, {"1.29": 0, "1.30": 1, "1.32": 1, "1.33": 0}),
    ],
)
def test_version_boundaries(rule: str, text: str, counts: dict[str, int]) -> None:
    found = {version: len(_messages(rule, text, version)) for version in counts}
    assert found == counts
