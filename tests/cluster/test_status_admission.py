"""class-ref-missing quotes the refusal the apiserver's admission gives a Pod that names an
undefined PriorityClass or RuntimeClass: the real apiserver must give it."""

from __future__ import annotations

from pathlib import Path

from podlint.testing import lint_with_only
from tests.cluster.apiserver import Case, Judge
from tests.cluster.conftest import Cluster

MANIFESTS = """\
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: podlint-status-defined}
value: 10
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: podlint-status-defined}
handler: runc
"""

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: podlint-status-classes, namespace: default}
spec:
  {field}: podlint-status-undefined
  containers:
  - name: app
    image: busybox:1.36
"""


def test_admission_refuses_a_pod_as_class_ref_missing_says(
    parity_cluster: Cluster, tmp_path: Path
) -> None:
    judge = Judge(parity_cluster)
    try:
        judge.prepare([{"apiVersion": "v1", "kind": "Pod", "metadata": {}, "spec": {}}])
        for field in ("priorityClassName", "runtimeClassName"):
            pod = POD.replace("{field}", field)
            path = tmp_path / f"{field}.yaml"
            path.write_text(MANIFESTS + "---\n" + pod)
            [finding] = lint_with_only("class-ref-missing", path)
            refusal = finding.message.split("(Forbidden: ", 1)[1].split("); ", 1)[0]
            obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "default"}}
            verdict = judge.judge(Case(field, pod), obj)
            assert (verdict.accepted, verdict.status) == (False, 403), verdict.message
            assert refusal in verdict.message, (refusal, verdict.message)
    finally:
        judge.close()
