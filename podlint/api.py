"""The plugin API: everything a plugin may import from podlint. Its ``__all__`` is the contract."""

from __future__ import annotations

from podlint.hookspecs import hookimpl
from podlint.model.finding import Finding, Severity
from podlint.model.pointer import join as join_pointer
from podlint.model.version import KubeVersion
from podlint.model.views import ContainerType, ContainerView, ObjectView, PodSpecView
from podlint.rule import Rule, RuleContext, load_card, rule_from_card

__all__ = [
    "ContainerType",
    "ContainerView",
    "Finding",
    "KubeVersion",
    "ObjectView",
    "PodSpecView",
    "Rule",
    "RuleContext",
    "Severity",
    "hookimpl",
    "join_pointer",
    "load_card",
    "rule_from_card",
]
