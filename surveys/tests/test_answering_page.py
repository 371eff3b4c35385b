"""The answering page as a respondent with a cognitive, visual or motor disability meets it."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from surveys import services
from surveys.checks import survey_problems
from surveys.forms import QuestionForm
from surveys.models import Answer, Kind, Question, Response

from .factories import SectionFactory, SurveyFactory, add_question, make_published_survey
from .test_answering import (
    answer,
    make_conditional_survey,
    my_response,
    page_text,
    question_url,
    review_url,
    start,
    start_url,
    sv,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    return make_conditional_survey()


@pytest.fixture
def questions(survey):
    return list(survey.questions.in_order())


def legend_of(html: str) -> str:
    return re.search(r"<legend[^>]*>(.*?)</legend>", html, re.S).group(1)


# --- Read aloud -------------------------------------------------------------------------------


def test_a_question_has_one_read_aloud_control_outside_its_legend(client, survey, questions):
    start(client, survey)
    html = page_text(client.get(question_url(survey, questions[0])))
    # The fieldset's name is the question alone: nothing to read aloud inside the legend.
    legend = legend_of(html)
    assert "button" not in legend and sv("Read aloud") not in legend
    assert re.sub(r"<[^>]+>|\s+", " ", legend).split() == [
        "Hur",
        "trivs",
        "du",
        "på",
        "daglig",
        "verksamhet?",
    ]
    # One group per question, whose button (added by survey.js) reads the question and
    # then each option: all of them are marked as its texts.
    assert html.count("data-speak-group") == 1
    assert html.count("data-speak-slot") == 1
    group = html[html.index("data-speak-group") :]
    assert group.count("data-speak>") >= 1 + questions[0].options.count()


def test_the_start_page_has_one_read_aloud_control_not_one_per_line(client, survey):
    html = page_text(client.get(start_url(survey)))
    assert html.count("data-speak-group") == 1
    assert html.count("data-speak-slot") == 1


# --- The chosen option ----------------------------------------------------------------------


def test_a_chosen_option_s_tick_is_hidden_from_assistive_technology(client, survey, questions):
    choice = questions[0]
    start(client, survey)
    answer(client, survey, choice, choice.options.first().pk)
    html = page_text(client.get(question_url(survey, choice)))
    first_label = re.search(r'<label class="survey-option__label"[^>]*>(.*?)</label>', html, re.S)
    ticks = re.findall(r"<span[^>]*>✔</span>", first_label.group(1))
    assert ticks == ['<span class="survey-option__tick" aria-hidden="true">✔</span>']
    # Generated content would be part of the name ("Svar ✔"): the style sheet has none.
    with open("surveys/static/surveys/surveys.css", encoding="utf-8") as css:
        assert not re.search(r"content:\s*\"[^\"]*✔", css.read())


# --- A count that never changes -------------------------------------------------------------


def progress(response) -> str:
    return re.search(r'id="progress-text"[^>]*>(.*?)</p>', page_text(response), re.S).group(1)


def test_the_question_count_never_changes_under_the_respondent(client, survey, questions):
    choice, follow_up, number = questions
    start_page = client.get(start_url(survey))
    assert start_page.context["question_count"] == 3
    start(client, survey)
    assert progress(client.get(question_url(survey, choice))) == "Fråga 1 av 3"
    # The answer that hides the follow-up: the count stays at 3 and the number question keeps 3.
    answer(client, survey, choice, choice.options.last().pk)
    assert progress(client.get(question_url(survey, number))) == "Fråga 3 av 3"
    # The answer that shows it: still of 3.
    answer(client, survey, choice, choice.options.first().pk)
    assert progress(client.get(question_url(survey, follow_up))) == "Fråga 2 av 3"
    assert progress(client.get(question_url(survey, number))) == "Fråga 3 av 3"
    review = client.get(review_url(survey))
    assert [n for n, _q, _a in review.context["rows"]] == [1, 2, 3]


# --- A focused layout -----------------------------------------------------------------------


@pytest.mark.parametrize("page", ["start", "question", "review", "pause"])
def test_the_answering_pages_have_nothing_that_leads_away(client, survey, questions, page):
    start(client, survey)
    url = {
        "start": start_url(survey),
        "question": question_url(survey, questions[0]),
        "review": review_url(survey),
        "pause": reverse("surveys:answer_pause", args=[survey.token]),
    }[page]
    html = page_text(client.get(url))
    links = set(re.findall(r'<a [^>]*href="([^"#]+)', html))
    allowed = {
        reverse("accessibility"),
        reverse("surveys:resume"),
        reverse("surveys:answer_review", args=[survey.token]),
        *(question_url(survey, q) for q in questions),
    }
    assert links <= allowed, links - allowed
    assert reverse("accessibility") in links
    assert 'class="main-nav"' not in html
    assert 'class="language-switcher"' in html


# --- Free text ------------------------------------------------------------------------------


def test_too_long_free_text_gets_a_plain_message_and_the_limit_is_shown(client):
    survey = make_published_survey(kinds=(Kind.TEXT,))
    question = survey.questions.get()
    start(client, survey)
    page = page_text(client.get(question_url(survey, question)))
    assert f'maxlength="{services.MAX_TEXT_ANSWER}"' in page
    assert sv("At most %(max)s characters.", max=services.MAX_TEXT_ANSWER) in page
    response = answer(client, survey, question, "x" * 49999)
    assert response.status_code == 200
    text = page_text(response)
    expected = sv(
        "Your answer is too long. Write at most %(limit_value)s characters."
        " Now there are %(show_value)s.",
        limit_value=services.MAX_TEXT_ANSWER,
        show_value=49999,
    )
    assert escape(expected) in text
    assert "Säkerställ" not in text
    assert not Answer.objects.exists()


def test_line_breaks_count_as_one_character_as_in_the_browser(client):
    survey = make_published_survey(kinds=(Kind.TEXT,))
    question = survey.questions.get()
    start(client, survey)
    text = "a\r\n" * (services.MAX_TEXT_ANSWER // 2)
    assert answer(client, survey, question, text).status_code == 302
    assert Answer.objects.get().text == ("a\n" * (services.MAX_TEXT_ANSWER // 2)).strip()


# --- Who helps ------------------------------------------------------------------------------


def test_the_support_person_question_waits_for_help_and_is_optional(client, survey):
    html = page_text(client.get(start_url(survey)))
    assert re.search(r'<div class="survey-support-role">\s*<div id="div_id_support_role"', html)
    assert escape(sv("Who is your support person? (optional)")) in html
    response = start(client, survey, support=Response.Support.HELPED)
    assert response.status_code == 302
    started = my_response(client, survey)
    assert (started.support, started.support_role) == (Response.Support.HELPED, "")


# --- Next with nothing chosen ---------------------------------------------------------------


def test_next_with_nothing_chosen_asks_once_whether_to_skip(client, survey, questions):
    choice, follow_up, number = questions
    start(client, survey)
    asked = answer(client, survey, choice, "")
    assert asked.status_code == 200
    html = page_text(asked)
    assert escape(sv("You have not chosen an answer")) in html
    assert '<input type="hidden" name="empty_ok" value="1">' in html
    assert not Answer.objects.exists()
    # Next again with nothing: the respondent meant it, go on.
    response = client.post(
        question_url(survey, choice),
        {f"q{choice.pk}-answer": "", "action": "next", "empty_ok": "1"},
    )
    assert response.status_code == 302
    assert response.url == question_url(survey, number)
    assert not Answer.objects.exists()


def test_skip_on_the_question_asks_nothing(client, survey, questions):
    start(client, survey)
    response = answer(client, survey, questions[0], "", action="skip")
    assert response.status_code == 302


# --- "I don't understand" in easy-to-read mode ------------------------------------------------


def test_in_easy_read_mode_i_dont_understand_offers_the_help_text(client, survey, questions):
    choice = questions[0]
    start(client, survey, easy_read="on")
    html = page_text(client.get(question_url(survey, choice), {"explain": "1"}))
    explain = html[html.index('class="survey-explain"') :]
    explain = explain[: explain.index("</div>")]
    assert escape(choice.help) in explain
    # The easy words are already the question on the page: not offered again as "new".
    assert escape(choice.easy) not in explain


def test_the_check_flags_easy_read_text_without_a_help_text(db):
    survey = SurveyFactory()
    section = SectionFactory(survey=survey, position=1)
    question = add_question(section, Kind.YES_NO)
    assert survey_problems(survey) == []
    Question.objects.filter(pk=question.pk).update(help_nb="")
    problems = [p.message for p in survey_problems(survey)]
    assert problems == [
        sv("Question %(number)s: ", number=1)
        + sv(
            "there is easy-to-read text in %(language)s but no help text. “I don't"
            " understand the question” shows the help text: explain the question in"
            " other words.",
            language="norska",
        )
    ]


def test_the_builder_asks_for_a_help_text_where_there_is_easy_read_text(db):
    survey = SurveyFactory()
    section = SectionFactory(survey=survey, position=1)
    data = {
        "section": section.pk,
        "kind": Kind.YES_NO,
        "text_sv": "Trivs du?",
        "easy_sv": "Trivs du?",
        "help_sv": "",
    }
    form = QuestionForm(data, survey=survey)
    assert not form.is_valid()
    assert list(form.errors) == ["help_sv"]
    data["help_sv"] = "Trivs betyder att du tycker om att vara här."
    assert QuestionForm(data, survey=survey).is_valid()
