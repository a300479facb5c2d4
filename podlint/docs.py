"""The rule reference, rendered from the rule cards (docs/rules is generated from this)."""

from __future__ import annotations

from pathlib import Path

from podlint.policy import policy_layers, resolve_settings
from podlint.registry import Registry
from podlint.rule import Rule

_ROLE_WORDS = {"app": "app", "init": "init", "sidecar": "sidecar", "ephemeral": "ephemeral"}


def policy_membership(registry: Registry) -> dict[str, list[str]]:
    """rule id -> the shipped policies that enable it (with severity), e.g. ["default:error"]."""
    membership: dict[str, list[str]] = {}
    for name in sorted(registry.policies):
        settings = resolve_settings(policy_layers(name, registry.policies), registry.rules)
        for rule_id, setting in settings.items():
            membership.setdefault(rule_id, []).append(f"{name}:{setting.severity.value}")
    return membership


def render_rule(rule: Rule, registry: Registry) -> str:
    docs = rule.docs
    policies = policy_membership(registry).get(rule.id, [])
    applies = "every kind" if rule.kinds is None else ", ".join(rule.kinds)
    lines = [
        f"# {rule.id}",
        "",
        f"{rule.summary}",
        "",
        f"- Category: {rule.category}",
        f"- Default severity: {rule.severity.value}",
        f"- Target: {rule.target}"
        + (
            f" ({', '.join(_ROLE_WORDS[r] for r in rule.containers)} containers)"
            if rule.target == "container"
            else ""
        )
        + f"; kinds: {applies}",
        f"- Policies: {', '.join(policies) if policies else 'none (enable it with --select)'}",
        "",
        "## What it does",
        "",
        str(docs.get("what", "")).strip(),
        "",
    ]
    if docs.get("status"):
        lines += ["## Status it predicts", "", str(docs["status"]).strip(), ""]
    lines += [
        "## Why is this bad?",
        "",
        str(docs.get("why", "")).strip(),
        "",
    ]
    if docs.get("example"):
        lines += ["## Example", "", "```yaml", str(docs["example"]).rstrip(), "```", ""]
    if docs.get("use-instead"):
        lines += ["Use instead:", "", "```yaml", str(docs["use-instead"]).rstrip(), "```", ""]
    if rule.params:
        lines += ["## Options", "", "| option | default |", "| --- | --- |"]
        lines += [f"| `{name}` | `{value!r}` |" for name, value in sorted(rule.params.items())]
        lines.append("")
    if rule.fix is not None:
        how = (
            "Safe: `podlint lint --fix` applies it"
            if rule.fix.safe
            else "Unsafe: applied only with `podlint lint --fix --unsafe-fixes`"
        )
        lines += ["## Fix", "", f"{how}.", "", rule.fix.description, ""]
    lines += [
        "## Suppress",
        "",
        "```yaml",
        f"# podlint: disable={rule.id}",
        "```",
        "",
    ]
    references = docs.get("references") or []
    if references:
        lines += ["## References", ""]
        lines += [f"- {reference}" for reference in references]
        lines.append("")
    return "\n".join(lines)


def render_index(registry: Registry) -> str:
    membership = policy_membership(registry)
    lines = [
        "# Rules",
        "",
        "Generated from `rules/*.yaml` by `podlint docs docs/rules`; do not edit by hand.",
        "",
        "| rule | category | severity | policies | summary |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in sorted(registry.rules.values(), key=lambda r: r.id):
        policies = ", ".join(membership.get(rule.id, [])) or "-"
        lines.append(
            f"| [{rule.id}]({rule.id}.md) | {rule.category} | {rule.severity.value} "
            f"| {policies} | {rule.summary} |"
        )
    return "\n".join(lines) + "\n"


def render_all(registry: Registry) -> dict[str, str]:
    """File name -> content for the whole docs/rules directory (built-in rules only)."""
    builtin = {rule_id: rule for rule_id, rule in registry.rules.items() if "/" not in rule_id}
    pages = {f"{rule.id}.md": render_rule(rule, registry) for rule in builtin.values()}
    pages["README.md"] = render_index(registry)
    return pages


def write_docs(registry: Registry, outdir: Path) -> int:
    outdir.mkdir(parents=True, exist_ok=True)
    pages = render_all(registry)
    for stale in outdir.glob("*.md"):
        if stale.name not in pages:
            stale.unlink()
    for name, content in pages.items():
        (outdir / name).write_text(content, encoding="utf-8")
    return len(pages)
