"""The pod templates of a lint run, summarised, for rules that relate objects to each other.

A rule such as "the HorizontalPodAutoscaler scales on CPU utilization, but its Deployment's
containers request no CPU" needs the target workload, which may be in another file. The run
keeps a small summary of every pod-carrying object instead of the objects themselves, so
memory stays proportional to the number of workloads, not to their size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath

from podlint.model.kinds import api_group
from podlint.model.records import pickled_by_fields
from podlint.model.views import ContainerView, PodSpecView

DEFAULT_NAMESPACE = "default"
_RUN_TO_COMPLETION = frozenset({"Job", "CronJob"})


# Built for every container of a run: plain slots (a frozen dataclass sets each field through
# object.__setattr__, three times the cost); nothing changes a summary once made.
@pickled_by_fields
@dataclass(slots=True)
class ContainerSummary:
    """What cross-object rules need of one container."""

    name: str
    role: str  # app, init, sidecar or ephemeral
    requests: frozenset[str]  # resource names with a request (after limits default them)
    declares_ports: bool = False
    readiness_probe: bool = False


@pickled_by_fields
@dataclass(slots=True)
class WorkloadSummary:
    """What cross-object rules need of one pod-carrying object."""

    api_version: str
    kind: str
    namespace: str
    name: str
    path: str
    containers: tuple[ContainerSummary, ...]
    labels: tuple[tuple[str, str], ...] = ()  # of the Pod or pod template
    long_running: bool = False  # not a Job or CronJob, and restartPolicy Always

    def selected_by(self, selector: Mapping[str, str]) -> bool:
        """Whether a Service selector (labels that must all be equal) selects its Pods."""
        labels = dict(self.labels)
        return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def _requested(resources: object) -> frozenset[str]:
    if not isinstance(resources, dict):
        return _NOTHING
    requests, limits = resources.get("requests"), resources.get("limits")
    # A limit without a request defaults the request.
    names = [*requests] if isinstance(requests, dict) else []
    if isinstance(limits, dict):
        names.extend(limits)
    return frozenset(map(str, names)) if names else _NOTHING


_NOTHING: frozenset[str] = frozenset()


def _container(container: ContainerView) -> ContainerSummary:
    data = container.data
    ports = data.get("ports")
    return ContainerSummary(
        container.name,
        container.role,
        _requested(data.get("resources")),
        declares_ports=isinstance(ports, list) and bool(ports),
        readiness_probe="readinessProbe" in data,
    )


def summarize(pod: PodSpecView) -> WorkloadSummary | None:
    obj = pod.object
    document = obj.document
    name = document.name
    if not name:
        return None
    labels = pod.metadata.get("labels")
    return WorkloadSummary(
        obj.api_version,
        obj.kind,
        document.namespace or DEFAULT_NAMESPACE,
        name,
        document.path,
        tuple(map(_container, pod.containers())),
        labels=tuple(sorted((str(k), v) for k, v in labels.items() if isinstance(v, str)))
        if isinstance(labels, dict)
        else (),
        long_running=obj.kind not in _RUN_TO_COMPLETION
        and pod.data.get("restartPolicy", "Always") == "Always",
    )


class WorkloadIndex:
    """Workloads by (namespace, API group, kind, name).

    The same identity can occur several times in one run (an overlay per environment, or
    unrelated projects linted together); a lookup takes the one whose file is nearest to the
    file asking: the same file, then the same directory, then a sibling directory.
    """

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str, str, str], list[WorkloadSummary]] = {}

    def add(self, summary: WorkloadSummary) -> None:
        key = (summary.namespace, api_group(summary.api_version), summary.kind, summary.name)
        self._by_key.setdefault(key, []).append(summary)

    def update(self, other: WorkloadIndex) -> None:
        for key, summaries in other._by_key.items():
            self._by_key.setdefault(key, []).extend(summaries)

    def find(
        self, namespace: str | None, api_version: str, kind: str, name: str, near: str = ""
    ) -> WorkloadSummary | None:
        key = (namespace or DEFAULT_NAMESPACE, api_group(api_version), kind, name)
        return _nearest(self._by_key.get(key, []), near)

    def find_kind(
        self, namespace: str | None, kind: str, name: str, near: str = ""
    ) -> WorkloadSummary | None:
        """The workload of that kind and name in any API group (a reference without one)."""
        wanted = (namespace or DEFAULT_NAMESPACE, kind, name)
        candidates = [
            summary
            for (ns, _group, k, n), summaries in self._by_key.items()
            if (ns, k, n) == wanted
            for summary in summaries
        ]
        return _nearest(candidates, near)

    def selected(
        self, namespace: str | None, selector: Mapping[str, str], near: str = ""
    ) -> list[WorkloadSummary]:
        """The workloads whose Pods a Service selector selects, nearest to ``near`` only: those
        in its file if any, else in its directory, else in a sibling directory (where other
        variants of the same project often live, they are not its target)."""
        wanted = namespace or DEFAULT_NAMESPACE
        ranked: list[tuple[int, WorkloadSummary]] = []
        for (ns, _group, _kind, _name), summaries in self._by_key.items():
            if ns != wanted:
                continue
            for summary in summaries:
                rank = _rank(summary, near)
                if rank and summary.selected_by(selector):
                    ranked.append((rank, summary))
        best = max((rank for rank, _ in ranked), default=0)
        return [summary for rank, summary in ranked if rank == best]

    def __len__(self) -> int:
        return sum(len(summaries) for summaries in self._by_key.values())

    @classmethod
    def merged(cls, indexes: Iterable[WorkloadIndex]) -> WorkloadIndex:
        result = cls()
        for index in indexes:
            result.update(index)
        return result


def _nearest(candidates: list[WorkloadSummary], near: str) -> WorkloadSummary | None:
    """The candidate in the same file, else in the same directory, else in a sibling directory.

    Further away, a workload of the same name is more likely another project's than the
    target, so it is not taken.
    """
    best: tuple[int, WorkloadSummary] | None = None
    for summary in candidates:
        rank = _rank(summary, near)
        if rank and (best is None or rank > best[0]):
            best = (rank, summary)
    return best[1] if best else None


def _rank(summary: WorkloadSummary, near: str) -> int:
    """3 in the same file, 2 in the same directory, 1 in a sibling directory, else 0."""
    here, there = PurePath(near), PurePath(summary.path)
    if summary.path == near:
        return 3
    if there.parent == here.parent:
        return 2
    if there.parent.parent == here.parent.parent:
        return 1
    return 0
