"""``podlint diff OLD NEW`` and the old side of ``podlint lint --base REF``.

Both run the lint pipeline over the new files (so formats, ``--fail-on``, configuration and
suppressions behave as in ``lint``) with engines that also compare each object with its
previous version. ``diff`` reports only what the comparison finds (and input that cannot be
read); ``lint --base`` adds it to the usual findings.
"""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import click

from podlint.engine import Engine
from podlint.source.files import HelmTemplate, PathError, discover
from podlint.source.layout import holds_objects
from podlint.source.manifest import DEFAULT_MAX_BYTES, MANIFEST_SUFFIXES
from podlint.update.engine import UpdateEngine
from podlint.update.git import (
    GitError,
    manifest_files,
    read_files,
    renamed_from,
    repository_root,
)
from podlint.update.run import OldObjects

EXIT_USAGE = 2


EngineFor = Callable[[str], Engine]


@dataclass(frozen=True)
class _OldSide:
    objects: OldObjects
    lint: bool


# Set by ``diff`` around its run of ``lint``: the old side read from files, not from git.
_OLD_SIDE: contextvars.ContextVar[_OldSide | None] = contextvars.ContextVar(
    "podlint_old_side", default=None
)


def _fail(message: str) -> NoReturn:
    click.echo(f"podlint: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def read_git_base(ref: str, paths: Sequence[str], max_bytes: int = DEFAULT_MAX_BYTES) -> OldObjects:
    """The objects of the manifests under ``paths`` at revision ``ref``."""
    cwd = Path.cwd()
    top = repository_root(cwd)
    names = [p for p in paths if p != "-"] or ["."]
    try:
        files = manifest_files(ref, names, cwd)
        files = sorted({*files, *_rename_sources(ref, names, top)})
    except GitError as error:
        raise GitError(f"--base {ref}: {error}") from None
    old = OldObjects()
    for name, data in read_files(ref, files, top):
        if not holds_objects(top / name):
            continue
        old.add_text(f"{ref}:{name}", data, max_bytes)
    return old


def _rename_sources(ref: str, names: Sequence[str], top: Path) -> list[str]:
    """Old paths of manifests renamed into the linted paths, so that a file given by name
    (as pre-commit does) is still compared with its previous version."""
    wanted = []
    for name in names:
        try:
            wanted.append(Path(name).resolve().relative_to(top.resolve()).as_posix())
        except ValueError:
            continue
    sources = []
    for new_path, old_path in renamed_from(ref, top).items():
        inside = any(w == "." or new_path == w or new_path.startswith(w + "/") for w in wanted)
        if inside and old_path.endswith(MANIFEST_SUFFIXES):
            sources.append(old_path)
    return sources


def read_paths(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> OldObjects:
    """The objects of the manifests in a file or directory (the OLD side of ``diff``)."""
    old = OldObjects()
    for found in discover([path]):
        if isinstance(found, PathError):
            old.add_error(found.path, found.reason)
            continue
        if isinstance(found, HelmTemplate) or not holds_objects(found):
            continue
        try:
            data = found.read_bytes()
        except OSError as error:
            old.add_error(str(found), error.strerror or str(error))
            continue
        old.add_text(str(found), data, max_bytes)
    return old


def with_base(
    ref: str, paths: Sequence[str], engine_for: Engine | EngineFor, max_bytes: int
) -> EngineFor:
    """``engine_for`` wrapped so that every engine also compares against ``ref``.

    Reads the old side at once: a git error ends the run with exit code 2.
    """
    side = _OLD_SIDE.get()
    if side is None:
        try:
            side = _OldSide(read_git_base(ref, paths, max_bytes), lint=True)
        except GitError as error:
            _fail(str(error))
    for problem in side.objects.problems:
        click.echo(f"podlint: warning: not compared: {problem}", err=True)
    wrapped: dict[int, UpdateEngine] = {}

    def engine(path: str) -> Engine:
        inner = engine_for if isinstance(engine_for, Engine) else engine_for(path)
        found = wrapped.get(id(inner))
        if found is None:
            assert side is not None
            found = UpdateEngine.around(inner, side.objects, lint=side.lint)
            wrapped[id(inner)] = found
        return found

    return engine


@click.command(
    context_settings={
        "ignore_unknown_options": True,
        "allow_interspersed_args": False,
        "help_option_names": ["-h", "--help"],
    }
)
@click.argument("old", type=click.Path(exists=True))
@click.argument("new")
@click.argument("lint_options", nargs=-1, type=click.UNPROCESSED)
def diff(old: str, new: str, lint_options: tuple[str, ...]) -> None:
    """Report what the apiserver would refuse when OLD is updated to NEW.

    OLD and NEW are files or directories. Objects are matched by API group, kind, namespace
    and name, whichever file they are in; findings point into NEW. Objects only in OLD or
    only in NEW are deletions and creations, not findings. LINT_OPTIONS are those of
    'podlint lint' (--format, --output, --fail-on, --policy, --kubernetes-version, --select,
    --ignore, --config, --strict, ...).
    """
    root = click.get_current_context().find_root().command
    max_bytes = _max_file_size(lint_options)
    token = _OLD_SIDE.set(_OldSide(read_paths(old, max_bytes), lint=False))
    try:
        # The lint command of the same command group, which exits with its code.
        root.main(args=["lint", new, "--base", old, *lint_options], prog_name="podlint")
    finally:
        _OLD_SIDE.reset(token)


def _max_file_size(options: Sequence[str]) -> int:
    for index, option in enumerate(options):
        value = None
        if option == "--max-file-size" and index + 1 < len(options):
            value = options[index + 1]
        elif option.startswith("--max-file-size="):
            value = option.partition("=")[2]
        if value is not None and value.isdigit():
            return int(value)
    return DEFAULT_MAX_BYTES
