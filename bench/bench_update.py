"""Update validation speed: check_update() per object pair, and `podlint diff` against `lint`.

check_update() is what the admission webhook calls on every UPDATE, so its cost per pair is
the figure that matters there; `podlint diff DIR DIR` is compared side by side with
`podlint lint DIR` (it reads both sides, so about twice the parsing is expected).

    python bench/bench_update.py ../shared/corpus
"""

from __future__ import annotations

import argparse
import copy
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from podlint.model.document import Document
from podlint.model.kinds import BUILTIN_POD_SPEC_POINTERS
from podlint.model.version import LATEST
from podlint.source.files import discover
from podlint.source.manifest import parse_text, read_text
from podlint.update import check_update


def corpus_objects(root: str) -> list[dict[str, Any]]:
    objects = []
    for path in discover([root]):
        if not isinstance(path, Path):
            continue
        text = read_text(path.read_bytes())
        if not isinstance(text, str):
            continue
        for item in parse_text(text, str(path)):
            if isinstance(item, Document) and item.kind in BUILTIN_POD_SPEC_POINTERS:
                objects.append(item.data)
    return objects


def changed(obj: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(obj)
    new.setdefault("metadata", {}).setdefault("labels", {})["bench"] = "changed"
    return new


def per_pair(pairs: list[tuple[dict[str, Any], dict[str, Any]]], rounds: int) -> float:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        for old, new in pairs:
            check_update(old, new, LATEST)
        timings.append((time.perf_counter() - start) / len(pairs))
    return statistics.median(timings)


def cpu(args: list[str], rounds: int) -> float:
    """Median CPU seconds (user + system) of a command: steadier than wall time on a shared
    machine."""
    timings = []
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(args, capture_output=True, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        timings.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    objects = corpus_objects(options.corpus)
    same = [(obj, obj) for obj in objects]
    edits = [(obj, changed(obj)) for obj in objects]
    print(f"pod-carrying objects: {len(objects)}")
    print(f"check_update, unchanged pair:   {per_pair(same, options.rounds) * 1e6:8.1f} us/pair")
    print(f"check_update, labels changed:   {per_pair(edits, options.rounds) * 1e6:8.1f} us/pair")
    podlint = str(Path(sys.executable).with_name("podlint"))
    corpus = options.corpus
    lint = cpu([podlint, "lint", "--no-config", corpus], options.rounds)
    diff = cpu([podlint, "diff", corpus, corpus, "--no-config"], options.rounds)
    print(f"podlint lint {corpus}: {lint:6.2f} s CPU")
    print(f"podlint diff {corpus} {corpus}: {diff:6.2f} s CPU ({diff / lint:.2f}x lint)")


if __name__ == "__main__":
    main()
