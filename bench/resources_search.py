"""Benchmark: library search over 5,000 published resources, through Django's test client.

    .venv/bin/python bench/resources_search.py             # build, measure, drop the database
    .venv/bin/python bench/resources_search.py --keep-db   # keep bench_resources afterwards
    .venv/bin/python bench/resources_search.py --reuse-db  # measure a kept database, no load

Creates a fresh PostgreSQL database, bulk-creates 5,000 published resources in Swedish,
Norwegian and English (each with a version 1 approved by a second person) plus 500 drafts
that must never be found, sets every search vector in the text's own language with one
UPDATE … to_tsvector(config, …) per language, exactly as services._index builds it, and
fills the vocabulary of typo corrections to 30,000 words. Then it
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
from urllib.parse import urlencode

import benchlib
from audits_pages import measure, query_growth, slowest_queries

DB = "bench_resources"
RESOURCES = 5_000
DRAFTS = 500
VOCABULARY = 30_000


def seed(seed_value: int = benchlib.RANDOM_SEED) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from brukarkraft.models import User
    from resources.models import Resource

    rng = random.Random(seed_value)
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        author = User.objects.create(email="sara@bench.example", full_name="Sara Personal")
        reviewer = User.objects.create(email="ingrid@bench.example", full_name="Ingrid Solberg")
        rows = [
            benchlib.random_resource(
                rng,
                n,
                slug=f"resurs-{n:05d}",
                author=author,
                now=now,
                published=n < RESOURCES,
                # A word found in one resource only: the "one hit" case.
                marker=f"Särskilt ord: kvastfening{n}." if n % 997 == 0 else "",
            )
            for n in range(RESOURCES + DRAFTS)
        ]
        Resource.objects.bulk_create(rows, batch_size=1000)
        published = list(Resource.objects.filter(status="published").order_by("pk"))
        benchlib.publish_first_versions(published, reviewer=reviewer)
        pad_vocabulary(rng)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE resources_resource")
        cursor.execute("VACUUM ANALYZE resources_resourceversion")
        cursor.execute("VACUUM ANALYZE resources_searchword")
    load_seconds = round(time.perf_counter() - started, 1)
    print(f"loaded in {load_seconds} s", flush=True)
    return {"load_seconds": load_seconds, "counts": row_counts()}


def pad_vocabulary(rng: random.Random) -> None:
    """The made-up texts repeat a few hundred words; 5,000 real texts would have tens of
    thousands. Add word-like strings up to VOCABULARY words, so the typo lookup searches a
    vocabulary of a real library's size."""
    from resources.models import SearchWord

    syllables = ["bru", "kar", "re", "vi", "sion", "en", "er", "na", "kon", "troll", "sam",
                 "ling", "mö", "te", "råd", "ar", "bet", "fö", "lj", "upp", "gång", "stöd"]  # fmt: skip
    missing = VOCABULARY - SearchWord.objects.count()
    words = set()
    while len(words) < missing:
        words.add("".join(rng.choices(syllables, k=rng.randint(2, 5))))
    SearchWord.objects.bulk_create(
        [SearchWord(word=word[:40]) for word in words], ignore_conflicts=True, batch_size=2000
    )


def row_counts() -> dict:
    from django.db import connection
    from django.db.models import Count

    from resources.models import Resource, SearchWord

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
        "vocabulary": SearchWord.objects.count(),
        "resources_table_size": size,
    }


def hits(text: str, **filters) -> int:
    from resources import services
    from resources.forms.library import LibrarySearchForm
    from resources.models import Resource

    form = LibrarySearchForm({"q": text, **filters})
    resources = form.filter(Resource.objects.for_library())
    found = services.search(resources, form.text).count()
    if found or not form.text:
        return found
    # As the library page: nothing found, so the typos are corrected.
    correction = services.search_correction(form.text)
    return services.search(resources, correction).count() if correction else 0


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
            ("search sv typo 'fokusgruper' (corrected)", {"q": "fokusgruper"}),
            ("search nb typo 'samlnger' (corrected)", {"q": "samlnger"}),
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
        for name, params in cases[:2] + cases[7:8] + cases[10:11]:
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
                "search with a typo, corrected": page(q="fokusgruper"),
                "search with a typo, corrected, last page": page(q="fokusgruper", page=last),
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
