"""Linting files in worker processes, for runs large enough to gain from them.

Workers are forked from the process that built the engines, so each starts with them built
(and with the garbage collector's start-up freeze) and nothing but file paths and results
cross between processes. Results come back in the order of the files, so the formatters see
exactly what a serial run gives them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from podlint.engine import Engine
    from podlint.lint import _Linted

# Below this many bytes of input a pool costs more than it saves: forking the workers and
# shipping the results back takes about as long as linting that much in one process
# (measured: bench/bench_jobs.py, BENCHMARKS.md).
MIN_POOL_BYTES = 512 * 1024
# Files handed to a worker at a time: few enough to keep both workers busy to the end.
_CHUNK_FILES = 4

_engine_for: Callable[[str], Engine] | None = None
_max_bytes = 0
_strict = False


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def worth_a_pool(files: Sequence[Path], jobs: int) -> bool:
    """Whether ``files`` are enough work for ``jobs`` processes to finish sooner than one."""
    if jobs < 2 or len(files) < 2:
        return False
    total = 0
    for path in files:
        try:
            total += path.stat().st_size
        except OSError:
            continue
        if total >= MIN_POOL_BYTES:
            return can_fork()
    return False


def lint_in_workers(
    engine_for: Callable[[str], Engine],
    files: Sequence[Path],
    jobs: int,
    max_bytes: int,
    strict: bool,
) -> Iterator[_Linted]:
    """The result of each file, in the order of ``files``, linted by ``jobs`` processes."""
    global _engine_for, _max_bytes, _strict
    _engine_for, _max_bytes, _strict = engine_for, max_bytes, strict
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with context.Pool(min(jobs, len(files))) as pool:
        yield from pool.imap(_lint_one, files, chunksize=_CHUNK_FILES)


def _lint_one(path: Path) -> _Linted | None:
    from podlint.lint import _lint_path_here

    assert _engine_for is not None
    try:
        engine = _engine_for(str(path))
    except Exception:
        # The run stops at this file: the parent process meets the same mistake first.
        return None
    return _lint_path_here(engine, path, _max_bytes, _strict)
