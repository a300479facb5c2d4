"""``helm template`` output: the documents of each chart template, under Helm's ``# Source:``.

Helm prints every rendered document as ``---``, ``# Source: <chart>/templates/<file>``, then
the document. Findings belong to the template file, so the output is cut into one text per
template: its documents in the order Helm printed them, each after a ``---`` line, as they sit
in a template file that renders several. Line 1 of a template's text is the first line after
its first ``# Source:`` comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from podlint.lazyre import LazyPattern
from podlint.source.layout import CHART_FILE

_SOURCE = LazyPattern(r"^---[ \t]*\r?\n# Source: ([^\r\n]+?)[ \t]*\r?\n", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class RenderedTemplate:
    """The documents one template rendered, and the path findings are reported against."""

    path: str
    text: str


def split_rendered(text: str, chart_dir: Path | None = None) -> list[RenderedTemplate] | None:
    """One text per template of ``helm template`` output, in order of first appearance; None
    when the text is not Helm output. Text before the first ``# Source:`` is kept under the
    name ``""`` (the caller's name for the input).

    ``chart_dir`` is where the chart is: ``<chart name>/templates/x.yaml`` becomes
    ``<chart_dir>/templates/x.yaml``; without it the path is reported as Helm printed it.
    """
    matches = list(_SOURCE.finditer(text))
    if not matches:
        return None
    parts: dict[str, list[str]] = {}
    leading = text[: matches[0].start()]
    if leading.strip():
        parts[""] = [leading]
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following is not None else len(text)
        body = text[match.end() : end]
        name = _report_path(match.group(1), chart_dir)
        bodies = parts.setdefault(name, [])
        if bodies:
            bodies.append("---\n" if bodies[-1].endswith("\n") else "\n---\n")
        bodies.append(body)
    return [RenderedTemplate(name, "".join(bodies)) for name, bodies in parts.items()]


def _report_path(source: str, chart_dir: Path | None) -> str:
    if chart_dir is None:
        return source
    parts = PurePosixPath(source).parts
    if len(parts) < 2:
        return source
    return str(chart_dir.joinpath(*parts[1:]))


def chart_dir_of(name: str | None) -> Path | None:
    """The chart directory a ``--stdin-filename`` names: the directory holding ``Chart.yaml``,
    or that file itself."""
    if not name:
        return None
    path = Path(name)
    if path.name == CHART_FILE and path.is_file():
        return path.parent
    if (path / CHART_FILE).is_file():
        return path
    return None
