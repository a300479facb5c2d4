"""What the webhook end-to-end tests (tests/cluster/test_webhook_*.py) share: the
ValidatingWebhookConfiguration that `podlint webhook manifests --url` prints for it, and
requests to the real apiserver that the apiserver sends on to the webhook."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from ruamel.yaml import YAML

from tests.cluster.conftest import Cluster
from tests.webhook.webhook_server import WebhookProcess

T = TypeVar("T")

CONFIGURATION_NAME = "podlint-webhook.podlint.io"
CONFIGURATIONS = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations"
# Only namespaces with this label reach the webhook under test, so that the other tests
# sharing this apiserver never meet it.
SCOPE_LABEL = "e2e.podlint.io/webhook"
# Pod Security Admission would judge the same privileged Pods: kept out of the way.
PRIVILEGED = {
    f"pod-security.kubernetes.io/{mode}": "privileged" for mode in ("enforce", "warn", "audit")
}
DENIED = 'admission webhook "pods.podlint.io" denied the request: '
PRIVILEGED_FINDING = "pss-privileged: /spec/containers/0/securityContext/privileged: "


def manifests(*args: str) -> list[dict[str, Any]]:
    """What the real CLI prints, as objects."""
    done = subprocess.run(
        [sys.executable, "-m", "podlint", "webhook", "manifests", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [item for item in YAML(typ="safe").load_all(done.stdout) if item]


def webhook_configuration(
    webhook: WebhookProcess,
    own_namespace: str,
    *,
    failure_policy: str = "Fail",
    timeout_seconds: int | None = None,
) -> dict[str, Any]:
    """The ValidatingWebhookConfiguration of `manifests --url` for this process, scoped to the
    namespaces these tests label."""
    items = manifests(
        "--namespace",
        own_namespace,
        "--certs",
        str(webhook.cert_dir),
        "--url",
        f"https://127.0.0.1:{webhook.port}/validate",
        "--failure-policy",
        failure_policy,
    )
    (configuration,) = [i for i in items if i["kind"] == "ValidatingWebhookConfiguration"]
    for hook in configuration["webhooks"]:
        hook["namespaceSelector"]["matchExpressions"].append(
            {"key": SCOPE_LABEL, "operator": "Exists"}
        )
        if timeout_seconds is not None:
            hook["timeoutSeconds"] = timeout_seconds
    return configuration


def install(cluster: Cluster, configuration: dict[str, Any]) -> None:
    remove(cluster)
    answer = cluster.request("POST", CONFIGURATIONS, json=configuration)
    assert answer.status_code == 201, answer.text


def remove(cluster: Cluster) -> None:
    answer = cluster.request("DELETE", f"{CONFIGURATIONS}/{CONFIGURATION_NAME}")
    assert answer.status_code in (200, 404), answer.text


def ensure_namespace(cluster: Cluster, name: str, labels: dict[str, str]) -> None:
    """A namespace with these labels and a default ServiceAccount (no controller makes one)."""
    answer = cluster.request(
        "POST", "/api/v1/namespaces", json={"metadata": {"name": name, "labels": labels}}
    )
    if answer.status_code == 409:
        answer = cluster.request(
            "PATCH",
            f"/api/v1/namespaces/{name}",
            json={"metadata": {"labels": labels}},
            headers={"Content-Type": "application/merge-patch+json"},
        )
    assert answer.status_code in (200, 201), answer.text
    account = cluster.request(
        "POST",
        f"/api/v1/namespaces/{name}/serviceaccounts",
        json={"metadata": {"name": "default"}},
    )
    assert account.status_code in (201, 409), account.text


def pod(name: str, *, privileged: bool = False, **metadata: Any) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "app", "image": "registry.example/app:1.0"}
    if privileged:
        container["securityContext"] = {"privileged": True}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, **metadata},
        "spec": {"containers": [container]},
    }


def deployment(name: str, *, privileged: bool = False) -> dict[str, Any]:
    template = pod(name, privileged=privileged, labels={"app": name})
    del template["apiVersion"], template["kind"], template["metadata"]["name"]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {"selector": {"matchLabels": {"app": name}}, "template": template},
    }


def create(
    cluster: Cluster,
    namespace: str,
    obj: dict[str, Any],
    *,
    dry_run: bool = False,
    headers: dict[str, str] | None = None,
    client: httpx.Client | None = None,
) -> httpx.Response:
    group = obj["apiVersion"]
    resource = obj["kind"].lower() + "s"
    base = "/api/v1" if group == "v1" else f"/apis/{group}"
    path = f"{base}/namespaces/{namespace}/{resource}"
    params = {"dryRun": "All"} if dry_run else {}
    if client is not None:
        return client.post(path, json=obj, params=params, headers=headers)
    with cluster.client() as fresh:
        return fresh.post(path, json=obj, params=params, headers=headers)


def warnings(response: httpx.Response) -> list[str]:
    """The texts of the response's `Warning: 299 - "..."` headers."""
    texts = []
    for value in response.headers.get_list("warning"):
        match = re.fullmatch(r'299 - "(.*)"', value.strip())
        assert match, value
        texts.append(match.group(1).replace('\\"', '"').replace("\\\\", "\\"))
    return texts


def message(response: httpx.Response) -> str:
    return str(response.json().get("message", ""))


def until(
    action: Callable[[], T], done: Callable[[T], bool], seconds: float = 20, what: str = ""
) -> T:
    """Repeat action until done(result) or the time is up; the last result either way."""
    deadline = time.monotonic() + seconds
    result = action()
    while not done(result) and time.monotonic() < deadline:
        time.sleep(0.1)
        result = action()
    assert done(result), f"{what or 'condition'} not reached in {seconds}s: {result!r}"
    return result


def denied_by_podlint(response: httpx.Response) -> bool:
    return response.status_code == 403 and message(response).startswith(DENIED)


def decisions(webhook: WebhookProcess) -> list[dict[str, Any]]:
    """The decision lines of the webhook's log."""
    lines = []
    for line in webhook.log().splitlines():
        if line.startswith("{") and '"decision"' in line:
            lines.append(json.loads(line))
    return lines


def decided(webhook: WebhookProcess, names: Iterable[str]) -> list[dict[str, Any]]:
    wanted = set(names)
    return [line for line in decisions(webhook) if line.get("name") in wanted]


def config_text(config: dict[str, Any]) -> str:
    return json.dumps(config)


def write_config(path: Path, config: dict[str, Any]) -> None:
    path.write_text(config_text(config), encoding="utf-8")
