"""Status predictions: causes, written in the manifest, of the state a Pod gets stuck in.

The apiserver accepts all of these; the kubelet, the scheduler or a controller then leaves the
Pod in a status the user meets in ``kubectl get pods``. Each check follows the component that
decides, and its card names the status and the version whose behaviour it follows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from podlint.k8s.imageref import ImageReference, InvalidReference, parse_image
from podlint.k8s.quantity import parse_quantity
from podlint.lazyre import LazyPattern
from podlint.model.configrefs import (
    CLUSTER,
    ClaimSummary,
    ClassReference,
    ConfigIndex,
    DataSource,
    KeyReference,
    Origin,
    PodReferences,
    reads_config_index,
)
from podlint.model.finding import Finding
from podlint.model.span import Span
from podlint.model.version import KubeVersion
from podlint.model.views import ContainerType, ContainerView, PodSpecView
from podlint.rule import RuleContext


def invalid_image_name(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    """An image reference the kubelet cannot parse: the container waits in InvalidImageName."""
    image = container.get("image")
    if not isinstance(image, str) or not image.strip():
        return  # missing-image
    if image != image.strip() and _apiserver_refuses_whitespace(container):
        return  # api-container: the apiserver refuses it first
    if has_placeholder(image):
        return  # a template; what the kubelet gets is known only once it is filled in
    try:
        parse_image(image)
    except InvalidReference as problem:
        yield Finding(
            container.at("image"),
            f'{container.label}: the kubelet cannot parse image "{image}": {problem}; the '
            "container would wait in InvalidImageName",
        )


# $VAR, ${VAR}, <VAR>, {{ .Values.x }}, and path components in capitals such as PROJECT_ID or
# REGION (a mixed-case "Acme" is a real mistake, not a placeholder).
_PLACEHOLDER = LazyPattern(r"\$\{?[A-Za-z_]|<[^>]*>|\{\{|(?:^|/)[A-Z][A-Z0-9_]*(?:[/:@]|$)")


def has_placeholder(image: str) -> bool:
    """Whether ``image`` holds an unfilled template placeholder."""
    # Most images hold none of the characters a placeholder needs: a cheaper test first.
    if image.islower() and "$" not in image and "<" not in image and "{" not in image:
        return False
    return _PLACEHOLDER.search(image) is not None


def _apiserver_refuses_whitespace(container: ContainerView) -> bool:
    return not container.pod.is_template and container.type is not ContainerType.EPHEMERAL


def image_never_pull(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    """``imagePullPolicy: Never`` on an image a node is unlikely to hold: ErrImageNeverPull."""
    never = _never_pulled(container)
    if never is None:
        return
    image, reference = never
    if reference.explicit_domain and not reference.domain.startswith("localhost"):
        yield Finding(
            container.at("imagePullPolicy"),
            f'{container.label}: imagePullPolicy is Never but image "{image}" names the '
            f'registry "{reference.domain}"; unless every node was loaded with it in advance, '
            "the container waits in ErrImageNeverPull; use IfNotPresent",
        )


def _never_pulled(container: ContainerView) -> tuple[str, ImageReference] | None:
    """The image and its parsed reference of a container with ``imagePullPolicy: Never``;
    None for another policy, or an image that is missing or cannot be parsed (the rules
    missing-image and invalid-image-name)."""
    if container.get("imagePullPolicy") != "Never":
        return None
    image = container.get("image")
    if not isinstance(image, str) or not image.strip():
        return None
    try:
        return image, parse_image(image.strip())
    except InvalidReference:
        return None


def image_never_pull_latest_or_digest(
    container: ContainerView, ctx: RuleContext
) -> Iterator[Finding]:
    """``imagePullPolicy: Never`` on a node-local image named by ``:latest`` or a digest: the
    node's copy must be exactly that one, which Never cannot bring about."""
    never = _never_pulled(container)
    if never is None or has_placeholder(never[0]):
        return
    image, reference = never
    if reference.explicit_domain and not reference.domain.startswith("localhost"):
        return  # image-never-pull
    if reference.digest is not None:
        yield Finding(
            container.at("imagePullPolicy"),
            f'{container.label}: imagePullPolicy is Never but image "{image}" names a '
            "digest, which a registry serves; a node holds that exact image only if it pulled "
            "it, otherwise the container waits in ErrImageNeverPull; use IfNotPresent",
        )
    elif reference.tag in (None, "latest"):
        yield Finding(
            container.at("imagePullPolicy"),
            f'{container.label}: imagePullPolicy is Never with image "{image}" (tag latest): '
            "each node runs whatever it last loaded under that tag, and one that has none "
            "leaves the container in ErrImageNeverPull; load and name the image with a "
            "version tag",
        )


