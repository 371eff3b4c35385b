"""Answering on a shared device: nothing stored by the browser, and the next person at the
screen finds nothing of the last one's answers."""

import time

import pytest
from django.urls import reverse
from django.utils import translation

from surveys.views.devices import SESSION_LAST_SEEN
from surveys.views.respond import SESSION_RESPONSES

from .test_answering import (
    answer,
    done_url,
    make_conditional_survey,
    question_url,
    review_url,
    start,
    start_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    return make_conditional_survey()


def test_every_answering_page_says_no_store(client, survey):
    first = survey.questions.in_order().first()
    pages = [start_url(survey), reverse("surveys:resume")]
    start(client, survey)
    pages += [question_url(survey, first), review_url(survey)]
    pages.append(reverse("surveys:answer_pause", args=[survey.token]))

    for page in pages:
        response = client.get(page)
        assert "no-store" in response["Cache-Control"], page
    sent = client.post(review_url(survey))
    assert "no-store" in sent["Cache-Control"]
    assert "no-store" in client.get(done_url(survey))["Cache-Control"]


def test_sending_ends_the_respondents_place(client, survey):
    first = survey.questions.in_order().first()
    start(client, survey)
    answer(client, survey, first, first.options.first().pk)

    client.post(review_url(survey))

    assert SESSION_RESPONSES not in client.session
    assert client.get(done_url(survey)).status_code == 200
    # The next person opens the survey afresh: nothing to continue.
    page = client.get(start_url(survey)).content.decode()
    assert review_url(survey) not in page


def test_the_place_expires_after_the_idle_time(client, survey, settings):
    settings.SURVEY_IDLE_MINUTES = 20
    first = survey.questions.in_order().first()
    start(client, survey)
    answer(client, survey, first, first.options.first().pk)
    session = client.session
    session[SESSION_LAST_SEEN] = int(time.time()) - 21 * 60
    session.save()

    response = client.get(question_url(survey, first))

    assert response.status_code == 302
    assert response.url == start_url(survey)
    assert SESSION_RESPONSES not in client.session


def test_the_place_stays_while_the_respondent_is_active(client, survey, settings):
    settings.SURVEY_IDLE_MINUTES = 20
    first = survey.questions.in_order().first()
    start(client, survey)
    session = client.session
    session[SESSION_LAST_SEEN] = int(time.time()) - 19 * 60
    session.save()

    assert client.get(question_url(survey, first)).status_code == 200


def test_the_start_page_states_the_idle_time(client, survey, settings):
    settings.SURVEY_IDLE_MINUTES = 15
    with translation.override("en"):
        url = reverse("surveys:answer_start", args=[survey.token])
    page = client.get(url).content.decode()

    assert "If you do nothing for 15 minutes, the survey closes on this screen." in page
