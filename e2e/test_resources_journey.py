"""The resources issue's required journey in a real browser: a staff member writes a resource
in Swedish with Markdown headings and sends it for review; a colleague (another browser)
approves it; it is found in the library's search; a Norwegian version is made, approved by
the first staff member and linked both ways; a new Swedish version is approved and the old
one stays readable with a note; an anonymous visitor cannot reach a draft or its file."""

from __future__ import annotations

from unittest import mock

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, Page

from brukarkraft.roles import Role
from brukarkraft.tests.factories import UserFactory
from resources.models import Attachment, Resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 10_000
SLUG = "revisionsmanual-orebro"
TITLE = "Revisionsmanual för brukarrevision i Örebro"
BODY = (
    "# Innan revisionen\n\nBeställaren och revisorerna kommer överens om "
    "revisionsfrågorna.\n\n## Tystnadsplikt\n\nAlla skriver under en förbindelse.\n\n"
    "# Datainsamling\n\nIntervjuer och fokusgrupper hålls av två revisorer."
)
NB_TITLE = "Revisjonshåndbok for brukerrevisjon i Örebro"
NEW_SECTION = "# Återkoppling\n\nResultatet lämnas först muntligt till verksamheten."
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def sv(message: str, **values) -> str:
    """A string as the Swedish pages show it, from the same catalogue."""
    with translation.override("sv"):
        return gettext(message) % values if values else gettext(message)


