"""The guides journey of issue 18 in a real browser, keyboard-free of JavaScript: the lead
auditor starts the interview guide, picks questions from the bank into it, writes one of
their own, moves it up, shares the guide; the commissioner reads it and comments; the lead
reads the comment and downloads the guide PDF, whose text is checked."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from audits.fieldwork.models import Guide, GuideQuestion
from audits.fieldwork.tests.factories import BankQuestionFactory
from audits.models import Audit, Theme
from audits.tests.factories import audit_in_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 15_000
OWN = "Hur fungerar det att byta handledare?"
COMMENT = "Fråga också om de nya öppettiderna."


def sv(message: str) -> str:
    with translation.override("sv"):
        return gettext(message)


@pytest.fixture
def open_page(browser: Browser):
    contexts = []

    def open_() -> Page:
        context = browser.new_context(accept_downloads=True, locale="sv-SE")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        return page

    yield open_
    for context in contexts:
        context.close()


def _send(page: Page, form) -> None:
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()


def test_the_lead_builds_and_shares_a_guide_the_commissioner_comments_the_team_prints(
    open_page, url, login_in_browser, commissioner, staff, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    audit = audit_in_state(Audit.Status.COLLECTING, commissioner=commissioner, staff=staff)
    lead = audit.members.get(role="lead").user
    treated = BankQuestionFactory(theme=Theme.TREATMENT, text_sv="Hur blir du bemött här?")
    BankQuestionFactory(theme=Theme.SAFETY, text_sv="Känner du dig trygg här?")
    amira, cecilia = open_page(), open_page()
    login_in_browser(amira, lead)
    login_in_browser(cecilia, commissioner)

    # The lead starts the interview guide from the audit's guides.
    amira.goto(url("audits:fieldwork:guides", pk=audit.pk))
    _send(amira, amira.locator("main form[action$='/interview/start/']"))
    guide = Guide.objects.get(audit=audit, kind="interview")
    assert amira.url == url("audits:fieldwork:guide", pk=audit.pk, kind="interview")
    assert "anonymt" in amira.locator("#introduction").inner_text()

    # Picks two questions from the bank, by their labels.
    amira.get_by_role("link", name=sv("Add questions from the bank")).click()
    amira.get_by_label("Hur blir du bemött här?").check()
    amira.get_by_label("Känner du dig trygg här?").check()
    _send(amira, amira.locator("main form[method=post]"))
    assert "Hur blir du bemött här?" in amira.locator("main").inner_text()

    # Writes a question of its own and moves it up to be the second.
    amira.get_by_role("link", name=sv("Write a question of your own")).click()
    amira.get_by_label(sv("Question"), exact=True).fill(OWN)
    amira.get_by_label(sv("Follow-up questions")).fill("Fick du veta i förväg?\nVem hjälpte dig?")
    _send(amira, amira.locator("main form[method=post]"))
    own = GuideQuestion.objects.get(text=OWN)
    _send(amira, amira.locator(f"#question-{own.pk} form[action*='/move/up/']"))
    # The bank lists by theme: safety before treatment.
    assert [q.text for q in GuideQuestion.objects.filter(section__guide=guide)] == [
        "Känner du dig trygg här?",
        OWN,
        treated.text_sv,
    ]

    # Before sharing, the commissioner cannot open the guide.
    response = cecilia.goto(url("audits:fieldwork:guide", pk=audit.pk, kind="interview"))
    assert response.status == 404

    _send(amira, amira.locator("main form[action$='/share/']"))
    assert sv("The guide is shared. The commissioner can now read and comment on it.") in (
        amira.content()
    )

    # The commissioner reads it and comments.
    cecilia.goto(url("audits:fieldwork:guides", pk=audit.pk))
    cecilia.get_by_role("link", name=sv("Interview guide")).click()
    assert OWN in cecilia.locator("main").inner_text()
    assert cecilia.get_by_role("link", name=sv("Add questions from the bank")).count() == 0
    cecilia.get_by_label(sv("Your comment")).fill(COMMENT)
    _send(cecilia, cecilia.locator("main form[method=post]:not([action])"))
    assert sv("Your comment is saved.") in cecilia.content()

    # The lead sees the comment and makes the PDF for the session, then downloads it.
    amira.reload()
    assert COMMENT in amira.locator("#comments").inner_text()
    _send(amira, amira.locator("main form[action$='/pdf/']"))
    amira.reload()  # made in the background: the page says when it is ready
    link = amira.get_by_role("link", name=sv("Download the PDF"))
    with amira.expect_download() as download_info:
        link.click()
    path = tmp_path / "guide.pdf"
    download_info.value.save_as(path)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert OWN in text
    assert "Vem hjälpte dig?" in text
    assert "avbryta när som helst" in text
