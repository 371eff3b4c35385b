"""Background jobs are never lost: kept in the database while the broker is down, sent later.

The broker is pointed at a closed port (nothing listens on 127.0.0.1:1) to stand for Redis
being down, and at kombu's in-memory transport to stand for it being back.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta

import pytest
from celery.app.task import Task
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from kombu import Connection

from audits.models import Audit, ReportVersion
from audits.tasks import generate_report
from audits.tests.factories import audit_in_state
from brukarkraft import queue
from brukarkraft.celery import app as celery_app
from brukarkraft.models import PendingTask
from brukarkraft.tasks import notify_staff_of_feedback, send_email, send_pending_tasks
from brukarkraft.tests.factories import AccessibilityFeedbackFactory

pytestmark = pytest.mark.django_db

# Nothing listens here: connecting is refused at once, as when Redis is down.
CLOSED_REDIS = "redis://127.0.0.1:1/0"
KEPT_MESSAGE = (
    "The report queue is not reachable right now. Your request is kept and the report will "
    "be made as soon as it is back."
)


def forget_broker_connections() -> None:
    # The app keeps a connection and producer pool made from the broker settings of first use.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """Point Celery at a Redis that is down, with the production transport timeouts."""
    conf = celery_app.conf
    saved = {
        "task_always_eager": conf.task_always_eager,
        "broker_url": conf.broker_url,
        "broker_transport_options": dict(conf.broker_transport_options or {}),
    }
    conf.task_always_eager = False
    conf.broker_url = CLOSED_REDIS
    conf.broker_transport_options = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 1,
    }
    forget_broker_connections()
    queue.forget_broker_failure()
    yield
    for key, value in saved.items():
        setattr(conf, key, value)
    forget_broker_connections()
    queue.forget_broker_failure()


@pytest.fixture
def broker_back(broker_down):
    """Bring the broker back, as kombu's in-memory transport; yield a function that drains it."""
    conf = celery_app.conf
    conf.broker_url = "memory://"
    conf.broker_transport_options = {}
    forget_broker_connections()
    queue.forget_broker_failure()

    def drain() -> list[tuple[str, list]]:
        """The (task name, args) of every message on the default queue, oldest first."""
        taken = []
        with Connection("memory://") as memory:
            box = memory.SimpleQueue(conf.task_default_queue)
            while box.qsize():
                message = box.get(timeout=1)
                taken.append((message.headers["task"], list(message.payload[0])))
                message.ack()
            box.close()
        return taken

    drain()
    return drain


@pytest.fixture
def published(monkeypatch):
    """Record what would be published instead of publishing it."""
    sent: list[tuple[str, list, dict]] = []

    def record(self, args=None, kwargs=None, **options):
        sent.append((self.name, list(args or ()), dict(kwargs or {})))

    monkeypatch.setattr(Task, "apply_async", record)
    return sent


# --- enqueue ----------------------------------------------------------------------------


def test_a_job_is_published_when_the_broker_takes_it(broker_back):
    assert queue.enqueue(generate_report, 41) is None

    assert broker_back() == [("audits.tasks.generate_report", [41])]
    assert not PendingTask.objects.exists()


def test_a_job_is_kept_within_seconds_when_the_broker_is_down(broker_down, caplog):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="brukarkraft.queue"):
        kept = queue.enqueue(generate_report, 41)
    took = time.monotonic() - started

    assert took < 3
    assert kept is not None
    kept.refresh_from_db()
    assert (kept.task, kept.args, kept.kwargs) == ("audits.tasks.generate_report", [41], {})
    assert kept.sent_at is None
    assert kept.attempts == 0
    assert kept.last_error.startswith("OperationalError")
    [record] = caplog.records
    assert "audits.tasks.generate_report" in record.getMessage()
    assert f"pending job {kept.pk}" in record.getMessage()


def test_during_an_outage_later_jobs_are_kept_without_waiting_for_the_broker(broker_down):
    queue.enqueue(generate_report, 41)

    started = time.monotonic()
    kept = queue.enqueue(generate_report, 42)

    assert time.monotonic() - started < 0.5
    assert kept.args == [42]
    assert kept.last_error.startswith("Not tried")


def test_after_a_while_the_broker_is_tried_again(broker_back, monkeypatch):
    monkeypatch.setattr(queue, "_broker_down_until", time.monotonic() - 1)

    assert queue.enqueue(generate_report, 43) is None

    assert broker_back() == [("audits.tasks.generate_report", [43])]


def test_the_log_of_a_kept_job_names_no_arguments(broker_down, caplog):
    with caplog.at_level(logging.WARNING, logger="brukarkraft.queue"):
        queue.enqueue(notify_staff_of_feedback, 987654)

    assert "987654" not in caplog.text


