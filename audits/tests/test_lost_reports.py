"""Report versions whose job was lost are sent again; a report that kills its worker stops."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from audits import services
from audits.models import Audit, ReportVersion
from audits.tests.factories import audit_in_state
from brukarkraft.models import PendingTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit():
    return audit_in_state(Audit.Status.REPORT_DRAFT)


def version(audit, number, status, *, minutes_ago, attempts=0):
    return ReportVersion.objects.create(
        audit=audit,
        number=number,
        language="sv",
        status=status,
        attempts=attempts,
        requested_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_the_sweep_sends_only_versions_whose_job_is_lost(audit):
    lost_queued = version(audit, 11, ReportVersion.Status.QUEUED, minutes_ago=30)
    lost_running = version(audit, 12, ReportVersion.Status.RUNNING, minutes_ago=30, attempts=1)
    recent = version(audit, 13, ReportVersion.Status.QUEUED, minutes_ago=2)
    kept = version(audit, 14, ReportVersion.Status.QUEUED, minutes_ago=30)
    PendingTask.objects.create(task="audits.tasks.generate_report", args=[kept.pk])
    version(audit, 15, ReportVersion.Status.FAILED, minutes_ago=30)
    version(audit, 16, ReportVersion.Status.READY, minutes_ago=30)

    with mock.patch("brukarkraft.queue.enqueue_by_name") as enqueue:
        sent = services.reports_requeue_stale()

    assert sent == 2
    assert sorted(call.args[1] for call in enqueue.call_args_list) == sorted(
        [lost_queued.pk, lost_running.pk]
    )
    assert recent.pk not in [call.args[1] for call in enqueue.call_args_list]


def test_how_long_a_version_waits_before_it_counts_as_lost_is_a_setting(audit, settings):
    # The multinode test shortens it to seconds (REPORT_STALE_AFTER_SECONDS).
    settings.REPORT_STALE_AFTER_SECONDS = 60
    lost = version(audit, 11, ReportVersion.Status.RUNNING, minutes_ago=2, attempts=1)
    version(audit, 12, ReportVersion.Status.QUEUED, minutes_ago=0)

    with mock.patch("brukarkraft.queue.enqueue_by_name") as enqueue:
        sent = services.reports_requeue_stale()

    assert sent == 1
    assert [call.args[1] for call in enqueue.call_args_list] == [lost.pk]


def test_a_swept_version_is_made_by_the_worker(audit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lost = version(audit, 11, ReportVersion.Status.QUEUED, minutes_ago=30)

    # Eager Celery in tests: the re-sent job runs at once, as a worker would.
    assert services.reports_requeue_stale() == 1

    lost.refresh_from_db()
    assert lost.status == ReportVersion.Status.READY
    assert lost.file.read(5) == b"%PDF-"


def test_a_report_that_kills_its_worker_every_time_is_stopped_and_can_be_tried_again(audit, staff):
    doomed = version(
        audit,
        11,
        ReportVersion.Status.RUNNING,
        minutes_ago=30,
        attempts=services.MAX_REPORT_DELIVERIES,
    )

    with mock.patch("audits.pdf.audit_report_pdf") as render:
        assert services.report_render(version_id=doomed.pk) is None

    render.assert_not_called()
    doomed.refresh_from_db()
    assert doomed.status == ReportVersion.Status.FAILED
    assert doomed.error == "WorkerLost"

    # "Try again" queues it for one more delivery, which makes it when the worker survives.
    with mock.patch("audits.services.report.enqueue_by_name"):
        services.report_retry(version=doomed, by=staff)
    doomed.refresh_from_db()
    assert doomed.status == ReportVersion.Status.QUEUED
    services.report_render(version_id=doomed.pk)
    doomed.refresh_from_db()
    assert doomed.status == ReportVersion.Status.READY


def test_a_delivery_below_the_cap_makes_the_report(audit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    interrupted = version(audit, 11, ReportVersion.Status.RUNNING, minutes_ago=30, attempts=1)

    services.report_render(version_id=interrupted.pk)

    interrupted.refresh_from_db()
    assert interrupted.status == ReportVersion.Status.READY
    assert interrupted.attempts == 2
