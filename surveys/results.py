"""Results counted in the database, with small groups suppressed.

A fixed number of queries whatever the number of responses. What may be shown is decided
by surveys.disclosure (no group under MIN_GROUP, and none that differs from another
reachable group by fewer than MIN_GROUP people), and free text only when its group may be
shown and an auditor has approved the answer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import NamedTuple

from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone, translation

from . import disclosure
from .disclosure import MIN_GROUP, Cell
from .models import Answer, FrozenCount, Kind, Question, Response, Survey, Unit

MAX_TEXTS_PER_QUESTION = 200


@dataclass
class Filters:
    unit: Unit | None = None
    channel: str = ""
    support: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def active(self) -> bool:
        return bool(self.unit or self.channel or self.support or self.date_from or self.date_to)


@dataclass
class Row:
    label: str
    value: str
    count: int
    percent: float
    smiley: str = ""


@dataclass
class QuestionResult:
    number: int
    question: Question
    answered: int
    suppressed: bool
    rows: list[Row] = field(default_factory=list)
    dont_know: int = 0
    dont_know_percent: float = 0.0
    skipped: int = 0
    mean: float | None = None
    minimum: int | None = None
    maximum: int | None = None
    texts: list[str] = field(default_factory=list)
    texts_waiting: int = 0
    # The question in the language active when the results were counted.
    text: str = ""

    def __post_init__(self) -> None:
        self.text = self.text or self.question.text


@dataclass
class UnitCount:
    name: str
    count: int | None  # None: fewer than MIN_GROUP, not shown


@dataclass
class Results:
    survey: Survey
    filters: Filters
    respondents: int
    suppressed: bool
    questions: list[QuestionResult]
    units: list[UnitCount]
    helped: int | None
    from_totals: bool = False
    min_group: int = MIN_GROUP


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _fill_options(item: QuestionResult, counts: dict[int, int], dont_know: int) -> None:
    n = item.answered
    item.rows = [
        Row(o.label, o.value, counts.get(o.pk, 0), _percent(counts.get(o.pk, 0), n), o.smiley)
        for o in item.question.options.all()
    ]
    item.dont_know = dont_know
    item.dont_know_percent = _percent(dont_know, n)


def _responses(survey: Survey, filters: Filters):
    responses = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
    if filters.unit:
        responses = responses.filter(unit=filters.unit)
    if filters.channel:
        responses = responses.filter(channel=filters.channel)
    if filters.support:
        responses = responses.filter(support=filters.support)
    zone = timezone.get_current_timezone()
    if filters.date_from:
        start = datetime.combine(filters.date_from, time.min, tzinfo=zone)
        responses = responses.filter(submitted_at__gte=start)
    if filters.date_to:
        end = datetime.combine(filters.date_to, time.max, tzinfo=zone)
        responses = responses.filter(submitted_at__lte=end)
    return responses


def _day():
    return TruncDate("submitted_at", tzinfo=timezone.get_current_timezone())


def _respondent_cells(survey: Survey) -> tuple[dict[Cell, int], dict[int, str]]:
    """Respondents per cell, over every submitted response (the filters apply in Python), and
    the units' names."""
    rows = (
        Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
        .order_by()
        .values_list("unit_id", "unit__name", "channel", "support", _day())
        .annotate(n=Count("pk"))
    )
    names = {}
    cells: dict[Cell, int] = defaultdict(int)
    for unit, name, channel, support, day, n in rows:
        if unit:
            names[unit] = name
        cells[Cell(unit, channel, support, day)] += n
    return cells, names


def _answer_cells(survey: Survey, questions: list[Question]) -> dict[int, dict[Cell, int]]:
    """The people who answered each question, per cell: one row per answer except for
    multiple choice (one row per ticked option), which alone needs the costly DISTINCT."""
    answers = Answer.objects.filter(
        response__survey=survey, response__status=Response.Status.SUBMITTED
    ).order_by()
    day = TruncDate("response__submitted_at", tzinfo=timezone.get_current_timezone())
    fields = ("question_id", "response__unit_id", "response__channel", "response__support")
    multiple = [q.pk for q in questions if q.kind == Kind.MULTIPLE]
    rows = list(
        answers.exclude(question_id__in=multiple)
        .filter(question_id__in=[q.pk for q in questions])
        .values_list(*fields, day)
        .annotate(n=Count("pk"))
    )
    if multiple:
        rows += (
            answers.filter(question_id__in=multiple)
            .values_list(*fields, day)
            .annotate(n=Count("response_id", distinct=True))
        )
    cells: dict[int, dict[Cell, int]] = defaultdict(lambda: defaultdict(int))
    for question_id, unit, channel, support, on, n in rows:
        cells[question_id][Cell(unit, channel, support, on)] += n
    return cells


