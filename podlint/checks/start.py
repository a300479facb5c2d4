"""What the kubelet or the container runtime refuses when it creates or starts a container.

The apiserver accepts each of these; the container then waits in CreateContainerConfigError
(the kubelet refused to build its configuration: ``GenerateRunContainerOptions``,
``verifyRunAsNonRoot``) or fails at start in RunContainerError / CreateContainerError (the OCI
runtime refused the process it was given), and is retried with a back-off that never ends.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from podlint.lazyre import LazyPattern
from podlint.model.finding import Finding
from podlint.model.views import ContainerType, ContainerView, PodSpecView
from podlint.rule import RuleContext

# Left alone: text a template engine or envsubst fills in before the kubelet sees it.
_TEMPLATE = LazyPattern(r"\{\{|\$\{?[A-Za-z_]|<[^>]*>")
_WINDOWS_PATH = LazyPattern(r"^(?:[A-Za-z]:[\\/]|\\\\)")


def _windows(pod: PodSpecView) -> bool:
    os = pod.get("os")
    return isinstance(os, dict) and os.get("name") == "windows"


def command_empty(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    """``command`` whose first element, the program to run, is an empty string."""
    command = container.get("command")
    if not isinstance(command, list) or not command:
        return  # absent or []: the image's entrypoint runs
    first = command[0]
    if not isinstance(first, str) or first.strip():
        return
    yield Finding(
        container.at("command", 0),
        f"{container.label}: the program to run (command[0]) is an empty string; the "
        'runtime cannot start it (exec: "": executable file not found in $PATH) and the '
        "container fails in RunContainerError, then CrashLoopBackOff; name the program, "
        "or drop command to run the image's entrypoint",
    )


def working_dir_relative(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    """A ``workingDir`` that is not an absolute path: the OCI runtime refuses it."""
    directory = container.get("workingDir")
    if not isinstance(directory, str) or not directory or directory.startswith("/"):
        return
    if _windows(container.pod) or _WINDOWS_PATH.match(directory):
        return  # a Windows path, absolute where it runs
    if _TEMPLATE.search(directory):
        return
    plain = not directory.startswith(("~", "..")) and "$" not in directory
    example = f' (such as "{posixpath.normpath("/" + directory)}")' if plain else ""
    yield Finding(
        container.at("workingDir"),
        f'{container.label}: workingDir "{directory}" is not an absolute path; the kubelet '
        "passes it on as written and runc refuses the container (Cwd must be an absolute "
        "path): it fails in RunContainerError, then CrashLoopBackOff; write the full "
        f"path{example}",
    )


def run_as_non_root_conflict(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    """``runAsNonRoot: true`` and ``runAsUser: 0`` in effect for the same container."""
    if _windows(pod):
        return  # runAsUser is refused for Windows Pods; runAsUserName is not judged
    pod_context = _security_context(pod.data)
    pod_user_containers: list[ContainerView] = []
    for container in pod.containers():
        context = _security_context(container.data)
        non_root = context.get("runAsNonRoot", pod_context.get("runAsNonRoot"))
        user_here = "runAsUser" in context
        user = context["runAsUser"] if user_here else pod_context.get("runAsUser")
        if non_root is not True or not _is_root(user):
            continue
        if user_here:
            yield Finding(
                container.at("securityContext", "runAsUser"),
                f"{container.label}: runAsUser is 0 (root) while runAsNonRoot is true; the "
                "kubelet refuses to create the container (container's runAsUser breaks "
                "non-root policy) and it waits in CreateContainerConfigError; run as a "
                "non-zero user, or drop runAsNonRoot if it must be root",
            )
        else:
            pod_user_containers.append(container)
    if pod_user_containers:
        labels = ", ".join(container.label for container in pod_user_containers)
        yield Finding(
            pod.at("securityContext", "runAsUser"),
            f"runAsUser is 0 (root) for the Pod while runAsNonRoot is true for {labels}; the "
            "kubelet refuses to create them (container's runAsUser breaks non-root policy) "
            "and they wait in CreateContainerConfigError; run as a non-zero user, or drop "
            "runAsNonRoot if it must be root",
        )


def _security_context(data: dict[str, Any]) -> dict[str, Any]:
    context = data.get("securityContext")
    return context if isinstance(context, dict) else {}


def _is_root(user: object) -> bool:
    return not isinstance(user, bool) and isinstance(user, int) and user == 0


# Variables the kubelet adds beside the container's env: service links
# (NAME_SERVICE_HOST, NAME_PORT_80_TCP, ...) and those of device plugins.
_SERVICE_LINK = LazyPattern(r"^[A-Z0-9_]+_(?:SERVICE_HOST|SERVICE_PORT\w*|PORT\w*)$")
_UNKNOWN = object()  # a variable whose value is known only on the node


def subpath_expr_unresolved(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    """A ``subPathExpr`` the kubelet cannot expand into a relative path inside the volume."""
    mounts = container.get("volumeMounts")
    if not isinstance(mounts, list) or container.type is ContainerType.EPHEMERAL:
        return
    env = _environment(container)
    open_ended = _open_ended(container)
    for index, mount in enumerate(mounts):
        if not isinstance(mount, dict):
            continue
        expression = mount.get("subPathExpr")
        if not isinstance(expression, str) or not expression:
            continue
        expanded, missing = _expand(expression, env)
        missing = [name for name in missing if not _SERVICE_LINK.match(name)]
        if missing and not open_ended:
            names = ", ".join(missing)
            yield Finding(
                container.at("volumeMounts", index, "subPathExpr"),
                f'{container.label}: subPathExpr "{expression}" reads {names}, which the '
                "container's env does not define (or defines empty); the kubelet refuses "
                f"the mount (missing value for {names}) and the container waits in "
                "CreateContainerConfigError; define the variable in env (a downward API "
                "fieldRef for Pod fields)",
            )
            continue
        if expanded is None or missing or _path_problem(expression):
            continue  # (a problem in the text itself is the apiserver's: api-volumes)
        problem = _path_problem(expanded)
        if problem:
            yield Finding(
                container.at("volumeMounts", index, "subPathExpr"),
                f'{container.label}: subPathExpr "{expression}" expands to "{expanded}", '
                f"{problem}; the kubelet refuses the mount and the container waits in "
                "CreateContainerConfigError; make the expansion a relative path inside "
                "the volume",
            )


def _environment(container: ContainerView) -> dict[str, object]:
    """The container's variables: the literal value, or ``_UNKNOWN`` for valueFrom."""
    env: dict[str, object] = {}
    variables = container.get("env")
    for variable in variables if isinstance(variables, list) else []:
        if not isinstance(variable, dict) or not isinstance(variable.get("name"), str):
            continue
        value = variable.get("value")
        if variable.get("valueFrom") is not None:
            env[variable["name"]] = _UNKNOWN
        elif isinstance(value, str) and "$(" in value:
            env[variable["name"]] = _UNKNOWN  # expanded from other variables
        elif value is None or isinstance(value, str):
            env[variable["name"]] = value or ""
        else:
            env[variable["name"]] = str(value)
    return env


