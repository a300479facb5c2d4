"""--fix on the real-world corpus: with every fix of the hardened policy, no file reads worse.

Each fixed text must have no more reading problems and the same number of objects, and no fix
may be refused by the check under it (a refusal here means a fix placed its edit wrongly on a
real manifest).
"""

from __future__ import annotations

from pathlib import Path

from podlint.fixes import Reading, fix_text
from podlint.runtime import Options, build_engine
from podlint.source.files import discover
from podlint.source.manifest import read_text
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"


def test_fixing_the_corpus_never_makes_a_file_worse() -> None:
    engine = build_engine(Options(policy="hardened"))
    applied = refused = changed = 0
    for path in discover([str(CORPUS)]):
        if not isinstance(path, Path):
            continue
        text = read_text(path.read_bytes())
        if not isinstance(text, str):
            continue
        name = str(path)
        outcome = fix_text(engine, name, text, unsafe=True)
        applied += outcome.applied
        refused += outcome.refused
        if outcome.text == text:
            continue
        changed += 1
        before, after = Reading.of(text, name), Reading.of(outcome.text, name)
        for rule, count in after.problems.items():
            assert count <= before.problems[rule], f"{name}: {rule}"
        assert len(after.documents) == len(before.documents), name
    assert refused == 0
    # Measured 2026-12-06: 3,282 fixes in 526 files; a large drop means fixes stopped applying.
    assert applied > 3000 and changed > 500, (applied, changed)
