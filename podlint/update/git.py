"""Reading the manifests of a git revision (the old side of ``podlint lint --base REF``)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

from podlint.source.manifest import MANIFEST_SUFFIXES


class GitError(Exception):
    """git is missing, the directory is not in a repository, or the revision is unknown."""


def _git(args: list[str], cwd: Path, data: bytes | None = None) -> bytes:
    try:
        completed = subprocess.run(
            ["git", *args], cwd=cwd, input=data, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise GitError("git is not installed (--base reads the old files with git)") from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return completed.stdout


def repository_root(cwd: Path) -> Path:
    try:
        out = _git(["rev-parse", "--show-toplevel"], cwd)
    except GitError as error:
        raise GitError(f"--base needs a git repository: {cwd.resolve()}: {error}") from None
    return Path(out.decode("utf-8").strip())


def manifest_files(ref: str, paths: list[str], cwd: Path) -> list[str]:
    """Repository paths of the manifests under ``paths`` in revision ``ref``.

    Hidden directories are skipped, as in a lint run.
    """
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd)
    except GitError:
        raise GitError(f"unknown git revision {ref!r}") from None
    out = _git(["ls-tree", "-r", "-z", "--full-name", "--name-only", ref, "--", *paths], cwd)
    names = [name for name in out.decode("utf-8", "replace").split("\0") if name]
    return sorted(
        name
        for name in names
        if name.endswith(MANIFEST_SUFFIXES)
        and not any(part.startswith(".") for part in name.split("/")[:-1])
    )


def read_files(ref: str, names: list[str], cwd: Path) -> Iterator[tuple[str, bytes]]:
    """(repository path, content) of each file at ``ref``, read with one ``git cat-file``."""
    if not names:
        return
    request = "".join(f"{ref}:{name}\n" for name in names).encode("utf-8")
    out = _git(["cat-file", "--batch"], cwd, request)
    position = 0
    for name in names:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue
        size = int(header[2])
        yield name, out[position : position + size]
        position += size + 1


def renamed_from(ref: str, top: Path) -> dict[str, str]:
    """New repository path -> old repository path, for files renamed since ``ref`` (committed,
    staged or not), as git's rename detection sees them."""
    out = _git(["diff", "-M", "--name-status", "-z", ref, "--"], top)
    fields = out.decode("utf-8", "replace").split("\0")
    renames: dict[str, str] = {}
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        if status.startswith(("R", "C")) and index + 2 < len(fields):
            renames[fields[index + 2]] = fields[index + 1]
            index += 3
        else:
            index += 2
    return renames
