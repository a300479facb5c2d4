"""Suppressions: comments in the source text and the ``podlint.io/ignore`` annotation.

Comments are found on raw source lines, so they work in any document, even one that does not
parse::

    image: nginx:latest  # podlint: disable=latest-image-tag -- pinned by the release job
    # podlint: disable-next-line=latest-image-tag
    # podlint: disable-file=latest-image-tag,empty-file

The annotation applies to its object (the only form that reaches the admission webhook)::

    metadata:
      annotations:
        podlint.io/ignore: "latest-image-tag,host-network -- reviewed in SEC-12"

Rule ids are required. An unknown id, a malformed comment, or a suppression of an enabled rule
that suppressed nothing is itself reported as ``unused-suppression``.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from podlint.lazyre import LazyPattern
from podlint.model.document import Document
from podlint.model.finding import Finding, Severity
from podlint.model.pointer import join
from podlint.model.span import Span
from podlint.policy import RuleSetting
from podlint.source.lines import split_lines

ANNOTATION = "podlint.io/ignore"
RULE = "unused-suppression"
KINDS = ("disable", "disable-next-line", "disable-file")

_COMMENT = LazyPattern(r"(?:^|[ \t])#[ \t]*podlint[ \t]*:[ \t]*")
_REASON = LazyPattern(r"[ \t]--(?:[ \t]|$)")
_ID = LazyPattern(r"[^,\s]+")
_NEXT_COMMENT = LazyPattern(r"[ \t]#")


@dataclass
class Directive:
    """One suppression: a comment (``line`` is where it is written) or an annotation."""

    kind: str  # disable | disable-next-line | disable-file | annotation
    ids: list[tuple[str, Span | None]]
    reason: str | None = None
    line: int | None = None
    target: int | None = None
    document: Document | None = None
    used: set[str] = field(default_factory=set)

    @property
    def form(self) -> str:
        return ANNOTATION if self.kind == "annotation" else f"# podlint: {self.kind}"


@dataclass(frozen=True)
class Suppressed:
    """A finding that a suppression removed, and which suppression (for --show-suppressed)."""

    finding: Finding
    form: str
    reason: str | None
    span: Span | None


@dataclass
class SuppressionOutcome:
    """The findings that stand, and those a suppression silenced."""

    findings: list[Finding]
    suppressed: list[Suppressed] = field(default_factory=list)


def apply_suppressions(
    findings: Iterable[Finding],
    text: str | None,
    documents: Sequence[Document],
    *,
    settings: Mapping[str, RuleSetting],
    known: Collection[str],
    path: str = "",
    strict: bool = False,
    refuse: Collection[str] = (),
) -> SuppressionOutcome:
    """Remove suppressed findings and report suppression mistakes.

    ``settings`` are the enabled rules (``engine.settings``), ``known`` every rule id
    (``engine.registry.rules``). ``strict`` refuses annotation suppression of error-severity
    findings, ``refuse`` of the rules it names (ids, ``@category`` when ``known`` maps ids to
    rules, or globs such as ``pss-*``); a refused finding stays, and its message says so.
    The returned findings are sorted by position.
    """
    findings = list(findings)
    problems: list[Finding] = []
    directives = _comment_directives(text, path, known, problems) if text else []
    directives += _annotation_directives(documents, path, known, problems)
    if not directives:
        return SuppressionOutcome(_with_problems(findings, problems, settings))
    file_wide = [d for d in directives if d.kind == "disable-file"]
    by_line: dict[int, list[Directive]] = {}
    for directive in directives:
        if directive.target is not None and directive.kind != "disable-file":
            by_line.setdefault(directive.target, []).append(directive)
    annotated = [d for d in directives if d.kind == "annotation"]
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    for finding in findings:
        candidates = list(file_wide)
        if finding.span is not None:
            candidates += by_line.get(finding.span.line, [])
        candidates += [d for d in annotated if d.document and _within(finding, d.document)]
        match = next((d for d in candidates if _names(d, finding.rule)), None)
        if match is None:
            kept.append(finding)
            continue
        directive = match
        directive.used.add(finding.rule)
        if directive.kind == "annotation" and (
            _refused(finding.rule, refuse, known) or (strict and finding.severity is Severity.ERROR)
        ):
            why = "policy" if _refused(finding.rule, refuse, known) else "--strict"
            kept.append(
                dataclasses.replace(
                    finding,
                    message=f"{finding.message} (the {ANNOTATION} annotation may not "
                    f"suppress this {finding.severity.value} under {why})",
                )
            )
            continue
        span = _directive_span(directive, finding.rule)
        suppressed.append(Suppressed(finding, directive.form, directive.reason, span))
    problems += _unused(directives, path, known, settings, lambda rule_id: rule_id != RULE)
    # Suppression mistakes can themselves be suppressed, by line or file, like any finding.
    remaining: list[Finding] = []
    for problem in problems:
        candidates = list(file_wide)
        if problem.span is not None:
            candidates += by_line.get(problem.span.line, [])
        match = next((d for d in candidates if _names(d, RULE)), None)
        if match is None:
            remaining.append(problem)
            continue
        match.used.add(RULE)
        setting = settings.get(RULE)
        if setting is not None:
            problem = dataclasses.replace(problem, severity=setting.severity)
        suppressed.append(
            Suppressed(problem, match.form, match.reason, _directive_span(match, RULE))
        )
    remaining += _unused(directives, path, known, settings, lambda rule_id: rule_id == RULE)
    problems = remaining
    return SuppressionOutcome(_with_problems(kept, problems, settings), suppressed)


def _unused(
    directives: list[Directive],
    path: str,
    known: Collection[str],
    settings: Mapping[str, RuleSetting],
    which: Callable[[str], bool],
) -> list[Finding]:
    """A problem for each id of an enabled rule that its suppression did not use."""
    problems = []
    for directive in directives:
        for rule_id, span in directive.ids:
            if not which(rule_id) or rule_id in directive.used:
                continue
            if rule_id in known and rule_id in settings:
                scope = {
                    "disable": "on this line",
                    "disable-next-line": "on the next line",
                    "disable-file": "in this file",
                    "annotation": "in this object",
                }[directive.kind]
                problems.append(
                    _problem(
                        path,
                        span,
                        f'suppression of "{rule_id}" matched no finding {scope}; remove it',
                        directive.document,
                        _annotation_pointer(directive.document),
                    )
                )
    return problems


def _refused(rule_id: str, refuse: Collection[str], known: Collection[str]) -> bool:
    for selector in refuse:
        if selector.startswith("@"):
            rule = known.get(rule_id) if isinstance(known, Mapping) else None
            if rule is not None and getattr(rule, "category", None) == selector[1:]:
                return True
        elif fnmatch.fnmatchcase(rule_id, selector):
            return True
    return False


def _names(directive: Directive, rule_id: str) -> bool:
    return any(rule_id == known for known, _ in directive.ids)


def _directive_span(directive: Directive, rule_id: str) -> Span | None:
    return next((span for name, span in directive.ids if name == rule_id), None)


def _within(finding: Finding, document: Document) -> bool:
    if finding.document != document.index:
        return False
    prefix = document.pointer
    return not prefix or finding.pointer == prefix or finding.pointer.startswith(prefix + "/")


def _with_problems(
    findings: list[Finding], problems: list[Finding], settings: Mapping[str, RuleSetting]
) -> list[Finding]:
    setting = settings.get(RULE)
    if setting is not None and problems:
        findings = findings + [dataclasses.replace(p, severity=setting.severity) for p in problems]
        findings.sort(key=lambda f: (f.span.line, f.span.column) if f.span else (-1, -1))
    return findings


def _problem(
    path: str,
    span: Span | None,
    message: str,
    document: Document | None = None,
    pointer: str = "",
) -> Finding:
    return Finding(
        pointer=pointer,
        message=message,
        rule=RULE,
        severity=Severity.INFO,
        path=path,
        span=span,
        document=document.index if document else None,
        kind=document.kind if document else None,
        namespace=document.namespace if document else None,
        name=document.name if document else None,
    )


def _unknown(rule_id: str, known: Collection[str]) -> str:
    import difflib

    hint = difflib.get_close_matches(rule_id, list(known), n=1)
    return f'unknown rule "{rule_id}" in suppression' + (
        f'; did you mean "{hint[0]}"?' if hint else " (see 'podlint rules')"
    )


def parse_ids(
    text: str, line: int, column: int, path: str, known: Collection[str], problems: list[Finding]
) -> list[tuple[str, Span | None]]:
    """Comma-separated rule ids starting at ``column`` of ``line``; unknown ids are reported."""
    ids: list[tuple[str, Span | None]] = []
    for match in _ID.finditer(text):
        rule_id = match.group(0)
        span = Span(line, column + match.start(), line, column + match.end())
        if rule_id not in known:
            problems.append(_problem(path, span, _unknown(rule_id, known)))
            continue
        ids.append((rule_id, span))
    return ids


def _comment_directives(
    text: str, path: str, known: Collection[str], problems: list[Finding]
) -> list[Directive]:
    if "podlint" not in text:
        return []
    lines = split_lines(text)
    directives: list[Directive] = []
    for number, row in enumerate(lines):
        if "podlint" not in row:
            continue
        match = _COMMENT.search(row)
        while match is not None and _in_quotes(row, match.start()):
            match = _COMMENT.search(row, match.end())
        # Once inside a comment, every further "# podlint:" on the line is a directive too.
        while match is not None:
            following = _COMMENT.search(row, match.end())
            end = following.start() if following else len(row)
            directive = _parse_comment(row, number, match.end(), end, lines, path, known, problems)
            if directive is not None:
                directives.append(directive)
            match = following
    return directives


def _parse_comment(
    row: str,
    number: int,
    start: int,
    end: int,
    lines: list[str],
    path: str,
    known: Collection[str],
    problems: list[Finding],
) -> Directive | None:
    body = row[start:end]
    another = _NEXT_COMMENT.search(body)
    if another:
        body = body[: another.start()]
    reason_match = _REASON.search(body)
    reason = body[reason_match.end() :].strip() or None if reason_match else None
    head = body[: reason_match.start()] if reason_match else body
    kind, equals, ids_text = head.partition("=")
    kind = kind.strip()
    kind_span = Span(number, start, number, start + max(len(kind), 1))
    if kind not in KINDS:
        problems.append(
            _problem(
                path,
                kind_span,
                f'unknown suppression "{kind or head.strip()}"; write '
                "# podlint: disable=<id>, disable-next-line=<id> or disable-file=<id>",
            )
        )
        return None
    if not equals or not ids_text.strip():
        problems.append(
            _problem(
                path,
                kind_span,
                f'"# podlint: {kind}" needs rule ids: # podlint: {kind}=<id>[,<id>]',
            )
        )
        return None
    ids_column = start + len(head) - len(ids_text)
    ids = parse_ids(ids_text, number, ids_column, path, known, problems)
    if not ids:
        return None
    target: int | None = number
    if kind == "disable-next-line":
        target = _next_content_line(lines, number)
        if target is None:
            problems.append(_problem(path, kind_span, "disable-next-line has no line after it"))
            return None
    return Directive(kind, ids, reason, number, target)


def _in_quotes(row: str, index: int) -> bool:
    """Whether ``index`` is inside a quoted scalar that starts on this line."""
    quote = ""
    position = 0
    while position < index:
        char = row[position]
        if quote == '"' and char == "\\":
            position += 2
            continue
        if quote and char == quote:
            quote = ""
        elif not quote and char in "'\"" and (position == 0 or row[position - 1] in " \t[{,:-"):
            quote = char
        position += 1
    return bool(quote)


def _next_content_line(lines: list[str], number: int) -> int | None:
    for index in range(number + 1, len(lines)):
        stripped = lines[index].strip()
        if stripped and not stripped.startswith("#"):
            return index
    return None


def _annotation_pointer(document: Document | None) -> str:
    if document is None:
        return ""
    return join(document.pointer, "metadata", "annotations", ANNOTATION)


def _annotation_directives(
    documents: Sequence[Document], path: str, known: Collection[str], problems: list[Finding]
) -> list[Directive]:
    directives: list[Directive] = []
    for document in documents:
        annotations = document.metadata.get("annotations")
        if not isinstance(annotations, dict) or ANNOTATION not in annotations:
            continue
        value = annotations[ANNOTATION]
        pointer = _annotation_pointer(document)
        span = document.locate(pointer)
        if not isinstance(value, str) or not value.split("--", 1)[0].strip():
            problems.append(
                _problem(
                    path,
                    span,
                    f'annotation {ANNOTATION} needs rule ids: "<id>,<id>" '
                    "(optionally followed by -- and a reason)",
                    document,
                    pointer,
                )
            )
            continue
        ids_text, _, reason = value.partition(" --")
        if not reason and ids_text.endswith("--"):
            ids_text = ids_text[:-2]
        ids: list[tuple[str, Span | None]] = []
        for rule_id in _ID.findall(ids_text):
            if rule_id not in known:
                problems.append(_problem(path, span, _unknown(rule_id, known), document, pointer))
                continue
            ids.append((rule_id, span))
        if ids:
            directive = Directive("annotation", ids, reason.strip() or None, document=document)
            directives.append(directive)
    return directives
