"""AdmissionReview in, podlint Document out: request.object has no source text, so no locator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from podlint.model.document import Document

API_VERSIONS = ("admission.k8s.io/v1", "admission.k8s.io/v1beta1")
KIND = "AdmissionReview"


class ReviewError(ValueError):
    """An AdmissionReview that cannot be answered (the server turns it into HTTP 400)."""


@dataclass(frozen=True)
class AdmissionRequest:
    """The fields of ``request`` that the decision depends on, checked for shape."""

    api_version: str
    uid: str
    operation: str
    kind: str
    group: str
    sub_resource: str
    namespace: str
    name: str
    username: str
    dry_run: bool
    object: dict[str, Any] | None
    old_object: dict[str, Any] | None


def parse_review(admission_review: Any) -> AdmissionRequest:
    """Check the envelope and the request fields; raise ReviewError naming the field."""
    if not isinstance(admission_review, Mapping):
        raise ReviewError("the body must be a JSON object (an AdmissionReview)")
    api_version = admission_review.get("apiVersion")
    kind = admission_review.get("kind")
    if api_version not in API_VERSIONS or kind != KIND:
        raise ReviewError(
            f"expected apiVersion {' or '.join(API_VERSIONS)} and kind {KIND}, "
            f"got apiVersion {api_version!r} and kind {kind!r}"
        )
    request = admission_review.get("request")
    if not isinstance(request, Mapping):
        raise ReviewError("request is missing or not an object")
    uid = request.get("uid")
    if not isinstance(uid, str) or not uid:
        raise ReviewError("request.uid is missing or not a string")
    operation = request.get("operation")
    if operation not in ("CREATE", "UPDATE", "DELETE", "CONNECT"):
        raise ReviewError(
            f"request.operation is {operation!r}; expected CREATE, UPDATE, DELETE or CONNECT"
        )
    gvk = request.get("kind")
    if not isinstance(gvk, Mapping) or not isinstance(gvk.get("kind"), str):
        raise ReviewError("request.kind must be an object with group, version and kind")
    obj = request.get("object")
    old = request.get("oldObject")
    for field_name, value in (("object", obj), ("oldObject", old)):
        if value is not None and not isinstance(value, dict):
            raise ReviewError(f"request.{field_name} must be an object or null")
    if operation in ("CREATE", "UPDATE") and obj is None:
        raise ReviewError(f"request.object is null on {operation}")
    if operation == "UPDATE" and old is None:
        raise ReviewError("request.oldObject is null on UPDATE")
    user_info = request.get("userInfo")
    username = user_info.get("username") if isinstance(user_info, Mapping) else None
    return AdmissionRequest(
        api_version=api_version,
        uid=uid,
        operation=operation,
        kind=gvk["kind"],
        group=str(gvk.get("group") or ""),
        sub_resource=_text(request.get("subResource")),
        namespace=_text(request.get("namespace")),
        name=_text(request.get("name")) or _object_name(obj),
        username=_text(username),
        dry_run=request.get("dryRun") is True,
        object=obj,
        old_object=old,
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _object_name(obj: Mapping[str, Any] | None) -> str:
    metadata = obj.get("metadata") if obj else None
    if not isinstance(metadata, Mapping):
        return ""
    return _text(metadata.get("name")) or _text(metadata.get("generateName"))


def admission_document(request: AdmissionRequest, obj: dict[str, Any]) -> Document:
    """The object under review as a Document; its path names the request uid for logs."""
    return Document(path=f"admission:{request.uid}", index=0, data=obj)
