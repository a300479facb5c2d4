"""Pod Security Standards rules: thin adapters from pod-spec views to ``podlint.pss``.

Options (card params, overridable in policies): ``level`` (``baseline`` or ``restricted``:
at restricted a baseline check steps aside where upstream replaces it by a restricted one)
and ``version`` (a policy version such as ``1.30`` or ``latest``; empty means the policy
version of the target ``--kubernetes-version``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from podlint.checks._options import from_options
from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.version import KubeVersion
from podlint.model.views import PodSpecView
from podlint.pss.evaluation import Evaluation
from podlint.pss.policy import BY_ID, LEVELS, CheckSpec, applies, pod_from
from podlint.pss.version import VALID_VERSIONS, minor_for, parse_pss_version
from podlint.rule import RuleContext

# Before 1.28 the apiserver also defaulted hostPort on hostNetwork pod templates.
_TEMPLATE_HOST_PORT_DEFAULT_UNTIL = KubeVersion(1, 28)


def _evaluate(check_id: str, pod: PodSpecView, ctx: RuleContext) -> Sequence[Finding]:
    options = _options(check_id, ctx)
    if isinstance(options, str):
        return [Finding(pod.pointer, options)]
    spec, minor, template_host_ports = options
    if spec is None:
        return ()
    default_host_ports = template_host_ports or not pod.is_template
    # One evaluation of the pod for all the pss-* rules that run on it.
    evaluation = pod.shared(
        _SHARED_EVALUATION[default_host_ports], _evaluation, pod, default_host_ports
    )
    result = evaluation.result(spec.id, spec.function, minor)
    if result is None:
        return ()  # nearly always; a shared empty tuple, no list per rule and pod
    findings = []
    for violation in result.violations:
        base, *parts = violation.path
        pointer = join(pod.pointer if base == "spec" else pod.metadata_pointer, *parts)
        findings.append(Finding(pointer, violation.message))
    return findings


def _evaluation(pod: PodSpecView, default_host_ports: bool) -> Evaluation:
    return Evaluation(pod_from(pod.data, pod.metadata, default_host_ports=default_host_ports))


# The key of a pod's evaluation, with and without the apiserver's hostPort default.
_SHARED_EVALUATION = {True: object(), False: object()}
# The check to run (None when it does not apply at that level and version), the policy minor,
# and whether the target version defaults hostPort on pod templates too.
_Options = tuple[CheckSpec | None, int, bool]


def _options(check_id: str, ctx: RuleContext) -> _Options | str:
    """What to run, or the message for options that cannot be used."""
    return from_options(ctx, check_id, _read_options, check_id, ctx)


def _read_options(check_id: str, ctx: RuleContext) -> _Options | str:
    spec = BY_ID[check_id]
    level = str(ctx.params.get("level") or spec.level)
    if level not in LEVELS:
        return f"option level of {ctx.rule} is {level!r}: expected one of {', '.join(LEVELS)}"
    if spec.level == "restricted":
        level = "restricted"
    version = ctx.params.get("version")
    if isinstance(version, float):
        return (
            f"option version of {ctx.rule} is the number {version!r}: quote it (YAML reads "
            '1.30 as 1.3), e.g. version: "1.30"'
        )
    try:
        minor = parse_pss_version(str(version)) if version else minor_for(ctx.kubernetes_version)
    except ValueError:
        return f"option version of {ctx.rule} is {version!r}: expected {VALID_VERSIONS}"
    template_host_ports = ctx.kubernetes_version < _TEMPLATE_HOST_PORT_DEFAULT_UNTIL
    return (spec if applies(spec, level, minor) else None), minor, template_host_ports


def app_armor_profile(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("appArmorProfile", pod, ctx)


def capabilities_baseline(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("capabilities_baseline", pod, ctx)


def host_namespaces(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("hostNamespaces", pod, ctx)


def host_path_volumes(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("hostPathVolumes", pod, ctx)


def host_ports(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("hostPorts", pod, ctx)


def host_probes_and_host_lifecycle(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("hostProbesAndHostLifecycle", pod, ctx)


def privileged(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("privileged", pod, ctx)


def proc_mount(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("procMount", pod, ctx)


def se_linux_options(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("seLinuxOptions", pod, ctx)


def seccomp_profile_baseline(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("seccompProfile_baseline", pod, ctx)


def sysctls(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("sysctls", pod, ctx)


def windows_host_process(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("windowsHostProcess", pod, ctx)


def allow_privilege_escalation(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("allowPrivilegeEscalation", pod, ctx)


def capabilities_restricted(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("capabilities_restricted", pod, ctx)


def proc_mount_restricted(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("procMount_restricted", pod, ctx)


def restricted_volumes(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("restrictedVolumes", pod, ctx)


def run_as_non_root(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("runAsNonRoot", pod, ctx)


def run_as_user(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("runAsUser", pod, ctx)


def seccomp_profile_restricted(pod: PodSpecView, ctx: RuleContext) -> Iterable[Finding]:
    return _evaluate("seccompProfile_restricted", pod, ctx)
