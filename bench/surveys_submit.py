"""Benchmark: anonymous answering under load, against a one-INSERT Django view as the ceiling.

    .venv/bin/pip install -r bench/requirements.txt     # locust, once
    .venv/bin/python bench/surveys_submit.py            # 20 users, 60 s each phase
    .venv/bin/python bench/surveys_submit.py --users 8 --duration 30 --keep-db

Creates a fresh PostgreSQL database (migrate, collectstatic for DEBUG=false) and an open
survey of 5 choice questions, then in one run:

1. app: gunicorn brukarkraft.wsgi -w 2 on 127.0.0.1:8765; locust drives N users, each
   doing whole answering flows (bench/locustfile_surveys.py: 16 requests per flow, the
   review page posted twice) for --duration seconds, then lets every user finish its flow.
2. ceiling: gunicorn bench.ceiling_wsgi -w 2 on 127.0.0.1:8766 (same settings and
   middleware, one view doing one INSERT); the same N users post to it for --duration s.

Then checks the database: submitted responses = flows the load generator saw submitted
(nothing lost, nothing doubled by the second submit), 5 answers per submitted response, no
(response, question) pair twice, and ceiling rows = successful ceiling requests.

The users are a day centre where everyone answers at once on one Wi-Fi: every request
comes from one address (127.0.0.1) with the rate limits on, at the limits production runs
with (RATELIMIT_ENABLE=true, the RATE_LIMIT_* defaults). None of them may be refused.

A run that measures nothing fails: the exit status is 1, with the reason, and no ratio is
printed, when no flow was submitted, any request or flow failed (a refusal is a failure),
the database checks fail or the ceiling made no request.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import benchlib

DB = "bench_surveys_submit"
APP_PORT = 8765
CEILING_PORT = 8766
KINDS = ["scale5", "yes_no", "single", "scale5", "yes_no"]
REQUESTS_PER_FLOW = 16  # see locustfile_surveys.py
BIN = Path(sys.executable).parent


def start_gunicorn(target: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            target,
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--chdir",
            str(benchlib.ROOT),
            "--log-level",
            "warning",
        ],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    benchlib.wait_until_up(port, process, log, any_answer=True)
    return process


def warm_up(port: int, path: str, method: str = "GET", times: int = 20) -> None:
    """Let both workers load templates and open their database connection."""
    for _ in range(times):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}",
            method=method,
            data=b"note=warm" if method == "POST" else None,
            headers={"X-Forwarded-Proto": "https"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            response.read()


def cpu_seconds(pids) -> dict[int, float]:
    import psutil

    seconds = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
            seconds[pid] = times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return seconds


def server_pids(gunicorn: subprocess.Popen) -> list[int]:
    import psutil

    master = psutil.Process(gunicorn.pid)
    return [gunicorn.pid] + [child.pid for child in master.children(recursive=True)]


def postgres_cpu() -> float:
    """CPU seconds of PostgreSQL so far: live processes plus the backends that have ended
    (the postmaster's children times). Backends come and go (CONN_MAX_AGE=60), so summing
    only the live ones would miss most of it. Includes other databases' backends."""
    import psutil

    total = 0.0
    for process in psutil.process_iter(["name", "cpu_times"]):
        if process.info["name"] == "postgres" and process.info["cpu_times"] is not None:
            times = process.info["cpu_times"]
            total += times.user + times.system + times.children_user + times.children_system
    return total


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


BUSY_FIELDS = ("user", "system", "nice", "irq", "softirq")


class CpuMeter:
    """The CPU time each party used between start() and stop(): the web servers
    (`web_pids()` then), PostgreSQL, this process's children (locust), the machine in all,
    and what the hypervisor gave to other guests (steal: on a shared virtual machine a
    phase can lose a sixth of its time this way while "busy" looks low). One meter for
    every load bench, so their figures mean the same."""

    def __init__(self, web_pids) -> None:
        self.web_pids = web_pids

    def start(self) -> None:
        import psutil

        self.web_before = cpu_seconds(self.web_pids())
        self.pg_before = postgres_cpu()
        self.locust_before = children_cpu()
        self.system_before = psutil.cpu_times()
        self.started = time.time()

    def stop(self) -> dict[str, float]:
        import psutil

        self.wall = wall = time.time() - self.started
        after = psutil.cpu_times()
        web_after = cpu_seconds(self.web_pids())
        figures = {
            "web_s": sum(web_after[p] - self.web_before.get(p, 0) for p in web_after),
            "postgres_s": postgres_cpu() - self.pg_before,
            "locust_s": children_cpu() - self.locust_before,
            "machine_busy_s": sum(
                getattr(after, f) - getattr(self.system_before, f) for f in BUSY_FIELDS
            ),
            "machine_capacity_s": wall * (os.cpu_count() or 1),
            "steal_s": getattr(after, "steal", 0.0) - getattr(self.system_before, "steal", 0.0),
        }
        # Whatever else ran on the machine meanwhile (other people's tests, the desktop…).
        figures["others_s"] = (
            figures["machine_busy_s"]
            - figures["web_s"]
            - figures["postgres_s"]
            - figures["locust_s"]
        )
        return figures


def run_locust(user_class: str, port: int, args, env: dict, workdir: Path, gunicorn) -> dict:
    """Run locust headless; return its stats plus CPU used by each party during the run."""
    out = workdir / f"{user_class}.json"
    command = [
        str(BIN / "locust"),
        "-f",
        str(benchlib.BENCH / "locustfile_surveys.py"),
        "--headless",
        "-u",
        str(args.users),
        "-r",
        str(args.users),
        "-t",
        f"{args.duration}s",
        "--stop-timeout",
        "60",
        "--host",
        f"http://127.0.0.1:{port}",
        "--json-file",
        str(out.with_suffix("")),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--logfile",
        str(workdir / f"{user_class}.log"),
        user_class,
    ]
    meter = CpuMeter(lambda: server_pids(gunicorn))
    meter.start()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    cpu = meter.stop()
    cpu["gunicorn_s"] = cpu.pop("web_s")
    if not out.exists():
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"locust {user_class} wrote no stats")
    stats = json.loads(out.read_text())
    return {"stats": stats, "wall_seconds": meter.wall, "cpu": cpu}


