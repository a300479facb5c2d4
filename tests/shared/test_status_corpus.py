"""The status rules on the real-world corpus: every finding read, its verdict recorded here.

Each rule of this family predicts a status a Pod would get stuck in. In ../shared/corpus (public
projects' manifests, all of which run) such a prediction is real only where the project has a
bug; KNOWN lists every finding of these rules with the reason it is real, and the test fails
when one appears or goes away.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from podlint.lint import lint_sources
from podlint.runtime import Options, build_engine
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"
RULES = (
    "config-ref-missing",
    "memory-emptydir-unbounded",
    "ephemeral-storage-below-emptydir",
    "node-selector-contradicts-affinity",
    "command-empty",
    "working-dir-relative",
    "run-as-non-root-conflict",
    "subpath-expr-unresolved",
    "container-exits-immediately",
    "image-never-pull-latest-or-digest",
    "control-plane-untolerated",
    "topology-spread-exceeds-zones",
    "class-ref-missing",
    "pvc-never-binds",
)
# What the rules quiet without knowing the cluster are run with: three zones, as most cloud
# regions have.
CLUSTER_OPTIONS = (("topology-spread-exceeds-zones", {"zones": 3}),)

# path:line: rule  # verdict
KNOWN = """
kube-prometheus/manifests/grafana-deployment.yaml:190: memory-emptydir-unbounded  # real: Grafana's plugin directory is a tmpfs with no sizeLimit, charged to the container's 200Mi memory limit; plugins installed there can OOMKill it
"""


def _known() -> set[tuple[str, int, str]]:
    known = set()
    for row in KNOWN.strip().splitlines():
        location, rule = row.split("  #", 1)[0].rsplit(": ", 1)
        path, line = location.rsplit(":", 1)
        known.add((path, int(line), rule.strip()))
    return known


def _findings(options: Options) -> dict[tuple[str, int, str], str]:
    found: dict[tuple[str, int, str], str] = {}
    for result in lint_sources(build_engine(options), [str(CORPUS)]):
        assert result.error is None, f"{result.path}: {result.error}"
        for finding in result.findings:
            line = finding.span.line + 1 if finding.span else 0
            path = str(Path(result.path).relative_to(CORPUS))
            found[(path, line, finding.rule)] = finding.message
    return found


def test_status_rules_report_only_real_causes() -> None:
    # config-ref-missing: the corpus's 154 files with configMapKeyRef/secretKeyRef read keys
    # their ConfigMaps and Secrets define, or ConfigMaps and Secrets made elsewhere (by an
    # operator, a generator or a `kubectl create secret` step of the tutorial): not judged.
    # memory-emptydir-unbounded: 49 `dshm` volumes at /dev/shm (vLLM, TGI, Selenium) are
    # shared memory the program sizes itself, left out by the rule; the one finding is real.
    # ephemeral-storage-below-emptydir: no corpus Pod sets an emptyDir sizeLimit above its
    # ephemeral-storage limit.
    # node-selector-contradicts-affinity: the corpus's nodeSelectors agree with their required
    # node affinity; none is reported.
    # command-empty, working-dir-relative: every corpus command starts with a program, every
    # workingDir is absolute (the only others are in CRDs' schemas, which are not Pods).
    # run-as-non-root-conflict: the three files with runAsUser: 0 (Elastic's sysctl setters
    # and Agents) do not set runAsNonRoot.
    # subpath-expr-unresolved: subPathExpr appears only in the Prometheus operator's CRDs.
    # container-exits-immediately: the only corpus commands that print and exit at once are
    # two init containers (Elastic's max_map_count setters), which are meant to exit; the
    # long-running ones end in a server, `sleep` or a loop. None is reported.
    # config-ref-missing's volume items: the corpus's configMap/secret volume items name keys
    # their ConfigMaps and Secrets define; none is reported.
    # image-never-pull-latest-or-digest: no corpus container sets imagePullPolicy Never.
    # control-plane-untolerated: the one Pod template that selects control-plane nodes
    # (ingress-nginx's kind provider) tolerates the taint.
    # topology-spread-exceeds-zones: no corpus workload sets minDomains.
    # class-ref-missing: the corpus's priorityClassNames (GKE samples) name PriorityClasses
    # defined beside them, or the built-in system-cluster-critical.
    # pvc-never-binds: the corpus's ReadWriteMany claims bind to static volumes
    # (storageClassName ""), use the default class, or Filestore, GCS FUSE and Azure Files
    # classes; none names a block-disk StorageClass of the corpus.
    found = _findings(Options(select=RULES, rule_options=CLUSTER_OPTIONS))
    expected = _known()
    unexpected = {key: message for key, message in found.items() if key not in expected}
    missing = sorted(key for key in expected if key not in found)
    assert not unexpected and not missing, (
        "status findings without a recorded verdict:\n"
        + "\n".join(f"  {p}:{line}: {rule}: {m}" for (p, line, rule), m in unexpected.items())
        + f"\nrecorded findings no longer reported: {missing}"
    )


def test_assume_complete_is_not_for_sample_repositories() -> None:
    """With assume-complete the corpus's projects are taken to be whole namespaces, which they
    are not. Every finding was read; none is a bug, each names an object made outside the
    files: Argo CD's Secret "argocd-redis" (59, written by the redis Deployment's
    `secret-init` init container, `argocd admin redis-initial-password`), Secrets of operators
    (Zalando's and CloudNativePG's Postgres, Redis Enterprise, Spotahome Redis, Strimzi, Qdrant,
    Weaviate) and of tutorials' `kubectl create secret` steps (118 in kubernetes-engine-samples,
    with the ConfigMap "anthropic-env" its agent-sandbox tutorial creates; 1 in
    kubernetes-examples, the vLLM Hugging Face token). Volumes add 62, of the same sort: the
    admission webhook's certificate Secret that ingress-nginx's `admission-create` Job writes
    (9) and a ConfigMap its Prometheus sample expects, certificates of cert-manager, Cilium
    (Hubble relay) and ECK, Hugging Face and Kaggle tokens, Cloud SQL and Pub/Sub keys and
    tutorials' ConfigMaps made with `kubectl create configmap` (44 in
    kubernetes-engine-samples), nginx's and New Relic's sample Secrets (5 in
    kubernetes-examples), and Istio's rate-limit and mTLS samples (3). Pinned, so a change in
    what is reported shows."""
    options = Options(
        select=("config-ref-missing",),
        rule_options=(("config-ref-missing", {"assume-complete": True}),),
    )
    found = _findings(options)
    kinds = Counter(
        "Secret" if 'Secret "' in message else "ConfigMap" for message in found.values()
    )
    projects = Counter(path.split("/", 1)[0] for path, _line, _rule in found)
    assert (len(found), dict(kinds)) == (240, {"Secret": 231, "ConfigMap": 9})
    assert dict(projects) == {
        "argo-cd": 59,
        "kubernetes-engine-samples": 162,
        "kubernetes-examples": 6,
        "ingress-nginx": 10,
        "istio": 3,
    }
