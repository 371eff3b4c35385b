"""Benchmark: library search over 5,000 published resources, through Django's test client.

    .venv/bin/python bench/resources_search.py             # build, measure, drop the database
    .venv/bin/python bench/resources_search.py --keep-db   # keep bench_resources afterwards
    .venv/bin/python bench/resources_search.py --reuse-db  # measure a kept database, no load

Creates a fresh PostgreSQL database, bulk-creates 5,000 published resources in Swedish,
Norwegian and English (each with a version 1 approved by a second person) plus 500 drafts
that must never be found, and sets every search vector in the text's own language with one
UPDATE … to_tsvector(config, …) per language, exactly as services._index builds it. Then it
requests the library page ~100 times per case as an anonymous visitor (the production
settings, DEBUG off) with a search term, with filters, and both, and reports p50/p95/mean/max
and the SQL queries per request, which must not depend on how many resources match.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from datetime import timedelta
from urllib.parse import urlencode

import benchlib
from audits_pages import measure, query_growth, slowest_queries

DB = "bench_resources"
RESOURCES = 5_000
DRAFTS = 500
LANGUAGE_WEIGHTS = {"sv": 60, "nb": 25, "en": 15}

WORDS = {
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
KINDS = ["audit_manual", "method_guide", "study_material", "template", "report", "fact_sheet"]
TOPICS = ["user_audit", "surveys", "councils", "participation", "ethics_law", "training"]
AUDIENCES = ["everyone", "auditors", "commissioners", "representatives", "organisations"]


def seed(seed_value: int = benchlib.RANDOM_SEED) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from brukarkraft.models import User
    from resources.models import SEARCH_CONFIGS, Resource, ResourceVersion

    rng = random.Random(seed_value)
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        author = User.objects.create(email="sara@bench.example", full_name="Sara Personal")
        reviewer = User.objects.create(email="ingrid@bench.example", full_name="Ingrid Solberg")
        languages = list(LANGUAGE_WEIGHTS)
        weights = list(LANGUAGE_WEIGHTS.values())
        rows = []
        for n in range(RESOURCES + DRAFTS):
            language = rng.choices(languages, weights=weights)[0]
            words = WORDS[language]
            body = "\n\n".join(
                " ".join(rng.choices(words["sentences"], k=rng.randint(3, 6)))
                for _paragraph in range(rng.randint(3, 8))
            )
            if n % 997 == 0:
                # A word found in one resource only: the "one hit" case.
                body += f"\n\nSärskilt ord: kvastfening{n}."
            rows.append(
                Resource(
                    slug=f"resurs-{n:05d}",
                    kind=rng.choice(KINDS),
                    language=language,
                    topics=sorted(rng.sample(TOPICS, rng.randint(1, 3))),
                    audiences=sorted(rng.sample(AUDIENCES, rng.randint(1, 2))),
                    easy_to_read=rng.random() < 0.1,
                    title=f"{rng.choice(words['titles'])} {n}",
                    summary=" ".join(rng.choices(words["sentences"], k=2)),
                    body=body,
                    status="published" if n < RESOURCES else "draft",
                    author=author,
                    published_at=now - timedelta(days=rng.randint(0, 1500))
                    if n < RESOURCES
                    else None,
                )
            )
        Resource.objects.bulk_create(rows, batch_size=1000)
        published = list(Resource.objects.filter(status="published").order_by("pk"))
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
                for resource in published
            ],
            batch_size=1000,
        )
        for resource, version in zip(published, versions, strict=True):
            resource.current_version = version
        Resource.objects.bulk_update(published, ["current_version"], batch_size=1000)
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
                    WHERE v.id = r.current_version_id AND r.language = %s
                    """,
                    [config, config, config, language],
                )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE resources_resource")
        cursor.execute("VACUUM ANALYZE resources_resourceversion")
    load_seconds = round(time.perf_counter() - started, 1)
    print(f"loaded in {load_seconds} s", flush=True)
    return {"load_seconds": load_seconds, "counts": row_counts()}


