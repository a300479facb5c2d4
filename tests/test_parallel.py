"""``podlint lint --jobs``: worker processes give the same report as one process."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from click.testing import CliRunner

from podlint.cli import cli
from podlint.lint import lint_sources
from podlint.parallel import MIN_POOL_BYTES, worth_a_pool
from podlint.registry import default_registry
from podlint.runtime import Options, build_engine

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{n}
  namespace: shop
spec:
  selector:
    matchLabels: {{app: web-{n}}}
  template:
    metadata:
      labels: {{app: web-{n}}}
    spec:
      containers:
      - name: web
        image: nginx:latest  # podlint: disable=latest-image-tag
        resources:
          requests: {{memory: 128Mi}}
      - name: proxy
        image: envoyproxy/envoy:latest
        securityContext: {{privileged: true}}
"""

# In another file than its Deployment: the HorizontalPodAutoscaler is judged against it only
# when the run-wide workload index holds what the workers collected.
AUTOSCALER = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web-{n}
  namespace: shop
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web-{n}}}
  maxReplicas: 10
  metrics:
  - type: Resource
    resource:
      name: cpu
      target: {{type: Utilization, averageUtilization: 70}}
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web-{n}
  namespace: shop
spec:
  selector: {{app: web-{n}}}
  ports:
  - {{port: 80, targetPort: 8080}}
"""

BROKEN = "apiVersion: v1\nkind: Pod\nmetadata: {name: [\n"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough files for a pool: deployments, their autoscalers, broken YAML, padding comments."""
    root = tmp_path_factory.mktemp("many")
    padding = "# " + "x" * 78 + "\n"
    for n in range(120):
        folder = root / f"app-{n % 7}"
        folder.mkdir(exist_ok=True)
        (folder / f"deploy-{n}.yaml").write_text(DEPLOYMENT.format(n=n) + padding * 60)
        (folder / f"hpa-{n}.yaml").write_text(AUTOSCALER.format(n=n))
        if n % 5 == 0:
            (folder / f"service-{n}.yaml").write_text(SERVICE.format(n=n))
        if n % 30 == 0:
            (folder / f"broken-{n}.yaml").write_text(BROKEN)
    return root


def lint(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["lint", *args], env={"NO_COLOR": "1"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_the_tree_is_large_enough_for_a_pool(tree: Path) -> None:
    files = sorted(tree.rglob("*.yaml"))
    assert sum(f.stat().st_size for f in files) > MIN_POOL_BYTES
    assert worth_a_pool(files, 2)
    assert not worth_a_pool(files, 1)
    assert not worth_a_pool(files[:3], 2)


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github", "junit"])
def test_jobs_give_the_serial_report_byte_for_byte(tree: Path, output_format: str) -> None:
    serial = lint("--format", output_format, "--jobs", "1", str(tree))
    parallel = lint("--format", output_format, "--jobs", "2", str(tree))
    assert serial[0] == 1
    assert "hpa-target-missing-requests" in serial[1]
    assert "yaml-syntax" in serial[1]
    assert parallel == serial


def test_every_cross_object_rule_sees_the_workloads_of_every_worker(tree: Path) -> None:
    cross = "hpa-target-missing-requests,service-target-missing-readiness"
    serial = lint("--select", cross, "--format", "json", "-j", "1", str(tree))
    parallel = lint("--select", cross, "--format", "json", "-j", "2", str(tree))
    assert parallel == serial
    assert serial[1].count('"service-target-missing-readiness"') == 24


def test_suppressions_and_baselines_hold_across_workers(tree: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    assert lint("--write-baseline", str(baseline), "-j", "2", str(tree))[0] == 0
    serial = lint("--baseline", str(baseline), "--show-suppressed", "-j", "1", str(tree))
    parallel = lint("--baseline", str(baseline), "--show-suppressed", "-j", "2", str(tree))
    assert parallel == serial
    assert "latest-image-tag" in serial[1]  # shown as suppressed
    assert "envoyproxy" not in serial[1]  # in the baseline


def test_a_large_run_uses_worker_processes_and_a_small_one_does_not(tree: Path) -> None:
    engine = build_engine(Options(), default_registry())

    def children_while_linting(paths: list[str]) -> int:
        results = lint_sources(engine, paths, jobs=2)
        next(results)  # the first file is linted here, before the workers are forked
        next(results, None)
        alive = len(multiprocessing.active_children())
        for _ in results:
            pass
        return alive

    assert children_while_linting([str(tree)]) == 2
    assert children_while_linting([str(next(tree.rglob("deploy-*.yaml")))]) == 0
    assert not multiprocessing.active_children()


def test_stdin_is_read_in_order_among_files(tree: Path) -> None:
    first = sorted(tree.rglob("deploy-*.yaml"))[0]
    args = ("--format", "json", str(tree), "-", str(first))
    runner = CliRunner()
    outputs = [
        runner.invoke(cli, ["lint", "-j", jobs, *args], input=DEPLOYMENT.format(n=0)).output
        for jobs in ("1", "2")
    ]
    assert outputs[0] == outputs[1]
    assert "<stdin>" in outputs[0]


def test_a_failure_in_a_worker_is_raised_in_the_run_and_stops_the_workers(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import podlint.lint

    engine = build_engine(Options(), default_registry())
    failing = sorted(tree.rglob("hpa-*.yaml"))[-1]
    real = podlint.lint._lint_path_here

    def lint_path(engine: object, path: Path, *args: object) -> object:
        if path == failing:
            raise ValueError(f"cannot lint {path.name}")
        return real(engine, path, *args)

    # The workers are forked from this process, so they run the replacement too.
    monkeypatch.setattr(podlint.lint, "_lint_path_here", lint_path)
    with pytest.raises(ValueError, match=failing.name):
        for _ in lint_sources(engine, [str(tree)], jobs=2):
            pass
    assert not multiprocessing.active_children()
