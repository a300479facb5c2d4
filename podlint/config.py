"""Project configuration: ``.podlint.yaml`` discovery, validation, and per-file Options.

A linted file uses the closest configuration file found walking up from its directory to the
repository root (the directory holding ``.git``); the closest wins, nothing is merged. Files
are read, validated and compiled once per process (and again only when they change), so
per-file discovery costs one dictionary lookup per directory.

Precedence: the command line beats the configuration, which beats its policy's ``extends``
chain; within the rule settings an exact id beats a ``@category``, which beats a glob.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from podlint.engine import Engine
from podlint.model.pointer import from_parts, join
from podlint.model.span import Span
from podlint.model.version import KubeVersion
from podlint.policy import selector_matches
from podlint.registry import Registry, RegistryError, default_registry
from podlint.rule import CardError, Rule, load_card
from podlint.runtime import Options, build_engine
from podlint.validity import is_valid

CONFIG_NAMES: tuple[str, ...] = (".podlint.yaml", ".podlint.yml", "podlint.yaml")
SCHEMA_RESOURCE = "config.schema.json"


class ConfigError(Exception):
    """A configuration file that cannot be used; ``str()`` is ``path:line:col: message``."""

    def __init__(self, path: Path, problems: list[tuple[Span | None, str]]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        shown = _display(self.path)
        return [
            f"{shown}:{span.line + 1}:{span.column + 1}: {message}"
            if span is not None
            else f"{shown}: {message}"
            for span, message in self.problems
        ]


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


@dataclass(frozen=True)
class Config:
    """One validated configuration file."""

    path: Path
    extends: str | None = None
    kubernetes_version: KubeVersion | None = None
    rules: Mapping[str, Any] = field(default_factory=dict)
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    rule_paths: tuple[Path, ...] = ()
    workload_kinds: Mapping[str, str] = field(default_factory=dict)
    fail_on: str | None = None
    spans: Mapping[str, Span] = field(default_factory=dict, compare=False, repr=False)

    @property
    def directory(self) -> Path:
        return self.path.parent

    def span(self, pointer: str) -> Span | None:
        return self.spans.get(pointer)

    def ignored_for(self, file: Path) -> tuple[str, ...]:
        """The per-file-ignores selectors whose glob matches ``file``."""
        if not self.per_file_ignores:
            return ()
        absolute = os.path.abspath(file)
        prefix = str(self.directory) + os.sep
        if absolute.startswith(prefix):
            relative = absolute[len(prefix) :].replace(os.sep, "/")
        else:  # a symbolic link on the way: compare real paths
            try:
                relative = file.resolve().relative_to(self.directory.resolve()).as_posix()
            except ValueError:
                relative = file.as_posix()
        found: list[str] = []
        for pattern, selectors in self.per_file_ignores:
            if _glob_regex(pattern).match(relative) or (
                "/" not in pattern and _glob_regex(pattern).match(relative.rsplit("/", 1)[-1])
            ):
                found.extend(s for s in selectors if s not in found)
        return tuple(found)


@cache
def config_schema() -> dict[str, Any]:
    """The JSON Schema (draft-07) of configuration files, as shipped in the package."""
    text = (Path(__file__).parent / "schemas" / SCHEMA_RESOURCE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft7Validator(config_schema())


@cache
def _glob_regex(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        out.append({"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char)))
        index += 1
    return re.compile("".join(out) + r"\Z")


def load_config(path: Path) -> Config:
    """Read and validate one configuration file (cached until the file changes)."""
    try:
        stat = path.stat()
    except OSError as error:
        raise ConfigError(path, [(None, f"cannot read: {error.strerror or error}")]) from None
    return _load_config(path.resolve(), stat.st_mtime_ns, stat.st_size)


@cache
def _load_config(path: Path, _mtime: int, _size: int) -> Config:
    from podlint.source.compose import ComposeError, compose, make_composer, to_data
    from podlint.source.locator import NodeLocator

    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, [(None, f"cannot read: {error}")]) from None
    try:
        root = compose(make_composer(), text)
        data = to_data(root).data if root is not None else None
    except ComposeError as error:
        span = Span(error.line, error.column, error.line, error.column + 1)
        raise ConfigError(path, [(span, error.message)]) from None
    if data is None:
        return Config(path)
    locator = NodeLocator(root, 0) if root is not None else None

    def locate(pointer: str, key: bool = False) -> Span | None:
        return locator.span(pointer, key) if locator else None

    problems = (
        []
        if is_valid(config_schema(), data)
        else [_describe(error, locate) for error in _validator().iter_errors(data)]
    )
    if problems:
        problems.sort(key=lambda item: (item[0].line, item[0].column) if item[0] else (-1, -1))
        raise ConfigError(path, problems)
    spans: dict[str, Span] = {}
    for top in ("rules", "per-file-ignores", "rule-paths", "extends", "kubernetes-version"):
        value = data.get(top)
        pointers = [f"/{top}"]
        if isinstance(value, Mapping):
            pointers += [join(f"/{top}", key) for key in value]
            pointers += [
                join(f"/{top}", key, index)
                for key, items in value.items()
                if isinstance(items, list)
                for index in range(len(items))
            ]
        elif isinstance(value, list):
            pointers += [join(f"/{top}", index) for index in range(len(value))]
        for pointer in pointers:
            found = locate(pointer, key=pointer.count("/") == 2 and top != "rule-paths")
            if found is not None:
                spans[pointer] = found
    for selector, setting in (data.get("rules") or {}).items():
        options = setting.get("options") if isinstance(setting, Mapping) else None
        for name in options or ():
            pointer = join("/rules", selector, "options", name)
            found = locate(pointer, key=True)
            if found is not None:
                spans[pointer] = found
    version = None
    if "kubernetes-version" in data:
        raw = _raw_scalar(root, "kubernetes-version") or str(data["kubernetes-version"])
        try:
            version = KubeVersion.parse(raw)
        except ValueError as error:
            raise ConfigError(path, [(spans.get("/kubernetes-version"), str(error))]) from None
    ignores = tuple(
        (pattern, (value,) if isinstance(value, str) else tuple(value))
        for pattern, value in (data.get("per-file-ignores") or {}).items()
    )
    rules, rule_paths, extends = _confine(path, data, locate)
    return Config(
        path=path,
        extends=extends,
        kubernetes_version=version,
        rules=rules,
        per_file_ignores=ignores,
        rule_paths=rule_paths,
        workload_kinds=dict(data.get("workload-kinds") or {}),
        fail_on=data.get("fail-on"),
        spans=spans,
    )


def _confine(
    path: Path, data: Mapping[str, Any], locate: Callable[..., Span | None]
) -> tuple[dict[str, Any], tuple[Path, ...], str | None]:
    """The paths the file names (rule-paths, a policy file to extend, path options), each
    made absolute and required to stay inside the file's repository."""
    from podlint.gitutil import OutsideRepository, confined
    from podlint.policy import confine_path_options

    problems: list[tuple[Span | None, str]] = []
    rule_paths: list[Path] = []
    for index, entry in enumerate(data.get("rule-paths") or ()):
        try:
            rule_paths.append(confined(str(entry), path))
        except OutsideRepository as error:
            problems.append((locate(f"/rule-paths/{index}"), f"rule-paths: {error}"))
    extends = data.get("extends")
    if isinstance(extends, str) and _names_a_file(extends, path):
        try:
            extends = str(confined(extends, path))
        except OutsideRepository as error:
            problems.append((locate("/extends"), f"extends: {error}"))
    rules, option_problems = confine_path_options(data.get("rules") or {}, path)
    for pointer, message in option_problems:
        span = locate(pointer) or locate(pointer.rsplit("/", 1)[0])
        problems.append((span, message))
    if problems:
        raise ConfigError(path, problems)
    return dict(rules), tuple(rule_paths), extends


