"""The builder's accessibility check: what blocks publishing a survey.

Each problem names the question (or survey part) and says what to fix, in words a
survey builder understands. Publishing is refused while any problem remains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext, pgettext_lazy

from .models import CHOICE_KINDS, FIXED_OPTION_KINDS, LANGUAGES, Question, Survey

# Easy-to-read guidance (Myndigheten för tillgängliga medier, klarspråk): short sentences,
# one thought each. Over 15 words a sentence is "very long" for easy-to-read text.
MAX_EASY_SENTENCE_WORDS = 15

# Language names as they read inside a sentence of the interface ("på engelska").
LANGUAGE_NAMES = {
    "sv": pgettext_lazy("inside a sentence: in …", "Swedish"),
    "nb": pgettext_lazy("inside a sentence: in …", "Norwegian"),
    "en": pgettext_lazy("inside a sentence: in …", "English"),
}

# Words that make meaning rest on colour: "press the green one", "röd betyder nej".
COLOUR_WORDS = re.compile(
    r"\b(grön|gröna|grönt|röd|röda|rött|gul|gula|gult|blå|blått|"
    r"grønn|grønne|grønt|rød|røde|rødt|gule|blåe|"
    r"green|red|yellow|blue)\b",
    re.IGNORECASE,
)


# Data the portal must never collect from anonymous respondents, in Swedish, Norwegian and
# English: identity numbers, bank and card numbers, passwords and codes.
IDENTITY_WORDS = re.compile(
    r"\b(person\w*nummer|personnr|samordningsnummer|fødsels\w*nummer|fødselsnr|"
    r"d-nummer|pass(?:port)?nummer|"
    r"(?:personal|national) identity number|social security number|passport number|"
    r"id number|identity number|"
    r"[åy]{2}(?:[åy]{2})?mmdd[-\s]?[xn]{4}|ddmm[åy]{2}[-\s]?[xn]{5})",
    re.IGNORECASE,
)
ACCOUNT_WORDS = re.compile(
    r"\b(\w*kontonummer|kontonr|bankkonto|clearingnummer|kortnummer|iban|"
    r"account number|bank account|card number|credit card)\b",
    re.IGNORECASE,
)
SECRET_WORDS = re.compile(
    r"\b(lösenord|passord|password|pin-kod|pin-kode|pin code|bankid)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Problem:
    message: str
    question: Question | None = None


def _sentences(text: str) -> list[str]:
    return [part for part in re.split(r"[.!?…]+\s*|\n+", text) if part.strip()]


def longest_sentence_words(text: str) -> int:
    return max((len(sentence.split()) for sentence in _sentences(text)), default=0)


def survey_problems(survey: Survey) -> list[Problem]:
    """Everything that must be fixed before the survey may be published."""
    problems: list[Problem] = []
    for language in LANGUAGES:
        if not getattr(survey, f"title_{language}").strip():
            problems.append(
                Problem(
                    gettext("The survey has no title in %(language)s.")
                    % {"language": LANGUAGE_NAMES[language]}
                )
            )
    for section in survey.sections.all():
        for language in LANGUAGES:
            if not getattr(section, f"title_{language}").strip():
                problems.append(
                    Problem(
                        gettext("The section “%(title)s” has no heading in %(language)s.")
                        % {"title": section.title_sv, "language": LANGUAGE_NAMES[language]}
                    )
                )
    questions = list(
        survey.questions.in_order().select_related("section").prefetch_related("options")
    )
    if not [q for q in questions if not q.is_practice]:
        problems.append(Problem(gettext("The survey has no questions yet.")))
    for number, question in enumerate(questions, start=1):
        problems.extend(_question_problems(question, number))
        problems.extend(_forbidden_data_problems(question, number))
    return problems


def _question_problems(question: Question, number: int) -> list[Problem]:
    found = []

    def add(message: str, **values) -> None:
        found.append(
            Problem(
                gettext("Question %(number)s: ") % {"number": number} + message % values,
                question,
            )
        )

    for language in LANGUAGES:
        _text_problems(question, language, add)
    options = list(question.options.all())
    if question.kind in CHOICE_KINDS and question.kind not in FIXED_OPTION_KINDS:
        if len(options) < 2:
            add(gettext("a choice question needs at least two answer options."))
    for option in options:
        for language in LANGUAGES:
            _option_problems(option, language, add)
    texts = [question.text_sv, question.text_nb, question.text_en, question.easy_sv]
    texts += [question.easy_nb, question.easy_en]
    texts += [question.help_sv, question.help_nb, question.help_en]
    texts += [o.label_sv for o in options] + [o.label_nb for o in options]
    texts += [o.label_en for o in options]
    match = next((m for m in map(COLOUR_WORDS.search, texts) if m), None)
    if match:
        add(
            gettext(
                "the text names a colour (“%(word)s”). Meaning must not rest on colour alone:"
                " say it in words or with a symbol instead."
            ),
            word=match.group(0),
        )
    return found


def _text_problems(question: Question, language: str, add) -> None:
    """The question's texts and picture description in one language."""
    name = LANGUAGE_NAMES[language]
    if not getattr(question, f"text_{language}").strip():
        add(gettext("the question text in %(language)s is missing."), language=name)
    easy = getattr(question, f"easy_{language}").strip()
    if not easy:
        add(gettext("the easy-to-read text in %(language)s is missing."), language=name)
    elif longest_sentence_words(easy) > MAX_EASY_SENTENCE_WORDS:
        add(
            gettext(
                "the easy-to-read text in %(language)s has a sentence of %(words)s words."
                " Keep sentences to %(max)s words or fewer."
            ),
            language=name,
            words=longest_sentence_words(easy),
            max=MAX_EASY_SENTENCE_WORDS,
        )
    if easy and not getattr(question, f"help_{language}").strip():
        # In easy-to-read mode "I don't understand the question" shows the help text;
        # without one it would only show the same easy words again.
        add(
            gettext(
                "there is easy-to-read text in %(language)s but no help text. “I don't"
                " understand the question” shows the help text: explain the question in"
                " other words."
            ),
            language=name,
        )
    if question.image and not getattr(question, f"image_alt_{language}").strip():
        add(
            gettext("the picture has no description (alternative text) in %(language)s."),
            language=name,
        )


