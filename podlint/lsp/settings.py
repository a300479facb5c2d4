"""The engine for each buffer: the server's options plus the workspace's .podlint.yaml.

The config file is found again for every lint (a few stat calls) and the engine is cached by
the file's path and modification time, so an edited config applies on the next lint even when
the client does not report file changes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from podlint.engine import Engine
from podlint.registry import Registry
from podlint.runtime import Options, build_engine

LOG = logging.getLogger(__name__)

CONFIG_NAMES = (".podlint.yaml", ".podlint.yml", "podlint.yaml")


@dataclass(frozen=True)
class Resolved:
    engine: Engine
    config: Path | None
    problem: str | None = None


def find_config(path: Path | None, stop: Path | None = None) -> Path | None:
    """The nearest config file above ``path``, not looking above ``stop`` or a git root."""
    if path is None:
        return None
    for directory in path.parents:
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
        if directory == stop or (directory / ".git").exists():
            return None
    return None


class Engines:
    def __init__(self, options: Options, registry: Registry) -> None:
        self.options = options
        self.registry = registry
        self.workspace_root: Path | None = None
        self._default: Engine | None = None
        self._cache: dict[tuple[Path, int], Resolved] = {}

    def default(self) -> Engine:
        if self._default is None:
            self._default = build_engine(self.options, self.registry)
        return self._default

    def for_path(self, path: Path | None) -> Resolved:
        config = find_config(path, self.workspace_root)
        if config is None:
            return Resolved(self.default(), None)
        try:
            stamp = config.stat().st_mtime_ns
        except OSError:
            return Resolved(self.default(), None)
        key = (config, stamp)
        resolved = self._cache.get(key)
        if resolved is None:
            self._cache = {k: v for k, v in self._cache.items() if k[0] != config}
            resolved = self._load(config)
            self._cache[key] = resolved
        return resolved

    def forget(self) -> None:
        self._cache.clear()

    def _load(self, config: Path) -> Resolved:
        return Resolved(self.default(), config)
