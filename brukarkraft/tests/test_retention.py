"""Retention: the nightly job deletes only what is due, and staff read what is kept and for how
long. The apps' own rules are tested in audits/ and surveys/tests/test_retention.py."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from brukarkraft import retention
from brukarkraft.models import AccessibilityFeedback, PendingTask
from brukarkraft.tests.factories import AccessibilityFeedbackFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def periods(settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "sent_pending_tasks": 30}
    settings.RETENTION_DAYS["handled_feedback"] = 730
    settings.LOGIN_LOG_RETENTION_DAYS = 90
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


@pytest.fixture
def now():
    return timezone.now()


# --- The portal's own rules --------------------------------------------------------------


def pending(sent_at):
    return PendingTask.objects.create(
        task="audits.tasks.generate_report", args=[1], sent_at=sent_at
    )


def test_sent_jobs_go_the_period_after_they_were_sent(now):
    pending(now - 30 * DAY - MINUTE)
    kept = pending(now - 30 * DAY + MINUTE)
    waiting = pending(None)
    PendingTask.objects.filter(pk=waiting.pk).update(created_at=now - 900 * DAY)

    assert retention.apply_all(now=now)["sent_pending_tasks"] == 1

    assert set(PendingTask.objects.values_list("pk", flat=True)) == {kept.pk, waiting.pk}


def login(when, model=AccessLog, **fields):
    fields = {
        "username": "anna@example.se",
        "ip_address": "127.0.0.1",
        "user_agent": "test",
        "path_info": "/",
        **fields,
    }
    row = model.objects.create(**fields)
    model.objects.filter(pk=row.pk).update(attempt_time=when)
    return row


def test_the_login_log_keeps_the_period_the_privacy_notice_promises(now):
    login(now - 90 * DAY - MINUTE)
    kept = login(now - 90 * DAY + MINUTE)

    assert retention.apply_all(now=now)["login_log"] == 1
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [kept.pk]


def test_the_beat_task_for_the_login_log_still_works(settings):
    from brukarkraft.tasks import purge_login_log

    login(timezone.now() - 91 * DAY)

    assert purge_login_log.delay().get() == 1


def test_failed_attempts_go_when_the_lock_ends(now):
    login(now - 15 * MINUTE - MINUTE, AccessAttempt, failures_since_start=3)
    kept = login(now - 14 * MINUTE, AccessAttempt, failures_since_start=1, ip_address="10.0.0.2")

    assert retention.apply_all(now=now)["failed_logins"] == 1
    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [kept.pk]


def feedback(status, handled_at=None):
    return AccessibilityFeedbackFactory(status=status, handled_at=handled_at)


def test_resolved_feedback_goes_the_period_after_it_was_handled(now):
    Resolved = AccessibilityFeedback.Status.RESOLVED
    feedback(Resolved, now - 730 * DAY - MINUTE)
    kept = feedback(Resolved, now - 730 * DAY + MINUTE)
    still_open = feedback(AccessibilityFeedback.Status.IN_PROGRESS, now - 2000 * DAY)

    assert retention.apply_all(now=now)["handled_feedback"] == 1
    assert set(AccessibilityFeedback.objects.values_list("pk", flat=True)) == {
        kept.pk,
        still_open.pk,
    }


# --- Running every rule ------------------------------------------------------------------


def test_every_rule_runs_and_reports_its_count(now):
    pending(now - 100 * DAY)

    deleted = retention.apply_all(now=now)

    assert set(deleted) == {rule.name for rule in retention.all_rules()}
    assert set(deleted) == {
        "abandoned_survey_responses",
        "unused_survey_codes",
        "survey_raw_answers",
        "abandoned_audit_drafts",
        "old_report_versions",
        "field_notes",
        "login_log",
        "failed_logins",
        "handled_feedback",
        "sent_pending_tasks",
        "unconfirmed_signups",
    }
    assert deleted["sent_pending_tasks"] == 1
    assert sum(deleted.values()) == 1


def test_the_beat_task_runs_every_rule(settings):
    from brukarkraft.tasks import apply_retention

    pending(timezone.now() - 100 * DAY)

    assert apply_retention.delay().get()["sent_pending_tasks"] == 1
    assert "apply-retention" in settings.CELERY_BEAT_SCHEDULE


def test_the_log_gets_counts_only(now, caplog):
    login(now - 100 * DAY)

    with caplog.at_level(logging.INFO, logger="brukarkraft.retention"):
        retention.apply_all(now=now)

    messages = [r.getMessage() for r in caplog.records if r.name == "brukarkraft.retention"]
    assert "Retention rule login_log deleted 1 items" in messages
    assert not any("@" in message for message in messages)


def test_a_failing_rule_keeps_nothing_else_from_being_deleted(now, monkeypatch):
    pending(now - 100 * DAY)

    def broken(now):
        raise RuntimeError("disk full")

    rules = retention.all_rules()
    rules[0] = retention.Rule(name=rules[0].name, count_due=broken, delete_due=broken)
    monkeypatch.setattr(retention, "all_rules", lambda: rules)

    with pytest.raises(retention.RetentionError) as failure:
        retention.apply_all(now=now)

    assert failure.value.failed == [rules[0].name]
    assert not PendingTask.objects.exists()


# --- The staff page ----------------------------------------------------------------------


def url(language: str = "en") -> str:
    with translation.override(language):
        return reverse("retention_overview")


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(url())

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["outsider", "commissioner", "auditor"])
def test_people_without_a_staff_role_are_refused(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(url()).status_code == 403


@pytest.mark.parametrize("persona", ["staff", "admin_user"])
def test_staff_and_administrators_read_it(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(url())

    assert response.status_code == 200
    assert "What we keep and for how long" in response.text


def test_the_page_shows_the_configured_periods(client, staff, settings):
    settings.RETENTION_DAYS["unused_survey_codes"] = 42
    settings.RETENTION_DAYS["old_report_versions"] = 1234
    settings.LOGIN_LOG_RETENTION_DAYS = 77
    client.force_login(staff)

    response = client.get(url())

    items = {item.what: item for item in response.context["items"]}
    assert items["Log of logins"].period == "77 days"
    assert "42 days after the survey closed" in items["Unused one-time survey codes"].period
    assert "1234 days after a newer version" in items["Report versions"].period
    assert "42 days after the survey closed" in response.text


def test_every_retention_rule_is_on_the_page_with_what_it_would_delete(client, staff, now):
    pending(now - 100 * DAY)
    pending(now - 200 * DAY)
    client.force_login(staff)

    response = client.get(url())

    items = response.context["items"]
    assert {item.rule for item in items if item.rule} == {r.name for r in retention.all_rules()}
    (jobs,) = [item for item in items if item.rule == "sent_pending_tasks"]
    assert jobs.due == 2
    assert response.context["due_total"] == 2


def test_the_page_costs_one_count_query_a_rule(client, staff):
    client.force_login(staff)
    with CaptureQueriesContext(connection) as queries:
        client.get(url())

    counts = [q for q in queries if "COUNT(" in q["sql"].upper()]
    # The raw-answer rule reads its candidate surveys instead of counting.
    assert len(counts) == len(retention.all_rules()) - 1
    # Besides: the session and the user with their roles, and the session's expiry saved.
    assert len(queries) <= len(retention.all_rules()) + 6


def test_the_staff_start_page_links_here(client, staff):
    client.force_login(staff)

    response = client.get(reverse("start_staff"))

    assert reverse("retention_overview") in response.text
    assert reverse("change_history") in response.text


def test_the_privacy_notice_states_the_periods_the_job_keeps(client):
    # The notice's figures are written in its (translated) text: if a configured period
    # changes, the notice must change with it. The project's settings, not this file's.
    from brukarkraft import settings as configured

    with translation.override("en"):
        text = client.get(reverse("privacy")).text

    assert f"the log of logins is kept for {configured.LOGIN_LOG_RETENTION_DAYS} days" in text
    assert "for at most two years" in text
    assert configured.RETENTION_DAYS["handled_feedback"] <= 2 * 365
