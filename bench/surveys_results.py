"""Benchmark: surveys.results.survey_results on 50,000 submitted responses × 20 questions.

    .venv/bin/python bench/surveys_results.py            # build, measure, drop the database
    .venv/bin/python bench/surveys_results.py --keep-db  # keep bench_surveys_results afterwards

Creates a fresh PostgreSQL database, a survey of 20 questions (6 scale5, 4 yes_no, 3 single,
2 multiple, 2 number, 3 text), 10 units and N submitted responses with 20 answer rows each
(bulk_create), plus a few in-progress responses that must not count. Then times
survey_results() cold (first call on a new connection) and warm (median of 5), with and
without filters, and shows where the time goes query by query.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from contextlib import contextmanager
from datetime import timedelta

import benchlib

DB = "bench_surveys_results"
TARGET_SECONDS = 1.0


@contextmanager
def query_log():
    """Record every SQL statement with its duration."""
    from django.db import connection

    log: list[tuple[float, str]] = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            log.append((time.perf_counter() - started, sql))

    with connection.execute_wrapper(wrapper):
        yield log


def timed(function, *args):
    from django.db import connections

    started = time.perf_counter()
    with query_log() as log:
        result = function(*args)
    elapsed = time.perf_counter() - started
    connections["default"].close_if_unusable_or_obsolete()
    return elapsed, result, log


def describe(log) -> list[dict]:
    return [
        {"ms": round(seconds * 1000, 1), "sql": " ".join(sql.split())[:150]}
        for seconds, sql in sorted(log, key=lambda item: -item[0])
    ]


def measure(survey, name: str, filters, runs: int) -> dict:
    from django.db import connections

    from surveys.results import survey_results

    connections.close_all()  # cold: a new database connection, nothing cached in Django
    cold, result, cold_log = timed(survey_results, survey, filters)
    warm = []
    warm_log = []
    for _ in range(runs):
        seconds, result, warm_log = timed(survey_results, survey, filters)
        warm.append(seconds)
    row = {
        "implementation": "app",
        "case": name,
        "respondents": result.respondents,
        "questions_shown": sum(1 for q in result.questions if not q.suppressed),
        "cold_s": round(cold, 3),
        "warm_median_s": round(benchlib.median(warm), 3),
        "warm_min_s": round(min(warm), 3),
        "warm_max_s": round(max(warm), 3),
        "queries": len(warm_log),
        "slowest_queries_warm": describe(warm_log)[:4],
        "cold_queries": describe(cold_log)[:4],
    }
    print(
        f"{name:<34} respondents={row['respondents']:>6}  cold={row['cold_s']:.3f} s"
        f"  warm median={row['warm_median_s']:.3f} s (min {row['warm_min_s']:.3f},"
        f" max {row['warm_max_s']:.3f}), {row['queries']} queries",
        flush=True,
    )
    for item in row["slowest_queries_warm"][:3]:
        print(f"    {item['ms']:>8.1f} ms  {item['sql'][:120]}", flush=True)
    return row


def view_extras(survey, runs: int) -> dict:
    """The results page (surveys.views.manage.results) runs two more queries beside
    survey_results: not_understood() and this count of free texts waiting for review."""
    from surveys.models import Answer

    def pending():
        return Answer.objects.filter(question__survey=survey, review=Answer.Review.PENDING).count()

    from django.db import connection

    def measure_pending() -> list[float]:
        seconds = []
        for _ in range(runs):
            elapsed, _count, _log = timed(pending)
            seconds.append(elapsed)
        return seconds

    seconds = measure_pending()
    # The proposed fix, tried on this throwaway database only: a partial index.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE INDEX bench_answer_pending ON surveys_answer (question_id)"
            " WHERE review = 'pending'"
        )
        cursor.execute("ANALYZE surveys_answer")
    indexed = measure_pending()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX bench_answer_pending")
    row = {
        "implementation": "app",
        "case": "results view: pending free-text count",
        "warm_median_s": round(benchlib.median(seconds), 3),
        "warm_min_s": round(min(seconds), 3),
        "warm_max_s": round(max(seconds), 3),
        "with_partial_index_median_s": round(benchlib.median(indexed), 3),
    }
    print(
        f"app      {row['case']:<34} warm median={row['warm_median_s']:.3f} s;"
        f" with a partial index on (question_id) WHERE review = 'pending':"
        f" {row['with_partial_index_median_s']:.3f} s",
        flush=True,
    )
    return row


def check(survey, result, counts: dict) -> None:
    """The numbers must be right, not only fast."""
    from surveys.models import Answer

    assert result.respondents == counts["responses_submitted"], result.respondents
    for item in result.questions:
        expected = (
            Answer.objects.filter(question=item.question, response__status="submitted")
            .values("response")
            .distinct()
            .count()
        )
        assert item.answered == expected, (item.question, item.answered, expected)
        if item.rows:
            ticked = sum(row.count for row in item.rows) + item.dont_know
            assert ticked >= item.answered, (item.question, ticked, item.answered)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--in-progress", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--reuse-db", action="store_true", help="measure a database kept by --keep-db, no load"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    benchlib.configure(DB)
    load_at_start = os.getloadavg()
    print(f"machine: {benchlib.machine_notes()}; load average {load_at_start}", flush=True)
    if not args.reuse_db:
        benchlib.recreate_db(DB)
    try:
        benchlib.setup_django(migrate=not args.reuse_db)
        from django.utils import timezone

        from surveys.models import Survey
        from surveys.results import Filters

        if args.reuse_db:
            survey = Survey.objects.get()
            load = {}
        else:
            survey = benchlib.build_survey(benchlib.KINDS_20, units=10)
            print(f"loading {args.responses} submitted + {args.in_progress} in-progress")
            load = benchlib.load_responses(survey, args.responses, args.in_progress)
        counts = benchlib.row_counts(survey)
        print(json.dumps({**load, **counts}, indent=2, default=str), flush=True)

        unit = survey.units.order_by("pk").first()
        today = timezone.localdate()
        cases = [
            ("no filter", Filters()),
            (f"unit filter ({unit.name})", Filters(unit=unit)),
            ("last 14 days", Filters(date_from=today - timedelta(days=14), date_to=today)),
            ("helped, web", Filters(support="helped", channel="web")),
        ]
        rows = [measure(survey, name, filters, args.runs) for name, filters in cases]
        rows.append(view_extras(survey, args.runs))

        from surveys.results import survey_results

        check(survey, survey_results(survey), counts)
        print("app results checked against direct counts: OK")
        best = rows[0]
        verdict = "met" if best["warm_median_s"] < TARGET_SECONDS else "NOT met"
        print(
            f"target < {TARGET_SECONDS:.0f} s without filter: {verdict}"
            f" (cold {best['cold_s']:.3f} s, warm median {best['warm_median_s']:.3f} s)"
        )
        summary = {
            "machine": benchlib.machine_notes(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": os.getloadavg(),
            "load": load,
            "counts": counts,
            "cases": rows,
        }
        if args.json:
            with open(args.json, "w") as handle:
                json.dump(summary, handle, indent=2, default=str)
    finally:
        if not args.keep_db:
            benchlib.drop_db(DB)
            print(f"dropped database {DB}")


if __name__ == "__main__":
    main()
