"""What a file is in the repository around it: a kustomize patch, a Helm chart template, or a
manifest.

A kustomize patch is a fragment that kustomize merges into a resource; a Helm template is a
text Helm renders into manifests. Neither is an object the apiserver receives as written, so
the answer depends only on the directories above the file, whichever way the file is named
(a directory walk, the command line, ``--changed-since``, pre-commit, the editor).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podlint.source.manifest import MANIFEST_SUFFIXES

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
CHART_FILE = "Chart.yaml"
# The keys of a kustomization (or a Component's) that name patch files.
_PATCH_KEYS = ("patches", "patchesStrategicMerge", "patchesJson6902")


@dataclass(frozen=True, slots=True)
class Patch:
    """A file a kustomization uses as a patch.

    ``target`` is the kustomization entry's target selector (kind, group, version, name, ...):
    what a JSON 6902 patch applies to; ``None`` when the entry names none.
    """

    kustomization: Path
    key: str
    target: Mapping[str, Any] | None = None

    @property
    def json6902(self) -> bool:
        return self.key == "patchesJson6902"


def holds_objects(path: Path) -> bool:
    """Whether the file's objects are objects as written: neither a Helm template nor a
    kustomize patch (sides of an update comparison are made of such objects only)."""
    return helm_chart_of(path) is None and kustomize_patch(path) is None


def helm_chart_of(path: Path) -> Path | None:
    """The chart directory when ``path`` is a template of a Helm chart (a file below a
    ``templates/`` directory that has a ``Chart.yaml`` beside it), else None."""
    absolute = os.path.abspath(path)
    if "templates" not in absolute:  # most files: no directory to look at
        return None
    directory = os.path.dirname(absolute)
    while True:
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        if os.path.basename(directory) == "templates" and os.path.isfile(
            os.path.join(parent, CHART_FILE)
        ):
            return Path(parent)
        directory = parent


def kustomize_patch(path: Path) -> Patch | None:
    """How a kustomization in the file's directory or above it uses ``path`` as a patch, or
    None. kustomize reads files only inside a kustomization's own tree (its default load
    restrictor), so only the directories above the file can name it; the search stops at
    the repository root."""
    # Plain strings rather than Path objects: this runs for every file of a lint run.
    absolute = os.path.abspath(path)
    resolved: Path | None = None
    directory = os.path.dirname(absolute)
    while True:
        names, repository_root = _directory(directory)
        for name in names:
            patches = _patches(Path(directory, name))
            if not patches:
                continue
            if resolved is None:
                try:
                    resolved = Path(absolute).resolve()
                except (OSError, RuntimeError):
                    return None
            found = patches.get(resolved)
            if found is not None:
                return found
        parent = os.path.dirname(directory)
        if repository_root or parent == directory:
            return None
        directory = parent


def kustomize_patches(kustomization: Path) -> dict[Path, Patch]:
    """The patch files a kustomization names (resolved paths)."""
    return dict(_patches(kustomization))


_CACHE: dict[Path, tuple[tuple[int, int], dict[Path, Patch]]] = {}
# directory -> (its mtime, the kustomization files in it, whether it holds .git): one stat
# per directory above each file while nothing was added or removed there.
_DIRECTORIES: dict[str, tuple[int, tuple[str, ...], bool]] = {}


def _directory(directory: str) -> tuple[tuple[str, ...], bool]:
    try:
        mtime = os.stat(directory).st_mtime_ns
    except OSError:
        return (), False
    cached = _DIRECTORIES.get(directory)
    if cached is not None and cached[0] == mtime:
        return cached[1], cached[2]
    names = tuple(
        name for name in KUSTOMIZATION_FILES if os.path.exists(os.path.join(directory, name))
    )
    repository_root = os.path.exists(os.path.join(directory, ".git"))
    _DIRECTORIES[directory] = (mtime, names, repository_root)
    return names, repository_root


def _patches(kustomization: Path) -> dict[Path, Patch]:
    # Re-read when the file changes: the language server outlives many edits of it.
    try:
        info = kustomization.stat()
    except OSError:
        return {}
    if not stat.S_ISREG(info.st_mode):
        return {}  # reading a named pipe nobody writes to would wait forever
    stamp = (info.st_mtime_ns, info.st_size)
    cached = _CACHE.get(kustomization)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    patches = _read_patches(kustomization)
    _CACHE[kustomization] = (stamp, patches)
    return patches


def _read_patches(kustomization: Path) -> dict[Path, Patch]:
    from podlint.source.data import load_yaml_file

    try:
        data = load_yaml_file(kustomization)
    except Exception:  # an unreadable kustomization makes nothing a patch
        return {}
    if not isinstance(data, dict):
        return {}
    base = kustomization.parent
    found: dict[Path, Patch] = {}
    for key in _PATCH_KEYS:
        for name, target in _entries(data.get(key)):
            try:
                resolved = (base / name).resolve()
            except (OSError, RuntimeError):
                continue
            found.setdefault(resolved, Patch(kustomization, key, target))
    return found


def _entries(value: Any) -> Iterable[tuple[str, Mapping[str, Any] | None]]:
    """(file name, target) of each entry that names a file (inline patches name none)."""
    if not isinstance(value, list):
        return
    for entry in value:
        target = None
        if isinstance(entry, dict):
            raw_target = entry.get("target")
            target = raw_target if isinstance(raw_target, dict) else None
            entry = entry.get("path")
        if isinstance(entry, str) and "\n" not in entry and entry.endswith(MANIFEST_SUFFIXES):
            yield entry, target


def clear_cache() -> None:
    """Forget every kustomization read (tests; a long-lived process re-reads changed ones)."""
    _CACHE.clear()
    _DIRECTORIES.clear()
