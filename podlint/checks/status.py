"""Status predictions: causes, written in the manifest, of the state a Pod gets stuck in.

The apiserver accepts all of these; the kubelet, the scheduler or a controller then leaves the
Pod in a status the user meets in ``kubectl get pods``. Each check follows the component that
decides, and its card names the status and the version whose behaviour it follows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from podlint.k8s.imageref import InvalidReference, parse_image
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
