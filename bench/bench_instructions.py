"""Work for an instruction counter: compose or lint the first N manifest files of a directory.

Wall and CPU time on a shared machine are noisy; instruction counts are not. Run each mode
with N files and with 0 (start-up and one warm-up file only) under callgrind and subtract:

    valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        python bench/bench_instructions.py lint 10 bench/.generated/docs-20000
    valgrind ... python bench/bench_instructions.py lint 0 bench/.generated/docs-20000
    valgrind ... python bench/bench_instructions.py bare 10 bench/.generated/docs-20000

``bare`` composes with ruamel.yaml's C composer (as ``bench_lint.py`` does); ``lint`` runs
the default policy in process, as ``podlint lint`` does per file.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from bench_lint import manifest_files

from podlint.batch import tune_for_batch


def worker(mode: str, first: str) -> Callable[[str, str], None]:
    if mode == "bare":
        from ruamel.yaml import YAML

        yaml = YAML(typ="safe", pure=False)

        def compose(path: str, text: str) -> None:
            try:
                for _ in yaml.compose_all(text):
                    pass
            except Exception:  # the corpus has a few files the composer refuses
                pass

        return compose
    from podlint.config import ConfigResolver
    from podlint.lint import lint_text
    from podlint.runtime import Options

    resolver = ConfigResolver(Options(), explicit=(), config_file=None, use_config=False)
    engine = resolver.engine_for(first)

    def lint(path: str, text: str) -> None:
        lint_text(engine, path, text, fragment=False)

    return lint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("bare", "lint"))
    parser.add_argument("files", type=int, help="files to process after the warm-up file")
    parser.add_argument("target", type=Path)
    args = parser.parse_args()
    paths = manifest_files(args.target)[: args.files + 1]
    texts = [(str(p), p.read_text(encoding="utf-8", errors="replace")) for p in paths]
    work = worker(args.mode, texts[0][0])
    work(*texts[0])  # schemas, caches: what every run pays once
    tune_for_batch()
    for path, text in texts[1:]:
        work(path, text)


if __name__ == "__main__":
    main()
