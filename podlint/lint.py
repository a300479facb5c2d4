"""A lint run: sources in, one result per source out (streamed, so memory stays flat)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from weakref import WeakKeyDictionary

from podlint.engine import Engine
from podlint.model.configrefs import ConfigIndex
from podlint.model.document import Document
from podlint.model.finding import Finding
from podlint.model.records import pickled_by_fields
from podlint.model.workloads import WorkloadIndex
from podlint.parallel import lint_in_workers, worth_a_pool
from podlint.policy import RuleSetting
from podlint.source.files import (
    HelmTemplate,
    PathError,
    TooLarge,
    discover,
    read_bounded,
    read_stream,
)
from podlint.source.layout import kustomize_patch
from podlint.source.manifest import (
    DEFAULT_MAX_BYTES,
    SourceProblem,
    parse_text,
    read_text,
    too_large,
)
from podlint.suppression import ANNOTATION as IGNORE_ANNOTATION
from podlint.suppression import RULE as UNUSED_SUPPRESSION
from podlint.suppression import Suppressed, apply_suppressions

# Checks of this family compare an object with its previous version (podlint.update).
UPDATE_CHECK_FAMILY = "immutable."

# One engine for every file, or the engine for each file (per-file configuration).
EngineFor = Engine | Callable[[str], Engine]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ObjectRef:
    """An object that was linted (reports list objects without findings too)."""

    document: int
    pointer: str
    kind: str | None
    namespace: str | None
    name: str | None


@dataclass
class SourceResult:
    """The findings for one file (or stdin), with its text for excerpts."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    documents: int = 0
    text: str | None = None
    error: str | None = None
    suppressed: list[Suppressed] = field(default_factory=list)
    objects: list[ObjectRef] = field(default_factory=list)
    # Findings of cross-object rules, reported after every file was read, for a file that
    # already had its own result.
    supplement: bool = False
    # A template of the Helm chart in this directory: left out, not linted.
    helm_chart: str | None = None
    # A kustomize patch, linted as a fragment (see podlint.fragment).
    fragment: bool = False


def is_update_rule(engine: Engine, rule_id: str) -> bool:
    rule = engine.registry.rules.get(rule_id)
    return rule is not None and (rule.check or "").startswith(UPDATE_CHECK_FAMILY)


# An engine's rules do not change, so each engine's answer is kept while the engine lives.
_SUPPRESSIBLE: WeakKeyDictionary[Engine, Mapping[str, RuleSetting]] = WeakKeyDictionary()


def suppressible_settings(engine: Engine) -> Mapping[str, RuleSetting]:
    """The enabled rules that can report in a run of this engine, for suppression bookkeeping.

    Update rules report only when the engine compares versions (``podlint diff``,
    ``lint --base``); in a plain lint, a suppression of one of them is not unused. Cross-object
    rules report after every file was read, so per file their suppressions are not unused.
    """
    settings = _SUPPRESSIBLE.get(engine)
    if settings is None:
        settings = _SUPPRESSIBLE[engine] = _suppressible(engine)
    return settings


def _suppressible(engine: Engine) -> Mapping[str, RuleSetting]:
    cross = {bound.rule.id for bound in engine.cross_rules}
    if getattr(engine, "compares_versions", False):
        return {k: v for k, v in engine.settings.items() if k not in cross}
    return {
        rule_id: setting
        for rule_id, setting in engine.settings.items()
        if not is_update_rule(engine, rule_id) and rule_id not in cross
    }


def lint_bytes(
    engine: Engine, path: str, data: bytes, max_bytes: int, *, strict: bool = False
) -> SourceResult:
    text = read_text(data, max_bytes=max_bytes)
    if isinstance(text, SourceProblem):
        return SourceResult(path, list(engine.lint(path, [text])))
    return lint_text(engine, path, text, strict=strict)


