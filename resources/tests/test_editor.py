"""The staff editor: writing, attachments, review by a second person, scheduled publication,
translations, who may reach it, and that the dashboard's query count does not grow."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from brukarkraft.roles import Role
from brukarkraft.tests.factories import UserFactory
from resources import services
from resources.models import Attachment, Resource, Review
from resources.tests.factories import ResourceFactory, published_resource

pytestmark = pytest.mark.django_db

S = Resource.Status
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def en(name: str, *args) -> str:
    # English pages, so the assertions read the source wording whatever is translated.
    with translation.override("en"):
        return reverse(f"resources:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_data(**overrides) -> dict:
    data = {
        "slug": "att-planera-en-brukarrevision",
        "kind": "method_guide",
        "language": "sv",
        "topics": ["user_audit", "ethics_law"],
        "audiences": ["auditors"],
        "title": "Att planera en brukarrevision",
        "summary": "Hur revisorer och beställare kommer överens om revisionsfrågorna.",
        "body": "# Revisionsfrågor\n\nBrukarna formulerar frågorna själva.\n\n"
        "# Intervjuer\n\nTvå revisorer vid varje intervju.",
        "publish_at": "",
    }
    data.update(overrides)
    return data


def edit_data(resource: Resource, **overrides) -> dict:
    data = form_data(
        kind=resource.kind,
        language=resource.language,
        topics=list(resource.topics),
        audiences=list(resource.audiences),
        title=resource.title,
        summary=resource.summary,
        body=resource.body,
    )
    del data["slug"]
    data.update(overrides)
    return data


@pytest.fixture
def colleague(db):
    # Karin also works at the centre: she reviews what Sara writes.
    return UserFactory(full_name="Karin Kollega", roles=[Role.STAFF])


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


# --- The whole flow -------------------------------------------------------------------


def test_a_resource_written_in_swedish_is_public_once_a_colleague_approves_it(
    client, staff, colleague
):
    client.force_login(staff)
    response = client.post(en("create"), form_data())
    resource = Resource.objects.get(slug="att-planera-en-brukarrevision")
    assert response.status_code == 302
    assert response.url == en("edit", resource.pk)
    assert resource.status == S.DRAFT
    assert resource.author == staff
    assert resource.language == "sv"
    assert resource.topics == ["user_audit", "ethics_law"]
    assert client.get(en("detail", resource.slug)).status_code == 404

    client.post(en("submit", resource.pk))
    resource.refresh_from_db()
    assert resource.status == S.IN_REVIEW
    assert resource.submitted_by == staff
    assert not Resource.objects.published().filter(pk=resource.pk).exists()

    client.force_login(colleague)
    page = client.get(en("review", resource.pk))
    assert page.status_code == 200
    assert "Brukarna formulerar frågorna själva." in page.content.decode()
    response = client.post(en("review", resource.pk), {"decision": "approved", "comment": ""})

    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.status == S.PUBLISHED
    assert resource.current_version.number == 1
    assert resource.current_version.approved_by == colleague
    assert Resource.objects.published().filter(pk=resource.pk).exists()
    client.logout()
    public = client.get(en("detail", resource.slug))
    assert public.status_code == 200
    assert "Att planera en brukarrevision" in public.content.decode()


def test_the_author_sees_the_review_page_but_cannot_approve_her_own_resource(client, staff):
    resource = ResourceFactory(author=staff)
    services.resource_submit(resource=resource, by=staff)
    client.force_login(staff)

    page = client.get(en("review", resource.pk))
    assert page.status_code == 200
    response = client.post(en("review", resource.pk), {"decision": "approved"})

    assert response.status_code == 200
    assert "Someone else must review this" in response.content.decode()
    resource.refresh_from_db()
    assert resource.status == S.IN_REVIEW
    assert resource.current_version is None
    assert not Review.objects.exists()


def test_the_person_who_sent_it_cannot_approve_it_either(client, staff, colleague):
    resource = ResourceFactory(author=colleague)
    services.resource_submit(resource=resource, by=staff)
    client.force_login(staff)

    response = client.post(en("review", resource.pk), {"decision": "approved"})

    assert "Someone else must review this" in response.content.decode()
    resource.refresh_from_db()
    assert resource.status == S.IN_REVIEW


def test_asking_for_changes_sends_it_back_as_a_draft_with_the_comment_shown(
    client, staff, colleague
):
    resource = ResourceFactory(author=staff)
    services.resource_submit(resource=resource, by=staff)
    client.force_login(colleague)

    response = client.post(
        en("review", resource.pk),
        {"decision": "changes", "comment": "Förklara tystnadsplikten tydligare."},
    )

    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.status == S.DRAFT
    client.force_login(staff)
    page = client.get(en("edit", resource.pk)).content.decode()
    assert "Changes requested" in page
    assert "Förklara tystnadsplikten tydligare." in page
    assert "Karin Kollega" in page


def test_asking_for_changes_without_a_comment_is_refused_and_changes_nothing(
    client, staff, colleague
):
    resource = ResourceFactory(author=staff)
    services.resource_submit(resource=resource, by=staff)
    client.force_login(colleague)

    response = client.post(en("review", resource.pk), {"decision": "changes", "comment": " "})

    assert response.status_code == 200
    assert "Say what should be changed." in response.content.decode()
    assert response.context["form"].errors["comment"]
    resource.refresh_from_db()
    assert resource.status == S.IN_REVIEW
    assert not Review.objects.exists()


def test_a_review_without_a_decision_is_refused(client, staff, colleague):
    resource = ResourceFactory(author=staff)
    services.resource_submit(resource=resource, by=staff)
    client.force_login(colleague)

    response = client.post(en("review", resource.pk), {"comment": "Bra"})

    assert response.status_code == 200
    assert response.context["form"].errors["decision"]
    resource.refresh_from_db()
    assert resource.status == S.IN_REVIEW


def test_a_resource_not_in_review_sends_the_reviewer_back_to_its_page(client, colleague):
    resource = ResourceFactory()
    client.force_login(colleague)

    response = client.get(en("review", resource.pk))

    assert response.status_code == 302
    assert response.url == en("edit", resource.pk)


def test_editing_a_published_resource_keeps_version_1_public_until_version_2_is_approved(
    client, staff, colleague
):
    resource = published_resource(author=staff, reviewer=colleague, body="Första texten.")
    client.force_login(staff)

    response = client.post(en("edit", resource.pk), edit_data(resource, body="Andra texten."))

    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.status == S.DRAFT
    assert resource.body == "Andra texten."
    assert resource.current_version.number == 1
    assert Resource.objects.published().filter(pk=resource.pk).exists()
    client.logout()
    public = client.get(en("detail", resource.slug)).content.decode()
    assert "Första texten." in public
    assert "Andra texten." not in public

    client.force_login(staff)
    client.post(en("submit", resource.pk))
    client.force_login(colleague)
    review = client.get(en("review", resource.pk)).content.decode()
    assert "Removed:</strong> Första texten." in review
    assert "Added:</strong> Andra texten." in review
    client.post(en("review", resource.pk), {"decision": "approved"})

    resource.refresh_from_db()
    assert resource.current_version.number == 2
    client.logout()
    assert "Andra texten." in client.get(en("detail", resource.slug)).content.decode()
    old = client.get(en("version", resource.slug, 1))
    assert old.status_code == 200
    assert "Första texten." in old.content.decode()


# --- Creating and editing -------------------------------------------------------------


@pytest.mark.parametrize("slug", ["manage", "courses", "guidance"])
def test_the_portals_own_paths_cannot_be_taken_as_address_names(client, staff, slug):
    client.force_login(staff)

    response = client.post(en("create"), form_data(slug=slug))

    assert response.status_code == 200
    assert response.context["form"].errors["slug"]
    assert not Resource.objects.exists()


def test_a_taken_address_name_is_refused(client, staff):
    ResourceFactory(slug="intervjuguide")
    client.force_login(staff)

    response = client.post(en("create"), form_data(slug="intervjuguide"))

    assert response.status_code == 200
    assert "already has this address name" in response.content.decode()
    assert Resource.objects.count() == 1


def test_a_publication_time_in_the_past_is_refused(client, staff):
    client.force_login(staff)
    past = timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(en("create"), form_data(publish_at=past))

    assert response.status_code == 200
    assert response.context["form"].errors["publish_at"]
    assert not Resource.objects.exists()


def test_the_form_has_fieldsets_for_topics_and_audiences_and_markdown_help(client, staff):
    client.force_login(staff)

    page = client.get(en("create")).content.decode()

    assert page.count("<fieldset") >= 2
    assert "<legend" in page
    assert "Markdown" in page
    assert 'name="body"' in page


def test_an_archived_resource_cannot_be_edited(client, staff):
    resource = ResourceFactory(status=S.ARCHIVED, title="Gammal manual")
    client.force_login(staff)

    response = client.post(en("edit", resource.pk), edit_data(resource, title="Ny titel"))

    assert response.status_code == 200
    assert "An archived resource cannot be changed." in response.content.decode()
    resource.refresh_from_db()
    assert resource.title == "Gammal manual"


def test_an_empty_draft_cannot_be_sent_for_review(client, staff):
    resource = ResourceFactory(author=staff, body="")
    client.force_login(staff)

    response = client.post(en("submit", resource.pk))

    assert response.status_code == 302
    assert any("Write the text" in message for message in messages_of(response))
    resource.refresh_from_db()
    assert resource.status == S.DRAFT


def test_the_preview_shows_the_working_copy_marked_as_not_published(client, staff):
    resource = ResourceFactory(body="# Etik\n\n<script>alert(1)</script>Tystnadsplikt gäller.")
    client.force_login(staff)

    page = client.get(en("preview", resource.pk)).content.decode()

    assert "Preview — not published" in page
    assert "<h2>Etik</h2>" in page
    assert "Tystnadsplikt gäller." in page
    assert "<script>alert" not in page


def test_archiving_asks_first_and_then_takes_the_resource_out_of_the_library(client, staff):
    resource = published_resource()
    client.force_login(staff)

    confirm = client.get(en("archive", resource.pk))
    assert confirm.status_code == 200
    resource.refresh_from_db()
    assert resource.status == S.PUBLISHED

    response = client.post(en("archive", resource.pk))

    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.status == S.ARCHIVED
    assert not Resource.objects.published().filter(pk=resource.pk).exists()


# --- Attachments ------------------------------------------------------------------------


def upload(client, resource, name, content, title="Intervjuguide"):
    return client.post(
        en("attachment_add", resource.pk),
        {"attachment-title": title, "attachment-file": SimpleUploadedFile(name, content)},
    )


def test_a_real_pdf_is_stored_with_its_sha256(client, staff, media):
    resource = ResourceFactory()
    client.force_login(staff)

    response = upload(client, resource, "intervjuguide.pdf", MINIMAL_PDF)

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.resource == resource
    assert attachment.kind == "pdf"
    assert attachment.size == len(MINIMAL_PDF)
    assert attachment.sha256 == hashlib.sha256(MINIMAL_PDF).hexdigest()
    assert attachment.uploaded_by == staff
    assert len(stored_files(media)) == 1
    assert "Intervjuguide" in client.get(en("edit", resource.pk)).content.decode()


def test_an_executable_named_pdf_is_refused_and_nothing_is_stored(client, staff, media):
    resource = ResourceFactory()
    client.force_login(staff)

    response = upload(client, resource, "manual.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)

    assert response.status_code == 200
    assert "this file is none of them" in response.content.decode()
    assert response.context["attachment_form"].errors["file"]
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_a_file_over_10_mb_is_refused_and_nothing_is_stored(client, staff, media):
    resource = ResourceFactory()
    client.force_login(staff)
    content = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1 - 9)

    response = upload(client, resource, "stor.pdf", content)

    assert response.status_code == 200
    assert "larger than 10 MB" in response.content.decode()
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_an_upload_without_a_file_is_refused(client, staff, media):
    resource = ResourceFactory()
    client.force_login(staff)

    response = client.post(en("attachment_add", resource.pk), {"attachment-title": "Tom"})

    assert response.status_code == 200
    assert response.context["attachment_form"].errors["file"]
    assert not Attachment.objects.exists()


def test_an_attachment_of_the_working_copy_can_be_removed(client, staff, media):
    resource = ResourceFactory()
    attachment = services.attachment_add(
        resource=resource,
        by=staff,
        upload=SimpleUploadedFile("guide.pdf", MINIMAL_PDF),
        title="Guide",
    )
    client.force_login(staff)

    response = client.post(en("attachment_remove", resource.pk, attachment.pk))

    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_an_attachment_of_another_resource_cannot_be_removed_through_this_one(client, staff, media):
    mine, other = ResourceFactory(), ResourceFactory()
    attachment = services.attachment_add(
        resource=other, by=staff, upload=SimpleUploadedFile("g.pdf", MINIMAL_PDF), title="G"
    )
    client.force_login(staff)

    response = client.post(en("attachment_remove", mine.pk, attachment.pk))

    assert response.status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


# --- Scheduled publication --------------------------------------------------------------


def test_a_resource_approved_before_its_date_waits_and_is_published_when_it_comes(
    client, staff, colleague
):
    when = timezone.localtime(timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    client.force_login(staff)
    client.post(en("create"), form_data(publish_at=when.strftime("%Y-%m-%dT%H:%M")))
    resource = Resource.objects.get()
    assert resource.publish_at == when
    client.post(en("submit", resource.pk))
    client.force_login(colleague)

    client.post(en("review", resource.pk), {"decision": "approved"})

    resource.refresh_from_db()
    assert resource.status == S.SCHEDULED
    assert not Resource.objects.published().filter(pk=resource.pk).exists()
    client.logout()
    assert client.get(en("detail", resource.slug)).status_code == 404
    client.force_login(colleague)
    dashboard = client.get(en("editor"))
    assert list(dashboard.context["scheduled"]) == [resource]
    assert dashboard.context["scheduled"][0].scheduled_for == when

    assert services.resources_publish_due(now=when - timedelta(minutes=1)) == 0
    assert services.resources_publish_due(now=when + timedelta(minutes=1)) == 1

    resource.refresh_from_db()
    assert resource.status == S.PUBLISHED
    assert Resource.objects.published().filter(pk=resource.pk).exists()


# --- Translations --------------------------------------------------------------------------


def test_translating_a_published_resource_starts_a_linked_draft(client, staff):
    source = published_resource(title="Revisionsmanual")
    client.force_login(staff)

    response = client.post(
        en("translate", source.pk), {"language": "nb", "slug": "revisjonsmanual"}
    )

    translation_ = Resource.objects.get(slug="revisjonsmanual")
    assert response.status_code == 302
    assert response.url == en("edit", translation_.pk)
    assert translation_.status == S.DRAFT
    assert translation_.language == "nb"
    assert translation_.source == source
    assert translation_.source_version == 1


def test_a_draft_can_be_translated_and_says_when_it_will_be_published(client, staff):
    source = ResourceFactory(title="Utkast")
    client.force_login(staff)

    page = client.get(en("edit", source.pk)).content.decode()
    assert en("translate", source.pk) in page
    form = client.get(en("translate", source.pk)).content.decode()
    assert "published together with its source or after it" in form

    response = client.post(en("translate", source.pk), {"language": "nb", "slug": "utkast-nb"})

    translation = Resource.objects.get(slug="utkast-nb")
    assert response.status_code == 302
    assert (translation.source, translation.title) == (source, "Utkast")


def test_stale_translations_are_listed_and_cleared_by_marking_them_current(
    client, staff, colleague
):
    source = published_resource(author=staff, reviewer=colleague, title="Revisionsmanual")
    norwegian = services.resource_translate(
        source=source, by=staff, language="nb", slug="revisjonsmanual"
    )
    services.resource_update(resource=source, by=staff, data={"body": "Ny version."})
    services.resource_submit(resource=source, by=staff)
    services.resource_review(resource=source, by=colleague, decision="approved")
    client.force_login(staff)

    dashboard = client.get(en("editor"))
    assert list(dashboard.context["stale"]) == [norwegian]
    page = dashboard.content.decode()
    assert "Translations older than their source" in page
    assert "Norsk bokmål" in page

    response = client.post(en("mark_current", norwegian.pk), {"next": en("editor")})

    assert response.status_code == 302
    assert response.url == en("editor")
    norwegian.refresh_from_db()
    assert norwegian.source_version == 2
    assert list(client.get(en("editor")).context["stale"]) == []


def test_mark_current_never_redirects_to_another_site(client, staff):
    source = published_resource()
    norwegian = services.resource_translate(source=source, by=staff, language="nb", slug="nb-1")
    client.force_login(staff)

    response = client.post(en("mark_current", norwegian.pk), {"next": "https://evil.example/"})

    assert response.url == en("edit", norwegian.pk)


# --- The dashboard --------------------------------------------------------------------------


def test_review_links_are_offered_only_for_what_the_user_did_not_write_or_send(
    client, staff, colleague
):
    mine = ResourceFactory(author=staff, title="Min text")
    services.resource_submit(resource=mine, by=staff)
    theirs = ResourceFactory(author=colleague, title="Karins text")
    services.resource_submit(resource=theirs, by=colleague)
    client.force_login(staff)

    response = client.get(en("editor"))

    page = response.content.decode()
    assert en("review", theirs.pk) in page
    assert en("review", mine.pk) not in page
    assert "Karin Kollega" in page


def test_the_dashboard_lists_my_drafts_but_not_a_colleagues(client, staff, colleague):
    mine = ResourceFactory(author=staff)
    ResourceFactory(author=colleague)
    client.force_login(staff)

    response = client.get(en("editor"))

    assert list(response.context["drafts"]) == [mine]


def _one_of_each(staff, colleague) -> None:
    ResourceFactory(author=staff)
    in_review = ResourceFactory(author=colleague)
    services.resource_submit(resource=in_review, by=colleague)
    published = published_resource(author=colleague, reviewer=staff)
    services.resource_translate(
        source=published, by=staff, language="en", slug=f"en-{published.pk}"
    )
    services.resource_update(resource=published, by=colleague, data={"body": "Ny."})
    services.resource_submit(resource=published, by=colleague)
    services.resource_review(resource=published, by=staff, decision="approved")
    scheduled = ResourceFactory(author=colleague, publish_at=timezone.now() + timedelta(days=2))
    services.resource_submit(resource=scheduled, by=colleague)
    services.resource_review(resource=scheduled, by=staff, decision="approved")
    services.resource_archive(resource=published_resource(), by=staff)


def test_the_dashboard_query_count_does_not_grow_with_the_resources(
    client, staff, colleague, django_assert_max_num_queries
):
    client.force_login(staff)
    _one_of_each(staff, colleague)
    client.get(en("editor"))  # Warm the session and content-type caches.
    with django_assert_max_num_queries(12) as one:
        client.get(en("editor"))

    for _ in range(6):
        _one_of_each(staff, colleague)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(en("editor"))

    assert response.status_code == 200
    assert len(response.context["stale"]) == 7
    assert len(response.context["scheduled"]) == 7


# --- Who may reach the editor ------------------------------------------------------------------


def editor_urls(resource: Resource) -> list[tuple[str, str]]:
    pk = resource.pk
    return [
        ("get", en("editor")),
        ("get", en("create")),
        ("get", en("edit", pk)),
        ("get", en("preview", pk)),
        ("get", en("review", pk)),
        ("get", en("archive", pk)),
        ("get", en("translate", pk)),
        ("post", en("edit", pk)),
        ("post", en("submit", pk)),
        ("post", en("archive", pk)),
        ("post", en("attachment_add", pk)),
        ("post", en("attachment_remove", pk, 1)),
        ("post", en("mark_current", pk)),
    ]


@pytest.mark.parametrize("persona", ["auditor", "commissioner", "outsider"])
def test_people_outside_the_centre_are_refused_every_editor_page(client, request, persona):
    resource = ResourceFactory(title="Hemligt utkast")
    client.force_login(request.getfixturevalue(persona))

    for method, url in editor_urls(resource):
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
        assert "Hemligt utkast" not in response.content.decode()
    resource.refresh_from_db()
    assert resource.status == S.DRAFT


def test_anonymous_visitors_are_sent_to_log_in(client):
    resource = ResourceFactory()

    for method, url in editor_urls(resource):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/login/" in response.url
    resource.refresh_from_db()
    assert resource.status == S.DRAFT


def test_an_administrator_may_use_the_editor(client, admin_user):
    client.force_login(admin_user)

    assert client.get(en("editor")).status_code == 200
    assert client.get(en("create")).status_code == 200


def test_an_unknown_resource_is_not_found(client, staff):
    client.force_login(staff)

    assert client.get(en("edit", 999999)).status_code == 404


def test_a_published_resource_being_edited_is_still_listed_as_published(client, staff):
    resource = published_resource(author=staff)
    services.resource_update(resource=resource, by=staff, data={"body": "Utkast till v2."})
    client.force_login(staff)

    response = client.get(en("editor"))

    assert list(response.context["published"]) == [resource]
    assert list(response.context["drafts"]) == [resource]
