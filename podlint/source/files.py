"""Which files a lint run reads."""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from podlint.source.layout import helm_chart_of
from podlint.source.manifest import MANIFEST_SUFFIXES


@dataclass(frozen=True, slots=True)
class PathError:
    """A path that cannot be linted, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class HelmTemplate:
    """A template of a Helm chart: not linted, since Helm renders it into the manifests."""

    path: str
    chart: Path


Found = Path | PathError | HelmTemplate


def discover(paths: list[str]) -> Iterator[Found]:
    """Files named directly, and manifests below directories (recursive, sorted).

    Inside a directory, symbolic links are followed only while they stay within that tree.
    Templates of a Helm chart are left out however they are named (kustomize patches are not:
    they are linted as fragments, see ``podlint.fragment``).
    """
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists():
            yield _unless_template(path)
        else:
            yield PathError(name, "no such file or directory")


def _unless_template(path: Path) -> Path | HelmTemplate:
    chart = helm_chart_of(path)
    if chart is None:
        return path
    relative = Path(os.path.relpath(chart))
    return HelmTemplate(str(path), chart if relative.parts[:1] == ("..",) else relative)


def _walk(root: Path) -> Iterator[Found]:
    real_root = root.resolve()
    entries: list[Path] = []
    # Directories by device and inode: a link back up the tree is entered once.
    visited = {_identity(root)}
    skipped: list[PathError] = []
    try:
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=None):
            here = Path(dirpath)
            kept = []
            for dirname in dirnames:
                if dirname.startswith("."):
                    continue
                child = here / dirname
                identity = _identity(child)
                if identity not in visited and _inside(child, real_root):
                    visited.add(identity)
                    kept.append(dirname)
            dirnames[:] = sorted(kept)
            for filename in filenames:
                if not filename.endswith(MANIFEST_SUFFIXES):
                    continue
                candidate = here / filename
                try:
                    link = os.lstat(candidate)
                except OSError:
                    link = None  # gone since the listing: reading it reports why
                if link is not None and stat.S_ISREG(link.st_mode):
                    entries.append(candidate)  # most files: no link to follow, nothing special
                    continue
                kind = _special_kind(candidate)
                if kind is not None:
                    # Nobody may ever write to a FIFO: reading it would wait forever.
                    skipped.append(PathError(str(candidate), f"{kind}, not a file; skipped"))
                elif _inside(candidate, real_root):
                    entries.append(candidate)
    except OSError as error:
        yield PathError(str(root), error.strerror or str(error))
        return
    yield from skipped
    for entry in sorted(entries):
        yield _unless_template(entry)


_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _special_kind(path: Path) -> str | None:
    """What a path in a directory tree is when it is not a regular file (or a directory)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # reading it reports why
    return next((kind for test, kind in _SPECIAL_KINDS if test(mode)), None)


@dataclass(frozen=True, slots=True)
class TooLarge:
    """Input over the size bound; ``size`` is None for a stream that was not read to its end."""

    size: int | None


_CHUNK = 1 << 16


def read_bounded(path: Path, max_bytes: int) -> bytes | TooLarge:
    """The bytes of a named file, reading at most ``max_bytes + 1`` of them.

    A regular file's size is known before reading. Pipes (``<(helm template ...)``) and
    devices (``/dev/zero``) are read until the bound; a named pipe nobody writes to reads as
    empty instead of waiting forever. Raises OSError.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(descriptor)
        regular = stat.S_ISREG(info.st_mode)
        if regular and info.st_size > max_bytes:
            return TooLarge(info.st_size)
        os.set_blocking(descriptor, True)
        # A regular file's size is known: it is read whole at once (and then to its end).
        first = info.st_size + 1 if regular else _CHUNK
        return _read_chunks(functools.partial(os.read, descriptor), max_bytes, first)
    finally:
        os.close(descriptor)


def read_stream(stream: BinaryIO, max_bytes: int) -> bytes | TooLarge:
    """At most ``max_bytes`` bytes of a stream, or TooLarge when it holds more."""
    return _read_chunks(stream.read, max_bytes, _CHUNK)


def _read_chunks(read: Callable[[int], bytes], max_bytes: int, first: int) -> bytes | TooLarge:
    """What ``read`` gives up to its end, asking for ``first`` bytes first, or TooLarge beyond
    ``max_bytes``."""
    chunks: list[bytes] = []
    total = 0
    size = first
    while total <= max_bytes:
        chunk = read(min(size, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        size = _CHUNK
    if total > max_bytes:
        return TooLarge(None)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _identity(directory: Path) -> tuple[int, int] | Path:
    try:
        info = os.stat(directory)
    except OSError:
        return directory  # listing it will fail too, and be passed over
    return info.st_dev, info.st_ino


def _inside(path: Path, real_root: Path) -> bool:
    if not path.is_symlink():
        return True
    try:
        return path.resolve().is_relative_to(real_root)
    except (OSError, RuntimeError):
        return False
