"""Manifest values and file names cannot drive a terminal, forge report lines or break a report.

Every format is produced by the real CLI in a real process (its stdout is a real UTF-8
stream, so a name that is not UTF-8 reaches the formatters as it would in CI).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: "web\\e]0;owned\\a\\e[2J\\u202e\\u2028\\x00\\x85"
  labels: {app: web}
spec:
  containers:
  - name: "app\\e[31m\\r\\nforged.yaml:1:1: error: forged [forged]"
    image: nginx:latest
  - name: "side\\e]8;;https://example.com\\e\\\\\\x00\\x7f\\u2029"
    image: ""
"""
RULES = "latest-image-tag,missing-image"
FORMATS = ["text", "concise", "github", "junit", "sarif", "gitlab", "json"]


def _lint(directory: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "podlint", "lint", "--select", RULES, *args, "."],
        cwd=directory,
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "FORCE_COLOR": "1"},
    )


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    text = POD
    (tmp_path / "pod.yaml").write_text(text)
    # A newline and an escape sequence in a file name, and a name that is not UTF-8.
    (tmp_path / "evil\nforged.yaml:9:9: error: x [y]\x1b[2J.yaml").write_text(text)
    os.close(os.open(os.fsencode(tmp_path) + b"/latin1-\xe9\xff.yaml", os.O_CREAT | os.O_WRONLY))
    with open(os.fsencode(tmp_path) + b"/latin1-\xe9\xff.yaml", "w") as handle:
        handle.write(text)
    return tmp_path


def _forbidden(output: bytes) -> list[bytes]:
    """Control bytes a report must not carry (colour codes of the text format aside)."""
    cleaned = output
    for colour in (b"\x1b[0m", b"\x1b[1m", b"\x1b[2m", b"\x1b[31m", b"\x1b[33m", b"\x1b[34m"):
        cleaned = cleaned.replace(colour, b"")
    for code in (b"\x1b[1;31m", b"\x1b[1;33m", b"\x1b[36m", b"\x1b[1;36m"):
        cleaned = cleaned.replace(code, b"")
    bad = [bytes([b]) for b in cleaned if b < 0x20 and b not in b"\n\t"]
    for sequence in ("\u2028", "\u202e", "\x85"):
        if sequence.encode() in cleaned:
            bad.append(sequence.encode())
    return bad


@pytest.mark.parametrize("output_format", FORMATS)
def test_no_control_characters_and_no_traceback(hostile: Path, output_format: str) -> None:
    result = _lint(hostile, "--format", output_format)
    assert result.returncode == 1, result.stderr.decode(errors="replace")
    assert b"Traceback" not in result.stderr
    assert _forbidden(result.stdout) == []
    assert _forbidden(result.stderr) == []


def test_text_lines_cannot_be_forged(hostile: Path) -> None:
    result = _lint(hostile, "--format", "text")
    lines = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout.decode()).splitlines()
    # Every finding line starts with a real file of the run; nothing else looks like one.
    headlines = [line for line in lines if ": error: " in line or ": warning: " in line]
    assert headlines
    for line in headlines:
        assert line.startswith(("evil\\nforged.yaml", "latin1-\\xe9\\xff.yaml", "pod.yaml")), line
    assert not any(line.startswith("forged.yaml") for line in lines)


def test_github_annotations_cannot_be_forged(hostile: Path) -> None:
    result = _lint(hostile, "--format", "github")
    lines = result.stdout.decode().splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == 6  # two findings in each of the three files
    assert all(line.startswith(("::error file=", "::warning file=")) for line in commands)
    assert len(lines) == len(commands) + 1  # and the summary


def test_junit_is_well_formed_xml(hostile: Path) -> None:
    result = _lint(hostile, "--format", "junit")
    root = ET.fromstring(result.stdout)
    assert root.get("failures") == "6"
    names = sorted(suite.get("name") or "" for suite in root.iter("testsuite"))
    assert names == [
        "evil\\nforged.yaml:9:9: error: x [y]\\x1b[2J.yaml",
        "latin1-\\xe9\\xff.yaml",
        "pod.yaml",
    ]


def test_sarif_keeps_the_bytes_of_a_name_that_is_not_utf8(hostile: Path) -> None:
    result = _lint(hostile, "--format", "sarif")
    log = json.loads(result.stdout)
    uris = sorted(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    )
    assert "latin1-%E9%FF.yaml" in uris
    assert "evil%0Aforged.yaml%3A9%3A9%3A%20error%3A%20x%20%5By%5D%1B%5B2J.yaml" in uris


def test_a_long_line_is_shown_around_each_finding(tmp_path: Path) -> None:
    items = [
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{n}"},
         "spec": {"containers": [{"name": "c", "image": "nginx:latest"}]}}
        for n in range(200)
    ]  # fmt: skip
    text = json.dumps({"apiVersion": "v1", "kind": "List", "items": items})
    (tmp_path / "one.json").write_text(text)
    result = _lint(tmp_path, "--select", "latest-image-tag", "--format", "text")
    lines = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout.decode()).splitlines()
    excerpts = [line for line in lines if line.startswith("1 | ")]
    assert len(excerpts) == 200
    # Each excerpt is a window of the line, and its caret is under the finding's value.
    assert all(len(line) < 200 for line in excerpts)
    for excerpt, caret in zip(excerpts, lines[lines.index(excerpts[0]) + 1 :: 4], strict=False):
        start = caret.index("^")
        assert excerpt[start : start + len('"nginx:latest"')] == '"nginx:latest"'
