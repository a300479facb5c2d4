"""Kubernetes versions podlint knows."""

from __future__ import annotations

from dataclasses import dataclass

from podlint.lazyre import LazyPattern

_VERSION = LazyPattern(r"^v?(\d+)\.(\d+)(?:\.\d+)?$")


@dataclass(frozen=True, slots=True)
class KubeVersion:
    """A Kubernetes minor release, such as 1.36."""

    major: int
    minor: int

    # Checks compare versions on every object: written out, these cost a fraction of the
    # tuple comparisons that ``order=True`` generates.
    def __lt__(self, other: KubeVersion) -> bool:
        if other.__class__ is not KubeVersion:
            return NotImplemented
        return self.major < other.major or (self.major == other.major and self.minor < other.minor)

    def __le__(self, other: KubeVersion) -> bool:
        if other.__class__ is not KubeVersion:
            return NotImplemented
        return self.major < other.major or (self.major == other.major and self.minor <= other.minor)

    def __gt__(self, other: KubeVersion) -> bool:
        if other.__class__ is not KubeVersion:
            return NotImplemented
        return self.major > other.major or (self.major == other.major and self.minor > other.minor)

    def __ge__(self, other: KubeVersion) -> bool:
        if other.__class__ is not KubeVersion:
            return NotImplemented
        return self.major > other.major or (self.major == other.major and self.minor >= other.minor)

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
