"""Objects created on the real apiserver for the audit tests, and `podlint audit` runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.cluster.conftest import Cluster

PRIVILEGED_TEMPLATE: dict[str, Any] = {
    "metadata": {"labels": {"app": "web"}},
    "spec": {
        "containers": [
            {"name": "app", "image": "nginx:1.27", "securityContext": {"privileged": True}}
        ]
    },
}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create(cluster: Cluster, path: str, obj: dict[str, Any]) -> dict[str, Any]:
    answer = cluster.request("POST", path, json=obj)
    assert answer.status_code == 201, f"{path}: {answer.status_code} {answer.text}"
    created: dict[str, Any] = answer.json()
    return created


def namespace(cluster: Cluster, prefix: str, labels: dict[str, str] | None = None) -> str:
    """A new namespace with its ServiceAccount "default" (no controller-manager makes it)."""
    name = unique(prefix)
    create(cluster, "/api/v1/namespaces", {"metadata": {"name": name, "labels": labels or {}}})
    create(cluster, f"/api/v1/namespaces/{name}/serviceaccounts", {"metadata": {"name": "default"}})
    return name


def owner(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": obj["apiVersion"],
            "kind": obj["kind"],
            "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]


def deployment_with_replicas(cluster: Cluster, ns: str, replicas: int = 2) -> dict[str, Any]:
    """A Deployment, its ReplicaSet and Pods, owned as the controllers would own them."""
    deployment = create(
        cluster,
        f"/apis/apps/v1/namespaces/{ns}/deployments",
        {
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": PRIVILEGED_TEMPLATE},
        },
    )
    replica_set = create(
        cluster,
        f"/apis/apps/v1/namespaces/{ns}/replicasets",
        {
            "metadata": {"name": "web-5d4f", "ownerReferences": owner(deployment)},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": PRIVILEGED_TEMPLATE},
        },
    )
    for index in range(replicas):
        create(
            cluster,
            f"/api/v1/namespaces/{ns}/pods",
            {
                "metadata": {
                    "name": f"web-5d4f-{index}",
                    "labels": {"app": "web"},
                    "ownerReferences": owner(replica_set),
                },
                "spec": PRIVILEGED_TEMPLATE["spec"],
            },
        )
    return deployment


def bare_pod(cluster: Cluster, ns: str, name: str, labels: dict[str, str] | None = None) -> None:
    create(
        cluster,
        f"/api/v1/namespaces/{ns}/pods",
        {
            "metadata": {"name": name, "labels": labels or {}},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
        },
    )


def kubeconfig(cluster: Cluster, directory: Path, token: str, name: str = "kubeconfig") -> Path:
    path = directory / name
    path.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: test\n  cluster: {{server: {cluster.url!r}, "
        f"certificate-authority: {str(cluster.ca_file)!r}}}\n"
        f"users:\n- name: someone\n  user: {{token: {token!r}}}\n"
        "contexts:\n- name: test\n  context: {cluster: test, user: someone}\n"
        "current-context: test\n"
    )
    return path


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def audit(cluster: Cluster, *args: str, config: Path | None = None) -> Run:
    env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "NO_COLOR")}
    env["KUBECONFIG"] = str(config or cluster.kubeconfig)
    env["NO_COLOR"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "podlint", "audit", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return Run(done.returncode, done.stdout, done.stderr)


CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def load_all(text: str) -> list[Any]:
    return list(YAML(typ="safe").load_all(StringIO(text)))


@contextmanager
def custom_resource_definitions(cluster: Cluster, path: Path) -> Iterator[list[dict[str, Any]]]:
    """Create the CRDs of a file, wait until their group serves them, delete them after."""
    definitions = load_all(path.read_text())
    groups = {crd["spec"]["group"] for crd in definitions}
    for crd in definitions:
        create(cluster, CRD_PATH, crd)
    deadline = time.monotonic() + 30
    while not all(_served(cluster, crd) for crd in definitions):
        if time.monotonic() > deadline:
            pytest.fail(f"the CRDs of {path.name} were not served within 30 s")
        time.sleep(0.2)
    try:
        yield definitions
    finally:
        for crd in definitions:
            cluster.request("DELETE", f"{CRD_PATH}/{crd['metadata']['name']}")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(
            cluster.request("GET", f"/apis/{group}").status_code != 404 for group in groups
        ):
            time.sleep(0.2)


def _served(cluster: Cluster, crd: dict[str, Any]) -> bool:
    spec = crd["spec"]
    answer = cluster.request("GET", f"/apis/{spec['group']}/{spec['versions'][0]['name']}")
    if answer.status_code != 200:
        return False
    return any(r["name"] == spec["names"]["plural"] for r in answer.json()["resources"])
