"""Declarative rules: a JSON Schema describes the valid target; each violation is a finding."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.rule import Check, Rule, RuleContext


class _Names(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def schema_check(rule: Rule) -> Check:
    """Compile the card's schema once; no $ref is ever retrieved over the network."""
    import jsonschema
    import referencing

    assert rule.schema is not None and rule.message is not None
    validator_class = jsonschema.validators.validator_for(rule.schema)
    validator_class.check_schema(rule.schema)
    validator = validator_class(rule.schema, registry=referencing.Registry())
    message = rule.message

    def check(view: Any, ctx: RuleContext) -> Iterator[Finding]:
        for error in validator.iter_errors(view.data):
            parts = list(error.absolute_path)
            if error.validator == "required" and isinstance(error.instance, dict):
                missing = [name for name in error.validator_value if name not in error.instance]
                parts.extend(missing[:1])
            names = _Names(
                container=getattr(view, "label", ""),
                name=str(view.data.get("name", "")) if isinstance(view.data, dict) else "",
                value=repr(error.instance),
                field=".".join(str(p) for p in parts),
            )
            yield Finding(join(view.pointer, *parts), message.format_map(names))

    return check
