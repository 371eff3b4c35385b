"""Shared set-up for the benchmarks: environment, a throwaway PostgreSQL database, fast data.

Every benchmark runs against its own database (created fresh, dropped at the end unless
--keep-db), with the production settings (DEBUG off) read from the environment as
brukarkraft/settings.py expects them.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
RANDOM_SEED = 20261129


def configure(db_name: str) -> dict[str, str]:
    """Put the production-like environment in os.environ (existing values win) and return it."""
    var_dir = Path(tempfile.gettempdir()) / f"{db_name}-var"
    defaults = {
        "DJANGO_SETTINGS_MODULE": "brukarkraft.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db_name}",
        "REDIS_URL": "redis://127.0.0.1:6379/5",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        # As in production behind a TLS proxy: the load generator sends X-Forwarded-Proto.
        "BEHIND_TLS_PROXY": "true",
        "VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "STATIC_ROOT": str(var_dir / "static"),
        "LOG_LEVEL": "WARNING",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return {key: os.environ[key] for key in defaults}


def db_name_from_env() -> str:
    return os.environ["DATABASE_URL"].rsplit("/", 1)[1]


def recreate_db(name: str) -> None:
    subprocess.run(["dropdb", *PG, "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", *PG, name], check=True)


def drop_db(name: str) -> None:
    # Close Django's own connection first, or dropdb --force kills it under us.
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: BLE001, S110 — Django may not be set up
        pass
    subprocess.run(["dropdb", *PG, "--if-exists", "--force", name], check=True)


def wait_until_up(
    port: int, process: subprocess.Popen, log: Path, *, any_answer: bool = False
) -> None:
    """Wait until the server `process` started on `port` answers /healthz, or fail with its
    log. With `any_answer`, an HTTP error counts as up (the ceiling app has no /healthz)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"}
    )
    for _ in range(150):
        time.sleep(0.2)
        if process.poll() is not None:
            raise SystemExit(f"the server on port {port} exited; see {log}")
        try:
            with urllib.request.urlopen(request, timeout=5):  # noqa: S310 — our own server
                return
        except OSError as error:
            if any_answer and getattr(error, "code", None):
                return
    raise SystemExit(f"the server on port {port} did not come up; see {log}")


