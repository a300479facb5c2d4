"""The schema machinery: fast verdicts agree with jsonschema; versions, kinds and messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from podlint.checks.schema import dotted, suggest
from podlint.k8s.quantity import parse_quantity
from podlint.k8s.schemas import version_schemas
from podlint.model.document import Document
from podlint.model.version import SUPPORTED, KubeVersion
from podlint.source.manifest import parse_text

HERE = Path(__file__).parent


def _documents(paths: list[Path]) -> list[Document]:
    documents = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        documents.extend(d for d in parse_text(text, str(path)) if isinstance(d, Document))
    return documents


def _agree(documents: list[Document], version: KubeVersion) -> int:
    schemas = version_schemas(version)
    checked = 0
    for document in documents:
        definition = schemas.definition_name(document.api_version or "", document.kind or "")
        if definition is None:
            continue
        verdict = schemas.is_valid(definition, document.data)
        errors = list(schemas.validator(definition).iter_errors(document.data))
        assert verdict is not None, f"{document.path}: no fast verdict for {definition}"
        assert verdict == (not errors), f"{document.path}: fast {verdict}, jsonschema {errors}"
        checked += 1
    return checked


def test_fast_verdict_agrees_with_jsonschema_on_fixtures() -> None:
    paths = sorted((HERE / "rules").glob("*/*.yaml")) + sorted(
        (HERE / "k8s_conformance").glob("*.yaml")
    )
    documents = _documents(paths)
    assert _agree(documents, SUPPORTED[-1]) > 100
    assert _agree(documents, SUPPORTED[0]) > 100


def test_every_supported_version_has_schemas_for_the_workload_kinds() -> None:
    for version in SUPPORTED:
        schemas = version_schemas(version)
        for api_version, kind in [
            ("v1", "Pod"),
            ("apps/v1", "Deployment"),
            ("batch/v1", "CronJob"),
            ("networking.k8s.io/v1", "Ingress"),
        ]:
            assert schemas.definition_name(api_version, kind), (version, kind)
        assert schemas.definition_name("batch/v1beta1", "CronJob") is None
        assert schemas.serves_group("rbac.authorization.k8s.io/v1")
        assert not schemas.serves_group("cert-manager.io/v1")


def test_suggestions_and_paths() -> None:
    fields = ["containers", "initContainers", "imagePullPolicy", "volumes"]
    assert suggest("contianers", fields) == "containers"
    assert suggest("imagePullpolicy", fields) == "imagePullPolicy"
    assert suggest("replicas", fields) is None
    assert dotted(["spec", "containers", 0, "name"]) == "spec.containers[0].name"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500m", "0.5"),
        ("1Gi", str(2**30)),
        ("1e3", "1000"),
        (2, "2"),
        (0.5, "0.5"),
        ("64M", "64000000"),
    ],
)
def test_quantities(text: object, value: str) -> None:
    from decimal import Decimal

    assert parse_quantity(text) == Decimal(value)


@pytest.mark.parametrize("text", ["1GB", "", "1.2.3", "Gi", True, None, "1 Gi", "- 1"])
def test_not_quantities(text: object) -> None:
    assert parse_quantity(text) is None


ACCEPTED = {
    "statefulset-without-service-name": """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres:16}]
""",
    "rolebinding-without-api-group": """\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read}
roleRef: {kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: app}]
""",
    "sysctl-header-and-preference-left-empty": """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  securityContext:
    sysctls: [{name: kernel.shm_rmid_forced}]
  affinity:
    nodeAffinity:
      preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1}]
  containers:
  - name: web
    image: nginx:1.27
    hostname: null
    readinessProbe:
      httpGet:
        port: 80
        httpHeaders: [{name: X-Probe}]
""",
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
@pytest.mark.parametrize("version", [SUPPORTED[0], KubeVersion(1, 32), SUPPORTED[-1]])
def test_schema_required_fields_the_apiserver_does_not_require(
    name: str, version: KubeVersion
) -> None:
    from podlint.engine import Engine
    from podlint.lint import lint_text
    from podlint.model.finding import Severity
    from podlint.policy import RuleSetting
    from podlint.registry import default_registry

    engine = Engine(default_registry(), {"schema": RuleSetting(Severity.ERROR, {})}, version)
    findings = lint_text(engine, f"{name}.yaml", ACCEPTED[name]).findings
    messages = [f.message for f in findings]
    if name.startswith("sysctl"):
        # hostname is no Container field: that one unknown key is the only finding
        assert messages == ['unknown field "hostname" in Container at spec.containers[0]']
    else:
        assert messages == []


WIDGET = """\
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  size: "3"
  colour: blue
"""


def test_schema_locations_validate_custom_resources(tmp_path: Path) -> None:
    import json

    from podlint.engine import Engine
    from podlint.lint import lint_text
    from podlint.model.finding import Severity
    from podlint.policy import RuleSetting
    from podlint.registry import default_registry

    folder = tmp_path / "example.com"
    folder.mkdir()
    schema = {
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": {
                "type": "object",
                "properties": {"size": {"type": "integer"}},
                "additionalProperties": False,
            },
        },
    }
    (folder / "widget_v1.json").write_text(json.dumps(schema), encoding="utf-8")

    def lint(options: dict[str, object], rule: str) -> list[str]:
        engine = Engine(default_registry(), {rule: RuleSetting(Severity.ERROR, options)})
        return [f.message for f in lint_text(engine, "w.yaml", WIDGET).findings]

    assert lint({}, "schema") == []
    assert lint({"schema-locations": [str(tmp_path)]}, "schema") == [
        'spec.size: expected an integer, got string "3"',
        'unknown field "colour" in object at spec',
    ]
    assert lint({"report-custom": True}, "unknown-kind") == [
        'no schema for custom kind "Widget" of apiVersion "example.com/v1"; add one with the '
        "schema-locations option"
    ]
    assert lint({"report-custom": True, "schema-locations": [str(tmp_path)]}, "unknown-kind") == []


def test_a_custom_schema_that_cannot_be_used_is_a_finding(tmp_path: Path) -> None:
    from podlint.engine import Engine
    from podlint.lint import lint_text
    from podlint.model.finding import Severity
    from podlint.policy import RuleSetting
    from podlint.registry import default_registry

    (tmp_path / "widget-example-v1.json").write_text(
        '{"properties": {"spec": {"$ref": "https://example.com/remote.json"}}}', encoding="utf-8"
    )
    options = {"schema-locations": [str(tmp_path)]}
    engine = Engine(default_registry(), {"schema": RuleSetting(Severity.ERROR, options)})
    [finding] = lint_text(engine, "w.yaml", WIDGET).findings
    assert finding.rule == "schema"
    assert finding.message.startswith('the schema for "Widget" of apiVersion "example.com/v1"')
    assert finding.span is not None and finding.span.line == 1
