"""What `--fix` does to a real corpus: fixes applied (safe only, then with unsafe ones), fixes
refused by the check every fixed text passes, and the CPU time taken (process time: the
machine is shared). Nothing is written.

    python bench/bench_fix.py ../shared/corpus --policy hardened
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from podlint.fixes import Reading, fix_text
from podlint.lint import lint_text
from podlint.runtime import Options, build_engine
from podlint.source.files import discover
from podlint.source.manifest import read_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--policy", default="hardened")
    args = parser.parse_args()
    engine = build_engine(Options(policy=args.policy))
    texts = []
    for path in discover([args.corpus]):
        if isinstance(path, Path):
            text = read_text(path.read_bytes())
            if isinstance(text, str):
                texts.append((str(path), text))
    print(f"corpus: {args.corpus} ({len(texts)} files), policy {args.policy}")
    started = time.process_time()
    for name, text in texts:
        lint_text(engine, name, text)
    lint_seconds = time.process_time() - started
    print(f"lint alone: {lint_seconds:.2f} s")
    for unsafe in (False, True):
        applied: Counter[str] = Counter()
        files = refused = left = worse = 0
        started = time.process_time()
        for name, text in texts:
            outcome = fix_text(engine, name, text, unsafe=unsafe)
            if outcome.text != text:
                files += 1
                before, after = Reading.of(text, name), Reading.of(outcome.text, name)
                if any(n > before.problems[r] for r, n in after.problems.items()) or len(
                    after.documents
                ) != len(before.documents):
                    worse += 1
            applied["fixes"] += outcome.applied
            refused += outcome.refused
            left += outcome.unsafe_left
        seconds = time.process_time() - started
        label = "--fix --unsafe-fixes" if unsafe else "--fix"
        print(
            f"{label}: {applied['fixes']} fixes in {files} files, {left} unsafe left out, "
            f"{refused} refused, {worse} files read worse; {seconds:.2f} s "
            f"({seconds / lint_seconds:.1f}x lint alone)"
        )


if __name__ == "__main__":
    main()
