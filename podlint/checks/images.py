"""Container image checks."""

from __future__ import annotations

from collections.abc import Iterator

from podlint.model.finding import Finding
from podlint.model.views import ContainerView
from podlint.rule import RuleContext


def image_tag(image: str) -> tuple[str | None, bool]:
    """(tag, has digest) of an image reference; the registry port is not a tag."""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.rpartition(":")[2] if ":" in last else None
    return tag, bool(digest)


def latest_tag(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    image = container.get("image")
    if not isinstance(image, str) or not image.strip():
        return
    tag, pinned = image_tag(image.strip())
    if pinned:
        return
    if tag is None:
        yield Finding(
            container.at("image"),
            f'{container.label}: image "{image}" has no tag, so it means ":latest"; '
            "pin a version or a digest",
        )
    elif tag == "latest":
        yield Finding(
            container.at("image"),
            f'{container.label}: image "{image}" uses the mutable ":latest" tag; '
            "pin a version or a digest",
        )


def missing_image(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    image = container.get("image")
    # Blank is not empty: a Pod's blank image is refused for its whitespace (api-container),
    # a template's is accepted.
    if image is None or image == "":
        yield Finding(
            container.at("image"),
            f"{container.label}: image is required; the apiserver rejects a container without one",
        )
