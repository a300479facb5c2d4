"""Properties that must hold for every input (see conftest for the budget)."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from podlint.formatters import Summary
from podlint.lint import lint_text
from podlint.model.document import Document
from podlint.registry import default_registry
from podlint.runtime import Options, build_engine
from podlint.source.manifest import SourceProblem, parse_text
from podlint.webhook.review import Reviewer

from .strategies import POD, manifest_texts, pods

REGISTRY = default_registry()
ENGINE = build_engine(Options(select=("*",)), REGISTRY)
REVIEWER = Reviewer(registry=REGISTRY)
FORMATS = ("text", "concise", "github", "gitlab", "junit", "sarif", "json")
# What a report must never carry raw (colour codes of the text format are switched off here).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@given(pods())
@example({**POD, "spec": {"containers": [None], "volumes": [{"name": [1]}]}})
def test_no_rule_raises(pod: dict[str, Any]) -> None:
    for finding in ENGINE.lint_document(Document("pod.yaml", 0, pod)):
        assert finding.rule != "internal-error", finding.message


@given(pods())
def test_review_always_decides(pod: dict[str, Any]) -> None:
    request = {
        "uid": "fuzz",
        "kind": {"group": "", "version": "v1", "kind": "Pod"},
        "resource": {"group": "", "version": "v1", "resource": "pods"},
        "namespace": "default",
        "operation": "CREATE",
        "userInfo": {"username": "fuzz"},
        "object": pod,
    }
    review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}
    decision = REVIEWER.decide(review)
    assert not decision.errors
    json.dumps(decision.response)  # the response is sendable


@given(manifest_texts)
@example("a: '\u2028'\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
def test_reading_any_text_never_raises_and_positions_are_in_the_text(text: str) -> None:
    lines = text.split("\n")
    for item in parse_text(text, "x.yaml"):
        if isinstance(item, SourceProblem):
            assert 0 <= item.span.line < len(lines)
            assert 0 <= item.span.column <= len(lines[item.span.line]) + 1


@given(manifest_texts, st.sampled_from(FORMATS))
def test_every_report_is_well_formed_and_printable(text: str, output_format: str) -> None:
    result = lint_text(ENGINE, "manifests/pod\x1b[2J.yaml", text)
    stream = io.StringIO()
    formatter = REGISTRY.formatter(output_format)(stream, registry=REGISTRY, root=Path.cwd())
    summary = Summary()
    summary.add(result)
    formatter.start()
    formatter.handle(result)
    formatter.stop(summary)
    output = stream.getvalue()
    if output_format != "json":  # JSON escapes them itself
        assert not _UNPRINTABLE.search(output), output
    if output_format in ("json", "sarif", "gitlab"):
        json.loads(output)
    if output_format == "junit":
        ET.fromstring(output.encode("utf-8"))
