"""Retention of audits: draft orders never sent and superseded report versions."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from audits.models import Audit, ReportVersion
from audits.retention import delete_abandoned_drafts, delete_old_report_versions
from audits.tests.factories import AuditFactory
from brukarkraft.retention import due_counts

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def periods(settings, tmp_path):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "abandoned_drafts": 180}
    settings.RETENTION_DAYS["old_report_versions"] = 365
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def now():
    return timezone.now()


# --- Draft orders ------------------------------------------------------------------------


def draft(last_changed):
    audit = AuditFactory(status=Audit.Status.DRAFT, reference="", submitted_at=None)
    Audit.objects.filter(pk=audit.pk).update(updated_at=last_changed)
    return audit


def test_a_draft_untouched_for_the_period_is_deleted_with_its_history(now):
    due = draft(now - 180 * DAY - timedelta(minutes=1))

    assert due_counts(now=now)["abandoned_audit_drafts"] == 1
    assert delete_abandoned_drafts(now) == 1

    assert not Audit.objects.filter(pk=due.pk).exists()
    # The history held the order's contact details too.
    assert not Audit.history.filter(id=due.pk).exists()


def test_a_draft_changed_within_the_period_is_kept(now):
    kept = draft(now - 180 * DAY + timedelta(minutes=1))

    assert delete_abandoned_drafts(now) == 0
    assert Audit.objects.filter(pk=kept.pk).exists()
    assert Audit.history.filter(id=kept.pk).exists()


def test_a_sent_order_is_never_a_draft_however_old(now):
    sent = AuditFactory(status=Audit.Status.REQUESTED)
    Audit.objects.filter(pk=sent.pk).update(updated_at=now - 1000 * DAY)

    assert delete_abandoned_drafts(now) == 0
    assert Audit.objects.filter(pk=sent.pk).exists()


# --- Report versions ---------------------------------------------------------------------


def version(audit, number, finished, *, approved=False, status=ReportVersion.Status.READY):
    report = ReportVersion(
        audit=audit,
        number=number,
        language="sv",
        status=status,
        approved=approved,
        finished_at=finished,
    )
    if status == ReportVersion.Status.READY:
        report.file.save(f"report-{audit.pk}-v{number}.pdf", ContentFile(b"%PDF-1.7"), save=False)
    report.save()
    return report


def test_a_version_superseded_for_the_period_is_deleted_with_its_file(
    now, django_capture_on_commit_callbacks
):
    audit = AuditFactory(status=Audit.Status.REPORT_DRAFT)
    old = version(audit, 1, now - 400 * DAY)
    # v2 has been ready for just over a year: v1 is due. v3 for just under: v2 is not.
    middle = version(audit, 2, now - 365 * DAY - timedelta(minutes=1))
    newest = version(audit, 3, now - 365 * DAY + timedelta(minutes=1))
    storage = old.file.storage

    assert due_counts(now=now)["old_report_versions"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert delete_old_report_versions(now) == 1

    assert set(audit.reports.values_list("number", flat=True)) == {2, 3}
    assert not storage.exists(old.file.name)
    assert storage.exists(middle.file.name) and storage.exists(newest.file.name)


def test_the_approved_version_and_the_latest_are_never_deleted(now):
    audit = AuditFactory(status=Audit.Status.CLOSED)
    approved = version(audit, 1, now - 900 * DAY, approved=True)
    # Not possible through the services, but the rule must hold even so.
    later = version(audit, 2, now - 800 * DAY)

    assert delete_old_report_versions(now) == 0
    assert set(audit.reports.values_list("pk", flat=True)) == {approved.pk, later.pk}


def test_a_failed_newer_version_does_not_supersede_the_ready_one(now):
    audit = AuditFactory(status=Audit.Status.REPORT_DRAFT)
    ready = version(audit, 1, now - 900 * DAY)
    version(audit, 2, now - 800 * DAY, status=ReportVersion.Status.FAILED)

    assert delete_old_report_versions(now) == 0
    assert audit.reports.filter(pk=ready.pk).exists()


def test_a_file_stays_if_the_deletion_is_rolled_back(now, django_capture_on_commit_callbacks):
    audit = AuditFactory(status=Audit.Status.REPORT_DRAFT)
    old = version(audit, 1, now - 900 * DAY)
    version(audit, 2, now - 800 * DAY)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert delete_old_report_versions(now) == 1

    # Until the transaction commits, the PDF is still on the storage.
    assert len(callbacks) == 1
    assert old.file.storage.exists(old.file.name)
