"""Everything `podlint webhook manifests` prints is created on the real apiserver, for real,
with strict field validation and Pod Security Admission enforcing `restricted` on its
namespace: nothing refused, nothing warned."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from podlint.webhook import certs
from tests.cluster.conftest import Cluster
from tests.webhook.apiserver import (
    CONFIGURATION_NAME,
    PRIVILEGED,
    create,
    ensure_namespace,
    message,
    pod,
    remove,
    until,
    warnings,
)

NAMESPACE = "podlint-system"
RESOURCES = {
    "Namespace": "namespaces",
    "ServiceAccount": "serviceaccounts",
    "Secret": "secrets",
    "ConfigMap": "configmaps",
    "Service": "services",
    "Deployment": "deployments",
    "PodDisruptionBudget": "poddisruptionbudgets",
    "ValidatingWebhookConfiguration": "validatingwebhookconfigurations",
}


def _path(item: dict[str, Any]) -> str:
    api_version = item["apiVersion"]
    base = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
    resource = RESOURCES[item["kind"]]
    namespace = item["metadata"].get("namespace")
    return f"{base}/namespaces/{namespace}/{resource}" if namespace else f"{base}/{resource}"


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    directory = tmp_path_factory.mktemp("deploy")
    certs.write(certs.issue("podlint-webhook", NAMESPACE), directory / "certs")
    done = subprocess.run(
        [
            *(sys.executable, "-m", "podlint", "webhook", "manifests"),
            *("--namespace", NAMESPACE, "--certs", str(directory / "certs")),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    text = directory / "deploy.yaml"
    text.write_text(done.stdout, encoding="utf-8")
    return text, [item for item in YAML(typ="safe").load_all(done.stdout) if item]


def test_every_printed_object_is_created_and_accepted(
    cluster: Cluster, printed: tuple[Path, list[dict[str, Any]]]
) -> None:
    _, items = printed
    # In an order `kubectl apply -f` can create them in: the namespace first.
    assert [item["kind"] for item in items] == [
        "Namespace",
        "Secret",
        "ServiceAccount",
        "ConfigMap",
        "Deployment",
        "PodDisruptionBudget",
        "Service",
        "ValidatingWebhookConfiguration",
    ]
    ensure_namespace(cluster, "deploy-check", PRIVILEGED)
    try:
        for item in items:
            with cluster.client() as client:
                answer = client.post(_path(item), json=item, params={"fieldValidation": "Strict"})
            assert answer.status_code == 201, f"{item['kind']}: {answer.text}"
            assert warnings(answer) == [], f"{item['kind']}: {warnings(answer)}"
            stored = cluster.request("GET", f"{_path(item)}/{item['metadata']['name']}").json()
            assert stored["kind"] == item["kind"]
        # The configuration is live: the apiserver sends Pods to the Service (which has no
        # endpoints here, since nothing runs Pods) and, failing closed, refuses them ...
        refused = until(
            lambda: create(cluster, "deploy-check", pod("checked"), dry_run=True),
            lambda answer: answer.status_code != 201,
            what="the printed configuration in effect",
        )
        assert 'failed calling webhook "pods.podlint.io"' in message(refused), refused.text
        assert f"podlint-webhook.{NAMESPACE}.svc" in message(refused)
        # ... but its own namespace never reaches it.
        own = create(cluster, NAMESPACE, _webhook_pod(items), dry_run=True)
        assert own.status_code == 201, own.text
    finally:
        remove(cluster)
        # Other tests share this apiserver: go on only once it has dropped the configuration.
        until(
            lambda: create(cluster, "deploy-check", pod("unchecked"), dry_run=True),
            lambda answer: answer.status_code == 201,
            what="the configuration gone",
        )
    assert items[-1]["metadata"]["name"] == CONFIGURATION_NAME


def _webhook_pod(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A Pod of the printed Deployment, as its ReplicaSet would create it."""
    (deployment,) = [item for item in items if item["kind"] == "Deployment"]
    template = copy.deepcopy(deployment["spec"]["template"])
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {**template["metadata"], "name": "podlint-webhook-replica"},
        "spec": template["spec"],
    }


def test_the_webhooks_own_pod_passes_pod_security_restricted(
    cluster: Cluster, printed: tuple[Path, list[dict[str, Any]]]
) -> None:
    _, items = printed
    namespace = items[0]
    labels = namespace["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    ensure_namespace(cluster, NAMESPACE, labels)
    account = cluster.request(
        "POST",
        f"/api/v1/namespaces/{NAMESPACE}/serviceaccounts",
        json={"metadata": {"name": "podlint-webhook"}},
    )
    assert account.status_code in (201, 409)
    replica = _webhook_pod(items)
    answer = create(cluster, NAMESPACE, replica)
    assert answer.status_code in (201, 409), answer.text
    assert warnings(answer) == []
    # The same check refuses a Pod without the restricted securityContext.
    weaker = copy.deepcopy(replica)
    weaker["metadata"]["name"] = "weaker"
    del weaker["spec"]["securityContext"]
    del weaker["spec"]["containers"][0]["securityContext"]
    refused = create(cluster, NAMESPACE, weaker, dry_run=True)
    assert refused.status_code == 403
    assert 'violates PodSecurity "restricted:latest"' in message(refused)


@pytest.mark.parametrize("policy", ["restricted", "hardened"])
def test_the_printed_manifests_pass_podlint(
    printed: tuple[Path, list[dict[str, Any]]], policy: str
) -> None:
    text, _ = printed
    done = subprocess.run(
        [sys.executable, "-m", "podlint", "lint", "--no-config", "--policy", policy, str(text)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