def lint_text(
    engine: Engine, path: str, text: str, *, strict: bool = False, fragment: bool | None = None
) -> SourceResult:
    """Lint one text; suppression comments and annotations are applied.

    ``fragment``: the text is a kustomize patch (None: decided by the kustomizations above
    ``path``, when it names a file).
    """
    if fragment is None:
        fragment = is_fragment(path)
    documents: list[Document] = []

    def parsed() -> Iterator[Document | SourceProblem]:
        if not fragment:
            return parse_text(text, path)
        from podlint.source.json6902 import parse_fragment

        return parse_fragment(text, path)

    def counted() -> Iterator[Document | SourceProblem]:
        for item in parsed():
            if isinstance(item, Document):
                documents.append(item)
            yield item
            # The engine is done with it: keep only what suppressions and reports ask of it,
            # so memory does not hold every object of a large file at once (a fragment's
            # findings are judged against its data afterwards).
            if not fragment and documents and documents[-1] is item:
                documents[-1] = _identity_of(item)

    # A fragment is not an object of its own: cross-object rules never see it.
    collecting, engine.collecting = engine.collecting, engine.collecting and not fragment
    try:
        findings = list(engine.lint(path, counted()))
    finally:
        engine.collecting = collecting
    return source_result(engine, path, text, findings, documents, strict=strict, fragment=fragment)


def is_fragment(path: str) -> bool:
    """Whether a kustomization above the file ``path`` uses it as a patch."""
    return not path.startswith("<") and kustomize_patch(Path(path)) is not None


_IDENTITY: tuple[str, ...] = ("apiVersion", "kind", "metadata")


def _identity_of(document: Document) -> Document:
    """The document's identity and metadata; its positions only when an annotation
    (``podlint.io/ignore``) may need locating."""
    metadata = document.data.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    keep_locator = isinstance(annotations, dict) and IGNORE_ANNOTATION in annotations
    data = {key: document.data[key] for key in _IDENTITY if key in document.data}
    return Document(
        document.path,
        document.index,
        data,
        document.pointer,
        document.locator if keep_locator else None,
    )


def source_result(
    engine: Engine,
    path: str,
    text: str,
    findings: list[Finding],
    documents: list[Document],
    *,
    strict: bool = False,
    fragment: bool = False,
) -> SourceResult:
    """The result of one text: its findings after suppressions, sorted by position.

    On a ``fragment`` only the findings that stand on a fragment are kept, before
    suppressions (a suppression of a finding a fragment never gets is unused).
    """
    if fragment:
        from podlint.fragment import fragment_findings

        findings = fragment_findings(findings, documents, engine.registry.rules)
    outcome = apply_suppressions(
        findings,
        text,
        documents,
        settings=suppressible_settings(engine),
        known=engine.registry.rules,
        path=path,
        strict=strict,
    )
    return SourceResult(
        path,
        sorted(
            outcome.findings,
            key=lambda f: (f.span.line, f.span.column) if f.span else (-1, -1),
        ),
        documents=len(documents),
        text=text,
        suppressed=outcome.suppressed,
        objects=[ObjectRef(d.index, d.pointer, d.kind, d.namespace, d.name) for d in documents],
        fragment=fragment,
    )


