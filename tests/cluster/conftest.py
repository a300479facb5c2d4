"""The cluster tier: a real kube-apiserver (v1.35, ../shared/kube-apiserver) on loopback.

One control plane per test worker, started once and stopped at the end of the session.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import SHARED

APISERVER_DIR = SHARED / "kube-apiserver"


@dataclass(frozen=True)
class Cluster:
    url: str
    ca_file: Path
    token: str
    limited_token: str
    kubeconfig: Path
    state: Path

    def client(self, *, token: str | None = None, timeout: float = 30.0) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            verify=ssl.create_default_context(cafile=str(self.ca_file)),
            headers={"Authorization": f"Bearer {token or self.token}"},
            timeout=timeout,
        )

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with self.client() as client:
            return client.request(method, path, **kwargs)


def start_cluster(state: Path) -> Cluster:
    if shutil.which("etcd") is None:
        pytest.fail("the cluster tier needs etcd on PATH (apt-get install -y etcd-server)")
    done = subprocess.run(
        [str(APISERVER_DIR / "start.sh"), str(state)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"kube-apiserver did not start:\n{done.stdout}\n{done.stderr}")
    env = dict(
        line.split("=", 1) for line in (state / "env").read_text().splitlines() if "=" in line
    )
    return Cluster(
        url=env["KUBE_APISERVER_URL"],
        ca_file=Path(env["KUBE_CA_FILE"]),
        token=Path(env["KUBE_TOKEN_FILE"]).read_text().strip(),
        limited_token=Path(env["KUBE_LIMITED_TOKEN_FILE"]).read_text().strip(),
        kubeconfig=Path(env["KUBECONFIG"]),
        state=state,
    )


def stop_cluster(state: Path) -> None:
    subprocess.run(
        [str(APISERVER_DIR / "stop.sh"), str(state)], capture_output=True, timeout=60, check=False
    )


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    state = tmp_path_factory.mktemp("kube-apiserver")
    running = start_cluster(state)
    try:
        yield running
    finally:
        stop_cluster(state)


@pytest.fixture(scope="session")
def parity_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A control plane of its own for the apiserver parity tests, which create namespaces,
    ServiceAccounts, PriorityClasses, RuntimeClasses and a CRD that other tests (a cluster
    audit) would otherwise see."""
    state = tmp_path_factory.mktemp("kube-apiserver-parity")
    running = start_cluster(state)
    try:
        yield running
    finally:
        stop_cluster(state)