def percentile(response_times: dict, fraction: float) -> float:
    """Locust keeps response times bucketed (rounded); read a percentile from them."""
    items = sorted((float(ms), count) for ms, count in response_times.items())
    total = sum(count for _ms, count in items)
    if not total:
        return 0.0
    seen = 0
    for ms, count in items:
        seen += count
        if seen >= fraction * total:
            return ms
    return items[-1][0]


def summarise(run: dict) -> dict:
    entries = run["stats"]
    http = [e for e in entries if e["method"] != "FLOW" and e["num_requests"]]
    if http:
        start = min(e["start_time"] for e in http)
        end = max(e["last_request_timestamp"] for e in http)
        seconds = max(end - start, 0.001)
    else:
        seconds = 0.001  # nothing was requested: every rate below comes out as 0
    by_name = {}
    for entry in entries:
        key = f"{entry['method']} {entry['name']}" if entry["method"] == "FLOW" else entry["name"]
        by_name[key] = {
            "requests": entry["num_requests"],
            "failures": entry["num_failures"],
            "ok": entry["num_requests"] - entry["num_failures"],
            "p50_ms": percentile(entry["response_times"], 0.5),
            "p95_ms": percentile(entry["response_times"], 0.95),
            "mean_ms": round(entry["total_response_time"] / entry["num_requests"], 1)
            if entry["num_requests"]
            else 0.0,
        }
    total = sum(e["num_requests"] for e in http)
    failures = sum(e["num_failures"] for e in http)
    cpu = run["cpu"]
    cpu["gunicorn_ms_per_request"] = 1000 * cpu["gunicorn_s"] / total if total else 0.0
    cpu["postgres_ms_per_request"] = 1000 * cpu["postgres_s"] / total if total else 0.0
    return {
        "seconds": round(seconds, 1),
        "http_requests": total,
        "http_failures": failures,
        "requests_per_s": round(total / seconds, 1),
        "by_name": by_name,
        "cpu": {k: round(v, 2) for k, v in cpu.items()},
    }


def db_checks(survey) -> dict:
    from django.db import connection

    from surveys.models import Answer, Response

    responses = Response.objects.filter(survey=survey)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT response_id, question_id FROM surveys_answer"
            " GROUP BY 1, 2 HAVING count(*) > 1) d"
        )
        duplicated_pairs = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM surveys_response r WHERE r.status = 'submitted' AND"
            " (SELECT count(*) FROM surveys_answer a WHERE a.response_id = r.id) <> %s",
            [len(KINDS)],
        )
        submitted_not_complete = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM django_session")
        sessions = cursor.fetchone()[0]
    return {
        "responses": responses.count(),
        "submitted": responses.filter(status="submitted").count(),
        "in_progress": responses.filter(status="in_progress").count(),
        "answers": Answer.objects.filter(response__survey=survey).count(),
        "duplicated_response_question_pairs": duplicated_pairs,
        "submitted_without_5_answers": submitted_not_complete,
        "sessions": sessions,
    }