def _names_a_file(extends: str, config: Path) -> bool:
    """Whether ``extends`` is a policy file rather than a policy's name."""
    return "/" in extends or os.sep in extends or (config.parent / extends).exists()


def _raw_scalar(root: Any, key: str) -> str | None:
    """The text of a top-level plain scalar as written (``1.30`` must not become 1.3)."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    if not isinstance(root, MappingNode):
        return None
    for key_node, value_node in root.value:
        if getattr(key_node, "value", None) == key and isinstance(value_node, ScalarNode):
            return str(value_node.value)
    return None


def _describe(error: Any, locate: Any) -> tuple[Span | None, str]:
    """A located, human message for one schema violation, saying what would be valid."""
    parts = list(error.absolute_path)
    where = ".".join(str(part) for part in parts) or "the configuration"
    pointer = from_parts(parts)
    valid = error.schema.get("x-valid") if isinstance(error.schema, Mapping) else None
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = [key for key in error.instance if key not in allowed]
        name = extra[0] if extra else "?"
        hint = _close(name, allowed)
        suggestion = f'did you mean "{hint[0]}"? ' if hint else ""
        context = f" in {where}" if parts else ""
        return locate(join(pointer, name), True), (
            f'unknown key "{name}"{context}; {suggestion}valid keys: {", ".join(allowed)}'
        )
    if error.validator == "propertyNames":
        return locate(join(pointer, str(error.instance)), True), (
            f'{where}: "{error.instance}" is not a valid name here'
            + (f"; expected {valid}" if valid else "")
        )
    if error.validator == "type" and error.instance is None:
        message = f"{where}: a value is missing"
    elif error.validator in ("enum", "oneOf", "pattern", "type", "minLength", "minItems"):
        message = f"{where}: {_show(error.instance)} is not valid"
    else:
        message = f"{where}: {error.message}"
    if valid:
        message += f"; expected {valid}"
    return locate(pointer), message


def _close(word: str, candidates: Iterable[str]) -> list[str]:
    import difflib

    return difflib.get_close_matches(word, list(candidates), n=1)


def _show(value: Any) -> str:
    if value is False:
        return "off"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return json.dumps(value)


def find_config_file(path: str | Path) -> Path | None:
    """The configuration file that applies to ``path`` (a file, or a directory), if any."""
    # Strings rather than Path objects: a run looks up every directory it lints.
    start = os.fspath(path)
    if not os.path.isdir(start):
        start = os.path.dirname(start) or os.curdir
    return _find_in(os.path.realpath(start))


@cache
def _find_in(directory: str) -> Path | None:
    for name in CONFIG_NAMES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return Path(candidate)
    parent = os.path.dirname(directory)
    if os.path.exists(os.path.join(directory, ".git")) or parent == directory:
        return None
    return _find_in(parent)


def clear_caches() -> None:
    """Forget discovered and loaded configuration files (an editor saw one created)."""
    _find_in.cache_clear()
    _load_config.cache_clear()


def merge_options(
    config: Config | None,
    base: Options,
    explicit: Collection[str] = (),
    file: Path | None = None,
) -> Options:
    """The Options for one file: the command line (``explicit`` fields of ``base``) beats the
    configuration, which beats ``base``'s defaults."""
    if config is None:
        return base
    changes: dict[str, Any] = {
        "config": config.path,
        "extra_layers": (*base.extra_layers, (str(config.path), config.rules))
        if config.rules
        else base.extra_layers,
        "workload_kinds": {**config.workload_kinds, **base.workload_kinds},
        "rule_paths": (*base.rule_paths, *config.rule_paths),
    }
    if config.extends and "policy" not in explicit:
        changes["policy"] = _policy_reference(config)
    if config.kubernetes_version is not None and "kubernetes_version" not in explicit:
        changes["kubernetes_version"] = config.kubernetes_version
    if config.fail_on is not None and "fail_on" not in explicit:
        changes["fail_on"] = config.fail_on
    if file is not None:
        ignored = config.ignored_for(file)
        if ignored:
            changes["ignore"] = (*base.ignore, *ignored)
    return dataclasses.replace(base, **changes)


