"""Where a respondent is (a signed cookie), what it costs, and who may answer how often."""

import time
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from brukarkraft.tests.rate_limiting import rate_limits_on
from surveys import services
from surveys.models import Answer, Kind, Response
from surveys.place import COOKIE
from surveys.question_cache import forget_all

from .factories import make_published_survey
from .test_answering import (
    answer,
    done_url,
    make_conditional_survey,
    my_place,
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


# --- Queries ----------------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the answering SQL runs on PostgreSQL"
)
def test_a_question_page_takes_at_most_4_queries_to_show_and_6_to_save(
    client, survey, questions, django_assert_max_num_queries
):
    choice, follow_up, number = questions
    first, last = choice.options.first().pk, choice.options.last().pk
    start(client, survey)
    client.get(question_url(survey, choice))  # the first page of a survey loads its questions
    with django_assert_max_num_queries(4):
        assert client.get(question_url(survey, choice)).status_code == 200
    with django_assert_max_num_queries(6):
        assert answer(client, survey, choice, first).status_code == 302
    with django_assert_max_num_queries(4):
        assert client.get(question_url(survey, follow_up)).status_code == 200
    # Changing an answer (a row to replace) stays within the same budget.
    with django_assert_max_num_queries(6):
        assert answer(client, survey, choice, last).status_code == 302
    with django_assert_max_num_queries(6):
        assert answer(client, survey, number, 5).status_code == 302
    assert sorted(my_response(client, survey).answers.values_list("question_id", flat=True)) == [
        choice.pk,
        number.pk,
    ]


def test_answering_never_reads_a_session_or_the_survey_s_questions_again(client, survey, questions):
    choice, follow_up, number = questions
    forget_all()
    with CaptureQueriesContext(connection) as queries:
        client.get(start_url(survey))
        start(client, survey)
        client.get(question_url(survey, choice))
        answer(client, survey, choice, choice.options.last().pk)
        client.get(question_url(survey, number))
        answer(client, survey, number, 2)
        client.get(review_url(survey))
        client.post(review_url(survey))
        client.get(done_url(survey))
    sql = [query["sql"] for query in queries.captured_queries]
    assert not [s for s in sql if "django_session" in s]
    # The questions were read once (with their options), on the first page.
    assert len([s for s in sql if 'FROM "surveys_question"' in s]) == 1
    assert Response.objects.get().is_submitted


# --- The place: signed, renewed, forgotten when idle, ended on send ------------------------------


def test_the_place_is_a_signed_http_only_cookie(client, survey, questions):
    response = start(client, survey)
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == settings.SURVEY_IDLE_MINUTES * 60
    assert my_response(client, survey).status == Response.Status.IN_PROGRESS


def test_an_altered_cookie_is_not_trusted(client, survey, questions):
    start(client, survey)
    other = Client()
    start(other, survey)
    # Pointing the cookie at someone else's response breaks its signature.
    value = client.cookies[COOKIE].value
    mine, theirs = my_response(client, survey).pk, my_response(other, survey).pk
    client.cookies[COOKIE] = value.replace(f'"r":{mine}', f'"r":{theirs}')
    response = client.get(question_url(survey, questions[0]))
    assert response.status_code == 302
    assert response.url == start_url(survey)


def test_the_place_is_forgotten_after_the_idle_time(client, survey, questions):
    start(client, survey)
    assert client.get(question_url(survey, questions[0])).status_code == 200
    later = time.time() + settings.SURVEY_IDLE_MINUTES * 60 + 5
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.get(question_url(survey, questions[0]), follow=True)
    assert response.redirect_chain == [(start_url(survey), 302)]
    assert sv("Start the survey here, or continue with your code.") in page_text(response)


def test_every_page_renews_the_place(client, survey, questions):
    start(client, survey)
    soon = time.time() + settings.SURVEY_IDLE_MINUTES * 60 - 60
    with mock.patch("django.core.signing.time.time", return_value=soon):
        assert client.get(question_url(survey, questions[0])).status_code == 200
    # Idle time counts from the last page, not from the start.
    later = soon + settings.SURVEY_IDLE_MINUTES * 60 - 60
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert client.get(question_url(survey, questions[0])).status_code == 200


