"""An outage of the file store loses nothing.

An upload that cannot be stored is refused with a translated 503 page before anything is
saved; a download gives the same page; a background job whose file cannot be stored is
retried (Celery's autoretry on RETRY_ON_STORAGE_OUTAGE) and its file is stored once the store
is back. The outage is real where it can be: the storage points at a port where no server
listens, so botocore's own connection error travels the whole way.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from brukarkraft.storage import ObjectStorage, StorageUnavailable
from brukarkraft.tests.objectstore import free_port, storage_settings
from brukarkraft.tests.test_production import PDF, png_bytes

pytestmark = pytest.mark.django_db

HEADINGS = {
    "sv": "Filer kan inte sparas eller öppnas just nu",
    "nb": "Filer kan ikke lagres eller åpnes akkurat nå",
    "en": "Files cannot be saved or opened just now",
}


@pytest.fixture
def storage_down(settings, tmp_path):
    """The default storage is an S3 store at an address where nothing answers."""
    settings.MEDIA_ROOT = tmp_path / "media"
    go_down(settings, "brukarkraft-down")
    default_storage._setup()
    yield
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*"))


def go_down(settings, bucket: str) -> None:
    """From now on the bucket's store does not answer (nothing listens at its address)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_settings(f"http://127.0.0.1:{free_port()}", bucket, attempts=1),
    }


def assert_outage_page(response, language: str = "sv") -> None:
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert HEADINGS[language] in response.content.decode()


# --- Uploads: refused, nothing saved -----------------------------------------------------


@pytest.mark.parametrize("language", ["sv", "nb", "en"])
def test_an_agreement_that_cannot_be_stored_is_refused_and_nothing_is_saved(
    client, settings, s3_bucket, commissioner, staff, language
):
    from audits.models import Audit, AuditEvent, Quote
    from audits.tests.factories import audit_in_state

    audit = audit_in_state(Audit.Status.PLANNING, commissioner=commissioner, staff=staff)
    Quote.objects.filter(audit=audit).update(signed_agreement="")
    go_down(settings, s3_bucket.name)
    events = AuditEvent.objects.filter(audit=audit).count()
    client.force_login(commissioner)

    with translation.override(language):
        url = reverse("audits:agreement_upload", args=[audit.pk])
    response = client.post(
        url, {"signed_agreement": SimpleUploadedFile("avtal.pdf", PDF, "application/pdf")}
    )

    assert_outage_page(response, language)
    assert Quote.objects.get(audit=audit).signed_agreement.name == ""
    assert AuditEvent.objects.filter(audit=audit).count() == events


def test_a_library_attachment_that_cannot_be_stored_is_refused(client, storage_down, staff):
    from resources.models import Attachment
    from resources.tests.factories import ResourceFactory

    resource = ResourceFactory(author=staff)
    client.force_login(staff)

    response = client.post(
        reverse("resources:attachment_add", args=[resource.pk]),
        {
            "attachment-title": "Checklista",
            "attachment-file": SimpleUploadedFile("lista.pdf", PDF, "application/pdf"),
        },
    )

    assert_outage_page(response)
    assert not Attachment.objects.filter(resource=resource).exists()


def test_a_survey_picture_that_cannot_be_stored_is_refused(client, storage_down, staff):
    from surveys.models import Kind, Question
    from surveys.tests.factories import make_survey
    from surveys.tests.test_views import question_data

    draft = make_survey()
    questions = Question.objects.count()
    data = question_data(
        draft.questions.get(), kind=Kind.TEXT, section=draft.sections.get().pk, text_sv="Med bild"
    )
    client.force_login(staff)

    response = client.post(
        reverse("surveys:question_create", args=[draft.pk]),
        {**data, "image": SimpleUploadedFile("bild.png", png_bytes(), "image/png")},
    )

    assert_outage_page(response)
    assert Question.objects.count() == questions


def test_a_download_during_the_outage_gives_the_page_not_an_error(
    client, settings, tmp_path, s3_bucket, commissioner, staff
):
    from audits.models import Audit, Quote
    from audits.tests.factories import audit_in_state

    audit = audit_in_state(Audit.Status.PLANNING, commissioner=commissioner, staff=staff)
    quote = Quote.objects.get(audit=audit)
    quote.signed_agreement.save("avtal.pdf", SimpleUploadedFile("avtal.pdf", PDF), save=True)
    client.force_login(staff)
    # The store goes away after the file was stored.
    go_down(settings, s3_bucket.name)

    response = client.get(reverse("audits:agreement_download", args=[audit.pk]))

    assert_outage_page(response)


# --- Background jobs: retried, stored once when the store is back --------------------------


@pytest.fixture
def run_with_retries():
    """Run a task as a worker would, its retries included (eagerly: the back-off's countdown
    is skipped). Propagating errors, an eager task would raise Celery's Retry instead."""
    from celery import current_app

    propagates = current_app.conf.task_eager_propagates
    current_app.conf.task_eager_propagates = False

    def run(task_name: str, *args):
        return current_app.tasks[task_name].apply(args=args)

    yield run
    current_app.conf.task_eager_propagates = propagates


@pytest.fixture
def flaky_store(s3_bucket, monkeypatch):
    """The bucket, refusing the next `failures` writes as an outage would."""
    state = {"failures": 0, "refused": 0}
    save = ObjectStorage._save

    def failing_save(self, name, content):
        if state["failures"] > 0:
            state["failures"] -= 1
            state["refused"] += 1
            raise StorageUnavailable("EndpointConnectionError: the store is down")
        return save(self, name, content)

    monkeypatch.setattr(ObjectStorage, "_save", failing_save)
    state["bucket"] = s3_bucket
    return state


