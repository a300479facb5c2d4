"""config-ref-missing across files: nearest ConfigMap, assume-complete, stdin, suppressions,
and the summaries it keeps instead of objects."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

from click.testing import CliRunner

from podlint.cli import cli
from podlint.engine import Engine
from podlint.lint import lint_sources
from podlint.model.configrefs import ConfigIndex
from podlint.policy import RuleSetting
from podlint.registry import default_registry
from podlint.testing import FixtureSettings, lint_with_only

RULE = "config-ref-missing"

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: db, namespace: shop}
data: {host: db.internal}
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        env:
        - name: DB_HOST
          valueFrom:
            configMapKeyRef: {name: db, key: hostname}{comment}
        envFrom:
        - secretRef: {name: api}
"""


def lint_json(*args: str, input: str | None = None) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["lint", "--format", "json", *args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_the_configmap_in_another_file_of_the_run_is_found(tmp_path: Path) -> None:
    (tmp_path / "configmap.yaml").write_text(CONFIGMAP)
    (tmp_path / "deployment.yaml").write_text(DEPLOYMENT.replace("{comment}", ""))
    report = lint_json("--select", RULE, str(tmp_path))
    [finding] = report["findings"]
    assert (finding["file"], finding["line"], finding["kind"], finding["name"]) == (
        str(tmp_path / "deployment.yaml"),
        15,
        "Deployment",
        "web",
    )
    assert 'key "hostname" of ConfigMap "db"' in finding["message"]
    assert str(tmp_path / "configmap.yaml") in finding["message"]
    # Linted alone, the Deployment names a ConfigMap that is not among the files: not judged.
    alone = lint_json("--select", RULE, str(tmp_path / "deployment.yaml"))
    assert alone["findings"] == []


def test_a_configmap_far_away_is_another_projects(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "other" / "project").mkdir(parents=True)
    (tmp_path / "app" / "deployment.yaml").write_text(DEPLOYMENT.replace("{comment}", ""))
    (tmp_path / "other" / "project" / "configmap.yaml").write_text(CONFIGMAP)
    assert lint_json("--select", RULE, str(tmp_path))["findings"] == []


def test_assume_complete_reports_configmaps_and_secrets_not_defined(tmp_path: Path) -> None:
    path = tmp_path / "all.yaml"
    path.write_text(CONFIGMAP + "---\n" + DEPLOYMENT.replace("{comment}", ""))
    findings = lint_with_only(RULE, path, FixtureSettings(options={"assume-complete": True}))
    assert sorted((f.span.line + 1 if f.span else 0) for f in findings) == [20, 22]
    missing = next(f for f in findings if f.span and f.span.line + 1 == 22)
    assert 'envFrom reads Secret "api"' in missing.message
    assert "CreateContainerConfigError" in missing.message
    assert len(lint_with_only(RULE, path)) == 1


def test_standard_input_and_its_suppression_comments() -> None:
    text = CONFIGMAP + "---\n" + DEPLOYMENT
    reported = lint_json("--select", RULE, "-", input=text.replace("{comment}", ""))
    assert [f["line"] for f in reported["findings"]] == [20]
    quiet = lint_json(
        "--select",
        f"{RULE},unused-suppression",
        "-",
        input=text.replace("{comment}", f"  # podlint: disable={RULE}"),
    )
    assert quiet["findings"] == []


def test_the_annotation_suppresses_and_strict_refuses_an_error(tmp_path: Path) -> None:
    annotated = DEPLOYMENT.replace("{comment}", "").replace(
        "metadata: {name: web, namespace: shop}",
        f'metadata:\n  name: web\n  namespace: shop\n  annotations: {{podlint.io/ignore: "{RULE}"}}',
    )
    (tmp_path / "all.yaml").write_text(CONFIGMAP + "---\n" + annotated)
    assert lint_json("--select", RULE, str(tmp_path))["findings"] == []
    [refused] = lint_json("--select", RULE, "--strict", str(tmp_path))["findings"]
    assert "may not suppress" in refused["message"]


def test_only_summaries_are_kept_and_they_pickle(tmp_path: Path) -> None:
    (tmp_path / "configmap.yaml").write_text(CONFIGMAP)
    (tmp_path / "deployment.yaml").write_text(DEPLOYMENT.replace("{comment}", ""))
    registry = default_registry()
    engine = Engine(registry, {RULE: RuleSetting(registry.rules[RULE].severity, {})})
    results = lint_sources(engine, [str(tmp_path)])
    for _ in range(2):  # both files read, the run not finished yet
        next(results)
        assert engine.deferred == []
    copy = pickle.loads(pickle.dumps(engine.config))
    merged = ConfigIndex.merged([ConfigIndex(), copy])
    assert len(merged) == len(engine.config) == 2
    assert merged.find("shop", "ConfigMap", "db", str(tmp_path / "deployment.yaml"))
    assert [len(r.findings) for r in results] == [1]


def test_worker_processes_hand_their_summaries_back(tmp_path: Path) -> None:
    padding = "# " + "x" * 78 + "\n"
    for n in range(120):  # more than MIN_POOL_BYTES, so --jobs 2 uses a pool
        folder = tmp_path / f"app-{n % 7}"
        folder.mkdir(exist_ok=True)
        (folder / f"configmap-{n}.yaml").write_text(CONFIGMAP.replace("name: db", f"name: db-{n}"))
        deployment = DEPLOYMENT.replace("{comment}", "").replace("name: db,", f"name: db-{n},")
        (folder / f"deploy-{n}.yaml").write_text(
            deployment.replace("name: web,", f"name: web-{n},") + padding * 60
        )
    serial = lint_json("--select", RULE, str(tmp_path))
    parallel = lint_json("--select", RULE, "--jobs", "2", str(tmp_path))
    assert len(serial["findings"]) == 120
    assert parallel["findings"] == serial["findings"]
