"""Inputs an attacker or a fuzzer would send: values of every type and texts of every shape."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

# Characters that have broken readers and reports: controls, separators, bidi overrides,
# YAML punctuation, quotes and a non-BMP character.
HOSTILE_CHARACTERS = (
    "\x00\x07\x08\x0b\x0c\x1b\x7f\x85\u2028\u2029\u202e\u2066\ufeff\ufffe"
    "\r\n\t :-?[]{},&*!|>'\"%@`#~\\/🙂"
)
text = st.text(
    alphabet=st.one_of(st.sampled_from(HOSTILE_CHARACTERS), st.characters(codec="utf-8")),
    max_size=40,
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
    st.sampled_from(
        ["1e1000000", "-1e1000000", "1e-1000000", "9" * 400, "0x1F", "0o17", "1Ei", "100m", ""]
    ),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(text, children, max_size=4)
    ),
    max_leaves=12,
)

POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "namespace": "default", "labels": {"app": "web"}},
    "spec": {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "initContainers": [{"name": "init", "image": "busybox:1", "restartPolicy": "Always"}],
        "containers": [
            {
                "name": "app",
                "image": "nginx:1.27",
                "ports": [{"containerPort": 80, "name": "http", "hostPort": 80}],
                "env": [{"name": "A", "valueFrom": {"resourceFieldRef": {"resource": "x"}}}],
                "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": 1}},
                "livenessProbe": {"httpGet": {"port": "http"}, "periodSeconds": 10},
                "readinessProbe": {"tcpSocket": {"port": 80}},
                "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
                "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                "securityContext": {"capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]}},
            }
        ],
        "volumes": [{"name": "data", "emptyDir": {"sizeLimit": "1Gi"}}],
        "tolerations": [{"key": "k", "operator": "Exists"}],
    },
}


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


POD_PATHS = _paths(POD)


@st.composite
def pods(draw: st.DrawFn) -> dict[str, Any]:
    """The Pod above with a few of its values (at any depth) replaced by anything."""
    pod = copy.deepcopy(POD)
    for path in draw(st.lists(st.sampled_from(POD_PATHS), min_size=1, max_size=3)):
        node: Any = pod
        try:
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = draw(values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed the path
    return pod


yaml_lines = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "apiVersion: v1",
                "kind: Pod",
                "metadata:",
                "  name: p",
                "spec:",
                "  containers:",
                "  - name: app",
                "    image: nginx:latest",
                "    securityContext: {privileged: true}",
                "---",
                "...",
                "a: &a [1, 2]",
                "b: *a",
                "<<: *a",
                "  # podlint: disable=latest-image-tag",
                "    env: [{name: A, value: '\\e'}]",
            ]
        ),
        text,
    ),
    max_size=25,
)
manifest_texts = yaml_lines.map(lambda lines: "\n".join(lines) + "\n")
