"""The public library: search and filters, a resource's page, earlier versions, language
versions, the printable PDF and attachments. Nothing unpublished is reachable by anyone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.roles import Role
from brukarkraft.tests.factories import UserFactory
from resources import services
from resources.models import Attachment, Audience, Kind, Resource, ResourceVersion, Topic
from resources.tests.factories import ResourceFactory, published_resource

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LIBRARY = reverse("resources:library")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def author(db):
    # Anna writes resources at the centre; a colleague approves them.
    return UserFactory(full_name="Anna Skribent", roles=[Role.STAFF])


@pytest.fixture
def reviewer(db):
    # Rolf approves what Anna writes (no one approves their own work).
    return UserFactory(full_name="Rolf Granskare", roles=[Role.STAFF])


def publish(resource: Resource, author, reviewer) -> Resource:
    services.resource_submit(resource=resource, by=author)
    services.resource_review(resource=resource, by=reviewer, decision="approved")
    resource.refresh_from_db()
    return resource


def new_version(resource: Resource, author, reviewer, **data) -> Resource:
    services.resource_update(resource=resource, by=author, data=data)
    return publish(resource, author, reviewer)


def add_attachment(resource: Resource, by, title: str = "Checklista") -> Attachment:
    upload = SimpleUploadedFile("checklista.pdf", PDF, content_type="application/pdf")
    return services.attachment_add(resource=resource, by=by, upload=upload, title=title)


def titles_in(response) -> list[str]:
    pattern = r'class="h5 library-result__title"[^>]*><a href="[^"]+">([^<]+)</a>'
    return re.findall(pattern, response.content.decode())


def found_count(response) -> int:
    """The number in the role="status" line (whatever the interface language)."""
    status = re.search(r'role="status"[^>]*>\s*(\d+)', response.content.decode())
    return int(status.group(1))


# --- The library: listing, search and filters ---------------------------------------------


def test_the_library_lists_only_published_resources_to_anyone(client, author, reviewer):
    published_resource(author=author, reviewer=reviewer, title="Publicerad manual")
    ResourceFactory(author=author, title="Utkast som ingen ser")
    in_review = ResourceFactory(author=author, title="Manual under granskning")
    services.resource_submit(resource=in_review, by=author)
    archived = published_resource(author=author, reviewer=reviewer, title="Arkiverad manual")
    services.resource_archive(resource=archived, by=author)
    published_resource(
        author=author,
        reviewer=reviewer,
        title="Schemalagd manual",
        publish_at=timezone.now() + timedelta(days=3),
    )

    response = client.get(LIBRARY)

    assert response.status_code == 200
    assert titles_in(response) == ["Publicerad manual"]
    assert found_count(response) == 1


def test_unapproved_edits_never_show_in_the_library(client, author, reviewer):
    resource = published_resource(author=author, reviewer=reviewer, title="Godkänd titel")
    services.resource_update(
        resource=resource, by=author, data={"title": "Ny titel som inte är granskad"}
    )

    response = client.get(LIBRARY)

    assert titles_in(response) == ["Godkänd titel"]
    assert "inte är granskad" not in response.content.decode()


def test_each_result_shows_kind_language_easy_to_read_and_summary_in_its_language(
    client, author, reviewer
):
    published_resource(
        author=author,
        reviewer=reviewer,
        title="Lättläst om brukarråd",
        language="nb",
        kind=Kind.FACT_SHEET,
        easy_to_read=True,
        summary="Hva et brukerutvalg gjør.",
    )

    page = client.get(LIBRARY).content.decode()

    assert '<h3 class="h5 library-result__title" lang="nb">' in page
    assert '<p class="library-result__summary" lang="nb">Hva et brukerutvalg gjør.</p>' in page
    assert '<span lang="nb">Norsk bokmål</span>' in page
    assert f"<span>{Kind.FACT_SHEET.label}</span>" in page
    assert 'class="library-mark"' in page


def test_a_plain_word_finds_resources_on_every_database(client, author, reviewer):
    published_resource(
        author=author,
        reviewer=reviewer,
        title="Fokusgrupper i praktiken",
        body="Så leder ni en fokusgrupp med brukare.",
    )
    published_resource(
        author=author, reviewer=reviewer, title="Avtal och arvoden", body="Om ersättning."
    )

    response = client.get(LIBRARY, {"q": "fokusgrupp"})

    assert titles_in(response) == ["Fokusgrupper i praktiken"]
    assert found_count(response) == 1


def test_search_matches_only_the_published_text_not_the_working_copy(client, author, reviewer):
    resource = published_resource(author=author, reviewer=reviewer, title="Intervjuteknik")
    services.resource_update(resource=resource, by=author, data={"body": "hemligtord"})

    response = client.get(LIBRARY, {"q": "hemligtord"})

    assert titles_in(response) == []


def test_a_swedish_word_form_finds_its_stem_on_every_database(client, author, reviewer):
    published_resource(
        author=author,
        reviewer=reviewer,
        title="Att hålla intervjuer",
        summary="Förberedelser och frågor.",
        body="Revisorerna intervjuer brukare två och två.",
    )
    published_resource(author=author, reviewer=reviewer, title="Avtal", body="Om arvoden.")

    # "intervjuerna" is not a substring of "intervjuer": only the stemmer joins them.
    response = client.get(LIBRARY, {"q": "intervjuerna"})

    assert titles_in(response) == ["Att hålla intervjuer"]


def test_a_norwegian_text_is_searched_with_norwegian_stemming_on_every_database(
    client, author, reviewer
):
    published_resource(
        author=author,
        reviewer=reviewer,
        language="nb",
        title="Slik arbeider et brukerutvalg",
        summary="Om møter og saker.",
    )

    response = client.get(LIBRARY, {"q": "brukerutvalgene"})

    assert titles_in(response) == ["Slik arbeider et brukerutvalg"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": Kind.TEMPLATE}, ["Mall för kallelse"]),
        ({"language": "en"}, ["Guide to user councils"]),
        ({"topic": Topic.COUNCILS}, ["Guide to user councils", "Mall för kallelse"]),
        ({"audience": Audience.COMMISSIONERS}, ["Guide to user councils"]),
        ({"easy_to_read": "on"}, ["Lättläst manual"]),
        ({"topic": Topic.COUNCILS, "language": "sv"}, ["Mall för kallelse"]),
    ],
)
def test_filters_narrow_the_results(client, author, reviewer, params, expected):
    published_resource(
        author=author,
        reviewer=reviewer,
        title="Lättläst manual",
        easy_to_read=True,
        topics=[Topic.USER_AUDIT],
        audiences=[Audience.AUDITORS],
    )
    published_resource(
        author=author,
        reviewer=reviewer,
        title="Mall för kallelse",
        kind=Kind.TEMPLATE,
        topics=[Topic.COUNCILS, Topic.PARTICIPATION],
        audiences=[Audience.REPRESENTATIVES],
    )
    published_resource(
        author=author,
        reviewer=reviewer,
        title="Guide to user councils",
        language="en",
        kind=Kind.METHOD_GUIDE,
        topics=[Topic.COUNCILS],
        audiences=[Audience.COMMISSIONERS, Audience.EVERYONE],
    )

    response = client.get(LIBRARY, params)

    assert response.status_code == 200
    assert titles_in(response) == expected


def test_no_results_gives_helpful_advice(client, author, reviewer):
    published_resource(author=author, reviewer=reviewer)

    response = client.get(LIBRARY, {"q": "zyxxyz"})

    page = response.content.decode()
    assert found_count(response) == 0
    assert gettext("No text matches your search.") in page
    assert f'href="{LIBRARY}"' in page


def test_an_unknown_filter_value_is_a_form_error_not_a_crash(client, author, reviewer):
    published_resource(author=author, reviewer=reviewer, title="Publicerad manual")

    response = client.get(LIBRARY, {"kind": "<script>", "language": "xx"})

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"kind", "language"}
    assert 'class="error-summary"' in response.content.decode()
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_results_come_twenty_a_page(client, author, reviewer):
    for number in range(23):
        published_resource(author=author, reviewer=reviewer, title=f"Manual {number:02}")

    first = client.get(LIBRARY)
    second = client.get(LIBRARY, {"page": 2})

    assert len(titles_in(first)) == 20
    assert titles_in(second) == ["Manual 20", "Manual 21", "Manual 22"]
    assert found_count(first) == 23


@pytest.mark.parametrize("count", [1, 30])
def test_the_library_answers_in_a_fixed_number_of_queries(
    client, author, reviewer, django_assert_max_num_queries, count
):
    for number in range(count):
        published_resource(
            author=author, reviewer=reviewer, title=f"Manual {number}", body="fokusgrupp"
        )

    with django_assert_max_num_queries(2):
        response = client.get(LIBRARY, {"q": "fokusgrupp", "topic": Topic.USER_AUDIT})

    assert len(titles_in(response)) == min(count, 20)


def test_the_main_menu_links_the_library_for_anonymous_visitors(client):
    page = client.get(LIBRARY).content.decode()

    assert f'<a href="{LIBRARY}" aria-current="page">' in page
    assert "resources/resources.css" in page


# --- A resource's page --------------------------------------------------------------------


def test_a_published_resource_shows_its_current_version(client, author, reviewer):
    resource = published_resource(
        author=author,
        reviewer=reviewer,
        title="Revisionsmanual",
        summary="Hela revisionen steg för steg.",
        body="# Innan\n\nText med *betoning*.\n\n<script>alert(1)</script>",
    )

    response = client.get(resource.get_absolute_url())

    page = response.content.decode()
    assert response.status_code == 200
    assert '<article class="library-text" lang="sv">' in page
    assert "<h1>Revisionsmanual</h1>" in page
    assert "Hela revisionen steg för steg." in page
    assert "<h2>Innan</h2>" in page and "<em>betoning</em>" in page
    assert "<script>alert" not in page
    assert reverse("resources:print_pdf", args=[resource.slug, 1]) in page
    assert "<dd>1</dd>" in page  # the version number
    assert 'aria-current="page" lang="sv">Revisionsmanual</li>' in page


def test_the_page_lists_the_versions_attachments_with_type_and_size(client, author, reviewer):
    resource = ResourceFactory(author=author)
    attachment = add_attachment(resource, author, title="Checklista för intervjun")
    publish(resource, author, reviewer)

    page = client.get(resource.get_absolute_url()).content.decode()

    assert reverse("resources:attachment", args=[resource.slug, attachment.pk]) in page
    assert "Checklista för intervjun" in page
    assert "(PDF, " in page


@pytest.mark.parametrize("user", [None, "outsider", "staff"])
def test_unpublished_resources_are_404_for_everyone_by_url(client, author, reviewer, request, user):
    if user:
        client.force_login(request.getfixturevalue(user))
    draft = ResourceFactory(author=author)
    draft_file = add_attachment(draft, author)
    in_review = ResourceFactory(author=author)
    services.resource_submit(resource=in_review, by=author)
    archived = ResourceFactory(author=author)
    archived_file = add_attachment(archived, author)
    publish(archived, author, reviewer)
    services.resource_archive(resource=archived, by=author)
    scheduled = ResourceFactory(author=author, publish_at=timezone.now() + timedelta(days=2))
    scheduled_file = add_attachment(scheduled, author)
    publish(scheduled, author, reviewer)
    assert scheduled.status == Resource.Status.SCHEDULED

    urls = [
        reverse("resources:detail", args=["finns-inte"]),
        reverse("resources:attachment", args=[draft.slug, draft_file.pk]),
        reverse("resources:attachment", args=[archived.slug, archived_file.pk]),
        reverse("resources:attachment", args=[scheduled.slug, scheduled_file.pk]),
        reverse("resources:version", args=[archived.slug, 1]),
        reverse("resources:print_pdf", args=[archived.slug, 1]),
        reverse("resources:print_pdf", args=[scheduled.slug, 1]),
    ]
    for resource in (draft, in_review, archived, scheduled):
        urls.append(reverse("resources:detail", args=[resource.slug]))
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert Attachment.objects.filter(downloads__gt=0).count() == 0


def test_the_page_answers_in_a_fixed_number_of_queries(
    client, author, reviewer, django_assert_max_num_queries
):
    source = ResourceFactory(author=author)
    for number in range(4):
        add_attachment(source, author, title=f"Bilaga {number}")
    publish(source, author, reviewer)
    for number in range(3):
        new_version(source, author, reviewer, summary=f"Ny sammanfattning {number}")
    for language in ("nb", "en"):
        translation = services.resource_translate(
            source=source, by=author, language=language, slug=f"manual-{language}"
        )
        publish(translation, author, reviewer)

    with django_assert_max_num_queries(4):
        response = client.get(source.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["attachments"]) == 4
    assert len(response.context["other_versions"]) == 3


# --- Earlier versions ---------------------------------------------------------------------


def test_an_earlier_version_stays_readable_with_a_note_about_the_newer_one(
    client, author, reviewer
):
    resource = published_resource(author=author, reviewer=reviewer, title="Första titeln")
    new_version(resource, author, reviewer, title="Andra titeln", body="Ny text.")

    old = client.get(reverse("resources:version", args=[resource.slug, 1]))
    current = client.get(resource.get_absolute_url())

    old_page = old.content.decode()
    assert old.status_code == 200
    assert "<h1>Första titeln</h1>" in old_page
    note = re.search(r'<div class="library-note" role="note">(.*?)</div>', old_page, re.S)
    assert note is not None
    assert gettext("A newer version exists.") in note.group(1)
    assert f'href="{resource.get_absolute_url()}"' in note.group(1)
    current_page = current.content.decode()
    assert "<h1>Andra titeln</h1>" in current_page
    assert 'role="note"' not in current_page
    assert reverse("resources:version", args=[resource.slug, 1]) in current_page


def test_the_current_version_number_redirects_to_the_resource_page(client, author, reviewer):
    resource = published_resource(author=author, reviewer=reviewer)

    response = client.get(reverse("resources:version", args=[resource.slug, 1]))

    assert response.status_code == 302
    assert response["Location"] == resource.get_absolute_url()


def test_a_scheduled_version_is_404_until_it_is_published(client, author, reviewer):
    resource = published_resource(author=author, reviewer=reviewer, title="Gällande")
    new_version(
        resource,
        author,
        reviewer,
        title="Kommande",
        publish_at=timezone.now() + timedelta(days=5),
    )
    assert resource.status == Resource.Status.SCHEDULED
    future = resource.versions.get(number=2)
    future.pdf.save("kommande.pdf", ContentFile(PDF))

    assert client.get(reverse("resources:version", args=[resource.slug, 2])).status_code == 404
    assert client.get(reverse("resources:print_pdf", args=[resource.slug, 2])).status_code == 404
    assert client.get(reverse("resources:version", args=[resource.slug, 9])).status_code == 404
    assert "<h1>Gällande</h1>" in client.get(resource.get_absolute_url()).content.decode()
    future.refresh_from_db()
    assert future.downloads == 0


# --- Language versions and easy-to-read variants --------------------------------------------


def test_language_versions_and_variants_link_to_each_other_in_both_directions(
    client, author, reviewer
):
    source = published_resource(author=author, reviewer=reviewer, title="Revisionsmanual")
    norwegian = services.resource_translate(
        source=source, by=author, language="nb", slug="revisjonsmanual"
    )
    new_version(norwegian, author, reviewer, title="Revisjonsmanual")
    easy = services.resource_translate(
        source=source, by=author, language="sv", easy_to_read=True, slug="lattlast-manual"
    )
    publish(easy, author, reviewer)
    services.resource_translate(  # an English draft: not linked anywhere yet
        source=source, by=author, language="en", slug="audit-manual"
    )

    source_page = client.get(source.get_absolute_url()).content.decode()
    norwegian_page = client.get(norwegian.get_absolute_url()).content.decode()

    nb_link = f'href="{norwegian.get_absolute_url()}" hreflang="nb" lang="nb">Revisjonsmanual</a>'
    assert nb_link in source_page
    assert f'href="{easy.get_absolute_url()}" hreflang="sv"' in source_page
    assert "audit-manual" not in source_page
    # From the translation: its source (marked as the original) and its sibling variant.
    assert f'href="{source.get_absolute_url()}" hreflang="sv" lang="sv">Revisionsmanual</a>' in (
        norwegian_page
    )
    assert f'href="{easy.get_absolute_url()}" hreflang="sv"' in norwegian_page
    assert '<span lang="nb">Norsk bokmål</span>' in source_page
    assert '<span lang="sv">Svenska</span>' in norwegian_page


def test_an_archived_translation_is_not_linked(client, author, reviewer):
    source = published_resource(author=author, reviewer=reviewer)
    norwegian = services.resource_translate(
        source=source, by=author, language="nb", slug="revisjonsmanual"
    )
    publish(norwegian, author, reviewer)
    services.resource_archive(resource=norwegian, by=author)

    page = client.get(source.get_absolute_url()).content.decode()

    assert norwegian.get_absolute_url() not in page


# --- The printable PDF and attachments ---------------------------------------------------------


def test_the_pdf_not_yet_made_shows_a_page_with_a_reload_link(client, author, reviewer):
    resource = published_resource(author=author, reviewer=reviewer)
    url = reverse("resources:print_pdf", args=[resource.slug, 1])

    response = client.get(url)

    assert response.status_code == 200
    assert f'href="{url}"' in response.content.decode()
    assert resource.current_version.downloads == 0


def test_the_pdf_is_served_and_counted(client, author, reviewer):
    resource = published_resource(author=author, reviewer=reviewer)
    version = resource.current_version
    version.pdf.save("manual-v1.pdf", ContentFile(PDF))

    response = client.get(reverse("resources:print_pdf", args=[resource.slug, 1]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    version.refresh_from_db()
    assert version.downloads == 1


def test_an_earlier_versions_pdf_can_be_printed(client, author, reviewer):
    resource = published_resource(author=author, reviewer=reviewer)
    first = resource.current_version
    first.pdf.save("manual-v1.pdf", ContentFile(PDF))
    new_version(resource, author, reviewer, title="Ny titel")

    response = client.get(reverse("resources:print_pdf", args=[resource.slug, 1]))

    assert response.status_code == 200
    first.refresh_from_db()
    assert first.downloads == 1


def test_an_attachment_downloads_and_counts_without_storing_who(client, outsider, author, reviewer):
    resource = ResourceFactory(author=author)
    attachment = add_attachment(resource, author)
    publish(resource, author, reviewer)
    before = Attachment.objects.values().get(pk=attachment.pk)
    client.force_login(outsider)

    response = client.get(reverse("resources:attachment", args=[resource.slug, attachment.pk]))
    client.logout()
    again = client.get(reverse("resources:attachment", args=[resource.slug, attachment.pk]))

    assert response.status_code == again.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    after = Attachment.objects.values().get(pk=attachment.pk)
    assert after.pop("downloads") == 2
    before.pop("downloads")
    assert after == before  # nothing but the count changed


def test_an_attachment_only_on_the_working_copy_is_404(client, author, reviewer):
    resource = published_resource(author=author, reviewer=reviewer)
    added_later = add_attachment(resource, author)

    response = client.get(reverse("resources:attachment", args=[resource.slug, added_later.pk]))

    assert response.status_code == 404
    added_later.refresh_from_db()
    assert added_later.downloads == 0


def test_an_attachment_of_another_resource_is_404(client, author, reviewer):
    resource = published_resource(author=author, reviewer=reviewer)
    other = ResourceFactory(author=author)
    attachment = add_attachment(other, author)
    publish(other, author, reviewer)

    response = client.get(reverse("resources:attachment", args=[resource.slug, attachment.pk]))

    assert response.status_code == 404


def test_an_earlier_versions_attachment_stays_downloadable(client, author, reviewer):
    resource = ResourceFactory(author=author)
    attachment = add_attachment(resource, author)
    publish(resource, author, reviewer)
    new_version(resource, author, reviewer, title="Ny titel")
    assert ResourceVersion.objects.filter(resource=resource).count() == 2

    response = client.get(reverse("resources:attachment", args=[resource.slug, attachment.pk]))

    assert response.status_code == 200


def test_the_library_pages_refuse_posts(client, author, reviewer):
    resource = published_resource(author=author, reviewer=reviewer)

    assert client.post(LIBRARY).status_code == 405
    assert client.post(resource.get_absolute_url()).status_code == 405


def test_the_language_filter_names_each_language_in_itself(client):
    page = client.get(LIBRARY).content.decode()

    assert '<option value="nb" lang="nb">Norsk bokmål</option>' in page


def test_a_head_request_is_not_counted_as_a_download(client, author, reviewer):
    resource = ResourceFactory(author=author)
    attachment = add_attachment(resource, author)
    publish(resource, author, reviewer)

    response = client.head(reverse("resources:attachment", args=[resource.slug, attachment.pk]))

    assert response.status_code == 200
    attachment.refresh_from_db()
    assert attachment.downloads == 0


def test_the_search_form_marks_no_field_optional(client):
    # Every field of a search is optional: "Sök i biblioteket (frivilligt)" said nothing.
    page = client.get(reverse("resources:library")).content.decode()

    assert "Sök i biblioteket" in page
    assert "field-optional" not in page
