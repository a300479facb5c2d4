"""Policies: which rules run, at which severity, with which options."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podlint.model.finding import Severity
from podlint.model.pointer import from_parts, join
from podlint.rule import Rule

OFF = "off"


class PolicyError(Exception):
    """A policy that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class RuleSetting:
    """An enabled rule's severity and options, as a policy resolves them."""

    severity: Severity
    options: Mapping[str, Any] = field(default_factory=dict)


# A layer maps selectors (rule id, "@category" or glob) to "off", a severity, or
# {"severity": ..., "options": {...}}.
Layer = Mapping[str, Any]


def selector_matches(selector: str, rule: Rule) -> bool:
    if selector.startswith("@"):
        return rule.category == selector[1:]
    if any(char in selector for char in "*?["):
        return fnmatch.fnmatchcase(rule.id, selector)
    return rule.id == selector


def _specificity(selector: str) -> int:
    if selector.startswith("@"):
        return 1
    if any(char in selector for char in "*?["):
        return 0
    return 2


def apply_layer(
    settings: dict[str, RuleSetting], layer: Layer, rules: Mapping[str, Rule], origin: str
) -> None:
    """Overlay one layer; within it an exact id beats a category, which beats a glob."""
    for selector in sorted(layer, key=_specificity):
        value = layer[selector]
        if _specificity(selector) == 2:  # an exact id: one lookup, not a pass over every rule
            exact = rules.get(selector)
            matched = [exact] if exact is not None and exact.id == selector else []
        else:
            matched = [rule for rule in rules.values() if selector_matches(selector, rule)]
        if not matched and _specificity(selector) == 2:
            raise PolicyError(f"{origin}: unknown rule {selector!r}")
        for rule in matched:
            setting = _setting(value, rule, settings.get(rule.id), origin, selector)
            if setting is None:
                settings.pop(rule.id, None)
            else:
                settings[rule.id] = setting


def _setting(
    value: Any, rule: Rule, previous: RuleSetting | None, origin: str, selector: str
) -> RuleSetting | None:
    options: Mapping[str, Any] = previous.options if previous else {}
    if isinstance(value, Mapping):
        severity_text = value.get("severity", previous.severity.value if previous else None)
        options = {**options, **(value.get("options") or {})}
    else:
        severity_text = value
    if severity_text is False or severity_text == OFF:
        return None
    if severity_text is None or severity_text == "default":
        return RuleSetting(rule.severity, options)
    try:
        return RuleSetting(Severity(severity_text), options)
    except ValueError:
        raise PolicyError(
            f"{origin}: {selector}: {severity_text!r} is not one of off, info, warning, error"
        ) from None


@dataclass(frozen=True)
class Policy:
    """A policy bundle: its rule layer and the policies it extends."""

    name: str
    path: Path
    extends: tuple[str, ...]
    rules: Layer
    description: str = ""


def load_policy(name_or_path: str, known: Mapping[str, Path]) -> Policy:
    path = known.get(name_or_path)
    if path is None:
        candidate = Path(name_or_path)
        if not candidate.is_file():
            raise PolicyError(
                f"unknown policy {name_or_path!r}: not a file, and not one of "
                f"{', '.join(sorted(known))}"
            )
        path = candidate
    # The shipped policies are checked against the schema by the test suite, not at start-up.
    data = _read_policy(path, validate=path not in known.values())
    if not isinstance(data, Mapping):
        raise PolicyError(f"{path}: a policy must be a mapping")
    extends = data.get("extends") or ()
    if isinstance(extends, str):
        extends = (extends,)
    rules = data.get("rules") or {}
    if not isinstance(rules, Mapping):
        raise PolicyError(f"{path}: 'rules' must be a mapping of rule id to severity")
    rules, problems = confine_path_options(rules, path)
    if problems:
        raise PolicyError(f"{path}: {problems[0][1]}")
    return Policy(
        name=str(data.get("name", path.stem)),
        path=path,
        extends=tuple(extends),
        rules=rules,
        description=str(data.get("description", "")),
    )


POLICY_SCHEMA = Path(__file__).parent / "schemas" / "policy.schema.json"


