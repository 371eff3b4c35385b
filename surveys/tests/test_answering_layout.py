"""The answering pages' own layout and their SQL path (surveys/answering_sql.py)."""

import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.template import Context, Template
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from brukarkraft.templatetags.portal_static import static_url, url_cached
from surveys import answering_sql, services
from surveys.models import Answer, Kind, Question, Response
from surveys.question_cache import forget_all

from .factories import make_published_survey
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

# The budgets below are those of the hand-written SQL, which runs on PostgreSQL (production
# and CI); on SQLite (a newcomer's machine) answering_sql does the same through the ORM.
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the answering SQL runs on PostgreSQL"
)


@pytest.fixture
def survey():
    return make_conditional_survey()


@pytest.fixture
def questions(survey):
    return list(survey.questions.in_order())


# --- The focused layout -------------------------------------------------------------------------


def test_a_question_page_has_no_menu_but_keeps_language_easy_read_pause_and_statement(
    client, survey, questions
):
    start(client, survey)
    response = client.get(question_url(survey, questions[0]))
    html = page_text(response)
    used = [template.name for template in response.templates]
    # Its own layout, not the site's with parts emptied.
    assert "surveys/_focused.html" in used
    assert "base.html" not in used
    assert 'class="main-nav"' not in html
    assert 'class="breadcrumbs' not in html
    assert f'href="{reverse("home")}"' not in html
    # What stays: language choice, easy-to-read, pause, the accessibility statement.
    assert 'class="language-switcher"' in html
    assert f'action="{reverse("set_language")}"' in html
    assert f'action="{reverse("surveys:answer_settings", args=[survey.token])}"' in html
    assert 'name="action" value="pause"' in html
    assert f'<a href="{reverse("accessibility")}">' in html
    assert sv("Accessibility statement") in html
    # Nothing else in the footer leads away.
    assert reverse("feedback") not in html
    assert reverse("privacy") not in html
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html


def test_the_site_layout_still_has_its_menu_and_footer_links(client):
    response = client.get(reverse("home"))
    html = page_text(response)
    assert "base.html" in [template.name for template in response.templates]
    assert 'class="main-nav"' in html
    assert 'class="language-switcher"' in html
    for name in ("accessibility", "feedback", "privacy"):
        assert reverse(name) in html


def test_messages_show_in_the_focused_layout(client, survey, questions):
    # Without a place, a question page sends the respondent to the start page with a word.
    response = client.get(question_url(survey, questions[0]), follow=True)
    html = page_text(response)
    assert "base.html" not in [template.name for template in response.templates]
    assert sv("Start the survey here, or continue with your code.") in html
    assert 'role="status"' in html


def test_the_language_offer_shows_in_the_focused_layout(client, survey):
    html = page_text(client.get(start_url(survey), HTTP_ACCEPT_LANGUAGE="en"))
    assert 'class="container language-offer" lang="en"' in html


def test_the_cached_tags_give_what_static_and_url_give_in_each_language():
    assert static_url("css/portal.css") == static("css/portal.css")
    for language in ("sv", "nb", "en"):
        with translation.override(language):
            assert url_cached("accessibility") == reverse("accessibility")
            assert url_cached("surveys:answer_review", "abc") == reverse(
                "surveys:answer_review", args=["abc"]
            )
    with translation.override("en"), translation.override("sv"):
        assert url_cached("accessibility") == reverse("accessibility")


def test_a_kept_block_is_drawn_once_per_name_values_and_language():
    drawn = Template('{% load portal_static %}{% kept "t-block" mode %}{{ n }}{% endkept %}')
    with translation.override("sv"):
        assert drawn.render(Context({"n": 1, "mode": "a"})) == "1"
        # Drawn once: what changes in the context afterwards is not seen...
        assert drawn.render(Context({"n": 2, "mode": "a"})) == "1"
        # ...unless a value named in the tag changes.
        assert drawn.render(Context({"n": 3, "mode": "b"})) == "3"
    with translation.override("en"):
        assert drawn.render(Context({"n": 4, "mode": "a"})) == "4"


