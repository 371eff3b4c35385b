"""The core plugs the apps in through brukarkraft.registry and imports none of them."""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from brukarkraft import privacy, registry, retention, trail
from brukarkraft.roles import Role, permissions_of

FEATURE_APPS = {"audits", "surveys", "councils", "resources"}
CORE = Path(__file__).resolve().parents[1]


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_core_imports_no_feature_app():
    offenders = {
        str(path.relative_to(CORE)): sorted(_imported_roots(path) & FEATURE_APPS)
        for path in CORE.rglob("*.py")
        if "tests" not in path.relative_to(CORE).parts
    }
    assert {path: apps for path, apps in offenders.items() if apps} == {}


def test_the_core_names_no_feature_app_module_by_string():
    # import_module("audits.privacy") would get past the import check above. The allowed
    # upward links are INSTALLED_APPS (settings) and the apps' includes in the root URLs.
    for path in CORE.rglob("*.py"):
        parts = path.relative_to(CORE).parts
        if "tests" in parts or "migrations" in parts or path.name in ("settings.py", "urls.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert node.value.split(".")[0] not in FEATURE_APPS or " " in node.value, (
                    path,
                    node.value,
                )


def test_every_feature_app_has_portal_hooks():
    assert FEATURE_APPS <= set(registry.app_labels_with_hooks())


def test_demo_data_is_seeded_in_the_registered_order():
    # The demo audit links the first demo survey, so the surveys come first.
    assert [seeder.app for seeder in registry.demo_seeders()] == [
        "surveys",
        "audits",
        "councils",
        "resources",
    ]


def test_retention_rules_come_from_the_apps_then_the_core():
    names = [rule.name for rule in retention.all_rules()]
    from audits.retention import RULES as AUDITS_RULES
    from surveys.retention import RULES as SURVEYS_RULES

    assert names == [r.name for r in (*SURVEYS_RULES, *AUDITS_RULES, *retention.RULES)]


def test_privacy_sections_are_every_apps_then_the_accounts():
    assert [section.__name__ for section in privacy.sections()] == [
        "audits.privacy",
        "councils.privacy",
        "resources.privacy",
        "surveys.privacy",
        "brukarkraft.privacy_accounts",
    ]


def test_the_trail_tracks_the_apps_models_in_order():
    assert trail.tracked() == {
        "audit": "audits.Audit",
        "finding": "audits.Finding",
        "proposal": "audits.Proposal",
        "council": "councils.Council",
        "member": "councils.Member",
        "resource": "resources.Resource",
    }


def test_the_beat_schedule_has_the_cores_and_every_apps_jobs():
    from brukarkraft.celery import app

    tasks = {name: entry["task"] for name, entry in app.conf.beat_schedule.items()}
    assert tasks == {
        "purge-login-log": "brukarkraft.tasks.purge_login_log",
        "apply-retention": "brukarkraft.tasks.apply_retention",
        "send-pending-tasks": "brukarkraft.tasks.send_pending_tasks",
        "audit-reminders": "audits.tasks.send_due_reminders",
        "requeue-stale-reports": "audits.tasks.requeue_stale_reports",
        "requeue-missing-public-reports": "audits.bank.tasks.requeue_missing_public_reports",
        "requeue-stale-guide-pdfs": "audits.fieldwork.tasks.requeue_stale_guide_pdfs",
        "purge-expired-survey-answers": "surveys.tasks.purge_expired_raw_answers",
        "council-reminders": "councils.tasks.remind_council_admins",
        "publish-due-resources": "resources.tasks.publish_due_resources",
    }
    assert set(settings.CELERY_BEAT_SCHEDULE) < set(app.conf.beat_schedule)
    # Each is a task the worker knows.
    app.loader.import_default_modules()
    assert {task for task in tasks.values() if task not in app.tasks} == set()


def test_staff_hold_the_permissions_the_apps_register():
    staff = set(permissions_of(Role.STAFF))
    assert {"audits.view_audit", "councils.change_council", "resources.add_course"} <= staff
    assert "brukarkraft.view_user" in staff


def test_the_audits_register_their_notice_kinds():
    from audits.models import Notification

    assert registry.notice_kinds()["audits"] == dict(Notification.Kind.choices)


def test_start_pages_get_the_apps_panels_by_role():
    assert registry.start_page_context(Role.ADMIN, None) == {}


def test_a_new_apps_portal_hooks_are_picked_up(monkeypatch):
    fresh = registry.Hooks()
    monkeypatch.setattr(registry, "hooks", fresh)
    monkeypatch.setattr(registry, "_discovered", False)
    monkeypatch.delitem(sys.modules, "brukarkraft.tests.fake_app.portal_hooks", raising=False)
    import brukarkraft.tests.fake_app as fake_app

    monkeypatch.setattr(
        registry.apps,
        "get_app_configs",
        lambda: [SimpleNamespace(name="brukarkraft.tests.fake_app", module=fake_app)],
    )

    registry.autodiscover()

    assert [seeder.app for seeder in registry.demo_seeders()] == ["fake_app"]
    assert registry.beat_schedule() == {"fake-job": {"task": "fake_app.tasks.job", "schedule": 60}}
    assert registry.role_permissions(Role.STAFF) == ["fake_app.view_thing"]
    registry.autodiscover()  # Once only.
    assert len(registry.demo_seeders()) == 1


def test_registering_an_unknown_hook_is_refused():
    with pytest.raises(ValueError):
        registry.hooks.register("no-such-hook", object())


def test_hooks_keep_their_order_then_registration_order():
    hooks = registry.Hooks()
    hooks.register(registry.RECORDS, "b", order=20)
    hooks.register(registry.RECORDS, "a", order=10)
    hooks.register(registry.RECORDS, "c", order=20)
    assert hooks.get(registry.RECORDS) == ["a", "b", "c"]
