"""Which files a lint run reads."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from podlint.source.manifest import MANIFEST_SUFFIXES


@dataclass(frozen=True, slots=True)
class PathError:
    path: str
    reason: str


def discover(paths: list[str]) -> Iterator[Path | PathError]:
    """Files named directly, and manifests below directories (recursive, sorted).

    Inside a directory, symbolic links are followed only while they stay within that tree, and
    files that a kustomization there uses as patches are left out: a patch is a fragment that
    kustomize merges into a resource, not an object the apiserver receives.
    """
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists():
            yield path
        else:
            yield PathError(name, "no such file or directory")


def _walk(root: Path) -> Iterator[Path | PathError]:
    real_root = root.resolve()
    entries: list[Path] = []
    patches: set[Path] = set()
    visited = {real_root}
    skipped: list[PathError] = []
    try:
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=None):
            here = Path(dirpath)
            kept = []
            for dirname in dirnames:
                child = here / dirname
                if dirname.startswith(".") or not _inside(child, real_root):
                    continue
                real_child = child.resolve()
                if real_child not in visited:
                    visited.add(real_child)
                    kept.append(dirname)
            dirnames[:] = sorted(kept)
            for filename in filenames:
                candidate = here / filename
                if filename.endswith(MANIFEST_SUFFIXES) or filename in KUSTOMIZATION_FILES:
                    kind = _special_kind(candidate)
                    if kind is not None:
                        # Nobody may ever write to a FIFO: reading it would wait forever.
                        skipped.append(PathError(str(candidate), f"{kind}, not a file; skipped"))
                        continue
                if filename in KUSTOMIZATION_FILES:
                    patches.update(kustomize_patches(candidate))
                if filename.endswith(MANIFEST_SUFFIXES) and _inside(candidate, real_root):
                    entries.append(candidate)
    except OSError as error:
        yield PathError(str(root), error.strerror or str(error))
        return
    yield from skipped
    yield from sorted(entry for entry in entries if entry.resolve() not in patches)


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
    with os.fdopen(descriptor, "rb", buffering=0) as handle:
        info = os.fstat(descriptor)
        if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
            return TooLarge(info.st_size)
        os.set_blocking(descriptor, True)
        return read_stream(handle, max_bytes)


def read_stream(stream: BinaryIO, max_bytes: int) -> bytes | TooLarge:
    """At most ``max_bytes`` bytes of a stream, or TooLarge when it holds more."""
    chunks: list[bytes] = []
    total = 0
    while total <= max_bytes:
        chunk = stream.read(min(_CHUNK, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > max_bytes:
        return TooLarge(None)
    return b"".join(chunks)


KUSTOMIZATION_FILES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})


def kustomize_patches(kustomization: Path) -> set[Path]:
    """Resolved paths of the patch files a kustomization names."""
    from podlint.source.data import load_yaml_file

    try:
        data = load_yaml_file(kustomization)
    except Exception:  # an unreadable kustomization hides nothing
        return set()
    if not isinstance(data, dict):
        return set()
    names: list[object] = []
    for key in ("patchesStrategicMerge", "patches", "patchesJson6902"):
        entries = data.get(key)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            names.append(entry.get("path") if isinstance(entry, dict) else entry)
    base = kustomization.parent
    return {
        (base / name).resolve()
        for name in names
        if isinstance(name, str) and "\n" not in name and name.endswith(MANIFEST_SUFFIXES)
    }


def _inside(path: Path, real_root: Path) -> bool:
    if not path.is_symlink():
        return True
    try:
        return path.resolve().is_relative_to(real_root)
    except (OSError, RuntimeError):
        return False
