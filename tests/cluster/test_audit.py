"""`podlint audit` against the real apiserver: what is listed, judged and reported, and how."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from tests.cluster.audit_helpers import (
    PRIVILEGED_TEMPLATE,
    audit,
    bare_pod,
    create,
    deployment_with_replicas,
    kubeconfig,
    namespace,
    owner,
)
from tests.cluster.conftest import Cluster
from tests.conftest import SHARED

PRIVILEGED = "/spec/template/spec/containers/0/securityContext/privileged"


def test_managed_objects_are_reported_once_at_their_controller(cluster: Cluster) -> None:
    ns = namespace(cluster, "audit-owned")
    deployment_with_replicas(cluster, ns, replicas=2)
    bare_pod(cluster, ns, "lonely")

    run = audit(
        cluster, "--namespace", ns, "--select", "pss-privileged,bare-pod", "--format", "json"
    )

    assert run.code == 1, run.stderr  # pss-privileged is an error
    findings = json.loads(run.stdout)["findings"]
    privileged = [f for f in findings if f["rule"] == "pss-privileged"]
    assert [(f["file"], f["pointer"]) for f in privileged] == [
        (f"apps/v1/Deployment/{ns}/web", PRIVILEGED)
    ]
    assert privileged[0]["line"] is None
    assert (privileged[0]["kind"], privileged[0]["namespace"], privileged[0]["name"]) == (
        "Deployment",
        ns,
        "web",
    )
    assert {f["file"] for f in findings} == {
        f"apps/v1/Deployment/{ns}/web",
        f"v1/Pod/{ns}/lonely",
    }
    assert (
        "audited 2 objects in 1 namespace (3 managed objects reported at their controller)"
        in run.stderr
    )


def test_a_pod_whose_controller_is_not_listed_is_audited_itself(cluster: Cluster) -> None:
    ns = namespace(cluster, "audit-orphan")
    deployment_with_replicas(cluster, ns, replicas=1)

    # The selector matches the Deployment and the Pod but not the ReplicaSet between them.
    run = audit(cluster, "-n", ns, "-l", "app=web,!missing", "--format", "json")

    files = {f["file"] for f in json.loads(run.stdout)["findings"]}
    assert files == {f"apps/v1/Deployment/{ns}/web", f"v1/Pod/{ns}/web-5d4f-0"}
    assert "audited 2 objects in 1 namespace: " in run.stderr
    assert "managed" not in run.stderr


def test_lists_are_paginated(cluster: Cluster) -> None:
    ns = namespace(cluster, "audit-pages")
    for index in range(5):
        bare_pod(cluster, ns, f"pod-{index}")
    page = cluster.request("GET", f"/api/v1/namespaces/{ns}/pods", params={"limit": 2}).json()
    assert page["metadata"].get("continue"), "the apiserver paginates at limit=2"

    run = audit(cluster, "-n", ns, "--chunk-size", "2", "--select", "bare-pod", "--format", "json")

    names = sorted(f["name"] for f in json.loads(run.stdout)["findings"])
    assert names == [f"pod-{index}" for index in range(5)]
    assert run.code == 0  # bare-pod is info; --fail-on error


def test_selector_and_policy_options_are_those_of_lint(cluster: Cluster) -> None:
    ns = namespace(cluster, "audit-options")
    bare_pod(cluster, ns, "tagged", labels={"tier": "front"})
    bare_pod(cluster, ns, "other", labels={"tier": "back"})
    create(
        cluster,
        f"/api/v1/namespaces/{ns}/pods",
        {
            "metadata": {"name": "root", "labels": {"tier": "front"}},
            "spec": {
                "containers": [
                    {"name": "app", "image": "nginx:1.27", "securityContext": {"runAsUser": 0}}
                ]
            },
        },
    )

    run = audit(
        cluster,
        "-n",
        ns,
        "-l",
        "tier in (front)",
        "--policy",
        "restricted",
        "--select",
        "pss-*",
        "--ignore",
        "pss-seccomp-*",
        "--fail-on",
        "warning",
        "--format",
        "json",
    )

    findings = json.loads(run.stdout)["findings"]
    assert {f["name"] for f in findings} == {"tagged", "root"}
    assert {f["rule"] for f in findings} == {
        "pss-run-as-non-root",
        "pss-run-as-user",
        "pss-allow-privilege-escalation",
        "pss-capabilities-restricted",
    }
    assert any(
        f["rule"] == "pss-run-as-user"
        and f["pointer"] == "/spec/containers/0/securityContext/runAsUser"
        for f in findings
    )
    assert run.code == 1


def test_values_the_apiserver_defaulted_are_not_findings(cluster: Cluster) -> None:
    ns = namespace(cluster, "audit-defaults")
    bare_pod(cluster, ns, "plain")
    stored = cluster.request("GET", f"/api/v1/namespaces/{ns}/pods/plain").json()
    assert stored["spec"]["containers"][0]["terminationMessagePath"] == "/dev/termination-log"
    assert any(v["name"].startswith("kube-api-access-") for v in stored["spec"]["volumes"])

    run = audit(cluster, "-n", ns, "--policy", "restricted", "--format", "json")

    pointers = [f["pointer"] for f in json.loads(run.stdout)["findings"]]
    assert pointers
    assert not [p for p in pointers if "/volumes" in p or "terminationMessage" in p], pointers
    assert "/spec/serviceAccountName" not in pointers


def test_the_ignore_annotation_suppresses_as_in_lint(cluster: Cluster) -> None:
    ns = namespace(cluster, "audit-ignore")
    create(
        cluster,
        f"/api/v1/namespaces/{ns}/pods",
        {
            "metadata": {
                "name": "accepted",
                "annotations": {"podlint.io/ignore": "bare-pod -- a one-off debug Pod"},
            },
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
        },
    )

    run = audit(cluster, "-n", ns, "--select", "bare-pod", "--format", "json")

    assert json.loads(run.stdout)["findings"] == []
    assert "no findings" in run.stderr


def test_strict_refuses_the_annotation_for_errors(cluster: Cluster) -> None:
    ns = namespace(cluster, "audit-strict")
    create(
        cluster,
        f"/api/v1/namespaces/{ns}/pods",
        {
            "metadata": {
                "name": "debug",
                "annotations": {"podlint.io/ignore": "pss-privileged -- node debugging"},
            },
            "spec": PRIVILEGED_TEMPLATE["spec"],
        },
    )

    lenient = audit(cluster, "-n", ns, "--select", "pss-privileged", "--format", "json")
    strict = audit(cluster, "-n", ns, "--select", "pss-privileged", "--strict", "--format", "json")

    assert (lenient.code, json.loads(lenient.stdout)["findings"]) == (0, [])
    assert strict.code == 1
    assert [f["rule"] for f in json.loads(strict.stdout)["findings"]] == ["pss-privileged"]


@pytest.fixture(scope="module")
def audited_namespace(cluster: Cluster) -> str:
    ns = namespace(cluster, "audit-formats")
    deployment_with_replicas(cluster, ns, replicas=1)
    return ns


def test_text_output_names_the_object_and_the_pointer(
    cluster: Cluster, audited_namespace: str
) -> None:
    run = audit(cluster, "-n", audited_namespace)

    line = next(x for x in run.stdout.splitlines() if "[pss-privileged]" in x)
    assert line.startswith(f"apps/v1/Deployment/{audited_namespace}/web:{PRIVILEGED}: error: ")


def test_sarif_output_validates_and_names_the_object(
    cluster: Cluster, audited_namespace: str
) -> None:
    run = audit(cluster, "-n", audited_namespace, "--format", "sarif")

    log = json.loads(run.stdout)
    schema = json.loads((SHARED / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(log, schema)
    result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "pss-privileged")
    logical = result["locations"][0]["logicalLocations"][0]
    assert logical["fullyQualifiedName"] == f"Deployment {audited_namespace}/web{PRIVILEGED}"


def test_junit_output_has_a_case_per_object(cluster: Cluster, audited_namespace: str) -> None:
    run = audit(cluster, "-n", audited_namespace, "--format", "junit")

    root = ET.fromstring(run.stdout)
    cases = root.findall(".//testcase")
    assert [c.get("name") for c in cases] == [f"Deployment {audited_namespace}/web"]
    failures = [f.get("type") for f in cases[0].findall("failure")]
    assert "error:pss-privileged" in failures


def test_github_and_gitlab_outputs_carry_the_pointer(
    cluster: Cluster, audited_namespace: str
) -> None:
    github = audit(cluster, "-n", audited_namespace, "--format", "github")
    line = next(x for x in github.stdout.splitlines() if "pss-privileged" in x)
    assert line.startswith(f"::error file=apps/v1/Deployment/{audited_namespace}/web,")
    assert f"::{PRIVILEGED}: " in line

    gitlab = audit(cluster, "-n", audited_namespace, "--format", "gitlab")
    issue = next(i for i in json.loads(gitlab.stdout) if i["check_name"] == "pss-privileged")
    assert issue["location"]["path"] == f"apps/v1/Deployment/{audited_namespace}/web"


def test_output_file(cluster: Cluster, audited_namespace: str, tmp_path: Path) -> None:
    report = tmp_path / "audit.json"

    run = audit(cluster, "-n", audited_namespace, "--format", "json", "--output", str(report))

    assert run.stdout == ""
    assert json.loads(report.read_text())["summary"]["files"] == 1


def test_kubeconfig_problems_are_named(cluster: Cluster, tmp_path: Path) -> None:
    missing = audit(cluster, "--kubeconfig", str(tmp_path / "nope"))
    assert missing.code == 2
    assert str(tmp_path / "nope") in missing.stderr

    context = audit(cluster, "--context", "elsewhere")
    assert context.code == 2
    assert "elsewhere" in context.stderr and "not found" in context.stderr

    garbage = tmp_path / "garbage"
    garbage.write_text("clusters: 3\n")
    broken = audit(cluster, "--kubeconfig", str(garbage))
    assert broken.code == 2
    assert str(garbage) in broken.stderr


def test_an_unreachable_server_is_named(cluster: Cluster, tmp_path: Path) -> None:
    config = kubeconfig(cluster, tmp_path, cluster.token)
    config.write_text(config.read_text().replace(cluster.url, "https://127.0.0.1:9"))

    run = audit(cluster, config=config)

    assert run.code == 2
    assert "cannot reach the API server at https://127.0.0.1:9" in run.stderr


def test_a_bad_selector_is_named_before_any_request(cluster: Cluster) -> None:
    run = audit(cluster, "-l", "app=web!", "--kubeconfig", "/nonexistent")

    assert run.code == 2
    assert "'web!' is not a label value" in run.stderr and "--selector" in run.stderr


SELECTORS = [
    "tier=front",
    "tier==front",
    "tier!=front",
    "tier in (front,back)",
    "tier notin (front)",
    "tier",
    "!tier",
    "tier,app=shop",
    "example.com/team=a-b_c.d",
    "tier=",
    "tier!=front,tier!=back",
]


def test_selectors_select_what_the_apiserver_selects(cluster: Cluster) -> None:
    ns = namespace(cluster, "audit-selectors")
    labelled = {
        "front": {"tier": "front", "app": "shop"},
        "back": {"tier": "back"},
        "empty": {"tier": ""},
        "team": {"example.com/team": "a-b_c.d"},
        "none": {},
    }
    for name, labels in labelled.items():
        bare_pod(cluster, ns, name, labels=labels)

    for selector in SELECTORS:
        listed = cluster.request(
            "GET", f"/api/v1/namespaces/{ns}/pods", params={"labelSelector": selector}
        )
        assert listed.status_code == 200, (selector, listed.text)
        expected = {item["metadata"]["name"] for item in listed.json()["items"]}
        run = audit(cluster, "-n", ns, "-l", selector, "--select", "bare-pod", "--format", "json")
        audited = {f["name"] for f in json.loads(run.stdout)["findings"]}
        assert audited == expected, selector


@pytest.mark.parametrize("selector", ["tier=front!", "tier in front", "-tier", "tier=a b"])
def test_selectors_the_apiserver_refuses_are_refused(cluster: Cluster, selector: str) -> None:
    listed = cluster.request("GET", "/api/v1/pods", params={"labelSelector": selector})
    assert listed.status_code == 400, (selector, listed.text)

    run = audit(cluster, "-l", selector)

    assert run.code == 2
    assert "--selector" in run.stderr and "label selector" in run.stderr


def test_jobs_and_their_pods_are_reported_at_the_cronjob(cluster: Cluster) -> None:
    ns = namespace(cluster, "audit-cron")
    template = {"spec": {**PRIVILEGED_TEMPLATE["spec"], "restartPolicy": "Never"}}
    cron = create(
        cluster,
        f"/apis/batch/v1/namespaces/{ns}/cronjobs",
        {
            "metadata": {"name": "nightly"},
            "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": template}}},
        },
    )
    job = create(
        cluster,
        f"/apis/batch/v1/namespaces/{ns}/jobs",
        {
            "metadata": {"name": "nightly-29001", "ownerReferences": owner(cron)},
            "spec": {"template": template},
        },
    )
    create(
        cluster,
        f"/api/v1/namespaces/{ns}/pods",
        {
            "metadata": {
                "name": "nightly-29001-x7k2p",
                "labels": job["spec"]["template"]["metadata"]["labels"],
                "ownerReferences": owner(job),
            },
            "spec": template["spec"],
        },
    )

    run = audit(cluster, "-n", ns, "--select", "pss-privileged", "--format", "json")

    findings = json.loads(run.stdout)["findings"]
    assert [(f["kind"], f["name"], f["pointer"]) for f in findings] == [
        (
            "CronJob",
            "nightly",
            "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/privileged",
        )
    ]
    assert "(2 managed objects reported at their controller)" in run.stderr


def test_kubeconfig_is_the_first_existing_file_of_the_kubeconfig_list(
    cluster: Cluster, tmp_path: Path
) -> None:
    ns = namespace(cluster, "audit-list")
    bare_pod(cluster, ns, "lonely")
    listed = Path(f"{tmp_path / 'missing'}:{cluster.kubeconfig}")

    run = audit(cluster, "-n", ns, "--select", "bare-pod", "--format", "json", config=listed)

    assert [f["name"] for f in json.loads(run.stdout)["findings"]] == ["lonely"]


IN_CLUSTER = """\
import sys
from pathlib import Path
import podlint.audit.cluster as cluster
cluster.SERVICE_ACCOUNT = Path(sys.argv[1])  # where the kubelet mounts it in a Pod
from podlint.cli import main
sys.exit(main(["audit", *sys.argv[2:]]))
"""


def test_in_a_pod_the_service_account_is_used(cluster: Cluster, tmp_path: Path) -> None:
    ns = namespace(cluster, "audit-incluster")
    bare_pod(cluster, ns, "lonely")
    account = tmp_path / "serviceaccount"
    account.mkdir()
    (account / "token").write_text(cluster.token)
    (account / "ca.crt").write_bytes(cluster.ca_file.read_bytes())
    (account / "namespace").write_text(ns)
    host, port = cluster.url.removeprefix("https://").rsplit(":", 1)
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env.update(HOME=str(tmp_path), KUBERNETES_SERVICE_HOST=host, KUBERNETES_SERVICE_PORT=port)
    args = ["-n", ns, "--select", "bare-pod", "--format", "json"]

    done = subprocess.run(
        [sys.executable, "-c", IN_CLUSTER, str(account), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert [f["name"] for f in json.loads(done.stdout)["findings"]] == ["lonely"]

    (account / "token").unlink()
    nothing = subprocess.run(
        [sys.executable, "-c", IN_CLUSTER, str(account), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert nothing.returncode == 2
    assert "no kubeconfig: give --kubeconfig FILE, set KUBECONFIG" in nothing.stderr


def test_judged_for_the_clusters_version_unless_told(cluster: Cluster) -> None:
    version = cluster.request("GET", "/version").json()
    running = f"{version['major']}.{version['minor']}"
    ns = namespace(cluster, "audit-version")
    create(
        cluster,
        f"/api/v1/namespaces/{ns}/pods",
        {
            "metadata": {"name": "with-sidecar"},
            "spec": {
                "initContainers": [
                    {"name": "proxy", "image": "envoy:1.31", "restartPolicy": "Always"}
                ],
                "containers": [{"name": "app", "image": "nginx:1.27"}],
            },
        },
    )
    args = ["-n", ns, "--select", "sidecar-unsupported-version", "--format", "json"]

    default = audit(cluster, *args)
    older = audit(cluster, *args, "--kubernetes-version", "1.28")

    assert f"(judged for Kubernetes {running})" in default.stderr
    assert json.loads(default.stdout)["findings"] == []
    assert "(judged for Kubernetes 1.28)" in older.stderr
    assert [f["pointer"] for f in json.loads(older.stdout)["findings"]] == [
        "/spec/initContainers/0/restartPolicy"
    ]