def _policy_reference(config: Config) -> str:
    assert config.extends is not None
    return config.extends


class ConfigResolver:
    """Per-file Options and Engines for one run (a CLI invocation, an LSP workspace).

    ``base`` holds the command line's values; ``explicit`` names the fields the user set
    there, which configuration files must not override. ``config_file`` forces one file for
    everything; ``use_config=False`` ignores configuration files altogether. ``finish``
    adjusts each file's merged Options before its engine is built (``--pss-version`` needs
    the final rule selection). ``snapshot=True`` (a command-line run) looks each directory
    up once and never re-checks files for changes; otherwise (an editor) a changed file is
    re-read on the next call.
    """

    def __init__(
        self,
        base: Options | None = None,
        *,
        explicit: Collection[str] = (),
        config_file: Path | None = None,
        use_config: bool = True,
        registry: Registry | None = None,
        finish: Callable[[Options, Registry], Options] | None = None,
        snapshot: bool = False,
    ) -> None:
        self.base = base or Options()
        self.snapshot = snapshot
        self._directories: dict[str, Config | None] = {}
        self._last: tuple[str, Options] | None = None
        self.finish = finish
        self.explicit = frozenset(explicit)
        self.config_file = config_file
        self.use_config = use_config
        self.registry = registry
        self._engines: dict[tuple[int, tuple[str, ...]], Engine] = {}
        self._registries: dict[tuple[Path, ...], Registry] = {}

    def config_for(self, path: str | Path) -> Config | None:
        if not self.use_config:
            return None
        if self.snapshot:
            directory = os.path.dirname(str(path))
            if directory not in self._directories:
                self._directories[directory] = self._lookup(path)
            return self._directories[directory]
        return self._lookup(path)

    def _lookup(self, path: str | Path) -> Config | None:
        if self.config_file is not None:
            return load_config(self.config_file)
        found = find_config_file(path)
        return load_config(found) if found is not None else None

    def options_for(self, path: str | Path) -> Options:
        if self._last is not None and self._last[0] == str(path):
            return self._last[1]
        options = merge_options(self.config_for(path), self.base, self.explicit, Path(path))
        if self.snapshot:
            self._last = (str(path), options)
        return options

    def engine_for(self, path: str | Path) -> Engine:
        """The engine for one file, built once per (configuration, per-file ignores)."""
        config = self.config_for(path)
        options = self.options_for(path)
        # A changed file is a new Config object (load_config caches by modification time).
        key = (id(config) if config else 0, options.ignore)
        engine = self._engines.get(key)
        if engine is None:
            engine = self._build(config, options)
            self._engines[key] = engine
        return engine

    def _build(self, config: Config | None, options: Options) -> Engine:
        from podlint.policy import PolicyError

        registry = self._registry_with(options.rule_paths, config)
        if config is not None:
            _check_selectors(config, registry.rules)
        base_rules = (self.registry or default_registry()).rules
        added = {rule_id: "default" for rule_id in registry.rules if rule_id not in base_rules}
        if added:
            # A project's own cards run unless its configuration says otherwise.
            options = dataclasses.replace(
                options, extra_layers=(("rule-paths", added), *options.extra_layers)
            )
        try:
            options = dataclasses.replace(options, rule_paths=())
            if self.finish is not None:
                options = self.finish(options, registry)
            return build_engine(options, registry)
        except (PolicyError, RegistryError) as error:
            if config is None:
                raise
            raise ConfigError(config.path, [(config.span("/extends"), str(error))]) from None

    def _registry_with(self, rule_paths: tuple[Path, ...], config: Config | None) -> Registry:
        registry = self.registry or default_registry()
        if not rule_paths:
            return registry
        cached = self._registries.get(rule_paths)
        if cached is None:
            cards = _load_rule_paths(rule_paths, config, registry)
            try:
                cached = registry.with_rules(cards)
            except RegistryError as error:
                where = config.path if config else rule_paths[0]
                raise ConfigError(where, [(_span(config, "/rule-paths"), str(error))]) from None
            self._registries[rule_paths] = cached
        return cached