def test_in_eager_mode_the_job_runs_at_once(settings):
    settings.PORTAL_CONTACT_EMAIL = "inkorg@example.se"
    feedback = AccessibilityFeedbackFactory()

    assert queue.enqueue(notify_staff_of_feedback, feedback.pk) is None

    assert len(mail.outbox) == 1
    assert not PendingTask.objects.exists()


def test_in_eager_mode_an_error_inside_the_task_is_not_taken_for_an_outage(monkeypatch):
    def fails(*, version_id):
        raise OSError("disk full")

    monkeypatch.setattr("audits.services.report_render", fails)

    with pytest.raises(OSError, match="disk full"):
        queue.enqueue(generate_report, 41)
    assert not PendingTask.objects.exists()


def test_a_service_keeps_its_job_when_the_broker_is_down(
    broker_down, django_capture_on_commit_callbacks
):
    from brukarkraft.services import feedback_submit

    with django_capture_on_commit_callbacks(execute=True):
        feedback = feedback_submit(kind="other", message="Fokus syns inte.", language="sv")

    kept = PendingTask.objects.get()
    assert (kept.task, kept.args) == ("brukarkraft.tasks.notify_staff_of_feedback", [feedback.pk])


# --- send_pending -----------------------------------------------------------------------


def keep(task, *args) -> PendingTask:
    return PendingTask.objects.create(task=task.name, args=list(args))


def test_kept_jobs_are_sent_oldest_first_and_marked_sent(broker_back):
    first = keep(generate_report, 1)
    second = keep(notify_staff_of_feedback, 2)

    assert queue.send_pending() == 2

    assert broker_back() == [
        ("audits.tasks.generate_report", [1]),
        ("brukarkraft.tasks.notify_staff_of_feedback", [2]),
    ]
    for row in (first, second):
        row.refresh_from_db()
        assert row.sent_at is not None
        assert row.attempts == 1
        assert row.last_error == ""


def test_a_sent_job_is_not_sent_again(broker_back):
    keep(generate_report, 1)
    queue.send_pending()
    broker_back()

    assert queue.send_pending() == 0
    assert broker_back() == []


def test_while_the_broker_is_still_down_jobs_stay_kept_and_the_run_stops(broker_down):
    first = keep(generate_report, 1)
    second = keep(generate_report, 2)

    assert queue.send_pending() == 0

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.sent_at is None
    assert first.attempts == 1
    assert first.last_error.startswith("OperationalError")
    # One failed publish is enough to know: the next row is not tried in this run.
    assert second.attempts == 0


def test_a_job_naming_an_unknown_task_is_kept_and_the_others_are_sent(published):
    unknown = PendingTask.objects.create(task="audits.tasks.renamed_long_ago", args=[1])
    keep(generate_report, 2)

    assert queue.send_pending() == 1

    assert published == [("audits.tasks.generate_report", [2], {})]
    unknown.refresh_from_db()
    assert unknown.sent_at is None
    assert unknown.last_error.startswith("NotRegistered")


def test_only_the_chosen_jobs_are_sent_when_asked(published):
    keep(generate_report, 1)
    chosen = keep(generate_report, 2)

    assert queue.send_pending(only=[chosen.pk]) == 1

    assert published == [("audits.tasks.generate_report", [2], {})]


def test_the_beat_task_sends_the_kept_jobs(published):
    keep(generate_report, 7)

    assert send_pending_tasks.apply().get() == 1
    assert published == [("audits.tasks.generate_report", [7], {})]