def test_sending_ends_the_place_so_the_next_person_sees_nothing(client, survey, questions):
    choice, follow_up, number = questions
    start(client, survey)
    answer(client, survey, choice, choice.options.last().pk)
    client.post(review_url(survey))
    assert my_place(client).entries == {str(survey.pk): {"sent": 1}}
    assert client.get(done_url(survey)).status_code == 200
    # The next person at this computer: no answers to see, no "continue", a fresh start.
    again = client.get(question_url(survey, choice), follow=True)
    assert again.redirect_chain == [(done_url(survey), 302)]
    page = client.get(start_url(survey))
    assert page.context["existing"] is False
    assert sv("Continue where you stopped") not in page_text(page)
    start(client, survey)
    assert Response.objects.filter(status=Response.Status.IN_PROGRESS).count() == 1
    assert my_response(client, survey).answers.count() == 0


# --- Questions kept per survey version -------------------------------------------------------


def test_a_change_in_the_builder_reaches_the_answering_pages_at_once(client):
    survey = make_published_survey()  # published, nobody has answered yet
    question = survey.questions.get()
    client.get(start_url(survey))
    services.question_update(question=question, text_sv="Hur har du det i dag?")
    start(client, survey)
    assert "Hur har du det i dag?" in page_text(client.get(question_url(survey, question)))


# --- Rate limits ----------------------------------------------------------------------------


def flow(client: Client, survey, questions) -> None:
    choice, follow_up, number = questions
    assert start(client, survey).status_code == 302
    assert client.get(question_url(survey, choice)).status_code == 200
    assert answer(client, survey, choice, choice.options.first().pk).status_code == 302
    assert answer(client, survey, follow_up, follow_up.options.first().pk).status_code == 302
    assert answer(client, survey, number, 3).status_code == 302
    assert client.post(review_url(survey)).status_code == 302


def test_twenty_respondents_on_one_wi_fi_are_never_refused(survey, questions):
    # A day centre: twenty phones behind one address, all answering at once, at the
    # limits production runs with.
    with rate_limits_on():
        people = [Client(REMOTE_ADDR="198.51.100.20") for _ in range(20)]
        for client in people:
            flow(client, survey, questions)
    assert Response.objects.filter(status=Response.Status.SUBMITTED).count() == 20


def test_sending_twice_counts_for_the_respondent_not_for_everyone(survey):
    # After sending, the cookie holds no response; the second send must still be counted
    # for this browser alone, or a busy day centre's double clicks would block each other.
    with rate_limits_on(survey="3/m"):
        for _ in range(6):
            client = Client(REMOTE_ADDR="198.51.100.20")
            start(client, survey)
            assert client.post(review_url(survey)).status_code == 302
            assert client.post(review_url(survey)).url == done_url(survey)


def test_one_respondent_posting_beyond_the_limit_is_refused(client, survey, questions):
    choice = questions[0]
    with rate_limits_on(survey="2/m"):
        start(client, survey)  # counted under the start key: the cookie comes with the answer
        for _ in range(2):
            assert answer(client, survey, choice, choice.options.last().pk).status_code == 302
        assert answer(client, survey, choice, choice.options.first().pk).status_code == 429
        # Someone else on the same Wi-Fi carries on.
        assert start(Client(), survey).status_code == 302
    assert Answer.objects.get().option == choice.options.last()


def test_tries_of_a_code_are_counted_per_address(survey):
    coded = make_published_survey(kinds=(Kind.SINGLE,), open_link_enabled=False)
    with rate_limits_on(survey="2/m"):
        for _ in range(2):
            response = Client().post(
                start_url(coded), {"start_key": services.new_start_key(), "code": "ABCD-EFGH"}
            )
            assert response.status_code == 200
        blocked = Client().post(
            start_url(coded), {"start_key": services.new_start_key(), "code": "ABCD-EFGH"}
        )
    assert blocked.status_code == 429


def test_starting_has_a_backstop_per_address(survey):
    with rate_limits_on(survey_start="2/m"):
        for _ in range(2):
            assert start(Client(), survey).status_code == 302
        assert start(Client(), survey).status_code == 429
    assert Response.objects.count() == 2
