"""The real ``podlint lsp`` server, driven over stdio by pytest-lsp as an editor would."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from lsprotocol import types

from podlint.fixes import TextEdit, apply_edits
from podlint.model.span import Span

if TYPE_CHECKING:
    from tests.lsp.conftest import PodlintClient

pytestmark = pytest.mark.asyncio

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web   # the front end
spec:
  containers:
    - name: app
      image: nginx
    - name: sidecar
      image: ""
"""


def _open(client: PodlintClient, uri: str, text: str, language: str = "yaml") -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=text
            )
        )
    )


def _change(client: PodlintClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def _summary(diagnostics: list[types.Diagnostic]) -> list[tuple[str, tuple[int, int, int, int]]]:
    return sorted(
        (
            str(d.code),
            (d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character),
        )
        for d in diagnostics
    )


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    return apply_edits(
        text,
        [
            TextEdit(
                Span(
                    e.range.start.line,
                    e.range.start.character,
                    e.range.end.line,
                    e.range.end.character,
                ),
                e.new_text,
            )
            for e in edits
        ],
    )


async def test_open_publishes_exact_ranges(any_client: PodlintClient, tmp_path: Path) -> None:
    client = any_client
    uri = (tmp_path / "pod.yaml").as_uri()
    _open(client, uri, POD)
    diagnostics = await client.diagnostics_of(uri, 1)
    assert _summary(diagnostics) == [
        ("latest-image-tag", (7, 13, 7, 18)),
        ("missing-image", (9, 13, 9, 15)),
    ]
    by_code = {d.code: d for d in diagnostics}
    latest = by_code["latest-image-tag"]
    assert latest.severity == types.DiagnosticSeverity.Warning
    assert latest.source == "podlint"
    assert latest.code_description is not None
    assert latest.code_description.href.endswith("/latest-image-tag.md")
    assert 'container "app"' in latest.message
    assert by_code["missing-image"].severity == types.DiagnosticSeverity.Error


async def test_change_updates_diagnostics(client: PodlintClient, tmp_path: Path) -> None:
    uri = (tmp_path / "pod.yaml").as_uri()
    _open(client, uri, POD)
    assert len(await client.diagnostics_of(uri, 1)) == 2
    _change(client, uri, 2, POD.replace("image: nginx", "image: nginx:1.27"))
    assert _summary(await client.diagnostics_of(uri, 2)) == [("missing-image", (9, 13, 9, 15))]
    # An incremental edit: a new first line shifts every range down by one.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=0, character=0),
                        end=types.Position(line=0, character=0),
                    ),
                    text="# deployed by hand\n",
                )
            ],
        )
    )
    assert _summary(await client.diagnostics_of(uri, 3)) == [("missing-image", (10, 13, 10, 15))]


async def test_syntax_error_keeps_other_documents(client: PodlintClient, tmp_path: Path) -> None:
    uri = (tmp_path / "two.yaml").as_uri()
    broken = "apiVersion: v1\nkind: Pod\nmetadata: {name: [x\n"
    _open(client, uri, broken + "---\n" + POD)
    summary = _summary(await client.diagnostics_of(uri, 1))
    assert [code for code, _ in summary] == ["latest-image-tag", "missing-image", "yaml-syntax"]
    assert summary[0][1] == (11, 13, 11, 18)


async def test_other_yaml_is_left_alone(client: PodlintClient, tmp_path: Path) -> None:
    workflow = "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
    uri = (tmp_path / "ci.yaml").as_uri()
    _open(client, uri, workflow)
    assert await client.diagnostics_of(uri, 1) == []
    empty = (tmp_path / "new.yaml").as_uri()
    _open(client, empty, "")
    assert await client.diagnostics_of(empty, 1) == []


async def test_positions_in_utf16(any_client: PodlintClient, tmp_path: Path) -> None:
    client = any_client
    uri = (tmp_path / "emoji.yaml").as_uri()
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n"
        '  containers: [{name: "\U0001f600", image: nginx}]\n'
    )
    _open(client, uri, text)
    # "nginx" is code points 34-39; the emoji before it is one UTF-32 unit, two UTF-16 units
    # or four UTF-8 bytes, in whatever encoding the client and server agreed on.
    extra = {"utf-32": 0, "utf-16": 1, "utf-8": 3}[client.position_encoding]
    assert _summary(await client.diagnostics_of(uri, 1)) == [
        ("latest-image-tag", (4, 34 + extra, 4, 39 + extra))
    ]