def lint_sources(
    engine: EngineFor,
    paths: Iterable[str],
    *,
    stdin_filename: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    strict: bool = False,
    jobs: int = 1,
) -> Iterator[SourceResult]:
    """Lint files, directories and "-" (stdin); unreadable paths give a result with an error.

    ``engine`` is one Engine, or a function giving the Engine for a file path. Templates of a
    Helm chart give a result that only says so; ``helm template`` output on stdin gives one
    result per template, named by Helm's ``# Source:`` comments (see podlint.source.rendered).

    ``jobs`` > 1 lints the files in that many worker processes when the run is large enough
    to gain from them (see podlint.parallel); the results are the same, in the same order.
    Standard input is always read by this process.
    """

    def engine_for(path: str) -> Engine:
        return engine if isinstance(engine, Engine) else engine(path)

    run = _CrossObjectRun()
    names = list(paths)
    found_items: list[str | Path | PathError | HelmTemplate] = []
    for name in names:
        if name == "-":
            found_items.append(name)
        else:
            found_items.extend(discover([name]))
    files = [item for item in found_items if isinstance(item, Path)]
    linted: Iterator[_Linted | None]
    if jobs > 1 and worth_a_pool(files, jobs):
        linted = _first_here_then_in_workers(engine_for, files, jobs, max_bytes, strict)
    else:
        linted = (_lint_path_here(engine_for(str(path)), path, max_bytes, strict) for path in files)
    for item in found_items:
        if isinstance(item, str):
            display = stdin_filename or "<stdin>"
            yield from _lint_stdin(run, engine_for, display, stdin_filename, max_bytes, strict)
        elif isinstance(item, PathError):
            yield SourceResult(item.path, error=item.reason)
        elif isinstance(item, HelmTemplate):
            yield SourceResult(item.path, helm_chart=str(item.chart))
        else:
            # The engine first: a configuration mistake stops the run at the same file as a
            # serial run does.
            current = run.engine(engine_for(str(item)))
            result = next(linted)
            if result is None:
                raise RuntimeError(f"a worker process could not lint {item}")
            current.workloads.update(result.workloads)
            current.config.update(result.config)
            current.deferred.extend(result.deferred)
            yield run.seen(current, result.result)
    yield from run.finish(strict)


def _first_here_then_in_workers(
    engine_for: Callable[[str], Engine],
    files: list[Path],
    jobs: int,
    max_bytes: int,
    strict: bool,
) -> Iterator[_Linted | None]:
    # The first file, and then every check and schema the engine may need, warm what each
    # worker would otherwise load on its own; the workers are forked with them.
    engine = engine_for(str(files[0]))
    yield _lint_path_here(engine, files[0], max_bytes, strict)
    engine.warm()
    yield from lint_in_workers(engine_for, files[1:], jobs, max_bytes, strict)


# Compared by identity only and never printed: no __eq__ or __repr__ to generate at start-up.
@dataclass(eq=False, repr=False)
class _Linted:
    """One file's result, with what cross-object rules collected from it."""

    result: SourceResult
    workloads: WorkloadIndex
    deferred: list[Document]
    config: ConfigIndex = field(default_factory=ConfigIndex)


def _lint_path_here(engine: Engine, path: Path, max_bytes: int, strict: bool = False) -> _Linted:
    """Lint one file, keeping what cross-object rules need apart, so that a worker process can
    hand it back to the run."""
    collecting, workloads, deferred = engine.collecting, engine.workloads, engine.deferred
    config = engine.config
    engine.collecting = bool(engine.cross_rules)
    engine.workloads, engine.deferred, engine.config = WorkloadIndex(), [], ConfigIndex()
    try:
        return _Linted(
            _lint_path(engine, path, max_bytes, strict),
            engine.workloads,
            engine.deferred,
            engine.config,
        )
    finally:
        engine.collecting, engine.workloads, engine.deferred = collecting, workloads, deferred
        engine.config = config


