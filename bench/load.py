"""Load bench: a working day's mixed traffic against gunicorn, PostgreSQL, Redis and Celery.

    .venv/bin/python bench/load.py                        # the full bench (~12 min with set-up)
    .venv/bin/python bench/load.py --users 10,50 --step-seconds 15 --reports 5   # a dry run
    .venv/bin/python bench/load.py --reuse-db ...         # again on the database kept by --keep-db

Set-up: a fresh PostgreSQL database (`brukarkraft_load`), migrated; the demo data
(`seed_demo`), then volume in bulk: 200 audits with ~4,000 findings, 500 published
resources, three open surveys (one by one-time codes only) with 2,000 earlier answers, and
the bench's own accounts (50 auditors, each on a conducting audit with findings of their
own; 25 staff members with a known password and authenticator key). collectstatic, then
the production processes as the README runs them: gunicorn with brukarkraft/gunicorn.conf.py
(2 sync workers) and one Celery worker (concurrency 1), DEBUG off.

Load: bench/locustfile.py, headless, at each user count in turn (users 10, 25, 50, 100, 150;
spawn rate 10/s; measured for 60 s from 5 s after the step's log-ins have finished). Then report
throughput: K report versions queued at once, timed until the one worker has made them
all; and, with the servers stopped, each kind of request once more in process (CPU time,
SQL queries).

Writes bench/results/load-<date>.md (and --json) with requests/s, p50/p95/p99/max and
errors per step and per request name, the first step whose p95 passes 500 ms, and whether
the target (no errors, p95 < 300 ms at 50 users) is met.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import re
import shlex
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import benchlib

DB = "brukarkraft_load"
PORT = 8790
REDIS_DB = 12
PASSWORD = "Bench-load-password-2026"  # noqa: S105 — a throwaway database's accounts
# The authenticator key of every bench staff account (hex, as django-otp stores it).
TOTP_KEY = "3132333435363738393031323334353637383930"
BIN = Path(sys.executable).parent
SURVEY_KINDS = ["scale5", "yes_no", "single", "scale5", "yes_no"]
TARGET_USERS = 50
TARGET_P95_MS = 300
KNEE_P95_MS = 500


def configure(args) -> dict[str, str]:
    """The production-like environment, for this process and every child."""
    var = Path(f"/tmp/{args.db}-var")  # noqa: S108 — a throwaway bench folder
    # Set, not defaulted: a DEBUG=true or another database in the shell must not slip in.
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.update(
        {
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "BEHIND_TLS_PROXY": "true",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
            "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
            # All load comes from one address: per-client limits would throttle the bench,
            # not measure the portal. Rate limits are tested in the suite.
            "RATELIMIT_ENABLE": "false",
            "TWO_FACTOR_REQUIRED": "true" if args.two_factor else "false",
            "SITE_URL": f"http://127.0.0.1:{args.port}",
            "VAR_DIR": str(var),
            "MEDIA_ROOT": str(var / "media"),
            "STATIC_ROOT": str(var / "static"),
            "LOG_LEVEL": "WARNING",
        }
    )
    env = benchlib.configure(args.db)
    return {**env, **{k: os.environ[k] for k in ("RATELIMIT_ENABLE", "TWO_FACTOR_REQUIRED")}}


# --- Data ----------------------------------------------------------------------------------


def seed(args) -> None:
    """Demo data, then volume in bulk, then the bench's own accounts."""
    started = time.perf_counter()
    demo = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=benchlib.ROOT,
        env={**os.environ, "DEBUG": "true", "CELERY_TASK_ALWAYS_EAGER": "true"},
        capture_output=True,
        text=True,
        check=False,
    )
    if demo.returncode:
        raise SystemExit(f"seed_demo failed:\n{demo.stdout[-2000:]}\n{demo.stderr[-4000:]}")
    print(f"demo data in {time.perf_counter() - started:.0f} s", flush=True)

    import audits_pages

    audits_pages.AUDITS = args.audits
    audits_pages.FINDINGS = args.audits * 20
    audits_pages.PROPOSALS = args.audits * 5
    audits_pages.DETAIL_AUDITS = 5
    audits_pages.seed()
    seed_resources(args.resources)
    seed_surveys()
    seed_accounts(args)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)


