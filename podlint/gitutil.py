"""The repository around the linted files: its root, and the files changed against a ref."""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from podlint.source.manifest import MANIFEST_SUFFIXES


class GitError(Exception):
    """git is missing, the directory is not a repository, or the ref is unknown."""


def repository_root(start: Path | None = None) -> Path:
    """The closest directory holding ``.git`` at or above ``start`` (default: the working
    directory), or ``start`` itself outside a repository."""
    return _root((start or Path.cwd()).resolve())


@cache
def _root(here: Path) -> Path:
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return here


class OutsideRepository(ValueError):
    """A path named by a repository's own file that leads out of that repository."""


def confined(entry: str, origin: Path) -> Path:
    """The path ``entry`` names, relative to the directory of the file ``origin``, which
    must stay inside the repository holding ``origin`` (symbolic links followed).

    Configuration and policy files are content of the repository being linted, which on a
    pull request anyone can write; they must not make podlint read files elsewhere.
    """
    base = origin.resolve().parent
    root = repository_root(base)
    target = (base / entry).resolve()
    if not target.is_relative_to(root):
        raise OutsideRepository(
            f'"{entry}" is outside the repository ({root}); a file in the repository may only '
            "name paths inside it"
        )
    return target


def relative_path(path: str, root: Path) -> str:
    """``path`` relative to ``root`` with forward slashes, or as given when outside it."""
    if path.startswith("<"):
        return path
    try:
        return Path(os.path.abspath(path)).relative_to(root).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _git(args: list[str], cwd: Path) -> str:
    import subprocess

    try:
        completed = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise GitError("git is not installed (needed for --changed-since and --base)") from None
    if completed.returncode != 0:
        message = completed.stderr.strip().splitlines()
        raise GitError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return completed.stdout


def is_revision(name: str, cwd: Path | None = None) -> bool:
    """Whether ``name`` names a commit in the repository around ``cwd``."""
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"], cwd or Path.cwd())
    except GitError:
        return False
    return True


def changed_files(ref: str, paths: Iterable[str] = (".",), cwd: Path | None = None) -> list[str]:
    """Manifests under ``paths`` that differ from the merge-base of ``ref`` and HEAD, in the
    working tree (committed, staged, unstaged or untracked; deleted files are left out),
    as paths relative to the working directory, sorted."""
    here = (cwd or Path.cwd()).resolve()
    top = Path(_git(["rev-parse", "--show-toplevel"], here).strip())
    base = _git(["merge-base", ref, "HEAD"], here).strip()
    listed = _git(["diff", "--name-only", "-z", "--diff-filter=ACMRT", base, "--"], top)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    names = {name for name in (listed + untracked).split("\0") if name}
    scopes = [Path(os.path.abspath(here / p)) for p in paths]
    found = []
    for name in sorted(names):
        absolute = top / name
        if not name.endswith(MANIFEST_SUFFIXES) or not absolute.is_file():
            continue
        if not any(absolute == scope or scope in absolute.parents for scope in scopes):
            continue
        found.append(os.path.relpath(absolute, here))
    return found
