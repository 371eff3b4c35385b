"""Every kind of file in an S3-compatible object store (moto's server, over HTTP).

Each file is written to the bucket by the flow that makes it (an upload view, a worker's task)
and served back through its view, which still checks who may have it; nothing is written to
MEDIA_ROOT, so a second machine with no shared disk serves the same file. The bucket stays
private: its objects are read only through the portal.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from brukarkraft import storage
from brukarkraft.tests.test_production import PDF, png_bytes, streamed

pytestmark = pytest.mark.django_db


def in_bucket(bucket, field_file) -> bytes:
    """The object behind a FileField, read from the bucket directly (not through Django)."""
    return bucket.objects()[f"media/{field_file.name}"]


def test_the_default_storage_is_the_private_bucket(s3_bucket):
    name = storage.store("probe/hello.txt", b"hello")

    assert not storage.is_local()
    assert s3_bucket.keys() == {"media/probe/hello.txt"}
    assert storage.read(name) == b"hello"
    assert not s3_bucket.is_public()
    assert s3_bucket.local_files() == []


def test_an_agreement_is_uploaded_to_the_bucket_and_served_to_those_who_may_see_it(
    client, s3_bucket, commissioner, other_commissioner, staff
):
    from audits.models import Audit, Quote
    from audits.tests.factories import audit_in_state

    audit = audit_in_state(Audit.Status.PLANNING, commissioner=commissioner, staff=staff)
    client.force_login(commissioner)

    response = client.post(
        reverse("audits:agreement_upload", args=[audit.pk]),
        {"signed_agreement": SimpleUploadedFile("avtal.pdf", PDF, "application/pdf")},
    )

    assert response.status_code == 302
    stored = Quote.objects.get(audit=audit).signed_agreement
    assert in_bucket(s3_bucket, stored) == PDF
    client.force_login(staff)
    download = client.get(reverse("audits:agreement_download", args=[audit.pk]))
    assert download.status_code == 200
    assert streamed(download) == PDF
    client.force_login(other_commissioner)
    assert client.get(reverse("audits:agreement_download", args=[audit.pk])).status_code == 404
    assert s3_bucket.local_files() == []


def test_a_report_pdf_is_made_into_the_bucket_and_served_internally_and_publicly(
    client, s3_bucket, commissioner, other_commissioner, staff, django_capture_on_commit_callbacks
):
    from audits.bank.tests.helpers import published_audit
    from audits.models import Audit
    from audits.tests.factories import audit_in_state

    audit = audit_in_state(Audit.Status.REPORT_DRAFT, commissioner=commissioner, staff=staff)
    client.force_login(audit.members.get(role="lead").user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("audits:report_request", args=[audit.pk]))
    version = audit.reports.get()

    assert version.status == version.Status.READY
    made = in_bucket(s3_bucket, version.file)
    assert made.startswith(b"%PDF")
    download = client.get(reverse("audits:report_download", args=[audit.pk, version.pk]))
    assert streamed(download) == made
    client.force_login(other_commissioner)
    denied = client.get(reverse("audits:report_download", args=[audit.pk, version.pk]))
    assert denied.status_code in (403, 404)

    # The public report bank streams the approved version from the bucket too.
    published = published_audit(commissioner=commissioner, staff=staff)
    client.logout()
    public = client.get(reverse("bank:report", args=[published.pk]))
    assert public.status_code == 200
    assert streamed(public) == in_bucket(s3_bucket, published.reports.get(approved=True).file)
    assert s3_bucket.local_files() == []


def test_a_guide_pdf_is_made_into_the_bucket_and_kept_from_the_commissioner(
    client, s3_bucket, commissioner, staff, django_capture_on_commit_callbacks
):
    from audits.fieldwork import services
    from audits.fieldwork.models import GuideKind, GuidePdf
    from audits.fieldwork.tests.factories import BankQuestionFactory
    from audits.models import Audit
    from audits.tests.factories import audit_in_state

    audit = audit_in_state(Audit.Status.COLLECTING, commissioner=commissioner, staff=staff)
    lead = audit.members.get(role="lead").user
    guide = services.guide_start(audit=audit, kind=GuideKind.INTERVIEW, by=lead)
    services.questions_add_from_bank(
        guide=guide,
        by=lead,
        section=guide.sections.get(),
        bank_questions=[BankQuestionFactory(text_sv="Hur blir du bemött när du kommer hit?")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.guide_pdf_request(guide=guide, by=lead)
    pdf = GuidePdf.objects.get(guide=guide)
    url = reverse(
        "audits:fieldwork:pdf_download",
        kwargs={"pk": audit.pk, "kind": guide.kind, "pdf_id": pdf.pk},
    )

    assert pdf.status == GuidePdf.Status.READY
    client.force_login(lead)
    assert streamed(client.get(url)) == in_bucket(s3_bucket, pdf.file)
    services.guide_share(guide=guide, by=lead)
    client.force_login(commissioner)
    assert client.get(url).status_code == 403
    assert s3_bucket.local_files() == []


def test_minutes_documents_and_the_annual_report_come_from_the_bucket(
    client, s3_bucket, staff, outsider, django_capture_on_commit_callbacks
):
    from brukarkraft.tests.factories import UserFactory
    from councils import services
    from councils.models import Document, Meeting
    from councils.tests.factories import CouncilFactory, MeetingFactory, MemberFactory

    council = CouncilFactory(name="Brukarrådet i Örebro", slug="orebro")
    member = MemberFactory(council=council, user=UserFactory(full_name="Maja Ordförande"))
    document = Document.objects.create(
        council=council, title="Handlingar", file=ContentFile(PDF, name="handlingar.pdf")
    )
    meeting = MeetingFactory(
        council=council,
        starts_at=timezone.now() - timedelta(days=3),
        minutes="Protokoll fört vid mötet.",
        minutes_status=Meeting.MinutesStatus.DRAFT,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_approve(meeting=meeting, by=staff)
        report = services.annual_report_request(council=council, year=meeting.starts_at.year)
    meeting.refresh_from_db()
    report.refresh_from_db()
    client.force_login(member.user)

    paper = client.get(reverse("councils:document", args=["orebro", document.pk]))
    minutes = client.get(reverse("councils:minutes_pdf", args=["orebro", meeting.pk]))
    annual = client.get(reverse("councils:annual_report_pdf", args=["orebro", report.year]))

    assert streamed(paper) == in_bucket(s3_bucket, document.file) == PDF
    assert streamed(minutes) == in_bucket(s3_bucket, meeting.minutes_pdf)
    assert streamed(annual) == in_bucket(s3_bucket, report.file)
    # The council's papers are for its members only.
    client.force_login(outsider)
    assert client.get(reverse("councils:document", args=["orebro", document.pk])).status_code in (
        403,
        404,
    )
    assert s3_bucket.local_files() == []


def test_library_files_and_their_printable_versions_come_from_the_bucket(
    client, s3_bucket, staff, admin_user, django_capture_on_commit_callbacks
):
    from resources import services
    from resources.models import ResourceVersion
    from resources.tests.factories import ResourceFactory

    resource = ResourceFactory(author=staff)
    upload = SimpleUploadedFile("checklista.pdf", PDF, content_type="application/pdf")
    attachment = services.attachment_add(resource=resource, by=staff, upload=upload, title="Lista")
    services.resource_submit(resource=resource, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_review(resource=resource, by=admin_user, decision="approved")
    version = ResourceVersion.objects.get(resource=resource)
    services.version_print(version_id=version.pk)
    version.refresh_from_db()

    download = client.get(reverse("resources:attachment", args=[resource.slug, attachment.pk]))
    printable = client.get(reverse("resources:print_pdf", args=[resource.slug, 1]))

    assert streamed(download) == in_bucket(s3_bucket, attachment.file) == PDF
    assert streamed(printable) == in_bucket(s3_bucket, version.pdf)
    assert s3_bucket.local_files() == []


def test_survey_pictures_slips_and_exports_come_from_the_bucket(
    client, s3_bucket, staff, outsider, django_capture_on_commit_callbacks
):
    from surveys.models import ExportJob, Kind
    from surveys.tests.factories import answer_many, make_published_survey, make_survey
    from surveys.tests.test_views import question_data

    client.force_login(staff)
    draft = make_survey()
    data = question_data(
        draft.questions.get(), kind=Kind.TEXT, section=draft.sections.get().pk, text_sv="Med bild"
    )
    upload = SimpleUploadedFile("bild.png", png_bytes(), content_type="image/png")
    client.post(reverse("surveys:question_create", args=[draft.pk]), {**data, "image": upload})
    question = draft.questions.get(text_sv="Med bild")
    picture = client.get(reverse("surveys:picture", args=["question", question.pk]))
    assert streamed(picture) == in_bucket(s3_bucket, question.image) == png_bytes()

    survey = make_published_survey()
    choice = survey.questions.get()
    answer_many(survey, 2, {choice: choice.options.first()})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("surveys:distribution", args=[survey.pk]), {"batch-size": 3, "batch-unit": ""}
        )
        client.post(reverse("surveys:exports", args=[survey.pk]), {"format": "csv"})
    batch = survey.code_batches.get()
    job = ExportJob.objects.get(survey=survey)
    slips_url = reverse("surveys:code_slips", args=[survey.pk, batch.pk])
    export_url = reverse("surveys:export_download", args=[survey.pk, job.pk])

    assert streamed(client.get(slips_url)) == in_bucket(s3_bucket, batch.slips)
    assert streamed(client.get(export_url)) == in_bucket(s3_bucket, job.file)
    client.force_login(outsider)
    assert client.get(slips_url).status_code in (403, 404)
    assert client.get(export_url).status_code in (403, 404)
    assert s3_bucket.local_files() == []


def test_a_personal_data_export_is_made_on_request_and_kept_nowhere(
    client, s3_bucket, staff, commissioner
):
    from brukarkraft.privacy import Person

    client.force_login(staff)
    token = Person.for_user(commissioner).token
    response = client.get(reverse("person_export", args=[token]))

    assert response.status_code == 200
    assert commissioner.email in response.content.decode()
    # Made from the database for this response only: no copy in the store or on the disk.
    assert s3_bucket.keys() == set()
    assert s3_bucket.local_files() == []