def ceiling_rows() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_ceiling WHERE note <> 'warm'")
        return cursor.fetchone()[0]


def fail_if(problems: list[str], result: dict, args) -> None:
    """Stop with exit status 1 and the reasons: a ratio of a run that measured nothing, or
    that refused respondents, means nothing."""
    if not problems:
        return
    result["problems"] = problems
    print(json.dumps(result, indent=2, default=str))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=str))
    print("\nBENCHMARK FAILED:\n  - " + "\n  - ".join(problems), file=sys.stderr, flush=True)
    sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=int, default=60, help="seconds per phase")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-ceiling", action="store_true")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--keep-logs", action="store_true", help="keep gunicorn/locust logs")
    parser.add_argument("--json", help="also write the figures to this file")
    # Several people may bench on one machine: each needs their own database and ports.
    parser.add_argument("--db", default=DB, help=f"database to create and drop ({DB})")
    parser.add_argument("--app-port", type=int, default=APP_PORT)
    parser.add_argument("--ceiling-port", type=int, default=CEILING_PORT)
    args = parser.parse_args()

    # The database named here, whatever DATABASE_URL said: it is created and dropped.
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    benchlib.configure(args.db)
    # Production's rate limits, whatever the caller's environment says: the bench is the
    # Wi-Fi of a day centre, and they must not refuse it.
    os.environ["RATELIMIT_ENABLE"] = "true"
    for name in ("SURVEY", "SURVEY_START"):
        os.environ.pop(f"RATE_LIMIT_{name}", None)
    benchlib.recreate_db(args.db)
    workdir = Path(tempfile.mkdtemp(prefix="bench-submit-"))
    servers: list[subprocess.Popen] = []
    try:
        benchlib.setup_django(migrate=True)
        from django.core.management import call_command
        from django.db import connection, connections

        call_command("collectstatic", interactive=False, verbosity=0)
        survey = benchlib.build_survey(KINDS, units=0, title="Submit benchmark")
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_ceiling (id bigserial PRIMARY KEY,"
                " created_at timestamptz NOT NULL, note text NOT NULL)"
            )
        connections.close_all()
        env = {**os.environ, "BENCH_SURVEY_TOKEN": survey.token, "BENCH_QUESTIONS": "5"}
        load_at_start = os.getloadavg()
        print(f"machine: {benchlib.machine_notes()}; load average {load_at_start}")
        print(f"workdir {workdir} (gunicorn and locust logs; --keep-logs keeps it)", flush=True)

        # --- 1. the app --------------------------------------------------------------------
        app = start_gunicorn("brukarkraft.wsgi", args.app_port, args.workers, workdir / "app.log")
        servers.append(app)
        warm_up(args.app_port, f"/surveys/a/{survey.token}/")
        print(f"app: {args.users} users for {args.duration} s …", flush=True)
        app_run = summarise(run_locust("Respondent", args.app_port, args, env, workdir, app))
        app_run["load_average_after"] = os.getloadavg()
        benchlib.stop(app)
        checks = db_checks(survey)
        flows = app_run["by_name"].get("FLOW submitted", {"ok": 0})["ok"]
        failed_flows = app_run["by_name"].get("FLOW failed", {"requests": 0})["requests"]
        started_ok = app_run["by_name"].get("POST start", {"ok": 0})["ok"]
        again_ok = app_run["by_name"].get("POST submit again", {"ok": 0})["ok"]
        app_run.update(
            submitted_flows=flows,
            failed_flows=failed_flows,
            flows_per_s=round(flows / app_run["seconds"], 2),
            db=checks,
            lost=max(0, flows - checks["submitted"]),
            extra=max(0, checks["submitted"] - flows),
            double_submits_answered_ok=again_ok,
        )
        ok = (
            flows > 0
            and checks["submitted"] == flows
            and checks["responses"] == started_ok
            and checks["duplicated_response_question_pairs"] == 0
            and checks["submitted_without_5_answers"] == 0
            and again_ok == flows
        )
        app_run["integrity_ok"] = ok
        print(
            f"app: {flows} submitted flows ({failed_flows} failed) in {app_run['seconds']} s ="
            f" {app_run['flows_per_s']} submissions/s, {app_run['requests_per_s']} requests/s,"
            f" {app_run['http_failures']} HTTP failures;"
            f" gunicorn CPU {app_run['cpu']['gunicorn_ms_per_request']:.1f} ms/request",
            flush=True,
        )
        print(f"app: database {checks}; integrity {'OK' if ok else 'FAILED'}", flush=True)
        problems = []
        if flows == 0:
            problems.append("no flow was submitted: the app phase measured nothing")
        if app_run["http_failures"] or failed_flows:
            refused = {
                name: entry["failures"]
                for name, entry in app_run["by_name"].items()
                if entry["failures"]
            }
            problems.append(
                f"{app_run['http_failures']} HTTP failures and {failed_flows} failed flows"
                f" (by request: {refused}); see the locust log for the statuses"
            )
        if not ok:
            problems.append("the database checks failed (lost, doubled or incomplete answers)")

        result = {
            "machine": benchlib.machine_notes(),
            "load_average_at_start": load_at_start,
            "users": args.users,
            "duration": args.duration,
            "app": app_run,
        }
        fail_if(problems, result, args)  # no need to measure a ceiling for nothing
        # --- 2. the ceiling ----------------------------------------------------------------
        if not args.skip_ceiling:
            ceiling = start_gunicorn(
                "bench.ceiling_wsgi:application",
                args.ceiling_port,
                args.workers,
                workdir / "ceil.log",
            )
            servers.append(ceiling)
            warm_up(args.ceiling_port, "/ceiling/insert/", method="POST")
            print(f"ceiling: {args.users} users for {args.duration} s …", flush=True)
            ceiling_run = summarise(
                run_locust("Ceiling", args.ceiling_port, args, env, workdir, ceiling)
            )
            benchlib.stop(ceiling)
            rows = ceiling_rows()
            inserts_ok = ceiling_run["by_name"].get("POST ceiling insert", {"ok": 0})["ok"]
            if not inserts_ok or ceiling_run["http_failures"] or rows != inserts_ok:
                problems.append(
                    f"the ceiling phase: {inserts_ok} inserts, {ceiling_run['http_failures']}"
                    f" failures, {rows} rows"
                )
            ceiling_run.update(
                rows=rows, rows_match=rows == inserts_ok, load_average_after=os.getloadavg()
            )
            result["ceiling"] = ceiling_run
            print(
                f"ceiling: {inserts_ok} inserts in {ceiling_run['seconds']} s ="
                f" {ceiling_run['requests_per_s']} requests/s; rows {rows}"
                f" ({'match' if rows == inserts_ok else 'MISMATCH'});"
                f" gunicorn CPU {ceiling_run['cpu']['gunicorn_ms_per_request']:.2f} ms/request",
                flush=True,
            )
        fail_if(problems, result, args)
        if not args.skip_ceiling:
            per_request = app_run["requests_per_s"] / ceiling_run["requests_per_s"]
            per_flow_16 = app_run["flows_per_s"] / (
                ceiling_run["requests_per_s"] / REQUESTS_PER_FLOW
            )
            per_flow_8 = app_run["flows_per_s"] / (ceiling_run["requests_per_s"] / 8)
            cpu_ratio = (
                ceiling_run["cpu"]["gunicorn_ms_per_request"]
                / app_run["cpu"]["gunicorn_ms_per_request"]
            )
            result["comparison"] = {
                "app_requests_per_s_over_ceiling": round(per_request, 3),
                "flows_vs_ceiling_per_16_requests": round(per_flow_16, 3),
                "flows_vs_ceiling_per_8_requests": round(per_flow_8, 3),
                "ceiling_over_app_server_cpu_per_request": round(cpu_ratio, 3),
                "target_half_met": per_request >= 0.5,
            }
            print(
                f"comparison: app requests/s ÷ ceiling requests/s = {per_request:.2f};"
                f" submissions/s ÷ (ceiling/16) = {per_flow_16:.2f};"
                f" submissions/s ÷ (ceiling/8) = {per_flow_8:.2f};"
                f" server CPU per request ceiling ÷ app = {cpu_ratio:.2f};"
                f" target ≥ 0.5 per request: {'met' if per_request >= 0.5 else 'NOT met'}",
                flush=True,
            )
        print(json.dumps(result, indent=2, default=str))
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2, default=str))
    finally:
        for server in servers:
            benchlib.stop(server)
        if not args.keep_logs:
            shutil.rmtree(workdir, ignore_errors=True)
        if not args.keep_db:
            benchlib.drop_db(args.db)
            print(f"dropped database {args.db}")


if __name__ == "__main__":
    main()