def _units(cells: dict[Cell, int], names: dict[int, str], filters: Filters) -> list[UnitCount]:
    """Respondents per unit in the selection; a unit's count only where its group may be shown."""
    per_unit = {
        unit: disclosure.count(cells, replace(filters, unit=unit))
        for unit in {cell.unit for cell in cells if cell.unit}
    }
    return sorted(
        (
            UnitCount(
                names[unit],
                n if disclosure.may_show(cells, replace(filters, unit=unit)) else None,
            )
            for unit, n in per_unit.items()
            if n
        ),
        key=lambda item: item.name,
    )


def _helped(cells: dict[Cell, int], filters: Filters) -> int | None:
    """How many had a support person: said when it is none, or "fewer than five", or when the
    group of those helped may be shown; otherwise nothing."""
    if filters.support not in ("", Response.Support.HELPED):
        return 0
    helped = replace(filters, support=Response.Support.HELPED)
    n = disclosure.count(cells, helped)
    return n if n < MIN_GROUP or disclosure.may_show(cells, helped) else None


def survey_results(survey: Survey, filters: Filters | None = None) -> Results:
    filters = filters or Filters()
    questions = list(survey.questions.counted().in_order().prefetch_related("options"))
    if survey.raw_deleted_at:
        return _results_from_totals(survey, filters, questions)

    people, names = _respondent_cells(survey)
    respondents = disclosure.count(people, filters)
    units = _units(people, names, filters)
    if not disclosure.may_show(people, filters):
        return Results(survey, filters, respondents, True, [], units, None)
    helped = _helped(people, filters)

    responses = _responses(survey, filters)
    answers = Answer.objects.filter(response__in=responses.values("pk"))
    counts = _answer_counts(answers)
    # The number who answered each question comes from its cells, which also decide what
    # may be shown.

    by_question = _answer_cells(survey, questions)
    answered = {q.pk: disclosure.count(by_question[q.pk], filters) for q in questions}
    shown = {q.pk for q in questions if disclosure.may_show(by_question[q.pk], filters)}

    texts = _approved_texts(answers, questions, shown)

    results = []
    for number, question in enumerate(questions, start=1):
        n = answered.get(question.pk, 0)
        item = QuestionResult(number, question, n, suppressed=question.pk not in shown)
        item.skipped = respondents - n
        if not item.suppressed:
            options = counts.options.get(question.pk, {})
            _fill_options(item, options, counts.dont_know.get(question.pk, 0))
            if question.pk in counts.numbers:
                count, total, low, high = counts.numbers[question.pk]
                item.mean = round(total / count, 1)
                item.minimum, item.maximum = low, high
            item.texts = texts.get(question.pk, [])
            item.texts_waiting = counts.waiting.get(question.pk, 0)
        results.append(item)
    return Results(survey, filters, respondents, False, results, units, helped)


class AnswerCounts(NamedTuple):
    """Per question: people per option, "don't know", texts waiting for review, and the
    number answers' [count, sum, lowest, highest]."""

    options: dict[int, dict]
    dont_know: dict[int, int]
    waiting: dict[int, int]
    numbers: dict[int, list]


def _answer_counts(answers) -> AnswerCounts:
    """One grouped pass gives option, "don't know", number and waiting-text counts; the number
    who answered each question comes from its cells, which also decide what may be shown."""
    counts = AnswerCounts(defaultdict(dict), defaultdict(int), defaultdict(int), {})
    for question_id, option_id, is_dont_know, review, n, count, total, low, high in (
        answers.order_by()
        .values_list("question_id", "option_id", "dont_know", "review")
        .annotate(
            n=Count("pk"),
            count=Count("number"),
            total=Sum("number"),
            low=Min("number"),
            high=Max("number"),
        )
    ):
        if is_dont_know:
            counts.dont_know[question_id] += n
        elif option_id:
            counts.options[question_id][option_id] = n
        if review == Answer.Review.PENDING:
            counts.waiting[question_id] += n
        if count:
            stats = counts.numbers.setdefault(question_id, [0, 0, low, high])
            stats[0] += count
            stats[1] += total
            stats[2] = min(stats[2], low)
            stats[3] = max(stats[3], high)
    return counts


