"""The shipped policies, one finding per root cause under them, and the concise and statistics
outputs with their summary line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from podlint.cli import cli
from podlint.policy import policy_layers, resolve_settings
from podlint.registry import default_registry

REGISTRY = default_registry()

NOTHING_SET = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: registry.example.com/web:1.4.2
        ports:
        - {name: http, containerPort: 8080}
        readinessProbe:
          httpGet: {path: /ready, port: http}
"""

REMOVED_API = """\
apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: job
            image: busybox:1.36
"""

MIXED = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:latest
    securityContext:
      privileged: true
  - name: side
    image: nginx:latest
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"})
    return result.exit_code, result.output


def settings(policy: str) -> dict[str, str]:
    resolved = resolve_settings(policy_layers(policy, REGISTRY.policies), REGISTRY.rules)
    return {rule_id: setting.severity.value for rule_id, setting in resolved.items()}


def test_policies_nest() -> None:
    default, recommended = settings("default"), settings("recommended")
    restricted, hardened = settings("restricted"), settings("hardened")
    assert default.items() <= recommended.items()
    assert default.items() <= restricted.items()
    assert recommended.items() <= hardened.items()
    assert restricted.items() <= hardened.items()
    assert {"missing-resources", "missing-readiness-probe", "qos-best-effort"} <= set(recommended)
    assert not {"missing-resources", "missing-readiness-probe", "qos-best-effort"} & set(default)


def test_default_holds_everything_the_cluster_refuses() -> None:
    default = settings("default")
    refused = [
        rule.id
        for rule in REGISTRY.rules.values()
        if rule.id.startswith(("api-", "immutable-", "duplicate-"))
        or rule.id in ("schema", "missing-image", "removed-api-version", "yaml-syntax")
    ]
    assert refused and all(default.get(rule_id) == "error" for rule_id in refused)
    baseline = [r for r in REGISTRY.rules if r.startswith("pss-")]
    assert set(settings("baseline")) & set(baseline) <= set(default)


def test_rules_table_names_the_policies_of_each_rule() -> None:
    code, output = run("rules")
    assert code == 0
    header, *rows = output.splitlines()
    columns = header.split()
    assert columns[-2:] == ["POLICIES", "SUMMARY"]
    at = columns.index("POLICIES")
    by_id = {row.split()[0]: row.split() for row in rows}
    assert by_id["latest-image-tag"][at] == "default,baseline,restricted,recommended,hardened"
    assert by_id["missing-resources"][at] == "recommended,hardened"
    assert by_id["read-only-root-filesystem"][at] == "hardened"
    assert by_id["cpu-limit"][at : at + 3] == ["-", "(opt-in:", "--select)"]


def test_a_container_that_sets_nothing_gets_one_finding(tmp_path: Path) -> None:
    path = tmp_path / "web.yaml"
    path.write_text(NOTHING_SET)
    code, output = run("lint", "--policy", "recommended", "--format", "json", str(path))
    findings = json.loads(output)["findings"]
    assert [f["rule"] for f in findings] == ["missing-resources"]
    message = findings[0]["message"]
    assert "requests.cpu, requests.memory and limits.memory" in message
    assert "BestEffort" in message
    assert code == 0  # a warning


def test_a_removed_api_is_reported_once(tmp_path: Path) -> None:
    path = tmp_path / "cron.yaml"
    path.write_text(REMOVED_API)
    code, output = run("lint", "--format", "json", str(path))
    assert [f["rule"] for f in json.loads(output)["findings"]] == ["removed-api-version"]
    assert code == 1


