"""Answering on a shared device: nothing stored by the browser, and the next person at the
screen finds nothing of the last one's answers."""

import pytest
from django.urls import reverse
from django.utils import translation

from .test_answering import (
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


# Ending the place on sending and forgetting it when idle: test_respondent_place.py.


def test_the_start_page_states_the_idle_time(client, survey, settings):
    settings.SURVEY_IDLE_MINUTES = 15
    with translation.override("en"):
        url = reverse("surveys:answer_start", args=[survey.token])
    page = client.get(url).content.decode()

    assert "If you do nothing for 15 minutes, the survey closes on this screen." in page
