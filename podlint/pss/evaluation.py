"""One Pod Security evaluation of a pod, shared by every check and policy version that reads it.

A pod is read once for the fields that the checks object to (``suspects``); a check whose
fields the pod does not set allows it, and is not run. The screen knows the checks that
object only to what a pod sets (a privileged container, a hostPath volume: ``SCREENED``);
the others (``allowPrivilegeEscalation``, ``capabilities_restricted``, ``runAsNonRoot``,
``seccompProfile_restricted``, which object to what a pod leaves out, and any check added
later) always run. The screen only ever keeps a check: a key that is present with any value
(null, the wrong type, an allowed value) makes it a suspect, and the check itself decides.
"""

from __future__ import annotations

from typing import Any

from podlint.pss.checks import (
    APPARMOR_ANNOTATION_PREFIX,
    RESTRICTED_VOLUME_TYPES,
    SECCOMP_CONTAINER_ANNOTATION_PREFIX,
    SECCOMP_POD_ANNOTATION,
    CheckFunction,
)
from podlint.pss.pod import CONTAINER_LISTS, Pod, mapping, sequence
from podlint.pss.result import CheckResult

# A securityContext field -> the checks that read it, for containers and for the pod.
_CONTAINER_SECURITY: dict[str, tuple[str, ...]] = {
    "privileged": ("privileged",),
    "capabilities": ("capabilities_baseline",),
    "appArmorProfile": ("appArmorProfile",),
    "seLinuxOptions": ("seLinuxOptions",),
    "procMount": ("procMount", "procMount_restricted"),
    "seccompProfile": ("seccompProfile_baseline",),
    "windowsOptions": ("windowsHostProcess",),
    "runAsUser": ("runAsUser",),
}
_POD_SECURITY: dict[str, tuple[str, ...]] = {
    "appArmorProfile": ("appArmorProfile",),
    "seLinuxOptions": ("seLinuxOptions",),
    "seccompProfile": ("seccompProfile_baseline",),
    "sysctls": ("sysctls",),
    "windowsOptions": ("windowsHostProcess",),
    "runAsUser": ("runAsUser",),
}
_CONTAINER_SECURITY_KEYS = frozenset(_CONTAINER_SECURITY)
_POD_SECURITY_KEYS = frozenset(_POD_SECURITY)
_SPEC_KEYS = frozenset({"hostNetwork", "hostPID", "hostIPC"})
_HANDLERS = ("livenessProbe", "readinessProbe", "startupProbe")
_LIFECYCLE_HOOKS = ("postStart", "preStop")
_HANDLER_KEYS = frozenset({*_HANDLERS, "lifecycle"})
_RESTRICTED_VOLUMES = frozenset(RESTRICTED_VOLUME_TYPES)
# The checks that ``suspects`` can rule out: every field they read is looked for there.
SCREENED = frozenset(
    {
        *(check for checks in _CONTAINER_SECURITY.values() for check in checks),
        *(check for checks in _POD_SECURITY.values() for check in checks),
        "hostNamespaces",
        "hostPorts",
        "hostProbesAndHostLifecycle",
        "hostPathVolumes",
        "restrictedVolumes",
    }
)


def _names_host(handler: Any) -> bool:
    handler = mapping(handler)
    if handler is None:
        return False
    for action in ("httpGet", "tcpSocket"):
        target = mapping(handler.get(action))
        if target is not None and "host" in target:
            return True
    return False


def _sets_a_host(container: dict[str, Any]) -> bool:
    """Whether a probe or lifecycle hook of the container names a host."""
    if any(_names_host(container.get(probe)) for probe in _HANDLERS):
        return True
    lifecycle = mapping(container.get("lifecycle"))
    return lifecycle is not None and any(
        _names_host(lifecycle.get(hook)) for hook in _LIFECYCLE_HOOKS
    )


def suspects(pod: Pod) -> frozenset[str]:
    """The ids of the screened checks that may object to ``pod``: the other screened checks
    allow it."""
    found: set[str] = set()
    spec = pod.spec
    if not _SPEC_KEYS.isdisjoint(spec):
        found.add("hostNamespaces")
        # hostNetwork also makes a defaulted containerPort a hostPort.
        if "hostNetwork" in spec:
            found.add("hostPorts")
    security = pod.security
    if security and not _POD_SECURITY_KEYS.isdisjoint(security):
        for key in _POD_SECURITY_KEYS.intersection(security):
            found.update(_POD_SECURITY[key])
    # The containers as ``Pod.containers`` reads them, without building their views.
    for list_name in CONTAINER_LISTS:
        for data in sequence(spec.get(list_name)):
            if not isinstance(data, dict):
                continue
            security = mapping(data.get("securityContext"))
            if security and not _CONTAINER_SECURITY_KEYS.isdisjoint(security):
                for key in _CONTAINER_SECURITY_KEYS.intersection(security):
                    found.update(_CONTAINER_SECURITY[key])
            for port in sequence(data.get("ports")):
                if isinstance(port, dict) and "hostPort" in port:
                    found.add("hostPorts")
            if not _HANDLER_KEYS.isdisjoint(data) and _sets_a_host(data):
                found.add("hostProbesAndHostLifecycle")
    for volume in sequence(spec.get("volumes")):
        if isinstance(volume, dict):
            if "hostPath" in volume:
                found.add("hostPathVolumes")
            if not _RESTRICTED_VOLUMES.isdisjoint(volume):
                found.add("restrictedVolumes")
    for key in pod.annotations:
        if not isinstance(key, str):
            continue
        if key.startswith(APPARMOR_ANNOTATION_PREFIX):
            found.add("appArmorProfile")
        elif key == SECCOMP_POD_ANNOTATION or key.startswith(SECCOMP_CONTAINER_ANNOTATION_PREFIX):
            found.add("seccompProfile_baseline")
    return frozenset(found)


class Evaluation:
    """The Pod Security checks of one pod: each check runs at most once per policy minor, and
    only when the pod sets a field it reads. Lives as long as the pod's view (one document)."""

    __slots__ = ("_results", "allowed", "pod")

    def __init__(self, pod: Pod) -> None:
        self.pod = pod
        # The checks that allow this pod whatever the policy version.
        self.allowed = SCREENED - suspects(pod)
        self._results: dict[tuple[str, int], CheckResult | None] = {}

    def result(self, check: str, function: CheckFunction, minor: int) -> CheckResult | None:
        """The outcome of check ``check`` (run by ``function``) at policy ``minor``."""
        if check in self.allowed:
            return None
        key = (check, minor)
        try:
            return self._results[key]
        except KeyError:
            outcome = self._results[key] = function(self.pod, minor)
            return outcome
