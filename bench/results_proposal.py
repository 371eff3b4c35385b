"""A proposed faster survey_results, kept in bench/ so it can be measured beside the app's.

Same output as surveys.results.survey_results (surveys_results.py checks that field by
field); only the three heavy queries change:

1. "How many answered each question" was COUNT(DISTINCT response_id) grouped by question
   over every answer row: PostgreSQL sorts all of them (about 0.7 s at 1,000,000 rows).
   Only a multiple-choice question can have more than one row per response
   (services._write_answer deletes and writes one row otherwise, under the response's row
   lock), so the row count of the grouped count that is made anyway gives the answer for
   the other kinds, and the DISTINCT count runs over the multiple-choice questions' rows only.
2. Option counts, "don't know" counts, the number statistics and the count of free texts
   waiting for review come from one grouped pass instead of three.
3. Free texts: only the approved ones are read, at most MAX_TEXTS_PER_QUESTION per question
   (LIMIT), instead of every non-empty text answer of the survey.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Max, Min, Sum

from surveys.models import Answer, Kind, Response, Survey
from surveys.results import (
    MAX_TEXTS_PER_QUESTION,
    MIN_GROUP,
    Filters,
    QuestionResult,
    Results,
    Row,
    UnitCount,
    _percent,
    _responses,
    _results_from_totals,
)


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

    texts: dict[int, list[str]] = {}
    for question in questions:
        if question.kind == Kind.TEXT and rows_per_question.get(question.pk):
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
            item.rows = [
                Row(
                    o.label,
                    o.value,
                    counts.get(o.pk, 0),
                    _percent(counts.get(o.pk, 0), n),
                    o.smiley,
                )
                for o in question.options.all()
            ]
            item.dont_know = dont_know.get(question.pk, 0)
            item.dont_know_percent = _percent(item.dont_know, n)
            if question.pk in number_stats:
                count, total, low, high = number_stats[question.pk]
                item.mean = round(total / count, 1)
                item.minimum, item.maximum = low, high
            item.texts = texts.get(question.pk, [])
            item.texts_waiting = waiting.get(question.pk, 0)
        results.append(item)
    return Results(survey, filters, respondents, False, results, units, helped)
