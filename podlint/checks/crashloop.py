"""Containers that a controller restarts forever: CrashLoopBackOff and Completed in a loop.

Under ``restartPolicy: Always`` the kubelet starts a container again whenever it exits, with
an exponential back-off, whatever its exit code. A container whose command is over as soon as
it starts therefore never settles. Only commands that end by construction are judged: a
program that prints and exits (``true``, ``echo``), or a shell script made of nothing else;
anything that might wait (another program, a loop, a command substitution) is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from podlint.checks._shell import Word, argv, parse, program, shell_script
from podlint.model.finding import Finding
from podlint.model.views import ContainerView
from podlint.rule import RuleContext

# Programs that do their work and exit at once, whatever their arguments.
_IMMEDIATE_PROGRAMS = frozenset(
    {"true", "false", "echo", "printf", "date", "hostname", "pwd", "id", "whoami", "uname"}
)
# Shell commands (built-ins and the programs above) that neither wait nor run anything else.
_IMMEDIATE_SHELL = _IMMEDIATE_PROGRAMS | {":", "exit", "set", "export", "unset"}
# Command substitution and process-running syntax a script may hide a long wait in.
_HIDDEN_COMMANDS = ("$(", "`", "<(", ">(")


def container_exits_immediately(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    """A container of a restartPolicy Always Pod whose command exits as soon as it starts."""
    if not _restarts_always(container):
        return
    if not isinstance(container.get("command"), list) or not container.get("command"):
        return  # the image's entrypoint runs: what it does is not in the manifest
    words = argv(container.data)
    if not words or any("$(" in word.text for word in words):
        return  # the kubelet substitutes variables into the command: not judged
    script = shell_script(words)
    if script is None:
        if program(words[0].text) not in _IMMEDIATE_PROGRAMS:
            return
        where: Word = words[0]
        what = f'command "{_quote(words)}"'
    else:
        where = script[0]
        if not _script_exits_at_once(where.text):
            return
        text = _shorten("; ".join(line.strip() for line in where.text.splitlines() if line.strip()))
        what = f'script "{text}"' if text else "an empty script"
    yield Finding(
        container.at(*where.place),
        f"{container.label}: {what} exits as soon as it starts, and {_restarted(container)} "
        "starts it again whenever it exits: the Pod shows Completed or Error, then "
        "CrashLoopBackOff; run the long-lived process in the foreground, or make the "
        "one-off work a Job",
    )


def _restarted(container: ContainerView) -> str:
    if container.role == "sidecar":
        return "as a sidecar (restartPolicy Always) the kubelet"
    kind = container.pod.object.kind
    if kind == "Pod":
        return "the Pod's restartPolicy Always"
    return f"restartPolicy Always (the only one a {kind} allows)"


def _restarts_always(container: ContainerView) -> bool:
    if container.role == "sidecar":
        return True
    if container.role != "app":
        return False
    if container.pod.object.kind == "Pod":
        return bool(container.pod.get("restartPolicy", "Always") == "Always")
    return True  # the workload kinds of the card allow only Always


def _script_exits_at_once(text: str) -> bool:
    if any(marker in text for marker in _HIDDEN_COMMANDS):
        return False
    script = parse(text)
    if script is None or script.loops:
        return False
    for command in script.commands:
        if command.after == "&":
            return False  # a background job: what follows may wait for it
        if command.words[0] not in _IMMEDIATE_SHELL:
            return False
    return True


def _quote(words: list[Word]) -> str:
    return _shorten(" ".join(word.text for word in words))


def _shorten(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
