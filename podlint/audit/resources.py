"""The API resources an audit lists: Pods and every built-in kind that carries a pod template."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool = True

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def label(self) -> str:
        """How kubectl and RBAC messages name it: ``deployments.apps``, ``pods``."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


WORKLOADS: tuple[Resource, ...] = (
    Resource("", "v1", "Pod", "pods"),
    Resource("", "v1", "PodTemplate", "podtemplates"),
    Resource("", "v1", "ReplicationController", "replicationcontrollers"),
    Resource("apps", "v1", "ReplicaSet", "replicasets"),
    Resource("apps", "v1", "Deployment", "deployments"),
    Resource("apps", "v1", "StatefulSet", "statefulsets"),
    Resource("apps", "v1", "DaemonSet", "daemonsets"),
    Resource("batch", "v1", "Job", "jobs"),
    Resource("batch", "v1", "CronJob", "cronjobs"),
)

NAMESPACES = Resource("", "v1", "Namespace", "namespaces", namespaced=False)
POLICY_REPORT = Resource("wgpolicyk8s.io", "v1alpha2", "PolicyReport", "policyreports")
CLUSTER_POLICY_REPORT = Resource(
    "wgpolicyk8s.io", "v1alpha2", "ClusterPolicyReport", "clusterpolicyreports", namespaced=False
)
