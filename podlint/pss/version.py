"""Pod Security Standards policy versions: "latest" or "v1.<minor>", clamped to the newest."""

from __future__ import annotations

import re

from podlint.model.version import KubeVersion

OLDEST_MINOR = 0
# The newest policy version the checks know (upstream's v1.37 development line).
NEWEST_MINOR = 37
LATEST = "latest"

_POLICY_VERSION = re.compile(r"^v?1\.(0|[1-9][0-9]*)$")

VALID_VERSIONS = f"latest, or 1.0 to 1.{NEWEST_MINOR} (newer 1.N are evaluated as 1.{NEWEST_MINOR})"


def parse_pss_version(text: str) -> int:
    """The policy minor a version string selects: "latest", "1.30" or "v1.30".

    As upstream, a minor newer than the newest policy version is evaluated as the newest.
    """
    if text == LATEST:
        return NEWEST_MINOR
    match = _POLICY_VERSION.match(text)
    if not match:
        raise ValueError(
            f"invalid Pod Security Standards version {text!r}: expected {VALID_VERSIONS}"
        )
    return min(int(match.group(1)), NEWEST_MINOR)


def minor_for(kubernetes_version: KubeVersion) -> int:
    """The policy version a cluster of this Kubernetes version evaluates ``latest`` as."""
    if kubernetes_version.major != 1:
        return NEWEST_MINOR
    return min(kubernetes_version.minor, NEWEST_MINOR)


def valid_choices() -> list[str]:
    return [LATEST, *(f"1.{minor}" for minor in range(OLDEST_MINOR, NEWEST_MINOR + 1))]
