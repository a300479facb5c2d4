"""The Python API (podlint.lint_text, lint_paths, check_update, review, evaluate_pss).

Its findings are the command line's JSON report, field for field; the comparison runs the
real CLI on the same input.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import podlint
from podlint.cli import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ADMISSION = Path(__file__).resolve().parent / "data" / "admission"

SIDECAR_JOB = """\
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      restartPolicy: Never
      initContainers:
        - name: proxy
          image: envoy:1.31
          restartPolicy: Always
      containers:
        - name: migrate
          image: app:1.0
"""

PRIVILEGED_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext: {privileged: true}
"""


def cli_findings(*args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, ["lint", "--format", "json", "--quiet", *args])
    assert result.exit_code in (0, 1), result.output
    findings: list[dict[str, Any]] = json.loads(result.output)["findings"]
    return findings


def capture(name: str) -> dict[str, Any]:
    request: dict[str, Any] = json.loads((ADMISSION / name).read_text(encoding="utf-8"))
    return request


@pytest.mark.parametrize("path", sorted((EXAMPLES / "bad").glob("*.yaml")), ids=lambda p: p.name)
def test_lint_text_gives_the_json_report(path: Path) -> None:
    findings = podlint.lint_text(path.read_text(encoding="utf-8"), filename=str(path))
    assert findings
    assert [f.to_dict() for f in findings] == cli_findings("--no-config", str(path))


def test_lint_paths_gives_the_json_report_for_a_tree() -> None:
    findings = podlint.lint_paths([EXAMPLES], policy="restricted")
    expected = cli_findings("--policy", "restricted", str(EXAMPLES))
    assert [f.to_dict() for f in findings] == expected
    assert {f.file for f in findings} == {
        str(EXAMPLES / "bad" / "pod-mistakes.yaml"),
        str(EXAMPLES / "bad" / "broken.yaml"),
    }
    assert podlint.lint_paths(str(EXAMPLES / "good" / "web-deployment.yaml")) == []


def test_finding_fields() -> None:
    [finding] = podlint.lint_text(PRIVILEGED_POD, filename="pod.yaml", select=["pss-privileged"])
    assert finding == podlint.LintFinding(
        rule="pss-privileged",
        severity=finding.severity,
        message='privileged (container "app" must not set securityContext.privileged=true)',
        file="pod.yaml",
        line=8,
        column=37,
        end_line=8,
        end_column=41,
        pointer="/spec/containers/0/securityContext/privileged",
        document=0,
        kind="Pod",
        namespace=None,
        name="web",
    )
    assert finding.severity == "error"
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.rule = "other"  # type: ignore[misc]


def test_policy_version_and_selection_change_the_answer() -> None:
    rules = {f.rule for f in podlint.lint_text(SIDECAR_JOB, kubernetes_version="1.28")}
    assert "sidecar-unsupported-version" in rules
    newer = {f.rule for f in podlint.lint_text(SIDECAR_JOB, kubernetes_version="1.29")}
    assert "sidecar-unsupported-version" not in newer
    default = {f.rule for f in podlint.lint_text(PRIVILEGED_POD)}
    assert "pss-privileged" in default
    assert "pss-run-as-non-root" not in default
    restricted = {f.rule for f in podlint.lint_text(PRIVILEGED_POD, policy="restricted")}
    assert "pss-run-as-non-root" in restricted
    ignored = podlint.lint_text(PRIVILEGED_POD, policy="restricted", ignore=["pss-*"])
    assert not any(f.rule.startswith("pss-") for f in ignored)


def test_configuration_files(tmp_path: Path) -> None:
    (tmp_path / ".podlint.yaml").write_text("rules:\n  pss-privileged: off\n")
    (tmp_path / "pod.yaml").write_text(PRIVILEGED_POD)
    configured = {f.rule for f in podlint.lint_paths([tmp_path])}
    assert "pss-privileged" not in configured
    plain = {f.rule for f in podlint.lint_paths([tmp_path], use_config=False)}
    assert "pss-privileged" in plain
    # lint_text reads configuration only when asked, from beside its filename.
    text_rules = {f.rule for f in podlint.lint_text(PRIVILEGED_POD)}
    assert "pss-privileged" in text_rules
    asked = podlint.lint_text(
        PRIVILEGED_POD, filename=str(tmp_path / "other.yaml"), use_config=True
    )
    assert "pss-privileged" not in {f.rule for f in asked}


