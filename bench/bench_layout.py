"""What a file is (kustomize patch, Helm template, manifest): its cost per file, and splitting
``helm template`` output by ``# Source:``.

Every linted file looks at the directories above it for kustomizations and a Helm chart, so
the figure that matters is the time per file of a directory walk, cold (first lookup of each
directory) and warm (directories already seen, as in one run over many files).

    python bench/bench_layout.py ../shared/corpus
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from podlint.source import layout
from podlint.source.files import discover
from podlint.source.rendered import split_rendered


def per_file(files: list[Path], *, cold: bool) -> float:
    if cold:
        layout.clear_cache()
    start = time.process_time()
    for path in files:
        layout.kustomize_patch(path)
        layout.helm_chart_of(path)
    return (time.process_time() - start) / len(files)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files = [p for p in discover([args.root]) if isinstance(p, Path)]
    cold = [per_file(files, cold=True) for _ in range(args.repeat)]
    warm = [per_file(files, cold=False) for _ in range(args.repeat)]
    print(f"{len(files)} files under {args.root}")
    print(f"layout lookup, cold: {statistics.median(cold) * 1e6:.0f} us/file (median CPU)")
    print(f"layout lookup, warm: {statistics.median(warm) * 1e6:.0f} us/file (median CPU)")
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    rendered = "".join(
        f"---\n# Source: chart/templates/{i}.yaml\n{text}\n" for i, text in enumerate(texts)
    )
    start = time.process_time()
    parts = split_rendered(rendered)
    elapsed = time.process_time() - start
    size = len(rendered.encode("utf-8")) / 1e6
    print(
        f"split_rendered: {size:.1f} MB into {len(parts or [])} templates "
        f"in {elapsed * 1e3:.0f} ms CPU"
    )


if __name__ == "__main__":
    main()
