"""Where kube-apiserver filled in a default, so that rules about unset fields stay quiet there.

Admission and a cluster audit see the object after defaulting and the built-in mutating
plugins: the service-account token volume and its mounts, the not-ready/unreachable
tolerations, terminationMessagePath, imagePullPolicy and friends are present although nobody
wrote them.
A finding that points exactly at such a value (or inside an injected volume, mount or
toleration) is about the apiserver's choice, not the author's, and is dropped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Set
from typing import Any

TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
_DEFAULT_TOLERATION_KEYS = frozenset(
    {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}
)
_POD_SCALARS: dict[str, Any] = {
    "dnsPolicy": "ClusterFirst",
    "restartPolicy": "Always",
    "schedulerName": "default-scheduler",
    "terminationGracePeriodSeconds": 30,
    "enableServiceLinks": True,
    "priority": 0,
    "preemptionPolicy": "PreemptLowerPriority",
    # The ServiceAccount admission plugin fills both in when the author named none.
    "serviceAccountName": "default",
    "serviceAccount": "default",
}
_CONTAINER_SCALARS: dict[str, Any] = {
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
}


def _token_volume(volume: Mapping[str, Any]) -> bool:
    name = volume.get("name")
    if not isinstance(name, str):
        return False
    if name.startswith("kube-api-access-") and "projected" in volume:
        return True
    secret = volume.get("secret")
    return (
        name.startswith("default-token-")
        and isinstance(secret, Mapping)
        and secret.get("secretName") == name
    )


def _is_one_of(value: object, names: Set[str]) -> bool:
    """``value in names`` for a value of any type (a list is not hashable)."""
    return isinstance(value, str) and value in names


def _default_pull_policy(container: Mapping[str, Any]) -> str:
    image = container.get("image")
    if not isinstance(image, str) or "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else "latest"
    return "Always" if tag == "latest" else "IfNotPresent"


def defaulted_pointers(spec: Mapping[str, Any], pointer: str) -> Iterator[tuple[str, bool]]:
    """(pointer, whole subtree) for every value of a pod spec that defaulting supplied."""
    # The keys and list names here are constants that need no escaping in a pointer.
    for key, value in _POD_SCALARS.items():
        found = spec.get(key)
        if found == value and type(found) is type(value):
            yield f"{pointer}/{key}", False
    volumes = spec.get("volumes")
    token_names: set[str] = set()
    if isinstance(volumes, list):
        for index, volume in enumerate(volumes):
            if isinstance(volume, Mapping) and _token_volume(volume):
                token_names.add(volume["name"])
                yield f"{pointer}/volumes/{index}", True
    tolerations = spec.get("tolerations")
    if isinstance(tolerations, list):
        for index, toleration in enumerate(tolerations):
            if (
                isinstance(toleration, Mapping)
                and _is_one_of(toleration.get("key"), _DEFAULT_TOLERATION_KEYS)
                and toleration.get("effect") == "NoExecute"
                and toleration.get("tolerationSeconds") == 300
            ):
                yield f"{pointer}/tolerations/{index}", True
    for list_key in ("containers", "initContainers", "ephemeralContainers"):
        containers = spec.get(list_key)
        if not isinstance(containers, list):
            continue
        for index, container in enumerate(containers):
            if isinstance(container, Mapping):
                yield from _container_defaults(
                    container, f"{pointer}/{list_key}/{index}", token_names
                )


def _container_defaults(
    container: Mapping[str, Any], pointer: str, token_names: set[str]
) -> Iterator[tuple[str, bool]]:
    for key, value in _CONTAINER_SCALARS.items():
        if container.get(key) == value:
            yield f"{pointer}/{key}", False
    if container.get("imagePullPolicy") == _default_pull_policy(container):
        yield f"{pointer}/imagePullPolicy", False
    mounts = container.get("volumeMounts")
    if isinstance(mounts, list):
        for index, mount in enumerate(mounts):
            if (
                isinstance(mount, Mapping)
                and _is_one_of(mount.get("name"), token_names)
                and mount.get("mountPath") == TOKEN_MOUNT_PATH
            ):
                yield f"{pointer}/volumeMounts/{index}", True
    ports = container.get("ports")
    if isinstance(ports, list):
        for index, port in enumerate(ports):
            if isinstance(port, Mapping) and port.get("protocol") == "TCP":
                yield f"{pointer}/ports/{index}/protocol", False


class DefaultedFields:
    """Answers "is this pointer an apiserver default?" for one pod spec."""

    def __init__(self, spec: Mapping[str, Any], pointer: str) -> None:
        self.exact: set[str] = set()
        self.subtrees: list[str] = []
        for found, subtree in defaulted_pointers(spec, pointer):
            (self.subtrees.append(found) if subtree else self.exact.add(found))

    def covers(self, pointer: str) -> bool:
        if pointer in self.exact:
            return True
        return any(pointer == root or pointer.startswith(root + "/") for root in self.subtrees)
