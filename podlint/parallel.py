"""Linting files in worker processes, for runs large enough to gain from them.

Workers are forked from the process that built the engines, so each starts with them built
(and with the garbage collector's start-up freeze) and nothing but file paths and results
cross between processes. Results come back in the order of the files, so the formatters see
exactly what a serial run gives them.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from podlint.engine import Engine
    from podlint.lint import _Linted

# Below this many bytes of input a pool costs more than it saves: forking the workers and
# shipping the results back takes about as long as linting that much in one process
# (measured: bench/bench_jobs.py, BENCHMARKS.md).
MIN_POOL_BYTES = 384 * 1024
# Bytes of files handed to a worker at a time: each hand-over costs the parent process about a
# millisecond, so a task carries many small files, while a large file still goes alone and
# both workers stay busy to the end.
BATCH_BYTES = 64 * 1024

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
) -> Iterator[_Linted | None]:
    """The result of each file, in the order of ``files``, linted by ``jobs`` processes
    (None where a worker could not build the file's engine).

    Each worker has a pipe of its own and is handed the next batch when it returns one, two
    batches ahead; the parent's only work is to pass batches and results along, in one
    thread (a multiprocessing.Pool's helper threads cost a fifth of a core on top).
    """
    global _engine_for, _max_bytes, _strict
    _engine_for, _max_bytes, _strict = engine_for, max_bytes, strict
    import multiprocessing
    from multiprocessing.connection import Connection, wait

    work = list(batches(files))
    context = multiprocessing.get_context("fork")
    workers: list[tuple[BaseProcess, Connection]] = []
    finished = False
    try:
        for _ in range(min(jobs, len(work))):
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs,), daemon=True)
            process.start()
            theirs.close()
            workers.append((process, ours))
        handed = 0
        for _ in range(_AHEAD):
            for _, connection in workers:
                if handed < len(work):
                    connection.send((handed, work[handed]))
                    handed += 1
        done: dict[int, list[_Linted | None]] = {}
        wanted = 0
        connections = [connection for _, connection in workers]
        while wanted < len(work):
            for ready in wait(connections):
                assert isinstance(ready, Connection)
                try:
                    index, results = ready.recv()
                except EOFError:
                    raise RuntimeError("a worker process ended before its work was done") from None
                if isinstance(results, BaseException):
                    raise results  # a podlint bug in the worker, raised here as a serial run would
                done[index] = results
                if handed < len(work):
                    ready.send((handed, work[handed]))
                    handed += 1
            while wanted in done:
                yield from done.pop(wanted)
                wanted += 1
        finished = True
    finally:
        for _, connection in workers:
            with contextlib.suppress(OSError):
                connection.send(None)
            connection.close()
        for worker, _ in workers:
            # Idle workers stop when told; after an interruption or an error they may be in the
            # middle of a batch nobody will read.
            if not finished:
                worker.kill()
            worker.join()


# Batches each worker holds at a time: one to lint while the other's results travel.
_AHEAD = 2


def _serve(connection: Connection) -> None:
    """A worker: lint each batch it is handed and send the results back, until told to stop."""
    # Ctrl-C reaches the whole process group: the parent alone answers it, and stops workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        task = connection.recv()
        if task is None:
            return
        index, paths = task
        try:
            results: list[_Linted | None] | Exception = _lint_batch(paths)
        except Exception as error:
            results = error
        connection.send((index, results))


def batches(files: Sequence[Path], size: int = BATCH_BYTES) -> Iterator[list[Path]]:
    """Consecutive files of about ``size`` bytes together, a larger file alone."""
    batch: list[Path] = []
    total = 0
    for path in files:
        with contextlib.suppress(OSError):
            total += path.stat().st_size
        batch.append(path)
        if total >= size:
            yield batch
            batch, total = [], 0
    if batch:
        yield batch


def _lint_batch(paths: list[Path]) -> list[_Linted | None]:
    from podlint.lint import _lint_path_here

    assert _engine_for is not None
    results: list[_Linted | None] = []
    for path in paths:
        try:
            engine = _engine_for(str(path))
        except Exception:
            # The run stops at this file: the parent process meets the same mistake first.
            results.append(None)
            break
        linted = _lint_path_here(engine, path, _max_bytes, _strict)
        result = linted.result
        if not result.findings and not result.suppressed and not linted.deferred:
            # Nothing will show an excerpt of it: the text need not travel back.
            result.text = None
        results.append(linted)
    return results