@pytest.fixture
def open_page(browser: Browser):
    """A new page in a browser context of its own: one person, one browser."""
    contexts = []

    def open_() -> Page:
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def _no_pdf_rendering(settings, tmp_path):
    """WeasyPrint is slow and not what this journey is about; uploads go to a temp dir."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with mock.patch("resources.tasks.print_version.delay"):
        yield


def _send(page: Page, form) -> None:
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()


def _approve(page: Page, url, resource: Resource) -> None:
    page.goto(url("resources:review", pk=resource.pk))
    page.check("main input[name=decision][value=approved]")
    _send(page, page.locator("main form[method=post]:not([action])"))
    assert page.url == url("resources:editor")
    assert sv("Approved and published.") in page.content()


def test_a_resource_is_written_reviewed_found_translated_and_revised(
    open_page, url, login_in_browser, staff
):
    staff.preferred_language = "sv"
    staff.save(update_fields=["preferred_language"])
    colleague = UserFactory(full_name="Karl Kollega", roles=[Role.STAFF], preferred_language="sv")
    sara, karl, visitor = open_page(), open_page(), open_page()
    login_in_browser(sara, staff)
    login_in_browser(karl, colleague)

    # Sara writes the resource in Swedish, with Markdown headings, and sends it for review.
    sara.goto(url("resources:create"))
    sara.fill("main input[name=slug]", SLUG)
    sara.select_option("main select[name=kind]", "audit_manual")
    sara.select_option("main select[name=language]", "sv")
    sara.check("main input[name=topics][value=user_audit]")
    sara.check("main input[name=audiences][value=auditors]")
    sara.fill("main input[name=title]", TITLE)
    sara.fill("main textarea[name=summary]", "Så planerar och genomför ni en brukarrevision.")
    sara.fill("main textarea[name=body]", BODY)
    _send(sara, sara.locator("main form[method=post]"))
    resource = Resource.objects.get(slug=SLUG)
    assert sara.url == url("resources:edit", pk=resource.pk)
    assert resource.status == Resource.Status.DRAFT
    assert resource.author == staff
    _send(sara, sara.locator("main form[action$='/submit/']"))
    assert sv("The resource is sent for review. A colleague must approve it.") in sara.content()
    resource.refresh_from_db()
    assert resource.status == Resource.Status.IN_REVIEW

    # Nothing is public yet: the anonymous visitor gets 404 for its address.
    response = visitor.goto(url("resources:detail", slug=SLUG))
    assert response.status == 404
    assert TITLE not in visitor.content()

    # Sara may not approve her own work; her colleague Karl, in his own browser, does.
    sara.goto(url("resources:review", pk=resource.pk))
    assert sv("You wrote this or sent it for review: someone else must approve it.") in (
        sara.content()
    )
    _approve(karl, url, resource)
    resource.refresh_from_db()
    assert resource.status == Resource.Status.PUBLISHED
    assert resource.current_version.number == 1
    assert resource.current_version.approved_by == colleague

    # The library's search finds it by a word of the text; the page shows the headings.
    visitor.goto(url("resources:library", query="?q=revisionsfrågorna"))
    result = visitor.locator(f"main a[href$='/resources/{SLUG}/']")
    assert result.count() == 1
    assert TITLE in result.inner_text()
    visitor.goto(url("resources:library", query="?q=ingenting-sådant"))
    assert visitor.locator(f"main a[href$='/resources/{SLUG}/']").count() == 0
    response = visitor.goto(url("resources:detail", slug=SLUG))
    assert response.status == 200
    assert visitor.locator("main h1").inner_text() == TITLE
    assert visitor.locator("main .library-body h2").all_inner_texts() == [
        "Innan revisionen",
        "Datainsamling",
    ]
    assert visitor.locator("main .library-body h3").inner_text() == "Tystnadsplikt"

    # Karl starts a Norwegian version, edits and sends it; Sara approves it.
    karl.goto(url("resources:translate", pk=resource.pk))
    karl.select_option("main select[name=language]", "nb")
    karl.fill("main input[name=slug]", "revisjonshandbok-orebro")
    _send(karl, karl.locator("main form[method=post]"))
    norwegian = Resource.objects.get(slug="revisjonshandbok-orebro")
    assert norwegian.source == resource
    assert norwegian.language == "nb"
    assert norwegian.status == Resource.Status.DRAFT
    assert karl.url == url("resources:edit", pk=norwegian.pk)
    form = karl.locator(f"main form[action$='/manage/{norwegian.pk}/']")
    form.locator("input[name=title]").fill(NB_TITLE)
    form.locator("textarea[name=summary]").fill("Slik planlegger og gjennomfører dere en revisjon.")
    form.locator("textarea[name=body]").fill(
        "# Før revisjonen\n\nBestilleren og revisorene blir enige om revisjonsspørsmålene."
    )
    _send(karl, form)
    _send(karl, karl.locator("main form[action$='/submit/']"))
    _approve(sara, url, norwegian)

    # The Swedish page links to the Norwegian one (hreflang="nb"), and back.
    visitor.goto(url("resources:detail", slug=SLUG))
    to_norwegian = visitor.locator("main a[hreflang=nb]")
    assert to_norwegian.inner_text() == NB_TITLE
    with visitor.expect_navigation():
        to_norwegian.click()
    assert visitor.url == url("resources:detail", slug="revisjonshandbok-orebro")
    assert visitor.locator("main h1").inner_text() == NB_TITLE
    assert visitor.locator("main article").get_attribute("lang") == "nb"
    to_swedish = visitor.locator("main a[hreflang=sv]")
    assert to_swedish.inner_text() == TITLE
    assert to_swedish.get_attribute("href").endswith(f"/resources/{SLUG}/")

    # Sara writes a new version of the Swedish text; Karl approves it.
    sara.goto(url("resources:edit", pk=resource.pk))
    form = sara.locator(f"main form[action$='/manage/{resource.pk}/']")
    form.locator("textarea[name=body]").fill(BODY + "\n\n" + NEW_SECTION)
    _send(sara, form)
    # Until approved, the library still shows version 1.
    visitor.goto(url("resources:detail", slug=SLUG))
    assert "Återkoppling" not in visitor.locator("main").inner_text()
    _send(sara, sara.locator("main form[action$='/submit/']"))
    _approve(karl, url, resource)
    resource.refresh_from_db()
    assert resource.current_version.number == 2

    visitor.goto(url("resources:detail", slug=SLUG))
    assert "Återkoppling" in visitor.locator("main .library-body").inner_text()
    assert visitor.locator(f"main a[href$='/resources/{SLUG}/v1/']").count() == 1
    # The old version stays readable, with a note that a newer one exists.
    response = visitor.goto(url("resources:version", slug=SLUG, number=1))
    assert response.status == 200
    main = visitor.locator("main").inner_text()
    assert sv("A newer version exists.") in main
    assert "Datainsamling" in main
    assert "Återkoppling" not in main
    assert visitor.locator(f"main a[href$='/resources/{SLUG}/']").count() >= 1
    # The Norwegian text now follows an older version of its source.
    sara.goto(url("resources:edit", pk=norwegian.pk))
    assert sv("The source now has version %(number)s: this text may need updating.", number=2) in (
        sara.locator("main").inner_text()
    )

    # A new draft with a file: neither the draft nor its file reaches an anonymous visitor.
    sara.goto(url("resources:create"))
    sara.fill("main input[name=slug]", "utkast-fokusgrupper")
    sara.fill("main input[name=title]", "Fokusgrupper steg för steg")
    sara.fill("main textarea[name=summary]", "Ett utkast.")
    sara.fill("main textarea[name=body]", "# Förberedelser\n\nBjud in sex till åtta personer.")
    _send(sara, sara.locator("main form[method=post]"))
    draft = Resource.objects.get(slug="utkast-fokusgrupper")
    upload = sara.locator("main form[action$='/attachments/']")
    upload.locator("input[name=attachment-title]").fill("Inbjudan (PDF)")
    upload.locator("input[type=file]").set_input_files(
        files=[{"name": "inbjudan.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    _send(sara, upload)
    attachment = Attachment.objects.get(resource=draft)
    assert "Inbjudan (PDF)" in sara.locator("main").inner_text()

    response = visitor.goto(url("resources:detail", slug=draft.slug))
    assert response.status == 404
    assert "Fokusgrupper steg för steg" not in visitor.content()
    file_response = visitor.request.get(
        url("resources:attachment", slug=draft.slug, attachment=attachment.pk)
    )
    assert file_response.status == 404
    assert PDF not in file_response.body()
    # Nor through the published resource's address.
    file_response = visitor.request.get(
        url("resources:attachment", slug=SLUG, attachment=attachment.pk)
    )
    assert file_response.status == 404
    visitor.goto(url("resources:library", query="?q=Fokusgrupper"))
    assert visitor.locator(f"main a[href$='/resources/{draft.slug}/']").count() == 0
    attachment.refresh_from_db()
    assert attachment.downloads == 0