def _span(config: Config | None, pointer: str) -> Span | None:
    return config.span(pointer) if config else None


def _load_rule_paths(
    paths: Iterable[Path], config: Config | None, registry: Registry
) -> list[Rule]:
    rules: list[Rule] = []
    for index, directory in enumerate(paths):
        span = config.span(f"/rule-paths/{index}") if config else None
        where = config.path if config else directory
        if not directory.is_dir():
            raise ConfigError(where, [(span, f'rule-paths: "{directory}" is not a directory')])
        for card in sorted(directory.glob("*.yaml")):
            try:
                rules.append(load_card(card))
            except CardError as error:
                raise ConfigError(where, [(span, f"rule-paths: {error}")]) from None
            except Exception as error:
                raise ConfigError(where, [(span, f"rule-paths: {card}: {error}")]) from None
            check = rules[-1].check
            if check is not None:
                try:
                    registry.check(check)
                except (RegistryError, ImportError, AttributeError):
                    raise ConfigError(
                        where,
                        [
                            (
                                span,
                                f"rule-paths: {card}: check {check!r} is not an installed "
                                "check; cards in rule-paths use schema: or a check that "
                                "podlint or an installed plugin provides",
                            )
                        ],
                    ) from None
    return rules


def _check_selectors(config: Config, rules: Mapping[str, Rule]) -> None:
    """Unknown rule ids and selectors that match nothing are mistakes, reported in place."""
    problems: list[tuple[Span | None, str]] = []

    def check(selector: str, pointer: str) -> None:
        if any(selector_matches(selector, rule) for rule in rules.values()):
            return
        if selector.startswith("@"):
            from podlint.rule import CATEGORIES

            what = f"unknown category {selector!r}; categories: " + ", ".join(
                "@" + c for c in CATEGORIES
            )
        elif any(char in selector for char in "*?["):
            what = f"the glob {selector!r} matches no rule"
        else:
            hint = _close(selector, list(rules))
            what = f"unknown rule {selector!r}" + (f'; did you mean "{hint[0]}"?' if hint else "")
        problems.append((config.span(pointer), what + " (see 'podlint rules')"))

    for selector, setting in config.rules.items():
        check(selector, join("/rules", selector))
        options = setting.get("options") if isinstance(setting, Mapping) else None
        if options and selector in rules:
            problems += _option_problems(config, rules[selector], options)
    for pattern, selectors in config.per_file_ignores:
        for index, selector in enumerate(selectors):
            pointer = join("/per-file-ignores", pattern)
            check(selector, join(pointer, index) if config.span(join(pointer, index)) else pointer)
    if problems:
        raise ConfigError(config.path, problems)


