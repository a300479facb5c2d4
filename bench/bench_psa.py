"""PSA conformance speed: every upstream fixture evaluated at its level and version.

Prints the time to evaluate all fixtures three ways, best of N rounds:

- ``verdict``: ``podlint.pss.evaluate`` on already-loaded pods (the policy logic alone);
- ``engine``: parse with positions and lint with the level's pss-* rules (what
  ``podlint lint --policy <level> --pss-version 1.<minor>`` does per file, minus process start);
- ``parse``: composing the same files with positions and nothing else (the floor of ``engine``).

    python bench/bench_psa.py                       # ../shared/conformance/psa
    python bench/bench_psa.py --rounds 5 PATH
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from podlint.engine import Engine
from podlint.lint import lint_bytes
from podlint.pss import evaluate, parse_pss_version, pod_from
from podlint.pss.selection import with_pss_version
from podlint.registry import default_registry
from podlint.runtime import Options, build_engine
from podlint.source.data import load_yaml_file
from podlint.source.manifest import parse_text

DEFAULT_ROOT = Path(__file__).resolve().parent.parent.parent / "shared" / "conformance" / "psa"
MAX_BYTES = 1024 * 1024


def _cases(root: Path) -> list[tuple[str, str, Path, bytes]]:
    cases = []
    for path in sorted(root.glob("*/v1.*/*/*.yaml")):
        level, version = path.parts[-4], path.parts[-3].removeprefix("v")
        cases.append((level, version, path, path.read_bytes()))
    return cases


def _engines(cases: list[tuple[str, str, Path, bytes]]) -> dict[tuple[str, str], Engine]:
    registry = default_registry()
    engines = {}
    for level, version, _, _ in cases:
        if (level, version) not in engines:
            options = with_pss_version(Options(policy=level), version, registry)
            engine = build_engine(options, registry)
            pss = {k: v for k, v in engine.settings.items() if k.startswith("pss-")}
            engines[level, version] = Engine(registry, pss, engine.kubernetes_version)
    return engines


def _best(rounds: int, run: Callable[[], Any]) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    cases = _cases(args.root)
    engines = _engines(cases)
    pods = [
        (level, parse_pss_version(version), load_yaml_file(path))
        for level, version, path, _ in cases
    ]

    def verdicts() -> int:
        return sum(
            bool(evaluate(pod_from(d.get("spec"), d.get("metadata")), level, minor))
            for level, minor, d in pods
        )

    def lint() -> int:
        return sum(
            bool(lint_bytes(engines[level, version], str(path), data, MAX_BYTES).findings)
            for level, version, path, data in cases
        )

    def parse() -> int:
        return sum(len(list(parse_text(data.decode(), str(path)))) for _, _, path, data in cases)

    denied = verdicts()
    assert denied == lint(), "the engine and the verdicts disagree"
    print(f"fixtures: {len(cases)} ({denied} denied), rounds: {args.rounds} (best shown)")
    for name, run in (("verdict", verdicts), ("engine", lint), ("parse", parse)):
        seconds = _best(args.rounds, run)
        rate = len(cases) / seconds
        print(f"{name:8} {seconds * 1000:8.1f} ms  {rate:9.0f} fixtures/s")


if __name__ == "__main__":
    main()