def seed_resources(count: int, seed_value: int = benchlib.RANDOM_SEED) -> None:
    """Published resources with their first version and search vector, made as
    bench/resources_search.py makes them, beside the demo's own."""
    import random

    from django.db import transaction
    from django.utils import timezone

    from brukarkraft.models import User
    from resources.models import Resource

    rng = random.Random(seed_value)
    now = timezone.now()
    with transaction.atomic():
        author = User.objects.create(email="load-author@bench.example.se", full_name="Författare")
        reviewer = User.objects.create(
            email="load-reviewer@bench.example.se", full_name="Granskare"
        )
        made = Resource.objects.bulk_create(
            [
                benchlib.random_resource(rng, n, slug=f"last-{n:05d}", author=author, now=now)
                for n in range(count)
            ],
            batch_size=1000,
        )
        benchlib.publish_first_versions(made, reviewer=reviewer)


def seed_surveys() -> None:
    from surveys import services
    from surveys.models import CodeBatch, OneTimeCode, Survey

    titles = ("Enkät om daglig verksamhet", "Enkät om arbetsmarknadsinsatser")
    for number, title in enumerate(titles):
        survey = benchlib.build_survey(SURVEY_KINDS, units=3, title=title)
        # A seed of its own per survey: the same seed would repeat the unique start keys.
        benchlib.load_responses(
            survey, submitted=1000, in_progress=50, seed=benchlib.RANDOM_SEED + number
        )
    coded = benchlib.build_survey(SURVEY_KINDS, units=2, title="Enkät med engångskoder")
    Survey.objects.filter(pk=coded.pk).update(open_link_enabled=False)
    # As services.code_batch_create, without the worker printing 2,000 slips meanwhile.
    batch = CodeBatch.objects.create(survey=coded, size=services.MAX_CODES_PER_BATCH)
    codes: set[str] = set()
    while len(codes) < services.MAX_CODES_PER_BATCH:
        codes.add(services.new_code())
    OneTimeCode.objects.bulk_create(
        OneTimeCode(batch=batch, survey=coded, code=code) for code in sorted(codes)
    )


