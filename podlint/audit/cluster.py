"""The Kubernetes API side of an audit, through lightkube: connect, list, apply.

Everything that speaks to the cluster is here, so the rest of the audit works on plain dicts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import httpx2
from lightkube import Client, KubeConfig, operators
from lightkube.config import client_adapter as adapter
from lightkube.config.kubeconfig import SingleConfig
from lightkube.core.exceptions import ApiError, ConfigError
from lightkube.generic_resource import (
    GenericGlobalResource,
    GenericNamespacedResource,
    create_global_resource,
    create_namespaced_resource,
)

from podlint.audit.errors import ConnectError, Refused
from podlint.audit.resources import NAMESPACES, Resource
from podlint.audit.selector import Requirement

SERVICE_ACCOUNT = Path("/var/run/secrets/kubernetes.io/serviceaccount")
FIELD_MANAGER = "podlint"
DEFAULT_CHUNK_SIZE = 500


def load_config(kubeconfig: str | None, context: str | None) -> SingleConfig:
    """kubectl's order: --kubeconfig, KUBECONFIG, ~/.kube/config, then the Pod's service
    account."""
    path = _kubeconfig_path(kubeconfig)
    try:
        if path is not None:
            config = KubeConfig.from_file(path)
        elif (SERVICE_ACCOUNT / "token").is_file() and os.environ.get("KUBERNETES_SERVICE_HOST"):
            if context is not None:
                raise ConnectError("--context needs a kubeconfig; none was found")
            config = KubeConfig.from_service_account(SERVICE_ACCOUNT)
        else:
            raise ConnectError(
                "no kubeconfig: give --kubeconfig FILE, set KUBECONFIG, create ~/.kube/config, "
                "or run inside a Pod with a service account token"
            )
        single = config.get(context_name=context)
    except ConfigError as error:
        where = f"{path}: " if path is not None else ""
        raise ConnectError(f"{where}{error}") from None
    except OSError as error:
        raise ConnectError(f"{path}: {error.strerror or error}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        problem = f"{type(error).__name__}: {error}"
        raise ConnectError(f"{path}: not a usable kubeconfig ({problem})") from None
    if single is None:
        raise ConnectError(f"{path}: no current context; choose one with --context")
    return single


def _kubeconfig_path(explicit: str | None) -> Path | None:
    if explicit is not None:
        if not Path(explicit).is_file():
            raise ConnectError(f"{explicit}: no such kubeconfig file")
        return Path(explicit)
    listed = os.environ.get("KUBECONFIG", "")
    if listed:
        # kubectl merges a list; the first file that exists is the one whose context is used.
        for name in listed.split(os.pathsep):
            if name and Path(name).is_file():
                return Path(name)
        raise ConnectError(f"KUBECONFIG names no file that exists: {listed}")
    default = Path.home() / ".kube" / "config"
    return default if default.is_file() else None


class Cluster:
    """One API server, reached with one configuration."""

    def __init__(self, config: SingleConfig, timeout: float = 30.0) -> None:
        self.server = config.cluster.server
        try:
            self.client = Client(config, timeout=httpx2.Timeout(timeout), lazy=False)
            # Discovery documents are not resources; the same connection settings read them.
            self.discovery = adapter.Client(
                config, adapter.ConnectionParams(timeout=httpx2.Timeout(timeout))
            )
        except (ConfigError, OSError) as error:
            raise ConnectError(str(error)) from None

    def close(self) -> None:
        self.client.close()
        self.discovery.close()

    def version(self) -> tuple[int, int] | None:
        """The cluster's Kubernetes (major, minor), from /version; None when it does not say."""
        with _answers(self.server):
            answer = self.discovery.get("/version")
            answer.raise_for_status()
            match = re.match(r"v?(\d+)\.(\d+)", str(answer.json().get("gitVersion", "")))
        return (int(match.group(1)), int(match.group(2))) if match else None

    def served(self, group: str, kind: str) -> Resource | None:
        """The resource that serves ``kind`` of API ``group`` in its preferred version, or None
        when the cluster does not serve it (a custom workload kind whose CRD is absent)."""
        with _answers(self.server):
            answer = self.discovery.get(f"/apis/{group}")
            if answer.status_code == 404:
                return None
            answer.raise_for_status()
            version = answer.json()["preferredVersion"]["groupVersion"].split("/", 1)[1]
            answer = self.discovery.get(f"/apis/{group}/{version}")
            answer.raise_for_status()
            for entry in answer.json().get("resources", []):
                if entry.get("kind") == kind and "/" not in entry.get("name", "/"):
                    return Resource(group, version, kind, entry["name"], bool(entry["namespaced"]))
        return None

    def list_objects(
        self,
        resource: Resource,
        namespace: str | None,
        requirements: tuple[Requirement, ...] = (),
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> Iterator[dict[str, Any]]:
        """Every object of ``resource`` (in ``namespace``, or all when None), page by page
        (``limit`` and ``continue``), with apiVersion and kind filled in as list items lack
        them."""
        kind: Any = _resource_class(resource)
        # A list of pairs, unlike a dict, keeps two requirements on one key (a!=x,a!=y).
        labels: Any = [(r.key, _operator(r)) for r in requirements] or None
        scope: dict[str, Any] = {}
        if resource.namespaced:
            scope["namespace"] = namespace if namespace is not None else "*"
        with _answers(self.server):
            for item in self.client.list(kind, chunk_size=chunk_size, labels=labels, **scope):
                obj = dict(item)
                obj["apiVersion"] = resource.api_version
                obj["kind"] = resource.kind
                yield obj

    def namespaces(self) -> list[str]:
        return sorted(str(obj["metadata"]["name"]) for obj in self.list_objects(NAMESPACES, None))

    def apply(self, resource: Resource, obj: dict[str, Any]) -> None:
        """Create or update ``obj`` with server-side apply (podlint owns what it writes)."""
        kind: Any = _resource_class(resource)
        with _answers(self.server):
            self.client.apply(kind(obj), field_manager=FIELD_MANAGER, force=True)


@contextmanager
def _answers(server: str) -> Iterator[None]:
    """Library and transport errors turned into ours, with the API server's own message."""
    try:
        yield
    except ApiError as error:
        status = error.status
        raise Refused(status.code or error.response.status_code, status.message or "") from None
    except httpx2.HTTPStatusError as error:
        answer = error.response
        text = " ".join(answer.text.split())[:200]
        raise Refused(answer.status_code, text or answer.reason_phrase) from None
    except httpx2.HTTPError as error:
        raise ConnectError(f"cannot reach the API server at {server}: {error}") from None


@cache
def _resource_class(resource: Resource) -> type[GenericNamespacedResource | GenericGlobalResource]:
    make = create_namespaced_resource if resource.namespaced else create_global_resource
    made: type[GenericNamespacedResource | GenericGlobalResource] = make(
        resource.group, resource.version, resource.kind, resource.plural
    )
    return made


def _operator(requirement: Requirement) -> Any:
    values = requirement.values
    return {
        "equal": lambda: operators.equal(values[0]),
        "not_equal": lambda: operators.not_equal(values[0]),
        "in": lambda: operators.in_(values),
        "not_in": lambda: operators.not_in(values),
        "exists": operators.exists,
        "not_exists": operators.not_exists,
    }[requirement.operator]()
