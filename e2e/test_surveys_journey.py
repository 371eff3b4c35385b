"""The surveys issue's required journey in a real browser.

Staff build a survey with a picture scale and a conditional question and publish it;
an anonymous respondent answers it with the keyboard only in easy-to-read mode, stops,
continues on another "device" with the code, sends twice and one response is stored;
the results stay hidden under 5 respondents and appear at 5.
"""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext

from e2e.helpers import describe_focus, focused, tab_to
from surveys import services
from surveys.models import Answer, Kind, Option, Response, Survey
from surveys.tests import factories
from surveys.tests.factories import answer_and_submit, make_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCALE = "Hur bemöter personalen dig?"
SCALE_EASY = "Är personalen snäll mot dig?"
LISTEN = "Lyssnar personalen på dig?"
FOLLOW_UP = "Vad skulle personalen göra annorlunda?"
COMMENT = "De kunde fråga mig oftare."
HELP = "Tänk på hur det brukar vara."


def sv(message: str, **values) -> str:
    """A string as the Swedish pages show it, from the same catalogue."""
    with translation.override("sv"):
        return gettext(message) % values if values else gettext(message)


def sv_plural(singular: str, plural: str, count: int, **values) -> str:
    with translation.override("sv"):
        return ngettext(singular, plural, count) % {"counter": count, **values}


def press_and_wait(page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def add_question(page, url, survey, kind: str, texts: tuple[str, str, str], easy: str, **extra):
    page.goto(url("surveys:question_create", pk=survey.pk))
    page.select_option("select[name=kind]", kind)
    for language, text in zip(("sv", "nb", "en"), texts, strict=True):
        page.fill(f"textarea[name=text_{language}]", text)
        page.fill(f"textarea[name=easy_{language}]", easy)
        # With easy-to-read text the builder asks for a help text as well.
        page.fill(f"textarea[name=help_{language}]", HELP)
    if "show_if" in extra:
        page.select_option("select[name=show_if_option]", str(extra["show_if"]))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


def build_and_publish(page, url, login_in_browser, staff) -> Survey:
    login_in_browser(page, staff)
    page.goto(url("surveys:create"))
    page.fill("input[name=title_sv]", "Vad tycker du om stödet?")
    page.fill("input[name=title_nb]", "Hva synes du om støtten?")
    page.fill("input[name=title_en]", "What do you think of the support?")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    survey = Survey.objects.get(title_sv="Vad tycker du om stödet?")

    add_question(
        page,
        url,
        survey,
        "scale5",
        (SCALE, "Hvordan blir du møtt av de ansatte?", "How do the staff treat you?"),
        SCALE_EASY,
    )
    add_question(
        page,
        url,
        survey,
        "yes_no",
        (LISTEN, "Lytter de ansatte til deg?", "Do the staff listen to you?"),
        "Lyssnar personalen när du pratar?",
    )
    no = Option.objects.get(question__survey=survey, question__text_sv=LISTEN, value="no")
    add_question(
        page,
        url,
        survey,
        "text",
        (FOLLOW_UP, "Hva burde de ansatte gjøre annerledes?", "What should the staff change?"),
        "Vad ska personalen göra i stället?",
        show_if=no.pk,
    )

    page.goto(url("surveys:builder", pk=survey.pk))
    assert page.locator(".check-ok").count() == 1, page.locator(".check-list").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name=sv("Publish the survey")).click()
    assert page.url.startswith(url("surveys:distribution", pk=survey.pk))
    survey.refresh_from_db()
    return survey


def choose_with_arrows(page, name_fragment: str, value: str) -> None:
    """Tab into a radio group and move with the arrow keys until `value` is checked."""
    tab_to(page, f"(e) => e.type === 'radio' && e.name.endsWith({name_fragment!r})")
    for _ in range(8):
        if focused(page, f"(e) => e.value === {value!r} && e.checked"):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"could not reach {value} with the arrow keys: {describe_focus(page)}")