@pytest.mark.django_db(transaction=True)
def test_a_job_another_sender_holds_is_skipped(published):
    """Two beats (or a beat and staff's "send now") never send one row twice."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks; its writers take turns anyway")
    import threading

    from django.db import transaction

    held = keep(generate_report, 1)
    free = keep(generate_report, 2)
    locked, release = threading.Event(), threading.Event()

    def other_sender():
        with transaction.atomic():
            PendingTask.objects.select_for_update().get(pk=held.pk)
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_sender)
    thread.start()
    try:
        assert locked.wait(10)
        assert queue.send_pending() == 1
    finally:
        release.set()
        thread.join()

    assert published == [("audits.tasks.generate_report", [2], {})]
    held.refresh_from_db()
    free.refresh_from_db()
    assert held.sent_at is None
    assert free.sent_at is not None


# --- The report page while the job is kept ----------------------------------------------


@pytest.fixture
def audit(commissioner, staff):
    return audit_in_state(Audit.Status.REPORT_DRAFT, commissioner=commissioner, staff=staff)


def report_page(client, audit) -> str:
    return client.get(reverse("audits:report", args=[audit.pk])).content.decode()


def test_the_report_page_says_a_kept_request_will_be_made_when_the_queue_is_back(
    client, audit, staff
):
    version = ReportVersion.objects.create(audit=audit, number=1, language="sv")
    keep(generate_report, version.pk)
    client.force_login(staff)

    with translation.override("en"):
        page = client.get(reverse("audits:report", args=[audit.pk])).content.decode()

    assert KEPT_MESSAGE in page


def test_the_report_page_says_nothing_of_the_queue_when_the_job_was_sent(client, audit, staff):
    version = ReportVersion.objects.create(audit=audit, number=1, language="sv")
    ReportVersion.objects.create(audit=audit, number=2, language="sv")
    keep(generate_report, version.pk)  # kept for another version than the newest
    client.force_login(staff)

    with translation.override("en"):
        page = client.get(reverse("audits:report", args=[audit.pk])).content.decode()

    assert KEPT_MESSAGE not in page


def test_the_kept_message_costs_the_report_page_one_query_at_most(client, audit, staff):
    client.force_login(staff)
    version = ReportVersion.objects.create(
        audit=audit, number=1, language="sv", status=ReportVersion.Status.READY
    )
    report_page(client, audit)  # warm caches shared by every page
    with CaptureQueriesContext(connection) as ready:
        report_page(client, audit)
    ReportVersion.objects.filter(pk=version.pk).update(status=ReportVersion.Status.QUEUED)
    keep(generate_report, version.pk)

    with CaptureQueriesContext(connection) as queued:
        report_page(client, audit)

    assert len(queued) <= len(ready) + 1


# --- Tasks are safe to run twice ---------------------------------------------------------


def test_an_email_task_delivered_twice_sends_once():
    message = {"subject": "Återställ lösenord", "body": "Länk", "to": ["anna@example.se"]}
    # Fresh ids: with REDIS_URL set, the cache (and its claims) outlives the test.
    delivery, another = str(uuid.uuid4()), str(uuid.uuid4())

    send_email.apply(kwargs=message, task_id=delivery)
    send_email.apply(kwargs=message, task_id=delivery)
    send_email.apply(kwargs=message, task_id=another)

    assert len(mail.outbox) == 2


def test_a_claim_store_that_is_down_sends_rather_than_loses_the_mail(monkeypatch):
    # django-redis with IGNORE_EXCEPTIONS answers None when Redis is unreachable.
    monkeypatch.setattr(
        "django.core.cache.backends.locmem.LocMemCache.add", lambda *args, **kwargs: None
    )

    send_email.apply(kwargs={"subject": "S", "body": "B", "to": ["a@example.se"]})

    assert len(mail.outbox) == 1


def test_a_redelivered_daily_reminder_mails_the_centre_once():
    from councils.tasks import remind_council_admins
    from councils.tests.factories import CouncilFactory, MemberFactory

    MemberFactory(council=CouncilFactory(), term_end=timezone.localdate() + timedelta(days=40))
    delivery = str(uuid.uuid4())

    remind_council_admins.apply(task_id=delivery)
    remind_council_admins.apply(task_id=delivery)

    assert len(mail.outbox) == 1


# Two deliveries of one job may run at once (a redelivery while the first still runs). The
# file is stored under a row lock, after checking that the other delivery has not stored
# one meanwhile: here the other delivery "finishes" while this one renders.


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_minutes_rendered_twice_at_once_keep_the_first_file(media, monkeypatch):
    from django.core.files.base import ContentFile

    from councils import services
    from councils.models import Meeting
    from councils.tests.factories import MeetingFactory

    meeting = MeetingFactory(minutes_pdf_status=Meeting.PdfStatus.QUEUED)

    def the_other_delivery_finishes(meeting_now):
        other = Meeting.objects.get(pk=meeting.pk)
        other.minutes_pdf.save("first.pdf", ContentFile(b"%PDF-first"), save=False)
        other.minutes_pdf_status = Meeting.PdfStatus.READY
        other.save()
        return b"%PDF-second"

    monkeypatch.setattr("councils.pdf.minutes_pdf", the_other_delivery_finishes)

    services.minutes_pdf_render(meeting_id=meeting.pk)

    meeting.refresh_from_db()
    assert meeting.minutes_pdf.read() == b"%PDF-first"
    assert len(list((media / "councils").rglob("*.pdf"))) == 1


def test_a_ready_annual_report_is_not_made_again_by_a_redelivered_task(media, monkeypatch):
    from councils.models import AnnualReport, Meeting
    from councils.tasks import make_annual_report
    from councils.tests.factories import CouncilFactory

    report = AnnualReport.objects.create(
        council=CouncilFactory(), year=2024, status=Meeting.PdfStatus.READY, file="a.pdf"
    )

    def must_not_render(*args):
        raise AssertionError("rendered again")

    monkeypatch.setattr("councils.pdf.annual_report_pdf", must_not_render)

    make_annual_report.delay(report.pk)

    report.refresh_from_db()
    assert report.file.name == "a.pdf"


def test_code_slips_made_twice_at_once_keep_the_first_file(media, monkeypatch):
    from django.core.files.base import ContentFile

    from surveys import services
    from surveys.models import CodeBatch
    from surveys.tests.factories import make_published_survey

    survey = make_published_survey()
    batch = services.code_batch_create(survey=survey, size=1, answer_url="http://x/")

    def the_other_delivery_finishes(*args):
        other = CodeBatch.objects.get(pk=batch.pk)
        other.slips.save("first.pdf", ContentFile(b"%PDF-first"), save=False)
        other.slips_status = CodeBatch.SlipsStatus.READY
        other.save()
        return b"%PDF-second"

    monkeypatch.setattr("surveys.pdf.code_slips_pdf", the_other_delivery_finishes)

    services.code_slips_write(batch_id=batch.pk)

    batch.refresh_from_db()
    assert batch.slips_status == CodeBatch.SlipsStatus.READY
    assert batch.slips.read() == b"%PDF-first"


def test_an_export_written_twice_at_once_keeps_the_first_file(media, monkeypatch):
    import tempfile

    from django.core.files.base import ContentFile

    from surveys import services
    from surveys.models import ExportJob
    from surveys.tests.factories import make_published_survey

    survey = make_published_survey()
    job = ExportJob.objects.create(survey=survey, format=ExportJob.Format.CSV)

    def the_other_delivery_finishes(*args, **kwargs):
        other = ExportJob.objects.get(pk=job.pk)
        other.file.save("first.csv", ContentFile(b"first"), save=False)
        other.status = ExportJob.Status.READY
        other.save()
        handle = tempfile.TemporaryFile()
        handle.write(b"second")
        handle.seek(0)
        return handle

    monkeypatch.setattr("surveys.exports.write", the_other_delivery_finishes)

    services.export_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY
    assert job.file.read() == b"first"


# --- Staff see what is kept in the admin ---------------------------------------------------


def test_the_admin_lists_kept_jobs_and_sends_them_on_request(client, admin_user, published):
    kept = keep(generate_report, 5)
    client.force_login(admin_user)
    changelist = reverse("admin:brukarkraft_pendingtask_changelist")

    page = client.get(changelist)
    response = client.post(
        changelist, {"action": "send_now", "_selected_action": [kept.pk]}, follow=True
    )

    assert page.status_code == 200
    assert "audits.tasks.generate_report" in page.content.decode()
    assert response.status_code == 200
    assert published == [("audits.tasks.generate_report", [5], {})]
    kept.refresh_from_db()
    assert kept.sent_at is not None


def test_a_kept_job_cannot_be_added_edited_or_deleted_in_the_admin(client, admin_user):
    kept = keep(generate_report, 5)
    client.force_login(admin_user)

    assert client.get(reverse("admin:brukarkraft_pendingtask_add")).status_code == 403
    assert (
        client.get(reverse("admin:brukarkraft_pendingtask_delete", args=[kept.pk])).status_code
        == 403
    )
    change = client.post(
        reverse("admin:brukarkraft_pendingtask_change", args=[kept.pk]), {"task": "x"}
    )
    assert change.status_code == 403
    kept.refresh_from_db()
    assert kept.task == "audits.tasks.generate_report"


def test_people_without_admin_access_do_not_see_kept_jobs(client, staff):
    # Staff run councils and courses in the admin, but the kept jobs are the admins' alone.
    client.force_login(staff)

    response = client.get(reverse("admin:brukarkraft_pendingtask_changelist"))

    assert response.status_code == 403


# --- enqueue_by_name ----------------------------------------------------------------------


def test_by_name_a_job_is_published_after_the_commit(
    broker_back, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue.enqueue_by_name("audits.tasks.generate_report", 41)
        assert broker_back() == []  # Not before the commit.

    for callback in callbacks:
        callback()
    assert broker_back() == [("audits.tasks.generate_report", [41])]


def test_by_name_without_on_commit_a_job_is_published_at_once(broker_back):
    queue.enqueue_by_name("audits.tasks.generate_report", 41, on_commit=False)

    assert broker_back() == [("audits.tasks.generate_report", [41])]


def test_by_name_a_job_is_kept_when_the_broker_is_down(broker_down):
    queue.enqueue_by_name("audits.tasks.generate_report", 41, on_commit=False)

    kept = PendingTask.objects.get()
    assert (kept.task, kept.args) == ("audits.tasks.generate_report", [41])


def test_by_name_an_unknown_task_is_refused_in_the_caller():
    from celery.exceptions import NotRegistered

    with pytest.raises(NotRegistered):
        queue.enqueue_by_name("audits.tasks.no_such_task", 41)
