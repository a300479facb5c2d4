"""Fixes as text edits: each is applied to real manifests and the result is linted again."""

from __future__ import annotations

import json

import pytest

from podlint.engine import Engine
from podlint.fixes import (
    FIXERS,
    apply_edits,
    changed_lines,
    disable_edit,
    disable_next_line_edit,
    fix_for,
    fix_text,
)
from podlint.fixes import verified as fixes_verified
from podlint.lint import lint_text
from podlint.model.document import Document
from podlint.model.finding import Finding
from podlint.policy import RuleSetting
from podlint.registry import default_registry
from podlint.source.manifest import parse_text


def _findings(rule_id: str, text: str, name: str = "pod.yaml") -> list[Finding]:
    registry = default_registry()
    engine = Engine(registry, {rule_id: RuleSetting(registry.rules[rule_id].severity)})
    return [f for f in lint_text(engine, name, text).findings if f.rule == rule_id]


def _fix_all(rule_id: str, text: str, name: str = "pod.yaml") -> str:
    """Apply the fix of the first finding until none is left (each fix re-lints)."""
    for _ in range(10):
        findings = _findings(rule_id, text, name)
        if not findings:
            return text
        finding = findings[0]
        documents = [d for d in parse_text(text, name) if isinstance(d, Document)]
        [document] = [
            d
            for d in documents
            if d.index == finding.document and (finding.pointer + "/").startswith(d.pointer + "/")
        ]
        fix = fix_for(finding, document, text)
        assert fix is not None, f"no fix for {finding}"
        assert fixes_verified(fix, document, text, name), f"fix does not check out: {fix}"
        text = apply_edits(text, fix.edits)
    raise AssertionError(f"{rule_id}: findings left after 10 fixes:\n{text}")


def _comments(text: str) -> list[str]:
    return [line[line.index("#") :] for line in text.splitlines() if "#" in line]


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web   # the front end
spec:
  containers:
    - name: app   # serves :8080
      image: nginx:1.27
      resources:
        limits:
          memory: 512m   # sized for the cache
    # the log shipper
    - name: logs
      image: fluent-bit:3.0
      securityContext:
        allowPrivilegeEscalation: true
