"""The hooks podlint calls on its plugins, once at start-up (never per document).

Built-in rules, checks, formatters, policies and workload kinds register through these same
hooks (``podlint.builtin``). Third-party plugins are modules named in the ``podlint``
entry-point group of an installed distribution, for example::

    [project.entry-points.podlint]
    acme = "podlint_acme"

Each hook returns data; podlint merges the answers of all plugins, and a name given by two
plugins is an error that names both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pathlib import Path

    from podlint.rule import Rule

hookspec = pluggy.HookspecMarker("podlint")
hookimpl = pluggy.HookimplMarker("podlint")


@hookspec
def podlint_rules() -> list[Rule]:
    """Return rules (use ``podlint.api.load_card`` to read a card file).

    Third-party rule ids must be namespaced: ``acme/no-root``.
    """
    raise NotImplementedError


@hookspec
def podlint_checks() -> dict[str, Any]:
    """Return check functions by the name that rule cards use in ``check:``.

    A value is either the callable ``check(view, ctx) -> Iterable[Finding]`` or an import
    string ``"package.module:function"``, imported the first time a run needs it.
    """
    raise NotImplementedError


@hookspec
def podlint_formatters() -> dict[str, Any]:
    """Return output formatters by ``--format`` name: a Formatter class or an import string."""
    raise NotImplementedError


@hookspec
def podlint_policies() -> dict[str, Path]:
    """Return policy files by the name ``--policy`` and ``extends`` use."""
    raise NotImplementedError


@hookspec
def podlint_workload_kinds() -> dict[str, str]:
    """Return custom kinds that carry a pod template: ``{"group/Kind": "/pointer/to/podspec"}``."""
    raise NotImplementedError
