"""Where a pool of worker processes starts to pay: `podlint lint --jobs 1` and `--jobs N` side
by side on generated trees of growing size, with the pool forced on at every size.

Each size alternates the two runs (whole processes) and keeps the median wall and CPU time
(user+sys of the process and its workers). The smallest size where N processes finish first
is the line `podlint.parallel.MIN_POOL_BYTES` draws.

    python bench/bench_jobs.py                      # 2 .. 256 files of 10 documents
    python bench/bench_jobs.py --jobs 2 --repeat 5 --files 8,32,128
    python bench/bench_jobs.py --target ../shared/corpus
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_lint import as_installed, generate, manifest_files

# Runs podlint with the pool threshold lifted, so that small runs use the pool too.
_FORCED = (
    "import sys\n"
    "import podlint.parallel\n"
    "podlint.parallel.MIN_POOL_BYTES = 0\n"
    "from podlint.cli import main\n"
    "raise SystemExit(main(sys.argv[1:]))\n"
)


_ENV = as_installed()


def one_run(target: Path, jobs: int) -> tuple[float, float]:
    """Wall and CPU seconds of one whole `podlint lint` process (workers included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    command = [sys.executable, "-c", _FORCED, "lint", "--fail-on", "never", "--format", "json"]
    subprocess.run(
        [*command, "--jobs", str(jobs), str(target)],
        stdout=subprocess.DEVNULL,
        check=True,
        env=_ENV,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def compare(target: Path, jobs: int, repeat: int) -> None:
    files = manifest_files(target)
    size = sum(f.stat().st_size for f in files)
    serial: list[tuple[float, float]] = []
    pooled: list[tuple[float, float]] = []
    for _ in range(repeat):
        serial.append(one_run(target, 1))
        pooled.append(one_run(target, jobs))
    s_wall = statistics.median(w for w, _ in serial)
    p_wall = statistics.median(w for w, _ in pooled)
    s_cpu = statistics.median(c for _, c in serial)
    p_cpu = statistics.median(c for _, c in pooled)
    print(
        f"| {len(files)} | {size / 1024:.0f} KiB | {s_wall:.2f} s | {p_wall:.2f} s "
        f"| {p_wall / s_wall:.2f}x | {s_cpu:.2f} s | {p_cpu:.2f} s | {p_cpu / s_cpu:.2f}x |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--files", default="2,4,8,16,32,64,128,256")
    parser.add_argument("--target", type=Path, help="a directory instead of generated trees")
    args = parser.parse_args()
    print(
        f"| files | size | wall -j1 | wall -j{args.jobs} | ratio | CPU -j1 | CPU -j{args.jobs} "
        "| ratio |\n| --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    if args.target is not None:
        compare(args.target, args.jobs, args.repeat)
        return
    for files in (int(n) for n in args.files.split(",")):
        compare(generate(files * 10), args.jobs, args.repeat)


if __name__ == "__main__":
    main()