async def test_json_buffer(client: PodlintClient, tmp_path: Path) -> None:
    uri = (tmp_path / "pod.json").as_uri()
    text = (
        '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"},\n'
        ' "spec": {"containers": [{"name": "a", "image": "nginx:latest"}]}}\n'
    )
    _open(client, uri, text, language="json")
    assert _summary(await client.diagnostics_of(uri, 1)) == [("latest-image-tag", (1, 48, 1, 62))]


async def test_hover_shows_rule_docs(client: PodlintClient, tmp_path: Path) -> None:
    uri = (tmp_path / "pod.yaml").as_uri()
    _open(client, uri, POD)
    await client.diagnostics_of(uri, 1)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=7, character=15),
        )
    )
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    value = hover.contents.value
    assert value.startswith('**latest-image-tag** (warning): container "app"')
    for section in ("# latest-image-tag", "## What it does", "## Why is this bad?", "Use instead"):
        assert section in value
    assert hover.range == types.Range(
        start=types.Position(line=7, character=13), end=types.Position(line=7, character=18)
    )
    nothing = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=2),
        )
    )
    assert nothing is None


async def _actions(
    client: PodlintClient, uri: str, line: int, character: int, only: list[str] | None = None
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=line, character=character),
                end=types.Position(line=line, character=character),
            ),
            context=types.CodeActionContext(diagnostics=list(client.diagnostics[uri]), only=only),
        )
    )
    assert result is not None
    return [action for action in result if isinstance(action, types.CodeAction)]


async def test_disable_for_this_line(client: PodlintClient, tmp_path: Path) -> None:
    uri = (tmp_path / "pod.yaml").as_uri()
    _open(client, uri, POD)
    await client.diagnostics_of(uri, 1)
    actions = await _actions(client, uri, 7, 14)
    titles = [action.title for action in actions]
    assert titles == ["Disable latest-image-tag for this line"]
    action = actions[0]
    assert action.kind == types.CodeActionKind.QuickFix
    assert action.diagnostics and action.diagnostics[0].code == "latest-image-tag"
    assert action.edit is not None and action.edit.changes is not None
    fixed = _apply(POD, list(action.edit.changes[uri]))
    assert fixed == POD.replace(
        "image: nginx\n", "image: nginx  # podlint: disable=latest-image-tag\n"
    )
    _change(client, uri, 2, fixed)
    assert _summary(await client.diagnostics_of(uri, 2)) == [("missing-image", (9, 13, 9, 15))]


async def test_workspace_config_applies_and_is_reread(
    client: PodlintClient, tmp_path: Path
) -> None:
    config = tmp_path / ".podlint.yaml"
    config.write_text("rules:\n  latest-image-tag: off\n", encoding="utf-8")
    uri = (tmp_path / "deploy" / "pod.yaml").as_uri()
    _open(client, uri, POD)
    assert _summary(await client.diagnostics_of(uri, 1)) == [("missing-image", (9, 13, 9, 15))]

    config.write_text("rules:\n  latest-image-tag: error  # strict now\n", encoding="utf-8")
    published = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    params = await client.wait_published(
        lambda p: p.uri == uri and client.published.index(p) >= published
    )
    severities = {d.code: d.severity for d in params.diagnostics}
    assert severities == {
        "latest-image-tag": types.DiagnosticSeverity.Error,
        "missing-image": types.DiagnosticSeverity.Error,
    }


async def test_broken_config_is_reported_in_place(client: PodlintClient, tmp_path: Path) -> None:
    config = tmp_path / ".podlint.yaml"
    config.write_text("rules:\n  latest-image-tagg: off\n", encoding="utf-8")
    uri = (tmp_path / "pod.yaml").as_uri()
    _open(client, uri, POD)
    # The buffer is still linted, with the server's own options.
    assert len(await client.diagnostics_of(uri, 1)) == 2
    problems = await client.diagnostics_of(config.resolve().as_uri(), None)
    assert len(problems) == 1
    assert problems[0].code == "config"
    assert problems[0].range.start == types.Position(line=1, character=2)
    assert "latest-image-tag" in problems[0].message