def test_concise_is_one_line_per_finding_then_the_summary(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(MIXED)
    code, output = run("lint", "--format", "concise", str(path))
    assert code == 1
    assert output.splitlines() == [
        f'{path}:8:12: warning: container "web": image "nginx:latest" uses the mutable '
        '":latest" tag; pin a version or a digest [latest-image-tag]',
        f'{path}:10:19: error: privileged (container "web" must not set '
        "securityContext.privileged=true) [pss-privileged]",
        f'{path}:12:12: warning: container "side": image "nginx:latest" uses the mutable '
        '":latest" tag; pin a version or a digest [latest-image-tag]',
        "default policy: found 1 error, 2 warnings in 1 file (1 document); "
        "`--policy recommended` for resources and probes, `--statistics` for counts per rule",
    ]
    quiet_code, quiet = run("lint", "--format", "concise", "--quiet", str(path))
    assert quiet_code == 1 and quiet.splitlines() == output.splitlines()[:-1]
    _, github = run("lint", "--format", "github", str(path))
    assert github.splitlines()[-1] == "podlint: 1 error, 2 warnings, 0 infos in 1 file (1 document)"


def test_statistics_counts_per_rule(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(MIXED + "---\n" + REMOVED_API)
    code, output = run("lint", "--statistics", str(path))
    assert code == 1
    lines = output.splitlines()
    rows = [line.split(None, 2) for line in lines[:3]]
    assert rows[0] == ["2", "latest-image-tag", REGISTRY.rules["latest-image-tag"].summary]
    # [*]: --fix fixes it (its card calls the fix safe); privileged: false is unsafe
    assert rows[1] == ["1", "pss-privileged", REGISTRY.rules["pss-privileged"].summary]
    assert rows[2] == [
        "1",
        "removed-api-version",
        "[*] " + REGISTRY.rules["removed-api-version"].summary,
    ]
    assert lines[3] == (
        "default policy: found 2 errors, 2 warnings in 1 file (2 documents); "
        "`--policy recommended` for resources and probes"
    )
    assert len(lines) == 4
    _, quiet = run("lint", "--statistics", "--quiet", str(path))
    assert quiet.splitlines() == lines[:3]


def test_statistics_beside_a_report_in_a_file(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(MIXED)
    report = tmp_path / "report.json"
    code, output = run(
        "lint", "--statistics", "--format", "json", "--output", str(report), str(path)
    )
    assert code == 1
    assert len(json.loads(report.read_text())["findings"]) == 3
    assert output.splitlines()[0].split()[:2] == ["2", "latest-image-tag"]
    code, output = run("lint", "--statistics", "--format", "json", str(path))
    assert code == 2 and "--statistics replaces the text report" in output


@pytest.mark.parametrize(
    ("policy", "hint"),
    [
        ("recommended", "`--policy hardened` for security hardening"),
        ("hardened", None),
    ],
)
def test_summary_names_the_policy_and_what_more_there_is(
    tmp_path: Path, policy: str, hint: str | None
) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(MIXED)
    _, output = run("lint", "--policy", policy, "--format", "concise", str(path))
    last = output.splitlines()[-1]
    assert last.startswith(f"{policy} policy: found ")
    assert (hint in last) if hint else ("--policy" not in last)


def test_summary_names_the_policy_a_configuration_extends(tmp_path: Path) -> None:
    (tmp_path / ".podlint.yaml").write_text("extends: restricted\n")
    path = tmp_path / "pod.yaml"
    path.write_text(NOTHING_SET)
    _, output = run("lint", str(path))
    assert output.splitlines()[-1].startswith("restricted policy: found ")


SERVED = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: with-ports
        image: registry.example.com/api:1.4.2
        ports:
        - containerPort: 8080
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {memory: 64Mi}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  selector:
    matchLabels: {app: worker}
  template:
    metadata:
      labels: {app: worker, tier: back}
    spec:
      containers:
      - name: no-ports
        image: registry.example.com/worker:1.4.2
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {memory: 64Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - {port: 80, targetPort: 8080}
---
apiVersion: v1
kind: Service
metadata:
  name: back
spec:
  selector: {tier: back}
  ports:
  - {port: 80, targetPort: 8080}
"""


def test_a_served_pod_without_readiness_gets_one_finding(tmp_path: Path) -> None:
    path = tmp_path / "web.yaml"
    path.write_text(SERVED)
    code, output = run("lint", "--policy", "recommended", "--format", "json", str(path))
    found = sorted((f["rule"], f["message"]) for f in json.loads(output)["findings"])
    assert [rule for rule, _ in found] == [
        "missing-readiness-probe",
        "service-target-missing-readiness",
    ]
    assert found[0][1].startswith('container "with-ports" declares ports')
    assert "no container there declares a port" in found[1][1]
    assert code == 0
