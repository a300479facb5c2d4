"""Lint speed: podlint over a directory, side by side with the bare C-accelerated compose.

Prints documents/second, MB/second, peak memory, and the ratio of `podlint lint` to composing
the same files with ruamel.yaml's C composer (the floor any position-aware reader pays).

    python bench/bench_lint.py ../shared/corpus
    python bench/bench_lint.py --generate 10000
    python bench/bench_lint.py --small examples/good/web-deployment.yaml
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ruamel.yaml import YAML

HERE = Path(__file__).resolve().parent
GENERATED = HERE / ".generated"
ROOT = HERE.parent


def as_installed() -> dict[str, str]:
    """The environment for a podlint process as installed from a wheel: its byte code compiled
    and kept, as pip does on install (with PYTHONDONTWRITEBYTECODE set, every process would
    compile each module from source again)."""
    compileall.compile_dir(str(ROOT / "podlint"), quiet=1)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{n}
  namespace: team-{team}
  labels: {{app: app-{n}, team: team-{team}}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: app-{n}}}
  template:
    metadata:
      labels: {{app: app-{n}}}
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
      - name: app
        image: registry.example.com/app-{n}:{version}
        ports:
        - {{name: http, containerPort: 8080}}
        env:
        - {{name: LOG_LEVEL, value: info}}
        resources:
          requests: {{cpu: 100m, memory: 128Mi}}
          limits: {{memory: 256Mi}}
        readinessProbe:
          httpGet: {{path: /ready, port: http}}
      - name: proxy
        image: envoyproxy/envoy:v1.31.0
"""


def manifest_files(root: Path) -> list[Path]:
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".json")
    )


def generate(documents: int, per_file: int = 10) -> Path:
    target = GENERATED / f"docs-{documents}"
    if target.is_dir() and len(list(target.iterdir())) == -(-documents // per_file):
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for start in range(0, documents, per_file):
        docs = [
            TEMPLATE.format(n=n, team=n % 17, version="latest" if n % 7 == 0 else f"1.{n % 50}.0")
            for n in range(start, min(start + per_file, documents))
        ]
        (target / f"apps-{start // per_file:05d}.yaml").write_text("---\n".join(docs))
    return target


def bare_compose_seconds(files: list[Path]) -> tuple[float, float, int]:
    """Wall and CPU seconds of composing every file, and the number of documents."""
    yaml = YAML(typ="safe", pure=False)
    documents = 0
    started, started_cpu = time.perf_counter(), time.process_time()
    for path in files:
        try:
            for node in yaml.compose_all(path.read_text(encoding="utf-8")):
                documents += node is not None
        except Exception:  # the corpus has a few files the composer refuses
            continue
    return time.perf_counter() - started, time.process_time() - started_cpu, documents


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Runs podlint in the child and reports the child's own high-water mark (VmHWM is reset at
# exec; getrusage would also count the pages the child inherited from this process at fork).
_MEASURED = (
    "import sys\n"
    "from podlint.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')]\n"
    "sys.stderr.write('PEAK ' + (hwm[0].split()[1] if hwm else '0') + '\\n')\n"
    "raise SystemExit(code)\n"
)


def podlint_run(target: Path, extra: list[str]) -> tuple[float, float, int, str]:
    """Wall and CPU seconds and peak RSS (KiB) of one `podlint lint` process, and its
    summary line."""
    command = [sys.executable, "-c", _MEASURED, "lint", "--fail-on", "never", *extra, str(target)]
    started, started_cpu = time.perf_counter(), _children_cpu()
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, env=as_installed()
    )
    elapsed, cpu = time.perf_counter() - started, _children_cpu() - started_cpu
    if result.returncode != 0:
        raise SystemExit(f"podlint failed: {result.stderr[-2000:]}")
    peaks = [line.split()[1] for line in result.stderr.splitlines() if line.startswith("PEAK ")]
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    return elapsed, cpu, int(peaks[-1]) if peaks else 0, summary


def bench_directory(target: Path, repeat: int, extra: list[str]) -> None:
    files = manifest_files(target)
    size = sum(p.stat().st_size for p in files)
    composes, lints, compose_cpus, lint_cpus = [], [], [], []
    peak = 0
    summary = ""
    documents = 0
    for _ in range(repeat):  # interleaved, so both sides see the same machine load
        seconds, cpu, documents = bare_compose_seconds(files)
        composes.append(seconds)
        compose_cpus.append(cpu)
        seconds, cpu, peak, summary = podlint_run(target, extra)
        lints.append(seconds)
        lint_cpus.append(cpu)
    compose_s, lint_s = min(composes), min(lints)
    compose_cpu, lint_cpu = min(compose_cpus), min(lint_cpus)
    print(f"target: {target} ({len(files)} files, {documents} documents, {size / 1e6:.1f} MB)")
    print(f"podlint: {summary}")
    print(f"bare C compose: {compose_s:.2f} s (best of {repeat})")
    print(f"podlint lint:   {lint_s:.2f} s (best of {repeat}, whole process)")
    print(f"ratio lint/compose: {lint_s / compose_s:.2f}x")
    # CPU time (user+sys) is less sensitive than wall time to other work on the machine.
    print(
        f"CPU: bare C compose {compose_cpu:.2f} s, podlint lint {lint_cpu:.2f} s "
        f"(best of {repeat}), ratio {lint_cpu / compose_cpu:.2f}x"
    )
    # Each round runs both back to back: the median of the rounds' ratios is the figure least
    # moved by a machine whose speed drifts from minute to minute.
    rounds = zip(lint_cpus, compose_cpus, strict=True)
    paired = statistics.median(lint / compose for lint, compose in rounds)
    print(f"CPU ratio per round: median {paired:.2f}x over {repeat} rounds")
    print(f"throughput: {documents / lint_s:,.0f} documents/s, {size / 1e6 / lint_s:.2f} MB/s")
    print(f"peak memory (VmHWM of the lint process): {peak / 1024:.0f} MiB")


def bench_small(path: Path, repeat: int) -> None:
    env = as_installed()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).parent / "podlint"), "lint", "--fail-on", "never", str(path)],
            capture_output=True,
            check=True,
            env=env,
        )
        times.append(time.perf_counter() - started)
    print(
        f"podlint lint {path}: median {statistics.median(times) * 1000:.0f} ms, "
        f"min {min(times) * 1000:.0f} ms over {repeat} runs (wall, whole process)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", type=Path)
    parser.add_argument("--generate", type=int, help="lint a generated corpus of N documents")
    parser.add_argument("--small", type=Path, help="time `podlint lint` on one small file")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--policy", default=None, help="pass --policy to podlint")
    parser.add_argument("--select", default=None, help="pass --select to podlint")
    parser.add_argument(
        "--jobs", default="1", help="pass --jobs to podlint (default 1: per core, as the compose)"
    )
    args = parser.parse_args()
    extra = ["--jobs", args.jobs]
    extra += ["--policy", args.policy] if args.policy else []
    extra += ["--select", args.select] if args.select else []
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    if args.small:
        bench_small(args.small, max(args.repeat, 10))
    if args.generate:
        bench_directory(generate(args.generate), args.repeat, extra)
    if args.target:
        bench_directory(args.target, args.repeat, extra)


if __name__ == "__main__":
    main()
