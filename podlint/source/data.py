"""Podlint's own YAML data files (rule cards, policies, config), read fast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

_LOADER: YAML | None = None


def load_yaml_file(path: Path) -> Any:
    global _LOADER
    if _LOADER is None:
        _LOADER = YAML(typ="safe", pure=False)
    with path.open("rb") as handle:
        return _LOADER.load(handle)
