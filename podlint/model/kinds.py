"""Where the pod spec sits in each pod-carrying kind."""

from __future__ import annotations

from collections.abc import Mapping

# Built-in kinds are matched by kind within the Kubernetes API groups that serve them.
BUILTIN_POD_SPEC_POINTERS: dict[str, str] = {
    "Pod": "/spec",
    "PodTemplate": "/template/spec",
    "ReplicationController": "/spec/template/spec",
    "ReplicaSet": "/spec/template/spec",
    "Deployment": "/spec/template/spec",
    "StatefulSet": "/spec/template/spec",
    "DaemonSet": "/spec/template/spec",
    "Job": "/spec/template/spec",
    "CronJob": "/spec/jobTemplate/spec/template/spec",
}
BUILTIN_GROUPS = frozenset({"", "apps", "batch", "extensions"})


def api_group(api_version: str) -> str:
    return api_version.split("/", 1)[0] if "/" in api_version else ""


class KindMap:
    """Maps (apiVersion, kind) to the pod spec pointer, for built-ins and custom kinds.

    Custom kinds are keyed "group/Kind" (e.g. "argoproj.io/Rollout") and win over built-ins.
    """

    def __init__(self, custom: Mapping[str, str] | None = None) -> None:
        self.custom = dict(custom or {})

    def with_custom(self, custom: Mapping[str, str]) -> KindMap:
        return KindMap({**self.custom, **custom})

    def pod_spec_pointer(self, api_version: str, kind: str) -> str | None:
        group = api_group(api_version)
        custom = self.custom.get(f"{group}/{kind}")
        if custom is not None:
            return custom
        if group in BUILTIN_GROUPS:
            return BUILTIN_POD_SPEC_POINTERS.get(kind)
        return None