@reads_config_index
def config_ref_missing(index: ConfigIndex, ctx: RuleContext) -> Iterator[Finding]:
    """A key (or, with ``assume-complete``, a ConfigMap or Secret) that an environment
    variable or a volume needs and the run does not define: CreateContainerConfigError, or
    ContainerCreating for a volume."""
    complete = ctx.params.get("assume-complete") is True
    for pod in index:
        for reference in pod.references:
            if reference.optional:
                continue  # the kubelet skips it
            source = index.find(
                pod.namespace, reference.source_kind, reference.name, pod.origin.path
            )
            if source is None:
                if complete:
                    yield _at(
                        pod.origin,
                        reference.pointer,
                        reference.span,
                        _missing_object(pod, reference),
                    )
                continue
            keys = source.keys_for(reference.via)
            if keys and reference.key is not None and reference.key not in keys:
                # (one without keys is a placeholder that a controller fills, such as a
                # service-account-token Secret: not judged)
                message = _missing_key(reference, source, keys)
                yield _at(pod.origin, reference.pointer, reference.span, message)


def _missing_object(pod: PodReferences, reference: KeyReference) -> str:
    return (
        f'{_use(reference)} {reference.source_kind} "{reference.name}", which the linted '
        f'files do not define in namespace "{pod.namespace}" (and assume-complete says they '
        f"define all of it); {_outcome(reference)}; create it, or mark the reference "
        "optional: true"
    )


def _missing_key(reference: KeyReference, source: DataSource, keys: frozenset[str]) -> str:
    defined = ", ".join(f'"{key}"' for key in sorted(keys)[:10]) or "no keys"
    more = ", ..." if len(keys) > 10 else ""
    if source.kind == "Secret":
        where = "data or stringData"
    else:
        where = "data or binaryData" if reference.via == "volume" else "data"
    return (
        f'{_use(reference)} {source.kind} "{source.name}" ({source.path}), whose {where} '
        f"has no such key (it defines {defined}{more}); {_outcome(reference)}; add the key, "
        "fix its name, or mark it optional: true"
    )


def _outcome(reference: KeyReference) -> str:
    if reference.via == "volume":
        return (
            "the kubelet cannot mount the volume and the Pod would stay in ContainerCreating "
            "(FailedMount)"
        )
    return "the container would wait in CreateContainerConfigError"


def _use(reference: KeyReference) -> str:
    if reference.via == "volume":
        if reference.key is None:
            return f"{reference.container} projects"
        return f'{reference.container} projects key "{reference.key}" of'
    if reference.key is None:
        return f"{reference.container}: envFrom reads"
    variable = f" {reference.variable}" if reference.variable else ""
    return f'{reference.container}: env{variable} reads key "{reference.key}" of'


def _at(origin: Origin, pointer: str, span: Span | None, message: str) -> Finding:
    """A finding of a run-wide check, placed in the object ``origin`` describes."""
    return Finding(
        pointer,
        message,
        path=origin.path,
        span=span,
        document=origin.document,
        kind=origin.kind,
        namespace=origin.namespace,
        name=origin.name,
    )


# Made by the apiserver itself (the Priority admission plugin's post-start hook).
BUILTIN_PRIORITY_CLASSES = frozenset({"system-cluster-critical", "system-node-critical"})


@reads_config_index
def class_ref_missing(index: ConfigIndex, ctx: RuleContext) -> Iterator[Finding]:
    """A ``priorityClassName`` or ``runtimeClassName`` that the run does not define while it
    defines others of that kind (or, with ``assume-complete``, at all): admission refuses
    the Pod."""
    complete = ctx.params.get("assume-complete") is True
    for pod in index:
        for reference in pod.classes:
            if reference.kind == "PriorityClass" and reference.name in BUILTIN_PRIORITY_CLASSES:
                continue
            if index.find(CLUSTER, reference.kind, reference.name, pod.origin.path) is not None:
                continue
            defined = index.names_near(CLUSTER, reference.kind, pod.origin.path)
            if defined or complete:
                message = _missing_class(pod, reference, defined)
                yield _at(pod.origin, reference.pointer, reference.span, message)


