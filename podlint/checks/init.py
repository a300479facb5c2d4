"""Init containers and native sidecars: each judged by what it is for."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from podlint.checks._quantity import format_cpu, format_memory
from podlint.checks._resources import effective_requests, pod_requests
from podlint.checks._shell import (
    Word,
    argv,
    has_flag,
    loops_without_exit,
    parse,
    program,
    shell_script,
)
from podlint.model.finding import Finding
from podlint.model.version import KubeVersion
from podlint.model.views import ContainerView, PodSpecView
from podlint.rule import RuleContext

SIDECARS_ALPHA = KubeVersion(1, 28)
SIDECARS_ON_BY_DEFAULT = KubeVersion(1, 29)

# Images whose default entrypoint is a long-running server.
SERVER_IMAGES = frozenset(
    {
        "nginx",
        "nginx-unprivileged",
        "httpd",
        "apache",
        "caddy",
        "traefik",
        "haproxy",
        "envoy",
        "redis",
        "valkey",
        "memcached",
        "postgres",
        "postgresql",
        "mysql",
        "mariadb",
        "mongo",
        "mongodb",
        "rabbitmq",
        "elasticsearch",
        "opensearch",
        "kafka",
        "zookeeper",
        "etcd",
        "consul",
        "vault",
        "minio",
        "cloud-sql-proxy",
        "cloudsql-proxy",
        "oauth2-proxy",
        "proxyv2",
        "tomcat",
        "jetty",
        "grafana",
        "prometheus",
    }
)


def _deadline(pod: PodSpecView) -> bool:
    """Whether something bounds how long the Pod (or its Job) may run."""
    if pod.get("activeDeadlineSeconds") is not None:
        return True
    obj = pod.object.data
    raw_spec = obj.get("spec")
    spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
    if pod.object.kind == "Job":
        return spec.get("activeDeadlineSeconds") is not None
    if pod.object.kind == "CronJob":
        job = spec.get("jobTemplate")
        job_spec = job.get("spec") if isinstance(job, dict) else None
        return isinstance(job_spec, dict) and job_spec.get("activeDeadlineSeconds") is not None
    return False


def unbounded_wait(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    if _deadline(container.pod):
        return
    words = argv(container.data)
    if not words or program(words[0].text) == "timeout":
        return
    found = shell_script(words)
    if found is None:
        return
    word, _ = found
    script = parse(word.text)
    if script is None:
        return
    for loop in loops_without_exit(script):
        yield Finding(
            container.at(*word.place),
            f'{container.label}: the wait loop "{loop.text()}" has no exit path and the Pod '
            "sets no activeDeadlineSeconds, so the Pod can stay in Init forever; count the "
            "retries and exit 1 after a maximum, or set spec.activeDeadlineSeconds",
        )
        return


def _mounts(container: ContainerView) -> list[tuple[str, str]]:
    """(mountPath, volume name) of the writable volume mounts: what survives a restart."""
    mounts = container.get("volumeMounts")
    result = []
    for mount in mounts if isinstance(mounts, list) else []:
        if not isinstance(mount, dict) or mount.get("readOnly") is True:
            continue
        path, name = mount.get("mountPath"), mount.get("name")
        if isinstance(path, str) and path.startswith("/") and isinstance(name, str):
            result.append((posixpath.normpath(path), name))
    return result


def _on_volume(path: str, mounts: list[tuple[str, str]]) -> str | None:
    if not path.startswith("/"):
        return None
    path = posixpath.normpath(path)
    for mount_path, name in mounts:
        if path == mount_path or path.startswith(mount_path.rstrip("/") + "/"):
            return name
    return None


Problem = tuple[str, str]  # (what fails and why, what to use instead)


def _problem(
    words: Sequence[str], mounts: list[tuple[str, str]], earlier: str = ""
) -> Problem | None:
    """Why running this command a second time fails, when what it changes survives on a volume.

    ``earlier`` is the text of the commands before it, which may recreate a moved source.
    """
    if not words:
        return None
    name = program(words[0])
    arguments = list(words[1:])
    operands = [w for w in arguments if not w.startswith("-")]
    if name == "mkdir" and not has_flag(arguments, "p", "--parents"):
        for operand in operands:
            volume = _on_volume(operand, mounts)
            if volume is not None:
                return (
                    f'"mkdir {operand}" fails on a second run, because {operand} is still there '
                    f'on volume "{volume}"',
                    "mkdir -p",
                )
    if name == "ln" and not has_flag(arguments, "f", "--force") and len(operands) >= 2:
        link = operands[-1]
        volume = _on_volume(link, mounts)
        if volume is not None and not link.endswith("/"):
            return (
                f'"ln {" ".join(arguments)}" fails on a second run, because {link} is still '
                f'there on volume "{volume}"',
                "ln -sf",
            )
    if name == "mv" and len(operands) >= 2:
        for source in operands[:-1]:
            volume = _on_volume(source, mounts)
            if volume is not None and source not in earlier and not any(c in source for c in "*?$"):
                return (
                    f'"mv {" ".join(arguments)}" fails on a second run, because the first run '
                    f'moved {source} away on volume "{volume}"',
                    "cp, or test that the source exists first",
                )
    return None


def _non_idempotent(
    words: list[Word], mounts: list[tuple[str, str]]
) -> Iterator[tuple[Word, Problem]]:
    if not words:
        return
    found = shell_script(words)
    if found is None:
        problem = _problem([w.text for w in words], mounts)
        if problem:
            yield words[0], problem
        return
    word, errexit = found
    script = parse(word.text, errexit)
    if script is None or not script.commands:
        return
    commands = script.commands
    for index, command in enumerate(commands):
        if command.in_if or command.before == "||" or command.after in ("||", "|", "&"):
            continue
        previous = commands[index - 1] if index else None
        if command.before == "&&" and previous and previous.words[0] in ("[", "[[", "test"):
            continue
        # without errexit a failing command only fails the script when it decides its status
        if not (script.errexit or index == len(commands) - 1 or command.after == "&&"):
            continue
        earlier = " ".join(" ".join(c.words) for c in commands[:index])
        problem = _problem(command.words, mounts, earlier)
        if problem:
            yield word, problem


def non_idempotent(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    mounts = _mounts(container)
    if not mounts:
        return
    if container.role == "init":
        for word, problem in _non_idempotent(argv(container.data), mounts):
            yield _rerun(
                container, word, problem, "", "init containers run again when the Pod restarts"
            )
    hook = argv(container.data, "lifecycle", "postStart", "exec")
    for word, problem in _non_idempotent(hook, mounts):
        yield _rerun(
            container,
            word,
            problem,
            "postStart hook: ",
            "the hook runs again every time the container restarts",
        )


def _rerun(container: ContainerView, word: Word, problem: Problem, where: str, why: str) -> Finding:
    what, fix = problem
    return Finding(
        container.at(*word.place), f"{container.label}: {where}{what} ({why}); use {fix}"
    )


def init_ports(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    ports = container.get("ports")
    if isinstance(ports, list) and ports:
        yield Finding(
            container.at("ports"),
            f"{container.label}: ports on an init container are never served to clients "
            "and Services do not route to them, because it must exit before the app "
            "containers start; remove them"
            + (", or make it a sidecar with restartPolicy: Always" if _sidecars(ctx) else ""),
            key=True,
        )


def _sidecars(ctx: RuleContext) -> bool:
    return ctx.kubernetes_version >= SIDECARS_ON_BY_DEFAULT


def _image_name(image: str) -> str:
    name = image.partition("@")[0]
    last = name.rsplit("/", 1)[-1]
    return last.partition(":")[0]


def long_running(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    reasons = []
    ports = container.get("ports")
    if isinstance(ports, list) and ports:
        numbers = [
            str(p.get("containerPort"))
            for p in ports
            if isinstance(p, dict) and "containerPort" in p
        ]
        reasons.append(f"it declares port{'s' if len(numbers) > 1 else ''} {', '.join(numbers)}")
    probes = [p for p in ("livenessProbe", "readinessProbe", "startupProbe") if p in container.data]
    if probes:
        reasons.append(f"it has {', '.join(probes)}")
    image = container.get("image")
    if (
        isinstance(image, str)
        and _image_name(image) in SERVER_IMAGES
        and not container.get("command")
        and not container.get("args")
    ):
        reasons.append(f'image "{image}" runs a server when started without a command')
    if not reasons:
        return
    advice = (
        "make it a native sidecar with restartPolicy: Always"
        if _sidecars(ctx)
        else "move it to containers (native sidecars need Kubernetes 1.29)"
    )
    yield Finding(
        container.at("name"),
        f"{container.label} looks like a server ({'; '.join(reasons)}): an init container "
        f"must exit before the next one starts, so the Pod would never start; {advice}",
    )


def sidecar_unsupported(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    version = ctx.kubernetes_version
    if version >= SIDECARS_ON_BY_DEFAULT:
        return
    if version >= SIDECARS_ALPHA:
        why = (
            f"at {version} native sidecars are alpha and off by default, so the apiserver drops it"
        )
    else:
        why = (
            f"the field does not exist at {version}: strict field validation (kubectl's "
            "default) refuses it, and without it the apiserver drops it"
        )
    yield Finding(
        container.at("restartPolicy"),
        f"{container.label}: restartPolicy: Always on an init container needs native sidecars, "
        f"on by default from Kubernetes 1.29; {why}, leaving a plain init container that never "
        "exits, so the Pod stays in Init forever; move it to containers",
    )


def init_missing_resources(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    requests = effective_requests(container.data)
    missing = [name for name in ("cpu", "memory") if name not in requests]
    if not missing:
        return
    pod = pod_requests(container.pod)
    effective = ", ".join(
        f"{name} {_format(name, pod[name])}" if name in pod else f"{name} 0" for name in missing
    )
    yield Finding(
        container.at("resources") if "resources" in container.data else container.at("name"),
        f"{container.label} has no {' or '.join(missing)} request: the Pod is scheduled on "
        "the larger of its biggest init container request (plus the sidecars started before "
        "it) and the sum over app containers and sidecars, here "
        f"{effective}; this container may need more, so set its requests",
        key="resources" in container.data,
    )


def _format(name: str, value: Decimal) -> str:
    return format_cpu(value) if name == "cpu" else format_memory(value)