def test_the_kept_parts_of_a_question_page_follow_the_language_and_hold_no_token(
    client, survey, questions
):
    start(client, survey)
    for language, current in (("sv", "Svenska"), ("en", "English"), ("nb", "Norsk (bokmål)")):
        with translation.override(language):
            url = question_url(survey, questions[0])
        html = page_text(client.get(url))
        assert f'<html lang="{language}">' in html
        assert f'aria-current="true">{current}</span>' in html
        with translation.override(language):
            assert translation.gettext("Skip to main content") in html
            assert translation.gettext("Stop and continue later") in html
            assert f'<a href="{reverse("accessibility")}">' in html
    # Every form on the page has its own CSRF field (none kept from another page): the
    # language choice, easy-to-read and the question's own form.
    html = page_text(client.get(question_url(survey, questions[0])))
    assert html.count('name="csrfmiddlewaretoken"') == html.count('method="post"') == 3


# --- Queries ----------------------------------------------------------------------------------


@postgresql_only
def test_a_question_takes_one_query_to_show_and_five_to_save(
    client, survey, questions, django_assert_num_queries
):
    choice = questions[0]
    start(client, survey)
    client.get(question_url(survey, choice))  # the survey's questions are loaded once
    # The response, its survey and its answers: one statement.
    with django_assert_num_queries(1):
        assert client.get(question_url(survey, choice)).status_code == 200
    option = choice.options.first().pk
    # Read; BEGIN, lock, replace the rows, COMMIT.
    with django_assert_num_queries(5):
        assert answer(client, survey, choice, option).status_code == 302
    with django_assert_num_queries(1):
        assert client.get(review_url(survey)).status_code == 200


@postgresql_only
def test_the_questions_and_their_options_load_in_one_statement(survey, questions):
    forget_all()
    with CaptureQueriesContext(connection) as queries:
        loaded = answering_sql.survey_questions(survey.pk)
    assert len(queries.captured_queries) == 1
    # The same as the ORM gives: order, options in order, the option a question depends on.
    expected = list(
        Question.objects.filter(survey=survey)
        .in_order()
        .select_related("show_if_option")
        .prefetch_related("options")
    )
    assert [q.pk for q in loaded] == [q.pk for q in expected]
    with CaptureQueriesContext(connection) as queries:
        for mine, theirs in zip(loaded, expected, strict=True):
            assert mine.text == theirs.text and mine.kind == theirs.kind
            assert [o.pk for o in mine.options.all()] == [o.pk for o in theirs.options.all()]
            assert [o.label for o in mine.options.all()] == [o.label for o in theirs.options.all()]
            assert mine.show_if_option == theirs.show_if_option
    assert not queries.captured_queries


@postgresql_only
def test_the_start_page_takes_one_query_to_show_and_two_to_start(
    client, survey, questions, django_assert_num_queries
):
    client.get(start_url(survey))  # the survey's questions are loaded once
    # The survey by its link, with whether it has one-time codes: one statement.
    with django_assert_num_queries(1):
        page = client.get(start_url(survey))
    key = re.search(r'name="start_key" value="([^"]+)"', page.content.decode()).group(1)
    data = {"start_key": key, "support": "alone"}
    # The survey again, then one INSERT: no read before it, no savepoint, no transaction.
    with django_assert_num_queries(2):
        started = client.post(start_url(survey), data)
    assert started.status_code == 302
    assert Response.objects.filter(survey=survey, start_key=key).count() == 1
    # Sent again (a double click): the INSERT stores nothing, the first response is read,
    # then its answers so far, to know where to go on.
    client.cookies.clear()
    with django_assert_num_queries(4):
        again = client.post(start_url(survey), data)
    assert again["Location"] == started["Location"]
    assert Response.objects.filter(survey=survey).count() == 1
    assert my_response(client, survey).start_key == key


