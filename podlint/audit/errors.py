"""What can go wrong talking to a cluster (kept free of the client library's imports)."""

from __future__ import annotations


class ConnectError(Exception):
    """No usable configuration, or the API server cannot be reached."""


class Refused(Exception):
    """The API server answered a request with an error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
