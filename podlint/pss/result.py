"""What a PSA check returns: upstream's aggregated reason and detail, and one violation per
offending field (for findings that point at the field)."""

from __future__ import annotations

from dataclasses import dataclass

from podlint.pss.pod import Path


def reason_detail(reason: str, detail: str) -> str:
    """Upstream's ``reason (detail)``, or the reason alone when there is no detail."""
    return f"{reason} ({detail})" if detail else reason


@dataclass(frozen=True, slots=True)
class Violation:
    """One offending field, with the reason and detail upstream gives when it is the only one."""

    path: Path
    reason: str
    detail: str

    @property
    def message(self) -> str:
        return reason_detail(self.reason, self.detail)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """A failed check: ``reason`` and ``detail`` exactly as upstream aggregates them."""

    check: str
    reason: str
    detail: str
    violations: tuple[Violation, ...]

    @property
    def message(self) -> str:
        return reason_detail(self.reason, self.detail)