def seed_accounts(args) -> None:
    """The accounts the virtual users log in with; see plan()."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from audits.models import Audit, AuditMember, ConfidentialityUndertaking
    from brukarkraft.models import User
    from brukarkraft.roles import Role

    hashed = make_password(PASSWORD)  # once: the same password for all, hashed at full cost
    with transaction.atomic():
        staff = User.objects.bulk_create(
            User(email=f"load-staff-{n:02d}@bench.example.se", full_name=f"Staff {n:02d}")
            for n in range(args.staff_accounts)
        )
        auditors = User.objects.bulk_create(
            User(email=f"load-auditor-{n:02d}@bench.example.se", full_name=f"Revisor {n:02d}")
            for n in range(args.auditor_accounts)
        )
        User.objects.filter(pk__in=[u.pk for u in staff + auditors]).update(password=hashed)
        through = User.groups.through
        staff_group = Group.objects.get(name=Role.STAFF)
        auditor_group = Group.objects.get(name=Role.AUDITOR)
        through.objects.bulk_create(
            [through(user_id=u.pk, group_id=staff_group.pk) for u in staff]
            + [through(user_id=u.pk, group_id=auditor_group.pk) for u in auditors]
        )
        TOTPDevice.objects.bulk_create(
            TOTPDevice(user=u, name="Authenticator app", confirmed=True, key=TOTP_KEY)
            for u in staff
        )
        ConfidentialityUndertaking.objects.bulk_create(
            ConfidentialityUndertaking(user=u) for u in auditors
        )
        conducting = list(
            Audit.objects.filter(status__in=Audit.CONDUCTING, findings__isnull=False)
            .distinct()
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not conducting:
            raise SystemExit("no conducting audit with findings in the seed")
        AuditMember.objects.bulk_create(
            AuditMember(audit_id=conducting[n % len(conducting)], user=u, role="auditor")
            for n, u in enumerate(auditors)
        )


def plan(args, workdir: Path) -> Path:
    """What the virtual users open and log in with (read by bench/locustfile.py)."""
    from audits.models import Audit, AuditMember, Finding
    from councils.models import Council
    from resources.models import Resource
    from surveys.models import Survey

    auditors = []
    members = (
        AuditMember.objects.filter(user__email__startswith="load-auditor-")
        .order_by("audit_id", "user__email")
        .values_list("audit_id", "user__email")
    )
    by_audit: dict[int, list[str]] = {}
    for audit_id, email in members:
        by_audit.setdefault(audit_id, []).append(email)
    for audit_id, emails in by_audit.items():
        findings = list(
            Finding.objects.filter(audit_id=audit_id).order_by("pk").values_list("pk", flat=True)
        )
        # Two accounts on one audit never edit the same finding: a conflict there is a
        # correct refusal, not load, and would count as an error.
        for index, email in enumerate(emails):
            own = findings[index :: len(emails)]
            if own:
                auditors.append({"email": email, "audit": audit_id, "findings": own})
    published = Resource.objects.filter(status="published")
    visible_audits = Audit.objects.exclude(status="draft")
    surveys = Survey.objects.filter(status="open").order_by("pk")
    coded = [s.pk for s in surveys if not s.open_link_enabled]
    data = {
        "password": PASSWORD,
        "totp_key": TOTP_KEY,
        "staff": [f"load-staff-{n:02d}@bench.example.se" for n in range(args.staff_accounts)],
        "auditors": auditors,
        "resources": list(published.order_by("?").values_list("slug", flat=True)[:300]),
        "library_pages": max(2, math.ceil(published.count() / 20) // 2),
        "search_words": [
            "fokusgrupper",
            "brukarråd protokoll",
            "enkät",
            "revisionsfrågor",
            "återkoppling",
            "samlinger",
            "brukermedvirkere",
            "focus groups",
            "audits",
            "lättläst",
        ],
        "filters": [
            {"language": "sv", "kind": "method_guide"},
            {"topic": "surveys"},
            {"audience": "auditors", "easy_to_read": "on"},
            {"language": "nb"},
            {"q": "brukarrevision", "language": "sv", "topic": "user_audit"},
        ],
        "councils": list(
            Council.objects.filter(is_public=True, is_active=True).values_list("slug", flat=True)
        )
        or ["-"],
        "surveys": [{"token": s.token, "codes": s.pk in coded} for s in surveys],
        "codes": unused_codes(),
        "staff_audits": list(visible_audits.order_by("?").values_list("pk", flat=True)[:100]),
        "audit_pages": max(2, math.ceil(visible_audits.count() / 25) // 2),
        "audit_filters": [
            {"status": "collecting"},
            {"status": "closed"},
            {"q": "Brukarrevision 01"},
            {"status": "analysing", "service_area": "daily_activity"},
        ],
    }
    path = workdir / "plan.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        f"plan: {len(auditors)} auditor accounts, {len(data['staff'])} staff,"
        f" {len(data['resources'])} resources, {len(data['surveys'])} surveys,"
        f" {len(data['codes'])} codes",
        flush=True,
    )
    return path


def unused_codes() -> list[str]:
    """One-time codes nobody has started with (a code already sent with is refused)."""
    from surveys.models import OneTimeCode

    return list(
        OneTimeCode.objects.filter(survey__open_link_enabled=False, response__isnull=True)
        .order_by("pk")
        .values_list("code", flat=True)
    )


def refresh_codes(plan_path: Path) -> None:
    """Before each step: the codes the earlier steps used are used up."""
    from django.db import connections

    data = json.loads(plan_path.read_text(encoding="utf-8"))
    data["codes"] = unused_codes()
    plan_path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    connections.close_all()


def counts() -> dict[str, int]:
    from audits.models import Audit, Finding
    from brukarkraft.models import User
    from councils.models import Council
    from resources.models import Resource
    from surveys.models import Answer, Response, Survey

    return {
        "users": User.objects.count(),
        "audits": Audit.objects.count(),
        "findings": Finding.objects.count(),
        "resources published": Resource.objects.filter(status="published").count(),
        "surveys": Survey.objects.count(),
        "survey responses": Response.objects.count(),
        "answers": Answer.objects.count(),
        "councils": Council.objects.count(),
    }


# --- Processes -----------------------------------------------------------------------------


def start_gunicorn(args, workdir: Path) -> subprocess.Popen:
    log = workdir / "gunicorn.log"
    env = {
        **os.environ,
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "GUNICORN_ACCESS_LOG": str(workdir / "access.log"),
    }
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", str(benchlib.ROOT / "brukarkraft/gunicorn.conf.py")],
        cwd=benchlib.ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    benchlib.wait_until_up(args.port, process, log)
    return process


def start_worker(args, workdir: Path) -> subprocess.Popen:
    log = workdir / "worker.log"
    process = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "brukarkraft",
            "worker",
            f"--concurrency={args.celery_concurrency}",
            "--loglevel=INFO",
            "-n",
            "load@%h",
        ],
        cwd=benchlib.ROOT,
        env=dict(os.environ),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(300):
        time.sleep(0.2)
        if process.poll() is not None:
            raise SystemExit(f"the Celery worker exited; see {log}")
        if " ready." in log.read_text(errors="replace"):
            return process
    raise SystemExit(f"the Celery worker did not get ready; see {log}")


def warm_up(port: int) -> None:
    """Let every worker load its templates and open its database connection."""
    for path in ["/", "/resources/", "/resources/?q=enk%C3%A4t", "/en/resources/"] * 5:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 — ours
            response.read()


# --- Load ------------------------------------------------------------------------------------


def _figures(entries: list[dict]) -> dict:
    """Requests, errors, requests/s and percentiles over some of locust's JSON entries."""
    from surveys_submit import percentile

    times: dict[str, int] = {}
    for entry in entries:
        for ms, count in entry["response_times"].items():
            times[ms] = times.get(ms, 0) + count
    requests = sum(e["num_requests"] for e in entries)
    if not requests:
        return {"requests": 0, "failures": 0, "rps": 0.0, "p50": 0, "p95": 0, "p99": 0, "max": 0}
    seconds = max(e["last_request_timestamp"] for e in entries) - min(
        e["start_time"] for e in entries
    )
    return {
        "requests": requests,
        "failures": sum(e["num_failures"] for e in entries),
        "rps": round(requests / seconds, 1) if seconds > 0 else 0.0,
        "p50": percentile(times, 0.50),
        "p95": percentile(times, 0.95),
        "p99": percentile(times, 0.99),
        "max": round(max(e["max_response_time"] for e in entries)),
    }


