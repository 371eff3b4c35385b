"""The library, courses and guidance in Django admin: every page opens, the workflow's
records stay read-only, and resources' metadata and course registrations go out and come
in through django-import-export (through the services, so the rules hold)."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.forms import SelectableFieldsExportForm

from brukarkraft.roles import Role, sync_role_groups
from brukarkraft.tests.factories import OrganisationFactory, UserFactory
from resources import services
from resources.admin.base import WORKFLOW_HELP
from resources.models import (
    Attachment,
    Course,
    CourseSession,
    GuidanceRequest,
    Registration,
    Resource,
    ResourceVersion,
    Review,
    SessionAttendance,
    TrainingRecord,
)
from resources.tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    GuidanceRequestFactory,
    ResourceFactory,
    published_resource,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# A filter each changelist offers, as the admin's own query parameter.
FILTERS = {
    Resource: {"status__exact": "published"},
    ResourceVersion: {"resource__language": "sv"},
    Attachment: {"kind": "pdf"},
    Review: {"decision__exact": "approved"},
    Course: {"kind__exact": "auditor_basic"},
    CourseSession: {"course__kind": "auditor_basic"},
    Registration: {"status__exact": "completed"},
    SessionAttendance: {"present__exact": "1"},
    TrainingRecord: {"course__id__exact": None},
    GuidanceRequest: {"status__exact": "new"},
}


@pytest.fixture
def library(staff):
    """A published resource with an attachment and a review, and a draft."""
    reviewer = UserFactory(roles=[Role.STAFF])
    draft = ResourceFactory(author=staff, slug="utkast", title="Utkast om fokusgrupper")
    services.attachment_add(
        resource=draft,
        by=staff,
        upload=SimpleUploadedFile("mall.pdf", PDF, "application/pdf"),
        title="Mall",
    )
    published = published_resource(
        author=staff, reviewer=reviewer, slug="revisionsmanual", title="Revisionsmanual"
    )
    return {"published": published, "draft": draft, "reviewer": reviewer}


@pytest.fixture
def course(staff, auditor):
    """A course with a past session, a participant who came and completed it."""
    from datetime import timedelta

    from django.utils import timezone

    course = CourseFactory(slug="grundutbildning", capacity=2)
    session = CourseSessionFactory(course=course, starts_at=timezone.now() - timedelta(days=2))
    registration = services.registration_create(course=course, participant=auditor, by=auditor)
    services.attendance_set(session=session, by=staff, present_ids={registration.pk})
    services.registration_complete(registration=registration, by=staff)
    return course


@pytest.fixture
def everything(library, course):
    GuidanceRequestFactory()
    return {**library, "course": course}


def url(model, view: str, *args) -> str:
    return reverse(f"admin:resources_{model._meta.model_name}_{view}", args=args)


def test_every_resources_model_is_in_admin():
    from django.apps import apps
    from simple_history.models import HistoricalChanges

    # Change history is read on each row's own admin page ("History"), not as a model.
    models = {
        m
        for m in apps.get_app_config("resources").get_models()
        if not issubclass(m, HistoricalChanges)
    }
    assert models <= set(admin.site._registry)


@pytest.mark.parametrize("model", list(FILTERS), ids=lambda model: model.__name__)
def test_each_changelist_opens_with_a_search_and_a_filter(client, admin_user, everything, model):
    client.force_login(admin_user)
    filters = FILTERS[model]
    if model is TrainingRecord:
        filters = {"course__id__exact": str(everything["course"].pk)}

    plain = client.get(url(model, "changelist"))
    searched = client.get(url(model, "changelist"), {"q": "a"})
    filtered = client.get(url(model, "changelist"), filters)

    assert plain.status_code == 200
    assert searched.status_code == 200
    # An unknown filter makes admin redirect with ?e=1; a 200 shows the filter is real.
    assert filtered.status_code == 200
    assert filtered.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", list(FILTERS), ids=lambda model: model.__name__)
def test_each_change_page_opens(client, admin_user, everything, model):
    client.force_login(admin_user)
    instance = model.objects.order_by("pk").first()

    response = client.get(url(model, "change", instance.pk))

    assert response.status_code == 200


def test_the_resource_changelist_does_not_grow_in_queries(
    client, admin_user, library, django_assert_max_num_queries
):
    client.force_login(admin_user)
    client.get(url(Resource, "changelist"))
    with django_assert_max_num_queries(12):
        client.get(url(Resource, "changelist"))
    for n in range(5):
        published_resource(slug=f"fler-{n}")
    with django_assert_max_num_queries(12):
        response = client.get(url(Resource, "changelist"))
    assert response.context["cl"].result_count == 7


def test_the_resource_page_shows_versions_attachments_and_reviews_read_only(
    client, admin_user, library
):
    client.force_login(admin_user)

    response = client.get(url(Resource, "change", library["published"].pk))

    formsets = {f.opts.model: f for f in response.context["inline_admin_formsets"]}
    assert set(formsets) == {ResourceVersion, Attachment, Review}
    assert all(not f.has_add_permission for f in formsets.values())
    form = response.context["adminform"].form
    assert "status" not in form.fields
    assert "current_version" not in form.fields
    assert str(WORKFLOW_HELP) in response.content.decode()


def test_resources_are_not_added_or_deleted_in_admin(client, admin_user, library):
    client.force_login(admin_user)

    assert client.get(url(Resource, "add")).status_code == 403
    deleted = client.post(url(Resource, "delete", library["published"].pk), {"post": "yes"})
    assert deleted.status_code == 403
    assert Resource.objects.filter(pk=library["published"].pk).exists()


def test_an_admin_edit_of_a_resource_in_review_sends_it_back_to_draft(client, admin_user, staff):
    resource = ResourceFactory(author=staff, slug="granskas", title="Granskas")
    services.resource_submit(resource=resource, by=staff)
    client.force_login(admin_user)
    page = client.get(url(Resource, "change", resource.pk))
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None
    }
    data.update(
        {
            "title": "Granskas, rättad titel",
            "slug": "granskas",
            "topics": resource.topics,
            "audiences": resource.audiences,
            "source": "",
            "source_version": "",
            "publish_at_0": "",
            "publish_at_1": "",
        }
    )
    for prefix in ("versions", "attachments", "reviews"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    response = client.post(url(Resource, "change", resource.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    resource.refresh_from_db()
    assert resource.title == "Granskas, rättad titel"
    assert resource.status == Resource.Status.DRAFT


@pytest.mark.parametrize("model", [ResourceVersion, Review, SessionAttendance, TrainingRecord])
def test_the_workflows_records_cannot_be_edited(client, admin_user, everything, model):
    client.force_login(admin_user)
    instance = model.objects.order_by("pk").first()

    page = client.get(url(model, "change", instance.pk))
    posted = client.post(url(model, "change", instance.pk), {"comment": "x", "title": "x"})
    deleted = client.post(url(model, "delete", instance.pk), {"post": "yes"})

    assert page.context["has_change_permission"] is False
    assert posted.status_code == 403
    assert deleted.status_code == 403
    assert model.objects.filter(pk=instance.pk).exists()


def test_the_archive_action_goes_through_the_service(client, admin_user, library):
    client.force_login(admin_user)
    published = library["published"]

    client.post(
        url(Resource, "changelist"), {"action": "archive", "_selected_action": [published.pk]}
    )

    published.refresh_from_db()
    assert published.status == Resource.Status.ARCHIVED
    assert not Resource.objects.published().filter(pk=published.pk).exists()


def test_the_close_action_closes_guidance_requests(client, admin_user):
    request = GuidanceRequestFactory()
    client.force_login(admin_user)

    client.post(
        url(GuidanceRequest, "changelist"), {"action": "close", "_selected_action": [request.pk]}
    )

    request.refresh_from_db()
    assert request.status == GuidanceRequest.Status.CLOSED
    assert request.handled_by == admin_user


def test_staff_with_admin_access_may_view_and_change_but_not_rewrite_records(client, everything):
    sync_role_groups()
    sara = UserFactory(roles=[Role.STAFF], is_staff=True)
    client.force_login(sara)
    review = Review.objects.first()

    assert client.get(url(Resource, "changelist")).status_code == 200
    assert client.get(url(Course, "add")).status_code == 200
    assert client.get(url(Review, "change", review.pk)).status_code == 200
    assert client.post(url(Review, "change", review.pk), {}).status_code == 403


def test_an_outsider_is_sent_to_the_admin_login(client, outsider):
    client.force_login(outsider)

    response = client.get(url(Resource, "changelist"))

    assert response.status_code == 302
    assert "login" in response.url


# --- Export -------------------------------------------------------------------


def export(client, model) -> list[dict]:
    model_admin = admin.site._registry[model]
    formats = [fmt().get_title() for fmt in model_admin.get_export_formats()]
    resource = model_admin.resource_classes[0]
    data = {"format": str(formats.index("csv")), "resource": "0"}
    for name in resource().get_export_order():
        data[SelectableFieldsExportForm.create_boolean_field_name(resource, name)] = "on"
    response = client.post(url(model, "export"), data)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_resources_export_with_their_metadata_and_version(client, admin_user, library):
    client.force_login(admin_user)

    rows = {row["slug"]: row for row in export(client, Resource)}

    assert set(rows) == {"revisionsmanual", "utkast"}
    published = rows["revisionsmanual"]
    assert published["kind"] == "audit_manual"
    assert published["language"] == "sv"
    assert published["topics"] == "user_audit"
    assert published["audiences"] == "auditors"
    assert published["status"] == "published"
    assert published["version"] == "1"
    assert rows["utkast"]["version"] == ""


def test_registrations_export_with_course_participant_and_status(
    client, admin_user, course, auditor
):
    client.force_login(admin_user)

    (row,) = export(client, Registration)

    assert row["course"] == "grundutbildning"
    assert row["participant_email"] == auditor.email
    assert row["participant_name"] == auditor.full_name
    assert row["status"] == "completed"
    assert row["registered_at"]


# --- Import -------------------------------------------------------------------


def upload(client, model, csv_text: str):
    model_admin = admin.site._registry[model]
    formats = [fmt().get_title() for fmt in model_admin.get_import_formats()]
    return client.post(
        url(model, "import"),
        {
            "resource": "0",
            "format": str(formats.index("csv")),
            "import_file": SimpleUploadedFile("rows.csv", csv_text.encode(), "text/csv"),
        },
    )


def confirm(client, model, response):
    form = response.context["confirm_form"]
    assert form is not None, f"the import was refused: {response.context['result']}"
    return client.post(url(model, "process_import"), form.initial)


META_HEADER = "slug,kind,language,topics,audiences,easy_to_read,title,summary,status,version"


def test_an_import_updates_metadata_but_never_publishes(client, admin_user, library):
    client.force_login(admin_user)
    published = library["published"]
    text = (
        f"{META_HEADER}\n"
        'revisionsmanual,method_guide,sv,"user_audit, surveys",commissioners,1,'
        "Ny titel,Ny sammanfattning,archived,7\n"
    )

    dry_run = upload(client, Resource, text)
    published.refresh_from_db()
    assert published.title == "Revisionsmanual"
    done = confirm(client, Resource, dry_run)

    assert done.status_code == 302
    published.refresh_from_db()
    assert published.title == "Ny titel"
    assert published.kind == "method_guide"
    assert published.topics == ["user_audit", "surveys"]
    assert published.audiences == ["commissioners"]
    assert published.easy_to_read is True
    # The working copy changed; what the public reads is still version 1 until approved.
    assert published.status == Resource.Status.DRAFT
    assert published.versions.count() == 1
    assert published.current_version.title == "Revisionsmanual"
    assert Resource.objects.published().filter(pk=published.pk).exists()


@pytest.mark.parametrize(
    "bad_row",
    [
        "okand-resurs,audit_manual,sv,user_audit,auditors,0,Påhittad,Text,,",
        "revisionsmanual,poem,sv,user_audit,auditors,0,Titel,Text,,",
        "revisionsmanual,audit_manual,de,user_audit,auditors,0,Titel,Text,,",
        "revisionsmanual,audit_manual,sv,cooking,auditors,0,Titel,Text,,",
        "revisionsmanual,audit_manual,sv,user_audit,auditors,0,,Text,,",
    ],
)
def test_a_bad_metadata_row_changes_nothing(client, admin_user, library, bad_row):
    client.force_login(admin_user)
    good = "utkast,template,sv,user_audit,auditors,0,Ändrat utkast,Text,,"

    response = upload(client, Resource, f"{META_HEADER}\n{good}\n{bad_row}\n")

    assert response.context.get("confirm_form") is None
    assert Resource.objects.get(slug="utkast").title == "Utkast om fokusgrupper"
    assert Resource.objects.get(slug="revisionsmanual").title == "Revisionsmanual"
    assert Resource.objects.count() == 2


REG_HEADER = "course,participant_email,organisation,status,registered_at"


def test_an_import_registers_up_to_capacity_and_then_onto_the_waiting_list(client, admin_user):
    client.force_login(admin_user)
    course = CourseFactory(slug="traff-nya", capacity=2)
    organisation = OrganisationFactory(name="RSMH Örebro", kind="user_organisation")
    people = [UserFactory(email=f"deltagare{n}@example.se") for n in range(3)]
    text = (
        REG_HEADER
        + "\n"
        + "".join(
            f"traff-nya,{person.email.upper()},RSMH Örebro,completed,2020-01-01 10:00:00\n"
            for person in people
        )
    )

    done = confirm(client, Registration, upload(client, Registration, text))

    assert done.status_code == 302
    registrations = list(course.registrations.order_by("registered_at", "pk"))
    assert [r.participant for r in registrations] == people
    # The file's status and time are not taken: the capacity rule decides.
    assert [r.status for r in registrations] == ["registered", "registered", "waiting"]
    assert all(r.organisation == organisation for r in registrations)
    assert all(r.registered_by == admin_user for r in registrations)
    assert all(r.registered_at.year > 2020 for r in registrations)


@pytest.mark.parametrize(
    "bad_row",
    [
        "okand-kurs,{email},,,",
        "grundkurs,nobody@example.se,,,",
        "grundkurs,{email},Okänd förening,,",
        "grundkurs,{registered},,,",  # already registered
        ",{email},,,",
    ],
)
def test_a_bad_registration_row_creates_nothing(client, admin_user, bad_row):
    client.force_login(admin_user)
    course = CourseFactory(slug="grundkurs", capacity=5)
    registered = UserFactory(email="redan@example.se")
    services.registration_create(course=course, participant=registered, by=admin_user)
    good, other = UserFactory(email="ny@example.se"), UserFactory(email="annan@example.se")
    text = (
        f"{REG_HEADER}\n"
        f"grundkurs,{good.email},,,\n"
        + bad_row.format(email=other.email, registered=registered.email)
        + "\n"
    )
    before = Registration.objects.count()

    response = upload(client, Registration, text)

    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    result = response.context["result"]
    assert result.has_errors() or result.has_validation_errors()
    assert Registration.objects.count() == before


def test_a_closed_course_refuses_imported_registrations(client, admin_user):
    client.force_login(admin_user)
    CourseFactory(slug="stangd", registration_open=False)
    person = UserFactory()

    response = upload(client, Registration, f"{REG_HEADER}\nstangd,{person.email},,,\n")

    assert response.context.get("confirm_form") is None
    assert not Registration.objects.exists()
