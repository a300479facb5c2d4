"""podlint beside its peers on the same manifests: kubeconform and checkov, when on PATH.

Each round runs every tool once, whole processes, the order rotating from round to round so
that all of them meet the same machine load; medians of wall time, CPU time (user+sys, with
the tool's own child processes) and peak memory are printed, with each peer's ratio to
podlint. A peer that is not on PATH is skipped and named.

    python bench/bench_peers.py ../shared/corpus
    python bench/bench_peers.py --generate 20000 --kubeconform-schemas DIR
    python bench/bench_peers.py ../shared/corpus --rounds 5 --podlint-args "--jobs 1"

kubeconform is a Go binary (https://github.com/yannh/kubeconform); give it schemas converted
from the kubernetes-validate release podlint reads (``--kubeconform-schemas``, a directory
written by ``bench/kubeconform_schemas.py``), or it fetches its own. Both tools are told the
same ``--kubernetes-version``. checkov is on PyPI
(``pip install checkov``, best in a virtual environment of its own).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_lint import as_installed, generate, manifest_files


@dataclass
class Tool:
    name: str
    command: list[str]
    env: dict[str, str] | None = None
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)  # KiB

    def run_once(self) -> None:
        started = time.perf_counter()
        process = subprocess.Popen(
            self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        self.walls.append(time.perf_counter() - started)
        self.cpus.append(usage.ru_utime + usage.ru_stime)
        self.peaks.append(usage.ru_maxrss)


def tools(target: Path, args: argparse.Namespace) -> tuple[list[Tool], list[str]]:
    podlint = Path(sys.executable).parent / "podlint"
    found = [
        Tool(
            "podlint",
            [
                str(podlint),
                *("lint", "--fail-on", "never", "--format", "json", "--quiet"),
                *("--kubernetes-version", args.kubernetes_version),
                *shlex.split(args.podlint_args),
                str(target),
            ],
            env=as_installed(),
        )
    ]
    missing = []
    kubeconform = shutil.which("kubeconform")
    if kubeconform is None:
        missing.append("kubeconform (a Go binary: https://github.com/yannh/kubeconform)")
    else:
        command = [kubeconform, "-summary", "-ignore-missing-schemas"]
        command += ["-kubernetes-version", f"{args.kubernetes_version}.0"]
        if args.kubeconform_schemas:
            command += ["-schema-location", str(args.kubeconform_schemas)]
        found.append(Tool("kubeconform", [*command, str(target)]))
        if args.kubeconform_schemas:
            found.append(Tool("kubeconform -strict", [*command, "-strict", str(target)]))
    checkov = shutil.which("checkov")
    if checkov is None:
        missing.append("checkov (pip install checkov)")
    else:
        found.append(
            Tool(
                "checkov",
                [checkov, "--quiet", "--compact", "--framework", "kubernetes", "-d", str(target)],
            )
        )
    return found, missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", type=Path)
    parser.add_argument("--generate", type=int, help="a generated tree of N documents instead")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--kubeconform-schemas",
        type=Path,
        default=None,
        help="a directory written by bench/kubeconform_schemas.py",
    )
    parser.add_argument("--kubernetes-version", default="1.35", help="MAJOR.MINOR, for both")
    parser.add_argument("--podlint-args", default="", help='e.g. "--jobs 1" or "--select schema"')
    args = parser.parse_args()
    if args.generate:
        target = generate(args.generate)
    elif args.target:
        target = args.target
    else:
        parser.error("give a directory or --generate N")
    files = manifest_files(target)
    size = sum(f.stat().st_size for f in files)
    found, missing = tools(target, args)
    print(f"target: {target} ({len(files)} files, {size / 1e6:.1f} MB); {os.cpu_count()} cpus")
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for name in missing:
        print(f"skipped, not on PATH: {name}")
    for round_ in range(args.rounds):
        shift = round_ % len(found)
        for tool in found[shift:] + found[:shift]:
            tool.run_once()
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    podlint = found[0]
    base_wall = statistics.median(podlint.walls)
    base_cpu = statistics.median(podlint.cpus)
    print(
        f"\n| tool | wall (median of {args.rounds}) | podlint ÷ tool (wall) | CPU "
        "| podlint ÷ tool (CPU) | peak |\n| --- | --- | --- | --- | --- | --- |"
    )
    for tool in found:
        wall = statistics.median(tool.walls)
        cpu = statistics.median(tool.cpus)
        print(
            f"| {tool.name} | {wall:.2f} s | {base_wall / wall:.2f}x | {cpu:.2f} s "
            f"| {base_cpu / cpu:.2f}x | {max(tool.peaks) / 1024:.0f} MiB |"
        )


if __name__ == "__main__":
    main()
