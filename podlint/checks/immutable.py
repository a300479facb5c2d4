"""Update checks: they compare an object with its previous version.

A plain lint hands checks a single object, and these yield nothing for it. The update engine
(``podlint diff``, ``podlint lint --base``) hands them an ``UpdateView`` that also carries the
previous version; the logic lives in ``podlint.update``, shared with ``check_update``.
"""

from __future__ import annotations

from collections.abc import Iterator

from podlint.model.finding import Finding
from podlint.model.views import ObjectView
from podlint.rule import RuleContext


def _run(rule_id: str, view: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    # A plain lint's view has no previous version; podlint.update loads only when one does.
    if type(view) is ObjectView:
        return iter(())
    from podlint.update import UPDATE_RULES
    from podlint.update.view import previous

    old = previous(view)
    if old is None:
        return iter(())
    return UPDATE_RULES[rule_id](old, view.data, ctx.kubernetes_version, view.pointer)


def metadata(view: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    return _run("immutable-metadata", view, ctx)


def pod_spec(view: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    return _run("immutable-pod-spec", view, ctx)


def selector(view: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    return _run("immutable-selector", view, ctx)


def statefulset_spec(view: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    return _run("immutable-statefulset-spec", view, ctx)


def job_spec(view: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    return _run("immutable-job-spec", view, ctx)


def job_template(view: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    return _run("immutable-job-template", view, ctx)


def config_data(view: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    return _run("immutable-config-data", view, ctx)


def secret_type(view: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    return _run("immutable-secret-type", view, ctx)


def pvc_spec(view: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    return _run("immutable-pvc-spec", view, ctx)


def pv_spec(view: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    return _run("immutable-pv-spec", view, ctx)


def role_ref(view: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    return _run("immutable-role-ref", view, ctx)


def service_spec(view: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    return _run("immutable-service-spec", view, ctx)


def rolling_update_kept(view: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    return _run("rolling-update-kept", view, ctx)
