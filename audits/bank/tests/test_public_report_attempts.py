"""The report bank's PDF is tried a bounded number of times for each publishing: a report
that fails every time is no longer sent by the sweep, the staff's publication page says so
once and lets the staff (only them) try again, and the public page does not promise it."""

from __future__ import annotations

import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from audits.bank import services
from audits.bank.models import Publication
from audits.models import Audit
from audits.tests.factories import audit_in_state

from .helpers import EVERYTHING, PDF, en, with_pdf

pytestmark = pytest.mark.django_db

LAYOUT = "audits.pdf.audit_report_pdf"
ENQUEUE = "brukarkraft.queue.enqueue_by_name"
FAILED_TEXT = "The report bank's PDF of this report could not be made"


@pytest.fixture(autouse=True)
def _three_attempts(settings):
    settings.PUBLIC_REPORT_MAX_ATTEMPTS = 3


def published(commissioner, staff) -> Publication:
    audit = with_pdf(audit_in_state(Audit.Status.CLOSED, commissioner=commissioner, staff=staff))
    services.terms_save(audit=audit, by=staff, data=EVERYTHING)
    services.consent(audit=audit, by=commissioner)
    return services.publish(audit=audit, by=staff)


def fail_once(publication: Publication) -> None:
    """A delivery of the job whose layout fails, as WeasyPrint does on a report it cannot
    lay out."""
    with mock.patch(LAYOUT, side_effect=ValueError("cannot lay out")), pytest.raises(ValueError):
        services.public_report_render(publication_id=publication.pk)


def sweep_after(settings, now):
    """Run the sweep once the last job has had its time; returns (moment, sent, enqueue)."""
    moment = now + timedelta(seconds=settings.REPORT_STALE_AFTER_SECONDS + 60)
    with mock.patch(ENQUEUE) as enqueue:
        sent = services.public_reports_requeue(now=moment)
    return moment, sent, enqueue


def given_up(publication: Publication, settings) -> Publication:
    """Fail every attempt, with the sweep sending the job again in between, until it gives
    up."""
    now = timezone.now()
    for _ in range(settings.PUBLIC_REPORT_MAX_ATTEMPTS):
        fail_once(publication)
        now, _sent, _enqueue = sweep_after(settings, now)
    publication.refresh_from_db()
    assert publication.public_report_failed_at is not None
    return publication


def test_after_the_last_attempt_fails_the_sweep_sends_no_more(
    commissioner, staff, settings, caplog
):
    publication = published(commissioner, staff)
    now = timezone.now()

    # Attempts 1 and 2 fail; the sweep sends the job again after each.
    for attempt in (1, 2):
        fail_once(publication)
        publication.refresh_from_db()
        assert publication.public_report_attempts == attempt
        now, sent, enqueue = sweep_after(settings, now)
        assert sent == 1
        assert [c.args for c in enqueue.call_args_list] == [
            (services.GENERATE_PUBLIC_REPORT, publication.pk)
        ]

    # The third fails too: the sweep gives up, with one error in the log.
    fail_once(publication)
    with caplog.at_level(logging.ERROR, logger="audits.bank.services"):
        now, sent, enqueue = sweep_after(settings, now)
    assert sent == 0
    enqueue.assert_not_called()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and str(publication.pk) in errors[0].getMessage()
    publication.refresh_from_db()
    assert publication.public_report_failed_at is not None

    # Later sweeps neither send it nor log it again.
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="audits.bank.services"):
        for _ in range(3):
            now, sent, enqueue = sweep_after(settings, now)
            assert sent == 0
            enqueue.assert_not_called()
    assert not [r for r in caplog.records if r.levelno == logging.ERROR]


def test_a_redelivered_job_beyond_the_attempts_lays_nothing_out(commissioner, staff, settings):
    publication = given_up(published(commissioner, staff), settings)

    with mock.patch(LAYOUT) as layout:
        services.public_report_render(publication_id=publication.pk)

    layout.assert_not_called()
    publication.refresh_from_db()
    assert publication.public_report_attempts == settings.PUBLIC_REPORT_MAX_ATTEMPTS


