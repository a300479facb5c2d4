"""What the front doors' click commands share: exit codes, the extras check, and the options
of every command that builds an engine (lint, lsp, audit).

The front doors (podlint.cli, podlint.webhook, podlint.lsp, podlint.audit) never import one
another; what their commands have in common lives here, below all of them.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

FAIL_ON = ("error", "warning", "info", "never")

# The optional extra each front door needs, and the top-level modules that show it is installed.
EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "audit": ("audit", ("lightkube",)),
    "lsp": ("lsp", ("pygls", "lsprotocol")),
    "webhook": ("webhook", ("starlette", "uvicorn", "prometheus_client", "cryptography")),
}


def _refuse_without_extra(name: str, missing: Sequence[str]) -> NoReturn:
    extra = EXTRAS[name][0]
    click.echo(
        f"podlint: error: 'podlint {name}' needs the {extra} extra, which is not installed "
        f"(missing: {', '.join(missing)}); install it with: pip install 'podlint[{extra}]'",
        err=True,
    )
    sys.exit(EXIT_USAGE)


def require_extra(name: str) -> None:
    """Import the extra of front door ``name``, or say what to install and exit 2.

    The front door calls it when it runs: a package that is present but cannot be imported
    (a broken or partial install) gets the same answer as a missing one.
    """
    for module in EXTRAS[name][1]:
        try:
            importlib.import_module(module)
        except ImportError:
            _refuse_without_extra(name, [module])


def missing_extra_command(name: str) -> click.Command | None:
    """A stand-in for a front door whose extra is not installed: it says what to install."""
    extra, modules = EXTRAS[name]
    missing = [module for module in modules if importlib.util.find_spec(module) is None]
    if not missing:
        return None

    def refuse() -> NoReturn:
        _refuse_without_extra(name, missing)

    return click.Command(
        name,
        callback=refuse,
        help=f"Not installed: pip install 'podlint[{extra}]'",
        context_settings={
            "ignore_unknown_options": True,
            "allow_extra_args": True,
            "help_option_names": [],
        },
    )


def _kube_version(_ctx: click.Context, _param: click.Parameter, value: str) -> Any:
    from podlint.model.version import KubeVersion

    try:
        return KubeVersion.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


policy_option = click.option(
    "--policy", default="default", show_default=True, help="Policy name or file."
)
kubernetes_version_option = click.option(
    "--kubernetes-version",
    default="latest",
    show_default=True,
    callback=_kube_version,
    help="Target Kubernetes version (MAJOR.MINOR).",
)


def explicit_options(ctx: click.Context, names: Sequence[str]) -> set[str]:
    """The parameters among ``names`` that the user set (command line or environment), which
    configuration files must not override."""
    from click.core import ParameterSource

    given = {ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT}
    return {name for name in names if ctx.get_parameter_source(name) in given}
