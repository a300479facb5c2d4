"""Reading never hangs and never reads more than the size bound, whatever the path is."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

POD = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n"


def _lint(*args: str, cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "podlint", "lint", "--select", "missing-image", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


def test_a_fifo_in_a_directory_is_skipped_by_name(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    os.mkfifo(tmp_path / "k8s" / "a-fifo.yaml")
    (tmp_path / "k8s" / "pod.yaml").write_bytes(POD)
    result = _lint("k8s", cwd=tmp_path)
    assert result.returncode == 2
    assert "a-fifo.yaml: a named pipe (FIFO), not a file; skipped" in result.stderr
    # The rest of the tree is still linted.
    assert "k8s/pod.yaml:7:5: error" in result.stdout


def test_a_named_fifo_nobody_writes_reads_as_empty(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    result = _lint("pipe.yaml", "--select", "empty-file", cwd=tmp_path)
    assert "pipe.yaml:1:1: warning: file contains no Kubernetes objects" in result.stdout


def test_a_pipe_named_by_process_substitution_is_read(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()

    def write() -> None:
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(POD)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        result = _lint(f"/dev/fd/{read_end}", cwd=tmp_path, pass_fds=(read_end,))
    finally:
        writer.join()
        os.close(read_end)
    assert f"/dev/fd/{read_end}:7:5: error" in result.stdout


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_an_endless_device_is_read_only_to_the_bound(tmp_path: Path) -> None:
    result = _lint("/dev/zero", "--select", "file-too-large", cwd=tmp_path)
    assert result.returncode == 1
    assert "/dev/zero:1:1: error: file is more than 10,485,760 bytes" in result.stdout


def test_stdin_is_bounded(tmp_path: Path) -> None:
    result = _lint(
        "-",
        "--select",
        "file-too-large",
        "--max-file-size",
        "1000",
        cwd=tmp_path,
        input=(POD * 1000).decode(),
    )
    assert result.returncode == 1
    assert "<stdin>:1:1: error: file is more than 1,000 bytes" in result.stdout


def test_closed_stdin_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "podlint", "lint", "-"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.close(0),
    )
    assert result.returncode == 2
    assert "podlint: error: cannot read <stdin>: standard input is closed" in result.stderr
    assert "Traceback" not in result.stderr
