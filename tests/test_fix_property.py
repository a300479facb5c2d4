"""Property: whatever the manifest's style, fixing it never makes it read worse.

Manifests are generated in block YAML (2 or 4 spaces, indented or indentless sequences, flow
collections, explicit ``? key`` entries, comments, null spelled four ways, anchors and aliases)
and in JSON, after an earlier document holding U+2028, U+2029 or U+0085. The budget is fixed
and the run derandomized, so CI is repeatable; ``PODLINT_FIX_EXAMPLES=5000`` runs a longer
search before a release.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podlint.engine import Engine
from podlint.fixes import FIXERS, Reading, fix_text
from podlint.lint import lint_text
from podlint.policy import RuleSetting
from podlint.registry import default_registry

REGISTRY = default_registry()
ENGINE = Engine(REGISTRY, {r: RuleSetting(REGISTRY.rules[r].severity) for r in FIXERS})
EXAMPLES = int(os.environ.get("PODLINT_FIX_EXAMPLES", "150"))
ABSENT = object()
_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9._/:-]*$")

SECURITY_CONTEXTS: list[Any] = [
    ABSENT,
    None,
    {},
    {"privileged": True},
    {"capabilities": None},
    {"capabilities": {}},
    {"capabilities": {"drop": ["NET_RAW"]}},
    {"capabilities": {"drop": []}},
    {"seccompProfile": {"type": "Unconfined"}},
    {"allowPrivilegeEscalation": True, "runAsNonRoot": False},
    {"readOnlyRootFilesystem": False, "privileged": False},
]
RESOURCES: list[Any] = [
    ABSENT,
    {"limits": {"memory": "512m"}},
    {"requests": {"memory": "64m", "cpu": "100m"}, "limits": {"memory": "1Gi"}},
]


@st.composite
def containers(draw: st.DrawFn, index: int) -> dict[str, Any]:
    container: dict[str, Any] = {"name": f"c{index}", "image": "nginx:1.27"}
    for key, choices in (("securityContext", SECURITY_CONTEXTS), ("resources", RESOURCES)):
        value = draw(st.sampled_from(choices))
        if value is not ABSENT:
            container[key] = json.loads(json.dumps(value))
    if draw(st.booleans()):
        container["env"] = [{"name": "MODE", "value": "prod"}]
    return container


@st.composite
def objects(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 3))
    spec: dict[str, Any] = {"containers": [draw(containers(i)) for i in range(count)]}
    automount = draw(st.sampled_from([ABSENT, True, None]))
    if automount is not ABSENT:
        spec["automountServiceAccountToken"] = automount
    pod_context = draw(st.sampled_from([ABSENT, None, {"runAsNonRoot": False}]))
    if pod_context is not ABSENT:
        spec["securityContext"] = pod_context
    if draw(st.booleans()):
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": spec}
    spec["restartPolicy"] = "OnFailure"
    return {
        "apiVersion": "batch/v1beta1",
        "kind": "CronJob",
        "metadata": {"name": "report"},
        "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": spec}}}},
    }


class Writer:
    """Block YAML in styles chosen by hypothesis."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.step = draw(st.sampled_from([2, 4]))
        self.indentless = draw(st.booleans())
        self.anchors: dict[str, str] = {}

    def chance(self, weight: int) -> bool:
        return self.draw(st.integers(0, 9)) < weight

    def _anchor(self, value: Any) -> str:
        """`&name ` for a value later ones may alias, or ``""``."""
        if not self.chance(2):
            return ""
        name = f"a{len(self.anchors)}"
        self.anchors.setdefault(json.dumps(value, sort_keys=True), name)
        return f"&{name} "

    def _alias(self, value: Any) -> str | None:
        name = self.anchors.get(json.dumps(value, sort_keys=True))
        return f"*{name}" if name is not None and self.chance(5) else None

    def scalar(self, value: Any, *, in_mapping: bool) -> str:
        if value is None:
            spellings = ["~", "null", "Null", ""] if in_mapping else ["~", "null"]
            return self.draw(st.sampled_from(spellings))
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if _PLAIN.match(value) and not re.match(
            r"^(y|n|yes|no|on|off|true|false|null)$", value, re.I
        ):
            return self.draw(st.sampled_from([value, json.dumps(value), f"'{value}'"]))
        return json.dumps(value)

    def flow(self, value: Any, *, in_mapping: bool = True) -> str:
        alias = self._alias(value)
        if alias is not None:
            return alias
        if isinstance(value, dict):
            inner = ", ".join(f"{k}: {self.flow(v)}" for k, v in value.items())
            return self._anchor(value) + "{" + inner + "}"
        if isinstance(value, list):
            inner = ", ".join(self.flow(v, in_mapping=False) for v in value)
            return self._anchor(value) + "[" + inner + "]"
        text = self.scalar(value, in_mapping=in_mapping)
        return (self._anchor(value) + text) if text else text

    def comment(self) -> str:
        return "   # note" if self.chance(2) else ""

    def mapping(self, value: dict[str, Any], indent: int) -> list[str]:
        pad = " " * indent
        lines: list[str] = []
        for key, item in value.items():
            block = isinstance(item, (dict, list)) and bool(item) and not self.chance(3)
            alias = self._alias(item) if block else None
            if block and alias is None:
                lines.append(f"{pad}{key}:{(' ' + self._anchor(item)).rstrip()}{self.comment()}")
                if isinstance(item, dict):
                    lines += self.mapping(item, indent + self.step)
                else:
                    lines += self.sequence(item, indent if self.indentless else indent + self.step)
                continue
            text = alias if alias is not None else self.flow(item)
            if self.chance(1):
                lines += [f"{pad}? {key}", f"{pad}: {text}"]
            else:
                lines.append(f"{pad}{key}: {text}{self.comment() if text else ''}")
        return lines

    def sequence(self, items: list[Any], indent: int) -> list[str]:
        pad = " " * indent
        lines: list[str] = []
        for item in items:
            if isinstance(item, dict) and item and not self.chance(2):
                rows = self.mapping(item, indent + 2)
                rows[0] = pad + "- " + rows[0][indent + 2 :]
                lines += rows
            else:
                lines.append(f"{pad}- {self.flow(item, in_mapping=False)}")
        return lines


