"""Podlint's own YAML data files (rule cards, policies, fixture settings), read fast.

They are read with the same C composer and YAML 1.1 scalar rules as manifests, so a policy's
``off`` means what it means in a manifest (false), and reading ~100 cards at start-up stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from podlint.source.compose import compose, make_composer, to_data


def load_yaml_file(path: Path) -> Any:
    """The data of a one-document YAML file; raises ComposeError or OSError when unreadable."""
    root = compose(make_composer(), path.read_text(encoding="utf-8"))
    return None if root is None else to_data(root).data
