"""The Pod Security verdict without the screen, for the tests that compare it with ``evaluate``."""

from __future__ import annotations

from podlint.pss import checks_for
from podlint.pss.pod import Pod
from podlint.pss.result import CheckResult


def unscreened(pod: Pod, level: str, minor: int) -> list[CheckResult]:
    """Every check that applies, run whatever the pod sets (``evaluate`` skips the checks
    whose fields a pod does not set)."""
    results = (spec.function(pod, minor) for spec in checks_for(level, minor))
    return [result for result in results if result is not None]
