"""Time limits: the apiserver's `?timeout=` as a budget for one review."""

from __future__ import annotations

import re

# kube-apiserver waits at most 30 s for a webhook (timeoutSeconds is 1 to 30).
MAX_TIMEOUT = 30.0
# Without ?timeout= (a client other than the apiserver), the apiserver's default timeoutSeconds.
DEFAULT_TIMEOUT = 10.0
# The answer must travel back and be decoded before the apiserver's own deadline.
MAX_MARGIN = 1.0
MARGIN_FRACTION = 0.2

_GO_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


def parse_go_duration(text: str) -> float | None:
    """Seconds in a Go duration such as `10s`, `1m30s` or `500ms`; None when it is not one."""
    if not text:
        return None
    position = 0
    total = 0.0
    for match in _GO_DURATION.finditer(text):
        if match.start() != position:
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    if position != len(text) or position == 0:
        return None
    return total


def review_budget(timeout_parameter: str | None) -> float:
    """Seconds a review may take so that its answer reaches the apiserver before it gives up."""
    timeout = parse_go_duration(timeout_parameter or "")
    if timeout is None or timeout <= 0:
        timeout = DEFAULT_TIMEOUT
    timeout = min(timeout, MAX_TIMEOUT)
    return timeout - min(MAX_MARGIN, timeout * MARGIN_FRACTION)