def _option_problems(
    config: Config, rule: Rule, options: Mapping[str, Any]
) -> list[tuple[Span | None, str]]:
    """Option names a rule does not have, and values of another type than its default."""
    problems: list[tuple[Span | None, str]] = []
    for name, value in options.items():
        span = config.span(join("/rules", rule.id, "options", name))
        if name not in rule.params:
            known = ", ".join(sorted(rule.params)) or "none"
            hint = _close(name, list(rule.params))
            problems.append(
                (
                    span,
                    f"rules.{rule.id}.options: unknown option {name!r}"
                    + (f'; did you mean "{hint[0]}"?' if hint else "")
                    + f" (options of {rule.id}: {known})",
                )
            )
            continue
        default = rule.params[name]
        if default is not None and not _same_kind(default, value):
            problems.append(
                (
                    span,
                    f"rules.{rule.id}.options.{name}: {_show(value)} is not valid; expected "
                    f"a {_kind_name(default)} like the default {json.dumps(default)}",
                )
            )
    return problems


def _kind_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "mapping"


def _same_kind(default: Any, value: Any) -> bool:
    return _kind_name(default) == _kind_name(value)


def options_for_file(
    path: str | Path,
    base: Options | None = None,
    *,
    explicit: Collection[str] = (),
    config_file: Path | None = None,
) -> Options:
    """The runtime Options for one linted file: its configuration file applied to ``base``."""
    resolver = ConfigResolver(base, explicit=explicit, config_file=config_file)
    return resolver.options_for(path)
