"""The builder's accessibility check: what blocks publishing a survey.

Each problem names the question (or survey part) and says what to fix, in words a
survey builder understands. Publishing is refused while any problem remains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext

from .models import CHOICE_KINDS, FIXED_OPTION_KINDS, LANGUAGES, Question, Survey

# Easy-to-read guidance (Myndigheten för tillgängliga medier, klarspråk): short sentences,
# one thought each. Over 15 words a sentence is "very long" for easy-to-read text.
MAX_EASY_SENTENCE_WORDS = 15

LANGUAGE_NAMES = {"sv": "svenska", "nb": "norsk", "en": "English"}

# Words that make meaning rest on colour: "press the green one", "röd betyder nej".
COLOUR_WORDS = re.compile(
    r"\b(grön|gröna|grönt|röd|röda|rött|gul|gula|gult|blå|blått|"
    r"grønn|grønne|grønt|rød|røde|rødt|gule|blåe|"
    r"green|red|yellow|blue)\b",
    re.IGNORECASE,
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
    options = list(question.options.all())
    if question.kind in CHOICE_KINDS and question.kind not in FIXED_OPTION_KINDS:
        if len(options) < 2:
            add(gettext("a choice question needs at least two answer options."))
    for option in options:
        for language in LANGUAGES:
            name = LANGUAGE_NAMES[language]
            if not getattr(option, f"label_{language}").strip():
                if option.image or option.smiley:
                    add(
                        gettext(
                            "the picture option “%(value)s” has no visible text label"
                            " in %(language)s."
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
                    gettext(
                        "the picture of option “%(value)s” has no description in %(language)s."
                    ),
                    value=option.value,
                    language=name,
                )
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
