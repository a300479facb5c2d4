from __future__ import annotations

import types
from pathlib import Path

import pytest

from podlint.hookspecs import hookimpl
from podlint.registry import Registry, RegistryError, make_plugin_manager
from podlint.rule import CardError, load_card, rule_from_card

CARD = {
    "id": "acme/thing",
    "summary": "x",
    "category": "security",
    "severity": "warning",
    "target": "container",
    "check": "acme.thing",
}


def plugin(**hooks: object) -> types.ModuleType:
    module = types.ModuleType("podlint_test_plugin")
    for name, function in hooks.items():
        setattr(module, name, hookimpl(function))  # type: ignore[arg-type]
    return module


def registry_with(module: types.ModuleType) -> Registry:
    manager = make_plugin_manager(load_entry_points=False)
    manager.register(module, name="acme")
    return Registry.from_plugin_manager(manager)


def test_plugin_rules_and_checks_join_the_builtins() -> None:
    def thing(container, ctx):
        return []

    registry = registry_with(
        plugin(
            podlint_rules=lambda: [rule_from_card(CARD, "acme")],
            podlint_checks=lambda: {"acme.thing": thing},
        )
    )
    assert "acme/thing" in registry.rules and "latest-image-tag" in registry.rules
    assert registry.check("acme.thing") is thing


def test_builtin_check_families_resolve_lazily() -> None:
    registry = registry_with(plugin())
    assert registry.check("images.latest_tag").__name__ == "latest_tag"
    with pytest.raises(RegistryError, match="no check named"):
        registry.check("nope.nothing")


def test_a_rule_id_given_twice_names_both_plugins() -> None:
    clash = dict(CARD, id="latest-image-tag")
    with pytest.raises(RegistryError, match=r"podlint\.builtin and acme"):
        registry_with(plugin(podlint_rules=lambda: [rule_from_card(clash, "acme")]))


def test_plugin_rule_ids_must_be_namespaced() -> None:
    bare = dict(CARD, id="thing")
    with pytest.raises(RegistryError, match="namespaced"):
        registry_with(plugin(podlint_rules=lambda: [rule_from_card(bare, "acme")]))


def test_a_format_given_twice_is_an_error() -> None:
    with pytest.raises(RegistryError, match="format 'json'"):
        registry_with(plugin(podlint_formatters=lambda: {"json": "x:y"}))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "Bad_Id"}, "rule id"),
        ({"category": "style"}, "category"),
        ({"severity": "fatal"}, "severity"),
        ({"target": "node"}, "target"),
        ({"check": None}, "exactly one of"),
        ({"containers": ["app", "daemon"]}, "containers"),
    ],
)
def test_incomplete_cards_are_refused_with_the_field_named(change: dict, message: str) -> None:
    with pytest.raises(CardError, match=message):
        rule_from_card({**CARD, **change}, "card.yaml")


def test_unreadable_card_is_a_registry_error_not_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [unclosed\n")
    with pytest.raises(CardError, match=r"broken\.yaml"):
        load_card(broken)
    with pytest.raises(RegistryError, match=r"broken\.yaml"):
        registry_with(plugin(podlint_rules=lambda: [load_card(broken)]))


def test_a_project_card_must_name_an_existing_check_when_the_engine_is_built() -> None:
    from podlint.engine import Engine
    from podlint.policy import RuleSetting

    typo = dict(CARD, check="images.latest_tagg")
    registry = registry_with(plugin(podlint_rules=lambda: [rule_from_card(typo, "acme")]))
    with pytest.raises(RegistryError, match=r"no check named 'images\.latest_tagg'"):
        Engine(registry, {"acme/thing": RuleSetting("warning")})


def _recording_registry() -> tuple[Registry, list[str]]:
    """The built-in registry, noting the name of every check it is asked to import."""
    registry = registry_with(plugin())
    imported: list[str] = []
    check = registry.check

    def recording(name: str):  # type: ignore[no-untyped-def]
        imported.append(name)
        return check(name)

    registry.check = recording  # type: ignore[method-assign]
    return registry, imported


def test_a_built_in_check_is_imported_for_the_kinds_that_need_it() -> None:
    from podlint.engine import Engine
    from podlint.model.document import Document
    from podlint.policy import RuleSetting

    registry, imported = _recording_registry()
    engine = Engine(registry, {"latest-image-tag": RuleSetting("error")})
    assert imported == []
    service = Document("s.yaml", 0, {"apiVersion": "v1", "kind": "Service", "metadata": {}})
    assert list(engine.lint_document(service)) == []
    assert imported == []  # the rule does not apply to a Service
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "a", "image": "nginx:latest"}]},
    }
    first = list(engine.lint_document(Document("p.yaml", 0, pod)))
    assert [f.rule for f in first] == ["latest-image-tag"]
    assert set(imported) == {registry.rules["latest-image-tag"].check}
    calls = len(imported)
    again = list(engine.lint_document(Document("p.yaml", 1, pod)))
    assert [f.rule for f in again] == ["latest-image-tag"]
    assert len(imported) == calls  # bound once per kind


def test_a_long_running_door_imports_every_check_up_front() -> None:
    from podlint.engine import Engine
    from podlint.model.document import Document
    from podlint.policy import RuleSetting

    registry, imported = _recording_registry()
    settings = {"latest-image-tag": RuleSetting("error"), "api-service": RuleSetting("error")}
    engine = Engine(registry, settings)
    engine.import_checks()
    assert set(imported) == {registry.rules[rule].check for rule in settings}
    calls = len(imported)
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "a", "image": "nginx:latest"}]},
    }
    assert [f.rule for f in engine.lint_document(Document("p.yaml", 0, pod))] == [
        "latest-image-tag"
    ]
    assert len(imported) == calls  # nothing left to import on a request
