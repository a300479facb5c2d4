"""Review cases: a capture from tests/data/admission, wrapped as kube-apiserver sends it, edited."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from podlint.webhook.config import WebhookConfig, parse_config

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
POLICY = HERE / "webhook-test.yaml"
ADMISSION = HERE.parent / "data" / "admission"


def case_names() -> list[str]:
    return sorted(path.name[: -len(".in.json")] for path in CASES.glob("*.in.json"))


def wrap(request: dict[str, Any], api_version: str = "admission.k8s.io/v1") -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": "AdmissionReview", "request": request}


def capture(name: str, api_version: str = "admission.k8s.io/v1") -> dict[str, Any]:
    return wrap(json.loads((ADMISSION / name).read_text(encoding="utf-8")), api_version)


def set_pointer(document: dict[str, Any], pointer: str, value: Any) -> None:
    """Set (or, for None, remove) the value at an RFC 6901 pointer; index len(list) appends."""
    *parents, last = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    node: Any = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if isinstance(node, list):
        index = int(last)
        if index == len(node):
            node.append(value)
        else:
            node[index] = value
    elif value is None:
        node.pop(last, None)
    else:
        node[last] = value


def load_case(name: str) -> tuple[dict[str, Any], WebhookConfig]:
    spec = json.loads((CASES / f"{name}.in.json").read_text(encoding="utf-8"))
    review = capture(spec["capture"], spec.get("apiVersion", "admission.k8s.io/v1"))
    for pointer, value in spec.get("set", {}).items():
        set_pointer(review, pointer, copy.deepcopy(value))
    return review, case_config(spec.get("config", {}))


def case_config(data: dict[str, Any]) -> WebhookConfig:
    """A config whose policies default to the pinned test policy."""
    data = copy.deepcopy(data)
    data.setdefault("default", {}).setdefault("policy", str(POLICY))
    for entry in data.get("namespaces", []):
        entry.setdefault("policy", str(POLICY))
    return parse_config(data, "test config")


def expected(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((CASES / f"{name}.out.json").read_text(encoding="utf-8"))
    return result