def _read_policy(path: Path, *, validate: bool) -> Any:
    from podlint.source.compose import ComposeError, compose, make_composer, to_data
    from podlint.source.locator import NodeLocator

    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
        root = compose(make_composer(), text)
        data = to_data(root).data if root is not None else None
    except ComposeError as error:
        raise PolicyError(f"{path}:{error.line + 1}:{error.column + 1}: {error.message}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(f"{path}: cannot read policy: {error}") from None
    if not validate or root is None:
        return data
    import json

    from podlint.validity import is_valid

    schema = json.loads(POLICY_SCHEMA.read_text("utf-8"))
    if is_valid(schema, data):
        return data
    import jsonschema

    problem = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(schema).iter_errors(data))
    if problem is None:
        return data
    parts = [str(part) for part in problem.absolute_path]
    valid = problem.schema.get("x-valid") if isinstance(problem.schema, Mapping) else None
    key = False
    if problem.validator == "additionalProperties":
        allowed = sorted(problem.schema.get("properties", {}))
        extra = [name for name in problem.instance if name not in allowed]
        parts.append(str(extra[0]) if extra else "")
        key = True
        message = f'unknown key "{parts[-1]}"; valid keys: {", ".join(allowed)}'
    else:
        shown = json.dumps(problem.instance, default=str)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        where = ".".join(parts) or "the policy"
        message = f"{where}: {shown} is not valid" + (f"; expected {valid}" if valid else "")
    span = NodeLocator(root, 0).span(from_parts(parts), key)
    at = f"{path}:{span.line + 1}:{span.column + 1}" if span else str(path)
    raise PolicyError(f"{at}: {message}")


# Rule options whose values are paths: a file that sets them names paths relative to itself,
# inside its repository.
PATH_OPTIONS = frozenset({"schema-locations"})


def confine_path_options(layer: Layer, origin: Path) -> tuple[Layer, list[tuple[str, str]]]:
    """``layer`` with every path option made absolute, and the (pointer, message) of each
    entry that leads out of the repository holding ``origin``."""
    from podlint.gitutil import OutsideRepository, confined

    problems: list[tuple[str, str]] = []
    out: dict[str, Any] = {}
    for selector, value in layer.items():
        options = value.get("options") if isinstance(value, Mapping) else None
        if not isinstance(options, Mapping) or not PATH_OPTIONS.intersection(options):
            out[selector] = value
            continue
        fixed = dict(options)
        for name in PATH_OPTIONS.intersection(options):
            entries = options[name]
            listed = [entries] if isinstance(entries, str) else entries
            if not isinstance(listed, list):
                continue  # a wrong type is the option check's to report
            paths: list[str] = []
            for index, entry in enumerate(listed):
                try:
                    paths.append(str(confined(str(entry), origin)))
                except OutsideRepository as error:
                    pointer = join("/rules", selector, "options", name, index)
                    problems.append((pointer, f"rules.{selector}.options.{name}: {error}"))
            fixed[name] = paths
        out[selector] = {**value, "options": fixed}
    return out, problems


def policy_layers(name_or_path: str, known: Mapping[str, Path]) -> list[tuple[str, Layer]]:
    """The rule layers of a policy and everything it extends, base first."""
    layers: list[tuple[str, Layer]] = []
    seen: list[str] = []

    def visit(name: str, parent_file: Path | None) -> None:
        key = name
        if name not in known and parent_file is not None:
            from podlint.gitutil import OutsideRepository, confined

            try:
                key = str(confined(name, parent_file))
            except OutsideRepository as error:
                raise PolicyError(f"{parent_file}: extends: {error}") from None
        if key in seen:
            raise PolicyError(f"policy {name!r} extends itself ({' -> '.join([*seen, key])})")
        seen.append(key)
        policy = load_policy(key, known)
        for parent in policy.extends:
            visit(parent, policy.path)
        layers.append((str(policy.path), policy.rules))
        seen.pop()

    visit(name_or_path, None)
    return layers


def resolve_settings(
    layers: Iterable[tuple[str, Layer]], rules: Mapping[str, Rule]
) -> dict[str, RuleSetting]:
    settings: dict[str, RuleSetting] = {}
    for origin, layer in layers:
        apply_layer(settings, layer, rules, origin)
    return settings


def unknown_rule(rule_id: str, rules: Iterable[str]) -> str:
    """The message for a rule id that names no rule, with the closest id if one is close."""
    import difflib  # only for a mistyped id

    close = difflib.get_close_matches(rule_id, list(rules), n=1)
    hint = f'; did you mean "{close[0]}"?' if close else ""
    return f"unknown rule {rule_id!r}{hint} (see 'podlint rules')"


def narrow(
    settings: dict[str, RuleSetting],
    rules: Mapping[str, Rule],
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> dict[str, RuleSetting]:
    """--select keeps only the selected rules (enabling them if the policy does not);
    --ignore then removes rules."""
    select = list(select)
    ignore = list(ignore)
    for selector in [*select, *ignore]:
        if _specificity(selector) == 2 and selector not in rules:
            raise PolicyError(unknown_rule(selector, rules))
    result = dict(settings)
    if select:
        result = {}
        for rule in rules.values():
            if any(selector_matches(s, rule) for s in select):
                result[rule.id] = settings.get(rule.id) or RuleSetting(rule.severity)
    for rule_id in list(result):
        if any(selector_matches(s, rules[rule_id]) for s in ignore):
            del result[rule_id]
    return result
