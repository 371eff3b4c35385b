"""Where an answering request spends its time: SQL queries and in-process time per step.

    .venv/bin/python bench/surveys_flow_queries.py             # 30 flows, then drop the db
    .venv/bin/python bench/surveys_flow_queries.py --show-sql  # and list each step's queries

The same flow as locustfile_surveys.py (16 requests), through Django's test client in this
process (no gunicorn, no network, CSRF checks off as the test client does), on a fresh
PostgreSQL database with the production settings. It explains the app/ceiling ratio of
surveys_submit.py: the cost per request is mostly the number of ORM queries.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import re
import time

import benchlib

DB = "bench_surveys_flow"
KINDS = ["scale5", "yes_no", "single", "scale5", "yes_no"]
START_KEY = re.compile(r'name="start_key" value="([^"]+)"')
OPTION = re.compile(r'name="(q\d+-answer)" id="[^"]*" value="([^"]+)"')


def flow(client, token: str, report: dict) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def step(name: str, method: str, path: str, data: dict | None = None):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            cpu_started = time.process_time()
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, data or {})
            cpu = time.process_time() - cpu_started
            elapsed = time.perf_counter() - started
        report.setdefault(name, []).append((elapsed, [q["sql"] for q in queries], cpu))
        return response

    client.cookies.clear()
    base = f"/surveys/a/{token}/"
    page = step("GET start", "GET", base).content.decode()
    key = START_KEY.search(page).group(1)
    data = {"start_key": key, "support": "alone"}
    location = step("POST start", "POST", base, data)["Location"]
    while "/q/" in location:
        page = step("GET question", "GET", location).content.decode()
        field, value = OPTION.findall(page)[0]
        data = {field: value, "action": "next"}
        location = step("POST answer", "POST", location, data)["Location"]
    step("GET review", "GET", location)
    done = step("POST submit", "POST", location)["Location"]
    step("POST submit again", "POST", location)
    step("GET done", "GET", done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=30)
    parser.add_argument("--show-sql", action="store_true")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--db", default=DB, help=f"database to create and drop ({DB})")
    parser.add_argument(
        "--profile", metavar="FILE", help="write a cProfile of the measured flows to FILE"
    )
    args = parser.parse_args()

    # The database named here, whatever DATABASE_URL said: it is created and dropped.
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    benchlib.configure(args.db)
    benchlib.recreate_db(args.db)
    try:
        benchlib.setup_django(migrate=True)
        from django.core.management import call_command
        from django.test import Client

        call_command("collectstatic", interactive=False, verbosity=0)
        survey = benchlib.build_survey(KINDS, units=0, title="Flow queries")
        client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
        for _ in range(3):  # warm up templates, connections, caches
            flow(client, survey.token, {})
        report: dict = {}
        profile = cProfile.Profile() if args.profile else None
        if profile:
            profile.enable()
        for _ in range(args.flows):
            flow(client, survey.token, report)
        if profile:
            profile.disable()
            profile.dump_stats(args.profile)
        per_flow_queries = 0
        per_flow_ms = 0.0
        per_flow_cpu = 0.0
        print(f"{'step':<20} {'per flow':>8} {'ms (mean)':>10} {'CPU ms':>7} {'queries':>8}")
        for name, items in report.items():
            count = len(items) // args.flows
            ms = 1000 * sum(item[0] for item in items) / len(items)
            cpu = 1000 * sum(item[2] for item in items) / len(items)
            queries = sum(len(item[1]) for item in items) / len(items)
            per_flow_queries += count * queries
            per_flow_ms += count * ms
            per_flow_cpu += count * cpu
            print(f"{name:<20} {count:>8} {ms:>10.1f} {cpu:>7.2f} {queries:>8.1f}")
        print(
            f"{'whole flow':<20} {16:>8} {per_flow_ms:>10.1f} {per_flow_cpu:>7.1f}"
            f" {per_flow_queries:>8.1f}"
        )
        print(f"CPU per request (mean over the flow): {per_flow_cpu / 16:.2f} ms")
        if args.show_sql:
            for name, items in report.items():
                print(f"\n--- {name}")
                for sql in items[0][1]:
                    print("   ", sql[:150])
    finally:
        if not args.keep_db:
            benchlib.drop_db(args.db)
            print(f"dropped database {args.db}")


if __name__ == "__main__":
    main()