def read_stats(prefix: Path) -> dict:
    """Figures for every request name, for the pages (log-ins left out) and for log-ins."""
    entries = [
        e
        for e in json.loads(prefix.with_suffix(".json").read_text())
        if e["num_requests"] and e["method"] != "FLOW"
    ]
    flows = [
        e for e in json.loads(prefix.with_suffix(".json").read_text()) if e["method"] == "FLOW"
    ]
    login = [e for e in entries if e["name"].startswith("login:")]
    pages = [e for e in entries if not e["name"].startswith("login:")]
    failures_file = prefix.with_name(prefix.name + "_failures.csv")
    failures = [
        {"name": r["Name"], "error": r["Error"], "count": int(r["Occurrences"])}
        for r in csv.DictReader(failures_file.open())
    ]
    total = _figures(pages)
    # A flow that broke without an HTTP error (a page without its form) is an error too.
    total["failures"] += sum(e["num_failures"] for e in flows)
    return {
        "total": total,
        "all": _figures(entries),
        "login": _figures(login),
        "by_name": {e["name"]: _figures([e]) for e in entries + flows},
        "failures": failures,
    }


def run_step(args, users: int, workdir: Path, plan_path: Path, gunicorn) -> dict:
    from surveys_submit import CpuMeter, server_pids

    ramp = math.ceil(users / args.spawn_rate)
    prefix = workdir / f"step-{users:03d}"
    command = [
        str(BIN / "locust"),
        "-f",
        str(benchlib.BENCH / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(args.spawn_rate),
        # A bound only: the locustfile stops the run once the step has been measured.
        "--run-time",
        f"{ramp + 120 + args.settle_seconds + args.step_seconds + 10}s",
        "--reset-stats",
        "--stop-timeout",
        "5",
        "--host",
        f"http://127.0.0.1:{args.port}",
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
    meter = CpuMeter(lambda: server_pids(gunicorn))
    load_before = os.getloadavg()[0]
    meter.start()
    done = subprocess.run(
        command,
        env={
            **os.environ,
            "BENCH_PLAN": str(plan_path),
            "BENCH_SETTLE_SECONDS": str(args.settle_seconds),
            "BENCH_MEASURE_SECONDS": str(args.step_seconds),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    cpu = meter.stop()
    if not prefix.with_suffix(".json").exists():
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"locust wrote no statistics for {users} users")
    cpu["gunicorn_s"] = cpu.pop("web_s")
    stats = read_stats(prefix)
    return {
        "users": users,
        "measured_seconds": args.step_seconds,
        "load_average_before": round(load_before, 2),
        "cpu": {k: round(v, 1) for k, v in cpu.items()},
        **stats,
    }


def report_throughput(args, staff_email: str) -> dict:
    """Queue K report versions at once and time the single worker making them all."""
    from django.db import connections

    from audits import services
    from audits.models import Audit, ReportVersion
    from brukarkraft.models import User

    staff = User.objects.get(email=staff_email)
    audits = list(Audit.objects.filter(status="report_draft").order_by("pk")[: args.reports])
    if not audits:
        return {}
    started = time.perf_counter()
    versions = [services.report_request(audit=audit, by=staff).pk for audit in audits]
    queued = time.perf_counter() - started
    while True:
        pending = ReportVersion.objects.filter(
            pk__in=versions, status__in=[ReportVersion.Status.QUEUED, ReportVersion.Status.RUNNING]
        ).count()
        if not pending or time.perf_counter() - started > args.report_timeout:
            break
        time.sleep(0.5)
    seconds = time.perf_counter() - started
    done = ReportVersion.objects.filter(pk__in=versions)
    ready = done.filter(status=ReportVersion.Status.READY)
    findings = [a.findings.count() for a in audits]
    connections.close_all()
    return {
        "queued": len(versions),
        "ready": ready.count(),
        "failed": done.filter(status=ReportVersion.Status.FAILED).count(),
        "queue_seconds": round(queued, 2),
        "seconds": round(seconds, 1),
        "per_minute": round(60 * ready.count() / seconds, 1) if seconds else 0.0,
        "pages_total": sum(v.pages or 0 for v in ready),
        "findings_min_max": [min(findings), max(findings)],
    }


def profile_views(plan_path: Path, repeat: int) -> list[dict]:
    """Each kind of request the load makes, in this process through Django's test client:
    CPU time (this process only, so other work on the machine barely moves it), wall
    time and SQL queries. Tells which views cost what, without the network or locust."""
    import statistics

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from audits.models import Finding

    data = json.loads(plan_path.read_text())
    headers = {"HTTP_HOST": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https", "secure": True}

    client_for = benchlib.signed_in_client

    anonymous = client_for(None)
    staff = client_for(data["staff"][0])
    account = data["auditors"][0]
    auditor = client_for(account["email"])
    audit, finding_id = account["audit"], account["findings"][0]
    open_survey = next(s for s in data["surveys"] if not s["codes"])["token"]

    def finding_post() -> dict:
        finding = Finding.objects.get(pk=finding_id)
        return {
            "theme": finding.theme,
            "polarity": finding.polarity,
            "title": finding.title,
            "description": finding.description,
            "quotes": finding.quotes,
            "version": finding.version,
        }

    gets = [
        ("library: home", anonymous, "/"),
        ("library: list", anonymous, "/resources/"),
        ("library: search", anonymous, "/resources/?q=fokusgrupper"),
        ("library: filter", anonymous, "/resources/?language=sv&kind=method_guide"),
        ("library: page n", anonymous, "/resources/?page=5"),
        ("library: resource", anonymous, f"/resources/{data['resources'][0]}/"),
        ("library: courses", anonymous, "/resources/courses/"),
        ("councils: page", anonymous, f"/councils/{data['councils'][0]}/"),
        ("login: GET", anonymous, "/accounts/login/"),
        ("survey: GET start", anonymous, f"/surveys/a/{open_survey}/"),
        ("auditor: audit page", auditor, f"/audits/{audit}/"),
        ("auditor: findings", auditor, f"/audits/{audit}/findings/"),
        ("auditor: GET finding edit", auditor, f"/audits/{audit}/findings/{finding_id}/edit/"),
        ("staff: start page", staff, "/start/staff/"),
        ("staff: audit queue", staff, "/audits/queue/"),
        ("staff: audit list", staff, "/audits/"),
        ("staff: audit list filtered", staff, "/audits/?status=closed"),
        ("staff: audit page", staff, f"/audits/{data['staff_audits'][0]}/"),
        ("staff: feedback inbox", staff, "/feedback/inbox/"),
        ("staff: library editor", staff, "/resources/manage/"),
        ("staff: survey list", staff, "/surveys/"),
        ("staff: guidance queue", staff, "/resources/guidance/queue/"),
    ]
    rows = []

    def measure(name: str, call, prepare=lambda: None) -> None:
        call(prepare())  # warm: templates, the connection, caches
        cpu, wall = [], []
        for _ in range(repeat):
            given = prepare()
            started, started_cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                response = call(given)
            cpu.append(1000 * (time.process_time() - started_cpu))
            wall.append(1000 * (time.perf_counter() - started))
        rows.append(
            {
                "name": name,
                "status": response.status_code,
                "queries": len(queries),
                "cpu_ms": round(statistics.median(cpu), 1),
                "wall_ms": round(statistics.median(wall), 1),
            }
        )

    for name, client, path in gets:
        measure(name, lambda _, client=client, path=path: client.get(path, **headers))
    edit = f"/audits/{audit}/findings/{finding_id}/edit/"
    measure(
        "auditor: POST finding edit",
        lambda fields: auditor.post(edit, fields, **headers),
        prepare=finding_post,
    )
    measure(
        "login: POST",
        lambda _: Client().post(
            "/accounts/login/",
            {"username": data["staff"][-1], "password": data["password"]},
            **headers,
        ),
    )
    start = f"/surveys/a/{open_survey}/"

    def new_respondent() -> tuple[Client, str]:
        fresh = Client()
        page = fresh.get(start, **headers).content.decode()
        return fresh, re.search(r'name="start_key" value="([^"]+)"', page).group(1)

    measure(
        "survey: POST start",
        lambda given: given[0].post(start, {"start_key": given[1], "support": "alone"}, **headers),
        prepare=new_respondent,
    )
    return rows


# --- Report --------------------------------------------------------------------------------


def knee(steps: list[dict]) -> dict | None:
    return next((s for s in steps if s["total"]["p95"] > KNEE_P95_MS), None)


def target(steps: list[dict]) -> str:
    step = next((s for s in steps if s["users"] == TARGET_USERS), None)
    if step is None:
        return f"not measured (no step at {TARGET_USERS} users)"
    total = step["total"]
    met = total["failures"] == 0 and total["p95"] < TARGET_P95_MS
    return (
        f"**{'met' if met else 'not met'}** at {TARGET_USERS} users: {total['failures']} errors,"
        f" p95 {total['p95']:.0f} ms (target 0 errors, p95 < {TARGET_P95_MS} ms)"
    )


def markdown(result: dict) -> str:
    steps = result["steps"]
    lines = [
        f"# Load bench, {result['date']}",
        "",
        f"Command: `{result['command']}`",
        "",
        f"Machine: {result['machine']}; load average {result['load_average_start']} at the start,"
        f" {result['load_average_end']} at the end.",
        "",
        f"Set-up: {result['setup']}",
        "",
        "Data: " + ", ".join(f"{v:,} {k}" for k, v in result["counts"].items()) + ".",
        "",
        "## Steps",
        "",
        f"Each step: the users start at {result['spawn_rate']}/s; once the last log-in has"
        f" finished and {result['settle_seconds']} s more have passed, the statistics are"
        f" reset and {result['step_seconds']} s are measured. Every logged-in virtual user"
        " logs in when it starts, all within seconds, far more at once than people do, and a"
        " log-in is slow on purpose (PBKDF2, about 0.4 s of CPU): waiting keeps that burst out"
        " of the figures, and any log-in still measured is in its own column, not in the page"
        " figures. CPU seconds are those used during the whole step (ramp included) by"
        " gunicorn, PostgreSQL, locust and everything else on the machine.",
        "",
        "| users | requests/s | p50 ms | p95 ms | p99 ms | max ms | requests | errors |"
        " log-ins: n, p50 / p95 ms | p95 ms with log-ins |"
        " CPU s: gunicorn / PostgreSQL / locust / others | load avg before |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for s in steps:
        t = s["total"]
        c = s["cpu"]
        login = s["login"]
        share = (
            f"{t['failures']} ({100 * t['failures'] / t['requests']:.2f} %)"
            if t["requests"]
            else "0"
        )
        lines.append(
            f"| {s['users']} | {t['rps']} | {t['p50']:.0f} | {t['p95']:.0f} | {t['p99']:.0f} |"
            f" {t['max']} | {t['requests']:,} | {share} |"
            f" {login['requests']}, {login['p50']:.0f} / {login['p95']:.0f} |"
            f" {s['all']['p95']:.0f} | {c['gunicorn_s']} / {c['postgres_s']} /"
            f" {c['locust_s']} / {c['others_s']} | {s['load_average_before']} |"
        )
    over = knee(steps)
    lines += [
        "",
        f"p95 passes {KNEE_P95_MS} ms: "
        + (
            f"**at {over['users']} users** (p95 {over['total']['p95']:.0f} ms)."
            if over
            else f"not within the steps measured (up to {steps[-1]['users']} users)."
        ),
        "",
        f"Target: {target(steps)}.",
        "",
        "## By request name",
        "",
        "p50 / p95 / p99 in ms, then the number of requests and errors, per step.",
        "",
        "| request | " + " | ".join(f"{s['users']} users" for s in steps) + " |",
        "| --- |" + " ---: |" * len(steps),
    ]
    names = sorted({name for s in steps for name in s["by_name"]})
    for name in names:
        cells = []
        for s in steps:
            f = s["by_name"].get(name)
            cells.append(
                f"{f['p50']:.0f} / {f['p95']:.0f} / {f['p99']:.0f} ({f['requests']}, {f['failures']})"
                if f
                else "–"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    errors = [(s["users"], f) for s in steps for f in s["failures"]]
    lines += ["", "## Errors", ""]
    if errors:
        lines += ["| users | request | error | count |", "| ---: | --- | --- | ---: |"]
        lines += [
            f"| {users} | {f['name']} | {f['error'][:160]} | {f['count']} |" for users, f in errors
        ]
    else:
        lines.append("None.")
    reports = result.get("reports")
    if reports:
        lines += [
            "",
            "## Report throughput",
            "",
            f"{reports['queued']} report versions queued at once (audits in report_draft with"
            f" {reports['findings_min_max'][0]}–{reports['findings_min_max'][1]} findings) and"
            f" made by the one Celery worker: {reports['ready']} ready, {reports['failed']} failed"
            f" in {reports['seconds']} s = **{reports['per_minute']} reports/min**"
            f" ({reports['pages_total']} pages in all; queuing took {reports['queue_seconds']} s).",
        ]
    profile = result.get("profile")
    if profile:
        lines += [
            "",
            "## Cost per request, in process",
            "",
            "After the load, with the servers stopped: each kind of request through Django's"
            " test client in this process (production settings, the same database), median of"
            f" {result['profile_repeat']} after one warm-up. CPU is this process's own time, so"
            " other work on the machine barely changes it; on 2 cores, 2 gunicorn workers can"
            " serve at most about 2000 / CPU ms requests a second of one kind.",
            "",
            "| request | status | SQL queries | CPU ms | wall ms |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for row in sorted(profile, key=lambda r: -r["cpu_ms"]):
            lines.append(
                f"| {row['name']} | {row['status']} | {row['queries']} | {row['cpu_ms']} |"
                f" {row['wall_ms']} |"
            )
    return "\n".join(lines) + "\n"


# --- Main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="10,25,50,100,150", help="user counts, one step each")
    parser.add_argument("--step-seconds", type=int, default=60, help="measured seconds per step")
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument(
        "--settle-seconds",
        type=int,
        default=5,
        help="seconds after the step's log-ins have finished before it is measured",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--celery-concurrency", type=int, default=1)
    parser.add_argument("--reports", type=int, default=20, help="report versions to queue")
    parser.add_argument("--report-timeout", type=int, default=600)
    parser.add_argument(
        "--profile-repeat",
        type=int,
        default=10,
        help="after the load, time each kind of request this often in process (0: not at all)",
    )
    parser.add_argument("--audits", type=int, default=200)
    parser.add_argument("--resources", type=int, default=500)
    parser.add_argument("--auditor-accounts", type=int, default=50)
    parser.add_argument("--staff-accounts", type=int, default=25)
    parser.add_argument(
        "--no-two-factor",
        dest="two_factor",
        action="store_false",
        help="run with TWO_FACTOR_REQUIRED=false (staff log in with the password alone)",
    )
    parser.add_argument("--db", default=DB)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--redis-db", type=int, default=REDIS_DB)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--reuse-db", action="store_true", help="use the database --keep-db kept")
    parser.add_argument("--out", help="the Markdown file (default bench/results/load-<date>.md)")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args()
    user_steps = [int(n) for n in args.users.split(",") if n.strip()]

    env = configure(args)
    workdir = Path(env["VAR_DIR"]) / "run"
    workdir.mkdir(parents=True, exist_ok=True)
    for old in workdir.glob("step-*"):
        old.unlink()
    load_start = os.getloadavg()
    print(f"machine: {benchlib.machine_notes()}; load average {load_start}", flush=True)
    import redis

    # The bench's own Redis database: no cache entries, queued tasks or counters of an
    # earlier run.
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    if not args.reuse_db:
        benchlib.recreate_db(args.db)
    gunicorn = worker = None
    try:
        benchlib.setup_django(migrate=not args.reuse_db)
        if not args.reuse_db:
            seed(args)
        plan_path = plan(args, workdir)
        data = counts()
        static = Path(env["STATIC_ROOT"]) / "staticfiles.json"
        if not (args.reuse_db and static.exists()):
            started = time.perf_counter()
            from django.core.management import call_command

            call_command("collectstatic", interactive=False, verbosity=0)
            print(f"collectstatic in {time.perf_counter() - started:.0f} s", flush=True)
        from django.db import connections

        connections.close_all()
        worker = start_worker(args, workdir)
        gunicorn = start_gunicorn(args, workdir)
        warm_up(args.port)
        steps = []
        for users in user_steps:
            refresh_codes(plan_path)
            step = run_step(args, users, workdir, plan_path, gunicorn)
            t = step["total"]
            print(
                f"{users:>4} users: {t['rps']:>6} req/s  p50 {t['p50']:>5.0f}  p95 {t['p95']:>5.0f}"
                f"  p99 {t['p99']:>5.0f}  max {t['max']:>6}  requests {t['requests']:>6}"
                f"  errors {t['failures']}",
                flush=True,
            )
            steps.append(step)
            time.sleep(5)  # let the last requests and connections settle
        reports = report_throughput(args, "load-staff-00@bench.example.se") if args.reports else {}
        if reports:
            print(f"reports: {reports}", flush=True)
        benchlib.stop(gunicorn)
        benchlib.stop(worker)
        profile = profile_views(plan_path, args.profile_repeat) if args.profile_repeat else []
        result = {
            "date": time.strftime("%Y-%m-%d %H:%M %Z"),
            "command": " ".join(
                [".venv/bin/python bench/load.py", *map(shlex.quote, sys.argv[1:])]
            ),
            "machine": benchlib.machine_notes(),
            "load_average_start": tuple(round(x, 2) for x in load_start),
            "load_average_end": tuple(round(x, 2) for x in os.getloadavg()),
            "setup": (
                f"gunicorn {args.workers} sync workers (brukarkraft/gunicorn.conf.py), 1 Celery"
                f" worker (concurrency {args.celery_concurrency}), PostgreSQL database"
                f" `{args.db}`, Redis database {args.redis_db} (cache and broker), DEBUG=false,"
                f" RATELIMIT_ENABLE=false (every request comes from 127.0.0.1),"
                f" TWO_FACTOR_REQUIRED={env['TWO_FACTOR_REQUIRED']}, Python"
                f" {platform.python_version()}; locust on the same machine"
            ),
            "step_seconds": args.step_seconds,
            "profile_repeat": args.profile_repeat,
            "settle_seconds": args.settle_seconds,
            "spawn_rate": args.spawn_rate,
            "counts": data,
            "steps": steps,
            "reports": reports,
            "profile": profile,
        }
        out = Path(args.out or benchlib.BENCH / "results" / f"load-{time.strftime('%Y-%m-%d')}.md")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(markdown(result), encoding="utf-8")
        print(f"wrote {out}", flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=1, default=str))
    finally:
        benchlib.stop(gunicorn)
        benchlib.stop(worker)
        if not args.keep_db:
            benchlib.drop_db(args.db)


if __name__ == "__main__":
    main()
