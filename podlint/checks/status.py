"""Status predictions: causes, written in the manifest, of the state a Pod gets stuck in.

The apiserver accepts all of these; the kubelet, the scheduler or a controller then leaves the
Pod in a status the user meets in ``kubectl get pods``. Each check follows the component that
decides, and its card names the status and the version whose behaviour it follows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from podlint.k8s.imageref import InvalidReference, parse_image
from podlint.model.configrefs import (
    ConfigIndex,
    DataSource,
    KeyReference,
    PodReferences,
    reads_config_index,
)
from podlint.model.finding import Finding
from podlint.model.views import ContainerType, ContainerView
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
_PLACEHOLDER = re.compile(r"\$\{?[A-Za-z_]|<[^>]*>|\{\{|(?:^|/)[A-Z][A-Z0-9_]*(?:[/:@]|$)")


def has_placeholder(image: str) -> bool:
    """Whether ``image`` holds an unfilled template placeholder."""
    return _PLACEHOLDER.search(image) is not None


def _apiserver_refuses_whitespace(container: ContainerView) -> bool:
    return not container.pod.is_template and container.type is not ContainerType.EPHEMERAL


def image_never_pull(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    """``imagePullPolicy: Never`` on an image a node is unlikely to hold: ErrImageNeverPull."""
    if container.get("imagePullPolicy") != "Never":
        return
    image = container.get("image")
    if not isinstance(image, str) or not image.strip():
        return
    try:
        reference = parse_image(image.strip())
    except InvalidReference:
        return  # invalid-image-name
    if reference.explicit_domain and not reference.domain.startswith("localhost"):
        yield Finding(
            container.at("imagePullPolicy"),
            f'{container.label}: imagePullPolicy is Never but image "{image}" names the '
            f'registry "{reference.domain}"; unless every node was loaded with it in advance, '
            "the container waits in ErrImageNeverPull; use IfNotPresent",
        )


@reads_config_index
def config_ref_missing(index: ConfigIndex, ctx: RuleContext) -> Iterator[Finding]:
    """A key (or, with ``assume-complete``, a ConfigMap or Secret) that an environment
    variable needs and the run does not define: CreateContainerConfigError."""
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
                    yield _at(pod, reference, _missing_object(pod, reference))
            elif reference.key is not None and reference.key not in source.keys:
                yield _at(pod, reference, _missing_key(reference, source))


def _missing_object(pod: PodReferences, reference: KeyReference) -> str:
    return (
        f'{_use(reference)} {reference.source_kind} "{reference.name}", which the linted '
        f'files do not define in namespace "{pod.namespace}" (and assume-complete says they '
        "define all of it); the container would wait in CreateContainerConfigError; create "
        "it, or mark the reference optional: true"
    )


def _missing_key(reference: KeyReference, source: DataSource) -> str:
    defined = ", ".join(f'"{key}"' for key in sorted(source.keys)[:10]) or "no keys"
    more = ", ..." if len(source.keys) > 10 else ""
    where = "data" if source.kind == "ConfigMap" else "data or stringData"
    return (
        f'{_use(reference)} {source.kind} "{source.name}" ({source.path}), whose {where} '
        f"has no such key (it defines {defined}{more}); the container would wait in "
        "CreateContainerConfigError; add the key, fix its name, or mark it optional: true"
    )


def _use(reference: KeyReference) -> str:
    if reference.key is None:
        return f"{reference.container}: envFrom reads"
    variable = f" {reference.variable}" if reference.variable else ""
    return f'{reference.container}: env{variable} reads key "{reference.key}" of'


def _at(pod: PodReferences, reference: KeyReference, message: str) -> Finding:
    origin = pod.origin
    return Finding(
        reference.pointer,
        message,
        path=origin.path,
        span=reference.span,
        document=origin.document,
        kind=origin.kind,
        namespace=origin.namespace,
        name=origin.name,
    )
