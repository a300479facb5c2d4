"""PolicyReports: printed as YAML, and created or updated in the cluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.audit_helpers import (
    audit,
    bare_pod,
    custom_resource_definitions,
    deployment_with_replicas,
    load_all,
    namespace,
)
from tests.cluster.conftest import Cluster

CRDS = Path(__file__).parent / "fixtures" / "policyreport-crds.yaml"
REPORTS = "/apis/wgpolicyk8s.io/v1alpha2/namespaces/{}/policyreports/podlint"


@pytest.fixture
def policy_report_crds(cluster: Cluster) -> Iterator[None]:
    with custom_resource_definitions(cluster, CRDS):
        yield


def test_policy_reports_on_stdout(cluster: Cluster) -> None:
    shop = namespace(cluster, "audit-report")
    quiet = namespace(cluster, "audit-quiet")
    deployment_with_replicas(cluster, shop, replicas=1)
    uid = cluster.request("GET", f"/apis/apps/v1/namespaces/{shop}/deployments/web").json()[
        "metadata"
    ]["uid"]

    run = audit(cluster, "-n", shop, "-n", quiet, "--format", "policyreport")

    reports = load_all(run.stdout)
    assert [(r["kind"], r["metadata"]["namespace"]) for r in reports] == sorted(
        [("PolicyReport", shop), ("PolicyReport", quiet)], key=lambda x: x[1]
    )
    report = next(r for r in reports if r["metadata"]["namespace"] == shop)
    assert report["apiVersion"] == "wgpolicyk8s.io/v1alpha2"
    assert report["metadata"]["name"] == "podlint"
    privileged = next(r for r in report["results"] if r["rule"] == "pss-privileged")
    assert privileged["source"] == "podlint"
    assert privileged["policy"] == "default"
    assert (privileged["result"], privileged["severity"], privileged["category"]) == (
        "fail",
        "critical",
        "security",
    )
    assert privileged["resources"] == [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": "web",
            "namespace": shop,
            "uid": uid,
        }
    ]
    assert privileged["properties"]["pointer"] == (
        "/spec/template/spec/containers/0/securityContext/privileged"
    )
    assert report["summary"]["fail"] == sum(1 for r in report["results"] if r["result"] == "fail")
    assert report["summary"]["warn"] == sum(1 for r in report["results"] if r["result"] == "warn")
    empty = next(r for r in reports if r["metadata"]["namespace"] == quiet)
    assert empty["results"] == [] and empty["summary"]["fail"] == 0


def test_apply_reports_without_the_crd_says_so(cluster: Cluster) -> None:
    assert cluster.request("GET", "/apis/wgpolicyk8s.io/v1alpha2").status_code == 404
    ns = namespace(cluster, "audit-nocrd")
    bare_pod(cluster, ns, "lonely")

    run = audit(cluster, "-n", ns, "--apply-reports")

    assert run.code == 2
    assert "the PolicyReport CRD (policyreports.wgpolicyk8s.io, v1alpha2) is not installed" in (
        run.stderr
    )


def test_apply_reports_creates_then_updates(cluster: Cluster, policy_report_crds: None) -> None:
    ns = namespace(cluster, "audit-apply")
    deployment_with_replicas(cluster, ns, replicas=1)

    first = audit(cluster, "-n", ns, "--apply-reports", "--format", "json")

    assert first.code == 1, first.stderr
    stored = cluster.request("GET", REPORTS.format(ns)).json()
    assert stored["kind"] == "PolicyReport"
    assert any(r["rule"] == "pss-privileged" for r in stored["results"])
    assert stored["summary"]["fail"] >= 1
    assert stored["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "podlint"}

    fixed = cluster.request(
        "PATCH",
        f"/apis/apps/v1/namespaces/{ns}/deployments/web",
        headers={"Content-Type": "application/json-patch+json"},
        json=[
            {
                "op": "replace",
                "path": "/spec/template/spec/containers/0/securityContext/privileged",
                "value": False,
            }
        ],
    )
    assert fixed.status_code == 200, fixed.text
    # The ReplicaSet and Pod are the old template's; a real controller would replace them.
    for path in (
        f"/apis/apps/v1/namespaces/{ns}/replicasets/web-5d4f",
        f"/api/v1/namespaces/{ns}/pods/web-5d4f-0",
    ):
        assert cluster.request("DELETE", path).status_code == 200

    second = audit(cluster, "-n", ns, "--apply-reports")

    assert second.code == 0, second.stderr
    updated = cluster.request("GET", REPORTS.format(ns)).json()
    assert updated["metadata"]["uid"] == stored["metadata"]["uid"]
    assert not any(r["rule"] == "pss-privileged" for r in updated["results"])
    assert updated["summary"]["fail"] == 0


def test_a_whole_cluster_audit_clears_reports_of_objects_that_are_gone(
    cluster: Cluster, policy_report_crds: None
) -> None:
    ns = namespace(cluster, "audit-gone")
    bare_pod(cluster, ns, "lonely")

    first = audit(cluster, "--select", "bare-pod", "--apply-reports", "--quiet")

    assert first.code == 0, first.stderr
    assert cluster.request("GET", REPORTS.format(ns)).json()["summary"]["warn"] == 1
    results = cluster.request("GET", REPORTS.format(ns)).json()["results"]
    assert [r["resources"][0]["name"] for r in results] == ["lonely"]
    assert cluster.request("DELETE", f"/api/v1/namespaces/{ns}/pods/lonely").status_code == 200

    second = audit(cluster, "--select", "bare-pod", "--apply-reports", "--quiet")

    assert second.code == 0, second.stderr
    assert cluster.request("GET", REPORTS.format(ns)).json()["results"] == []