def row_counts() -> dict:
    from django.db import connection
    from django.db.models import Count

    from resources.models import Resource

    by_language = dict(
        Resource.objects.published()
        .values_list("language")
        .annotate(n=Count("pk"))
        .order_by("language")
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('resources_resource'))")
        size = cursor.fetchone()[0]
    return {
        "published": Resource.objects.published().count(),
        "drafts": Resource.objects.exclude(status="published").count(),
        "published_by_language": by_language,
        "resources_table_size": size,
    }


def hits(text: str, **filters) -> int:
    from resources import services
    from resources.forms.library import LibrarySearchForm
    from resources.models import Resource

    form = LibrarySearchForm({"q": text, **filters})
    return services.search(form.filter(Resource.objects.for_library()), form.text).count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--reuse-db", action="store_true", help="measure a database kept before")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    benchlib.configure(DB)
    load_at_start = os.getloadavg()
    print(f"machine: {benchlib.machine_notes()}; load average {load_at_start}", flush=True)
    if not args.reuse_db:
        benchlib.recreate_db(DB)
    try:
        benchlib.setup_django(migrate=not args.reuse_db)
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        call_command("collectstatic", interactive=False, verbosity=0)
        data = {"load_seconds": None, "counts": row_counts()} if args.reuse_db else seed()
        print(f"rows: {data['counts']}", flush=True)

        client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
        library = reverse("resources:library")

        def page(**params) -> str:
            return f"{library}?{urlencode(params)}" if params else library

        filters = {"language": "sv", "kind": "method_guide", "topic": "surveys"}
        cases = [
            ("library, first page, no search", {}),
            ("search sv 'fokusgrupper' (stemmed)", {"q": "fokusgrupper"}),
            ("search sv two words", {"q": "brukarråd protokoll"}),
            ("search nb 'samlinger'", {"q": "samlinger"}),
            ("search en 'audits'", {"q": "audits"}),
            ("search, one hit", {"q": "kvastfening1994"}),
            ("search, no hit", {"q": "zyxwvutsrq"}),
            ("filters only: sv, method guide, surveys", filters),
            ("search + filters", {"q": "fokusgrupper", **filters}),
            ("search + easy to read", {"q": "fokusgrupper", "easy_to_read": "on"}),
        ]
        counts = {name: hits(params.get("q", ""), **params) for name, params in cases}
        print(
            f"\n{args.requests} requests per case after {args.warmup} warm-up requests"
            " (Django test client, in process, anonymous):",
            flush=True,
        )
        rows = []
        for name, params in cases:
            row = measure(client, name, [page(**params)], args.requests, args.warmup)
            row["matches"] = counts[name]
            rows.append(row)
        print("\nmatches per case:", flush=True)
        for name, count in counts.items():
            print(f"  {name:<44} {count:>5}")

        print("\nslowest statements of one request:", flush=True)
        slow = {}
        for name, params in cases[:2] + cases[8:9]:
            slow[name] = slowest_queries(client, page(**params))
            print(f"  {name}")
            for item in slow[name]:
                print(f"    {item['ms']:>8.2f} ms  {item['sql'][:150]}")

        print("\nqueries per request, few and many matches:", flush=True)
        common = counts["search sv 'fokusgrupper' (stemmed)"]
        last = max(1, -(-common // 20))
        growth = query_growth(
            client,
            None,
            {
                "search, one hit": page(q="kvastfening1994"),
                f"search, {common} hits, page 1": page(q="fokusgrupper"),
                f"search, {common} hits, page {last} (last)": page(q="fokusgrupper", page=last),
                "search + filters": page(q="fokusgrupper", **filters),
            },
        )
        summary = {
            "machine": benchlib.machine_notes(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": os.getloadavg(),
            "load_seconds": data["load_seconds"],
            "counts": data["counts"],
            "pages": rows,
            "slowest_queries": slow,
            "query_growth": growth,
        }
        print(f"\nload average at the end {summary['load_average_at_end']}")
        if args.json:
            with open(args.json, "w") as handle:
                json.dump(summary, handle, indent=2, default=str)
    finally:
        if not args.keep_db:
            benchlib.drop_db(DB)
            print(f"dropped database {DB}")


if __name__ == "__main__":
    main()
