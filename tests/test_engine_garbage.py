"""A linted document is freed by reference counting: nothing of it waits for the cyclic
garbage collector, whose passes would otherwise grow with the number of documents a run
holds in memory (a pod's YAML nodes, data and views)."""

from __future__ import annotations

import gc

from podlint.lint import lint_text
from podlint.runtime import Options, build_engine

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      initContainers:
      - name: setup
        image: busybox:1.36
      - name: proxy
        image: envoyproxy/envoy:v1.30.0
        restartPolicy: Always
      containers:
      - name: web
        image: nginx:latest
        securityContext: {privileged: true}
"""


def test_a_linted_pod_leaves_no_cyclic_garbage() -> None:
    for policy in ("default", "restricted"):
        engine = build_engine(Options(policy=policy))
        engine.collecting = True
        assert lint_text(engine, "warm-up.yaml", MANIFEST, fragment=False).findings
        gc.collect()
        enabled = gc.isenabled()
        gc.disable()
        try:
            for index in range(20):
                result = lint_text(engine, f"web-{index}.yaml", MANIFEST, fragment=False)
                assert result.findings
            del result
            assert gc.collect() == 0, policy
        finally:
            if enabled:
                gc.enable()
