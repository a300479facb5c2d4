"""Kubernetes versions podlint knows."""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?$")


@dataclass(frozen=True, slots=True, order=True)
class KubeVersion:
    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    @classmethod
    def parse(cls, text: str) -> KubeVersion:
        """Parse "1.33", "v1.33" or "1.33.2"; "latest" is the newest supported version."""
        if text == "latest":
            return LATEST
        match = _VERSION.match(text.strip())
        if not match:
            raise ValueError(
                f"invalid Kubernetes version {text!r}: expected MAJOR.MINOR such as {LATEST}"
            )
        version = cls(int(match.group(1)), int(match.group(2)))
        if version not in SUPPORTED:
            raise ValueError(
                f"unsupported Kubernetes version {version}: supported are "
                f"{SUPPORTED[0]} to {SUPPORTED[-1]}"
            )
        return version


SUPPORTED: tuple[KubeVersion, ...] = tuple(KubeVersion(1, minor) for minor in range(25, 37))
LATEST = SUPPORTED[-1]
