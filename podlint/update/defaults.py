"""The apiserver's defaults, applied to a pair of objects before comparing them.

A field written on one side only is compared with the default the apiserver would give the
other side, so ``imagePullPolicy: IfNotPresent`` added next to ``image: nginx:1.27`` is no
change. A field absent from both sides is left out: ``kubectl apply`` keeps the live value
of a field that neither the last applied manifest nor the new one mentions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from podlint.update.compare import normalize

Default = Any | Callable[[dict[str, Any]], Any]

_POD_SPEC: dict[str, Default] = {
    "dnsPolicy": "ClusterFirst",
    "restartPolicy": "Always",
    "terminationGracePeriodSeconds": 30,
    "schedulerName": "default-scheduler",
    "hostNetwork": False,
    "hostPID": False,
    "hostIPC": False,
}
_POD_ONLY: dict[str, Default] = {"enableServiceLinks": True}


def _pull_policy(container: dict[str, Any]) -> str:
    image = container.get("image")
    if not isinstance(image, str):
        return "IfNotPresent"
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else "latest"
    return "Always" if tag == "latest" else "IfNotPresent"


_CONTAINER: dict[str, Default] = {
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
    "imagePullPolicy": _pull_policy,
    "stdin": False,
    "stdinOnce": False,
    "tty": False,
}
_PORT: dict[str, Default] = {"protocol": "TCP"}
_PROBE: dict[str, Default] = {
    "timeoutSeconds": 1,
    "periodSeconds": 10,
    "successThreshold": 1,
    "failureThreshold": 3,
}
_HTTP_GET: dict[str, Default] = {"path": "/", "scheme": "HTTP"}
_MODE_SOURCES = ("secret", "configMap", "downwardAPI", "projected")
_CLAIM_TEMPLATE: dict[str, Default] = {"apiVersion": "v1", "kind": "PersistentVolumeClaim"}
_CLAIM_SPEC: dict[str, Default] = {"volumeMode": "Filesystem"}


def fill(old: dict[str, Any], new: dict[str, Any], defaults: Mapping[str, Default]) -> None:
    """Give the side that lacks a field its default, where the other side has the field."""
    for key, default in defaults.items():
        if (key in old) == (key in new):
            continue
        side = new if key in old else old
        value = default(side) if callable(default) else default
        value = normalize(value, key)
        if value is not None and value != {} and value != []:
            side[key] = value


def _pairs(old: Any, new: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    if not isinstance(old, list) or not isinstance(new, list):
        return []
    return [
        (a, b)
        for a, b in zip(old, new, strict=False)
        if isinstance(a, dict) and isinstance(b, dict)
    ]


def _child(old: dict[str, Any], new: dict[str, Any], key: str) -> tuple[Any, Any]:
    return old.get(key), new.get(key)


def pod_specs(old: dict[str, Any], new: dict[str, Any], *, is_pod: bool) -> None:
    """Fill defaults into two normalized pod specs (in place)."""
    fill(old, new, _POD_SPEC)
    if is_pod:
        fill(old, new, _POD_ONLY)
    for list_name in ("containers", "initContainers", "ephemeralContainers"):
        for a, b in _pairs(*_child(old, new, list_name)):
            _containers(a, b)
            if is_pod and list_name != "ephemeralContainers":
                _requests_from_limits(a, b)
                if old.get("hostNetwork") is True and new.get("hostNetwork") is True:
                    for port_a, port_b in _pairs(*_child(a, b, "ports")):
                        fill(port_a, port_b, {"hostPort": _host_port})
    for a, b in _pairs(*_child(old, new, "volumes")):
        for source in _MODE_SOURCES:
            if isinstance(a.get(source), dict) and isinstance(b.get(source), dict):
                fill(a[source], b[source], {"defaultMode": 420})


def _host_port(port: dict[str, Any]) -> Any:
    """``SetDefaults_Pod``: with hostNetwork, a port's hostPort defaults to its containerPort."""
    return port.get("containerPort")


def _containers(old: dict[str, Any], new: dict[str, Any]) -> None:
    fill(old, new, _CONTAINER)
    for a, b in _pairs(*_child(old, new, "ports")):
        fill(a, b, _PORT)
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        a, b = _child(old, new, probe)
        if isinstance(a, dict) and isinstance(b, dict):
            fill(a, b, _PROBE)
            if isinstance(a.get("httpGet"), dict) and isinstance(b.get("httpGet"), dict):
                fill(a["httpGet"], b["httpGet"], _HTTP_GET)


def _requests_from_limits(old: dict[str, Any], new: dict[str, Any]) -> None:
    """``SetDefaults_Pod``: a container's missing requests are copied from its limits."""
    sides = [
        (old.get("resources"), new.get("resources")),
        (new.get("resources"), old.get("resources")),
    ]
    for mine, theirs in sides:
        if not isinstance(mine, dict) or not isinstance(theirs, dict):
            continue
        limits = mine.get("limits")
        wanted = theirs.get("requests")
        if not isinstance(limits, dict) or not isinstance(wanted, dict):
            continue
        requests = mine.setdefault("requests", {})
        if not isinstance(requests, dict):
            continue
        for name in wanted:
            if name in limits and name not in requests:
                requests[name] = limits[name]


def claim_templates(old: Any, new: Any) -> None:
    """StatefulSet volumeClaimTemplates: the apiserver adds apiVersion, kind and volumeMode."""
    for items in (old, new):
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                item.pop("status", None)
    for a, b in _pairs(old, new):
        fill(a, b, _CLAIM_TEMPLATE)
        if isinstance(a.get("spec"), dict) and isinstance(b.get("spec"), dict):
            fill(a["spec"], b["spec"], _CLAIM_SPEC)


def _completions(spec: dict[str, Any]) -> Any:
    return 1 if "parallelism" not in spec else None


_JOB_SPEC: dict[str, Default] = {"completionMode": "NonIndexed", "completions": _completions}
_STATEFULSET_SPEC: dict[str, Default] = {"podManagementPolicy": "OrderedReady"}


def job_specs(old: dict[str, Any], new: dict[str, Any]) -> None:
    fill(old, new, _JOB_SPEC)


def statefulset_specs(old: dict[str, Any], new: dict[str, Any]) -> None:
    fill(old, new, _STATEFULSET_SPEC)
    claim_templates(old.get("volumeClaimTemplates"), new.get("volumeClaimTemplates"))
