"""Which files a lint run reads."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from podlint.source.layout import helm_chart_of
from podlint.source.manifest import MANIFEST_SUFFIXES


@dataclass(frozen=True, slots=True)
class PathError:
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
    visited = {real_root}
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
                if filename.endswith(MANIFEST_SUFFIXES) and _inside(candidate, real_root):
                    entries.append(candidate)
    except OSError as error:
        yield PathError(str(root), error.strerror or str(error))
        return
    for entry in sorted(entries):
        yield _unless_template(entry)


def _inside(path: Path, real_root: Path) -> bool:
    if not path.is_symlink():
        return True
    try:
        return path.resolve().is_relative_to(real_root)
    except (OSError, RuntimeError):
        return False
