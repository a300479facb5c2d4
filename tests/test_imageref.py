"""The kubelet's image reference grammar (distribution/reference + go-digest), case by case."""

from __future__ import annotations

import pytest

from podlint.k8s.imageref import InvalidReference, parse_image

SHA256 = "a" * 64


@pytest.mark.parametrize(
    ("image", "domain", "path", "tag", "explicit"),
    [
        ("nginx", "docker.io", "library/nginx", None, False),
        ("test_com", "docker.io", "library/test_com", None, False),
        ("test.com:tag", "docker.io", "library/test.com", "tag", False),
        ("foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080", False),
        ("foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", "8080", False),
        ("test:5000/repo:tag", "test:5000", "repo", "tag", True),
        ("localhost/app", "localhost", "app", None, True),
        ("index.docker.io/library/nginx:1", "docker.io", "library/nginx", "1", True),
        ("[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "repo", None, True),
        ("MyRegistry.io/app:1", "MyRegistry.io", "app", "1", True),
        ("lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase", False),
        ("a/b---c/d__e:x_y.Z-1", "docker.io", "a/b---c/d__e", "x_y.Z-1", False),
    ],
)
def test_references_the_kubelet_accepts(
    image: str, domain: str, path: str, tag: str | None, explicit: bool
) -> None:
    reference = parse_image(image)
    assert (reference.domain, reference.path, reference.tag, reference.explicit_domain) == (
        domain,
        path,
        tag,
        explicit,
    )


def test_digests_of_each_supported_algorithm() -> None:
    for algorithm, length in (("sha256", 64), ("sha384", 96), ("sha512", 128)):
        assert (
            parse_image(f"app@{algorithm}:{'0' * length}").digest == f"{algorithm}:{'0' * length}"
        )
    assert parse_image(f"app:1.0@sha256:{SHA256}").tag == "1.0"


@pytest.mark.parametrize(
    ("image", "why"),
    [
        ("", "empty"),
        (":justtag", "does not match"),
        (f"@sha256:{SHA256}", "does not match"),
        ("Uppercase:tag", 'repository name "Uppercase" must be lowercase'),
        ("test:5000/Uppercase/lowercase:tag", '"Uppercase/lowercase" must be lowercase'),
        ("aa/asdf$$^/aa", "does not match"),
        ("[fe80::1%eth0]:5000/repo", "does not match"),
        ("repo@sha256:ffffffffff", 'is not "algorithm:hex"'),
        (f"repo@sha1:{'f' * 40}", '"sha1" is not supported'),
        (f"repo@SHA256:{SHA256}", '"SHA256" must be lowercase'),
        (f"repo@sha256:{SHA256.upper()}", "64 lowercase hexadecimal"),
        (f"repo@sha256:{SHA256}0", "64 lowercase hexadecimal"),
        (SHA256, "image ID"),
        ("a" * 256, "longer than 255"),
        ("app:" + "t" * 129, "is not valid"),
        ("app:.x", 'the tag ".x" is not valid'),
        ("https://ghcr.io/a/b", "no scheme"),
        ("nginx ", "white space"),
        ("a//b", "empty"),
        ("app:", "empty"),
    ],
)
def test_references_the_kubelet_refuses(image: str, why: str) -> None:
    with pytest.raises(InvalidReference, match=None) as refused:
        parse_image(image)
    assert why in str(refused.value)