class _CrossObjectRun:
    """Collects what cross-object rules need while files are linted, and runs them at the end."""

    def __init__(self) -> None:
        self.engines: dict[int, Engine] = {}
        self.texts: dict[str, str | None] = {}

    def engine(self, engine: Engine) -> Engine:
        if engine.cross_rules and id(engine) not in self.engines:
            engine.collecting = True
            self.engines[id(engine)] = engine
        return engine

    def seen(self, engine: Engine, result: SourceResult, *, stdin: bool = False) -> SourceResult:
        # Files are read again for their suppression comments at the end, when a rule on the
        # run's summaries reported in them; standard input cannot be.
        if any(d.path == result.path for d in engine.deferred) or (stdin and engine.config_rules):
            self.texts[result.path] = result.text
        return result

    def text(self, path: str) -> str | None:
        if path in self.texts:
            return self.texts[path]
        try:
            data = read_bounded(Path(path), DEFAULT_MAX_BYTES)
        except OSError:
            return None
        if isinstance(data, TooLarge):
            return None
        text = read_text(data, max_bytes=DEFAULT_MAX_BYTES)
        return text if isinstance(text, str) else None

    def finish(self, strict: bool) -> Iterator[SourceResult]:
        if not self.engines:
            return
        workloads = WorkloadIndex.merged(e.workloads for e in self.engines.values())
        config = ConfigIndex.merged(e.config for e in self.engines.values())
        for engine in self.engines.values():
            documents: dict[str, list[Document]] = {}
            for document in engine.deferred:
                documents.setdefault(document.path, []).append(document)
            findings: dict[str, list[Finding]] = {}
            for finding in engine.finish(workloads, config):
                findings.setdefault(finding.path, []).append(finding)
            for origin in engine.config.origins():
                if origin.path in findings:
                    documents.setdefault(origin.path, []).append(origin.stand_in())
            engine.config = ConfigIndex()
            for path in sorted(findings):
                settings = dict(engine.settings)
                settings.pop(UNUSED_SUPPRESSION, None)  # reported with the file already
                text = self.text(path)
                outcome = apply_suppressions(
                    findings[path],
                    text,
                    documents.get(path, []),
                    settings=settings,
                    known=engine.registry.rules,
                    path=path,
                    strict=strict,
                )
                if outcome.findings or outcome.suppressed:
                    yield SourceResult(
                        path,
                        outcome.findings,
                        text=text,
                        suppressed=outcome.suppressed,
                        supplement=True,
                    )


def _lint_path(engine: Engine, path: Path, max_bytes: int, strict: bool = False) -> SourceResult:
    display = str(path)
    try:
        data = read_bounded(path, max_bytes)
    except OSError as error:
        return SourceResult(display, error=error.strerror or str(error))
    if isinstance(data, TooLarge):
        return SourceResult(display, list(engine.lint(display, [too_large(data.size, max_bytes)])))
    return lint_bytes(engine, display, data, max_bytes, strict=strict)


def _lint_stdin(
    run: _CrossObjectRun,
    engine_for: Callable[[str], Engine],
    display: str,
    stdin_filename: str | None,
    max_bytes: int,
    strict: bool,
) -> Iterator[SourceResult]:
    """The result for stdin, or one per template when it is ``helm template`` output."""
    engine = run.engine(engine_for(display))
    stdin = sys.stdin.buffer if sys.stdin is not None else None
    if stdin is None:
        yield SourceResult(display, error="standard input is closed")
        return
    try:
        data = read_stream(stdin, max_bytes)
    except (OSError, ValueError) as error:  # ValueError: reading a closed file
        reason = error.strerror if isinstance(error, OSError) else None
        yield SourceResult(display, error=reason or "standard input cannot be read")
        return
    if isinstance(data, TooLarge):
        problem = too_large(data.size, max_bytes)
        yield SourceResult(display, list(engine.lint(display, [problem])))
        return
    text = read_text(data, max_bytes=max_bytes)
    # Helm's rendered output is read only from standard input.
    from podlint.source.rendered import chart_dir_of, split_rendered

    chart = chart_dir_of(stdin_filename)
    # A --stdin-filename other than a chart names the input as a whole, # Source: or not.
    helm_output = isinstance(text, str) and (stdin_filename is None or chart is not None)
    rendered = split_rendered(text, chart) if helm_output and isinstance(text, str) else None
    if rendered is None:
        result = lint_bytes(engine, display, data, max_bytes, strict=strict)
        yield run.seen(engine, result, stdin=True)
        return
    for template in rendered:
        path = template.path or display
        current = run.engine(engine_for(path))
        yield run.seen(
            current,
            lint_text(current, path, template.text, strict=strict, fragment=False),
            stdin=True,
        )
