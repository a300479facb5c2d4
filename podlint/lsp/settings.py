"""The engine for each buffer: the server's options plus the workspace's .podlint.yaml.

``podlint.config.ConfigResolver`` finds the closest configuration file for every lint and
re-reads it when its modification time changes, so a saved config applies on the next lint
even when the client does not report file changes. A config file that cannot be used leaves
the buffer linted with the server's own options, and its problems are reported in place.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from podlint.config import CONFIG_NAMES, ConfigError, ConfigResolver, clear_caches
from podlint.engine import Engine
from podlint.model.span import Span
from podlint.registry import Registry
from podlint.runtime import Options, build_engine

LOG = logging.getLogger(__name__)

__all__ = ["CONFIG_NAMES", "Engines", "Resolved"]


@dataclass(frozen=True)
class Resolved:
    engine: Engine
    config: Path | None = None
    problems: tuple[tuple[Span | None, str], ...] = field(default=())
    message: str | None = None


class Engines:
    def __init__(
        self,
        options: Options,
        registry: Registry,
        *,
        explicit: Collection[str] = (),
        config_file: Path | None = None,
        use_config: bool = True,
    ) -> None:
        self.options = options
        self.registry = registry
        self.workspace_root: Path | None = None
        self.resolver = ConfigResolver(
            options,
            explicit=explicit,
            config_file=config_file,
            use_config=use_config,
            registry=registry,
        )
        self._default: Engine | None = None

    def default(self) -> Engine:
        if self._default is None:
            self._default = build_engine(self.options, self.registry)
        return self._default

    def for_path(self, path: Path | None) -> Resolved:
        """The engine for a file; buffers without a file use the workspace's configuration."""
        if path is None:
            if self.workspace_root is None:
                return Resolved(self.default())
            path = self.workspace_root / "untitled.yaml"
        try:
            engine = self.resolver.engine_for(path)
        except ConfigError as error:
            LOG.warning("%s", error)
            return Resolved(self.default(), error.path, tuple(error.problems), str(error))
        return Resolved(engine)

    def forget(self) -> None:
        """A configuration file was created, changed or deleted."""
        clear_caches()
