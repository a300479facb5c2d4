"""A one-line progress indicator on stderr for long runs on a terminal, and nowhere else."""

from __future__ import annotations

import os
import time
from typing import TextIO

# CI systems and pre-commit (which may give hooks a pseudo-terminal) get no progress line.
_QUIET_ENVIRONMENTS = ("CI", "PRE_COMMIT", "GITHUB_ACTIONS", "GITLAB_CI", "TF_BUILD")


def progress_wanted(stream: TextIO, quiet: bool) -> bool:
    if quiet or os.environ.get("TERM") == "dumb":
        return False
    if any(os.environ.get(name) for name in _QUIET_ENVIRONMENTS):
        return False
    try:
        return stream.isatty()
    except ValueError:
        return False


class Progress:
    """Shows ``podlint: N files ... path`` once a run has taken longer than ``delay`` seconds."""

    def __init__(
        self, stream: TextIO, *, enabled: bool, delay: float = 0.5, interval: float = 0.1
    ) -> None:
        self.stream = stream
        self.enabled = enabled
        self.delay = delay
        self.interval = interval
        self.started = time.monotonic()
        self.last = 0.0
        self.shown = False

    def update(self, count: int, path: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < self.delay or now - self.last < self.interval:
            return
        self.last = now
        import shutil

        width = shutil.get_terminal_size((80, 24)).columns - 1
        line = f"podlint: {count} files ... {path}"
        self.stream.write("\r\x1b[K" + line[:width])
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False