def _missing_class(pod: PodReferences, reference: ClassReference, defined: list[str]) -> str:
    field = "priorityClassName" if reference.kind == "PriorityClass" else "runtimeClassName"
    if defined:
        listed = ", ".join(f'"{name}"' for name in defined[:10])
        more = ", ..." if len(defined) > 10 else ""
        known = f"the linted files define only {listed}{more}"
    else:
        known = "the linted files define none, and assume-complete says they define all"
    if reference.kind == "PriorityClass":
        refusal = f"no PriorityClass with name {reference.name} was found"
    else:
        refusal = f'pod rejected: RuntimeClass "{reference.name}" not found'
    if pod.origin.kind == "Pod":
        outcome = f"the apiserver refuses the Pod (Forbidden: {refusal})"
    else:
        outcome = (
            f"admission refuses every Pod of the {pod.origin.kind} ({refusal}), so none is "
            "created and its controller reports FailedCreate"
        )
    return (
        f'{field} "{reference.name}" names a {reference.kind} that is not among the linted '
        f"files ({known}); {outcome}; use a defined {reference.kind} or add it"
    )


# Provisioners of block devices that attach to one node at a time: they refuse a
# ReadWriteMany claim of a filesystem volume (some offer multi-attach, for Block volumes only).
# A provisioner not listed (NFS, CephFS, Longhorn, vSphere file shares, ...) is not judged.
SINGLE_NODE_PROVISIONERS = frozenset(
    {
        "ebs.csi.aws.com",
        "kubernetes.io/aws-ebs",
        "pd.csi.storage.gke.io",
        "kubernetes.io/gce-pd",
        "disk.csi.azure.com",
        "kubernetes.io/azure-disk",
    }
)


@reads_config_index
def pvc_never_binds(index: ConfigIndex, ctx: RuleContext) -> Iterator[Finding]:
    """A ReadWriteMany filesystem claim of a StorageClass of the run whose provisioner makes
    only single-node volumes: provisioning fails, the claim and its Pods stay Pending."""
    for claim in index.claims:
        if "ReadWriteMany" not in claim.access_modes or claim.volume_mode != "Filesystem":
            continue
        storage = index.find(CLUSTER, "StorageClass", claim.storage_class, claim.origin.path)
        if storage is None or storage.provisioner not in SINGLE_NODE_PROVISIONERS:
            continue
        position = claim.access_modes.index("ReadWriteMany")
        message = (
            f'{claim.label} asks for ReadWriteMany from StorageClass "{storage.name}" '
            f"({storage.path}), whose provisioner {storage.provisioner} makes volumes that "
            "attach to one node at a time; provisioning fails (ProvisioningFailed), the claim "
            "stays Pending, and so does every Pod that uses it (FailedScheduling: unbound "
            "PersistentVolumeClaims); use ReadWriteOnce, or a StorageClass of a shared "
            "file system (NFS, EFS, Filestore, Azure Files)"
        )
        pointer = f"{claim.pointer}/{position}"
        yield _at(claim.origin, pointer, _item_span(claim, position), message)


def _item_span(claim: ClaimSummary, position: int) -> Span | None:
    return claim.item_spans[position] if position < len(claim.item_spans) else claim.span


def _empty_dirs(pod: PodSpecView) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(index, name, emptyDir) of the pod's emptyDir volumes."""
    volumes = pod.get("volumes")
    for index, volume in enumerate(volumes if isinstance(volumes, list) else []):
        if not isinstance(volume, dict):
            continue
        name, source = volume.get("name"), volume.get("emptyDir")
        if isinstance(name, str) and isinstance(source, dict):
            yield index, name, source


# Shared memory for IPC (PyTorch, NCCL, browsers): the program sizes its segments itself, and
# a sizeLimit would turn a large one into SIGBUS rather than bound anything that accumulates.
SHM = "/dev/shm"


