"""The status rules that relate a workload to cluster objects of the run (class-ref-missing,
pvc-never-binds, config-ref-missing's volumes) and those quiet until told about the cluster
(topology-spread-exceeds-zones)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

from click.testing import CliRunner

from podlint.cli import cli
from podlint.engine import Engine
from podlint.lint import lint_sources
from podlint.model.configrefs import CLUSTER, ConfigIndex
from podlint.model.version import KubeVersion
from podlint.policy import RuleSetting
from podlint.registry import default_registry
from podlint.testing import FixtureSettings, lint_with_only

PRIORITY_CLASS = """\
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: business-critical}
value: 100000
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: checkout, namespace: shop}
spec:
  replicas: 5
  selector: {matchLabels: {app: checkout}}
  template:
    metadata: {labels: {app: checkout}}
    spec:
      priorityClassName: buisness-critical{comment}
      topologySpreadConstraints:
      - {maxSkew: 1, minDomains: 4, topologyKey: topology.kubernetes.io/zone, labelSelector: {matchLabels: {app: checkout}}}
      containers:
      - name: checkout
        image: registry.example.com/checkout:2.1.0
"""

STORAGE_CLASS = """\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: standard}
provisioner: pd.csi.storage.gke.io
"""

CLAIM = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: uploads, namespace: shop}
spec:
  storageClassName: standard
  accessModes: [ReadWriteMany]{comment}
  resources: {requests: {storage: 1Gi}}
"""


def lint_json(*args: str, input: str | None = None) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["lint", "--format", "json", *args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_a_priority_class_in_a_sibling_directory_is_found(tmp_path: Path) -> None:
    (tmp_path / "cluster").mkdir()
    (tmp_path / "apps").mkdir()
    (tmp_path / "cluster" / "priority.yaml").write_text(PRIORITY_CLASS)
    (tmp_path / "apps" / "checkout.yaml").write_text(DEPLOYMENT.replace("{comment}", ""))
    [finding] = lint_json("--select", "class-ref-missing", str(tmp_path))["findings"]
    assert (finding["file"], finding["line"], finding["kind"]) == (
        str(tmp_path / "apps" / "checkout.yaml"),
        10,
        "Deployment",
    )
    assert 'define only "business-critical"' in finding["message"]
    assert "no PriorityClass with name buisness-critical was found" in finding["message"]
    # Linted alone, no PriorityClass is among the files: made elsewhere, not judged ...
    alone = lint_json("--select", "class-ref-missing", str(tmp_path / "apps"))
    assert alone["findings"] == []
    # ... unless the files are said to be the whole cluster.
    complete = lint_with_only(
        "class-ref-missing",
        tmp_path / "apps" / "checkout.yaml",
        FixtureSettings(options={"assume-complete": True}),
    )
    assert ["define none, and assume-complete" in f.message for f in complete] == [True]


def test_a_claim_is_reported_in_its_own_file_and_its_comment_suppresses(tmp_path: Path) -> None:
    (tmp_path / "storage.yaml").write_text(STORAGE_CLASS)
    (tmp_path / "claim.yaml").write_text(CLAIM.replace("{comment}", ""))
    [finding] = lint_json("--select", "pvc-never-binds", str(tmp_path))["findings"]
    assert (finding["file"], finding["line"], finding["column"]) == (
        str(tmp_path / "claim.yaml"),
        6,
        17,
    )
    assert "pd.csi.storage.gke.io" in finding["message"]
    (tmp_path / "claim.yaml").write_text(
        CLAIM.replace("{comment}", "  # podlint: disable=pvc-never-binds")
    )
    quiet = lint_json("--select", "pvc-never-binds,unused-suppression", str(tmp_path))
    assert quiet["findings"] == []


def test_classes_and_claims_are_summaries_that_pickle(tmp_path: Path) -> None:
    (tmp_path / "all.yaml").write_text(
        "---\n".join(
            [PRIORITY_CLASS, STORAGE_CLASS, CLAIM.replace("{comment}", ""), DEPLOYMENT]
        ).replace("{comment}", "")
    )
    registry = default_registry()
    rules = ("class-ref-missing", "pvc-never-binds")
    engine = Engine(registry, {r: RuleSetting(registry.rules[r].severity, {}) for r in rules})
    results = lint_sources(engine, [str(tmp_path)])
    next(results)  # the file read, the run not finished yet
    copy = pickle.loads(pickle.dumps(engine.config))
    merged = ConfigIndex.merged([ConfigIndex(), copy])
    assert len(merged) == len(engine.config) == 4  # a pod, a claim, two classes
    near = str(tmp_path / "all.yaml")
    assert merged.names_near(CLUSTER, "PriorityClass", near) == ["business-critical"]
    storage = merged.find(CLUSTER, "StorageClass", "standard", near)
    assert storage is not None and storage.provisioner == "pd.csi.storage.gke.io"
    assert sorted(f.rule for r in results for f in r.findings) == list(rules)


def test_a_volume_of_a_configmap_not_defined_with_assume_complete(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
        "  containers: [{name: web, image: 'nginx:1.27'}]\n"
        "  volumes:\n  - name: config\n    configMap: {name: web-config}\n"
    )
    assert lint_with_only("config-ref-missing", path) == []
    [finding] = lint_with_only(
        "config-ref-missing", path, FixtureSettings(options={"assume-complete": True})
    )
    assert finding.message.startswith('volume "config" projects ConfigMap "web-config"')
    assert "ContainerCreating (FailedMount)" in finding.message


def test_the_zone_spread_is_quiet_without_zones_and_before_min_domains(tmp_path: Path) -> None:
    path = tmp_path / "checkout.yaml"
    path.write_text(DEPLOYMENT.replace("{comment}", ""))
    rule = "topology-spread-exceeds-zones"
    assert lint_with_only(rule, path) == []
    [finding] = lint_with_only(rule, path, FixtureSettings(options={"zones": 3}))
    assert "3 of the 5 replicas run and 2 stay Pending" in finding.message
    old = FixtureSettings(options={"zones": 3}, kubernetes_version=KubeVersion(1, 26))
    assert lint_with_only(rule, path, old) == []
