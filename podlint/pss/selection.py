"""Pinning the enabled pss-* rules to one policy version (``--pss-version``)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from podlint.registry import Registry
    from podlint.runtime import Options

RULE_PREFIX = "pss-"


def with_pss_version(options: Options, version: str, registry: Registry) -> Options:
    """Options whose enabled pss-* rules evaluate policy ``version``.

    The layer names the enabled rules exactly: an options-only entry for a rule the policy
    does not enable would enable it.
    """
    from podlint.runtime import build_engine

    enabled = build_engine(options, registry).settings
    layer = {
        rule_id: {"options": {"version": version}}
        for rule_id in sorted(enabled)
        if rule_id.startswith(RULE_PREFIX)
    }
    return dataclasses.replace(
        options, extra_layers=(*options.extra_layers, ("--pss-version", layer))
    )
