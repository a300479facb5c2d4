"""Baselines and fingerprints: identify a finding without its line number.

A finding's identity is its rule, its file (relative to the repository root), its object
(kind, namespace, name; the document index for unnamed objects) and its JSON Pointer, so an
edit elsewhere in the file does not change it. The same identity feeds the SARIF
``partialFingerprints``, the GitLab ``fingerprint`` and ``--baseline`` files.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podlint import __version__
from podlint.gitutil import relative_path
from podlint.model.finding import Finding

BASELINE_VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read; the message names the file and the problem."""


def object_label(finding: Finding) -> str:
    if finding.name is not None:
        namespace = f"{finding.namespace}/" if finding.namespace else ""
        return f"{finding.kind or '?'} {namespace}{finding.name}"
    if finding.document is not None:
        return f"{finding.kind or 'document'} #{finding.document}"
    return ""


def identity(finding: Finding, root: Path) -> tuple[str, ...]:
    return (
        finding.rule,
        relative_path(finding.path, root),
        object_label(finding),
        finding.pointer,
    )


def fingerprint(finding: Finding, root: Path) -> str:
    # surrogateescape: a file name that is not UTF-8 hashes as its bytes
    digest = hashlib.sha256("\0".join(identity(finding, root)).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:32]


class Fingerprints:
    """Unique fingerprints within one report: repeats of an identity get ``:2``, ``:3``..."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.seen: Counter[str] = Counter()

    def __call__(self, finding: Finding) -> str:
        base = fingerprint(finding, self.root)
        self.seen[base] += 1
        count = self.seen[base]
        return base if count == 1 else f"{base}:{count}"


@dataclass
class Baseline:
    """Known findings by fingerprint, with how many of each are known."""

    path: Path
    root: Path
    counts: Counter[str] = field(default_factory=Counter)

    @classmethod
    def load(cls, path: Path, root: Path) -> Baseline:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise BaselineError(f"{path}: cannot read baseline: {error.strerror}") from None
        except (ValueError, UnicodeDecodeError) as error:
            raise BaselineError(f"{path}: not a podlint baseline (invalid JSON: {error})") from None
        except RecursionError:
            raise BaselineError(
                f"{path}: not a podlint baseline (JSON nested too deep to read)"
            ) from None
        if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
            raise BaselineError(
                f"{path}: not a podlint baseline version {BASELINE_VERSION} "
                "(write one with --write-baseline)"
            )
        counts: Counter[str] = Counter()
        for index, entry in enumerate(data.get("findings") or []):
            if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
                raise BaselineError(f"{path}: findings[{index}] has no fingerprint")
            count = entry.get("count", 1)
            counts[entry["fingerprint"]] += count if isinstance(count, int) and count > 0 else 1
        return cls(path, root, counts)

    def filter(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings that are not in the baseline (each baseline entry absorbs as many
        findings as it recorded)."""
        new = []
        for finding in findings:
            key = fingerprint(finding, self.root)
            if self.counts[key] > 0:
                self.counts[key] -= 1
            else:
                new.append(finding)
        return new


def baseline_document(findings: Iterable[Finding], root: Path) -> dict[str, Any]:
    entries: dict[str, dict[str, Any]] = {}
    for finding in findings:
        key = fingerprint(finding, root)
        entry = entries.get(key)
        if entry is None:
            rule, file, obj, pointer = identity(finding, root)
            entries[key] = {
                "fingerprint": key,
                "rule": rule,
                "file": file,
                "object": obj,
                "pointer": pointer,
                "count": 1,
            }
        else:
            entry["count"] += 1
    ordered = sorted(
        entries.values(), key=lambda e: (e["file"], e["object"], e["pointer"], e["rule"])
    )
    return {"version": BASELINE_VERSION, "generator": f"podlint {__version__}", "findings": ordered}


def write_baseline(path: Path, findings: Iterable[Finding], root: Path) -> int:
    document = baseline_document(findings, root)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return sum(entry["count"] for entry in document["findings"])
