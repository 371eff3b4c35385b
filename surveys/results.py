"""Results counted in the database, with small groups suppressed.

A fixed number of queries whatever the number of responses. Any group of fewer than
MIN_GROUP respondents is never shown, and free text only when its group is large
enough and an auditor has reviewed the answer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone, translation

from .models import Answer, FrozenCount, Kind, Question, Response, Survey, Unit

MIN_GROUP = 5
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


def survey_results(survey: Survey, filters: Filters | None = None) -> Results:
    filters = filters or Filters()
    questions = list(survey.questions.counted().in_order().prefetch_related("options"))
    if survey.raw_deleted_at:
        return _results_from_totals(survey, filters, questions)

    responses = _responses(survey, filters)
    respondents = responses.count()
    units = [
        UnitCount(name or "", n if n >= MIN_GROUP else None)
        for name, n in responses.order_by()
        .values_list("unit__name")
        .annotate(n=Count("pk"))
        .order_by("unit__name")
        if name
    ]
    helped = responses.filter(support=Response.Support.HELPED).count()
    if respondents < MIN_GROUP:
        return Results(survey, filters, respondents, True, [], units, None)

    answers = Answer.objects.filter(response__in=responses.values("pk"))
    # One grouped pass gives option, "don't know", number and waiting-text counts. Only a
    # multiple-choice question has more than one row per response (services._write_answer
    # writes one row otherwise), so its row count is the number who answered; the costly
    # DISTINCT count runs over multiple-choice rows only.
    option_counts: dict[int, dict] = defaultdict(dict)
    dont_know: dict[int, int] = defaultdict(int)
    rows_per_question: dict[int, int] = defaultdict(int)
    waiting: dict[int, int] = defaultdict(int)
    number_stats: dict[int, list] = {}
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
        rows_per_question[question_id] += n
        if is_dont_know:
            dont_know[question_id] += n
        elif option_id:
            option_counts[question_id][option_id] = n
        if review == Answer.Review.PENDING:
            waiting[question_id] += n
        if count:
            stats = number_stats.setdefault(question_id, [0, 0, low, high])
            stats[0] += count
            stats[1] += total
            stats[2] = min(stats[2], low)
            stats[3] = max(stats[3], high)

    multiple = [q.pk for q in questions if q.kind == Kind.MULTIPLE]
    answered = {q.pk: rows_per_question.get(q.pk, 0) for q in questions if q.pk not in multiple}
    if multiple:
        answered.update(
            answers.filter(question_id__in=multiple)
            .order_by()
            .values_list("question_id")
            .annotate(n=Count("response_id", distinct=True))
        )

    # Approved texts only, a page of them per question: one query per free-text question.
    texts: dict[int, list[str]] = {}
    for question in questions:
        if question.kind == Kind.TEXT and answered.get(question.pk, 0) >= MIN_GROUP:
            texts[question.pk] = list(
                answers.filter(question=question, review=Answer.Review.APPROVED)
                .exclude(text="")
                .order_by("pk")
                .values_list("text", flat=True)[:MAX_TEXTS_PER_QUESTION]
            )

    results = []
    for number, question in enumerate(questions, start=1):
        n = answered.get(question.pk, 0)
        item = QuestionResult(number, question, n, suppressed=n < MIN_GROUP)
        item.skipped = respondents - n
        if not item.suppressed:
            counts = option_counts.get(question.pk, {})
            _fill_options(item, counts, dont_know.get(question.pk, 0))
            if question.pk in number_stats:
                count, total, low, high = number_stats[question.pk]
                item.mean = round(total / count, 1)
                item.minimum, item.maximum = low, high
            item.texts = texts.get(question.pk, [])
            item.texts_waiting = waiting.get(question.pk, 0)
        results.append(item)
    return Results(survey, filters, respondents, False, results, units, helped)


def _results_from_totals(survey: Survey, filters: Filters, questions) -> Results:
    """Results after the raw answers were deleted: the kept totals, without period filters."""
    totals = FrozenCount.objects.filter(survey=survey)
    if filters.unit:
        totals = totals.filter(unit=filters.unit)
    if filters.channel:
        totals = totals.filter(channel=filters.channel)
    if filters.support:
        totals = totals.filter(support=filters.support)
    people = totals.filter(question=None)
    respondents = people.aggregate(n=Sum("count"))["n"] or 0
    units = [
        UnitCount(name, n if n >= MIN_GROUP else None)
        for name, n in people.exclude(unit=None)
        .order_by()
        .values_list("unit__name")
        .annotate(n=Sum("count"))
        .order_by("unit__name")
    ]
    helped = people.filter(support=Response.Support.HELPED).aggregate(n=Sum("count"))["n"] or 0
    if respondents < MIN_GROUP:
        return Results(survey, filters, respondents, True, [], units, None, from_totals=True)
    per_option: dict[int, dict] = defaultdict(dict)
    dont_know: dict[int, int] = defaultdict(int)
    number_totals: dict[int, tuple[int, int]] = {}
    for row in (
        totals.exclude(question=None)
        .order_by()
        .values("question_id", "option_id", "dont_know")
        .annotate(n=Sum("count"), s=Sum("number_sum"))
    ):
        if row["dont_know"]:
            dont_know[row["question_id"]] += row["n"]
        elif row["option_id"]:
            per_option[row["question_id"]][row["option_id"]] = row["n"]
        elif row["s"] is not None:
            number_totals[row["question_id"]] = (row["n"], row["s"])
    results = []
    for number, question in enumerate(questions, start=1):
        counts = per_option.get(question.pk, {})
        if question.is_multiple:
            # Without single answers, the number who answered is not known exactly.
            n = max(counts.values(), default=0) + dont_know.get(question.pk, 0)
        else:
            n = sum(counts.values()) + dont_know.get(question.pk, 0)
        if question.pk in number_totals:
            n = number_totals[question.pk][0]
        item = QuestionResult(number, question, n, suppressed=n < MIN_GROUP)
        if not item.suppressed:
            _fill_options(item, counts, dont_know.get(question.pk, 0))
            if question.pk in number_totals:
                count, total = number_totals[question.pk]
                item.mean = round(total / count, 1) if count else None
        results.append(item)
    return Results(survey, filters, respondents, False, results, units, helped, from_totals=True)


def survey_summary(survey: Survey, language: str) -> Results:
    """The survey section of an audit report: questions and answers in the report's language."""
    with translation.override(language):
        return survey_results(survey)


def not_understood(survey: Survey) -> list[Question]:
    return list(
        survey.questions.filter(~Q(not_understood_count=0)).order_by("-not_understood_count", "pk")
    )
