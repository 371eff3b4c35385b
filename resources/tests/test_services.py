"""The library's, courses' and method guidance's rules, through resources.services: what may
be published and by whom, what the public sees, uploads, search, capacity and completion."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone, translation
from pypdf import PdfWriter

from audits.models import AuditorProfile
from brukarkraft.roles import Role
from brukarkraft.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from resources import services
from resources.markup import render_markdown
from resources.models import (
    Attachment,
    Course,
    GuidanceRequest,
    Registration,
    Resource,
    ResourceVersion,
    Review,
    TrainingRecord,
)
from resources.signals import course_completed
from resources.tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    GuidanceRequestFactory,
    ResourceFactory,
    published_resource,
)

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search configurations need PostgreSQL"
)


@pytest.fixture
def reviewer(db):
    # Ingrid is a second staff member: she may approve what Sara writes.
    return UserFactory(full_name="Ingrid Solberg", roles=[Role.STAFF])


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a folder of this test's own, so what was stored can be listed."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def approve(resource: Resource, *, author, reviewer) -> Resource:
    services.resource_submit(resource=resource, by=author)
    services.resource_review(resource=resource, by=reviewer, decision="approved")
    resource.refresh_from_db()
    return resource


def public() -> set[str]:
    return set(Resource.objects.published().values_list("slug", flat=True))


# --- Markdown ---------------------------------------------------------------------------


def test_markdown_loses_scripts_event_handlers_and_javascript_links():
    html = render_markdown(
        "Text <script>alert('x')</script>\n\n"
        '<p onclick="steal()">klicka</p>\n\n'
        "[länk](javascript:alert(1)) och [bra länk](https://www.verdandi.se)\n\n"
        '<img src="x" onerror="alert(1)">'
    )

    assert "<script" not in html
    assert "alert" not in html
    assert "onclick" not in html
    assert "onerror" not in html
    assert "<img" not in html
    assert "javascript:" not in html
    assert 'href="https://www.verdandi.se"' in html
    assert 'rel="noopener noreferrer"' in html


def test_markdown_headings_start_at_h2_because_the_page_owns_the_h1():
    html = render_markdown("# Ett\n\n## Två\n\n### Tre\n\n#### Fyra\n\ntext")

    assert "<h1>" not in html
    assert "<h2>Ett</h2>" in html
    assert "<h3>Två</h3>" in html
    assert "<h4>Tre</h4>" in html
    assert "<h4>Fyra</h4>" in html


def test_markdown_keeps_tables_lists_and_emphasis():
    html = render_markdown("| A | B |\n| --- | --- |\n| 1 | 2 |\n\n- en\n- *två*")

    assert "<table>" in html
    assert "<th>A</th>" in html
    assert "<li><em>två</em></li>" in html


# --- Writing, review and publishing ----------------------------------------------------------


def test_only_staff_write_resources(outsider, auditor):
    for person in (outsider, auditor):
        with pytest.raises(PermissionDenied):
            services.resource_create(
                by=person, slug="nope", data={"kind": "template", "language": "sv", "title": "X"}
            )
    assert not Resource.objects.exists()


def test_a_resource_with_a_bad_kind_is_refused_and_not_stored(staff):
    with pytest.raises(ValidationError):
        services.resource_create(
            by=staff,
            slug="fel",
            data={"kind": "poem", "language": "sv", "title": "Dikt", "summary": "S"},
        )
    assert not Resource.objects.exists()


def test_no_one_approves_their_own_work(staff, reviewer):
    resource = ResourceFactory(author=staff)
    services.resource_submit(resource=resource, by=staff)

    with pytest.raises(ValidationError) as refused:
        services.resource_review(resource=resource, by=staff, decision="approved")

    assert refused.value.code == "own_work"
    resource.refresh_from_db()
    assert resource.status == Resource.Status.IN_REVIEW
    assert not resource.versions.exists()
    assert not Review.objects.exists()


def test_whoever_sent_it_for_review_may_not_approve_it_either(staff, reviewer):
    colleague = UserFactory(roles=[Role.STAFF])
    resource = ResourceFactory(author=staff)
    services.resource_submit(resource=resource, by=colleague)

    with pytest.raises(ValidationError):
        services.resource_review(resource=resource, by=colleague, decision="approved")
    services.resource_review(resource=resource, by=reviewer, decision="approved")

    assert resource.versions.count() == 1


def test_asking_for_changes_needs_a_comment_and_returns_it_to_draft(staff, reviewer):
    resource = ResourceFactory(author=staff)
    services.resource_submit(resource=resource, by=staff)

    with pytest.raises(ValidationError) as refused:
        services.resource_review(resource=resource, by=reviewer, decision="changes", comment=" ")
    assert "comment" in refused.value.message_dict
    assert not Review.objects.exists()

    services.resource_review(
        resource=resource, by=reviewer, decision="changes", comment="Förklara ordet revision."
    )
    resource.refresh_from_db()
    assert resource.status == Resource.Status.DRAFT
    assert resource.reviews.get().comment == "Förklara ordet revision."
    assert not resource.versions.exists()
    assert resource.slug not in public()


def test_only_a_draft_with_content_can_be_sent_for_review(staff):
    empty = ResourceFactory(author=staff, body="   ")
    with pytest.raises(ValidationError) as refused:
        services.resource_submit(resource=empty, by=staff)
    assert refused.value.code == "empty"

    resource = ResourceFactory(author=staff)
    services.resource_submit(resource=resource, by=staff)
    with pytest.raises(ValidationError):
        services.resource_submit(resource=resource, by=staff)


def test_a_draft_or_a_resource_in_review_cannot_be_approved_twice(staff, reviewer):
    resource = ResourceFactory(author=staff)
    with pytest.raises(ValidationError):
        services.resource_review(resource=resource, by=reviewer, decision="approved")

    approve(resource, author=staff, reviewer=reviewer)
    with pytest.raises(ValidationError):
        services.resource_review(resource=resource, by=reviewer, decision="approved")
    assert resource.versions.count() == 1


def test_approving_publishes_version_one_with_clean_html(staff, reviewer):
    resource = ResourceFactory(author=staff, body="# Rubrik\n\n<script>x()</script>Text")

    resource = approve(resource, author=staff, reviewer=reviewer)

    version = resource.current_version
    assert version.number == 1
    assert version.approved_by == reviewer
    assert version.title == resource.title
    assert "<h2>Rubrik</h2>" in version.body_html
    assert "<script" not in version.body_html
    assert resource.status == Resource.Status.PUBLISHED
    assert resource.published_at is not None
    assert resource.slug in public()


def test_the_public_sees_only_approved_versions(staff, reviewer):
    draft = ResourceFactory(author=staff, slug="utkast")
    in_review = ResourceFactory(author=staff, slug="granskas")
    services.resource_submit(resource=in_review, by=staff)
    published_resource(author=staff, reviewer=reviewer, slug="publicerad")

    assert public() == {"publicerad"}
    assert not draft.is_public


def test_editing_a_published_resource_keeps_version_one_public_until_two_is_approved(
    staff, reviewer
):
    resource = published_resource(author=staff, reviewer=reviewer, title="Version ett")
    first = resource.current_version

    services.resource_update(resource=resource, by=staff, data={"title": "Version två"})
    resource.refresh_from_db()
    assert resource.status == Resource.Status.DRAFT
    assert resource.current_version == first
    assert resource.slug in public()
    assert Resource.objects.published().get(pk=resource.pk).current_version.title == "Version ett"

    resource = approve(resource, author=staff, reviewer=reviewer)

    assert resource.current_version.number == 2
    assert resource.current_version.title == "Version två"
    # The first version stays readable.
    assert ResourceVersion.objects.get(pk=first.pk).title == "Version ett"
    assert list(resource.versions.values_list("number", flat=True)) == [2, 1]


def test_editing_a_resource_in_review_sends_it_back_to_draft(staff):
    resource = ResourceFactory(author=staff)
    services.resource_submit(resource=resource, by=staff)

    services.resource_update(resource=resource, by=staff, data={"summary": "Ny"})

    resource.refresh_from_db()
    assert resource.status == Resource.Status.DRAFT


def test_an_update_with_unknown_fields_is_a_programming_error(staff):
    resource = ResourceFactory(author=staff)

    with pytest.raises(ValueError):
        services.resource_update(resource=resource, by=staff, data={"status": "published"})
    resource.refresh_from_db()
    assert resource.status == Resource.Status.DRAFT


def test_a_scheduled_version_waits_for_its_time(staff, reviewer):
    when = timezone.now() + timedelta(days=3)
    resource = ResourceFactory(author=staff, publish_at=when)

    resource = approve(resource, author=staff, reviewer=reviewer)

    assert resource.status == Resource.Status.SCHEDULED
    assert resource.current_version is None
    assert resource.slug not in public()
    assert resource.versions.get().published_at == when
    assert services.resources_publish_due() == 0

    assert services.resources_publish_due(now=when + timedelta(minutes=1)) == 1

    resource.refresh_from_db()
    assert resource.status == Resource.Status.PUBLISHED
    assert resource.current_version.number == 1
    assert resource.slug in public()
    # Running again publishes nothing more.
    assert services.resources_publish_due(now=when + timedelta(minutes=2)) == 0


def test_a_scheduled_version_of_a_published_resource_keeps_the_old_one_until_then(staff, reviewer):
    resource = published_resource(author=staff, reviewer=reviewer, title="Gammal")
    when = timezone.now() + timedelta(days=1)
    services.resource_update(resource=resource, by=staff, data={"title": "Ny", "publish_at": when})

    resource = approve(resource, author=staff, reviewer=reviewer)

    assert resource.status == Resource.Status.SCHEDULED
    assert resource.current_version.title == "Gammal"
    assert resource.slug in public()
    services.resources_publish_due(now=when + timedelta(seconds=1))
    resource.refresh_from_db()
    assert resource.current_version.title == "Ny"


def test_a_scheduled_version_edited_again_is_not_published_by_the_timer(staff, reviewer):
    when = timezone.now() + timedelta(days=1)
    resource = approve(
        ResourceFactory(author=staff, publish_at=when), author=staff, reviewer=reviewer
    )

    services.resource_update(resource=resource, by=staff, data={"title": "Ändrad igen"})

    assert services.resources_publish_due(now=when + timedelta(hours=1)) == 0
    assert resource.slug not in public()


def test_archiving_hides_a_resource_and_freezes_it(staff, reviewer):
    resource = published_resource(author=staff, reviewer=reviewer)

    services.resource_archive(resource=resource, by=staff)

    resource.refresh_from_db()
    assert resource.slug not in public()
    assert not resource.is_public
    assert resource.versions.count() == 1  # kept
    with pytest.raises(ValidationError):
        services.resource_archive(resource=resource, by=staff)
    with pytest.raises(ValidationError):
        services.resource_update(resource=resource, by=staff, data={"title": "Nytt liv"})


def test_only_staff_archive(outsider, staff, reviewer):
    resource = published_resource(author=staff, reviewer=reviewer)

    with pytest.raises(PermissionDenied):
        services.resource_archive(resource=resource, by=outsider)

    assert resource.slug in public()


# --- Translations -----------------------------------------------------------------------------


def test_a_draft_is_translated_from_its_working_copy_and_follows_no_version_yet(staff):
    draft = ResourceFactory(author=staff, title="Utkast om fokusgrupper")

    norwegian = services.resource_translate(source=draft, by=staff, language="nb", slug="nb-utkast")

    assert norwegian.status == Resource.Status.DRAFT
    assert norwegian.title == "Utkast om fokusgrupper"
    assert norwegian.body == draft.body
    assert norwegian.source == draft
    assert norwegian.source_version is None


def test_an_archived_resource_is_not_translated(staff, reviewer):
    source = published_resource(author=staff, reviewer=reviewer)
    services.resource_archive(resource=source, by=staff)

    with pytest.raises(ValidationError) as refused:
        services.resource_translate(source=source, by=staff, language="nb", slug="nb-arkiv")

    assert refused.value.code == "archived"
    assert Resource.objects.count() == 1


def test_a_translation_of_a_draft_waits_and_is_published_together_with_its_source(staff, reviewer):
    source = ResourceFactory(author=staff, slug="kalla")
    translation = services.resource_translate(source=source, by=staff, language="nb", slug="kilde")

    # Approved first: it waits for its source, also when the publishing task runs.
    approve(translation, author=staff, reviewer=reviewer)
    assert translation.status == Resource.Status.SCHEDULED
    services.resources_publish_due(now=timezone.now() + timedelta(days=1))
    assert public() == set()

    approve(source, author=staff, reviewer=reviewer)

    translation.refresh_from_db()
    assert public() == {"kalla", "kilde"}
    assert translation.status == Resource.Status.PUBLISHED
    source.refresh_from_db()
    assert translation.current_version.published_at >= source.current_version.published_at


def test_a_translation_of_a_draft_approved_after_its_source_is_published_at_once(staff, reviewer):
    source = ResourceFactory(author=staff, slug="kalla")
    translation = services.resource_translate(source=source, by=staff, language="nb", slug="kilde")
    approve(source, author=staff, reviewer=reviewer)
    assert public() == {"kalla"}

    approve(translation, author=staff, reviewer=reviewer)

    assert public() == {"kalla", "kilde"}


def test_a_translation_into_the_same_language_and_variant_is_refused(staff, reviewer):
    source = published_resource(author=staff, reviewer=reviewer)

    with pytest.raises(ValidationError) as refused:
        services.resource_translate(source=source, by=staff, language="sv", slug="kopia")

    assert refused.value.code == "same"
    assert Resource.objects.count() == 1


def test_a_translation_starts_as_a_draft_from_the_published_text(staff, reviewer):
    source = published_resource(author=staff, reviewer=reviewer, title="Revisionsmanual")

    norwegian = services.resource_translate(
        source=source, by=reviewer, language="nb", slug="revisjonsmanual"
    )
    easy = services.resource_translate(
        source=source, by=staff, language="sv", easy_to_read=True, slug="latt-att-lasa"
    )

    assert norwegian.status == Resource.Status.DRAFT
    assert norwegian.title == "Revisionsmanual"
    assert norwegian.source == source
    assert norwegian.source_version == 1
    assert norwegian.language == "nb"
    assert norwegian.topics == source.topics
    assert easy.easy_to_read is True
    assert norwegian.slug not in public()


def test_a_translation_is_stale_until_marked_as_following_the_new_version(staff, reviewer):
    source = published_resource(author=staff, reviewer=reviewer)
    translation = services.resource_translate(source=source, by=staff, language="nb", slug="norsk")
    approve(translation, author=staff, reviewer=reviewer)
    assert list(services.stale_translations()) == []

    services.resource_update(resource=source, by=staff, data={"body": "# Ny text\n\nMer."})
    approve(source, author=staff, reviewer=reviewer)

    assert list(services.stale_translations()) == [translation]

    services.translation_mark_current(resource=translation, by=staff)
    translation.refresh_from_db()
    assert translation.source_version == 2
    assert list(services.stale_translations()) == []


def test_a_resource_without_a_source_cannot_be_marked_current(staff, reviewer):
    resource = published_resource(author=staff, reviewer=reviewer)

    with pytest.raises(ValidationError):
        services.translation_mark_current(resource=resource, by=staff)


# --- Attachments ------------------------------------------------------------------------------


def real_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def real_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def real_odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("manual.pdf", real_pdf(), "pdf"),
        ("mall.docx", real_docx(), "docx"),
        ("mall.odt", real_odt(), "odt"),
    ],
)
def test_a_real_pdf_docx_or_odt_is_stored_with_its_hash(staff, media, name, content, kind):
    resource = ResourceFactory(author=staff)

    attachment = services.attachment_add(
        resource=resource, by=staff, upload=SimpleUploadedFile(name, content), title=""
    )

    attachment.refresh_from_db()
    assert attachment.kind == kind
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.title == name
    assert attachment.uploaded_by == staff
    assert attachment.file.read() == content
    assert len(stored_files(media)) == 1


@pytest.mark.parametrize(
    "upload",
    [
        pytest.param(
            lambda: SimpleUploadedFile("manual.pdf", b"MZ\x90\x00" + b"\x00" * 200),
            id="exe-renamed-pdf",
        ),
        pytest.param(
            lambda: SimpleUploadedFile("mall.docx", b"PK\x03\x04 broken zip"), id="broken-zip-docx"
        ),
        pytest.param(lambda: SimpleUploadedFile("mall.pdf", real_docx()), id="docx-named-pdf"),
        pytest.param(
            lambda: SimpleUploadedFile("stor.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 - 8)),
            id="10-MB-and-one-byte",
        ),
    ],
)
def test_a_bad_upload_is_refused_and_nothing_is_stored(staff, media, upload):
    resource = ResourceFactory(author=staff)
    upload = upload()

    with pytest.raises(ValidationError):
        services.attachment_add(resource=resource, by=staff, upload=upload, title="Fel")

    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_exactly_ten_megabytes_is_accepted(staff, media):
    resource = ResourceFactory(author=staff)
    content = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 - 9)

    attachment = services.attachment_add(
        resource=resource, by=staff, upload=SimpleUploadedFile("stor.pdf", content), title="Stor"
    )

    assert attachment.size == 10 * 1024 * 1024


def test_only_staff_add_attachments(outsider, media):
    resource = ResourceFactory()

    with pytest.raises(PermissionDenied):
        services.attachment_add(
            resource=resource,
            by=outsider,
            upload=SimpleUploadedFile("a.pdf", real_pdf()),
            title="A",
        )
    assert stored_files(media) == []


def test_an_attachment_of_a_published_version_stays(staff, reviewer, media):
    resource = ResourceFactory(author=staff)
    kept = services.attachment_add(
        resource=resource, by=staff, upload=SimpleUploadedFile("a.pdf", real_pdf()), title="A"
    )
    approve(resource, author=staff, reviewer=reviewer)
    loose = services.attachment_add(
        resource=resource, by=staff, upload=SimpleUploadedFile("b.pdf", real_pdf()), title="B"
    )

    with pytest.raises(ValidationError):
        services.attachment_remove(attachment=kept, by=staff)
    services.attachment_remove(attachment=loose, by=staff)

    assert list(Attachment.objects.values_list("title", flat=True)) == ["A"]
    assert len(stored_files(media)) == 1
    assert list(resource.current_version.attachments.all()) == [kept]


def test_downloads_are_counted_per_attachment_and_version_without_who(staff, reviewer, media):
    resource = ResourceFactory(author=staff)
    attachment = services.attachment_add(
        resource=resource, by=staff, upload=SimpleUploadedFile("a.pdf", real_pdf()), title="A"
    )
    resource = approve(resource, author=staff, reviewer=reviewer)

    services.count_download(attachment=attachment)
    services.count_download(attachment=attachment)
    services.count_download(version=resource.current_version)

    attachment.refresh_from_db()
    resource.current_version.refresh_from_db()
    assert attachment.downloads == 2
    assert resource.current_version.downloads == 1
    # Nothing names a reader: no field on either model refers to a user besides who made it.
    user_fields = {
        field.name
        for model in (Attachment, ResourceVersion)
        for field in model._meta.fields
        if field.is_relation and field.related_model.__name__ == "User"
    }
    assert user_fields == {"uploaded_by", "approved_by"}


# --- Search -----------------------------------------------------------------------------------


def test_search_finds_words_in_title_summary_and_body_of_published_resources(staff, reviewer):
    published_resource(
        author=staff, reviewer=reviewer, slug="fokus", title="Fokusgrupper i praktiken",
        summary="Om samtal.", body="Två revisorer leder samtalet.",
    )  # fmt: skip
    published_resource(
        author=staff, reviewer=reviewer, slug="enkat", title="Enkäter",
        summary="Smileyskalor.", body="Lättlästa frågor.",
    )  # fmt: skip
    draft = ResourceFactory(author=staff, slug="utkast", title="Fokusgrupper, utkast")

    def found(text: str) -> set[str]:
        return set(
            services.search(Resource.objects.published(), text).values_list("slug", flat=True)
        )

    assert found("samtalet") == {"fokus"}
    assert found("smileyskalor") == {"enkat"}
    assert found("") == {"fokus", "enkat"}
    assert draft.slug not in found("utkast")
    if connection.vendor != "postgresql":
        assert found("fokusgrupper revisorer") == {"fokus"}
        assert found("fokusgrupper enkäter") == set()  # every word must match


@on_postgresql
def test_swedish_search_finds_other_forms_of_a_word(staff, reviewer):
    published_resource(
        author=staff, reviewer=reviewer, slug="fokus", language="sv",
        title="Att leda en fokusgrupp", summary="Metod.", body="Så gör ni.",
    )  # fmt: skip

    found = services.search(Resource.objects.published(), "fokusgrupper")

    assert [resource.slug for resource in found] == ["fokus"]


@on_postgresql
def test_norwegian_and_english_texts_are_searched_in_their_own_language(staff, reviewer):
    published_resource(
        author=staff, reviewer=reviewer, slug="samling", language="nb",
        title="Samling for brukermedvirkere", summary="Opplæring.", body="Nye deltakere.",
    )  # fmt: skip
    published_resource(
        author=staff, reviewer=reviewer, slug="audits", language="en",
        title="User audits in brief", summary="Commissioners.", body="Auditing services.",
    )  # fmt: skip

    def found(text: str) -> list[str]:
        return [r.slug for r in services.search(Resource.objects.published(), text)]

    assert found("samlinger") == ["samling"]
    assert found("audit") == ["audits"]
    assert found("commissioner") == ["audits"]


@on_postgresql
def test_a_ranked_search_puts_title_matches_first(staff, reviewer):
    published_resource(
        author=staff, reviewer=reviewer, slug="i-texten", title="Metodstöd",
        summary="Allmänt.", body="Här nämns brukarråd en gång.",
    )  # fmt: skip
    published_resource(
        author=staff, reviewer=reviewer, slug="i-titeln", title="Brukarråd",
        summary="Om brukarråd.", body="Brukarråd i praktiken.",
    )  # fmt: skip

    found = [r.slug for r in services.search(Resource.objects.published(), "brukarråd")]

    assert found == ["i-titeln", "i-texten"]


# --- Courses ----------------------------------------------------------------------------------


@pytest.fixture
def course(db):
    return CourseFactory(capacity=2, validity_months=36, qualifies_auditors=True)


def register(course: Course, people) -> list[Registration]:
    return [
        services.registration_create(course=course, participant=person, by=person)
        for person in people
    ]


def test_registrations_fill_the_places_and_then_the_waiting_list(course):
    people = [UserFactory() for _ in range(4)]

    registrations = register(course, people)

    assert [r.status for r in registrations] == ["registered", "registered", "waiting", "waiting"]
    listed = Course.objects.for_list().get(pk=course.pk)
    assert (listed.registered, listed.waiting) == (2, 2)


def test_a_cancelled_place_goes_to_the_first_on_the_waiting_list(course):
    first, second, third, fourth = register(course, [UserFactory() for _ in range(4)])

    moved_up = services.registration_cancel(registration=first, by=first.participant)

    assert moved_up == third
    third.refresh_from_db()
    fourth.refresh_from_db()
    assert third.status == Registration.Status.REGISTERED
    assert fourth.status == Registration.Status.WAITING
    # Leaving the waiting list moves no one.
    assert services.registration_cancel(registration=fourth, by=fourth.participant) is None


def test_a_participant_registers_once_but_may_come_back_after_cancelling(course):
    person = UserFactory()
    (registration,) = register(course, [person])

    with pytest.raises(ValidationError) as refused:
        register(course, [person])
    assert refused.value.code == "duplicate"

    services.registration_cancel(registration=registration, by=person)
    register(course, [person])
    assert course.registrations.filter(participant=person).count() == 2


def test_a_closed_or_unpublished_course_takes_no_registrations():
    closed = CourseFactory(registration_open=False)
    hidden = CourseFactory(is_published=False)

    for course in (closed, hidden):
        with pytest.raises(ValidationError):
            register(course, [UserFactory()])
    assert not Registration.objects.exists()


def test_an_organisation_registers_its_own_members_only(course, organisation, commissioner):
    member = UserFactory()
    MembershipFactory(user=member, organisation=organisation)
    stranger = UserFactory()

    registration = services.registration_create(
        course=course, participant=member, by=commissioner, organisation=organisation
    )
    assert registration.organisation == organisation
    assert registration.registered_by == commissioner

    with pytest.raises(PermissionDenied):
        services.registration_create(
            course=course,
            participant=member,
            by=stranger,
            organisation=OrganisationFactory(),
        )
    with pytest.raises(PermissionDenied):
        # Registering someone else needs an organisation (or staff).
        services.registration_create(course=course, participant=member, by=stranger)
    assert course.registrations.count() == 1


def test_someone_else_cannot_cancel_a_registration(course, outsider):
    (registration,) = register(course, [UserFactory()])

    with pytest.raises(PermissionDenied):
        services.registration_cancel(registration=registration, by=outsider)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED


def past_session(course: Course, days_ago: int = 3):
    return CourseSessionFactory(course=course, starts_at=timezone.now() - timedelta(days=days_ago))


def test_completion_gives_a_training_record_with_expiry_and_a_trained_auditor(course, staff):
    session = past_session(course)
    person = UserFactory(roles=[Role.AUDITOR])
    (registration,) = register(course, [person])
    services.attendance_set(session=session, by=staff, present_ids={registration.pk})
    on = timezone.localdate()

    record = services.registration_complete(registration=registration, by=staff, on=on)

    assert record.user == person
    assert record.completed_on == on
    assert record.valid_until == on + timedelta(days=1096)  # 36 months
    registration.refresh_from_db()
    assert registration.status == Registration.Status.COMPLETED
    profile = AuditorProfile.objects.get(user=person)
    assert profile.training == AuditorProfile.Training.TRAINED
    assert profile.trained_until == record.valid_until


def test_completion_tells_other_apps_through_course_completed(course, staff):
    """Resources knows nothing of who listens (audits' auditor pool does): it sends the
    completed registration and the training's expiry."""
    (registration,) = register(course, [UserFactory()])
    services.attendance_set(session=past_session(course), by=staff, present_ids={registration.pk})
    heard = []

    def listener(sender, **kwargs):
        heard.append((sender, kwargs["registration"].pk, kwargs["valid_until"]))

    course_completed.connect(listener, weak=False)
    try:
        record = services.registration_complete(registration=registration, by=staff)
    finally:
        course_completed.disconnect(listener)

    assert heard == [(Course, registration.pk, record.valid_until)]


def test_a_course_without_expiry_or_auditor_qualification_only_records_the_training(staff):
    course = CourseFactory(validity_months=None, qualifies_auditors=False)
    (registration,) = register(course, [UserFactory()])
    services.attendance_set(session=past_session(course), by=staff, present_ids={registration.pk})

    record = services.registration_complete(registration=registration, by=staff)

    assert record.valid_until is None
    assert not AuditorProfile.objects.exists()


def test_a_missed_session_refuses_completion(course, staff):
    came, missed = past_session(course, 5), past_session(course, 2)
    (registration,) = register(course, [UserFactory()])
    services.attendance_set(session=came, by=staff, present_ids={registration.pk})
    services.attendance_set(session=missed, by=staff, present_ids=set())

    with pytest.raises(ValidationError) as refused:
        services.registration_complete(registration=registration, by=staff)

    assert refused.value.code == "attendance"
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED
    assert not TrainingRecord.objects.exists()


def test_a_course_with_no_session_held_cannot_be_completed(course, staff):
    (registration,) = register(course, [UserFactory(roles=[Role.AUDITOR])])

    with pytest.raises(ValidationError) as refused:
        services.registration_complete(registration=registration, by=staff)

    assert refused.value.code == "attendance"
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED
    assert not TrainingRecord.objects.exists()
    assert not AuditorProfile.objects.exists()


def test_every_session_means_the_later_ones_too(course, staff):
    held = past_session(course)
    CourseSessionFactory(course=course)  # not held yet: the course is not over
    (registration,) = register(course, [UserFactory()])
    services.attendance_set(session=held, by=staff, present_ids={registration.pk})

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.registration_complete(registration=registration, by=staff)

    assert refused.value.messages == [
        "Attended 1 of 2 sessions; the course requires every session."
    ]
    assert not TrainingRecord.objects.exists()


def test_a_minimum_of_sessions_is_enough_when_the_course_says_so(staff):
    course = CourseFactory(attendance_rule=Course.AttendanceRule.MINIMUM, minimum_sessions=2)
    sessions = [past_session(course, days) for days in (9, 6, 3)]
    (registration,) = register(course, [UserFactory()])
    services.attendance_set(session=sessions[0], by=staff, present_ids={registration.pk})

    with pytest.raises(ValidationError):
        services.registration_complete(registration=registration, by=staff)
    assert not TrainingRecord.objects.exists()

    services.attendance_set(session=sessions[2], by=staff, present_ids={registration.pk})
    record = services.registration_complete(registration=registration, by=staff)
    assert record.user == registration.participant


def test_a_minimum_rule_needs_its_number():
    course = CourseFactory.build(attendance_rule=Course.AttendanceRule.MINIMUM)

    with pytest.raises(ValidationError) as refused:
        course.clean()

    assert "minimum_sessions" in refused.value.error_dict


def test_only_staff_complete_and_only_a_registered_participant(course, staff):
    first, _second, waiting = register(course, [UserFactory() for _ in range(3)])

    with pytest.raises(PermissionDenied):
        services.registration_complete(registration=first, by=first.participant)
    with pytest.raises(ValidationError):
        services.registration_complete(registration=waiting, by=staff)
    assert not TrainingRecord.objects.exists()


def test_attendance_is_taken_for_registered_participants_only(course, staff):
    session = past_session(course)
    present, _other, waiting = register(course, [UserFactory() for _ in range(3)])

    with pytest.raises(ValidationError):
        services.attendance_set(session=session, by=staff, present_ids={waiting.pk})
    assert not session.attendance.exists()

    count = services.attendance_set(session=session, by=staff, present_ids={present.pk})
    assert count == 1
    assert session.attendance.count() == 2
    assert session.attendance.get(registration=present).present


# --- Method guidance --------------------------------------------------------------------------


GUIDANCE = {
    "organisation_name": "Örebro kommun",
    "name": "Cecilia",
    "email": "cecilia@example.se",
    "topic": "ordering",
    "message": "Hur beställer vi?",
}


def test_anyone_may_ask_for_guidance_and_a_bad_request_stores_nothing(commissioner):
    request = services.guidance_request_create(data=dict(GUIDANCE), by=commissioner)
    assert request.requested_by == commissioner
    assert request.status == GuidanceRequest.Status.NEW

    with pytest.raises(ValidationError):
        services.guidance_request_create(data={**GUIDANCE, "email": "inte-en-adress"}, by=None)
    assert GuidanceRequest.objects.count() == 1


def test_staff_answer_a_request_with_text(staff):
    request = GuidanceRequestFactory()

    with pytest.raises(ValidationError):
        services.guidance_answer(request=request, by=staff, answer="  ")
    services.guidance_answer(request=request, by=staff, answer="Vi ringer på tisdag.")

    request.refresh_from_db()
    assert request.status == GuidanceRequest.Status.ANSWERED
    assert request.handled_by == staff
    assert request.answered_at is not None


def test_a_closed_request_cannot_be_answered_or_closed_again(staff):
    request = GuidanceRequestFactory()
    services.guidance_close(request=request, by=staff)

    with pytest.raises(ValidationError):
        services.guidance_answer(request=request, by=staff, answer="Sent svar.")
    with pytest.raises(ValidationError):
        services.guidance_close(request=request, by=staff)
    request.refresh_from_db()
    assert request.answer == ""


def test_only_staff_answer_or_close_requests(commissioner, auditor):
    request = GuidanceRequestFactory()

    for person in (commissioner, auditor):
        with pytest.raises(PermissionDenied):
            services.guidance_answer(request=request, by=person, answer="Svar")
        with pytest.raises(PermissionDenied):
            services.guidance_close(request=request, by=person)
    request.refresh_from_db()
    assert request.status == GuidanceRequest.Status.NEW


def test_a_current_version_without_its_pdf_is_printed_again_by_the_beat_task(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from resources.models import ResourceVersion
    from resources.tasks import publish_due_resources
    from resources.tests.factories import published_resource

    settings.MEDIA_ROOT = tmp_path
    resource = published_resource()  # its print task was never run: no PDF
    version = resource.current_version
    assert not version.pdf
    assert services.versions_missing_pdf() == []  # too recent to call lost
    ResourceVersion.objects.filter(pk=version.pk).update(
        published_at=timezone.now() - timedelta(hours=1)
    )
    assert services.versions_missing_pdf() == [version.pk]

    publish_due_resources()

    version.refresh_from_db()
    assert version.pdf
    assert services.versions_missing_pdf() == []


def test_the_database_refuses_a_minimum_rule_without_its_number():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CourseFactory(attendance_rule=Course.AttendanceRule.MINIMUM, minimum_sessions=None)
