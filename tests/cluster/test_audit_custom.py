"""Custom workload kinds (``workload-kinds`` in the configuration) are audited where the
cluster serves them; those outside namespaces are reported in the ClusterPolicyReport."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.audit_helpers import (
    PRIVILEGED_TEMPLATE,
    audit,
    create,
    custom_resource_definitions,
    load_all,
    namespace,
    owner,
    unique,
)
from tests.cluster.conftest import Cluster

FIXTURES = Path(__file__).parent / "fixtures"
CONFIG = """\
workload-kinds:
  audit.example.com/Runner: /spec/template/spec
  audit.example.com/GlobalRunner: /spec/template/spec
"""


@pytest.fixture
def runners(cluster: Cluster) -> Iterator[None]:
    with custom_resource_definitions(cluster, FIXTURES / "runner-crds.yaml"):
        yield


def test_custom_workloads_are_audited_and_cluster_scoped_ones_reported_apart(
    cluster: Cluster, runners: None, tmp_path: Path
) -> None:
    config = tmp_path / ".podlint.yaml"
    config.write_text(CONFIG)
    ns = namespace(cluster, "audit-custom")
    runner = create(
        cluster,
        f"/apis/audit.example.com/v1/namespaces/{ns}/runners",
        {
            "apiVersion": "audit.example.com/v1",
            "kind": "Runner",
            "metadata": {"name": "build"},
            "spec": {"template": PRIVILEGED_TEMPLATE},
        },
    )
    create(
        cluster,
        f"/apis/apps/v1/namespaces/{ns}/replicasets",
        {
            "metadata": {"name": "build-1", "ownerReferences": owner(runner)},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": PRIVILEGED_TEMPLATE},
        },
    )
    global_name = unique("fleet")
    create(
        cluster,
        "/apis/audit.example.com/v1/globalrunners",
        {
            "apiVersion": "audit.example.com/v1",
            "kind": "GlobalRunner",
            "metadata": {"name": global_name},
            "spec": {"template": PRIVILEGED_TEMPLATE},
        },
    )

    run = audit(
        cluster, "--config", str(config), "--select", "pss-privileged", "--format", "policyreport"
    )

    reports = {(r["kind"], r["metadata"].get("namespace")): r for r in load_all(run.stdout)}
    in_namespace = reports[("PolicyReport", ns)]["results"]
    assert [r["resources"][0]["kind"] for r in in_namespace] == ["Runner"]
    assert in_namespace[0]["properties"]["pointer"] == (
        "/spec/template/spec/containers/0/securityContext/privileged"
    )
    cluster_wide = reports[("ClusterPolicyReport", None)]
    assert [r["resources"][0]["name"] for r in cluster_wide["results"]] == [global_name]
    assert "namespace" not in cluster_wide["results"][0]["resources"][0]

    # Asked for namespaces, objects outside any namespace are not audited.
    scoped = audit(
        cluster,
        "--config",
        str(config),
        "-n",
        ns,
        "--select",
        "pss-privileged",
        "--format",
        "policyreport",
    )
    assert [r["kind"] for r in load_all(scoped.stdout)] == ["PolicyReport"]


def test_without_the_configuration_custom_kinds_are_not_listed(
    cluster: Cluster, runners: None
) -> None:
    ns = namespace(cluster, "audit-nocustom")
    create(
        cluster,
        f"/apis/audit.example.com/v1/namespaces/{ns}/runners",
        {
            "apiVersion": "audit.example.com/v1",
            "kind": "Runner",
            "metadata": {"name": "build"},
            "spec": {"template": PRIVILEGED_TEMPLATE},
        },
    )

    run = audit(cluster, "-n", ns, "--format", "policyreport")

    assert load_all(run.stdout)[0]["results"] == []
    assert run.code == 0
