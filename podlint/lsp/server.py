"""The language server: diagnostics on open/change/save, hover with rule docs, quick fixes."""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lsprotocol import types
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import PositionCodec

from podlint import __version__
from podlint.docs import render_rule
from podlint.fixes import (
    Reading,
    TextEdit,
    changed_lines,
    disable_edit,
    disable_next_line_edit,
    document_of,
    fix_for,
    fix_text,
    verified,
)
from podlint.lint import SourceResult
from podlint.lsp.convert import SOURCE, client_range, diagnostics_for
from podlint.lsp.frames import body_bound
from podlint.lsp.incremental import DocumentCache
from podlint.lsp.protocol import PodlintProtocol
from podlint.lsp.settings import CONFIG_NAMES, Engines, Resolved
from podlint.lsp.transport import read_messages
from podlint.model.document import Document
from podlint.model.finding import Finding
from podlint.model.span import Span
from podlint.registry import Registry
from podlint.source.layout import (
    CHART_FILE,
    KUSTOMIZATION_FILES,
    helm_chart_of,
    kustomize_patch,
)
from podlint.source.manifest import (
    DEFAULT_MAX_BYTES,
    MANIFEST_SUFFIXES,
    too_large,
)

LOG = logging.getLogger(__name__)

LANGUAGES = frozenset({"yaml", "json", "jsonc"})
# Asked for explicitly (a source action menu, or on save): it lints the buffer several times.
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.podlint"
# A finding on a multi-line scalar that is not a block scalar cannot take a trailing comment
# on its first line (the comment would cut the scalar short), so it is disabled from above.
_BLOCK_SCALAR_HEADER = re.compile(r"[|>][-+0-9]*\s*(#.*)?$")
_NOT_SUPPRESSIBLE = frozenset({"yaml-syntax", "internal-error"})


@dataclass
class Linted:
    """The last lint of one buffer: the text it saw and each finding with its diagnostic."""

    version: int | None
    name: str
    text: str
    lines: Sequence[str]
    codec: PositionCodec
    results: list[tuple[Finding, types.Diagnostic]]
    registry: Registry
    _reading: Reading | None = field(default=None, repr=False)

    def reading(self) -> Reading:
        if self._reading is None:
            self._reading = Reading.of(self.text, self.name)
        return self._reading

    def documents(self) -> list[Document]:
        return self.reading().documents

    def document_of(self, finding: Finding) -> Document | None:
        return document_of(self.documents(), finding)


