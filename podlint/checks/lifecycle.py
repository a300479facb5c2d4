"""Termination, ownership and scheduling of Pods."""

from __future__ import annotations

from collections.abc import Iterator

from podlint.checks._shell import Word, argv, parse, program, shell_script
from podlint.lazyre import LazyPattern
from podlint.model.finding import Finding
from podlint.model.views import ContainerView, ObjectView, PodSpecView
from podlint.rule import RuleContext

DEFAULT_GRACE_SECONDS = 30
_DURATION = LazyPattern(r"^(\d+(?:\.\d+)?)([smhd]?)$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def _grace(pod: PodSpecView) -> tuple[int, bool]:
    """(terminationGracePeriodSeconds, whether it was written) with the apiserver default."""
    value = pod.get("terminationGracePeriodSeconds")
    if isinstance(value, int) and not isinstance(value, bool):
        return value, True
    return DEFAULT_GRACE_SECONDS, False


def _sleep_seconds(words: list[str]) -> float | None:
    if not words or program(words[0]) != "sleep" or len(words) < 2:
        return None
    total = 0.0
    for word in words[1:]:
        match = _DURATION.match(word)
        if not match:
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    return total


def _exec_sleep(words: list[Word]) -> tuple[Word, float] | None:
    """How long an exec preStop hook sleeps before anything else (sequential sleeps add up)."""
    if not words:
        return None
    direct = _sleep_seconds([w.text for w in words])
    if direct is not None:
        return words[0], direct
    found = shell_script(words)
    if found is None:
        return None
    word, errexit = found
    script = parse(word.text, errexit)
    if script is None:
        return None
    total = 0.0
    for command in script.commands:
        if command.in_loop or command.in_if:
            continue
        seconds = _sleep_seconds(command.words)
        if seconds is not None:
            total += seconds
    return (word, total) if total else None


def prestop_exceeds_grace(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    lifecycle = container.get("lifecycle")
    pre_stop = lifecycle.get("preStop") if isinstance(lifecycle, dict) else None
    if not isinstance(pre_stop, dict):
        return
    grace, written = _grace(container.pod)
    grace_text = f"terminationGracePeriodSeconds {grace}" + ("" if written else " (the default)")
    sleep = pre_stop.get("sleep")
    if isinstance(sleep, dict):
        seconds = sleep.get("seconds")
        # a longer sleep action is rejected by the apiserver itself
        if isinstance(seconds, int) and seconds == grace and grace > 0:
            yield _prestop_finding(
                container,
                container.at("lifecycle", "preStop", "sleep", "seconds"),
                f"preStop sleep action of {seconds} s",
                grace_text,
            )
        return
    found = _exec_sleep(argv(container.data, "lifecycle", "preStop", "exec"))
    if found is not None and found[1] >= grace:
        word, seconds = found
        yield _prestop_finding(
            container,
            container.at(*word.place),
            f"preStop hook sleeps {seconds:g} s",
            grace_text,
        )


def _prestop_finding(container: ContainerView, pointer: str, what: str, grace: str) -> Finding:
    return Finding(
        pointer,
        f"{container.label}: {what}, not less than {grace}: the hook uses up the whole grace "
        "period, so the app gets SIGTERM only 2 s before SIGKILL; sleep less or raise "
        "terminationGracePeriodSeconds",
    )


def zero_grace_period(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    grace, written = _grace(pod)
    if written and grace <= 0:
        yield Finding(
            pod.at("terminationGracePeriodSeconds"),
            f"terminationGracePeriodSeconds is {grace}: containers are killed at once, with "
            "no time to finish in-flight requests or flush data; leave the default 30 s or "
            "set what shutdown needs",
        )


def bare_pod(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    metadata = obj.data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    if metadata.get("ownerReferences"):
        return
    annotations = metadata.get("annotations")
    # static Pods are run by the kubelet itself; Helm test hooks are one-off by design
    if isinstance(annotations, dict) and (
        "kubernetes.io/config.mirror" in annotations or "helm.sh/hook" in annotations
    ):
        return
    yield Finding(
        obj.at("kind"),
        f'Pod "{obj.name or "?"}" is not managed by a controller: if its node fails or it '
        "is evicted, nothing recreates it; use a Deployment, StatefulSet, DaemonSet or Job",
    )


def node_name_set(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    node = pod.get("nodeName")
    if isinstance(node, str) and node:
        yield Finding(
            pod.at("nodeName"),
            f'spec.nodeName "{node}" bypasses the scheduler: no resource, taint or affinity '
            "check, and the Pod fails if that node is gone or full; use a nodeSelector or "
            "node affinity",
        )
