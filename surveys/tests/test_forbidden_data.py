"""The publishing check stops questions that ask for identity numbers, account numbers or
passwords: data an anonymous survey on the portal's domain must never collect."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from surveys import services
from surveys.checks import survey_problems
from surveys.models import Kind, Survey

from .factories import OptionFactory, make_survey

pytestmark = pytest.mark.django_db


def messages(survey: Survey) -> list[str]:
    with translation.override("en"):
        return [problem.message for problem in survey_problems(survey)]


def survey_asking(**texts) -> Survey:
    survey = make_survey([Kind.TEXT])
    survey.questions.update(**texts)
    return survey


@pytest.mark.parametrize(
    "texts",
    [
        {"text_sv": "Vad är ditt personnummer?"},
        {"text_nb": "Skriv fødselsnummeret ditt her"},
        {"help_en": "Write your personal identity number"},
        {"easy_sv": "Skriv så här: ÅÅÅÅMMDD-XXXX"},
    ],
)
def test_a_question_asking_for_an_identity_number_blocks_publishing(texts):
    survey = survey_asking(**texts)

    assert any("asks for an identity number" in message for message in messages(survey))
    with pytest.raises(ValidationError) as refused:
        services.survey_publish(survey=survey, by=None)
    assert refused.value.code == "check_failed"
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT


@pytest.mark.parametrize(
    "texts",
    [
        {"text_sv": "Vilket kontonummer ska ersättningen gå till?"},
        {"text_nb": "Oppgi bankkontonummer"},
        {"text_en": "Your IBAN, please"},
        {"easy_en": "Write your card number"},
    ],
)
def test_a_question_asking_for_an_account_number_blocks_publishing(texts):
    survey = survey_asking(**texts)

    assert any("bank account or card number" in message for message in messages(survey))


def test_an_answer_option_asking_for_a_password_blocks_publishing():
    survey = make_survey([Kind.SINGLE])
    OptionFactory(question=survey.questions.get(), label_nb="Jeg oppgir passordet mitt")
    OptionFactory(question=survey.questions.get(), label_en="My password")

    assert any("password or code" in message for message in messages(survey))


def test_ordinary_questions_pass(settings):
    survey = survey_asking(text_sv="Trivs du på din dagliga verksamhet?")

    assert messages(survey) == []


def test_the_message_is_in_the_interface_language():
    survey = survey_asking(text_sv="Vad är ditt personnummer?")
    english = messages(survey)

    with translation.override("sv"):
        swedish = [problem.message for problem in survey_problems(survey)]
    with translation.override("nb"):
        norwegian = [problem.message for problem in survey_problems(survey)]

    assert len({english[0], swedish[0], norwegian[0]}) == 3
    assert "personnummer" in swedish[0]
