"""Cost of `podlint audit` against the real kube-apiserver in ../shared/kube-apiserver.

Starts a private apiserver (etcd must be on PATH), creates N Deployments in one namespace,
each with a ReplicaSet and two Pods owned as the controllers would own them, then times,
interleaved and best of N: the bare listing of the same objects (one HTTP client, the same
page size, JSON decoded), and whole `podlint audit` processes (default policy, JSON out).

    python bench/bench_audit.py --deployments 500 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
APISERVER = ROOT.parent / "shared" / "kube-apiserver"
RESOURCES = (
    "/api/v1/namespaces/{ns}/pods",
    "/api/v1/namespaces/{ns}/podtemplates",
    "/api/v1/namespaces/{ns}/replicationcontrollers",
    "/apis/apps/v1/namespaces/{ns}/replicasets",
    "/apis/apps/v1/namespaces/{ns}/deployments",
    "/apis/apps/v1/namespaces/{ns}/statefulsets",
    "/apis/apps/v1/namespaces/{ns}/daemonsets",
    "/apis/batch/v1/namespaces/{ns}/jobs",
    "/apis/batch/v1/namespaces/{ns}/cronjobs",
)
TEMPLATE: dict[str, Any] = {
    "metadata": {"labels": {"app": "web"}},
    "spec": {
        "containers": [
            {
                "name": "app",
                "image": "registry.example/web:1.4.2",
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
            }
        ]
    },
}


def populate(client: httpx.Client, ns: str, deployments: int) -> int:
    client.post("/api/v1/namespaces", json={"metadata": {"name": ns}}).raise_for_status()
    client.post(
        f"/api/v1/namespaces/{ns}/serviceaccounts", json={"metadata": {"name": "default"}}
    ).raise_for_status()
    selector = {"matchLabels": {"app": "web"}}
    for index in range(deployments):
        deployment = client.post(
            f"/apis/apps/v1/namespaces/{ns}/deployments",
            json={
                "metadata": {"name": f"web-{index}"},
                "spec": {"selector": selector, "template": TEMPLATE},
            },
        ).json()
        owner = [
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": deployment["metadata"]["name"],
                "uid": deployment["metadata"]["uid"],
                "controller": True,
            }
        ]
        replica_set = client.post(
            f"/apis/apps/v1/namespaces/{ns}/replicasets",
            json={
                "metadata": {"name": f"web-{index}-1", "ownerReferences": owner},
                "spec": {"selector": selector, "template": TEMPLATE},
            },
        ).json()
        pod_owner = [{**owner[0], "kind": "ReplicaSet", "name": replica_set["metadata"]["name"]}]
        pod_owner[0]["uid"] = replica_set["metadata"]["uid"]
        for replica in range(2):
            client.post(
                f"/api/v1/namespaces/{ns}/pods",
                json={
                    "metadata": {
                        "name": f"web-{index}-1-{replica}",
                        "labels": {"app": "web"},
                        "ownerReferences": pod_owner,
                    },
                    "spec": TEMPLATE["spec"],
                },
            ).raise_for_status()
    return deployments * 4


def bare_list(client: httpx.Client, ns: str, limit: int) -> int:
    count = 0
    for path in RESOURCES:
        params: dict[str, Any] = {"limit": limit}
        while True:
            page = client.get(path.format(ns=ns), params=params).json()
            count += len(page["items"])
            token = page["metadata"].get("continue")
            if not token:
                break
            params["continue"] = token
    return count


def audit(kubeconfig: Path, ns: str) -> tuple[float, str]:
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "podlint", "audit", "-n", ns, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    return elapsed, done.stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deployments", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as state:
        subprocess.run([str(APISERVER / "start.sh"), state], check=True, capture_output=True)
        try:
            env = dict(
                line.split("=", 1)
                for line in (Path(state) / "env").read_text().splitlines()
                if "=" in line
            )
            token = Path(env["KUBE_TOKEN_FILE"]).read_text().strip()
            client = httpx.Client(
                base_url=env["KUBE_APISERVER_URL"],
                verify=ssl.create_default_context(cafile=env["KUBE_CA_FILE"]),
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            )
            start = time.perf_counter()
            objects = populate(client, "bench", args.deployments)
            print(f"created {objects} objects in {time.perf_counter() - start:.1f} s")
            listing, whole = [], []
            summary = ""
            for _ in range(args.repeat):
                start = time.perf_counter()
                listed = bare_list(client, "bench", 500)
                listing.append(time.perf_counter() - start)
                elapsed, summary = audit(Path(env["KUBECONFIG"]), "bench")
                whole.append(elapsed)
            assert listed == objects, (listed, objects)
            best_list, best_audit = min(listing), min(whole)
            print(summary)
            print(f"bare list (httpx, limit 500): {best_list:.2f} s (best of {args.repeat})")
            whole_note = f"best of {args.repeat}, whole process"
            print(f"podlint audit:                {best_audit:.2f} s ({whole_note})")
            print(f"ratio audit/list: {best_audit / best_list:.1f}x")
            print(f"throughput: {objects / best_audit:,.0f} objects/s (listed and judged)")
        finally:
            subprocess.run([str(APISERVER / "stop.sh"), state], check=False, capture_output=True)


if __name__ == "__main__":
    main()
