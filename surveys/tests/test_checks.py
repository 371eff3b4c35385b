"""The accessibility check that must pass before a survey is published."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from surveys import services
from surveys.checks import survey_problems
from surveys.models import Kind, Survey

from .factories import OptionFactory, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    # The messages are asserted in English; uploaded pictures go to a throwaway folder.
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield


def png(name: str = "picture.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 120, 0)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def messages(survey: Survey) -> list[str]:
    return [problem.message for problem in survey_problems(survey)]


def assert_blocks_publishing(survey: Survey, *expected: str) -> None:
    found = messages(survey)
    for text in expected:
        assert any(text in message for message in found), (text, found)
    with pytest.raises(ValidationError) as raised:
        services.survey_publish(survey=survey, by=None)
    assert raised.value.code == "check_failed"
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT
    assert survey.published_at is None


def first_question(survey: Survey):
    return survey.questions.in_order().first()


def test_a_clean_survey_has_no_problems_and_publishes():
    survey = make_survey([Kind.SINGLE, Kind.MULTIPLE, Kind.SCALE3, Kind.SCALE5, Kind.YES_NO])
    assert messages(survey) == []

    services.survey_publish(survey=survey, by=None)

    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN
    assert survey.published_at is not None


def test_a_survey_without_questions_cannot_be_published():
    survey = make_survey([])
    assert_blocks_publishing(survey, "The survey has no questions yet.")


def test_a_question_picture_without_alt_text_blocks_publishing():
    survey = make_survey()
    question = first_question(survey)
    services.question_update(
        question=question, image=png(), image_alt_sv="En glad person", image_alt_nb="En glad person"
    )
    assert_blocks_publishing(
        survey, "Question 1: the picture has no description (alternative text) in English."
    )


def test_a_question_picture_with_alt_text_in_every_language_passes():
    survey = make_survey()
    services.question_update(
        question=first_question(survey),
        image=png(),
        image_alt_sv="En person som ler",
        image_alt_nb="En person som smiler",
        image_alt_en="A person smiling",
    )
    assert messages(survey) == []


def test_a_picture_option_without_alt_text_blocks_publishing():
    survey = make_survey()
    OptionFactory(question=first_question(survey), value="bus", image=png())
    assert_blocks_publishing(
        survey, "Question 1: the picture of option “bus” has no description in Swedish."
    )


def test_a_picture_option_without_visible_label_blocks_publishing():
    survey = make_survey()
    OptionFactory(
        question=first_question(survey),
        value="bus",
        image=png(),
        label_sv="",
        label_nb="",
        label_en="",
        image_alt_sv="En buss",
        image_alt_nb="En buss",
        image_alt_en="A bus",
    )
    assert_blocks_publishing(
        survey,
        "Question 1: the picture option “bus” has no visible text label in Swedish.",
        "the picture option “bus” has no visible text label in Norwegian.",
        "the picture option “bus” has no visible text label in English.",
    )


def test_a_smiley_option_without_label_blocks_publishing():
    survey = make_survey([Kind.SCALE3])
    first_question(survey).options.filter(value="2").update(label_nb="")
    assert_blocks_publishing(
        survey, "the picture option “2” has no visible text label in Norwegian."
    )


def test_a_missing_easy_to_read_text_blocks_publishing():
    survey = make_survey()
    services.question_update(question=first_question(survey), easy_nb="  ")
    assert_blocks_publishing(survey, "Question 1: the easy-to-read text in Norwegian is missing.")


def test_an_easy_to_read_sentence_over_15_words_blocks_publishing():
    survey = make_survey()
    sixteen_words = (
        "Tycker du att personalen på din dagliga verksamhet lyssnar på dig när du vill säga något"
    )
    assert len(sixteen_words.split()) == 16
    services.question_update(question=first_question(survey), easy_sv=sixteen_words + ".")
    assert_blocks_publishing(survey, "the easy-to-read text in Swedish has a sentence of 16 words.")


def test_an_easy_to_read_text_of_short_sentences_passes():
    survey = make_survey()
    fifteen_words = "Ett två tre fyra fem sex sju åtta nio tio elva tolv tretton fjorton femton."
    services.question_update(
        question=first_question(survey), easy_sv=f"{fifteen_words} {fifteen_words}"
    )
    assert messages(survey) == []


@pytest.mark.parametrize(
    ("field", "text", "word"),
    [
        ("easy_sv", "Tryck på den gröna", "gröna"),
        ("text_nb", "Trykk på den røde knappen", "røde"),
        ("text_en", "Red means no", "Red"),
        # Help text is read by the respondent too: it is where "press the green one" is written.
        ("help_sv", "Tryck på den gröna knappen om du håller med.", "gröna"),
        ("help_en", "Blue means you agree.", "Blue"),
    ],
)
def test_wording_that_rests_on_colour_blocks_publishing(field, text, word):
    survey = make_survey()
    services.question_update(question=first_question(survey), **{field: text})
    assert_blocks_publishing(survey, f"Question 1: the text names a colour (“{word}”).")


def test_an_option_label_that_rests_on_colour_blocks_publishing():
    survey = make_survey()
    first_question(survey).options.filter(position=1).update(label_sv="Den gula")
    assert_blocks_publishing(survey, "the text names a colour (“gula”)")


@pytest.mark.parametrize("language, name", [("nb", "Norwegian"), ("en", "English")])
def test_a_missing_question_translation_blocks_publishing(language, name):
    survey = make_survey()
    services.question_update(question=first_question(survey), **{f"text_{language}": ""})
    assert_blocks_publishing(survey, f"Question 1: the question text in {name} is missing.")


@pytest.mark.parametrize("language, name", [("nb", "Norwegian"), ("en", "English")])
def test_a_missing_title_translation_blocks_publishing(language, name):
    survey = make_survey()
    Survey.objects.filter(pk=survey.pk).update(**{f"title_{language}": ""})
    survey.refresh_from_db()
    assert_blocks_publishing(survey, f"The survey has no title in {name}.")


@pytest.mark.parametrize("language, name", [("nb", "Norwegian"), ("en", "English")])
def test_a_missing_option_translation_blocks_publishing(language, name):
    survey = make_survey()
    option = first_question(survey).options.first()
    option.__class__.objects.filter(pk=option.pk).update(**{f"label_{language}": ""})
    assert_blocks_publishing(survey, f"the answer option “{option.value}” has no text in {name}.")


def test_a_choice_question_with_one_option_blocks_publishing():
    survey = make_survey()
    first_question(survey).options.filter(position=2).delete()
    assert_blocks_publishing(survey, "a choice question needs at least two answer options.")


def test_problems_name_the_question_number_in_survey_order():
    survey = make_survey([Kind.YES_NO, Kind.YES_NO, Kind.YES_NO])
    third = survey.questions.in_order()[2]
    services.question_update(question=third, easy_en="")

    problems = survey_problems(survey)

    assert [p.message for p in problems] == [
        "Question 3: the easy-to-read text in English is missing."
    ]
    assert problems[0].question == third


def test_a_section_without_a_norwegian_heading_blocks_publishing():
    survey = make_survey()
    section = survey.sections.get()
    section.title_nb = ""
    section.save()

    with translation.override("en"):
        messages = [problem.message for problem in survey_problems(survey)]

    assert any("has no heading in Norwegian" in message for message in messages), messages


@pytest.mark.parametrize(
    "interface, expected",
    [
        ("sv", "Fråga 1: frågetexten på engelska saknas."),
        ("nb", "Spørsmål 1: spørsmålsteksten på engelsk mangler."),
    ],
)
def test_the_language_in_a_message_is_named_in_the_interface_language(interface, expected):
    survey = make_survey()
    services.question_update(question=first_question(survey), text_en="")

    with translation.override(interface):
        found = messages(survey)

    assert expected in found