def _mounts(container: ContainerView, besides: str | None = None) -> set[str]:
    """The names of the volumes ``container`` mounts (other than at the path ``besides``)."""
    mounts = container.get("volumeMounts")
    return {
        str(mount.get("name"))
        for mount in (mounts if isinstance(mounts, list) else [])
        if isinstance(mount, dict) and (besides is None or mount.get("mountPath") != besides)
    }


def _resources(container: ContainerView, field: str) -> dict[str, Any]:
    """The container's ``resources.<field>`` (limits, requests), empty when not a mapping."""
    resources = container.get("resources")
    values = resources.get(field) if isinstance(resources, dict) else None
    return values if isinstance(values, dict) else {}


def _limit(container: ContainerView, resource: str) -> Decimal | None:
    return parse_quantity(_resources(container, "limits").get(resource))


def memory_emptydir_unbounded(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    """A ``medium: Memory`` emptyDir without a ``sizeLimit`` below the memory limit of a
    container that mounts it: what it writes there is charged to that limit (OOMKilled)."""
    containers = [c for c in pod.containers() if c.type is not ContainerType.EPHEMERAL]
    for index, name, source in _empty_dirs(pod):
        if source.get("medium") != "Memory":
            continue
        mounted = [c for c in containers if name in _mounts(c, besides=SHM)]
        if source.get("sizeLimit") is None:
            limited = [c for c in mounted if _limit(c, "memory")]
            if not limited:
                continue
            labels = ", ".join(c.label for c in limited)
            yield Finding(
                pod.at("volumes", index, "emptyDir", "medium"),
                f'volume "{name}" is a tmpfs (medium: Memory) without sizeLimit, mounted by '
                f"{labels} with a memory limit: files written there count against that limit, "
                "and nothing stops the volume before it is reached; the container would be "
                "OOMKilled; set emptyDir.sizeLimit well below the memory limit (the write then "
                "fails with ENOSPC instead)",
            )
            continue
        size = parse_quantity(source.get("sizeLimit"))
        if size is None or size <= 0:
            continue
        below = [(c, limit) for c in mounted if (limit := _limit(c, "memory")) and limit <= size]
        if not below:
            continue
        container, limit = min(below, key=lambda pair: pair[1])
        yield Finding(
            pod.at("volumes", index, "emptyDir", "sizeLimit"),
            f'volume "{name}" is a tmpfs (medium: Memory) whose sizeLimit '
            f"{source.get('sizeLimit')} is not below the memory limit of {container.label} "
            f"({_format_bytes(limit)}) that mounts it: files written there count against "
            "that limit, which is reached before the volume is full; the container would be "
            "OOMKilled; set sizeLimit well below the memory limit (the write then fails with "
            "ENOSPC instead)",
        )


def ephemeral_storage_below_emptydir(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    """A disk emptyDir whose sizeLimit is above the pod's ephemeral-storage limit: the pod is
    evicted before the volume is full."""
    limit = _pod_ephemeral_storage_limit(pod)
    if limit is None:
        return
    for index, name, source in _empty_dirs(pod):
        if source.get("medium") == "Memory":
            continue  # tmpfs is memory, not ephemeral storage
        size = parse_quantity(source.get("sizeLimit"))
        if size is None or size <= limit:
            continue
        yield Finding(
            pod.at("volumes", index, "emptyDir", "sizeLimit"),
            f'volume "{name}" may grow to sizeLimit {source.get("sizeLimit")}, more than the '
            f"pod's ephemeral-storage limit ({_format_bytes(limit)}, the sum of its containers' "
            "limits) that its files count against; the kubelet would evict the Pod (Evicted) "
            "before the volume is full; raise the containers' ephemeral-storage limits or "
            "lower sizeLimit",
        )


def _pod_ephemeral_storage_limit(pod: PodSpecView) -> Decimal | None:
    """The pod's limit as the kubelet's eviction manager computes it (the resource helper's
    PodLimits); None when no container sets one."""
    return _pod_total(pod, "ephemeral-storage", _limit)


def _request(container: ContainerView, resource: str) -> Decimal | None:
    """The container's request, or its limit when it has none (the apiserver's default)."""
    requests = _resources(container, "requests")
    if resource in requests:
        return parse_quantity(requests.get(resource))
    return _limit(container, resource)


def _pod_total(
    pod: PodSpecView,
    resource: str,
    amount: Callable[[ContainerView, str], Decimal | None],
) -> Decimal | None:
    """A pod's total of ``amount`` as the resource helper (PodRequests, PodLimits) computes
    it: the sum over app and sidecar containers, or, if larger, an init container's amount
    plus those of the sidecars started before it; None when no container sets one."""
    found = False
    running = Decimal(0)  # app and sidecar containers
    sidecars = Decimal(0)  # sidecars started so far
    largest_init = Decimal(0)
    for container in pod.containers():
        if container.type is ContainerType.EPHEMERAL:
            continue
        value = amount(container, resource)
        found = found or value is not None
        value = value or Decimal(0)
        if container.role == "init":
            largest_init = max(largest_init, value + sidecars)
        else:
            running += value
            if container.role == "sidecar":
                sidecars += value
    return max(running, largest_init) if found else None


def request_exceeds_node_capacity(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    """A pod that requests more than the largest node described in the rule's
    ``node-capacity`` option holds: the scheduler finds no node (Pending, Insufficient)."""
    capacity = ctx.params.get("node-capacity")
    if not isinstance(capacity, dict):
        return
    overhead = pod.get("overhead")
    for resource, size in capacity.items():
        limit = parse_quantity(size)
        total = _pod_total(pod, str(resource), _request)
        if limit is None or total is None:
            continue
        extra = parse_quantity(overhead.get(resource)) if isinstance(overhead, dict) else None
        total += extra or Decimal(0)
        if total <= limit:
            continue
        yield Finding(
            _largest_request(pod, str(resource)),
            f"the Pod requests {_format(total, str(resource))} {resource} in all, more than "
            f"the largest node holds (node-capacity {resource}: {size}); the scheduler finds "
            f"no node and the Pod stays Pending (FailedScheduling: Insufficient {resource}); "
            "lower the requests or add larger nodes",
        )


def _largest_request(pod: PodSpecView, resource: str) -> str:
    """Where to report: the largest request (or defaulting limit) of the resource."""
    best: tuple[Decimal, str] | None = None
    for container in pod.containers():
        if container.type is ContainerType.EPHEMERAL:
            continue
        value = _request(container, resource)
        if value is None:
            continue
        field = "requests" if resource in _resources(container, "requests") else "limits"
        if best is None or value > best[0]:
            best = (value, container.at("resources", field, resource))
    return best[1] if best else pod.pointer


def _format(value: Decimal, resource: str) -> str:
    if resource == "cpu":
        return f"{value.normalize():f}" if value == value.to_integral() else f"{value * 1000:.0f}m"
    return _format_bytes(value)


def _format_bytes(value: Decimal) -> str:
    for unit, size in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if value >= size and value % size == 0:
            return f"{value // size}{unit}"
    return str(value)


def node_selector_contradicts_affinity(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    """``nodeSelector`` and required node affinity that no node can satisfy together: the
    scheduler needs both (Pending, FailedScheduling)."""
    selector = pod.get("nodeSelector")
    if not isinstance(selector, dict) or not selector:
        return
    labels = {str(key): str(value) for key, value in selector.items()}
    terms = _required_node_terms(pod)
    if not terms:
        return
    conflicts: list[tuple[str, str]] = []  # (key, why) of the first conflict in each term
    for term in terms:
        conflict = _term_conflict(term, labels)
        if conflict is None:
            return  # a node may satisfy both
        conflicts.append(conflict)
    key, why = conflicts[0]
    others = "" if len(terms) == 1 else f" (and each of the other {len(terms) - 1} terms too)"
    yield Finding(
        pod.at("nodeSelector", key),
        f'nodeSelector {key}: "{labels[key]}" contradicts the required node affinity: '
        f"{why}{others}; the scheduler needs both, so no node fits and the Pod stays Pending "
        "(FailedScheduling: didn't match Pod's node affinity/selector); make them agree or "
        "drop one",
    )


def _required_node_terms(pod: PodSpecView) -> list[Any]:
    """The nodeSelectorTerms of the pod's required node affinity (empty when it has none)."""
    affinity = pod.get("affinity")
    node = affinity.get("nodeAffinity") if isinstance(affinity, dict) else None
    required = (
        node.get("requiredDuringSchedulingIgnoredDuringExecution")
        if isinstance(node, dict)
        else None
    )
    terms = required.get("nodeSelectorTerms") if isinstance(required, dict) else None
    return terms if isinstance(terms, list) else []


def _term_conflict(term: object, labels: dict[str, str]) -> tuple[str, str] | None:
    """The nodeSelector key that rules out this nodeSelectorTerm, and why; None if it may
    match (its expressions are ANDed; a term with only matchFields is not judged)."""
    if not isinstance(term, dict):
        return None
    expressions = term.get("matchExpressions")
    for expression in expressions if isinstance(expressions, list) else []:
        if not isinstance(expression, dict):
            continue
        key, operator = expression.get("key"), expression.get("operator")
        if not isinstance(key, str) or key not in labels:
            continue
        values = _values(expression)
        value = labels[key]
        if operator == "In" and value not in values:
            return key, f"{key} In [{', '.join(values)}]"
        if operator == "NotIn" and value in values:
            return key, f"{key} NotIn [{', '.join(values)}]"
        if operator == "DoesNotExist":
            return key, f"{key} DoesNotExist"
        comparison = operator in ("Gt", "Lt") and len(values) == 1
        if comparison and not _compares(value, str(operator), values[0]):
            return key, f"{key} {operator} {values[0]}"
    return None


def _values(expression: dict[str, Any]) -> list[str]:
    """A selector expression's values, as strings (none when not a list)."""
    raw = expression.get("values")
    return [str(v) for v in raw] if isinstance(raw, list) else []


def _compares(value: str, operator: str, bound: str) -> bool:
    """Whether a node label ``value`` passes ``Gt``/``Lt`` ``bound`` (both parsed as
    integers, as the scheduler does; a label that is not one never passes)."""
    try:
        number, limit = int(value), int(bound)
    except ValueError:
        return False
    return number > limit if operator == "Gt" else number < limit


CONTROL_PLANE = "node-role.kubernetes.io/control-plane"


def control_plane_untolerated(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    """A Pod left to the scheduler that may only go to control-plane nodes but does not
    tolerate their ``NoSchedule`` taint: no node passes both filters (Pending)."""
    if pod.get("nodeName"):
        return  # not scheduled: the kubelet does not filter on NoSchedule taints
    place = _control_plane_selection(pod)
    if place is None or _tolerates_control_plane(pod.get("tolerations")):
        return
    pointer, key = place
    yield Finding(
        pointer,
        f"the Pod may only run on nodes labelled {CONTROL_PLANE}, but does not tolerate their "
        f"taint {CONTROL_PLANE}:NoSchedule (set by kubeadm and most installers); the "
        "scheduler finds no node and the Pod stays Pending (FailedScheduling: untolerated "
        f"taint); add the toleration {{key: {CONTROL_PLANE}, operator: Exists, effect: "
        "NoSchedule}, or drop the selector",
        key=key,
    )


def _control_plane_selection(pod: PodSpecView) -> tuple[str, bool] | None:
    """Where the Pod restricts itself to control-plane nodes (and whether that place is a
    mapping key): its nodeSelector, or a required node affinity each of whose terms needs the
    label; None if it does not."""
    selector = pod.get("nodeSelector")
    if isinstance(selector, dict) and CONTROL_PLANE in selector:
        return pod.at("nodeSelector", CONTROL_PLANE), True
    terms = _required_node_terms(pod)
    if not terms:
        return None
    first: str | None = None
    for index, term in enumerate(terms):
        expressions = term.get("matchExpressions") if isinstance(term, dict) else None
        found = None
        for number, expression in enumerate(expressions if isinstance(expressions, list) else []):
            if (
                isinstance(expression, dict)
                and expression.get("key") == CONTROL_PLANE
                and expression.get("operator") in ("In", "Exists")
            ):
                found = number
                break
        if found is None:
            return None  # this term lets the Pod go elsewhere
        if first is None:
            first = pod.at(
                "affinity",
                "nodeAffinity",
                "requiredDuringSchedulingIgnoredDuringExecution",
                "nodeSelectorTerms",
                index,
                "matchExpressions",
                found,
                "key",
            )
    return (first, False) if first is not None else None


def _tolerates_control_plane(tolerations: object) -> bool:
    """Whether a toleration matches the taint ``node-role.kubernetes.io/control-plane:
    NoSchedule`` (value empty), as the scheduler's TaintToleration filter matches them; an
    operator it does not know counts as tolerating, to stay quiet."""
    for toleration in tolerations if isinstance(tolerations, list) else []:
        if not isinstance(toleration, dict):
            continue
        if toleration.get("effect") not in (None, "", "NoSchedule"):
            continue
        if toleration.get("key") not in (None, "", CONTROL_PLANE):
            continue
        operator = toleration.get("operator") or "Equal"
        if operator == "Exists":
            return True
        if operator == "Equal":
            if toleration.get("value") in (None, "") and toleration.get("key") == CONTROL_PLANE:
                return True
            continue
        return True
    return False


ZONE = "topology.kubernetes.io/zone"
# MinDomainsInPodTopologySpread: beta and on by default from 1.27, GA in 1.30.
MIN_DOMAINS = KubeVersion(1, 27)
_REPLICATED = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")


def topology_spread_exceeds_zones(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    """More replicas than the zones can hold under a DoNotSchedule zone spread whose
    ``minDomains`` exceeds the number of zones (rule option ``zones``): the global minimum
    stays 0, so each zone takes at most maxSkew of them (Pending)."""
    zones = ctx.params.get("zones")
    if not isinstance(zones, int) or isinstance(zones, bool) or zones < 1:
        return
    if ctx.kubernetes_version < MIN_DOMAINS or pod.object.kind not in _REPLICATED:
        return
    spec = pod.object.data.get("spec")
    replicas = spec.get("replicas", 1) if isinstance(spec, dict) else 1
    if not isinstance(replicas, int) or isinstance(replicas, bool):
        return
    labels = pod.metadata.get("labels")
    own = {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}
    constraints = pod.get("topologySpreadConstraints")
    for index, constraint in enumerate(constraints if isinstance(constraints, list) else []):
        if not isinstance(constraint, dict) or constraint.get("topologyKey") != ZONE:
            continue
        if constraint.get("whenUnsatisfiable", "DoNotSchedule") != "DoNotSchedule":
            continue
        skew, domains = constraint.get("maxSkew"), constraint.get("minDomains")
        if not isinstance(skew, int) or not isinstance(domains, int) or domains <= zones:
            continue
        if skew < 1 or _selects(constraint.get("labelSelector"), own) is not True:
            continue  # the replicas do not count against each other
        room = zones * skew
        if replicas <= room:
            continue
        yield Finding(
            pod.at("topologySpreadConstraints", index, "minDomains"),
            f"minDomains {domains} is more than the cluster's {zones} zones (rule option "
            "zones), so the scheduler takes the global minimum to be 0 and each zone holds "
            f"at most maxSkew {skew} of these Pods: {room} of the {replicas} replicas run and "
            f"{replicas - room} stay Pending (FailedScheduling: didn't match pod topology "
            f"spread constraints); lower minDomains to {zones} or less, or raise maxSkew",
        )


def _selects(selector: object, labels: dict[str, str]) -> bool | None:
    """Whether a label selector selects ``labels``; None when it cannot be told (an
    operator it does not know). No selector selects nothing; an empty one, everything."""
    if not isinstance(selector, dict):
        return False
    match = selector.get("matchLabels")
    for key, value in match.items() if isinstance(match, dict) else ():
        if labels.get(str(key)) != str(value):
            return False
    expressions = selector.get("matchExpressions")
    for expression in expressions if isinstance(expressions, list) else []:
        if not isinstance(expression, dict):
            return None
        key, operator = str(expression.get("key")), expression.get("operator")
        values = _values(expression)
        if operator == "In":
            passed = key in labels and labels[key] in values
        elif operator == "NotIn":
            passed = key not in labels or labels[key] not in values
        elif operator == "Exists":
            passed = key in labels
        elif operator == "DoesNotExist":
            passed = key not in labels
        else:
            return None
        if not passed:
            return False
    return True