def stop(process: subprocess.Popen | None) -> None:
    """End a server or worker the bench started: SIGTERM, then SIGKILL after 30 s."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def setup_django(migrate: bool = False) -> None:
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"migrated in {time.perf_counter() - started:.1f} s", flush=True)


# --- Data ----------------------------------------------------------------------------------

# 20 questions: 6 scale5, 4 yes_no, 3 single, 2 multiple, 2 number, 3 text.
KINDS_20 = [
    "scale5",
    "yes_no",
    "single",
    "scale5",
    "multiple",
    "number",
    "text",
    "scale5",
    "yes_no",
    "single",
    "scale5",
    "multiple",
    "number",
    "text",
    "scale5",
    "yes_no",
    "single",
    "scale5",
    "yes_no",
    "text",
]
TEXTS = [
    "Personalen lyssnar på mig.",
    "Jag vill ha mer tid ute.",
    "Maten är god men det är för mycket ljud i matsalen.",
    "Jag vet inte vem jag ska fråga när något är fel.",
    "Bra aktiviteter, men bussen kommer ofta sent.",
    "Jag trivs med mina arbetskamrater.",
]


def build_survey(kinds: list[str], units: int, title: str = "Benchmark survey"):
    """An open survey with the given question kinds and units, built through the services."""
    from django.utils import timezone

    from surveys import services
    from surveys.models import Option, Section, Survey, Unit

    survey = services.survey_create(by=None, title_sv=title, title_en=title)
    section = Section.objects.get(survey=survey)
    for number, kind in enumerate(kinds, start=1):
        fields = {"text_sv": f"Fråga {number} ({kind})", "easy_sv": f"Lätt fråga {number}"}
        if kind == "number":
            fields.update(min_value=0, max_value=100)
        question = services.question_add(section=section, kind=kind, **fields)
        if kind in ("single", "multiple"):
            count = 4 if kind == "single" else 5
            Option.objects.bulk_create(
                Option(
                    question=question,
                    position=i,
                    value=str(i),
                    label_sv=f"Alternativ {i}",
                    label_en=f"Option {i}",
                )
                for i in range(1, count + 1)
            )
    Unit.objects.bulk_create(
        Unit(survey=survey, name=f"Daglig verksamhet {chr(65 + i)}") for i in range(units)
    )
    # Published directly: the accessibility check of survey_publish is not what is measured.
    Survey.objects.filter(pk=survey.pk).update(
        status=Survey.Status.OPEN, published_at=timezone.now() - timedelta(days=61)
    )
    survey.refresh_from_db()
    return survey


def _answers_for(rng: random.Random, response_id: int, questions, options) -> list:
    """Exactly one row per question on average: a second tick on a multiple-choice question
    is balanced by one skipped free-text question, so every response has 20 rows."""
    from surveys.models import Answer

    rows = []
    extra_ticks = 0
    texts = []
    for question in questions:
        kind = question.kind
        choices = options.get(question.pk, [])
        if kind in ("scale5", "yes_no", "single"):
            if rng.random() < 0.07:
                rows.append(
                    Answer(response_id=response_id, question_id=question.pk, dont_know=True)
                )
            else:
                weights = [1, 2, 3, 5, 4][: len(choices)] if kind == "scale5" else None
                option = (
                    rng.choices(choices, weights=weights)[0] if weights else rng.choice(choices)
                )
                rows.append(
                    Answer(response_id=response_id, question_id=question.pk, option_id=option)
                )
        elif kind == "multiple":
            if rng.random() < 0.03:
                rows.append(
                    Answer(response_id=response_id, question_id=question.pk, dont_know=True)
                )
            else:
                ticks = 2 if rng.random() < 0.3 else 1
                extra_ticks += ticks - 1
                for option in sorted(rng.sample(choices, ticks)):
                    rows.append(
                        Answer(response_id=response_id, question_id=question.pk, option_id=option)
                    )
        elif kind == "number":
            if rng.random() < 0.03:
                rows.append(
                    Answer(response_id=response_id, question_id=question.pk, dont_know=True)
                )
            else:
                rows.append(
                    Answer(
                        response_id=response_id,
                        question_id=question.pk,
                        number=rng.randint(0, 100),
                    )
                )
        else:
            texts.append(question)
    for question in texts[extra_ticks:]:
        draw = rng.random()
        review = "pending" if draw < 0.6 else ("approved" if draw < 0.9 else "hidden")
        rows.append(
            Answer(
                response_id=response_id,
                question_id=question.pk,
                text=f"{rng.choice(TEXTS)} ({rng.randint(1, 9999)})",
                review=review,
            )
        )
    return rows


def load_responses(
    survey, submitted: int, in_progress: int = 0, chunk: int = 5000, seed: int = RANDOM_SEED
) -> dict:
    """Bulk-create responses and their answers in chunks; returns timing and counts."""
    from django.db import connection, transaction
    from django.utils import timezone

    from surveys.models import Answer, Response

    rng = random.Random(seed)
    questions = list(survey.questions.counted().in_order())
    options = {}
    for question in questions:
        options[question.pk] = sorted(question.options.values_list("pk", flat=True))
    units = list(survey.units.values_list("pk", flat=True))
    now = timezone.now()
    started = time.perf_counter()
    answers_made = 0
    total = submitted + in_progress
    for offset in range(0, total, chunk):
        size = min(chunk, total - offset)
        batch = []
        for i in range(offset, offset + size):
            is_submitted = i < submitted
            support = rng.choices(["alone", "helped", ""], weights=[80, 15, 5])[0]
            begun = now - timedelta(minutes=rng.randint(20, 60 * 24 * 60))
            batch.append(
                Response(
                    survey_id=survey.pk,
                    unit_id=rng.choice(units) if units and rng.random() < 0.95 else None,
                    status="submitted" if is_submitted else "in_progress",
                    channel="paper" if rng.random() < 0.1 else "web",
                    support=support,
                    support_role="family" if support == "helped" else "",
                    easy_read=rng.random() < 0.2,
                    start_key=uuid.UUID(int=rng.getrandbits(128)).hex,
                    started_at=begun,
                    submitted_at=begun + timedelta(minutes=rng.randint(3, 15))
                    if is_submitted
                    else None,
                )
            )
        with transaction.atomic():
            Response.objects.bulk_create(batch, batch_size=5000)
            answers = []
            for response in batch:
                rows = _answers_for(rng, response.pk, questions, options)
                if response.status == "in_progress":
                    rows = rows[:5]
                answers.extend(rows)
            Answer.objects.bulk_create(answers, batch_size=10_000)
            answers_made += len(answers)
        done = offset + size
        if done % (chunk * 10) == 0 or done == total:
            elapsed = time.perf_counter() - started
            print(f"  {done:>7} responses, {answers_made:>8} answers, {elapsed:6.1f} s", flush=True)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE surveys_response")
        cursor.execute("VACUUM ANALYZE surveys_answer")
    return {
        "load_seconds": load_seconds,
        "vacuum_analyze_seconds": time.perf_counter() - started,
        "answers_made": answers_made,
    }


# --- Library resources ----------------------------------------------------------------------

RESOURCE_LANGUAGE_WEIGHTS = {"sv": 60, "nb": 25, "en": 15}

RESOURCE_WORDS = {
    "sv": {
        "titles": [
            "Revisionsmanual för brukarstyrda brukarrevisioner",
            "Metodguide: fokusgrupper och intervjuer",
            "Studiematerial för brukarrevisorer",
            "Mall för revisionsfrågor",
            "Brukarråd – så kommer ni igång",
            "Enkäter med smileys",
            "Etik och tystnadslöfte",
            "Återkoppling och uppföljning",
            "Lättläst om brukarinflytande",
            "Rapport från arbetsmarknadsenheten",
        ],
        "sentences": [
            "Två brukarrevisorer leder varje fokusgrupp och en av dem antecknar.",
            "Beställaren och revisorerna kommer överens om revisionsfrågorna i förväg.",
            "Intervjuerna hålls i en lokal utan insyn och utan personal.",
            "Enkäten finns på lättläst svenska och med smileyskalor.",
            "Rapporten lämnas först vid ett återkopplingsmöte med verksamheten.",
            "Brukarrådet träffas fyra gånger om året och skriver protokoll.",
            "Deltagarna får veta hur deras svar används och att ingen kan spåras.",
            "Uppföljningen sker ett halvår efter återkopplingen.",
            "Arbetsmarknadsenheten svarade skriftligt på alla förslag.",
            "Tolk och stödperson bokas för den som behöver det.",
        ],
    },
    "nb": {
        "titles": [
            "Revisjonsmanual for brukerstyrte brukerrevisjoner",
            "Samling for nye brukermedvirkere",
            "Studiemateriell for erfaringsformidlere",
            "Mal for revisjonsspørsmål",
            "Brukerutvalg i praksis",
            "Lettlest om brukermedvirkning",
        ],
        "sentences": [
            "Brukermedvirkere bidrar på individnivå, tjenestenivå og systemnivå.",
            "Samlingene for nye brukermedvirkere holdes tre ganger i året.",
            "Erfaringsformidlere forteller sin historie på en trygg måte.",
            "Intervjuer og fokusgrupper holdes alltid av to revisorer.",
            "Oppdragsgiver svarer skriftlig på hvert forslag i rapporten.",
            "Brukerutvalget gir råd til ledelsen i helseforetaket.",
        ],
    },
    "en": {
        "titles": [
            "User-led user audits in brief",
            "Running focus groups with user auditors",
            "Guide for commissioners",
            "Template for audit questions",
            "User councils: getting started",
        ],
        "sentences": [
            "Two user auditors lead every focus group and one of them takes notes.",
            "The commissioner answers every proposal in writing within three months.",
            "Auditors have experience of similar services themselves.",
            "User councils meet four times a year and keep minutes.",
            "Participants are told how their answers are used and that no one can be traced.",
        ],
    },
}
RESOURCE_KINDS = [
    "audit_manual",
    "method_guide",
    "study_material",
    "template",
    "report",
    "fact_sheet",
]
RESOURCE_TOPICS = ["user_audit", "surveys", "councils", "participation", "ethics_law", "training"]
RESOURCE_AUDIENCES = ["everyone", "auditors", "commissioners", "representatives", "organisations"]


def random_resource(
    rng: random.Random,
    n: int,
    *,
    slug: str,
    author,
    now,
    published: bool = True,
    marker: str = "",
):
    """An unsaved library resource of made-up text in a language drawn by weight, published
    some time in the last four years (or a draft); `marker` is a last sentence of the body."""
    from resources.models import Resource

    language = rng.choices(
        list(RESOURCE_LANGUAGE_WEIGHTS), weights=list(RESOURCE_LANGUAGE_WEIGHTS.values())
    )[0]
    words = RESOURCE_WORDS[language]
    body = "\n\n".join(
        " ".join(rng.choices(words["sentences"], k=rng.randint(3, 6)))
        for _paragraph in range(rng.randint(3, 8))
    )
    if marker:
        body += f"\n\n{marker}"
    return Resource(
        slug=slug,
        kind=rng.choice(RESOURCE_KINDS),
        language=language,
        topics=sorted(rng.sample(RESOURCE_TOPICS, rng.randint(1, 3))),
        audiences=sorted(rng.sample(RESOURCE_AUDIENCES, rng.randint(1, 2))),
        easy_to_read=rng.random() < 0.1,
        title=f"{rng.choice(words['titles'])} {n}",
        summary=" ".join(rng.choices(words["sentences"], k=2)),
        body=body,
        status="published" if published else "draft",
        author=author,
        published_at=now - timedelta(days=rng.randint(0, 1500)) if published else None,
    )


def publish_first_versions(resources: list, *, reviewer) -> None:
    """Give each (saved, published) resource a version 1 approved by `reviewer`, make it
    current, set the resource's search vector in its own language and add its words to the
    vocabulary of typo corrections, as services._index does on publication."""
    from django.db import connection

    from resources import searchtext
    from resources.models import SEARCH_CONFIGS, Resource, ResourceVersion, SearchWord

    versions = ResourceVersion.objects.bulk_create(
        [
            ResourceVersion(
                resource=resource,
                number=1,
                title=resource.title,
                summary=resource.summary,
                body=resource.body,
                body_html="".join(f"<p>{part}</p>" for part in resource.body.split("\n\n")),
                approved_by=reviewer,
                published_at=resource.published_at,
            )
            for resource in resources
        ],
        batch_size=1000,
    )
    for resource, version in zip(resources, versions, strict=True):
        resource.current_version = version
    Resource.objects.bulk_update(resources, ["current_version"], batch_size=1000)
    vocabulary = set().union(
        *(searchtext.vocabulary(r.title, r.summary, r.body) for r in resources)
    )
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(vocabulary)],
        ignore_conflicts=True,
        batch_size=1000,
    )
    ids = [resource.pk for resource in resources]
    with connection.cursor() as cursor:
        for language, config in SEARCH_CONFIGS.items():
            # As services._index: title A, summary B, body C, in the text's language.
            cursor.execute(
                """
                UPDATE resources_resource AS r SET search_vector =
                    setweight(to_tsvector(%s::regconfig, coalesce(v.title, '')), 'A')
                    || setweight(to_tsvector(%s::regconfig, coalesce(v.summary, '')), 'B')
                    || setweight(to_tsvector(%s::regconfig, coalesce(v.body, '')), 'C')
                FROM resources_resourceversion AS v
                WHERE v.id = r.current_version_id AND r.language = %s AND r.id = ANY(%s)
                """,
                [config, config, config, language, ids],
            )


def row_counts(survey) -> dict:
    from django.db import connection
    from django.db.models import Count

    from surveys.models import Answer, Response

    responses = dict(
        Response.objects.filter(survey=survey)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    answers = Answer.objects.filter(response__survey=survey)
    by_kind = dict(
        answers.order_by().values_list("question__kind").annotate(n=Count("pk")).order_by()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "select pg_size_pretty(pg_total_relation_size('surveys_answer')),"
            " pg_size_pretty(pg_total_relation_size('surveys_response'))"
        )
        answer_size, response_size = cursor.fetchone()
    return {
        "questions": survey.questions.count(),
        "units": survey.units.count(),
        "responses_submitted": responses.get("submitted", 0),
        "responses_in_progress": responses.get("in_progress", 0),
        "answers_total": answers.count(),
        "answers_of_submitted": answers.filter(response__status="submitted").count(),
        "answers_by_kind": by_kind,
        "answer_table_size": answer_size,
        "response_table_size": response_size,
    }


def machine_notes() -> str:
    import platform

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pg = subprocess.run(
        ["psql", *PG, "-Atc", "show server_version"], capture_output=True, text=True
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()},"
        f" PostgreSQL {pg}, {platform.system()} {platform.release()}"
    )


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def signed_in_client(email: str | None):
    """A Django test client in Swedish, signed in as `email` (none: anonymous), with the
    two-step login already passed when the account has a device, as the portal requires
    of staff in production settings. Django must be set up first."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from brukarkraft.models import User

    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    if email:
        user = User.objects.get(email=email)
        client.force_login(user)
        device = TOTPDevice.objects.filter(user=user).first()
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
    return client
