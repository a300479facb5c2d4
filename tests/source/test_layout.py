"""Which files are kustomize patches or Helm chart templates, from the directories above them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from podlint.source.layout import helm_chart_of, holds_objects, kustomize_patch, kustomize_patches

PATCH = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"


@pytest.fixture
def overlay(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    prod = tmp_path / "overlays" / "prod"
    (prod / "patches").mkdir(parents=True)
    (prod / "kustomization.yaml").write_text(
        "resources: [../../base]\n"
        "patches:\n"
        "  - path: patches/web.yaml\n"
        "  - path: ops.json\n"
        "    target: {kind: Deployment, name: web}\n"
        "  - patch: |-\n"
        "      - op: remove\n"
        "        path: /spec/replicas\n"
        "patchesStrategicMerge:\n"
        "  - old.yml\n"
        "  - |-\n"
        "    apiVersion: v1\n"
        "    kind: Service\n"
        "patchesJson6902:\n"
        "  - target: {group: apps, version: v1, kind: Deployment, name: web}\n"
        "    path: six.yaml\n"
    )
    for name in ("patches/web.yaml", "ops.json", "old.yml", "six.yaml", "service.yaml"):
        (prod / name).write_text(PATCH)
    return tmp_path


def test_each_way_a_kustomization_names_a_patch(overlay: Path) -> None:
    prod = overlay / "overlays" / "prod"
    found = {
        name: kustomize_patch(prod / name)
        for name in ("patches/web.yaml", "ops.json", "old.yml", "six.yaml", "service.yaml")
    }
    assert found["service.yaml"] is None  # a resource, not a patch
    web, ops, old, six = (found[n] for n in ("patches/web.yaml", "ops.json", "old.yml", "six.yaml"))
    assert web is not None and web.key == "patches" and web.target is None
    assert ops is not None and ops.target == {"kind": "Deployment", "name": "web"}
    assert old is not None and old.key == "patchesStrategicMerge"
    assert six is not None and six.json6902 and six.target is not None
    assert web.kustomization == prod / "kustomization.yaml"
    assert set(kustomize_patches(prod / "kustomization.yaml")) == {
        (prod / n).resolve() for n in ("patches/web.yaml", "ops.json", "old.yml", "six.yaml")
    }


def test_relative_names_and_the_kustomization_alternatives(
    overlay: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(overlay / "overlays")
    assert kustomize_patch(Path("prod/patches/web.yaml")) is not None
    component = overlay / "components" / "debug"
    component.mkdir(parents=True)
    (component / "Kustomization").write_text(
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches: [{path: sidecar.yaml}]\n"
    )
    (component / "sidecar.yaml").write_text(PATCH)
    assert kustomize_patch(component / "sidecar.yaml") is not None
    assert not holds_objects(component / "sidecar.yaml")


def test_the_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("patches: [{path: repo/web.yaml}]\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "web.yaml").write_text(PATCH)
    assert kustomize_patch(repo / "web.yaml") is None
    (repo / ".git").rmdir()
    assert kustomize_patch(repo / "web.yaml") is not None


def test_a_changed_kustomization_is_read_again(overlay: Path) -> None:
    prod = overlay / "overlays" / "prod"
    assert kustomize_patch(prod / "service.yaml") is None
    kustomization = prod / "kustomization.yaml"
    kustomization.write_text("patches: [{path: service.yaml}]\n")
    os.utime(kustomization, ns=(1, 1))
    assert kustomize_patch(prod / "service.yaml") is not None


@pytest.mark.parametrize("text", ["patches: [\n", "- a list\n", "patches: {path: x.yaml}\n", ""])
def test_a_kustomization_that_cannot_be_used_makes_nothing_a_patch(
    tmp_path: Path, text: str
) -> None:
    (tmp_path / "kustomization.yaml").write_text(text)
    (tmp_path / "x.yaml").write_text(PATCH)
    assert kustomize_patch(tmp_path / "x.yaml") is None


def test_helm_templates_are_files_below_templates_beside_chart_yaml(tmp_path: Path) -> None:
    chart = tmp_path / "charts" / "web"
    (chart / "templates" / "tests").mkdir(parents=True)
    (chart / "crds").mkdir()
    for name in ("templates/a.yaml", "templates/tests/t.yaml", "crds/c.yaml", "values.yaml"):
        (chart / name).write_text("x: 1\n")
    assert helm_chart_of(chart / "templates" / "a.yaml") is None  # no Chart.yaml: no chart
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    assert helm_chart_of(chart / "templates" / "a.yaml") == chart
    assert helm_chart_of(chart / "templates" / "tests" / "t.yaml") == chart
    assert helm_chart_of(chart / "crds" / "c.yaml") is None  # plain objects Helm installs as is
    assert helm_chart_of(chart / "values.yaml") is None
    assert not holds_objects(chart / "templates" / "a.yaml")
    assert holds_objects(chart / "crds" / "c.yaml")
