"""Credentials that may read only part of the cluster: each namespace they may not list is
named, and the others are still audited."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cluster.audit_helpers import (
    audit,
    bare_pod,
    create,
    deployment_with_replicas,
    kubeconfig,
    namespace,
    unique,
)
from tests.cluster.conftest import Cluster

READ_WORKLOADS = {
    "rules": [
        {
            "apiGroups": ["", "apps", "batch"],
            "resources": [
                "pods",
                "podtemplates",
                "replicationcontrollers",
                "replicasets",
                "deployments",
                "statefulsets",
                "daemonsets",
                "jobs",
                "cronjobs",
            ],
            "verbs": ["get", "list"],
        }
    ]
}


def read_role(cluster: Cluster) -> str:
    name = unique("audit-read")
    create(
        cluster,
        "/apis/rbac.authorization.k8s.io/v1/clusterroles",
        {"metadata": {"name": name}, **READ_WORKLOADS},
    )
    return name


def grant(cluster: Cluster, ns: str, role: str, subject: dict[str, str]) -> None:
    create(
        cluster,
        f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings",
        {
            "metadata": {"name": "audit"},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": role,
            },
            "subjects": [subject],
        },
    )


LIMITED = {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "limited"}


def test_named_namespaces_the_token_may_not_list_are_errors(
    cluster: Cluster, tmp_path: Path
) -> None:
    allowed = namespace(cluster, "audit-allowed")
    hidden = namespace(cluster, "audit-hidden")
    deployment_with_replicas(cluster, allowed, replicas=1)
    bare_pod(cluster, hidden, "secret")
    grant(cluster, allowed, read_role(cluster), LIMITED)
    config = kubeconfig(cluster, tmp_path, cluster.limited_token)

    run = audit(cluster, "-n", hidden, "-n", allowed, "--format", "json", config=config)

    assert run.code == 2
    findings = json.loads(run.stdout)["findings"]
    assert {f["file"] for f in findings} == {f"apps/v1/Deployment/{allowed}/web"}
    refused = [line for line in run.stderr.splitlines() if hidden in line]
    assert len(refused) == 1, run.stderr
    assert refused[0].startswith(f'podlint: error: namespace "{hidden}": cannot list pods, ')
    assert (
        'User \\"limited\\" cannot list' in refused[0] or 'User "limited" cannot list' in refused[0]
    )
    assert "not audited" in refused[0]
    assert f'namespace "{allowed}"' not in run.stderr


def test_all_namespaces_without_the_right_to_list_namespaces(
    cluster: Cluster, tmp_path: Path
) -> None:
    config = kubeconfig(cluster, tmp_path, cluster.limited_token)

    run = audit(cluster, config=config)

    assert run.code == 2
    assert "cluster: cannot list namespaces (403: " in run.stderr
    assert "name namespaces with --namespace" in run.stderr


def test_all_namespaces_falls_back_to_each_namespace(cluster: Cluster, tmp_path: Path) -> None:
    """A service account that may list namespaces but read workloads in only one of them."""
    home = namespace(cluster, "audit-home")
    hidden = namespace(cluster, "audit-hidden")
    bare_pod(cluster, home, "visible")
    bare_pod(cluster, hidden, "invisible")
    create(cluster, f"/api/v1/namespaces/{home}/serviceaccounts", {"metadata": {"name": "auditor"}})
    account = {"kind": "ServiceAccount", "name": "auditor", "namespace": home}
    grant(cluster, home, read_role(cluster), account)
    lister = unique("audit-namespaces")
    create(
        cluster,
        "/apis/rbac.authorization.k8s.io/v1/clusterroles",
        {
            "metadata": {"name": lister},
            "rules": [{"apiGroups": [""], "resources": ["namespaces"], "verbs": ["list"]}],
        },
    )
    create(
        cluster,
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
        {
            "metadata": {"name": lister},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": lister,
            },
            "subjects": [account],
        },
    )
    token = create(
        cluster,
        f"/api/v1/namespaces/{home}/serviceaccounts/auditor/token",
        {"spec": {"expirationSeconds": 3600}},
    )["status"]["token"]
    config = kubeconfig(cluster, tmp_path, token)

    run = audit(cluster, "--select", "bare-pod", "--format", "json", config=config)

    assert run.code == 2
    names = {(f["namespace"], f["name"]) for f in json.loads(run.stdout)["findings"]}
    assert names == {(home, "visible")}
    assert f'namespace "{hidden}": cannot list pods, ' in run.stderr
    assert f'namespace "{home}"' not in run.stderr