def test_manifest_mistakes_are_findings_and_bad_arguments_raise(tmp_path: Path) -> None:
    [broken] = podlint.lint_text("kind: Pod\nmetadata: [\n", filename="broken.yaml")
    assert (broken.rule, broken.file, broken.line) == ("yaml-syntax", "broken.yaml", 2)
    with pytest.raises(podlint.LintError, match=r"unknown policy 'nope'.*restricted"):
        podlint.lint_text(PRIVILEGED_POD, policy="nope")
    with pytest.raises(podlint.LintError, match=r"supported are 1\.25 to"):
        podlint.lint_text(PRIVILEGED_POD, kubernetes_version="1.99")
    with pytest.raises(podlint.LintError, match=r"missing\.yaml: no such file"):
        podlint.lint_paths([tmp_path / "missing.yaml"])
    with pytest.raises(podlint.LintError, match="list of rule selectors"):
        podlint.lint_text(PRIVILEGED_POD, select="pss-*")  # type: ignore[arg-type]
    with pytest.raises(podlint.LintError, match="lint_text"):
        podlint.lint_paths(["-"])
    (tmp_path / ".podlint.yaml").write_text("rules: {no-such-rule: error}\n")
    (tmp_path / "pod.yaml").write_text(PRIVILEGED_POD)
    with pytest.raises(podlint.LintError, match=r"\.podlint\.yaml:1:.*no-such-rule"):
        podlint.lint_paths([tmp_path])


def test_check_update_on_a_real_capture() -> None:
    request = capture("kw-deployment-update.json")
    assert podlint.check_update(request["oldObject"], request["object"]) == []
    new = json.loads(json.dumps(request["object"]))
    new["spec"]["selector"]["matchLabels"]["extra"] = "x"
    [finding] = podlint.check_update(request["oldObject"], new, kubernetes_version="1.30")
    assert finding.rule == "immutable-selector"
    assert finding.severity == "error"
    assert finding.pointer.startswith("/spec/selector")
    assert (finding.file, finding.line) == ("", None)
    with pytest.raises(podlint.LintError, match="old must be a mapping"):
        podlint.check_update(None, new)  # type: ignore[arg-type]


def test_review_answers_an_admission_review() -> None:
    request = capture("kw-pod-create-privileged-init-container.json")
    review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}
    response = podlint.review(review)["response"]
    assert response["uid"] == request["uid"]
    assert response["allowed"] is False
    assert "securityContext.privileged" in response["status"]["message"]
    allowed = podlint.review({**review, "request": capture("ky-pod-create.json")})["response"]
    assert allowed["allowed"] is True
    with pytest.raises(podlint.LintError, match="kind 'Pod'"):
        podlint.review({"apiVersion": "admission.k8s.io/v1", "kind": "Pod"})


def test_evaluate_pss() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web"},
        "spec": {
            "hostNetwork": True,
            "containers": [{"name": "app", "image": "nginx", "ports": [{"containerPort": 8080}]}],
        },
    }
    verdict = podlint.evaluate_pss(pod, level="baseline")
    assert not verdict.allowed
    assert verdict.message == (
        'violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), '
        'hostPort (container "app" uses hostPort 8080)'
    )
    assert [v.pointers for v in verdict.violations] == [
        ("/spec/hostNetwork",),
        ("/spec/containers/0/ports/0/containerPort",),  # hostPort defaults to it
    ]
    del pod["spec"]["hostNetwork"]  # type: ignore[attr-defined]
    assert podlint.evaluate_pss(pod, level="baseline").allowed
    restricted = podlint.evaluate_pss(pod, level="restricted", version="v1.30")
    assert restricted.version == "v1.30"
    assert {v.check for v in restricted.violations} >= {"runAsNonRoot", "seccompProfile_restricted"}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "spec": {"template": {"metadata": {}, "spec": {"hostPID": True, "containers": []}}},
    }
    [violation] = podlint.evaluate_pss(deployment, level="baseline").violations
    assert violation.pointers == ("/spec/template/spec/hostPID",)
    with pytest.raises(podlint.LintError, match="expected baseline or restricted"):
        podlint.evaluate_pss(pod, level="privileged-ish")
    with pytest.raises(podlint.LintError, match="invalid Pod Security Standards version"):
        podlint.evaluate_pss(pod, version="2.0")
    with pytest.raises(podlint.LintError, match="carries no pod spec"):
        podlint.evaluate_pss({"kind": "Service"})


LAZY_PROBE = """\
import sys
import podlint
before = sorted(m for m in sys.modules if m.startswith("podlint."))
podlint.lint_text("kind: Pod\\n")
heavy = [m for m in ("pygls", "uvicorn", "starlette", "cryptography") if m in sys.modules]
print(before, heavy, "lint_text" in dir(podlint))
"""


def test_import_is_lazy_and_the_api_needs_no_front_door_stack() -> None:
    result = subprocess.run(
        [sys.executable, "-c", LAZY_PROBE], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[] [] True"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        podlint.nope  # type: ignore[attr-defined]  # noqa: B018


def test_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python API") :]
    start = section.index("```python\n") + len("```python\n")
    example = section[start : section.index("\n```", start)]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pod.yaml").write_text(PRIVILEGED_POD)
    (tmp_path / "k8s").mkdir()
    request = capture("kw-deployment-update.json")
    namespace: dict[str, Any] = {
        "old_object": request["oldObject"],
        "new_object": request["object"],
        "admission_review": {
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": request,
        },
        "pod": {"kind": "Pod", "spec": {"containers": [{"name": "a", "image": "nginx"}]}},
    }
    exec(compile(example, "README.md", "exec"), namespace)
    assert namespace["findings"]
    assert namespace["verdict"].allowed is False
    assert namespace["verdict"].message.startswith('violates PodSecurity "restricted:v1.30": ')