"""


def test_allow_privilege_escalation() -> None:
    fixed = _fix_all("pss-allow-privilege-escalation", POD)
    assert fixed == POD.replace(
        "          memory: 512m   # sized for the cache\n",
        "          memory: 512m   # sized for the cache\n"
        "      securityContext:\n"
        "        allowPrivilegeEscalation: false\n",
    ).replace("allowPrivilegeEscalation: true", "allowPrivilegeEscalation: false")


def test_run_as_non_root_keeps_comments() -> None:
    fixed = _fix_all("pss-run-as-non-root", POD)
    assert _comments(fixed) == _comments(POD)
    assert not _findings("pss-run-as-non-root", fixed)


def test_memory_milli_becomes_mebi() -> None:
    fixed = _fix_all("suspicious-quantity", POD)
    assert fixed == POD.replace("memory: 512m", "memory: 512Mi")
    quoted = POD.replace("memory: 512m", 'memory: "512m"')
    assert 'memory: "512Mi"   # sized' in _fix_all("suspicious-quantity", quoted)


@pytest.mark.parametrize(
    "rule_id",
    ["read-only-root-filesystem", "automount-service-account-token", "pss-privileged"],
)
def test_more_fixes_clear_their_findings(rule_id: str) -> None:
    privileged = POD.replace(
        "        allowPrivilegeEscalation: true\n",
        "        allowPrivilegeEscalation: true\n        privileged: true\n",
    )
    assert _findings(rule_id, privileged)
    fixed = _fix_all(rule_id, privileged)
    assert _comments(fixed) == _comments(privileged)


def test_json_stays_json() -> None:
    text = json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "x"},
            "spec": {"containers": [{"name": "a", "image": "nginx:1"}]},
        },
        indent=2,
    )
    fixed = _fix_all("pss-allow-privilege-escalation", text, "pod.json")
    data = json.loads(fixed)
    assert data["spec"]["containers"][0]["securityContext"] == {"allowPrivilegeEscalation": False}
    fixed = _fix_all("pss-run-as-non-root", fixed, "pod.json")
    assert json.loads(fixed)["spec"]["containers"][0]["securityContext"]["runAsNonRoot"] is True


def test_flow_null_and_unterminated_documents() -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"
        "spec:\n  containers: [{name: a, image: 'nginx:1'}]\n"
        "---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\n"
        "spec:\n  containers:\n  - name: b\n    image: nginx:1\n"
        "    securityContext: ~   # to do"
    )
    fixed = _fix_all("pss-allow-privilege-escalation", text)
    assert "  containers: [{name: a, image: 'nginx:1', securityContext: " in fixed
    assert "{allowPrivilegeEscalation: false}}]\n" in fixed
    assert fixed.endswith("    securityContext:    # to do\n      allowPrivilegeEscalation: false")


def test_crlf_files_keep_their_line_endings() -> None:
    text = POD.replace("\n", "\r\n")
    fixed = _fix_all("pss-allow-privilege-escalation", text)
    assert fixed.count("\r\n") == fixed.count("\n")
    assert fixed.replace("\r\n", "\n") == _fix_all("pss-allow-privilege-escalation", POD)
    above = disable_next_line_edit("  - name: x\r\n", 4, "latest-image-tag")
    assert above.new_text == "  # podlint: disable-next-line=latest-image-tag\r\n"


def test_list_items() -> None:
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "  - apiVersion: v1\n    kind: Pod\n    metadata: {name: a}\n"
        "    spec:\n      containers:\n        - name: a\n          image: nginx:1\n"
    )
    fixed = _fix_all("pss-allow-privilege-escalation", text)
    assert fixed.endswith(
        "          image: nginx:1\n"
        "          securityContext:\n"
        "            allowPrivilegeEscalation: false\n"
    )


def test_fixers_are_keyed_by_existing_rules() -> None:
    rules = default_registry().rules
    assert sorted(set(FIXERS) - set(rules)) == []


def test_no_fix_for_other_values() -> None:
    text = POD.replace("memory: 512m", "memory: 1.5m")
    [finding] = [f for f in _findings("suspicious-quantity", text) if "memory" in f.pointer]
    documents = [d for d in parse_text(text, "pod.yaml") if isinstance(d, Document)]
    assert fix_for(finding, documents[0], text) is None


def test_disable_comments_are_honoured() -> None:
    cases = {
        "  image: nginx": "  image: nginx  # podlint: disable=latest-image-tag",
        "  image: nginx   ": "  image: nginx  # podlint: disable=latest-image-tag   ",
        "  image: nginx  # podlint: disable=missing-image -- why": (
            "  image: nginx  # podlint: disable=missing-image,latest-image-tag -- why"
        ),
        "  image: nginx # tag later": "  image: nginx # tag later  # podlint: disable=latest-image-tag",
    }
    for before, after in cases.items():
        edit = disable_edit(before, 0, "latest-image-tag")
        assert edit is not None
        assert apply_edits(before, [edit]) == after
    assert (
        disable_edit("  image: x  # podlint: disable=a, latest-image-tag", 0, "latest-image-tag")
        is None
    )
    above = disable_next_line_edit("    args: [a,", 3, "x")
    assert above.span.line == 3 and above.new_text == "    # podlint: disable-next-line=x\n"


def test_suppression_comment_removes_the_finding() -> None:
    text = POD.replace("image: nginx:1.27", "image: nginx")
    [finding] = _findings("latest-image-tag", text)
    assert finding.span is not None
    line = text.splitlines()[finding.span.line]
    edit = disable_edit(line, finding.span.line, "latest-image-tag")
    assert edit is not None
    assert _findings("latest-image-tag", apply_edits(text, [edit])) == []


RESTRICTED = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: flow
      image: nginx:1.27
      securityContext:
        capabilities: {drop: [NET_RAW]}
        seccompProfile: {type: Unconfined}   # was debugging
    - name: block
      image: nginx:1.27
      securityContext:
        capabilities:
          drop:
            - NET_RAW   # legacy
    - name: bare
      image: nginx:1.27
"""


def test_drop_all_capabilities() -> None:
    fixed = _fix_all("pss-capabilities-restricted", RESTRICTED)
    assert fixed == RESTRICTED.replace("{drop: [NET_RAW]}", "{drop: [NET_RAW, ALL]}").replace(
        "            - NET_RAW   # legacy\n",
        "            - NET_RAW   # legacy\n            - ALL\n",
    ) + ("      securityContext:\n        capabilities:\n          drop: [ALL]\n")