def test_a_start_key_of_another_survey_is_refused_and_stores_nothing(survey):
    other = make_published_survey(kinds=(Kind.SINGLE,))
    mine = services.response_start(survey=other, start_key="k-other").response

    with pytest.raises(ValidationError) as refused:
        services.response_start(survey=survey, start_key="k-other")

    assert refused.value.code == "bad_start"
    assert not Response.objects.filter(survey=survey).exists()
    assert Response.objects.get(start_key="k-other") == mine


@pytest.mark.django_db(transaction=True)
def test_two_starts_with_one_key_at_the_same_moment_make_one_response():
    survey = make_published_survey(kinds=(Kind.SINGLE,))
    ready = threading.Barrier(2)
    started, errors = [], []

    def begin():
        try:
            ready.wait(timeout=10)
            started.append(services.response_start(survey=survey, start_key="k-same"))
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=begin) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert Response.objects.filter(survey=survey).count() == 1
    assert {s.response.pk for s in started} == {Response.objects.get(survey=survey).pk}
    # Only the one that stored the response shows a code to continue with.
    assert sorted(s.resume_code is None for s in started) == [False, True]


# --- Saving: exactly once -----------------------------------------------------------------------


def test_answering_the_same_question_twice_keeps_one_answer(client, survey, questions):
    choice = questions[0]
    first, last = choice.options.first(), choice.options.last()
    start(client, survey)
    # A double click: the same post twice.
    answer(client, survey, choice, first.pk)
    answer(client, survey, choice, first.pk)
    response = my_response(client, survey)
    assert list(response.answers.values_list("question_id", "option_id")) == [(choice.pk, first.pk)]
    # A changed answer replaces the earlier one; skipping removes it.
    answer(client, survey, choice, last.pk)
    assert list(response.answers.values_list("option_id", flat=True)) == [last.pk]
    answer(client, survey, choice, "", action="skip")
    assert not response.answers.exists()


def test_a_multiple_choice_answer_is_one_row_per_option_and_replaced_whole():
    survey = make_published_survey(kinds=(Kind.MULTIPLE, Kind.TEXT))
    multiple, text = survey.questions.in_order()
    a, b = multiple.options.all()[:2]
    response = services.response_start(survey=survey, start_key="k-multi").response
    services.answer_save(response=response, question=multiple, given=services.GivenAnswer([a.pk]))
    chosen = services.answer_save(
        response=response, question=multiple, given=services.GivenAnswer([b.pk, a.pk, b.pk])
    )
    assert chosen == {a.pk, b.pk}
    assert sorted(response.answers.values_list("option_id", flat=True)) == sorted([a.pk, b.pk])
    services.answer_save(
        response=response, question=text, given=services.GivenAnswer([], text=" Hej ")
    )
    row = response.answers.get(question=text)
    assert (row.text, row.review, row.option_id) == ("Hej", Answer.Review.PENDING, None)


def test_a_page_of_answers_is_stored_once_even_when_sent_twice():
    survey = make_published_survey(kinds=(Kind.SINGLE, Kind.NUMBER, Kind.TEXT))
    single, number, text = survey.questions.in_order()
    response = services.response_start(survey=survey, start_key="k-page").response
    page = {
        single.pk: services.GivenAnswer([single.options.first().pk]),
        number.pk: services.GivenAnswer([], number=3),
        text.pk: services.GivenAnswer([], dont_know=True),
    }
    with CaptureQueriesContext(connection) as queries:
        services.answers_save_all(response=response, given=page)
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == 1  # one multi-row INSERT for the page
    services.answers_save_all(response=response, given=page)
    rows = sorted(response.answers.values_list("question_id", "option_id", "number", "dont_know"))
    assert rows == sorted(
        [
            (single.pk, single.options.first().pk, None, False),
            (number.pk, None, 3, False),
            (text.pk, None, None, True),
        ]
    )


