"""Capacity: CPU per request of each kind, and the mixed load on one and on two web nodes.

    .venv/bin/python bench/capacity.py                   # the whole bench (~6 min with set-up)
    .venv/bin/python bench/capacity.py --seconds 10 --repeat 5 --audits 20 --resources 50
    .venv/bin/python bench/capacity.py --keep-db ...     # then --reuse-db next time

1. CPU per request, in process: each kind of request (home, library search, bank search,
   survey question GET and answer POST, the commissioner's, auditor's and staff member's
   start pages, a staff member's audit page) through Django's test client with the
   production settings on PostgreSQL with the demo data and bench volume;
   `time.process_time()` around `--repeat` requests after one warm-up, so the figure is this
   process's own CPU and barely moves with other work on the machine. This is what sizing
   uses: web cores needed = peak requests/s × CPU ms / 1000, with headroom.
2. The mixed load (bench/locustfile_capacity.py: bench/locustfile.py's visitors without
   think time) against ONE gunicorn node, then against TWO (two gunicorn masters on two
   ports, the same PostgreSQL and Redis; locust sends each request to the next node in
   turn): requests/s, p50/p95, errors, and the CPU each process used.

On a small machine the load generator, PostgreSQL and Redis share the cores with the
nodes, so the two-node figure measures contention for those cores, not what a second
machine adds: see bench/README.md, "Capacity".

Set-up as bench/load.py (its configure, seed and plan): a fresh database
`brukarkraft_capacity`, Redis database 13, DEBUG off, rate limits off (every request comes
from 127.0.0.1). Exits 1 when a phase completed no request or any request failed (the
figures are still written).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import benchlib
import load

DB = "brukarkraft_capacity"
PORTS = (8793, 8794)
REDIS_DB = 13
START_KEY = re.compile(r'name="start_key" value="([^"]+)"')
OPTION = re.compile(r'name="(q\d+-answer)" id="[^"]*" value="([^"]+)"')
COMMISSIONER = "bestallare@demo.brukarkraft.se"
BENCH_SURVEY_TITLES = (
    "Enkät om daglig verksamhet",
    "Enkät om arbetsmarknadsinsatser",
    "Enkät med engångskoder",
)


def bench_surveys_only(plan_path: Path) -> Path:
    """Answer only the bench's own surveys (load.seed_surveys: choice questions the flow
    can answer); the demo survey has questions it cannot (free text, numbers, conditions),
    and a flow that stops there is not load."""
    from surveys.models import Survey

    data = json.loads(plan_path.read_text(encoding="utf-8"))
    bench = set(
        Survey.objects.filter(title_sv__in=BENCH_SURVEY_TITLES).values_list("token", flat=True)
    )
    data["surveys"] = [survey for survey in data["surveys"] if survey["token"] in bench]
    plan_path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return plan_path


# --- 1. CPU per request ----------------------------------------------------------------------


def cpu_per_request(plan_path: Path, repeat: int) -> list[dict]:
    """Each kind's mean CPU: this process's CPU time over `repeat` requests, divided."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    data = json.loads(plan_path.read_text())
    headers = {"HTTP_HOST": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https", "secure": True}

    client_for = benchlib.signed_in_client

    anonymous = client_for(None)
    staff = client_for(data["staff"][0])
    auditor = client_for(data["auditors"][0]["email"])
    commissioner = client_for(COMMISSIONER)
    survey = next(s for s in data["surveys"] if not s["codes"])["token"]
    start = f"/surveys/a/{survey}/"

    def at_first_question() -> tuple[Client, str, dict]:
        """A new respondent on the survey's first question: the client, the question's
        address and what answering it posts."""
        respondent = Client(HTTP_ACCEPT_LANGUAGE="sv")
        page = respondent.get(start, **headers).content.decode()
        key = START_KEY.search(page).group(1)
        question = respondent.post(start, {"start_key": key, "support": "alone"}, **headers)[
            "Location"
        ]
        page = respondent.get(question, **headers).content.decode()
        field, value = OPTION.findall(page)[0]
        return respondent, question, {field: value, "action": "next"}

    question_client, question, _ = at_first_question()
    kinds = [
        ("home", lambda _: anonymous.get("/", **headers), 200),
        (
            "library search",
            lambda _: anonymous.get("/resources/?q=fokusgrupper", **headers),
            200,
        ),
        (
            "bank search",
            lambda _: anonymous.get("/report-bank/?q=brukarinflytande", **headers),
            200,
        ),
        ("survey: GET question", lambda _: question_client.get(question, **headers), 200),
        (
            "survey: POST answer",
            lambda given: given[0].post(given[1], given[2], **headers),
            302,
            at_first_question,
        ),
        (
            "commissioner: start page",
            lambda _: commissioner.get("/start/commissioner/", **headers),
            200,
        ),
        ("auditor: start page", lambda _: auditor.get("/start/auditor/", **headers), 200),
        ("staff: start page", lambda _: staff.get("/start/staff/", **headers), 200),
        (
            "staff: audit page",
            lambda _: staff.get(f"/audits/{data['staff_audits'][0]}/", **headers),
            200,
        ),
    ]
    rows = []
    for name, call, expect, *prepare in kinds:
        make = prepare[0] if prepare else (lambda: None)
        response = call(make())  # warm: templates, the connection, caches
        if response.status_code != expect:
            raise SystemExit(f"{name}: HTTP {response.status_code}, expected {expect}")
        cpu = wall = 0.0
        queries = 0
        for _ in range(repeat):
            given = make()  # outside the clock: a fresh respondent for each answer
            started, started_cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as captured:
                response = call(given)
            cpu += time.process_time() - started_cpu
            wall += time.perf_counter() - started
            queries = len(captured)
            if response.status_code != expect:
                raise SystemExit(f"{name}: HTTP {response.status_code}, expected {expect}")
        rows.append(
            {
                "name": name,
                "cpu_ms": round(1000 * cpu / repeat, 1),
                "wall_ms": round(1000 * wall / repeat, 1),
                "queries": queries,
            }
        )
        print(f"  {name:<26} {rows[-1]['cpu_ms']:>6} ms CPU  {queries:>3} queries", flush=True)
    return rows


# --- 2. The mixed load on one and two nodes --------------------------------------------------


def start_node(args, workdir: Path, port: int) -> subprocess.Popen:
    node = argparse.Namespace(workers=args.workers, port=port)
    node_dir = workdir / f"node-{port}"
    node_dir.mkdir(exist_ok=True)
    process = load.start_gunicorn(node, node_dir)
    load.warm_up(port)
    return process


def run_phase(args, label: str, nodes: list, workdir: Path, plan_path: Path) -> dict:
    from surveys_submit import CpuMeter, server_pids

    load.refresh_codes(plan_path)
    urls = [f"http://127.0.0.1:{port}" for port, _ in nodes]
    prefix = workdir / f"phase-{label}"
    ramp = -(-args.users // 10)
    command = [
        str(load.BIN / "locust"),
        "-f",
        str(benchlib.BENCH / "locustfile_capacity.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        "10",
        "--run-time",
        f"{ramp + 120 + args.settle + args.seconds + 10}s",
        "--reset-stats",
        "--stop-timeout",
        "5",
        "--host",
        urls[0],
        "--csv",
        str(prefix),
        "--json-file",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--logfile",
        str(prefix.with_suffix(".log")),
    ]
    meter = CpuMeter(lambda: [pid for _, process in nodes for pid in server_pids(process)])
    load_before = os.getloadavg()[0]
    meter.start()
    done = subprocess.run(
        command,
        env={
            **os.environ,
            "BENCH_PLAN": str(plan_path),
            "BENCH_NODES": ",".join(urls),
            "BENCH_SETTLE_SECONDS": str(args.settle),
            "BENCH_MEASURE_SECONDS": str(args.seconds),
        },
        cwd=benchlib.BENCH,
        capture_output=True,
        text=True,
        check=False,
    )
    measured = meter.stop()
    wall = meter.wall
    if not prefix.with_suffix(".json").exists():
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        return {"label": label, "nodes": len(nodes), "error": "locust wrote no statistics"}
    cpu = {
        name: round(measured[name], 1) for name in ("web_s", "postgres_s", "locust_s", "others_s")
    }
    stats = load.read_stats(prefix)
    requests_all = stats["all"]["requests"]
    return {
        "label": label,
        "nodes": len(nodes),
        "users": args.users,
        "wall_s": round(wall, 1),
        "load_average_before": round(load_before, 2),
        "total": stats["total"],
        "login": stats["login"],
        "by_name": stats["by_name"],
        "failures": stats["failures"],
        "cpu": cpu,
        # The whole run's web CPU (log-ins included) over every request of the run: an
        # upper bound beside the in-process figures.
        "web_cpu_ms_per_request_whole_run": round(1000 * cpu["web_s"] / requests_all, 1)
        if requests_all
        else None,
    }


# --- Report ------------------------------------------------------------------------------------


def sizing(rows: list[dict]) -> dict:
    """The mixed load's CPU per request, weighting each kind as the mix asks for it."""
    # Shares of a working day's page requests (bench/locustfile.py: library visitors 50,
    # respondents 25, auditors 15, staff 10), rounded to the kinds measured here.
    mix = {
        "home": 0.10,
        "library search": 0.30,
        "bank search": 0.10,
        "survey: GET question": 0.15,
        "survey: POST answer": 0.15,
        "commissioner: start page": 0.05,
        "auditor: start page": 0.05,
        "staff: start page": 0.05,
        "staff: audit page": 0.05,
    }
    by_name = {row["name"]: row["cpu_ms"] for row in rows}
    return {"mix": mix, "mixed_cpu_ms": round(sum(by_name[k] * w for k, w in mix.items()), 1)}


def markdown(result: dict) -> str:
    lines = [
        f"# Capacity bench, {result['date']}",
        "",
        f"Command: `{result['command']}`",
        "",
        f"Machine: {result['machine']}; load average {result['load_average_start']} at the"
        f" start. {result['setup']}",
        "",
        "## CPU per request, in process",
        "",
        f"Mean of {result['repeat']} requests after one warm-up, Django's test client, this"
        " process's CPU time (`time.process_time`).",
        "",
        "| request | CPU ms | wall ms | SQL queries |",
        "| --- | ---: | ---: | ---: |",
    ]
    for row in result["cpu"]:
        lines.append(f"| {row['name']} | {row['cpu_ms']} | {row['wall_ms']} | {row['queries']} |")
    lines += [
        "",
        f"Weighted as the mix: **{result['sizing']['mixed_cpu_ms']} ms CPU per request**.",
        "",
        "## Mixed load, one and two nodes",
        "",
        "| nodes | users | requests/s | p50 ms | p95 ms | requests | errors |"
        " CPU s: web / PostgreSQL / locust / others | web CPU ms per request (whole run) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for phase in result["phases"]:
        if "error" in phase:
            lines.append(f"| {phase['nodes']} | – | {phase['error']} | | | | | | |")
            continue
        t, c = phase["total"], phase["cpu"]
        lines.append(
            f"| {phase['nodes']} | {phase['users']} | {t['rps']} | {t['p50']:.0f} |"
            f" {t['p95']:.0f} | {t['requests']:,} | {t['failures']} |"
            f" {c['web_s']} / {c['postgres_s']} / {c['locust_s']} / {c['others_s']} |"
            f" {phase['web_cpu_ms_per_request_whole_run']} |"
        )
    return "\n".join(lines) + "\n"


def run_phases(args, nodes: list, workdir: Path, plan_path: Path, failed: list) -> list:
    """The mixed load on one node, then on two; `nodes` collects the servers started."""
    phases = []
    for count in (1, 2):
        while len(nodes) < count:
            port = PORTS[len(nodes)]
            nodes.append((port, start_node(args, workdir, port)))
        phase = run_phase(args, f"{count}-node", nodes, workdir, plan_path)
        phases.append(phase)
        if "error" in phase or not phase["total"]["requests"]:
            failed.append(f"{count} node(s): no request completed")
        elif phase["total"]["failures"]:
            failed.append(f"{count} node(s): {phase['total']['failures']} failed requests")
        if "error" not in phase:
            t = phase["total"]
            print(
                f"{count} node(s): {t['rps']} req/s  p50 {t['p50']:.0f}  p95 {t['p95']:.0f}"
                f"  requests {t['requests']}  errors {t['failures']}  cpu {phase['cpu']}",
                flush=True,
            )
        time.sleep(3)
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=16, help="virtual users, no think time")
    parser.add_argument("--seconds", type=int, default=30, help="measured seconds per phase")
    parser.add_argument("--settle", type=int, default=3, help="seconds after the log-ins")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--repeat", type=int, default=20, help="requests per kind, in process")
    parser.add_argument("--audits", type=int, default=60)
    parser.add_argument("--resources", type=int, default=200)
    parser.add_argument("--auditor-accounts", type=int, default=20)
    parser.add_argument("--staff-accounts", type=int, default=10)
    parser.add_argument("--db", default=DB)
    parser.add_argument("--redis-db", type=int, default=REDIS_DB)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--reuse-db", action="store_true", help="use the database --keep-db kept")
    parser.add_argument("--out", help="Markdown (default bench/results/capacity-<date>.md)")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args()
    # What load.configure and load.seed read.
    args.port = PORTS[0]
    args.two_factor = True

    env = load.configure(args)
    workdir = Path(env["VAR_DIR"]) / "capacity"
    workdir.mkdir(parents=True, exist_ok=True)
    for old in workdir.glob("phase-*"):
        old.unlink()
    load_start = os.getloadavg()
    print(f"machine: {benchlib.machine_notes()}; load average {load_start}", flush=True)
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    if not args.reuse_db:
        benchlib.recreate_db(args.db)
    nodes: list = []
    failed: list[str] = []
    try:
        benchlib.setup_django(migrate=not args.reuse_db)
        if not args.reuse_db:
            load.seed(args)
        plan_path = bench_surveys_only(load.plan(args, workdir))
        static = Path(env["STATIC_ROOT"]) / "staticfiles.json"
        if not (args.reuse_db and static.exists()):
            from django.core.management import call_command

            call_command("collectstatic", interactive=False, verbosity=0)
        print("CPU per request, in process:", flush=True)
        cpu = cpu_per_request(plan_path, args.repeat)
        from django.db import connections

        connections.close_all()
        phases = run_phases(args, nodes, workdir, plan_path, failed)
        result = {
            "date": time.strftime("%Y-%m-%d %H:%M %Z"),
            "command": " ".join(
                [".venv/bin/python bench/capacity.py", *map(shlex.quote, sys.argv[1:])]
            ),
            "machine": benchlib.machine_notes(),
            "load_average_start": tuple(round(x, 2) for x in load_start),
            "setup": (
                f"Each node: gunicorn with brukarkraft/gunicorn.conf.py, {args.workers} sync"
                f" workers; PostgreSQL database `{args.db}`, Redis database {args.redis_db};"
                " no Celery worker (queued jobs wait in Redis); DEBUG=false,"
                " RATELIMIT_ENABLE=false, TWO_FACTOR_REQUIRED=true; locust with"
                f" {args.users} users without think time on the same machine."
            ),
            "repeat": args.repeat,
            "cpu": cpu,
            "sizing": sizing(cpu),
            "phases": phases,
        }
        out = Path(
            args.out or benchlib.BENCH / "results" / f"capacity-{time.strftime('%Y-%m-%d')}.md"
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(markdown(result), encoding="utf-8")
        print(f"wrote {out}", flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=1, default=str))
    finally:
        for _, process in nodes:
            benchlib.stop(process)
        if not args.keep_db:
            benchlib.drop_db(args.db)
    if failed:
        raise SystemExit("FAILED: " + "; ".join(failed))


if __name__ == "__main__":
    main()