def _report(commissioner, staff, capture):
    from audits import services
    from audits.models import Audit
    from audits.tests.factories import audit_in_state

    audit = audit_in_state(Audit.Status.REPORT_DRAFT, commissioner=commissioner, staff=staff)
    with capture(execute=False):
        version = services.report_request(audit=audit, by=audit.members.get(role="lead").user)
    return "audits.tasks.generate_report", version, lambda v: v.file


def _guide(commissioner, staff, capture):
    from audits.fieldwork import services
    from audits.fieldwork.models import GuideKind
    from audits.models import Audit
    from audits.tests.factories import audit_in_state

    audit = audit_in_state(Audit.Status.COLLECTING, commissioner=commissioner, staff=staff)
    lead = audit.members.get(role="lead").user
    guide = services.guide_start(audit=audit, kind=GuideKind.INTERVIEW, by=lead)
    with capture(execute=False):
        pdf = services.guide_pdf_request(guide=guide, by=lead)
    return "audits.fieldwork.tasks.generate_guide_pdf", pdf, lambda p: p.file


def _minutes(commissioner, staff, capture):
    from councils import services
    from councils.models import Meeting
    from councils.tests.factories import CouncilFactory, MeetingFactory

    meeting = MeetingFactory(
        council=CouncilFactory(slug="orebro"),
        starts_at=timezone.now() - timedelta(days=3),
        minutes="Protokoll fört vid mötet.",
        minutes_status=Meeting.MinutesStatus.DRAFT,
    )
    with capture(execute=False):
        services.minutes_approve(meeting=meeting, by=staff)
    return "councils.tasks.make_minutes_pdf", meeting, lambda m: m.minutes_pdf


def _annual(commissioner, staff, capture):
    from councils import services
    from councils.tests.factories import CouncilFactory

    with capture(execute=False):
        report = services.annual_report_request(
            council=CouncilFactory(slug="orebro"), year=timezone.localdate().year
        )
    return "councils.tasks.make_annual_report", report, lambda r: r.file


def _printable(commissioner, staff, capture):
    from brukarkraft.tests.factories import UserFactory
    from resources import services
    from resources.models import ResourceVersion
    from resources.tests.factories import ResourceFactory

    resource = ResourceFactory(author=staff)
    services.resource_submit(resource=resource, by=staff)
    with capture(execute=False):
        services.resource_review(
            resource=resource, by=UserFactory(is_staff=True, is_superuser=True), decision="approved"
        )
    return (
        "resources.tasks.print_version",
        ResourceVersion.objects.get(resource=resource),
        (lambda v: v.pdf),
    )


def _export(commissioner, staff, capture):
    from surveys.services import export_request
    from surveys.tests.factories import answer_many, make_published_survey

    survey = make_published_survey()
    choice = survey.questions.get()
    answer_many(survey, 2, {choice: choice.options.first()})
    with capture(execute=False):
        job = export_request(survey=survey, format="csv", by=staff)
    return "surveys.tasks.write_export", job, lambda j: j.file


def _slips(commissioner, staff, capture):
    from surveys.services import code_batch_create
    from surveys.tests.factories import make_published_survey

    with capture(execute=False):
        batch = code_batch_create(survey=make_published_survey(), size=3)
    return "surveys.tasks.write_code_slips", batch, lambda b: b.slips


JOBS = [_report, _guide, _minutes, _annual, _printable, _export, _slips]


@pytest.mark.parametrize("make", JOBS, ids=[job.__name__.strip("_") for job in JOBS])
def test_a_file_job_is_retried_through_the_outage_and_its_file_stored_once(
    make, flaky_store, run_with_retries, commissioner, staff, django_capture_on_commit_callbacks
):
    task_name, thing, file_of = make(commissioner, staff, django_capture_on_commit_callbacks)
    before = flaky_store["bucket"].keys()
    flaky_store["failures"] = 2

    result = run_with_retries(task_name, thing.pk)

    assert result.successful(), result.traceback
    thing.refresh_from_db()
    assert flaky_store["refused"] == 2
    stored = file_of(thing)
    assert stored.name
    # One file, however many tries it took.
    assert flaky_store["bucket"].keys() - before == {f"media/{stored.name}"}


def test_a_report_whose_pdf_cannot_be_stored_stays_queued_for_the_sweep(
    flaky_store, run_with_retries, commissioner, staff, django_capture_on_commit_callbacks
):
    from celery import current_app

    from audits.models import ReportVersion
    from audits.services import reports_requeue_stale

    _name, version, _file = _report(commissioner, staff, django_capture_on_commit_callbacks)
    task = current_app.tasks["audits.tasks.generate_report"]
    flaky_store["failures"] = task.max_retries + 1

    result = run_with_retries(task.name, version.pk)

    assert isinstance(result.result, StorageUnavailable)

    version.refresh_from_db()
    # Not failed, no delivery counted: the outage is not the report's fault.
    assert version.status == ReportVersion.Status.QUEUED
    assert version.attempts == 0
    assert flaky_store["refused"] == task.max_retries + 1
    # Once the store is back, the sweep for lost jobs sends it again and it is made.
    ReportVersion.objects.filter(pk=version.pk).update(
        requested_at=timezone.now() - timedelta(hours=1)
    )
    assert reports_requeue_stale() == 1
    version.refresh_from_db()
    assert version.status == ReportVersion.Status.READY
    assert f"media/{version.file.name}" in flaky_store["bucket"].keys()
