"""Hostile input: time and peak memory of `podlint lint` as hostile inputs grow.

Each input is linted by a fresh `python -m podlint lint` process (all rules, JSON report to
/dev/null), and its wall time and peak resident memory are printed per size, with the time
per unit: a constant last column is linear time. Sizes double, so a quadratic cost shows as a
per-unit time that doubles too.

    python bench/bench_hostile.py              # every family, default sizes
    python bench/bench_hostile.py --quick      # the two smallest sizes of each
    python bench/bench_hostile.py separators pods
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p{n}
spec:
  containers:
  - name: app
    image: nginx:1.27
"""


def separators(n: int) -> str:
    return "---\n" * n


def pods(n: int) -> str:
    return "---\n".join(POD.format(n=i) for i in range(n))


def containers(n: int) -> str:
    items = "".join(
        f"  - name: c{i}\n    image: nginx:latest\n    ports:\n    - containerPort: {1024 + i}\n"
        f"      name: p{i}\n    volumeMounts:\n    - {{name: v, mountPath: /m{i}}}\n"
        f"    livenessProbe: {{httpGet: {{port: p{i}}}}}\n"
        for i in range(n)
    )
    head = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: wide\nspec:\n  containers:\n"
    return head + items + "  volumes:\n  - {name: v, emptyDir: {}}\n"


def labels(n: int) -> str:
    keys = "".join(f"    'bad key {i}': x\n" for i in range(n))
    return POD.format(n=0).replace("  name: p0\n", "  name: p0\n  labels:\n" + keys)


def aliases(n: int) -> str:
    anchor = "  annotations: {x: &c {name: app, image: 'nginx:latest'}}\n"
    body = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n" + anchor + "spec:\n  containers:\n"
    return body + "  - *c\n" * n


def brackets(n: int) -> str:
    return "a: " + "[" * n + "]" * n + "\n"


FAMILIES: dict[str, tuple[Callable[[int], str], list[int], str]] = {
    "separators": (separators, [12_500, 25_000, 50_000, 100_000], "'---' line"),
    "pods": (pods, [2_500, 5_000, 10_000, 20_000], "Pod"),
    "containers": (containers, [250, 500, 1_000, 2_000], "container"),
    "labels": (labels, [2_000, 4_000, 8_000, 16_000], "label"),
    "aliases": (aliases, [5_000, 10_000, 20_000, 40_000], "alias"),
    "brackets": (brackets, [7_500, 15_000, 30_000, 60_000], "bracket"),
}


def measure(path: Path) -> tuple[float, float, int]:
    """(seconds, peak MiB, exit code) of one lint in a fresh process."""
    command = [
        sys.executable, "-m", "podlint", "lint", "--select", "*", "--format", "json",
        "--output", os.devnull, "--max-file-size", str(64 << 20), str(path),
    ]  # fmt: skip
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, child.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("families", nargs="*", choices=[*FAMILIES, []], default=[])
    parser.add_argument("--quick", action="store_true", help="only the two smallest sizes")
    args = parser.parse_args()
    chosen = args.families or list(FAMILIES)
    print(
        f"{'input':<11} {'size':>8} {'bytes':>11} {'seconds':>8} {'peak MiB':>9} "
        f"{'us/unit':>8} exit"
    )
    with tempfile.TemporaryDirectory() as directory:
        for family in chosen:
            build, sizes, unit = FAMILIES[family]
            for size in sizes[:2] if args.quick else sizes:
                path = Path(directory) / f"{family}-{size}.yaml"
                path.write_text(build(size))
                seconds, peak, code = measure(path)
                per_unit = seconds / size * 1e6
                print(
                    f"{family:<11} {size:>8,} {path.stat().st_size:>11,} {seconds:>8.2f} "
                    f"{peak:>9.0f} {per_unit:>8.1f} {code:>4}   per {unit}"
                )
                path.unlink()


if __name__ == "__main__":
    main()
