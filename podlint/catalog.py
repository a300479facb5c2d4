"""Where the shipped rule catalog and policies are: the wheel, or the source tree."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    shipped = _PACKAGE / "_catalog" / name
    if shipped.is_dir():
        return shipped
    return _PACKAGE.parent / name


def rules_dir() -> Path:
    return _data_dir("rules")


def policies_dir() -> Path:
    return _data_dir("policies")