def test_a_survey_is_built_answered_by_keyboard_resumed_and_sent_once(
    browser, live_server, url, login_in_browser, staff
):
    staff_page = browser.new_context().new_page()
    staff_page.set_default_timeout(10_000)
    survey = build_and_publish(staff_page, url, login_in_browser, staff)
    scale, listen, follow_up = survey.questions.in_order()

    # --- An anonymous respondent on their phone, keyboard only ---------------------------
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE").new_page()
    phone.set_default_timeout(10_000)
    phone.goto(url("surveys:answer_start", token=survey.token))
    tab_to(phone, "(e) => e.name === 'easy_read'")
    phone.keyboard.press("Space")
    choose_with_arrows(phone, "support", "alone")
    tab_to(phone, "(e) => e.matches('main form button[type=submit]')")
    press_and_wait(phone, "Enter")

    # Easy-to-read mode: the easy text is the question, focus is on it.
    assert SCALE_EASY in phone.locator("main h1").inner_text()
    assert focused(phone, "(e) => e.id === 'question-heading'"), describe_focus(phone)
    # Counted of every question that can appear (the follow-up too): it never changes.
    progress = sv("Question %(n)s of %(total)s", n=1, total=3)
    assert progress in phone.locator(".survey-progress__text").inner_text()
    # The question group is named by the question alone; one read-aloud button, outside it.
    assert phone.get_by_role("group", name=SCALE_EASY, exact=True).count() == 1
    assert phone.locator(".speak-button").count() == 1
    assert phone.locator("legend .speak-button").count() == 0
    # Nothing leads away mid-survey: no menu, no footer links but the accessibility statement.
    assert phone.locator("nav.main-nav").count() == 0
    assert phone.locator("footer a").count() == 1
    # The smiley scale: five options with a visible text each, and "don't know", laid out
    # evenly at 390 px: every option as wide as the others.
    assert phone.locator(".survey-option__smiley").count() == 5
    widths = phone.locator(".survey-options--scale .survey-option__label").evaluate_all(
        "(labels) => labels.map((l) => Math.round(l.getBoundingClientRect().width))"
    )
    assert len(widths) == 6 and len(set(widths)) == 1, widths
    choose_with_arrows(phone, "answer", str(scale.options.get(value="4").pk))
    # The chosen option is named by its words alone; the tick is for the eye only.
    good = str(scale.options.get(value="4").tr("label", "sv"))
    assert phone.get_by_role("radio", name=good, exact=True).is_checked()
    assert phone.locator(".survey-option__input:checked + label .survey-option__tick").is_visible()
    tab_to(phone, "(e) => e.matches('button[value=next]')")
    press_and_wait(phone, "Enter")

    # "No" opens the conditional follow-up question.
    choose_with_arrows(phone, "answer", str(listen.options.get(value="no").pk))
    tab_to(phone, "(e) => e.matches('button[value=next]')")
    press_and_wait(phone, "Enter")
    assert phone.url.endswith(f"/q/{follow_up.pk}/")
    assert (
        sv("Question %(n)s of %(total)s", n=3, total=3)
        in phone.locator(".survey-progress__text").inner_text()
    )
    # The limit of a free text is on the page, with a count of what is left.
    left = sv("(%(count)s characters left)", count=5000)
    assert left in phone.locator(".survey-count").inner_text()
    tab_to(phone, "(e) => e.tagName === 'TEXTAREA'")
    phone.keyboard.type(COMMENT)

    # Stop here: the answer is saved and a code is shown.
    tab_to(phone, "(e) => e.matches('button[value=pause]')")
    press_and_wait(phone, "Enter")
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", phone.locator(".survey-code").inner_text())
    assert code, phone.locator("main").inner_text()
    response = Response.objects.get(survey=survey)
    assert response.answers.filter(question=follow_up, text=COMMENT).exists()
    assert response.easy_read

    # --- Later, on another device: continue with the code --------------------------------
    laptop = browser.new_context().new_page()
    laptop.set_default_timeout(10_000)
    laptop.goto(url("surveys:resume"))
    tab_to(laptop, "(e) => e.name === 'code'")
    laptop.keyboard.type(code.group(0).lower())
    press_and_wait(laptop, "Enter")
    assert laptop.url.endswith("/review/"), laptop.url
    answered = sv_plural(
        "You have answered %(counter)s question of %(total)s.",
        "You have answered %(counter)s questions of %(total)s.",
        3,
        total=3,
    )
    assert answered in laptop.locator("main").inner_text()

    # Send twice: a double click, then the back button and send again.
    send = laptop.locator("main form[data-submit-once] button[type=submit]")
    with laptop.expect_navigation():
        send.dblclick()
    assert laptop.url.endswith("/done/")
    laptop.go_back()
    laptop.wait_for_load_state()
    laptop.goto(url("surveys:answer_review", token=survey.token))
    assert laptop.url.endswith("/done/")
    assert Response.objects.filter(survey=survey).count() == 1
    assert Response.objects.get(survey=survey).status == Response.Status.SUBMITTED

    # --- Results: hidden under 5 respondents, shown at 5 ---------------------------------
    results = url("surveys:results", pk=survey.pk)
    happy_and_listened = {
        scale: scale.options.get(value="5"),
        listen: listen.options.get(value="yes"),
    }
    for _ in range(3):
        answer_and_submit(survey, happy_and_listened)
    staff_page.goto(results)
    text = staff_page.locator("main").inner_text()
    fewer = sv(
        "Fewer than %(min)s people have answered in this selection. To protect their"
        " anonymity no results are shown.",
        min=5,
    )
    assert fewer in text, text
    assert staff_page.locator(".result-question").count() == 0

    answer_and_submit(survey, happy_and_listened)
    staff_page.goto(results)
    people = sv_plural("%(counter)s person answered.", "%(counter)s people answered.", 5)
    assert people in staff_page.locator("main").inner_text()
    scale_table = staff_page.locator(f"#result-{scale.pk} ~ .result-chart table")
    assert "80.0 %" in scale_table.inner_text() or "80,0 %" in scale_table.inner_text()
    # The follow-up was answered by one person only: still suppressed.
    follow = staff_page.locator(f"article[aria-labelledby=result-{follow_up.pk}]")
    question_fewer = sv(
        "Fewer than %(min)s people answered this question. The answers are not shown.", min=5
    )
    assert question_fewer in follow.inner_text()


def test_on_one_page_a_conditional_question_appears_only_after_its_answer(page, url):
    survey = make_survey(kinds=(Kind.YES_NO,), one_question_per_page=False)
    listen = survey.questions.get()
    no = listen.options.get(value="no")
    follow_up = factories.add_question(survey.sections.get(), Kind.TEXT, show_if_option=no)
    survey = services.survey_publish(survey=survey, by=None)

    page.goto(url("surveys:answer_start", token=survey.token))
    page.check("input[value=alone]")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    block = page.locator(f"[data-show-if='{no.pk}']")
    assert block.is_hidden()

    page.check(f"input[value='{no.pk}']")
    assert block.is_visible()
    page.fill("textarea", COMMENT)
    page.check(f"input[value='{listen.options.get(value='yes').pk}']")
    # Hidden again, and its answer cleared so that nothing is sent for it.
    assert block.is_hidden()
    with page.expect_navigation():
        page.locator("button[value=next]").click()
    assert page.url.endswith("/review/"), page.locator("main").inner_text()
    assert not Answer.objects.filter(question=follow_up).exists()
