"""podlint: a Kubernetes Pod linter and admission policy engine.

The Python API (``podlint.lint_text``, ``podlint.lint_paths``, ``podlint.check_update``,
``podlint.review``, ``podlint.evaluate_pss``) lives in ``podlint.library``; its names are
imported on first use, so ``import podlint`` (and the command line) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "LintError",
    "LintFinding",
    "PssVerdict",
    "PssViolation",
    "__version__",
    "check_update",
    "evaluate_pss",
    "lint_paths",
    "lint_text",
    "review",
]
_LIBRARY = frozenset(__all__) - {"__version__"}

if TYPE_CHECKING:
    from podlint.library import (
        LintError,
        LintFinding,
        PssVerdict,
        PssViolation,
        check_update,
        evaluate_pss,
        lint_paths,
        lint_text,
        review,
    )


def __getattr__(name: str) -> Any:
    if name in _LIBRARY:
        from podlint import library

        return getattr(library, name)
    raise AttributeError(f"module 'podlint' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LIBRARY})