def test_seccomp_runtime_default() -> None:
    fixed = _fix_all("pss-seccomp-profile-restricted", RESTRICTED)
    assert "        seccompProfile: {type: RuntimeDefault}   # was debugging\n" in fixed
    assert fixed.count("seccompProfile:\n          type: RuntimeDefault\n") == 2
    assert _comments(fixed) == _comments(RESTRICTED)


def test_json_capabilities() -> None:
    text = json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "x"},
            "spec": {
                "containers": [
                    {
                        "name": "a",
                        "image": "nginx:1",
                        "securityContext": {"capabilities": {"drop": ["NET_RAW"]}},
                    },
                    {"name": "b", "image": "nginx:1", "securityContext": {"capabilities": {}}},
                ]
            },
        }
    )
    fixed = json.loads(_fix_all("pss-capabilities-restricted", text, "pod.json"))
    drops = [c["securityContext"]["capabilities"]["drop"] for c in fixed["spec"]["containers"]]
    assert drops == [["NET_RAW", "ALL"], ["ALL"]]


def test_changed_lines_is_one_minimal_edit() -> None:
    assert changed_lines("a\nb\n", "a\nb\n") is None
    for before, after in [
        ("a\nb\nc\n", "a\nB\nx\nc\n"),
        ("a\nb", "a\nb\nc"),
        ("a\nb\n", "b\n"),
        ("", "a\n"),
    ]:
        edit = changed_lines(before, after)
        assert edit is not None
        assert apply_edits(before, [edit]) == after
    edit = changed_lines("a\nb\nc\n", "a\nB\nc\n")
    assert edit is not None and (edit.span.line, edit.span.end_line) == (1, 2)


def test_fix_text_reaches_a_fixed_point() -> None:
    registry = default_registry()
    rules = ["pss-run-as-non-root", "pss-allow-privilege-escalation", "suspicious-quantity"]
    engine = Engine(registry, {r: RuleSetting(registry.rules[r].severity) for r in rules})
    outcome = fix_text(engine, "pod.yaml", POD, unsafe=True)
    assert (outcome.applied, outcome.refused) == (5, 0)
    fixed = outcome.text
    assert [f.rule for f in lint_text(engine, "pod.yaml", fixed).findings] == []
    assert _comments(fixed) == _comments(POD)
    again = fix_text(engine, "pod.yaml", fixed, unsafe=True)
    assert (again.text, again.applied) == (fixed, 0)


def test_only_safe_fixes_without_unsafe() -> None:
    registry = default_registry()
    rules = ["pss-privileged", "removed-api-version"]
    engine = Engine(registry, {r: RuleSetting(registry.rules[r].severity) for r in rules})
    text = CRONJOB.replace("      containers:", "      containers:", 1)
    outcome = fix_text(engine, "cron.yaml", text)
    assert (outcome.applied, outcome.unsafe_left) == (1, 1)
    assert outcome.text == text.replace("batch/v1beta1", "batch/v1")
    assert [f.rule for f in lint_text(engine, "cron.yaml", outcome.text).findings] == [
        "pss-privileged"
    ]
    everything = fix_text(engine, "cron.yaml", text, unsafe=True)
    assert (everything.applied, everything.unsafe_left) == (2, 0)
    assert "privileged: false   # for the backup tool" in everything.text


CRONJOB = """\
apiVersion: batch/v1beta1   # old chart
kind: CronJob
metadata: {name: backup}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: backup
            image: registry.example.com/backup:2.1
            securityContext:
              privileged: true   # for the backup tool
"""


def test_api_version_fix_only_where_the_object_keeps_its_meaning() -> None:
    registry = default_registry()
    engine = Engine(
        registry,
        {"removed-api-version": RuleSetting(registry.rules["removed-api-version"].severity)},
    )
    deployment = (
        "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: a}\n"
        "spec:\n  template:\n    spec:\n      containers: [{name: a, image: 'nginx:1'}]\n"
    )
    assert [f.rule for f in lint_text(engine, "d.yaml", deployment).findings] == [
        "removed-api-version"
    ]
    outcome = fix_text(engine, "d.yaml", deployment, unsafe=True)
    assert (outcome.text, outcome.applied) == (deployment, 0)
    quoted = CRONJOB.replace("apiVersion: batch/v1beta1", 'apiVersion: "batch/v1beta1"')
    assert 'apiVersion: "batch/v1"   # old chart' in fix_text(engine, "c.yaml", quoted).text
