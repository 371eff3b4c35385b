"""The survey's printed documents: the questionnaire on paper and slips of one-time codes."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext

from brukarkraft.pdf import render_pdf

from .models import CHOICE_KINDS, CodeBatch, Kind, Option, Question, Survey
from .qr import qr_data_uri

# 2 columns × 4 rows: each slip keeps room for a 4 cm QR code and large text.
SLIPS_PER_SHEET = 8
RULED_LINES = 5


@dataclass
class PaperOption:
    label: str
    picture: str = ""  # a URL for brukarkraft.pdf's fetcher: static:… or media:…
    picture_alt: str = ""


@dataclass
class PaperQuestion:
    question: Question
    number: int | None  # None for the practice question, which is not counted
    text: str
    easy: str
    help: str
    picture: str = ""
    picture_alt: str = ""
    section_title: str = ""  # set on the first question of each section
    condition: str = ""
    options: list[PaperOption] = field(default_factory=list)
    range_hint: str = ""


def _option(option: Option, language: str) -> PaperOption:
    label = option.tr("label", language) or option.get_smiley_display() or option.value
    if option.image:
        return PaperOption(label, f"media:{option.image.name}", option.tr("image_alt", language))
    if option.smiley:
        return PaperOption(
            label, f"static:surveys/smileys/{option.smiley}.svg", option.get_smiley_display()
        )
    return PaperOption(label)


def _range_hint(question: Question) -> str:
    low, high = question.min_value, question.max_value
    if low is not None and high is not None:
        return gettext("From %(min)s to %(max)s") % {"min": low, "max": high}
    if low is not None:
        return gettext("%(min)s or more") % {"min": low}
    if high is not None:
        return gettext("%(max)s or less") % {"max": high}
    return ""


def _paper_questions(survey: Survey, language: str) -> list[PaperQuestion]:
    """The questions in answering order, every text in the language.

    Call inside translation.override(language): smiley names and hints come from gettext.
    """
    questions = (
        survey.questions.in_order()
        .select_related("section", "show_if_option__question")
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("position", "pk")))
    )
    items: list[PaperQuestion] = []
    numbers: dict[int, int | None] = {}
    number = 0
    section_id = None
    for question in questions:
        if question.is_practice:
            shown_number = None
        else:
            number += 1
            shown_number = number
        numbers[question.pk] = shown_number
        item = PaperQuestion(
            question=question,
            number=shown_number,
            text=question.tr("text", language),
            easy=question.tr("easy", language),
            help=question.tr("help", language),
        )
        if question.image:
            item.picture = f"media:{question.image.name}"
            item.picture_alt = question.tr("image_alt", language)
        # The practice question comes first whatever its section; it gets no section heading.
        if not question.is_practice and question.section_id != section_id:
            section_id = question.section_id
            item.section_title = question.section.tr("title", language)
        if question.show_if_option_id:
            item.condition = _condition(question.show_if_option, numbers, language)
        if question.kind in CHOICE_KINDS:
            item.options = [_option(option, language) for option in question.options.all()]
        elif question.kind == Kind.NUMBER:
            item.range_hint = _range_hint(question)
        items.append(item)
    return items


def _condition(option: Option, numbers: dict[int, int | None], language: str) -> str:
    answer = option.tr("label", language) or option.get_smiley_display() or option.value
    number = numbers.get(option.question_id)
    if number is None:
        return gettext("Answer this question only if you ticked “%(answer)s” before.") % {
            "answer": answer
        }
    return gettext(
        "Answer this question only if you ticked “%(answer)s” at question %(number)s."
    ) % {
        "answer": answer,
        "number": number,
    }


def paper_questionnaire_pdf(survey: Survey, language: str, *, request=None) -> bytes:
    """The survey on paper, to be filled in by hand and entered afterwards."""
    with translation.override(language):
        questions = _paper_questions(survey, language)
    context = {
        "survey": survey,
        "title": survey.tr("title", language),
        "intro": survey.tr("intro", language),
        "questions": questions,
        "ruled_lines": range(RULED_LINES),
    }
    return render_pdf("surveys/pdf/paper.html", context, language=language, request=request)


def code_url(answer_url: str, code: str) -> str:
    """The address that opens the survey with the code already filled in."""
    separator = "&" if "?" in answer_url else "?"
    return f"{answer_url}{separator}{urlencode({'code': code})}"


def code_slips_pdf(batch: CodeBatch, language: str, answer_url: str, *, request=None) -> bytes:
    """Sheets of slips to cut apart, one one-time code on each; slips are handed out at random."""
    survey = batch.survey
    slips = [
        {"code": code, "qr": qr_data_uri(code_url(answer_url, code))}
        for code in batch.codes.order_by("pk").values_list("code", flat=True)
    ]
    context = {
        "survey": survey,
        "batch": batch,
        "title": survey.tr("title", language),
        "answer_url": answer_url,
        "sheets": [
            slips[start : start + SLIPS_PER_SHEET]
            for start in range(0, len(slips), SLIPS_PER_SHEET)
        ],
    }
    return render_pdf("surveys/pdf/slips.html", context, language=language, request=request)
