"""The pod sanity rules' cards: examples trigger, use-instead does not, options validate."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from podlint.engine import Engine
from podlint.lint import lint_text
from podlint.model.version import KubeVersion
from podlint.policy import RuleSetting
from podlint.registry import default_registry
from podlint.source.data import load_yaml_file

RULES = Path(__file__).parent.parent / "rules"
# Cross-object rules need a whole run; tests/test_catalog.py lints their examples as one.
POD_SANITY = sorted(
    path.stem
    for path in RULES.glob("*.yaml")
    if str(load_yaml_file(path).get("check", "")).split(".")[0]
    in ("init", "probes", "resources", "lifecycle", "apiversions")
    and load_yaml_file(path).get("target") != "cross-object"
)


def _rule_ids(rule_id: str, text: str) -> list[str]:
    registry = default_registry()
    rule = registry.rules[rule_id]
    version = KubeVersion.parse(str(rule.docs.get("kubernetes-version", "latest")))
    engine = Engine(registry, {rule_id: RuleSetting(rule.severity)}, version)
    return [finding.rule for finding in lint_text(engine, "card.yaml", text).findings]


def test_the_family_is_found() -> None:
    assert len(POD_SANITY) >= 20


@pytest.mark.parametrize("rule_id", POD_SANITY)
def test_example_triggers_and_use_instead_does_not(rule_id: str) -> None:
    docs = default_registry().rules[rule_id].docs
    assert rule_id in _rule_ids(rule_id, docs["example"])
    assert _rule_ids(rule_id, docs["use-instead"]) == []


@pytest.mark.parametrize("rule_id", POD_SANITY)
def test_params_match_their_schema(rule_id: str) -> None:
    card = load_yaml_file(RULES / f"{rule_id}.yaml")
    params = card.get("params") or {}
    schema = card.get("params-schema")
    if not params:
        assert schema is None
        return
    assert schema is not None, f"{rule_id}: options need a params-schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(params, schema)
    assert set(params) == set(schema["properties"])


LIVENESS = """
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    image: registry.example.com/app:1.0.0
    resources: {requests: {cpu: 500m}}
    livenessProbe:
      httpGet: {path: /healthz, port: 8080}
      periodSeconds: 4
"""


def _messages(rule_id: str, options: dict[str, object]) -> list[str]:
    registry = default_registry()
    engine = Engine(registry, {rule_id: RuleSetting(registry.rules[rule_id].severity, options)})
    return [f.message for f in lint_text(engine, "pod.yaml", LIVENESS).findings]


def test_options_change_the_thresholds() -> None:
    assert _messages("liveness-kills-too-fast", {}) == []
    assert len(_messages("liveness-kills-too-fast", {"min-seconds": 20})) == 1
    assert len(_messages("suspicious-quantity", {"max-cpu-cores": 0.25})) == 1


@pytest.mark.parametrize(
    ("rule_id", "options"),
    [
        ("liveness-kills-too-fast", {"min-seconds": "ten"}),
        ("liveness-kills-too-fast", {"min-seconds": 0}),
        ("liveness-without-startup", {"initial-delay-seconds": 1.5}),
        ("suspicious-quantity", {"max-cpu-cores": True}),
    ],
)
def test_a_bad_option_is_reported_not_raised(rule_id: str, options: dict[str, object]) -> None:
    messages = _messages(rule_id, options)
    assert any(f"of {rule_id} must be" in message for message in messages), messages
    assert not any("podlint bug" in message for message in messages)


MALFORMED = """
apiVersion: v1
kind: Pod
metadata: []
spec:
  terminationGracePeriodSeconds: "30"
  nodeName: 5
  resources: "x"
  initContainers:
  - name: a
    image: busybox
    command: "sh -c 'until x; do y; done'"
    args: [sh, -c]
    ports: [8080, {containerPort: "x"}]
    resources: {requests: [1], limits: {memory: {a: 1}}}
    volumeMounts: [{mountPath: 5}, null, {name: x, mountPath: /d}]
    restartPolicy: Always
    lifecycle: {preStop: {exec: {command: [sleep, abc]}}, postStart: {exec: {command: [sh, -c, "mkdir /d/x"]}}}
    livenessProbe: [1]
    readinessProbe: {httpGet: {port: [1]}, timeoutSeconds: true}
  - "just a string"
  - name: b
    image: busybox
    command: [sh, -c, 5]
    livenessProbe: {tcpSocket: {port: null}, periodSeconds: -1, failureThreshold: 0}
  containers:
  - name: c
    image: nginx
    ports: {a: 1}
    resources: {requests: {cpu: 1e400, memory: "1e-400"}, limits: {cpu: .nan, memory: -1Gi}}
    lifecycle: {preStop: {sleep: {seconds: "30"}}}
    startupProbe: null
"""


def test_malformed_fields_never_crash_a_rule() -> None:
    registry = default_registry()
    engine = Engine(
        registry, {rule_id: RuleSetting(registry.rules[rule_id].severity) for rule_id in POD_SANITY}
    )
    findings = lint_text(engine, "malformed.yaml", MALFORMED).findings
    assert findings, "the malformed Pod still has real problems to report"
    assert [f.message for f in findings if f.rule == "internal-error"] == []