def _option_problems(option, language: str, add) -> None:
    """An answer option's label and picture description in one language."""
    name = LANGUAGE_NAMES[language]
    if not getattr(option, f"label_{language}").strip():
        if option.image or option.smiley:
            add(
                gettext(
                    "the picture option “%(value)s” has no visible text label in %(language)s."
                ),
                value=option.value,
                language=name,
            )
        else:
            add(
                gettext("the answer option “%(value)s” has no text in %(language)s."),
                value=option.value,
                language=name,
            )
    if option.image and not getattr(option, f"image_alt_{language}").strip():
        add(
            gettext("the picture of option “%(value)s” has no description in %(language)s."),
            value=option.value,
            language=name,
        )


def _forbidden_data_problems(question: Question, number: int) -> list[Problem]:
    """A question that asks for data the portal must not collect blocks publishing: the
    answers are anonymous, and no one may be asked for identity or account numbers here."""
    texts = [
        getattr(question, f"{part}_{language}")
        for part in ("text", "easy", "help")
        for language in LANGUAGES
    ]
    texts += [
        getattr(o, f"label_{language}") for o in question.options.all() for language in LANGUAGES
    ]
    messages = [
        (
            IDENTITY_WORDS,
            gettext(
                "Question %(number)s: the text asks for an identity number (“%(word)s”)."
                " The survey is anonymous and the portal must not collect identity numbers:"
                " remove the question or ask something else."
            ),
        ),
        (
            ACCOUNT_WORDS,
            gettext(
                "Question %(number)s: the text asks for a bank account or card number"
                " (“%(word)s”). The portal must not collect account numbers: remove the"
                " question or ask something else."
            ),
        ),
        (
            SECRET_WORDS,
            gettext(
                "Question %(number)s: the text asks for a password or code (“%(word)s”)."
                " The portal must not collect them: remove the question or ask something else."
            ),
        ),
    ]
    found = []
    for pattern, message in messages:
        match = next((m for m in map(pattern.search, texts) if m), None)
        if match:
            found.append(Problem(message % {"number": number, "word": match.group(0)}, question))
    return found
