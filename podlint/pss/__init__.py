"""Pod Security Standards, evaluated exactly as the Pod Security Admission controller does."""

from __future__ import annotations

from podlint.pss.policy import CHECKS, LEVELS, aggregate, checks_for, denial, evaluate, pod_from
from podlint.pss.result import CheckResult, Violation
from podlint.pss.version import NEWEST_MINOR, minor_for, parse_pss_version

__all__ = [
    "CHECKS",
    "LEVELS",
    "NEWEST_MINOR",
    "CheckResult",
    "Violation",
    "aggregate",
    "checks_for",
    "denial",
    "evaluate",
    "minor_for",
    "parse_pss_version",
    "pod_from",
]
