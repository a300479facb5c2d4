"""Schema validation speed: the `schema` rule on a typical Deployment, next to the rest of a lint.

Prints, for one Kubernetes version:
- the one-time cost of loading and indexing that version's schemas (once per process);
- validating one typical Deployment (about 60 lines, two containers): the compiled yes/no
  pass the rule runs first, and the full jsonschema pass it runs only to explain an error;
- linting the same file end to end (parse + every default rule) with and without `schema` and
  the api-* rules, so the share the apiserver rules take of a lint is visible.

    python bench/bench_schema.py
    python bench/bench_schema.py --kubernetes-version 1.30 --rounds 2000
    python bench/bench_schema.py --corpus ../shared/corpus   # per-family cost over real files
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from podlint.k8s.schemas import version_schemas
from podlint.lint import lint_text
from podlint.model.version import KubeVersion
from podlint.runtime import Options, build_engine
from podlint.source.manifest import parse_text

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app.kubernetes.io/name: web, app.kubernetes.io/part-of: shop}
spec:
  replicas: 3
  selector:
    matchLabels: {app.kubernetes.io/name: web}
  strategy:
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}
  template:
    metadata:
      labels: {app.kubernetes.io/name: web, app.kubernetes.io/part-of: shop}
    spec:
      serviceAccountName: web
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: web
        image: registry.example.com/shop/web:1.8.2
        ports:
        - {name: http, containerPort: 8080}
        env:
        - {name: LOG_LEVEL, value: info}
        - name: POD_NAME
          valueFrom:
            fieldRef: {fieldPath: metadata.name}
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {memory: 256Mi}
        readinessProbe:
          httpGet: {path: /ready, port: http}
        livenessProbe:
          httpGet: {path: /healthz, port: http}
          periodSeconds: 20
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
        volumeMounts:
        - {name: tmp, mountPath: /tmp}
      - name: proxy
        image: envoyproxy/envoy:v1.31.0
        ports:
        - {name: admin, containerPort: 9901}
      volumes:
      - name: tmp
        emptyDir: {}
"""


def best(rounds: int, action: Callable[[], object]) -> float:
    """Median seconds per call over ``rounds`` calls, after a warm-up call."""
    action()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def corpus(root: str, version: KubeVersion, rounds: int) -> None:
    """Each family over every document of a directory, parsed once; best of ``rounds``."""
    from pathlib import Path

    from podlint.model.document import Document

    documents = []
    for path in sorted(Path(root).rglob("*")):
        if path.suffix in (".yaml", ".yml", ".json") and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            documents.extend(d for d in parse_text(text, str(path)) if isinstance(d, Document))
    print(f"{len(documents)} documents under {root}, Kubernetes {version}, best of {rounds}")
    for label, selection in [
        ("schema", ("schema",)),
        ("unknown-kind", ("unknown-kind",)),
        ("api-* (12 rules)", ("api-*",)),
    ]:
        engine = build_engine(Options(kubernetes_version=version, select=selection))
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            for document in documents:
                for _finding in engine.lint_document(document):
                    pass
            times.append(time.perf_counter() - start)
        total = min(times)
        print(f"{label:18} {total * 1000:8.1f} ms  {total / len(documents) * 1e6:6.1f} µs/document")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubernetes-version", default="latest")
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--corpus", default=None, help="measure the families over a directory")
    args = parser.parse_args()
    version = KubeVersion.parse(args.kubernetes_version)
    if args.corpus:
        corpus(args.corpus, version, max(1, min(args.rounds, 5)))
        return

    start = time.perf_counter()
    schemas = version_schemas(version)
    load = time.perf_counter() - start
    document = next(d for d in parse_text(DEPLOYMENT, "bench.yaml") if not hasattr(d, "rule"))
    validator = schemas.validator("io.k8s.api.apps.v1.Deployment")

    definition = "io.k8s.api.apps.v1.Deployment"
    assert schemas.is_valid(definition, document.data) is True  # type: ignore[union-attr]

    def validate() -> object:
        return list(validator.iter_errors(document.data))  # type: ignore[union-attr]

    def verdict() -> object:
        return schemas.is_valid(definition, document.data)  # type: ignore[union-attr]

    per_doc = best(args.rounds, validate)
    fast = best(args.rounds, verdict)
    everything = build_engine(Options(kubernetes_version=version))
    without = build_engine(
        Options(kubernetes_version=version, ignore=("schema", "unknown-kind", "api-*"))
    )
    full = best(args.rounds, lambda: lint_text(everything, "bench.yaml", DEPLOYMENT))
    rest = best(args.rounds, lambda: lint_text(without, "bench.yaml", DEPLOYMENT))

    print(f"Kubernetes {version}, {args.rounds} rounds, medians")
    print(f"load + index the schemas (once per process): {load * 1000:8.1f} ms")
    print(f"schema rule on one valid Deployment:         {fast * 1000:8.3f} ms")
    print(f"full jsonschema pass on it (errors path):    {per_doc * 1000:8.3f} ms")
    print(f"lint of the file, every default rule:        {full * 1000:8.3f} ms")
    print(f"lint of the file without schema and api-*:   {rest * 1000:8.3f} ms")
    print(f"schema + api-* share of the lint:            {(full - rest) / full:8.1%}")


if __name__ == "__main__":
    main()