class PodlintServer(LanguageServer):
    def __init__(self, engines: Engines, debounce: float, max_bytes: int) -> None:
        super().__init__("podlint", __version__, protocol_cls=PodlintProtocol)
        self.engines = engines
        self.debounce = debounce
        self.max_bytes = max_bytes
        self.linted: dict[str, Linted] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._rule_docs: dict[tuple[str, int], str] = {}
        self._config_uris: set[str] = set()
        self._caches: dict[str, DocumentCache] = {}
        self._plain_codec = PositionCodec()

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve on a byte stream, read with ``podlint.lsp.frames``: pygls's own reader
        stalls for good on a malformed header and reads a declared length at once."""
        protocol = self.protocol
        assert isinstance(protocol, PodlintProtocol)
        self._stop_event = stop = threading.Event()
        protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        reading = read_messages(
            stop,
            stdin or sys.stdin.buffer,
            protocol,
            self.thread_pool,
            body_bound(self.max_bytes),
        )
        try:
            asyncio.run(reading)
        except BrokenPipeError:
            LOG.error("the connection to the client is lost; shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]

    # --- linting -----------------------------------------------------------------------

    def lint_later(self, uri: str) -> None:
        """Lint after a quiet period, so a burst of keystrokes costs one lint."""
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        loop = asyncio.get_running_loop()
        self._timers[uri] = loop.call_later(self.debounce, self.lint_now, uri)

    def lint_now(self, uri: str) -> Linted | None:
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        document = self.workspace.text_documents.get(uri)
        if document is None or not _is_manifest(document):
            return None
        try:
            linted = self._lint(document)
        except Exception as error:
            # A bug must not end the session: report it and keep serving the other buffers.
            LOG.exception("linting %s failed", uri)
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Error,
                    message=f"podlint: could not lint {document.path or uri}: {error!r} "
                    "(a podlint bug; please report it with the manifest)",
                )
            )
            return None
        self.linted[uri] = linted
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri,
                version=document.version,
                diagnostics=[diagnostic for _, diagnostic in linted.results],
            )
        )
        return linted

    def _lint(self, document: TextDocument) -> Linted:
        text = document.source
        lines = document.lines
        name = _lint_name(document)
        path = Path(document.path) if document.uri.startswith("file:") else None
        resolved = self.engines.for_path(path)
        if resolved.config is not None:
            self._report_config(resolved)
        limit = self.max_bytes
        size = len(text.encode("utf-8")) if len(text) * 4 > limit else len(text)
        if size > limit:
            # As `podlint lint` does: a file this large is refused, not parsed on every edit.
            problem = too_large(size, limit)
            result = SourceResult(name, list(resolved.engine.lint(name, [problem])))
        elif path is not None and helm_chart_of(path) is not None:
            # A chart template: Helm renders it before it is a manifest.
            result = SourceResult(name, helm_chart=str(helm_chart_of(path)))
        else:
            cache = self._caches.setdefault(document.uri, DocumentCache())
            fragment = path is not None and kustomize_patch(path) is not None
            result = cache.lint_text(resolved.engine, name, text, fragment=fragment)
        results = diagnostics_for(
            text,
            result.documents,
            result.findings,
            lines,
            document.position_codec,
            resolved.engine.registry.rules,
        )
        return Linted(
            document.version,
            name,
            text,
            lines,
            document.position_codec,
            results,
            resolved.engine.registry,
        )

    def _report_config(self, resolved: Resolved) -> None:
        """A configuration file that cannot be used: its problems in place, and once as a
        message (the buffers are linted with the server's own options meanwhile)."""
        assert resolved.config is not None
        uri = resolved.config.resolve().as_uri()
        if uri in self._config_uris:
            return
        self._config_uris.add(uri)
        diagnostics = [
            types.Diagnostic(
                range=client_range(span or Span(0, 0, 0, 0), (), self._plain_codec),
                message=message,
                severity=types.DiagnosticSeverity.Error,
                code="config",
                source=SOURCE,
            )
            for span, message in resolved.problems
        ]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics)
        )
        self.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Error,
                message=f"podlint: configuration not applied: {resolved.message}",
            )
        )

    def current(self, uri: str) -> Linted | None:
        """The lint of the buffer as it is now (linting at once if a lint is pending)."""
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        linted = self.linted.get(uri)
        if linted is None or linted.version != document.version or uri in self._timers:
            linted = self.lint_now(uri)
        return linted

    def forget(self, uri: str) -> None:
        self._caches.pop(uri, None)
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        if self.linted.pop(uri, None) is not None:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    def config_changed(self) -> None:
        self.engines.forget()
        for uri in self._config_uris:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )
        self._config_uris.clear()
        for uri in list(self.workspace.text_documents):
            self.lint_now(uri)

    # --- hover and code actions --------------------------------------------------------

    def rule_docs(self, rule_id: str, registry: Registry) -> str | None:
        key = (rule_id, id(registry))
        if key not in self._rule_docs:
            rule = registry.rules.get(rule_id)
            if rule is None:
                return None
            self._rule_docs[key] = render_rule(rule, registry)
        return self._rule_docs[key]

    def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        linted = self.current(uri)
        if linted is None:
            return None
        hits = [
            (finding, diagnostic)
            for finding, diagnostic in linted.results
            if _contains(diagnostic.range, position)
        ]
        if not hits:
            return None
        parts = []
        for finding, _ in hits:
            parts.append(f"**{finding.rule}** ({finding.severity.value}): {finding.message}")
        for rule_id in dict.fromkeys(finding.rule for finding, _ in hits):
            docs = self.rule_docs(rule_id, linted.registry)
            if docs:
                parts.append(docs)
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)
            ),
            range=hits[0][1].range,
        )

    def code_actions(
        self, uri: str, wanted: types.Range, only: Sequence[str] | None = None
    ) -> list[types.CodeAction]:
        linted = self.current(uri)
        if linted is None:
            return []
        actions = self.quick_fixes(uri, linted, wanted) if _wants_quick_fixes(only) else []
        if only is not None and any(_matches(FIX_ALL, kind) for kind in only):
            fix_all = self.fix_all(uri, linted)
            if fix_all is not None:
                actions.append(fix_all)
        return actions

    def fix_all(self, uri: str, linted: Linted) -> types.CodeAction | None:
        """Every safe fix in the buffer, as one edit of the lines that change (unsafe fixes
        are offered one by one, as quick fixes)."""
        document = self.workspace.text_documents.get(uri)
        path = Path(document.path) if document and uri.startswith("file:") else None
        engine = self.engines.for_path(path).engine
        outcome = fix_text(engine, linted.name, linted.text)
        edit = changed_lines(linted.text, outcome.text)
        if edit is None:
            return None
        return types.CodeAction(
            title=f"Fix all podlint problems that have a safe fix ({outcome.applied})",
            kind=FIX_ALL,
            edit=types.WorkspaceEdit(
                changes={
                    uri: [
                        types.TextEdit(
                            range=client_range(edit.span, linted.lines, linted.codec),
                            new_text=edit.new_text,
                        )
                    ]
                }
            ),
        )

    def quick_fixes(self, uri: str, linted: Linted, wanted: types.Range) -> list[types.CodeAction]:
        actions: list[types.CodeAction] = []
        disabled: set[tuple[int, str]] = set()
        for finding, diagnostic in linted.results:
            if not _overlaps(diagnostic.range, wanted) or finding.span is None:
                continue
            action = self._fix_action(uri, linted, finding, diagnostic)
            if action is not None:
                actions.append(action)
            line = finding.span.line
            if (line, finding.rule) in disabled:
                continue
            disabled.add((line, finding.rule))
            edit = _disable(linted, finding)
            if edit is not None:
                title = f"Disable {finding.rule} for this line"
                actions.append(_action(title, uri, (edit,), linted, diagnostic))
        return actions

    def _fix_action(
        self, uri: str, linted: Linted, finding: Finding, diagnostic: types.Diagnostic
    ) -> types.CodeAction | None:
        """The finding's fix, if it checks out: a safe one is the preferred quick fix; an
        unsafe one is offered too, marked, never preferred (so never applied automatically)."""
        document = linted.document_of(finding)
        if document is None:
            return None
        fix = fix_for(finding, document, linted.text, rules=linted.registry.rules)
        if fix is None or not verified(fix, document, linted.text, linted.name, linted.reading()):
            return None
        if fix.safe:
            return _action(fix.title, uri, fix.edits, linted, diagnostic, preferred=True)
        title = f"{fix.title} (unsafe fix: may change what the Pod does)"
        return _action(title, uri, fix.edits, linted, diagnostic)


