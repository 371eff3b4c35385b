"""factory_boy factories and builders for surveys, questions and responses."""

from __future__ import annotations

import factory

from surveys import services
from surveys.models import (
    BankQuestion,
    Kind,
    Option,
    Question,
    Response,
    Section,
    Survey,
    Unit,
)
from surveys.services import GivenAnswer

# Texts that pass the accessibility check: short easy-to-read sentences, no colour words.
TEXTS = {
    "sv": ("Hur trivs du på daglig verksamhet?", "Trivs du här?", "Välj det svar som passar."),
    "nb": ("Hvordan trives du på dagsenteret?", "Trives du her?", "Velg svaret som passer."),
    "en": (
        "How do you like the day centre?",
        "Do you like it here?",
        "Choose the answer that fits.",
    ),
}
LABELS = {"sv": "Svar", "nb": "Alternativ", "en": "Answer"}

# A marker for "Don't know" in answer_and_submit's choices.
DONT_KNOW = object()


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    title_sv = factory.Sequence(lambda n: f"Vad tycker du om din dagliga verksamhet? {n}")
    title_nb = factory.Sequence(lambda n: f"Hva synes du om dagsenteret ditt? {n}")
    title_en = factory.Sequence(lambda n: f"What do you think of your day centre? {n}")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    survey = factory.SubFactory(SurveyFactory)
    position = factory.Sequence(lambda n: n + 1)
    title_sv = "Frågor"
    title_nb = "Spørsmål"
    title_en = "Questions"


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    section = factory.SubFactory(SectionFactory)
    survey = factory.SelfAttribute("section.survey")
    position = factory.Sequence(lambda n: n + 1)
    kind = Kind.SINGLE
    text_sv, easy_sv, help_sv = TEXTS["sv"]
    text_nb, easy_nb, help_nb = TEXTS["nb"]
    text_en, easy_en, help_en = TEXTS["en"]


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory)
    position = factory.LazyAttribute(lambda o: o.question.options.count() + 1)
    value = factory.Sequence(lambda n: f"v{n}")
    label_sv = factory.LazyAttribute(lambda o: f"{LABELS['sv']} {o.value}")
    label_nb = factory.LazyAttribute(lambda o: f"{LABELS['nb']} {o.value}")
    label_en = factory.LazyAttribute(lambda o: f"{LABELS['en']} {o.value}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    survey = factory.SubFactory(SurveyFactory)
    name = factory.Sequence(lambda n: f"Daglig verksamhet {n}")


class BankQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BankQuestion

    key = factory.Sequence(lambda n: f"standard-{n}")
    topic = BankQuestion.Topic.TREATMENT
    kind = Kind.SINGLE
    text_sv = "Lyssnar personalen på dig?"
    text_nb = "Lytter personalet til deg?"
    text_en = "Do the staff listen to you?"
    easy_sv = "Lyssnar de på dig?"
    easy_nb = "Lytter de til deg?"
    easy_en = "Do they listen to you?"
    help_sv = "Tänk på den senaste veckan."
    help_nb = "Tenk på den siste uken."
    help_en = "Think of the last week."


def question_texts(**overrides) -> dict[str, str]:
    """Question texts in all three languages that pass the accessibility check."""
    texts = {}
    for language, (text, easy, help_text) in TEXTS.items():
        texts[f"text_{language}"] = text
        texts[f"easy_{language}"] = easy
        texts[f"help_{language}"] = help_text
    return {**texts, **overrides}


def add_question(section: Section, kind: str = Kind.SINGLE, options: int = 2, **fields) -> Question:
    """Add a question through the service; choice questions get `options` labelled options."""
    question = services.question_add(section=section, kind=kind, **question_texts(**fields))
    if kind in (Kind.SINGLE, Kind.MULTIPLE):
        OptionFactory.create_batch(options, question=question)
    return question


def make_survey(kinds=(Kind.SINGLE,), **survey_fields) -> Survey:
    """A draft survey with one question of each kind that passes the accessibility check."""
    survey = SurveyFactory(**survey_fields)
    section = SectionFactory(survey=survey, position=1)
    for kind in kinds:
        add_question(section, kind)
    return survey


def make_published_survey(kinds=(Kind.SINGLE,), **survey_fields) -> Survey:
    survey = make_survey(kinds, **survey_fields)
    return services.survey_publish(survey=survey, by=None)


def given(value) -> GivenAnswer:
    """Turn a test's shorthand (option, options, number, text, DONT_KNOW) into a GivenAnswer."""
    if isinstance(value, GivenAnswer):
        return value
    if value is DONT_KNOW:
        return GivenAnswer([], dont_know=True)
    if isinstance(value, Option):
        return GivenAnswer([value.pk])
    if isinstance(value, list | tuple):
        return GivenAnswer([option.pk for option in value])
    if isinstance(value, int):
        return GivenAnswer([], number=value)
    return GivenAnswer([], text=value)


def answer(response: Response, choices: dict) -> Response:
    for question, value in choices.items():
        services.answer_save(response=response, question=question, given=given(value))
    return response


def answer_and_submit(survey: Survey, choices: dict, *, submit: bool = True, **kw) -> Response:
    """Answer the survey on the web as one respondent; `kw` goes to response_start."""
    started = services.response_start(survey=survey, start_key=services.new_start_key(), **kw)
    answer(started.response, choices)
    if not submit:
        return started.response
    return services.response_submit(response=started.response)


def answer_many(survey: Survey, count: int, choices: dict, **kw) -> list[Response]:
    """`count` web respondents who all give the same answers."""
    return [answer_and_submit(survey, choices, **kw) for _ in range(count)]


def enter_paper(survey: Survey, choices: dict, *, unit=None, support: str = "", **kw) -> Response:
    """Enter one paper questionnaire."""
    return services.paper_response_enter(
        survey=survey,
        unit=unit,
        support=support,
        support_role=kw.pop("support_role", ""),
        given={question.pk: given(value) for question, value in choices.items()},
        entry_key=kw.pop("entry_key", None) or services.new_start_key(),
    )
