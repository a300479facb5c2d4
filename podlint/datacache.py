"""A per-user cache of podlint's own parsed data files (the rule catalogue, the compact form
of the Kubernetes schemas).

Composing about a hundred rule cards with the YAML reader was a tenth of the start-up of a
one-file run; their data, written once as JSON, reads back in a few milliseconds. An entry is
keyed by podlint's version and each file's path, size and modification time, so an edited,
added or removed card (or another install of the package that ships a data file) is read
again. The cache is only ever a shortcut: a missing, unreadable,
damaged or unwritable cache means the files are parsed as before.

The directory is ``$PODLINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/podlint``, else
``~/.cache/podlint`` (``%LOCALAPPDATA%\\podlint\\cache`` on Windows); ``PODLINT_CACHE_DIR=``
(empty) turns the cache off.
"""

from __future__ import annotations

import json
import logging
import os
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from podlint import __version__

LOG = logging.getLogger(__name__)

# Bump when the meaning of a cached entry changes (not needed for a new podlint version).
_FORMAT = 1
# Entries of other keys older than this are removed when a new entry is written.
_STALE_SECONDS = 30 * 24 * 3600


def cache_dir() -> Path | None:
    explicit = os.environ.get("PODLINT_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) if explicit else None
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "podlint" / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if base.startswith("~"):  # no home directory to expand
        return None
    return Path(base) / "podlint"


def _key(kind: str, paths: Sequence[Path]) -> str | None:
    parts = [f"{_FORMAT}", __version__, kind]
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            return None
        parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts)


def load_cached(kind: str, paths: Sequence[Path], parse: Callable[[Path], Any]) -> list[Any]:
    """``[parse(path) for path in paths]``, from the cache when these files were parsed before.

    ``parse`` must return plain JSON data (dicts with string keys, lists, strings, numbers,
    booleans, None); an answer that would not read back equal is never cached. Exceptions
    from ``parse`` propagate, and nothing is cached for that set of files.
    """
    data = load_derived(kind, paths, lambda: [parse(path) for path in paths])
    if isinstance(data, list) and len(data) == len(paths):
        return data
    return [parse(path) for path in paths]  # an entry damaged in place


def load_derived(kind: str, paths: Sequence[Path], build: Callable[[], Any]) -> Any:
    """``build()``, a value derived from the files ``paths`` (and only from them and podlint's
    version), from the cache when it was built from the same files before.

    ``build`` must return plain JSON data (dicts with string keys, lists, strings, numbers,
    booleans, None); an answer that would not read back equal is never cached. Exceptions
    from ``build`` propagate, and nothing is cached for that set of files.
    """
    directory = cache_dir()
    key = _key(kind, paths) if directory is not None else None
    if directory is None or key is None:
        return build()
    # The file name only spreads entries; the key inside decides.
    entry = directory / f"{kind}-{zlib.crc32(key.encode()):08x}.json"
    try:
        cached = json.loads(entry.read_bytes())
        if cached["key"] == key and "value" in cached:
            return cached["value"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    value = build()
    _write(directory, entry, kind, {"key": key, "value": value})
    return value


def _write(directory: Path, entry: Path, kind: str, value: dict[str, Any]) -> None:
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        if json.loads(text) != value:
            return
        directory.mkdir(parents=True, exist_ok=True)
        temporary = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, entry)
        _prune(directory, kind, keep=entry)
    except (OSError, ValueError, TypeError) as error:
        LOG.debug("cannot cache %s in %s: %s", kind, directory, error)


def _prune(directory: Path, kind: str, keep: Path) -> None:
    cutoff = time.time() - _STALE_SECONDS
    for other in directory.glob(f"{kind}-*.json"):
        try:
            if other != keep and other.stat().st_mtime < cutoff:
                other.unlink()
        except OSError:
            continue