async def test_config_watchers_registered(any_client: PodlintClient, tmp_path: Path) -> None:
    client = any_client
    uri = (tmp_path / "pod.yaml").as_uri()
    _open(client, uri, POD)
    await client.diagnostics_of(uri, 1)
    watched = (
        client.capabilities.workspace and client.capabilities.workspace.did_change_watched_files
    )
    if not (watched and watched.dynamic_registration):
        assert client.registrations == []
        return
    [registration] = client.registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    options = registration.register_options
    assert options is not None
    globs = sorted(str(w["globPattern"]) for w in options["watchers"])
    assert globs == ["**/.podlint.yaml", "**/.podlint.yml", "**/podlint.yaml"]


FIXABLE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}   # must match the selector
    spec:
      securityContext:
        runAsNonRoot: false   # legacy image
      containers:
        - name: app
          image: nginx:1.27   # pinned
          ports:
            - containerPort: 8080
"""


async def test_fix_actions_apply(fixing_client: PodlintClient, tmp_path: Path) -> None:
    client = fixing_client
    uri = (tmp_path / "web.yaml").as_uri()
    _open(client, uri, FIXABLE)
    codes = {str(d.code) for d in await client.diagnostics_of(uri, 1)}
    assert {"pss-allow-privilege-escalation", "pss-run-as-non-root"} <= codes

    actions = await _actions(client, uri, 13, 10)
    by_title = {action.title: action for action in actions}
    # Unsafe fixes are offered one by one, marked, and never preferred (never auto-applied).
    fix = by_title[
        "Set securityContext.allowPrivilegeEscalation: false "
        "(unsafe fix: may change what the Pod does)"
    ]
    assert not fix.is_preferred
    assert fix.edit is not None and fix.edit.changes is not None
    text = _apply(FIXABLE, list(fix.edit.changes[uri]))
    assert text == FIXABLE.replace(
        "            - containerPort: 8080\n",
        "            - containerPort: 8080\n"
        "          securityContext:\n"
        "            allowPrivilegeEscalation: false\n",
    )
    _change(client, uri, 2, text)
    codes = {str(d.code) for d in await client.diagnostics_of(uri, 2)}
    assert "pss-allow-privilege-escalation" not in codes

    actions = await _actions(client, uri, 11, 25)
    by_title = {action.title: action for action in actions}
    fix = by_title[
        "Set securityContext.runAsNonRoot: true (unsafe fix: may change what the Pod does)"
    ]
    assert fix.edit is not None and fix.edit.changes is not None
    text = _apply(text, list(fix.edit.changes[uri]))
    assert "        runAsNonRoot: true   # legacy image\n" in text
    _change(client, uri, 3, text)
    codes = {str(d.code) for d in await client.diagnostics_of(uri, 3)}
    assert "pss-run-as-non-root" not in codes


async def test_disable_above_a_multiline_scalar(client: PodlintClient, tmp_path: Path) -> None:
    # A comment after the first line of a multi-line quoted scalar would cut it short, so the
    # suppression goes on its own line above.
    text = POD.replace("image: nginx\n", 'image: "nginx\n        "\n')
    uri = (tmp_path / "pod.yaml").as_uri()
    _open(client, uri, text)
    assert ("latest-image-tag", (7, 13, 8, 9)) in _summary(await client.diagnostics_of(uri, 1))
    [action] = await _actions(client, uri, 7, 14)
    assert action.edit is not None and action.edit.changes is not None
    fixed = _apply(text, list(action.edit.changes[uri]))
    assert fixed == text.replace(
        '      image: "nginx\n',
        '      # podlint: disable-next-line=latest-image-tag\n      image: "nginx\n',
    )
    _change(client, uri, 2, fixed)
    assert [code for code, _ in _summary(await client.diagnostics_of(uri, 2))] == ["missing-image"]


async def test_oversized_buffer_is_refused(client: PodlintClient, tmp_path: Path) -> None:
    uri = (tmp_path / "huge.yaml").as_uri()
    padding = ("#" * 1023 + "\n") * (10 * 1024 + 1)
    _open(client, uri, POD + padding)
    [diagnostic] = await client.diagnostics_of(uri, 1)
    assert diagnostic.code == "file-too-large"
    assert "--max-file-size" in diagnostic.message


CRONJOB = """\
apiVersion: batch/v1beta1   # from the old chart
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: report
            image: registry.example.com/report:1.0.0