@st.composite
def manifests(draw: st.DrawFn) -> tuple[str, str]:
    obj = draw(objects())
    separator = draw(st.sampled_from(["", "\u2028", "\u2029", "\u0085"]))
    earlier = ""
    if separator:
        earlier = (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes}\n"
            f'data: {{text: "one{separator}two"}}   # {separator}\n---\n'
        )
    if draw(st.booleans()):
        indent = draw(st.sampled_from([None, 2]))
        return "pod.json", json.dumps(obj, indent=indent)
    lines = Writer(draw).mapping(obj, 0)
    ending = draw(st.sampled_from(["\n", "\r\n", ""]))
    return "pod.yaml", earlier + ending.join(lines) + (ending or "")


def fixable(text: str, name: str) -> int:
    return len(lint_text(ENGINE, name, text).findings)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(manifests(), st.booleans())
def test_fixed_text_reads_no_worse(case: tuple[str, str], unsafe: bool) -> None:
    name, text = case
    before = Reading.of(text, name)
    outcome = fix_text(ENGINE, name, text, unsafe=unsafe)
    after = Reading.of(outcome.text, name)
    for rule, count in after.problems.items():
        assert count <= before.problems[rule], (rule, text, outcome.text)
    assert len(after.documents) == len(before.documents), (text, outcome.text)
    assert fixable(outcome.text, name) <= fixable(text, name)
    # A run leaves nothing a second run could fix.
    again = fix_text(ENGINE, name, outcome.text, unsafe=unsafe)
    assert again.applied == 0, (text, outcome.text, again.text)
