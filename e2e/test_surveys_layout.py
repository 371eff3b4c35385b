"""Answering a survey on a small phone, at 200 % zoom, without JavaScript, and read aloud."""

import pytest

from e2e.helpers import has_horizontal_scroll, overflowing_elements
from e2e.test_layout import TEXT_SPACING_CSS
from surveys.models import Kind, Response
from surveys.tests.factories import make_published_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KINDS = (Kind.SCALE5, Kind.SCALE3, Kind.YES_NO, Kind.SINGLE, Kind.MULTIPLE, Kind.NUMBER, Kind.TEXT)

# Records what the page asks the browser to say instead of saying it.
FAKE_SPEECH = """
window.__spoken = [];
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
Object.defineProperty(window, "speechSynthesis", { value: {
    speak(u) { window.__spoken.push({ text: u.text, lang: u.lang }); },
    cancel() {},
} });
"""


@pytest.fixture
def survey(db):
    return make_published_survey(kinds=KINDS)


def start(page, url, survey, language="sv"):
    page.goto(url("surveys:answer_start", language, token=survey.token))
    page.check("input[value=alone]")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def question_urls(url, survey, language="sv"):
    return [
        url("surveys:answer_question", language, token=survey.token, question=q.pk)
        for q in survey.questions.in_order()
    ]


@pytest.mark.parametrize(
    "viewport",
    [
        pytest.param({"width": 320, "height": 640, "scale": 1}, id="320px"),
        pytest.param({"width": 640, "height": 400, "scale": 2}, id="1280px-at-200pct"),
    ],
)
def test_every_question_kind_reflows_without_sideways_scrolling(new_context, url, survey, viewport):
    page = new_context(
        viewport={"width": viewport["width"], "height": viewport["height"]},
        device_scale_factor=viewport["scale"],
        # The text spacing below stands in for a user style sheet (WCAG 1.4.12), which the
        # page's CSP does not govern.
        bypass_csp=True,
    ).new_page()
    start(page, url, survey)
    for address in question_urls(url, survey):
        page.goto(address)
        assert not has_horizontal_scroll(page), f"{address}: {overflowing_elements(page)}"
        page.add_style_tag(content=TEXT_SPACING_CSS)
        assert not has_horizontal_scroll(page), f"{address} spaced: {overflowing_elements(page)}"


def test_answer_targets_are_at_least_44_px_on_a_phone(new_context, url, survey):
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    start(page, url, survey)
    for address in question_urls(url, survey):
        page.goto(address)
        small = page.evaluate(
            """() => Array.from(document.querySelectorAll(
                    ".survey-option__label, .survey-form button, .speak-button,"
                    + " .survey-easy-switch button, main textarea, main input[type=number]"))
                .map((e) => [e.innerText.trim().slice(0, 30), e.getBoundingClientRect()])
                .filter(([, r]) => r.height < 44 || r.width < 44)
                .map(([name, r]) => `${name}: ${Math.round(r.width)}×${Math.round(r.height)}`)"""
        )
        assert not small, f"{address}: targets smaller than 44 px: {small}"


def test_a_survey_can_be_answered_and_sent_without_javascript(new_context, url, survey):
    page = new_context(java_script_enabled=False).new_page()
    start(page, url, survey)
    # Read-aloud needs JavaScript; without it there are no dead buttons.
    assert page.locator(".speak-button").count() == 0
    for _ in KINDS:
        first_option = page.locator(".survey-option__input").first
        if page.locator("main input[type=number]").count():
            page.fill("main input[type=number]", "3")
        elif page.locator("main textarea").count():
            page.fill("main textarea", "Bra.")
        else:
            first_option.check()
        with page.expect_navigation():
            page.locator("button[value=next]").click()
    assert page.url.endswith("/review/")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith("/done/")
    response = Response.objects.get(survey=survey)
    assert response.is_submitted
    assert response.answers.values("question").distinct().count() == len(KINDS)


@pytest.mark.parametrize(("language", "voice"), [("sv", "sv-SE"), ("nb", "nb-NO"), ("en", "en-GB")])
def test_read_aloud_speaks_the_question_and_each_option_in_the_page_language(
    new_context, url, survey, language, voice
):
    context = new_context()
    context.add_init_script(FAKE_SPEECH)
    page = context.new_page()
    start(page, url, survey, language)
    question = survey.questions.in_order().first()
    options = list(question.options.all())
    buttons = page.locator(".speak-button")
    # One button for the question: it reads the question, its help and then its options.
    assert buttons.count() == 1
    assert buttons.first.get_attribute("aria-pressed") == "false"
    # Outside the legend: the group's name is the question alone.
    assert page.locator("legend .speak-button").count() == 0

    buttons.first.focus()
    page.keyboard.press("Enter")
    assert buttons.first.get_attribute("aria-pressed") == "true"

    spoken = page.evaluate("window.__spoken")
    assert len(spoken) == 1 and spoken[0]["lang"] == voice
    text = spoken[0]["text"]
    parts = [question.tr("text", language), question.tr("help", language)]
    parts += [option.tr("label", language) for option in options]
    positions = [text.index(part) for part in parts]
    assert positions == sorted(positions), text
    # A read-aloud button never sits inside a label, where it would also tick the option.
    assert page.locator("label .speak-button").count() == 0


# Sums the layout shifts the browser reports while the page loads (Lighthouse's CLS for a
# page without later interaction).
LAYOUT_SHIFT = """() => new Promise((resolve) => {
    let total = 0;
    new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
            if (!entry.hadRecentInput) { total += entry.value; }
        }
    }).observe({ type: "layout-shift", buffered: true });
    setTimeout(() => resolve(total), 1500);
})"""


@pytest.mark.parametrize(
    "viewport",
    [
        pytest.param({"width": 390, "height": 844}, id="phone"),
        pytest.param({"width": 1280, "height": 800}, id="desktop"),
    ],
)
def test_nothing_on_the_start_page_moves_while_it_loads(new_context, url, survey, viewport):
    context = new_context(viewport=viewport)
    context.add_init_script(FAKE_SPEECH)  # read-aloud on: its button is put in on load
    page = context.new_page()
    page.goto(url("surveys:answer_start", token=survey.token))
    page.wait_for_load_state("load")
    shift = page.evaluate(LAYOUT_SHIFT)
    assert shift < 0.1, shift
    # One read-aloud button for the introduction, not one after every line.
    assert page.locator(".speak-button").count() == 1


def test_the_support_person_question_appears_only_after_choosing_help(page, url, survey):
    page.goto(url("surveys:answer_start", token=survey.token))
    role = page.locator("select[name=support_role]")
    assert role.is_hidden()
    page.check("input[value=helped]")
    assert role.is_visible()
    page.check("input[value=alone]")
    assert role.is_hidden()


def test_the_picture_scale_lays_out_evenly_at_390_px(new_context, url, survey):
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    start(page, url, survey)
    scale5 = survey.questions.in_order().get(kind=Kind.SCALE5)
    page.goto(url("surveys:answer_question", token=survey.token, question=scale5.pk))
    boxes = page.locator(".survey-options--scale .survey-option__label").evaluate_all(
        "(labels) => labels.map((l) => { const r = l.getBoundingClientRect();"
        " return [Math.round(r.x), Math.round(r.width), Math.round(r.height)]; })"
    )
    # Six options (five faces and "don't know"), one a row, all the same width.
    assert len(boxes) == 6
    assert len({(x, width) for x, width, _h in boxes}) == 1, boxes
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 1600, height
    # One button for reading aloud is not offered without speech; the answer buttons stay few.
    assert page.locator("main button").count() <= 8
