from __future__ import annotations

from tests.cluster.conftest import Cluster


def test_the_apiserver_answers_a_dry_run_create(cluster: Cluster) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "smoke", "namespace": "default"},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
    }
    answer = cluster.request(
        "POST",
        "/api/v1/namespaces/default/pods",
        params={"dryRun": "All", "fieldValidation": "Strict"},
        json=pod,
    )
    # No ServiceAccount "default" exists (no controller-manager), so the ServiceAccount
    # admission plugin refuses; the point here is that the real apiserver answered.
    assert answer.status_code in (201, 403), answer.text
    assert answer.json()["kind"] in ("Pod", "Status")
