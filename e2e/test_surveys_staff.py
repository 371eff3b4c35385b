"""Survey staff pages in a real browser: answer options added on the page and saved at once,
free-text answers decided together, and the delete pages, each checked with axe-core."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from surveys import services
from surveys.models import Answer, Kind
from surveys.tests.factories import answer_and_submit, make_published_survey, make_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAYS = ["Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag"]


def sv(message: str) -> str:
    with translation.override("sv"):
        return gettext(message)


def test_seven_answer_options_are_written_on_one_page_and_saved_at_once(
    page, url, login_in_browser, staff, axe
):
    survey = make_survey()
    question = services.question_add(
        section=survey.sections.get(), kind=Kind.SINGLE, text_sv="Vilken dag?"
    )
    login_in_browser(page, staff)
    page.goto(url("surveys:question_edit", pk=survey.pk, question=question.pk))
    axe(page)

    add = page.get_by_role("button", name=sv("Add an answer option"))
    for _ in range(len(DAYS) - 2):
        add.click()
    # Each new block takes the keyboard to its first field.
    assert page.evaluate("document.activeElement.name") == "options-6-label_sv"
    for index, day in enumerate(DAYS):
        page.fill(f"input[name=options-{index}-label_sv]", day)
    with page.expect_navigation():
        page.get_by_role("button", name=sv("Save the question")).click()

    assert list(question.options.order_by("position").values_list("label_sv", flat=True)) == DAYS


def test_free_text_answers_are_ticked_and_hidden_together(page, url, login_in_browser, staff, axe):
    survey = make_published_survey(kinds=(Kind.TEXT,))
    question = survey.questions.get()
    for words in ("Bra", "Jag heter Anna", "Min adress är Storgatan 1"):
        answer_and_submit(survey, {question: words})
    login_in_browser(page, staff)
    page.goto(url("surveys:free_text", pk=survey.pk))
    axe(page)

    boxes = page.get_by_label(sv("Tick to decide together with others"))
    boxes.nth(1).check()
    boxes.nth(2).check()
    with page.expect_navigation():
        page.get_by_role("button", name=sv("Hide the ticked answers")).click()

    reviews = dict(Answer.objects.values_list("text", "review"))
    assert reviews == {
        "Bra": "pending",
        "Jag heter Anna": "hidden",
        "Min adress är Storgatan 1": "hidden",
    }
    axe(page)


def test_the_delete_pages_pass_axe(page, url, login_in_browser, staff, axe):
    draft = make_survey()
    published = make_published_survey()
    answer_and_submit(
        published, {published.questions.get(): published.questions.get().options.first()}
    )
    login_in_browser(page, staff)

    for name, survey in (("surveys:delete", draft), ("surveys:test_answers_delete", published)):
        page.goto(url(name, pk=survey.pk))
        axe(page)
    page.goto(url("surveys:exports", pk=published.pk))
    axe(page)
