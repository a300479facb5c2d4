from __future__ import annotations

from podlint.model.document import Document
from podlint.model.span import Span
from podlint.source.manifest import SourceProblem, parse_text, read_text

MULTI = """\
# leading comment
apiVersion: v1
kind: Pod
metadata:
  name: first
spec:
  containers:
  - name: app
    image: nginx:1.27
    ports: [{containerPort: 80}]
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: in-list}
- not-a-kubernetes-object: true
---
name: tool-config
"""


def items(text: str, path: str = "x.yaml") -> list[Document | SourceProblem]:
    return list(parse_text(text, path))


def test_documents_lists_and_non_kubernetes_documents() -> None:
    found = items(MULTI)
    assert [(d.index, d.pointer, d.kind, d.name) for d in found if isinstance(d, Document)] == [
        (0, "", "Pod", "first"),
        (1, "/items/0", "ConfigMap", "in-list"),
    ]
    assert not [p for p in found if isinstance(p, SourceProblem)]


def test_pointers_map_to_spans_of_values_keys_and_ancestors() -> None:
    pod = items(MULTI)[0]
    assert isinstance(pod, Document)
    assert pod.locate("/spec/containers/0/image") == Span(8, 11, 8, 21)
    assert pod.locate("/spec/containers/0/image", key=True) == Span(8, 4, 8, 9)
    # A flow mapping inside a flow sequence.
    assert pod.locate("/spec/containers/0/ports/0/containerPort") == Span(9, 28, 9, 30)
    # A missing field lands on its nearest existing ancestor (the container's first key).
    assert pod.locate("/spec/containers/0/securityContext/runAsNonRoot") == Span(7, 4, 7, 8)
    # A block mapping under a key is named by its key.
    assert pod.locate("/spec") == Span(5, 0, 5, 4)


def test_list_item_pointers_locate_in_the_source_document() -> None:
    item = items(MULTI)[1]
    assert isinstance(item, Document)
    assert item.locate(item.pointer + "/metadata/name") == Span(16, 19, 16, 26)


def test_a_broken_document_does_not_hide_the_others() -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\n"
    found = items(text)
    problems = [p for p in found if isinstance(p, SourceProblem)]
    documents = [d for d in found if isinstance(d, Document)]
    assert [p.rule for p in problems] == ["yaml-syntax"]
    assert problems[0].span.line == 2
    assert [d.name for d in documents] == ["b"]
    assert documents[0].locate("/metadata/name") == Span(6, 17, 6, 18)


def test_tabs_get_their_own_message() -> None:
    [problem] = items("apiVersion: v1\nkind: Pod\nspec:\n\tcontainers: []\n")
    assert isinstance(problem, SourceProblem)
    assert "tab" in problem.message
    assert (problem.span.line, problem.span.column) == (3, 0)


def test_non_utf8_bytes_are_located() -> None:
    problem = read_text(b"a: 1\nb: caf\xe9\n")
    assert isinstance(problem, SourceProblem)
    assert (problem.span.line, problem.span.column) == (1, 6)
    assert "0xe9" in problem.message


def test_utf8_bom_is_accepted() -> None:
    assert read_text("\ufeffa: 1\n".encode()) == "a: 1\n"


def test_size_bound() -> None:
    problem = read_text(b"a: 1\n" * 100, max_bytes=50)
    assert isinstance(problem, SourceProblem)
    assert problem.rule == "file-too-large"


def test_empty_and_comment_only_files() -> None:
    for text in ("", "\n\n", "# nothing\n---\n"):
        [problem] = items(text)
        assert isinstance(problem, SourceProblem) and problem.rule == "empty-file"


def test_helm_templates_are_recognised_but_go_templates_in_strings_are_not() -> None:
    [problem] = items("metadata:\n  name: {{ .Release.Name }}-web\n")
    assert isinstance(problem, SourceProblem) and problem.rule == "helm-template"
    assert "helm template" in problem.message
    assert (problem.span.line, problem.span.column) == (1, 8)
    assert (
        items(
            'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  t: "{{ $labels.x }}"\n'
        )[0].kind
        == "ConfigMap"
    )  # type: ignore[union-attr]


def test_json_numbers_follow_json() -> None:
    text = '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": {"n": 1e3, "o": 010}}'
    [document] = items(text, "pod.json")
    assert isinstance(document, Document)
    assert document.data["spec"] == {"n": 1000.0, "o": 10}
