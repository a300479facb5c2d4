"""``helm template`` output cut into one text per template."""

from __future__ import annotations

from pathlib import Path

from podlint.source.rendered import chart_dir_of, split_rendered

OUTPUT = """\
---
# Source: web/templates/worker.yaml
apiVersion: v1
kind: ConfigMap
---
# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
---
# Source: web/templates/worker.yaml
apiVersion: apps/v1
kind: Deployment
---
# Source: web/charts/redis/templates/redis.yaml
apiVersion: apps/v1
kind: StatefulSet
"""


def test_one_text_per_template_in_order_of_first_appearance() -> None:
    rendered = split_rendered(OUTPUT)
    assert rendered is not None
    assert [(t.path, t.text) for t in rendered] == [
        (
            "web/templates/worker.yaml",
            "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: apps/v1\nkind: Deployment\n",
        ),
        ("web/templates/service.yaml", "apiVersion: v1\nkind: Service\n"),
        ("web/charts/redis/templates/redis.yaml", "apiVersion: apps/v1\nkind: StatefulSet\n"),
    ]


def test_the_chart_directory_replaces_the_chart_name(tmp_path: Path) -> None:
    rendered = split_rendered(OUTPUT, Path("deploy/web"))
    assert rendered is not None
    assert [t.path for t in rendered] == [
        "deploy/web/templates/worker.yaml",
        "deploy/web/templates/service.yaml",
        "deploy/web/charts/redis/templates/redis.yaml",
    ]


def test_windows_line_ends_and_text_before_the_first_source() -> None:
    text = "kind: A\r\n---\r\n# Source: web/templates/a.yaml\r\nkind: B\r\n"
    rendered = split_rendered(text)
    assert rendered is not None
    assert [(t.path, t.text) for t in rendered] == [
        ("", "kind: A\r\n"),
        ("web/templates/a.yaml", "kind: B\r\n"),
    ]


def test_a_last_document_without_a_line_end_is_kept_apart() -> None:
    text = "---\n# Source: w/templates/a.yaml\nkind: A\n---\n# Source: w/templates/a.yaml\nkind: B"
    rendered = split_rendered(text)
    assert rendered is not None and rendered[0].text == "kind: A\n---\nkind: B"


def test_other_input_is_not_helm_output() -> None:
    assert split_rendered("apiVersion: v1\nkind: Pod\n") is None
    assert split_rendered("---\n# a comment\napiVersion: v1\n") is None
    assert split_rendered("apiVersion: v1\n# Source: x/templates/a.yaml\n") is None


def test_chart_dir_of_a_stdin_filename(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    assert chart_dir_of(str(tmp_path / "web")) is None
    (tmp_path / "web" / "Chart.yaml").write_text("name: web\n")
    assert chart_dir_of(str(tmp_path / "web")) == tmp_path / "web"
    assert chart_dir_of(str(tmp_path / "web" / "Chart.yaml")) == tmp_path / "web"
    assert chart_dir_of("all.yaml") is None and chart_dir_of(None) is None
