"""Container image references as the kubelet parses them.

The kubelet turns ``image`` into a pullable reference before anything else
(``pkg/util/parsers.ParseImageName``, which is ``ParseNormalizedNamed`` of
github.com/distribution/reference plus go-digest's digest validation); a reference it cannot
parse leaves the container waiting in ``InvalidImageName`` forever. The grammar below is that
package's, written out:

    reference := name [ ":" tag ] [ "@" digest ]
    name      := [ domain "/" ] path-component { "/" path-component }
    domain    := host [ ":" port ]             host: DNS-ish labels or [IPv6]
    path-component := [a-z0-9]+ { separator [a-z0-9]+ }   separator: . _ __ or dashes
    tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
    digest    := algorithm ":" hex             sha256 (64), sha384 (96) or sha512 (128)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from podlint.lazyre import LazyPattern

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_REMOTE_NAME = rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_NAME = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*"
_HOST = rf"(?:{_DOMAIN_NAME}|\[[a-fA-F0-9:]+\])"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"

_REFERENCE = LazyPattern(
    rf"((?:{_DOMAIN}/)?{_REMOTE_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?\Z", re.ASCII
)
_IDENTIFIER = LazyPattern(r"[a-f0-9]{64}\Z")
_DIGEST_ALGORITHM = LazyPattern(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*\Z")
_DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
_LOWER_HEX = LazyPattern(r"[a-f0-9]+\Z")
_NAME_MAX = 255
_DEFAULT_DOMAIN = "docker.io"


@dataclass(frozen=True)
class ImageReference:
    """A container image reference split into domain, path, tag and digest."""

    domain: str
    path: str
    tag: str | None
    digest: str | None
    explicit_domain: bool


class InvalidReference(ValueError):
    """An image the kubelet cannot parse; the message says why, in the user's terms."""


def parse_image(image: str) -> ImageReference:
    """The reference the kubelet makes of ``image``, or InvalidReference."""
    parsed = _parse_cached(image)
    if isinstance(parsed, str):
        raise InvalidReference(parsed)
    return parsed


# Manifests name the same few images many times over; a bounded cache keeps memory flat. A
# refusal is kept as its message, so that each caller gets an exception of its own.
@lru_cache(maxsize=4096)
def _parse_cached(image: str) -> ImageReference | str:
    try:
        return _parse(image)
    except InvalidReference as problem:
        return str(problem)


def _parse(image: str) -> ImageReference:
    if not image:
        raise InvalidReference("the reference is empty")
    if _IDENTIFIER.match(image):
        raise InvalidReference("a 64-character hexadecimal string is an image ID, not a name")
    domain, remainder, explicit = _split_domain(image)
    remote = remainder.split(":", 1)[0]
    if remote.lower() != remote:
        raise InvalidReference(_uppercase_problem(remote, explicit))
    full = f"{domain}/{remainder}"
    match = _REFERENCE.match(full)
    if match is None:
        raise InvalidReference(_format_problem(image))
    name, tag, digest = match.group(1), match.group(2), match.group(3)
    if len(name) > _NAME_MAX:
        raise InvalidReference(f"the repository name is longer than {_NAME_MAX} characters")
    if digest is not None:
        _check_digest(digest)
    return ImageReference(domain, name[len(domain) + 1 :], tag, digest, explicit)


def _split_domain(image: str) -> tuple[str, str, bool]:
    first, slash, rest = image.partition("/")
    if not slash:
        return _DEFAULT_DOMAIN, f"library/{image}", False
    if first == "localhost" or any(char in first for char in ".:") or first.lower() != first:
        domain = _DEFAULT_DOMAIN if first == "index.docker.io" else first
        return domain, rest, True
    return _DEFAULT_DOMAIN, image, False


def _uppercase_problem(remote: str, explicit: bool) -> str:
    name, at, algorithm = remote.partition("@")
    if at and name.lower() == name:
        return f'the digest algorithm "{algorithm}" must be lowercase'
    if not explicit:
        name = name.removeprefix("library/")
    return f'the repository name "{name}" must be lowercase'


def _check_digest(digest: str) -> None:
    algorithm, _, encoded = digest.partition(":")
    if not _DIGEST_ALGORITHM.match(algorithm):
        raise InvalidReference(f'the digest algorithm "{algorithm}" must be lowercase')
    length = _DIGEST_LENGTHS.get(algorithm)
    if length is None:
        raise InvalidReference(
            f'the digest algorithm "{algorithm}" is not supported (sha256, sha384 or sha512)'
        )
    if len(encoded) != length or not _LOWER_HEX.match(encoded):
        raise InvalidReference(f"a {algorithm} digest is {length} lowercase hexadecimal characters")


def _format_problem(image: str) -> str:
    """Why ``image`` does not match the grammar, as specifically as can be said."""
    if any(char.isspace() for char in image):
        return "it contains white space"
    if "://" in image:
        return "a reference has no scheme (drop the part up to ://)"
    name, at, digest = image.partition("@")
    if at and not digest:
        return 'nothing follows "@"'
    last = name.rsplit("/", 1)[-1]
    if last.endswith(":"):
        return 'the tag after ":" is empty'
    if ":" in last:
        tag = last.rsplit(":", 1)[1]
        if not re.fullmatch(_TAG, tag, re.ASCII):
            return (
                f'the tag "{tag}" is not valid (letters, digits, "_", "." and "-", at most '
                '128, not starting with "." or "-")'
            )
    if "//" in name or name.endswith("/") or name.startswith("/"):
        return "a path component is empty"
    if at and not re.fullmatch(_DIGEST, digest, re.ASCII):
        return f'the digest "{digest}" is not "algorithm:hex"'
    return "it does not match the image reference grammar"