def test_saving_to_a_sent_response_is_refused_and_stores_nothing(survey, questions):
    choice = questions[0]
    response = services.response_start(survey=survey, start_key="k-sent").response
    services.response_submit(response=response)
    with pytest.raises(
        ValidationError,
        match=sv("These answers have already been sent, so they cannot be changed."),
    ):
        services.answer_save(
            response=response,
            question=choice,
            given=services.GivenAnswer([choice.options.first().pk]),
        )
    assert not response.answers.exists()


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_one_question_at_the_same_moment_leave_one_answer():
    survey = make_published_survey(kinds=(Kind.SINGLE,))
    question = survey.questions.get()
    option = question.options.first()
    response = services.response_start(survey=survey, start_key="k-race").response
    ready = threading.Barrier(2)
    errors = []

    def save():
        try:
            ready.wait(timeout=10)
            services.answer_save(
                response=response, question=question, given=services.GivenAnswer([option.pk])
            )
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert list(Answer.objects.filter(response=response).values_list("option_id", flat=True)) == [
        option.pk
    ]
    assert Response.objects.get(pk=response.pk).status == Response.Status.IN_PROGRESS


# --- A question's markup, drawn once ------------------------------------------------------------


def test_a_kept_question_markup_never_shows_another_respondents_answer(client, survey, questions):
    from django.test import Client

    choice = questions[0]
    first = choice.options.first()
    other = Client()
    start(client, survey)
    start(other, survey)
    fresh = page_text(client.get(question_url(survey, choice)))
    assert " checked" not in fresh
    answer(client, survey, choice, first.pk)
    # Back to the answered question: drawn with the answer, not the kept markup.
    again = page_text(client.get(question_url(survey, choice)))
    assert re.search(rf'value="{first.pk}" checked', again)
    # The other respondent gets the kept markup: nothing chosen, the same question.
    theirs = page_text(other.get(question_url(survey, choice)))
    assert " checked" not in theirs
    assert choice.text in theirs
    # A wrong answer is drawn with its error, not from what was kept.
    wrong = answer(other, survey, choice, "999999")
    assert wrong.status_code == 200
    assert 'aria-invalid="true"' in page_text(wrong)
    assert 'aria-invalid="true"' not in page_text(other.get(question_url(survey, choice)))


def test_the_kept_markup_follows_language_and_easy_to_read(client, survey, questions):
    choice = questions[0]
    start(client, survey)
    swedish = page_text(client.get(question_url(survey, choice)))
    assert choice.text_sv in swedish and choice.easy_sv not in swedish
    client.post(
        reverse("surveys:answer_settings", args=[survey.token]),
        {"easy_read": "1", "next": question_url(survey, choice)},
    )
    easy = page_text(client.get(question_url(survey, choice)))
    assert choice.easy_sv in easy
    english = page_text(client.get("/en" + question_url(survey, choice)))
    assert choice.easy_en in english
    assert choice.easy_en not in easy


def test_the_start_page_s_kept_fields_show_a_sent_form_s_own_choice(client, survey):
    from django.test import Client

    first = page_text(client.get(start_url(survey)))
    second = page_text(Client().get(start_url(survey)))
    pattern = r'<input[^>]*name="support"[^>]*>'
    assert re.findall(pattern, first) == re.findall(pattern, second)
    assert len(re.findall(pattern, first)) >= 2
    assert not [tag for tag in re.findall(pattern, first) if "checked" in tag]
    # A form sent back (here without its key) is drawn with what was chosen.
    sent = client.post(start_url(survey), {"support": Response.Support.HELPED})
    assert sent.status_code == 200
    chosen = [tag for tag in re.findall(pattern, page_text(sent)) if "checked" in tag]
    assert len(chosen) == 1 and f'value="{Response.Support.HELPED}"' in chosen[0]