def _approved_texts(answers, questions, shown: set[int]) -> dict[int, list[str]]:
    """Approved texts only, a page of them per question: one query per free-text question.
    A text reviewers hid never leaves the database."""
    texts: dict[int, list[str]] = {}
    for question in questions:
        if question.kind == Kind.TEXT and question.pk in shown:
            texts[question.pk] = list(
                answers.filter(question=question, review=Answer.Review.APPROVED)
                .exclude(text="")
                .order_by("pk")
                .values_list("text", flat=True)[:MAX_TEXTS_PER_QUESTION]
            )
    return texts


def _results_from_totals(survey: Survey, filters: Filters, questions) -> Results:
    """Results after the raw answers were deleted: the kept totals, without period filters."""
    filters = replace(filters, date_from=None, date_to=None)
    people, names, kept = _kept_totals(survey)
    respondents = disclosure.count(people, filters)
    units = _units(people, names, filters)
    if not disclosure.may_show(people, filters):
        return Results(survey, filters, respondents, True, [], units, None, from_totals=True)
    helped = _helped(people, filters)
    results = [
        _kept_result(number, question, kept.get(question.pk, {}), filters)
        for number, question in enumerate(questions, start=1)
    ]
    return Results(survey, filters, respondents, False, results, units, helped, from_totals=True)


def _kept_totals(survey: Survey) -> tuple[dict[Cell, int], dict[int, str], dict]:
    """The kept totals: people per cell, unit names, and per question and cell the people
    per option, "don't know", and number answers with their sum."""
    totals = FrozenCount.objects.filter(survey=survey).order_by()
    rows = totals.values_list(
        "question_id", "option_id", "dont_know", "unit_id", "unit__name", "channel", "support"
    ).annotate(n=Sum("count"), s=Sum("number_sum"))
    people: dict[Cell, int] = defaultdict(int)
    names: dict[int, str] = {}
    kept: dict[int, dict[Cell, dict]] = defaultdict(dict)
    for question_id, option_id, is_dont_know, unit, name, channel, support, n, s in rows:
        cell = Cell(unit, channel, support, None)
        if unit:
            names[unit] = name
        if question_id is None:
            people[cell] += n
            continue
        part = kept[question_id].setdefault(cell, {"options": {}, "dont_know": 0, "numbers": None})
        if is_dont_know:
            part["dont_know"] += n
        elif option_id:
            part["options"][option_id] = part["options"].get(option_id, 0) + n
        elif s is not None:
            part["numbers"] = (n, s)
    return people, names, kept


def _kept_result(number: int, question: Question, parts: dict, filters: Filters) -> QuestionResult:
    """One question's result from its kept totals per cell."""
    answered = {cell: _kept_answered(question, part) for cell, part in parts.items()}
    n = disclosure.count(answered, filters)
    item = QuestionResult(
        number, question, n, suppressed=not disclosure.may_show(answered, filters)
    )
    if not item.suppressed:
        selected = [part for cell, part in parts.items() if disclosure.holds(filters, cell)]
        counts: dict[int, int] = defaultdict(int)
        numbers = [part["numbers"] for part in selected if part["numbers"]]
        for part in selected:
            for option_id, k in part["options"].items():
                counts[option_id] += k
        _fill_options(item, counts, sum(part["dont_know"] for part in selected))
        if numbers:
            count, total = sum(k for k, _s in numbers), sum(s for _k, s in numbers)
            item.mean = round(total / count, 1) if count else None
    return item


def _kept_answered(question: Question, part: dict) -> int:
    if part["numbers"]:
        return part["numbers"][0]
    if question.is_multiple:
        # Without single answers, the number who answered is not known exactly.
        return max(part["options"].values(), default=0) + part["dont_know"]
    return sum(part["options"].values()) + part["dont_know"]


def survey_summary(survey: Survey, language: str) -> Results:
    """The survey section of an audit report: questions and answers in the report's language."""
    with translation.override(language):
        return survey_results(survey)


def not_understood(survey: Survey) -> list[Question]:
    return list(
        survey.questions.filter(~Q(not_understood_count=0)).order_by("-not_understood_count", "pk")
    )
