"""Hardening beyond the Pod Security Standards: what kube-linter and Polaris users expect.

None of these makes admission refuse a pod; they are warnings in the ``hardened`` policy.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from podlint.lazyre import LazyPattern
from podlint.model.finding import Finding
from podlint.model.views import ContainerView, PodSpecView
from podlint.rule import RuleContext


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _sequence(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _port(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _capabilities(container: ContainerView, key: str) -> list[Any]:
    security = _mapping(container.get("securityContext"))
    return _sequence(_mapping(security.get("capabilities")).get(key))


def read_only_root_filesystem(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    security = _mapping(container.get("securityContext"))
    if security.get("readOnlyRootFilesystem") is not True:
        yield Finding(
            container.at("securityContext", "readOnlyRootFilesystem"),
            f"{container.label}: securityContext.readOnlyRootFilesystem should be true",
        )


def automount_service_account_token(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    if pod.get("automountServiceAccountToken") is not False:
        yield Finding(
            pod.at("automountServiceAccountToken"),
            "automountServiceAccountToken is not false: every container gets an API token "
            "of the pod's service account",
        )


def default_service_account(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    name = pod.get("serviceAccountName") or pod.get("serviceAccount")
    if name in (None, "", "default"):
        field = "serviceAccountName" if "serviceAccount" not in pod.data else "serviceAccount"
        yield Finding(
            pod.at(field),
            'the pod runs as the namespace\'s "default" service account: set '
            "serviceAccountName to an account of its own",
        )


def host_port(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    for index, item in enumerate(_sequence(container.get("ports"))):
        port = _port(_mapping(item).get("hostPort"))
        if port:
            yield Finding(
                container.at("ports", index, "hostPort"),
                f"{container.label}: hostPort {port} binds the port on the node",
            )


def _unprivileged_port_start(pod: PodSpecView) -> int:
    """The pod's net.ipv4.ip_unprivileged_port_start sysctl, or the kernel default 1024."""
    security = _mapping(pod.get("securityContext"))
    for item in _sequence(security.get("sysctls")):
        sysctl = _mapping(item)
        if sysctl.get("name") == "net.ipv4.ip_unprivileged_port_start":
            try:
                return int(str(sysctl.get("value")).strip())
            except ValueError:
                return 1024
    return 1024


def privileged_port(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    if "NET_BIND_SERVICE" in _capabilities(container, "add"):
        return
    start = _unprivileged_port_start(container.pod)
    for index, item in enumerate(_sequence(container.get("ports"))):
        port = _port(_mapping(item).get("containerPort"))
        if port is not None and 0 < port < start:
            yield Finding(
                container.at("ports", index, "containerPort"),
                f"{container.label}: containerPort {port} is a privileged port (below {start}) "
                "and the container does not add NET_BIND_SERVICE; a non-root process cannot "
                "bind it",
            )


def drop_net_raw(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    drops = _capabilities(container, "drop")
    if "NET_RAW" not in drops and "ALL" not in drops:
        yield Finding(
            container.at("securityContext", "capabilities", "drop"),
            f"{container.label}: securityContext.capabilities.drop should include NET_RAW (or ALL)",
        )


def _host_paths(pod: PodSpecView) -> Iterator[tuple[str, str, str]]:
    """(pointer of hostPath.path, normalized path, volume name) for every hostPath volume."""
    for index, item in enumerate(_sequence(pod.get("volumes"))):
        volume = _mapping(item)
        path = _mapping(volume.get("hostPath")).get("path")
        if isinstance(path, str) and path.startswith("/"):
            normalized = posixpath.normpath(path)
            if normalized.startswith("//"):
                normalized = "/" + normalized.lstrip("/")
            name = volume.get("name")
            yield (
                pod.at("volumes", index, "hostPath", "path"),
                normalized,
                name if isinstance(name, str) else f"#{index}",
            )


RUNTIME_SOCKETS = (
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
    "/run/cri-dockerd.sock",
)


def _socket_paths(ctx: RuleContext) -> set[str]:
    sockets = ctx.params.get("sockets")
    if not isinstance(sockets, (list, tuple)):
        sockets = RUNTIME_SOCKETS
    return {posixpath.normpath(str(p)) for p in sockets}


def docker_socket_mount(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    sockets = _socket_paths(ctx)
    for pointer, path, name in _host_paths(pod):
        if path in sockets:
            yield Finding(
                pointer,
                f'volume "{name}" mounts the container runtime socket {path}: whoever can '
                "reach it controls every container on the node",
            )


def sensitive_host_path(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    roots = [posixpath.normpath(str(p)) for p in ctx.params.get("paths", [])]
    # Runtime sockets are docker-socket-mount's to report.
    sockets = {posixpath.normpath(p) for p in RUNTIME_SOCKETS}
    for pointer, path, name in _host_paths(pod):
        if path in sockets:
            continue
        for root in roots:
            inside = path == root or (root != "/" and path.startswith(root + "/"))
            if inside:
                yield Finding(
                    pointer,
                    f'volume "{name}" mounts the node\'s {path}'
                    + (f" (under {root})" if path != root else "")
                    + ": a sensitive host path",
                )
                break


# Matched against the name in upper snake case: the credential word must end the name, so
# OAUTH_CLIENT_SECRET counts and SECRET_ID or OAUTH_PROVIDER do not.
_CREDENTIAL_NAME = LazyPattern(
    r"(^|_)(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|SECRET_?KEY"
    r"|PRIVATE_?KEY|CREDENTIALS?)$"
)
_CREDENTIAL_VALUE = LazyPattern(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|\bAKIA[0-9A-Z]{16}\b"
    r"|\bgh[pousr]_[A-Za-z0-9]{36,}\b"
    r"|\bglpat-[A-Za-z0-9_-]{20,}\b"
    r"|\bxox[abprs]-[A-Za-z0-9-]{10,}\b"
    r"|\bsk_live_[A-Za-z0-9]{16,}\b"
    r"|://[^/\s:@]+:[^/\s@]+@"
)
# Values that are clearly not credentials even under a credential-looking name.
_HARMLESS_VALUE = LazyPattern(
    r"^(|true|false|yes|no|on|off|none|null|enabled|disabled|\d{1,6}|\$\([A-Za-z0-9_]+\))$",
    re.IGNORECASE,
)
_FILE_OR_URL_SETTING = LazyPattern(r"_(FILE|PATH|DIR|URL|URI|ENDPOINT|HOST|NAME|KEY_ID)$", re.I)


def _looks_like_credential(name: str, value: str) -> bool:
    if _CREDENTIAL_VALUE.search(value):
        return True
    if _HARMLESS_VALUE.match(value.strip()):
        return False
    if _FILE_OR_URL_SETTING.search(name) or value.startswith("/"):
        return False
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|[.-]", "_", name).upper()
    return bool(_CREDENTIAL_NAME.search(snake))


def secret_in_env(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    for index, item in enumerate(_sequence(container.get("env"))):
        env = _mapping(item)
        name, value = env.get("name"), env.get("value")
        if not isinstance(name, str) or not isinstance(value, str):
            continue
        if _looks_like_credential(name, value):
            yield Finding(
                container.at("env", index, "value"),
                f'{container.label}: env "{name}" holds a literal value that looks like a '
                "credential; read it from a Secret with valueFrom.secretKeyRef",
            )
