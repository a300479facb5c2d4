"""The admission webhook: review() is pure; the server is a thin HTTPS adapter around it."""

from __future__ import annotations
