"""Pinning the enabled pss-* rules to one policy version (``--pss-version``)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from podlint.registry import Registry
    from podlint.runtime import Options

RULE_PREFIX = "pss-"


def with_pss_version(options: Options, version: str, registry: Registry) -> Options:
    """Options whose enabled pss-* rules evaluate policy ``version``."""
    return dataclasses.replace(
        options, rule_options=(*options.rule_options, (RULE_PREFIX + "*", {"version": version}))
    )
