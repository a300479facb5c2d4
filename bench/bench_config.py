"""Cost of configuration discovery, suppression and report formats in `podlint lint`.

Copies a corpus into a temporary git repository with a `.podlint.yaml` at its root and one
in a subdirectory, then times whole `podlint lint` processes side by side (interleaved, best
of N): with the configuration files, with `--no-config`, with SARIF+JUnit written as well,
and the bare C-accelerated compose of the same files for scale. Also times one small file.

    python bench/bench_config.py ../shared/corpus --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ruamel.yaml import YAML

# Changes severities only, so both sides run the same rules and the difference is the
# configuration layer itself (a category or glob with a severity would enable more rules).
CONFIG = """\
extends: default
rules:
  latest-image-tag: error
  missing-image: warning
per-file-ignores:
  '**/test/**': [latest-image-tag]
"""


def manifest_files(root: Path) -> list[Path]:
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".json")
    )


def bare_compose(files: list[Path]) -> float:
    yaml = YAML(typ="safe", pure=False)
    started = time.perf_counter()
    for path in files:
        try:
            for _ in yaml.compose_all(path.read_text(encoding="utf-8")):
                pass
        except Exception:  # a few corpus files are refused by the composer
            continue
    return time.perf_counter() - started


def podlint(cwd: Path, *args: str) -> float:
    command = [str(Path(sys.executable).parent / "podlint"), "lint", "--fail-on", "never", *args]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"podlint failed: {result.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--small", type=Path, default=Path("examples/good/web-deployment.yaml"))
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    with tempfile.TemporaryDirectory() as temp:
        repo = Path(temp) / "repo"
        shutil.copytree(args.corpus, repo / "manifests")
        (repo / ".git").mkdir()
        (repo / ".podlint.yaml").write_text(CONFIG)
        first_dir = next(p for p in sorted((repo / "manifests").iterdir()) if p.is_dir())
        (first_dir / ".podlint.yaml").write_text("extends: default\nfail-on: never\n")
        shutil.copy(args.small.resolve(), repo / "small.yaml")
        files = manifest_files(repo / "manifests")
        runs: dict[str, list[float]] = {
            "bare C compose": [],
            "lint --no-config": [],
            "lint (2 config files)": [],
            "lint + sarif + junit files": [],
        }
        for _ in range(args.repeat):
            runs["bare C compose"].append(bare_compose(files))
            runs["lint --no-config"].append(podlint(repo, "--no-config", "manifests"))
            runs["lint (2 config files)"].append(podlint(repo, "manifests"))
            runs["lint + sarif + junit files"].append(
                podlint(
                    repo,
                    "--format",
                    "text",
                    "--format",
                    "sarif",
                    "-o",
                    "out.sarif",
                    "--format",
                    "junit",
                    "-o",
                    "out.xml",
                    "manifests",
                )
            )
        base = min(runs["bare C compose"])
        print(f"corpus: {len(files)} files")
        for name, times in runs.items():
            print(f"{name:28s} {min(times):7.2f} s  ({min(times) / base:.2f}x bare compose)")
        for label, extra in (("with config", ()), ("--no-config", ("--no-config",))):
            small = [podlint(repo, *extra, "small.yaml") for _ in range(max(args.repeat, 10))]
            print(
                f"one small file, {label}: median {statistics.median(small) * 1000:.0f} ms, "
                f"min {min(small) * 1000:.0f} ms (wall, whole process)"
            )


if __name__ == "__main__":
    main()
