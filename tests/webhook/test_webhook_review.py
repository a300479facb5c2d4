"""review(): every capture and edited case against its expected response, and the limits."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from webhook_cases import ADMISSION, capture, case_config, case_names, expected, load_case

from podlint.model.finding import Finding, Severity
from podlint.registry import default_registry
from podlint.rule import Rule
from podlint.webhook.config import WebhookConfigError, parse_config
from podlint.webhook.messages import WARNINGS_TOTAL, warnings_for
from podlint.webhook.review import Reviewer, ReviewError, review


@pytest.mark.parametrize("name", case_names())
def test_case(name: str) -> None:
    admission_review, config = load_case(name)
    assert Reviewer(config).review(admission_review) == expected(name)


def test_every_capture_is_a_case() -> None:
    captures = {path.stem for path in ADMISSION.glob("*.json")}
    assert len(captures) == 19
    assert captures <= set(case_names())


def test_default_review_uses_the_shipped_default_policy() -> None:
    admission_review = capture(
        "kw-pod-create-privileged-init-container.json", "admission.k8s.io/v1"
    )
    response = review(admission_review)
    assert response["apiVersion"] == "admission.k8s.io/v1"
    assert response["kind"] == "AdmissionReview"
    assert response["response"]["uid"] == admission_review["request"]["uid"]
    assert response["response"]["allowed"] is False
    assert response["response"]["status"]["message"].startswith("duplicate-container-name: ")


def test_review_does_not_modify_its_input() -> None:
    admission_review = capture("kw-deployment-update.json")
    before = json.dumps(admission_review, sort_keys=True)
    review(admission_review)
    assert json.dumps(admission_review, sort_keys=True) == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "must be a JSON object"),
        ({"apiVersion": "admission.k8s.io/v2", "kind": "AdmissionReview"}, "apiVersion"),
        ({"apiVersion": "admission.k8s.io/v1", "kind": "Pod"}, "kind 'Pod'"),
        ({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}, "request is missing"),
        (
            {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {}},
            "request.uid",
        ),
    ],
)
def test_malformed_reviews_are_refused(body: Any, message: str) -> None:
    with pytest.raises(ReviewError, match=message):
        review(body)


def test_object_null_on_create_is_refused() -> None:
    admission_review = capture("ky-pod-create.json")
    admission_review["request"]["object"] = None
    with pytest.raises(ReviewError, match=r"request\.object is null on CREATE"):
        review(admission_review)


def _finding(rule: str, severity: Severity, index: int) -> Finding:
    return Finding(
        f"/spec/containers/{index}/image", f"message {index}", rule=rule, severity=severity
    )


def test_warnings_stay_within_the_apiserver_budget() -> None:
    findings = [_finding("latest-image-tag", Severity.WARNING, i) for i in range(400)]
    findings.append(_finding("missing-image", Severity.ERROR, 999))
    findings.append(findings[0])  # a duplicate
    warnings = warnings_for(findings)
    assert sum(len(text) for text in warnings) < WARNINGS_TOTAL
    assert warnings[0].startswith("missing-image: ")
    assert len(set(warnings)) == len(warnings)
    shown = len(warnings) - 1
    assert warnings[-1] == f"and {401 - shown} more"


def test_long_warnings_are_cut_and_single_line() -> None:
    long = Finding("/spec", "x\ty\n" + "z" * 1000, rule="r", severity=Severity.WARNING)
    (warning,) = warnings_for([long])
    assert len(warning) == 256 and warning.endswith("…")
    assert warning.isprintable()


# Registries with extra rules, to test behaviour the shipped rules do not exhibit.


def _raising(view: Any, ctx: Any) -> Iterator[Finding]:
    raise RuntimeError("boom")


def _explicit_defaults(view: Any, ctx: Any) -> Iterator[Finding]:
    """Flags fields that look hand-written: fires on every apiserver default."""
    for key in ("terminationMessagePath", "imagePullPolicy"):
        if key in view.data:
            yield Finding(view.at(key), f"{view.label}: {key} is set explicitly")
    for index, mount in enumerate(view.data.get("volumeMounts", [])):
        if mount["mountPath"].startswith("/var/run/secrets/"):
            yield Finding(view.at("volumeMounts", index), f"{view.label}: mounts a token")


def _registry_with(rule_id: str, check: Any, severity: Severity = Severity.ERROR) -> Any:
    base = default_registry()
    rule = Rule(
        id=rule_id,
        summary="test rule",
        category="correctness",
        severity=severity,
        target="container",
        check=f"test.{rule_id}",
    )
    registry = base.with_rules([rule])
    registry = dataclasses.replace(registry, checks={**registry.checks, f"test.{rule_id}": check})
    return registry


def _policy_file(tmp_path: Any, rule_id: str, severity: str) -> str:
    path = tmp_path / "p.yaml"
    path.write_text(f"name: p\nrules:\n  {rule_id}: {severity}\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("failure_mode", ["deny", "allow"])
def test_a_rule_that_raises_is_decided_by_failure_mode(
    tmp_path: Any, failure_mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    registry = _registry_with("raises", _raising, Severity.INFO)
    config = parse_config(
        {
            "failure-mode": failure_mode,
            "default": {"policy": _policy_file(tmp_path, "raises", "info"), "mode": "audit"},
        }
    )
    admission_review = capture("kw-pod-create-basic.json")
    response = Reviewer(config, registry).review(admission_review)["response"]
    uid = admission_review["request"]["uid"]
    assert any(uid in record.getMessage() for record in caplog.records)
    assert "error" in response["auditAnnotations"]
    if failure_mode == "deny":
        assert response["allowed"] is False
        assert "rule raises failed" in response["status"]["message"]
    else:
        assert response["allowed"] is True
        assert any("rule raises failed" in text for text in response["warnings"])


def test_rules_stay_quiet_on_apiserver_defaults(tmp_path: Any) -> None:
    registry = _registry_with("explicit-defaults", _explicit_defaults)
    config = parse_config(
        {"default": {"policy": _policy_file(tmp_path, "explicit-defaults", "error")}}
    )
    reviewer = Reviewer(config, registry)
    admission_review = capture("kw-pod-create-hostpaths.json")
    assert reviewer.review(admission_review)["response"]["allowed"] is True
    # A non-default value written by the author is still reported.
    container = admission_review["request"]["object"]["spec"]["containers"][0]
    container["terminationMessagePath"] = "/tmp/log"
    response = reviewer.review(admission_review)["response"]
    assert response["allowed"] is False
    assert response["status"]["message"] == (
        'explicit-defaults: /spec/containers/0/terminationMessagePath: container "busybox": '
        "terminationMessagePath is set explicitly"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mode": "enforce"}, "unknown key 'mode'"),
        ({"default": {"mode": "block"}}, "default.mode is 'block'"),
        ({"namespaces": [{"policy": "default"}]}, r"namespaces\[0\].match is required"),
        ({"failure-mode": "ignore"}, "failure-mode is 'ignore'"),
        ({"exemptions": {"users": ["a"]}}, "unknown key 'users'"),
        ({"kubernetes-version": "2.1"}, "unsupported Kubernetes version"),
    ],
)
def test_config_errors_name_the_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(WebhookConfigError, match=message):
        parse_config(data, "cfg.yaml")


def test_unknown_policy_is_a_config_error() -> None:
    with pytest.raises(WebhookConfigError, match="policy 'nope'"):
        Reviewer(case_config({"namespaces": [{"match": ["a"], "policy": "nope"}]}))


def test_rules_the_apiserver_already_enforced_are_skipped() -> None:
    # The capture carries the status and server-set metadata the apiserver sends; the schema
    # rule would repeat the apiserver's own decoding, so the webhook does not run it.
    response = review(capture("kw-deployment-create-capabilities.json"))["response"]
    assert not [text for text in response.get("warnings", []) if text.startswith("schema:")]
    reviewer = Reviewer(parse_config({"skip-rules": []}))
    response = reviewer.review(capture("kw-deployment-create-capabilities.json"))["response"]
    assert [text for text in response["warnings"] if text.startswith("schema:")]


def test_hardened_rules_stay_quiet_on_the_injected_service_account() -> None:
    reviewer = Reviewer(parse_config({"default": {"policy": "hardened", "mode": "warn"}}))
    admission_review = capture("ky-pod-create.json")
    rules = {f.rule for f in reviewer.decide(admission_review).findings}
    assert "default-service-account" not in rules
    assert "latest-image-tag" in rules


def test_policy_files_are_relative_to_the_config_file(tmp_path: Any) -> None:
    from podlint.webhook.config import load_config

    (tmp_path / "team.yaml").write_text("name: team\nrules:\n  missing-image: error\n")
    (tmp_path / "webhook.yaml").write_text("default: {policy: team.yaml, mode: warn}\n")
    config = load_config(tmp_path / "webhook.yaml")
    assert config.default.policy == str(tmp_path.resolve() / "team.yaml")
    response = Reviewer(config).review(capture("kw-pod-create-basic.json"))["response"]
    assert response["auditAnnotations"]["policy"] == "team:warn"
