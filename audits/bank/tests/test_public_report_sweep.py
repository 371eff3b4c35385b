"""Beat's sweep for the report bank's PDF: a published report whose job failed for good, or
whose worker was lost, gets its public PDF on a later run; a withdrawn one does not; and
the sweep sends each job once however often it runs."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from audits.bank import services
from audits.bank.models import Publication
from audits.bank.tasks import requeue_missing_public_reports
from audits.models import Audit
from audits.tests.factories import audit_in_state

from .helpers import EVERYTHING, PDF, published_audit, with_pdf

pytestmark = pytest.mark.django_db

LAYOUT = "audits.pdf.audit_report_pdf"
ENQUEUE = "brukarkraft.queue.enqueue_by_name"


def later(settings, now=None):
    """A moment after a job sent at `now` has had its time."""
    return (now or timezone.now()) + timedelta(seconds=settings.REPORT_STALE_AFTER_SECONDS + 60)


def published_without_pdf(commissioner, staff) -> Publication:
    """Published, its job sent after a commit that a test's transaction never reaches: as
    far as the portal can tell, a job that was lost."""
    audit = with_pdf(audit_in_state(Audit.Status.CLOSED, commissioner=commissioner, staff=staff))
    services.terms_save(audit=audit, by=staff, data=EVERYTHING)
    services.consent(audit=audit, by=commissioner)
    return services.publish(audit=audit, by=staff)


def test_a_publication_whose_job_failed_gets_its_pdf_on_the_next_sweep(
    commissioner, staff, settings
):
    publication = published_without_pdf(commissioner, staff)
    # The worker tried and failed, for good (its retries used up).
    with mock.patch(LAYOUT, side_effect=OSError("disk full")), pytest.raises(OSError):
        services.public_report_render(publication_id=publication.pk)
    publication.refresh_from_db()
    assert not publication.public_report

    # While the job may still be under way the sweep leaves it alone.
    with mock.patch(ENQUEUE) as enqueue:
        assert services.public_reports_requeue() == 0
    enqueue.assert_not_called()

    # Eager Celery in tests: the job the sweep sends runs at once, as a worker would.
    with mock.patch(LAYOUT, return_value=(PDF, 1)):
        assert services.public_reports_requeue(now=later(settings)) == 1

    publication.refresh_from_db()
    assert publication.public_report.read() == PDF
    assert publication.public_report_made_for == publication.published_at


def test_the_beat_task_sweeps_with_the_setting(commissioner, staff, settings):
    settings.REPORT_STALE_AFTER_SECONDS = 0
    publication = published_without_pdf(commissioner, staff)

    with mock.patch(LAYOUT, return_value=(PDF, 1)):
        assert requeue_missing_public_reports.apply().get() == 1

    publication.refresh_from_db()
    assert publication.public_report


def test_a_withdrawn_publication_gets_no_pdf(commissioner, staff, settings):
    publication = published_without_pdf(commissioner, staff)
    services.withdraw(audit=publication.audit, by=commissioner, reason="Fel rapport.")

    with mock.patch(ENQUEUE) as enqueue:
        assert services.public_reports_requeue(now=later(settings)) == 0

    enqueue.assert_not_called()
    publication.refresh_from_db()
    assert not publication.public_report


def test_a_publication_with_its_pdf_is_left_alone(commissioner, staff, settings):
    published_audit(commissioner=commissioner, staff=staff)

    with mock.patch(ENQUEUE) as enqueue:
        assert services.public_reports_requeue(now=later(settings)) == 0

    enqueue.assert_not_called()


def test_running_the_sweep_twice_sends_the_job_once(commissioner, staff, settings):
    publication = published_without_pdf(commissioner, staff)
    now = later(settings)

    # Two runs (two beats, or the next tick) before the worker has made the PDF.
    with mock.patch(ENQUEUE) as enqueue:
        assert services.public_reports_requeue(now=now) == 1
        assert services.public_reports_requeue(now=now + timedelta(minutes=10)) == 0

    assert [call.args for call in enqueue.call_args_list] == [
        (services.GENERATE_PUBLIC_REPORT, publication.pk)
    ]
    # That job too lost: once it has had its time, the sweep sends it again.
    with mock.patch(ENQUEUE) as enqueue:
        assert services.public_reports_requeue(now=later(settings, now)) == 1


def test_one_run_sends_a_bounded_batch_and_the_next_run_the_rest(commissioner, staff, settings):
    first = published_without_pdf(commissioner, staff)
    second = published_without_pdf(commissioner, staff)
    now = later(settings)

    with mock.patch(ENQUEUE) as enqueue:
        assert services.public_reports_requeue(now=now, limit=1) == 1
        assert services.public_reports_requeue(now=now, limit=1) == 1
        assert services.public_reports_requeue(now=now, limit=1) == 0

    assert [call.args[1] for call in enqueue.call_args_list] == [first.pk, second.pk]


def test_a_pdf_made_for_an_earlier_publishing_is_made_again(commissioner, staff, settings):
    audit = published_audit(commissioner=commissioner, staff=staff)
    publication = Publication.objects.get(audit=audit)
    old = publication.public_report.name
    storage = publication.public_report.storage
    # A PDF laid out from what was true before the audit was last published.
    Publication.objects.filter(pk=publication.pk).update(
        public_report_made_for=publication.published_at - timedelta(days=1),
        public_report_requested_at=publication.published_at - timedelta(days=1),
    )

    with mock.patch(LAYOUT, return_value=(PDF + b"\n", 1)):
        assert services.public_reports_requeue(now=later(settings)) == 1

    publication.refresh_from_db()
    assert publication.public_report.name != old
    assert publication.public_report.read() == PDF + b"\n"
    assert publication.public_report_made_for == publication.published_at
    assert storage.exists(publication.public_report.name)


def test_a_pdf_laid_out_while_the_report_was_published_again_is_not_kept(commissioner, staff):
    publication = published_without_pdf(commissioner, staff)

    def published_again(*args, **kwargs):
        # Withdrawn and published again while this delivery lays the PDF out.
        Publication.objects.filter(pk=publication.pk).update(
            published_at=publication.published_at + timedelta(seconds=1)
        )
        return PDF, 1

    with mock.patch(LAYOUT, side_effect=published_again):
        services.public_report_render(publication_id=publication.pk)

    publication.refresh_from_db()
    assert not publication.public_report