"""


async def test_fix_all_source_action(fixing_client: PodlintClient, tmp_path: Path) -> None:
    client = fixing_client
    uri = (tmp_path / "web.yaml").as_uri()
    text = FIXABLE + "---\n" + CRONJOB + "---\n" + CRONJOB.replace("name: report", "name: audit")
    _open(client, uri, text)
    codes = [str(d.code) for d in await client.diagnostics_of(uri, 1)]
    assert codes.count("removed-api-version") == 2
    assert codes.count("pss-allow-privilege-escalation") == 3
    assert all("fixAll" not in str(a.kind) for a in await _actions(client, uri, 13, 10))
    [safe] = [a for a in await _actions(client, uri, 18, 15) if a.title.startswith("Replace")]
    assert safe.title == 'Replace apiVersion "batch/v1beta1" with "batch/v1"'
    assert safe.is_preferred

    # Fix all applies the safe fixes only; the unsafe ones stay available one by one.
    [action] = await _actions(client, uri, 0, 0, only=["source.fixAll"])
    assert action.kind == "source.fixAll.podlint"
    assert action.title == "Fix all podlint problems that have a safe fix (2)"
    assert action.edit is not None and action.edit.changes is not None
    [edit] = action.edit.changes[uri]
    # Only the lines from the first change to the last are replaced.
    assert edit.range.start == types.Position(line=18, character=0)
    fixed = _apply(text, [edit])
    assert fixed == text.replace("apiVersion: batch/v1beta1", "apiVersion: batch/v1")
    assert _comments(fixed) == _comments(text)
    _change(client, uri, 2, fixed)
    after = [str(d.code) for d in await client.diagnostics_of(uri, 2)]
    assert "removed-api-version" not in after
    assert after.count("pss-allow-privilege-escalation") == 3
    assert await _actions(client, uri, 0, 0, only=["source.fixAll"]) == []


SHARED_CONTEXT = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: app
    image: nginx:1.27
    securityContext: &sc {privileged: true, allowPrivilegeEscalation: false}
  - name: sidecar
    image: nginx:1.27
    securityContext: *sc
"""


async def test_a_fix_that_would_change_more_is_not_offered(
    fixing_client: PodlintClient, tmp_path: Path
) -> None:
    # The anchored securityContext is the sidecar's too: editing it would change both
    # containers, more than the finding is about, so only the suppression is offered.
    client = fixing_client
    uri = (tmp_path / "web.yaml").as_uri()
    _open(client, uri, SHARED_CONTEXT)
    diagnostics = await client.diagnostics_of(uri, 1)
    assert [(d.code, d.range.start.line) for d in diagnostics if d.code == "pss-privileged"] == [
        ("pss-privileged", 7),
        ("pss-privileged", 7),
    ]
    titles = [action.title for action in await _actions(client, uri, 7, 38)]
    assert "Disable pss-privileged for this line" in titles
    assert not [title for title in titles if title.startswith("Set securityContext.privileged")]
    # Without the alias the same fix is offered.
    _change(client, uri, 2, SHARED_CONTEXT.replace("securityContext: *sc", "securityContext: {}"))
    await client.diagnostics_of(uri, 2)
    titles = [action.title for action in await _actions(client, uri, 7, 38)]
    assert (
        "Set securityContext.privileged: false (unsafe fix: may change what the Pod does)" in titles
    )


def _comments(text: str) -> list[str]:
    return [line[line.index("#") :] for line in text.splitlines() if "#" in line]
