"""The Pod Security Standards checks, one function per upstream check id.

Each function takes the pod and the policy minor version and returns None (allowed) or a
CheckResult whose reason and detail are upstream's text, plus one Violation per offending
field. Version differences and the Windows and user-namespace relaxations live here; which
checks run at a level and version is decided in ``podlint.pss.policy``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from podlint.pss.pod import (
    Container,
    Path,
    Pod,
    containers_phrase,
    go_quote,
    integer,
    join_quote,
    mapping,
    pluralize,
    sequence,
    text,
)
from podlint.pss.result import CheckResult, Violation

CheckFunction = Callable[[Pod, int], "CheckResult | None"]

WINDOWS_EXEMPTION_MINOR = 25
USER_NAMESPACE_RELAXATION_MINOR = 35


def _result(check: str, reason: str, detail: str, violations: list[Violation]) -> CheckResult:
    return CheckResult(check, reason, detail, tuple(violations))


def _setters(pod_set: bool, containers: list[str], extra: str | None = None) -> str:
    """``pod``, ``container(s) NAMES`` and an extra part, those that apply, joined by " and "."""
    parts = ["pod"] if pod_set else []
    if containers:
        parts.append(containers_phrase(containers))
    if extra:
        parts.append(extra)
    return " and ".join(parts)


def _container_setter(container: Container) -> str:
    return containers_phrase([container.name])


# --- baseline ---------------------------------------------------------------------------------


def host_namespaces(pod: Pod, minor: int) -> CheckResult | None:
    found = [
        field for field in ("hostNetwork", "hostPID", "hostIPC") if pod.spec.get(field) is True
    ]
    if not found:
        return None
    violations = [Violation(("spec", field), "host namespaces", f"{field}=true") for field in found]
    return _result(
        "hostNamespaces", "host namespaces", ", ".join(f"{f}=true" for f in found), violations
    )


def privileged(pod: Pod, minor: int) -> CheckResult | None:
    def detail(names: list[str]) -> str:
        return f"{containers_phrase(names)} must not set securityContext.privileged=true"

    bad: list[str] = []
    violations: list[Violation] = []
    for container in pod.containers():
        if container.security_field("privileged") is True:
            bad.append(container.name)
            violations.append(
                Violation(
                    (*container.path, "securityContext", "privileged"),
                    "privileged",
                    detail([container.name]),
                )
            )
    return _result("privileged", "privileged", detail(bad), violations) if bad else None


BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)


def _added_capabilities(container: Container) -> list[tuple[int, str]]:
    capabilities = mapping(container.security_field("capabilities"))
    if capabilities is None:
        return []
    return [(index, text(item)) for index, item in enumerate(sequence(capabilities.get("add")))]


def _add_detail(names: list[str], values: list[str]) -> str:
    return (
        f"{containers_phrase(names)} must not include {join_quote(values)} "
        "in securityContext.capabilities.add"
    )


def capabilities_baseline(pod: Pod, minor: int) -> CheckResult | None:
    reason = "non-default capabilities"
    bad: list[str] = []
    values: set[str] = set()
    violations: list[Violation] = []
    for container in pod.containers():
        forbidden = [
            (index, cap)
            for index, cap in _added_capabilities(container)
            if cap not in BASELINE_CAPABILITIES
        ]
        if not forbidden:
            continue
        bad.append(container.name)
        for index, cap in forbidden:
            values.add(cap)
            violations.append(
                Violation(
                    (*container.path, "securityContext", "capabilities", "add", index),
                    reason,
                    _add_detail([container.name], [cap]),
                )
            )
    if not bad:
        return None
    return _result("capabilities_baseline", reason, _add_detail(bad, sorted(values)), violations)


def _volume_phrase(names: list[str]) -> str:
    return f"{pluralize('volume', 'volumes', len(names))} {join_quote(names)}"


def host_path_volumes(pod: Pod, minor: int) -> CheckResult | None:
    reason = "hostPath volumes"
    bad: list[str] = []
    violations: list[Violation] = []
    for index, volume in pod.volumes():
        if volume.get("hostPath") is not None:
            name = text(volume.get("name"))
            bad.append(name)
            violations.append(
                Violation(("spec", "volumes", index, "hostPath"), reason, _volume_phrase([name]))
            )
    return _result("hostPathVolumes", reason, _volume_phrase(bad), violations) if bad else None


def _host_ports_detail(names: list[str], ports: set[int]) -> str:
    listed = sorted(str(port) for port in ports)
    return (
        f"{containers_phrase(names)} {pluralize('uses', 'use', len(names))} "
        f"{pluralize('hostPort', 'hostPorts', len(listed))} {', '.join(listed)}"
    )


def host_ports(pod: Pod, minor: int) -> CheckResult | None:
    reason = "hostPort"
    defaulted = pod.default_host_ports and pod.spec.get("hostNetwork") is True
    bad: list[str] = []
    ports: set[int] = set()
    violations: list[Violation] = []
    for container in pod.containers():
        found = False
        for index, item in enumerate(sequence(container.data.get("ports"))):
            port = mapping(item)
            if port is None:
                continue
            host_port = integer(port.get("hostPort")) or 0
            field = "hostPort"
            if host_port == 0 and defaulted:
                host_port = integer(port.get("containerPort")) or 0
                field = "containerPort"
            if host_port == 0:
                continue
            found = True
            ports.add(host_port)
            violations.append(
                Violation(
                    (*container.path, "ports", index, field),
                    reason,
                    _host_ports_detail([container.name], {host_port}),
                )
            )
        if found:
            bad.append(container.name)
    return _result("hostPorts", reason, _host_ports_detail(bad, ports), violations) if bad else None


APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
_APPARMOR_TYPES = frozenset({"RuntimeDefault", "Localhost"})


def _apparmor_annotation_allowed(value: str) -> bool:
    return value == "" or value == "runtime/default" or value.startswith("localhost/")


def app_armor_profile(pod: Pod, minor: int) -> CheckResult | None:
    def reason(count: int) -> str:
        return pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", count)

    def detail(setters: str, values: list[str]) -> str:
        return f"{setters} must not set AppArmor profile type to {join_quote(values)}"

    violations: list[Violation] = []
    values: set[str] = set()
    pod_bad = False
    profile = mapping(pod.security_field("appArmorProfile"))
    if profile is not None:
        kind = text(profile.get("type"))
        if kind not in _APPARMOR_TYPES:
            pod_bad = True
            values.add(kind)
            violations.append(
                Violation(
                    ("spec", "securityContext", "appArmorProfile", "type"),
                    reason(1),
                    detail("pod", [kind]),
                )
            )
    bad: list[str] = []
    for container in pod.containers():
        profile = mapping(container.security_field("appArmorProfile"))
        if profile is None:
            continue
        kind = text(profile.get("type"))
        if kind not in _APPARMOR_TYPES:
            bad.append(container.name)
            values.add(kind)
            violations.append(
                Violation(
                    (*container.path, "securityContext", "appArmorProfile", "type"),
                    reason(1),
                    detail(_container_setter(container), [kind]),
                )
            )
    annotations: list[str] = []
    for key, value in pod.annotations.items():
        if not isinstance(key, str) or not key.startswith(APPARMOR_ANNOTATION_PREFIX):
            continue
        if _apparmor_annotation_allowed(text(value)):
            continue
        entry = f"{key}={go_quote(text(value))}"
        annotations.append(entry)
        violations.append(
            Violation(("metadata", "annotations", key), reason(1), detail("annotation", [entry]))
        )
    if not violations:
        return None
    listed = [*sorted(values), *sorted(annotations)]
    extra = pluralize("annotation", "annotations", len(annotations)) if annotations else None
    return _result(
        "appArmorProfile",
        reason(len(listed)),
        detail(_setters(pod_bad, bad, extra), listed),
        violations,
    )


_SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})
_SELINUX_TYPES_1_31 = _SELINUX_TYPES | {"container_engine_t"}


def se_linux_options(pod: Pod, minor: int) -> CheckResult | None:
    reason = "seLinuxOptions"
    allowed = _SELINUX_TYPES_1_31 if minor >= 31 else _SELINUX_TYPES
    bad_types: set[str] = set()
    user_set = role_set = False
    violations: list[Violation] = []

    def parts(types: list[str], user: bool, role: bool) -> str:
        found = []
        if types:
            found.append(f"{pluralize('type', 'types', len(types))} {join_quote(types)}")
        if user:
            found.append("user may not be set")
        if role:
            found.append("role may not be set")
        return "; ".join(found)

    def detail(setters: str, found: str) -> str:
        return f"{setters} set forbidden securityContext.seLinuxOptions: {found}"

    def inspect(options: dict[str, Any], path: Path, setter: str) -> bool:
        nonlocal user_set, role_set
        valid = True
        kind = text(options.get("type"))
        if kind not in allowed:
            valid = False
            bad_types.add(kind)
            violations.append(
                Violation((*path, "type"), reason, detail(setter, parts([kind], False, False)))
            )
        for field in ("user", "role"):
            if text(options.get(field)):
                valid = False
                if field == "user":
                    user_set = True
                else:
                    role_set = True
                violations.append(
                    Violation(
                        (*path, field),
                        reason,
                        detail(setter, parts([], field == "user", field == "role")),
                    )
                )
        return valid

    pod_bad = False
    options = mapping(pod.security_field("seLinuxOptions"))
    if options is not None:
        pod_bad = not inspect(options, ("spec", "securityContext", "seLinuxOptions"), "pod")
    bad: list[str] = []
    for container in pod.containers():
        options = mapping(container.security_field("seLinuxOptions"))
        if options is None:
            continue
        path = (*container.path, "securityContext", "seLinuxOptions")
        if not inspect(options, path, _container_setter(container)):
            bad.append(container.name)
    if not pod_bad and not bad:
        return None
    found = parts(sorted(bad_types), user_set, role_set)
    return _result("seLinuxOptions", reason, detail(_setters(pod_bad, bad), found), violations)


def _proc_mount(check: str, pod: Pod) -> CheckResult | None:
    reason = "procMount"

    def detail(names: list[str], values: list[str]) -> str:
        return (
            f"{containers_phrase(names)} must not set securityContext.procMount "
            f"to {join_quote(values)}"
        )

    bad: list[str] = []
    values: set[str] = set()
    violations: list[Violation] = []
    for container in pod.containers():
        value = container.security_field("procMount")
        if value is None or text(value) == "Default":
            continue
        bad.append(container.name)
        values.add(text(value))
        violations.append(
            Violation(
                (*container.path, "securityContext", "procMount"),
                reason,
                detail([container.name], [text(value)]),
            )
        )
    return _result(check, reason, detail(bad, sorted(values)), violations) if bad else None


def proc_mount(pod: Pod, minor: int) -> CheckResult | None:
    if minor >= USER_NAMESPACE_RELAXATION_MINOR and pod.in_user_namespace:
        return None
    return _proc_mount("procMount", pod)


SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"
_SECCOMP_TYPES = frozenset({"RuntimeDefault", "Localhost"})


def _seccomp_annotation_allowed(value: str) -> bool:
    return value in ("runtime/default", "docker/default") or value.startswith("localhost/")


def _seccomp_annotations(pod: Pod) -> CheckResult | None:
    reason = "seccompProfile"

    def detail(entries: list[str]) -> str:
        return (
            f"forbidden {pluralize('annotation', 'annotations', len(entries))} {', '.join(entries)}"
        )

    annotations = pod.annotations
    keys = [SECCOMP_POD_ANNOTATION]
    keys += [SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.name for c in pod.containers()]
    entries: set[str] = set()
    violations: list[Violation] = []
    for key in dict.fromkeys(keys):
        if key not in annotations:
            continue
        value = text(annotations[key])
        if _seccomp_annotation_allowed(value):
            continue
        entry = f"{key}={go_quote(value)}"
        entries.add(entry)
        violations.append(Violation(("metadata", "annotations", key), reason, detail([entry])))
    if not entries:
        return None
    return _result("seccompProfile_baseline", reason, detail(sorted(entries)), violations)


def _seccomp_type_detail(setters: str, values: list[str]) -> str:
    return f"{setters} must not set securityContext.seccompProfile.type to {join_quote(values)}"


def _seccomp_fields(check: str, pod: Pod, require: bool) -> CheckResult | None:
    """Explicitly bad seccomp types; with ``require``, also containers left without one."""
    reason = "seccompProfile"
    violations: list[Violation] = []
    values: set[str] = set()
    pod_bad = pod_set = False
    profile = mapping(pod.security_field("seccompProfile"))
    if profile is not None:
        kind = text(profile.get("type"))
        if kind in _SECCOMP_TYPES:
            pod_set = True
        else:
            pod_bad = True
            values.add(kind)
            violations.append(
                Violation(
                    ("spec", "securityContext", "seccompProfile", "type"),
                    reason,
                    _seccomp_type_detail("pod", [kind]),
                )
            )
    explicit: list[str] = []
    implicit: list[Container] = []
    for container in pod.containers():
        profile = mapping(container.security_field("seccompProfile"))
        if profile is None:
            if not pod_set:
                implicit.append(container)
            continue
        kind = text(profile.get("type"))
        if kind not in _SECCOMP_TYPES:
            explicit.append(container.name)
            values.add(kind)
            violations.append(
                Violation(
                    (*container.path, "securityContext", "seccompProfile", "type"),
                    reason,
                    _seccomp_type_detail(_container_setter(container), [kind]),
                )
            )
    if pod_bad or explicit:
        detail = _seccomp_type_detail(_setters(pod_bad, explicit), sorted(values))
        return _result(check, reason, detail, violations)
    if not require or not implicit:
        return None

    def missing(names: list[str]) -> str:
        return (
            f"pod or {containers_phrase(names)} must set securityContext.seccompProfile.type "
            'to "RuntimeDefault" or "Localhost"'
        )

    violations = [
        Violation((*c.path, "securityContext", "seccompProfile", "type"), reason, missing([c.name]))
        for c in implicit
    ]
    return _result(check, reason, missing([c.name for c in implicit]), violations)


def seccomp_profile_baseline(pod: Pod, minor: int) -> CheckResult | None:
    if minor < 19:
        return _seccomp_annotations(pod)
    return _seccomp_fields("seccompProfile_baseline", pod, require=False)


_SYSCTLS: tuple[tuple[int, frozenset[str]], ...] = (
    (
        0,
        frozenset(
            {
                "kernel.shm_rmid_forced",
                "net.ipv4.ip_local_port_range",
                "net.ipv4.tcp_syncookies",
                "net.ipv4.ping_group_range",
                "net.ipv4.ip_unprivileged_port_start",
            }
        ),
    ),
    (27, frozenset({"net.ipv4.ip_local_reserved_ports"})),
    (
        29,
        frozenset(
            {
                "net.ipv4.tcp_keepalive_time",
                "net.ipv4.tcp_fin_timeout",
                "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes",
            }
        ),
    ),
    (32, frozenset({"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"})),
    (37, frozenset({"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"})),
)


def allowed_sysctls(minor: int) -> frozenset[str]:
    allowed: frozenset[str] = frozenset()
    for since, names in _SYSCTLS:
        if minor >= since:
            allowed |= names
    return allowed


def sysctls(pod: Pod, minor: int) -> CheckResult | None:
    reason = "forbidden sysctls"
    allowed = allowed_sysctls(minor)
    bad: list[str] = []
    violations: list[Violation] = []
    for index, item in enumerate(sequence(pod.security_field("sysctls"))):
        sysctl = mapping(item)
        if sysctl is None:
            continue
        name = text(sysctl.get("name"))
        if name not in allowed:
            bad.append(name)
            violations.append(
                Violation(("spec", "securityContext", "sysctls", index, "name"), reason, name)
            )
    return _result("sysctls", reason, ", ".join(bad), violations) if bad else None


def windows_host_process(pod: Pod, minor: int) -> CheckResult | None:
    reason = "hostProcess"

    def detail(setters: str) -> str:
        return f"{setters} must not set securityContext.windowsOptions.hostProcess=true"

    def host_process(security: dict[str, Any] | None) -> bool:
        options = mapping(security.get("windowsOptions")) if security else None
        return options is not None and options.get("hostProcess") is True

    violations: list[Violation] = []
    pod_bad = host_process(pod.security)
    if pod_bad:
        pod_path: Path = ("spec", "securityContext", "windowsOptions", "hostProcess")
        violations.append(Violation(pod_path, reason, detail("pod")))
    bad: list[str] = []
    for container in pod.containers():
        if host_process(container.security):
            bad.append(container.name)
            path = (*container.path, "securityContext", "windowsOptions", "hostProcess")
            violations.append(Violation(path, reason, detail(_container_setter(container))))
    if not violations:
        return None
    return _result("windowsHostProcess", reason, detail(_setters(pod_bad, bad)), violations)


_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_LIFECYCLE_HANDLERS = ("postStart", "preStop")


def _handler_hosts(handler: dict[str, Any] | None, path: Path) -> list[tuple[Path, str]]:
    if handler is None:
        return []
    found = []
    for action in ("httpGet", "tcpSocket"):
        target = mapping(handler.get(action))
        if target is not None and text(target.get("host")):
            found.append(((*path, action, "host"), text(target.get("host"))))
    return found


def host_probes_and_host_lifecycle(pod: Pod, minor: int) -> CheckResult | None:
    reason = "probe or lifecycle host"

    def detail(names: list[str], hosts: list[str]) -> str:
        return (
            f"{containers_phrase(names)} {pluralize('uses', 'use', len(names))} "
            f"{pluralize('probe or lifecycle host', 'probe or lifecycle hosts', len(hosts))} "
            f"{join_quote(hosts)}"
        )

    bad: set[str] = set()
    hosts: set[str] = set()
    violations: list[Violation] = []
    for container in pod.containers():
        found: list[tuple[Path, str]] = []
        for probe in _PROBES:
            handler = mapping(container.data.get(probe))
            found += _handler_hosts(handler, (*container.path, probe))
        lifecycle = mapping(container.data.get("lifecycle"))
        if lifecycle is not None:
            for hook in _LIFECYCLE_HANDLERS:
                handler = mapping(lifecycle.get(hook))
                found += _handler_hosts(handler, (*container.path, "lifecycle", hook))
        for path, host in found:
            bad.add(container.name)
            hosts.add(host)
            violations.append(Violation(path, reason, detail([container.name], [host])))
    if not bad:
        return None
    return _result(
        "hostProbesAndHostLifecycle", reason, detail(sorted(bad), sorted(hosts)), violations
    )


# --- restricted -------------------------------------------------------------------------------


def allow_privilege_escalation(pod: Pod, minor: int) -> CheckResult | None:
    if minor >= WINDOWS_EXEMPTION_MINOR and pod.is_windows:
        return None
    reason = "allowPrivilegeEscalation != false"

    def detail(names: list[str]) -> str:
        return f"{containers_phrase(names)} must set securityContext.allowPrivilegeEscalation=false"

    bad: list[str] = []
    violations: list[Violation] = []
    for container in pod.containers():
        if container.security_field("allowPrivilegeEscalation") is not False:
            bad.append(container.name)
            path = (*container.path, "securityContext", "allowPrivilegeEscalation")
            violations.append(Violation(path, reason, detail([container.name])))
    return _result("allowPrivilegeEscalation", reason, detail(bad), violations) if bad else None


def capabilities_restricted(pod: Pod, minor: int) -> CheckResult | None:
    if minor >= WINDOWS_EXEMPTION_MINOR and pod.is_windows:
        return None
    reason = "unrestricted capabilities"

    def drop_detail(names: list[str]) -> str:
        return f'{containers_phrase(names)} must set securityContext.capabilities.drop=["ALL"]'

    missing_drop: list[str] = []
    adding: list[str] = []
    values: set[str] = set()
    violations: list[Violation] = []
    for container in pod.containers():
        capabilities = mapping(container.security_field("capabilities"))
        caps_path = (*container.path, "securityContext", "capabilities")
        drops = [] if capabilities is None else sequence(capabilities.get("drop"))
        if "ALL" not in drops:
            missing_drop.append(container.name)
            violations.append(
                Violation((*caps_path, "drop"), reason, drop_detail([container.name]))
            )
        forbidden = [
            (index, cap)
            for index, cap in _added_capabilities(container)
            if cap != "NET_BIND_SERVICE"
        ]
        if forbidden:
            adding.append(container.name)
        for index, cap in forbidden:
            values.add(cap)
            violations.append(
                Violation((*caps_path, "add", index), reason, _add_detail([container.name], [cap]))
            )
    details = []
    if missing_drop:
        details.append(drop_detail(missing_drop))
    if adding:
        details.append(_add_detail(adding, sorted(values)))
    if not details:
        return None
    return _result("capabilities_restricted", reason, "; ".join(details), violations)


def proc_mount_restricted(pod: Pod, minor: int) -> CheckResult | None:
    return _proc_mount("procMount_restricted", pod)


ALLOWED_VOLUME_TYPES = (
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
)
RESTRICTED_VOLUME_TYPES = (
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
)


def restricted_volumes(pod: Pod, minor: int) -> CheckResult | None:
    reason = "restricted volume types"

    def detail(names: list[str], types: list[str]) -> str:
        return (
            f"{_volume_phrase(names)} {pluralize('uses', 'use', len(names))} "
            f"{pluralize('restricted volume type', 'restricted volume types', len(types))} "
            f"{join_quote(types)}"
        )

    bad: list[str] = []
    types: set[str] = set()
    violations: list[Violation] = []
    for index, volume in pod.volumes():
        if any(volume.get(kind) is not None for kind in ALLOWED_VOLUME_TYPES):
            continue
        kind = next((k for k in RESTRICTED_VOLUME_TYPES if volume.get(k) is not None), None)
        if kind is None:
            # The apiserver defaults a volume without any source to emptyDir before admission.
            continue
        name = text(volume.get("name"))
        bad.append(name)
        types.add(kind)
        violations.append(
            Violation(("spec", "volumes", index, kind), reason, detail([name], [kind]))
        )
    if not bad:
        return None
    return _result("restrictedVolumes", reason, detail(bad, sorted(types)), violations)


def run_as_non_root(pod: Pod, minor: int) -> CheckResult | None:
    if minor >= USER_NAMESPACE_RELAXATION_MINOR and pod.in_user_namespace:
        return None
    reason = "runAsNonRoot != true"

    def false_detail(setters: str) -> str:
        return f"{setters} must not set securityContext.runAsNonRoot=false"

    def missing_detail(names: list[str]) -> str:
        return f"pod or {containers_phrase(names)} must set securityContext.runAsNonRoot=true"

    explicit: list[Violation] = []
    pod_value = pod.security_field("runAsNonRoot")
    pod_bad = pod_value is False
    if pod_bad:
        pod_path: Path = ("spec", "securityContext", "runAsNonRoot")
        explicit.append(Violation(pod_path, reason, false_detail("pod")))
    pod_true = pod_value is True
    explicit_names: list[str] = []
    implicit: list[Violation] = []
    implicit_names: list[str] = []
    for container in pod.containers():
        value = container.security_field("runAsNonRoot")
        path = (*container.path, "securityContext", "runAsNonRoot")
        if isinstance(value, bool):
            if value is False:
                explicit_names.append(container.name)
                explicit.append(Violation(path, reason, false_detail(_container_setter(container))))
        elif not pod_true:
            implicit_names.append(container.name)
            implicit.append(Violation(path, reason, missing_detail([container.name])))
    if explicit:
        detail = false_detail(_setters(pod_bad, explicit_names))
        return _result("runAsNonRoot", reason, detail, explicit)
    if implicit:
        return _result("runAsNonRoot", reason, missing_detail(implicit_names), implicit)
    return None


def run_as_user(pod: Pod, minor: int) -> CheckResult | None:
    if minor >= USER_NAMESPACE_RELAXATION_MINOR and pod.in_user_namespace:
        return None
    reason = "runAsUser=0"

    def detail(setters: str) -> str:
        return f"{setters} must not set runAsUser=0"

    violations: list[Violation] = []
    pod_bad = integer(pod.security_field("runAsUser")) == 0
    if pod_bad:
        violations.append(
            Violation(("spec", "securityContext", "runAsUser"), reason, detail("pod"))
        )
    bad: list[str] = []
    for container in pod.containers():
        if integer(container.security_field("runAsUser")) == 0:
            bad.append(container.name)
            path = (*container.path, "securityContext", "runAsUser")
            violations.append(Violation(path, reason, detail(_container_setter(container))))
    if not violations:
        return None
    return _result("runAsUser", reason, detail(_setters(pod_bad, bad)), violations)


def seccomp_profile_restricted(pod: Pod, minor: int) -> CheckResult | None:
    if minor >= WINDOWS_EXEMPTION_MINOR and pod.is_windows:
        return None
    return _seccomp_fields("seccompProfile_restricted", pod, require=True)
