"""Start-up: one small file, whole process, paired with bare interpreter baselines.

Each round runs every command once, in a rotating order, so a busy machine slows all of them
alike; the medians and the ratios to the baselines are the figures to compare. Byte code is
compiled first and kept (``PYTHONDONTWRITEBYTECODE`` is removed from the children's
environment), as an installed wheel has it.

    python bench/bench_startup.py
    python bench/bench_startup.py --rounds 40 examples/good/nightly-cronjob.yaml
    python bench/bench_startup.py --extra "podlint lint --policy hardened {file}"
    python bench/bench_startup.py --instructions   # valgrind: instructions, load-independent

On a loaded machine wall and even CPU time swing widely; ``--instructions`` counts the
instructions each command executes (valgrind's cachegrind, once per command), which does not
depend on the load.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_lint import as_installed

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


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        raise SystemExit(f"{shlex.join(argv)} failed ({child.returncode})")
    return elapsed, usage.ru_utime + usage.ru_stime


def instructions(argv: list[str], env: dict[str, str]) -> int:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("--instructions needs valgrind on PATH")
    done = subprocess.run(
        [
            valgrind,
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            "--trace-children=yes",  # through env(1) and console-script launchers
            *argv,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    found = re.findall(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if not found:
        raise SystemExit(f"no instruction count from valgrind: {done.stderr[-500:]}")
    return sum(int(count.replace(",", "")) for count in found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument(
        "--extra", action="append", default=[], help="another command; {file} is the file"
    )
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions with valgrind instead"
    )
    args = parser.parse_args()

    env = as_installed()
    table = commands(args.file, args.extra)
    names = list(table)
    if args.instructions:
        for name in names:  # the first run may write byte code and the data cache
            run_once(table[name], env)
        counts = {name: instructions(table[name], env) for name in names}
        width = max(len(name) for name in names)
        print(f"{'instructions':<{width}}  millions  ÷ python  ÷ ruamel")
        for name in names:
            count = counts[name]
            print(
                f"{name:<{width}}  {count / 1e6:8.1f}  {count / counts[names[0]]:6.2f}x"
                f"  {count / counts[names[1]]:6.2f}x"
            )
        return
    times: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for name in names:  # warm the page cache and any first-run cache
        run_once(table[name], env)
    for round_ in range(args.rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            wall, used = run_once(table[name], env)
            times[name].append(wall)
            cpu[name].append(used)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.rounds} rounds, load average {load:.1f}, {os.cpu_count()} cores")
    width = max(len(name) for name in names)
    for label, table_ in (("wall", times), ("CPU (user+sys)", cpu)):
        medians = {name: statistics.median(values) for name, values in table_.items()}
        bare, ruamel = medians[names[0]], medians[names[1]]
        print(f"{label:<{width}}  median    min       ÷ python  ÷ ruamel")
        for name in names:
            median = medians[name]
            print(
                f"{name:<{width}}  {median * 1e3:6.1f} ms {min(table_[name]) * 1e3:6.1f} ms"
                f"  {median / bare:6.2f}x  {median / ruamel:6.2f}x"
            )


if __name__ == "__main__":
    main()