def test_the_staff_page_shows_the_failure_once_with_a_retry_button(
    client, commissioner, staff, settings
):
    publication = published(commissioner, staff)
    client.force_login(staff)
    page = client.get(en("bank:publication", publication.audit_id)).content.decode()
    assert FAILED_TEXT not in page

    given_up(publication, settings)
    page = client.get(en("bank:publication", publication.audit_id))

    html = page.content.decode()
    assert html.count(FAILED_TEXT) == 1
    assert page.context["may_retry_public_report"]
    assert en("bank:public_report_retry", publication.audit_id) in html


def test_the_retry_button_resets_the_count_and_makes_the_pdf(
    client, commissioner, staff, settings, django_capture_on_commit_callbacks
):
    publication = given_up(published(commissioner, staff), settings)
    client.force_login(staff)

    # Eager Celery in tests: the job sent after the commit runs at once, as a worker would.
    with (
        mock.patch(LAYOUT, return_value=(PDF, 1)),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = client.post(en("bank:public_report_retry", publication.audit_id), follow=True)

    assert len(callbacks) == 1
    assert "The report bank&#x27;s PDF is being made again." in response.content.decode()
    publication.refresh_from_db()
    assert publication.public_report_failed_at is None
    assert publication.public_report_attempts == 1  # The retry's own delivery.
    assert publication.public_report.read() == PDF


def test_the_retry_sends_the_job_again_and_the_sweep_counts_afresh(commissioner, staff, settings):
    publication = given_up(published(commissioner, staff), settings)

    with mock.patch.object(services, "enqueue_by_name") as enqueue:
        services.public_report_retry(audit=publication.audit, by=staff)
        # A double press sends nothing more.
        services.public_report_retry(audit=publication.audit, by=staff)

    enqueue.assert_called_once_with(services.GENERATE_PUBLIC_REPORT, publication.pk)
    publication.refresh_from_db()
    assert publication.public_report_attempts == 0
    assert publication.public_report_failed_at is None
    # That job lost too: the sweep sends it again, as after publishing.
    _now, sent, _enqueue = sweep_after(settings, publication.public_report_requested_at)
    assert sent == 1


def test_publishing_again_resets_the_count(commissioner, staff, settings):
    publication = given_up(published(commissioner, staff), settings)
    audit = publication.audit
    services.withdraw(audit=audit, by=staff, reason="Fel version.")
    services.consent(audit=audit, by=commissioner)
    publication = services.publish(audit=audit, by=staff)

    publication.refresh_from_db()
    assert publication.public_report_attempts == 0
    assert publication.public_report_failed_at is None
    _now, sent, enqueue = sweep_after(settings, publication.published_at)
    assert sent == 1
    assert [c.args for c in enqueue.call_args_list] == [
        (services.GENERATE_PUBLIC_REPORT, publication.pk)
    ]


def test_no_one_but_staff_can_retry(client, commissioner, staff, settings):
    publication = given_up(published(commissioner, staff), settings)
    client.force_login(commissioner)

    page = client.get(en("bank:publication", publication.audit_id))
    assert not page.context["may_retry_public_report"]
    assert en("bank:public_report_retry", publication.audit_id) not in page.content.decode()
    with mock.patch.object(services, "enqueue_by_name") as enqueue:
        response = client.post(en("bank:public_report_retry", publication.audit_id))

    assert response.status_code == 403
    enqueue.assert_not_called()
    publication.refresh_from_db()
    assert publication.public_report_failed_at is not None


def test_the_public_page_shows_no_pdf_link_once_given_up(client, commissioner, staff, settings):
    publication = given_up(published(commissioner, staff), settings)

    page = client.get(en("bank:detail", publication.audit_id)).content.decode()

    assert en("bank:report", publication.audit_id) not in page
    assert "There is no PDF of it for now." in page
    assert "will be here shortly" not in page
    assert client.get(en("bank:report", publication.audit_id)).status_code == 404