def _matches(kind: str, requested: str) -> bool:
    """Whether an action of ``kind`` is among ``requested`` (a kind covers its sub-kinds)."""
    return kind == requested or kind.startswith(requested + ".")


def _wants_quick_fixes(only: Sequence[str] | None) -> bool:
    return only is None or any(_matches(types.CodeActionKind.QuickFix, kind) for kind in only)


def _disable(linted: Linted, finding: Finding) -> TextEdit | None:
    if finding.rule in _NOT_SUPPRESSIBLE or linted.name.endswith(".json") or not finding.span:
        return None
    span = finding.span
    if span.line >= len(linted.lines):
        return None
    line_text = linted.lines[span.line].rstrip("\r\n")
    if span.end_line > span.line and not _BLOCK_SCALAR_HEADER.search(line_text):
        return disable_next_line_edit(linted.lines[span.line], span.line, finding.rule)
    return disable_edit(line_text, span.line, finding.rule)


def _action(
    title: str,
    uri: str,
    edits: Sequence[TextEdit],
    linted: Linted,
    diagnostic: types.Diagnostic,
    *,
    preferred: bool = False,
) -> types.CodeAction:
    text_edits = [
        types.TextEdit(
            range=client_range(edit.span, linted.lines, linted.codec), new_text=edit.new_text
        )
        for edit in edits
    ]
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        is_preferred=preferred or None,
        edit=types.WorkspaceEdit(changes={uri: text_edits}),
    )


def _key(position: types.Position) -> tuple[int, int]:
    return (position.line, position.character)


def _contains(outer: types.Range, position: types.Position) -> bool:
    return _key(outer.start) <= _key(position) <= _key(outer.end)


def _overlaps(a: types.Range, b: types.Range) -> bool:
    return _key(a.start) <= _key(b.end) and _key(b.start) <= _key(a.end)


def _is_manifest(document: TextDocument) -> bool:
    if document.language_id in LANGUAGES:
        return True
    return document.path.endswith(MANIFEST_SUFFIXES)


def _lint_name(document: TextDocument) -> str:
    """The name findings carry; JSON buffers keep a .json name, which selects JSON numbers."""
    name = document.path or document.uri
    if document.language_id in ("json", "jsonc") and not name.endswith(".json"):
        name += ".json"
    return name


def _is_config(uri: str) -> bool:
    return uri.rsplit("/", 1)[-1] in CONFIG_NAMES


def _is_layout(uri: str) -> bool:
    name = uri.rsplit("/", 1)[-1]
    return name in KUSTOMIZATION_FILES or name == CHART_FILE


def create_server(
    engines: Engines, *, debounce: float = 0.03, max_bytes: int = DEFAULT_MAX_BYTES
) -> PodlintServer:
    server = PodlintServer(engines, debounce, max_bytes)

    @server.feature(types.INITIALIZED)
    def initialized(ls: PodlintServer, params: types.InitializedParams) -> None:
        root = ls.workspace.root_path
        ls.engines.workspace_root = Path(root) if root else None
        watched = ls.client_capabilities.workspace
        if (
            watched
            and watched.did_change_watched_files
            and (watched.did_change_watched_files.dynamic_registration)
        ):
            watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_NAMES]
            ls.client_register_capability(
                types.RegistrationParams(
                    registrations=[
                        types.Registration(
                            id="podlint-config",
                            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=types.DidChangeWatchedFilesRegistrationOptions(
                                watchers=watchers
                            ),
                        )
                    ]
                )
            )

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: PodlintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.lint_now(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: PodlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.lint_later(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: PodlintServer, params: types.DidSaveTextDocumentParams) -> None:
        if _is_config(params.text_document.uri):
            ls.config_changed()
        elif _is_layout(params.text_document.uri):
            # A kustomization or Chart.yaml decides what the files around it are.
            for uri in list(ls.workspace.text_documents):
                ls.lint_now(uri)
        else:
            ls.lint_now(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PodlintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(ls: PodlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(_is_config(change.uri) for change in params.changes):
            ls.config_changed()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: PodlintServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params.text_document.uri, params.position)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    def code_action(ls: PodlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        only = params.context.only
        return ls.code_actions(
            params.text_document.uri, params.range, list(only) if only is not None else None
        )

    return server