def _open_ended(container: ContainerView) -> bool:
    """Whether variables beyond ``env`` may reach the container: ``envFrom`` sources, or the
    environment a device plugin or a resource driver adds for an extended resource or a
    resource claim."""
    if container.get("envFrom"):
        return True
    resources = container.get("resources")
    if isinstance(resources, dict) and resources.get("claims"):
        return True
    for key in ("limits", "requests"):
        amounts = resources.get(key) if isinstance(resources, dict) else None
        if isinstance(amounts, dict) and any(
            "/" in str(name) and not str(name).startswith("hugepages-") for name in amounts
        ):
            return True
    return False


def _expand(expression: str, env: dict[str, object]) -> tuple[str | None, list[str]]:
    """Expand ``$(VAR)`` as the kubelet does (``$$`` is a literal ``$``): the result (None
    when a variable's value is known only on the node) and the names without a value."""
    out: list[str] = []
    missing: list[str] = []
    known = True
    index = 0
    while index < len(expression):
        char = expression[index]
        if char == "$" and index + 1 < len(expression):
            following = expression[index + 1]
            if following == "$":
                out.append("$")
                index += 2
                continue
            if following == "(":
                end = expression.find(")", index + 2)
                if end != -1:
                    name = expression[index + 2 : end]
                    value = env.get(name)
                    if value is _UNKNOWN:
                        known = False
                    elif not value:
                        if name not in missing:
                            missing.append(name)
                    else:
                        out.append(str(value))
                    index = end + 1
                    continue
        out.append(char)
        index += 1
    return ("".join(out) if known else None), missing


def _path_problem(path: str) -> str | None:
    if path.startswith("/"):
        return "an absolute path"
    if ".." in path.split("/"):
        return 'a path with ".." that could leave the volume'
    return None
