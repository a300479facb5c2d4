"""Which files a lint run reads."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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
                if filename in KUSTOMIZATION_FILES:
                    patches.update(kustomize_patches(candidate))
                if filename.endswith(MANIFEST_SUFFIXES) and _inside(candidate, real_root):
                    entries.append(candidate)
    except OSError as error:
        yield PathError(str(root), error.strerror or str(error))
        return
    yield from sorted(entry for entry in entries if entry.resolve() not in patches)


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
