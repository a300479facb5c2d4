"""Which PSA checks run at a level and version, in upstream's order, and the aggregated verdict."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from podlint.pss import checks
from podlint.pss.checks import CheckFunction
from podlint.pss.evaluation import Evaluation
from podlint.pss.pod import Pod
from podlint.pss.result import CheckResult

Level = Literal["baseline", "restricted"]
LEVELS: tuple[str, ...] = ("baseline", "restricted")


@dataclass(frozen=True)
class CheckSpec:
    """One upstream check: its level, the first version it applies at, and, for restricted
    checks, the baseline checks it replaces at restricted from a given version."""

    id: str
    level: Level
    since: int
    function: CheckFunction
    replaces: dict[str, int] = field(default_factory=dict)

    @property
    def rule_id(self) -> str:
        return "pss-" + re.sub(r"(?<=[a-z0-9])(?=[A-Z])|_", "-", self.id).lower()


# Upstream's result order: baseline ids sorted by byte order, then restricted ids sorted.
CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec("appArmorProfile", "baseline", 0, checks.app_armor_profile),
    CheckSpec("capabilities_baseline", "baseline", 0, checks.capabilities_baseline),
    CheckSpec("hostNamespaces", "baseline", 0, checks.host_namespaces),
    CheckSpec("hostPathVolumes", "baseline", 0, checks.host_path_volumes),
    CheckSpec("hostPorts", "baseline", 0, checks.host_ports),
    CheckSpec("hostProbesAndHostLifecycle", "baseline", 34, checks.host_probes_and_host_lifecycle),
    CheckSpec("privileged", "baseline", 0, checks.privileged),
    CheckSpec("procMount", "baseline", 0, checks.proc_mount),
    CheckSpec("seLinuxOptions", "baseline", 0, checks.se_linux_options),
    CheckSpec("seccompProfile_baseline", "baseline", 0, checks.seccomp_profile_baseline),
    CheckSpec("sysctls", "baseline", 0, checks.sysctls),
    CheckSpec("windowsHostProcess", "baseline", 0, checks.windows_host_process),
    CheckSpec("allowPrivilegeEscalation", "restricted", 8, checks.allow_privilege_escalation),
    CheckSpec(
        "capabilities_restricted",
        "restricted",
        22,
        checks.capabilities_restricted,
        {"capabilities_baseline": 22},
    ),
    CheckSpec(
        "procMount_restricted", "restricted", 35, checks.proc_mount_restricted, {"procMount": 35}
    ),
    CheckSpec(
        "restrictedVolumes", "restricted", 0, checks.restricted_volumes, {"hostPathVolumes": 0}
    ),
    CheckSpec("runAsNonRoot", "restricted", 0, checks.run_as_non_root),
    CheckSpec("runAsUser", "restricted", 23, checks.run_as_user),
    CheckSpec(
        "seccompProfile_restricted",
        "restricted",
        19,
        checks.seccomp_profile_restricted,
        {"seccompProfile_baseline": 19},
    ),
)
BY_ID: dict[str, CheckSpec] = {spec.id: spec for spec in CHECKS}
BY_RULE: dict[str, CheckSpec] = {spec.rule_id: spec for spec in CHECKS}


def applies(spec: CheckSpec, level: str, minor: int) -> bool:
    """Whether upstream runs this check for a namespace at ``level`` and policy ``minor``."""
    if minor < spec.since:
        return False
    if spec.level == "restricted":
        return level == "restricted"
    if level != "restricted":
        return True
    return not any(
        minor >= since and minor >= other.since
        for other in CHECKS
        for replaced, since in other.replaces.items()
        if replaced == spec.id
    )


def checks_for(level: str, minor: int) -> list[CheckSpec]:
    return [spec for spec in CHECKS if applies(spec, level, minor)]


def pod_from(spec: Any, metadata: Any, *, default_host_ports: bool = False) -> Pod:
    return Pod(
        spec if isinstance(spec, dict) else {},
        metadata if isinstance(metadata, dict) else {},
        default_host_ports,
    )


def evaluate(pod: Pod, level: str, minor: int) -> list[CheckResult]:
    """The failed checks for a pod at a level and policy minor, in upstream's order."""
    evaluation = Evaluation(pod)
    results = []
    for spec in checks_for(level, minor):
        result = evaluation.result(spec.id, spec.function, minor)
        if result is not None:
            results.append(result)
    return results


def aggregate(results: Iterable[CheckResult]) -> str:
    """Upstream's aggregated detail: ``reason (detail), reason (detail), ...``."""
    return ", ".join(result.message for result in results)


def denial(level: str, version_label: str, results: Iterable[CheckResult]) -> str:
    """The enforce denial text; the version is printed as the namespace label spells it."""
    return f'violates PodSecurity "{level}:{version_label}": {aggregate(results)}'
