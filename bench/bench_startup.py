"""Start-up: one small file, whole process, paired with bare interpreter baselines.

Each round runs every command once, in a rotating order, so a busy machine slows all of them
alike; the medians and the ratios to the baselines are the figures to compare. Byte code is
compiled first and kept (``PYTHONDONTWRITEBYTECODE`` is removed from the children's
environment), as an installed wheel has it.

    python bench/bench_startup.py
    python bench/bench_startup.py --rounds 40 examples/good/nightly-cronjob.yaml
    python bench/bench_startup.py --extra "podlint lint --policy hardened {file}"
"""

from __future__ import annotations

import argparse
import compileall
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_FILE = ROOT / "examples" / "good" / "web-deployment.yaml"


def commands(file: Path, extra: list[str]) -> dict[str, list[str]]:
    podlint = shutil.which("podlint") or ""
    lint = [podlint, "lint", str(file)] if podlint else [sys.executable, "-m", "podlint"]
    if not podlint:
        lint += ["lint", str(file)]
    result = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import ruamel.yaml'": [sys.executable, "-c", "import ruamel.yaml"],
        f"podlint lint {file.name}": lint,
    }
    for line in extra:
        result[line.replace("{file}", file.name)] = shlex.split(line.replace("{file}", str(file)))
    return result


def run_once(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{shlex.join(argv)} failed ({done.returncode}): {done.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument(
        "--extra", action="append", default=[], help="another command; {file} is the file"
    )
    args = parser.parse_args()

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(str(ROOT / "podlint"), quiet=1)
    table = commands(args.file, args.extra)
    names = list(table)
    times: dict[str, list[float]] = {name: [] for name in names}
    for name in names:  # warm the page cache and any first-run cache
        run_once(table[name], env)
    for round_ in range(args.rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(run_once(table[name], env))

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.rounds} rounds, load average {load:.1f}, {os.cpu_count()} cores")
    medians = {name: statistics.median(values) for name, values in times.items()}
    bare, ruamel = medians[names[0]], medians[names[1]]
    width = max(len(name) for name in names)
    print(f"{'command':<{width}}  median    min       ÷ python  ÷ ruamel")
    for name in names:
        median = medians[name]
        print(
            f"{name:<{width}}  {median * 1e3:6.1f} ms {min(times[name]) * 1e3:6.1f} ms"
            f"  {median / bare:6.2f}x  {median / ruamel:6.2f}x"
        )


if __name__ == "__main__":
    main()
