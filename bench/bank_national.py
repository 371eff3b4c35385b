"""Benchmark: the report bank's national picture at ~10,000 published audits.

    .venv/bin/python bench/bank_national.py             # build, measure, drop the database
    .venv/bin/python bench/bank_national.py --keep-db   # keep bench_bank_national afterwards
    .venv/bin/python bench/bank_national.py --reuse-db  # measure a kept database, no load

Builds the portal with audits_pages.seed() at 12,000 audits, 240,000 findings and 120,000
proposals, then publishes every audit past the quote that was not cancelled (about 10,000,
with their terms letting the findings out), and measures in this process, with the
production settings: the four grouped queries of the picture (cold), the public page
served from the cache (its one fingerprint query), the public page on a cache miss, a CSV
file, and the staff picture (every audit, never cached; its page needs two-step login in
production, so it is timed as the computation).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import benchlib

DB = "bench_bank_national"


def publish_all() -> int:
    """Publish every quoted, not cancelled audit directly (the bench measures reading)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from audits.models import Audit, Publication, PublicationTerms, Quote

    now = timezone.now()
    with transaction.atomic():
        quotes = Quote.objects.exclude(audit__status=Audit.Status.CANCELLED).values_list(
            "pk", "audit_id", "audit__created_at"
        )
        rows = list(quotes)
        PublicationTerms.objects.bulk_create(
            PublicationTerms(
                quote_id=pk,
                may_publish_report=True,
                may_publish_findings=True,
                may_publish_quotes=True,
            )
            for pk, _audit, _created in rows
        )
        Publication.objects.bulk_create(
            Publication(
                audit_id=audit,
                status=Publication.Status.PUBLISHED,
                consented_at=now,
                published_at=now,
                year=created.year,
            )
            for _pk, audit, created in rows
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return len(rows)


def timed(function, runs: int) -> dict:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "runs": runs,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 1),
        "max_ms": round(times[-1], 1),
    }


def queries_of(function) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--reuse-db", action="store_true")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", help="write every figure to this file")
    args = parser.parse_args()

    benchlib.configure(DB)
    load_at_start = os.getloadavg()
    print(f"machine: {benchlib.machine_notes()}; load average {load_at_start}", flush=True)
    if not args.reuse_db:
        benchlib.recreate_db(DB)
    try:
        benchlib.setup_django(migrate=not args.reuse_db)
        import audits_pages
        from django.core.cache import cache
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        from audits.bank import national
        from audits.models import Finding, Proposal, Publication

        call_command("collectstatic", interactive=False, verbosity=0)
        if not args.reuse_db:
            audits_pages.AUDITS = 12_000
            audits_pages.FINDINGS = 240_000
            audits_pages.PROPOSALS = 120_000
            audits_pages.seed()
            started = time.perf_counter()
            published = publish_all()
            print(f"published {published} audits in {time.perf_counter() - started:.1f} s")
        public = Publication.objects.public()
        counts = {
            "published_audits": public.count(),
            "published_findings": Finding.objects.filter(audit__publication__in=public).count(),
            "published_proposals": Proposal.objects.filter(audit__publication__in=public).count(),
            "all_findings": Finding.objects.count(),
            "all_proposals": Proposal.objects.count(),
        }
        print(json.dumps(counts), flush=True)

        anonymous = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
        page = reverse("bank:national")
        csv_file = reverse("bank:national_csv", args=["proposals-county"])

        def cold_page():
            cache.delete(f"{national.CACHE_PREFIX}:{national.bank_fingerprint()}")
            anonymous.get(page)

        anonymous.get(page)  # warm the cache and the connection
        results = {
            "compute, published only (4 grouped queries)": timed(national.compute, args.runs),
            "compute, staff (every audit)": timed(national.staff_picture, args.runs),
            "public page, cache miss": timed(cold_page, args.runs),
            "public page, from the cache": timed(lambda: anonymous.get(page), args.runs * 5),
            "public CSV, from the cache": timed(lambda: anonymous.get(csv_file), args.runs * 5),
        }
        anonymous.get(page)
        query_counts = {
            "compute": queries_of(national.compute),
            "public page, from the cache": queries_of(lambda: anonymous.get(page)),
        }
        print()
        for name, figures in results.items():
            print(f"{name:<48} p50 {figures['p50_ms']:>8} ms  p95 {figures['p95_ms']:>8} ms")
        print(f"queries: {json.dumps(query_counts)}")
        print(f"load average at the end {os.getloadavg()}")
        if args.json:
            with open(args.json, "w") as handle:
                json.dump(
                    {
                        "machine": benchlib.machine_notes(),
                        "load_average_at_start": load_at_start,
                        "load_average_at_end": os.getloadavg(),
                        "counts": counts,
                        "timings": results,
                        "queries": query_counts,
                    },
                    handle,
                    indent=2,
                )
    finally:
        if not args.keep_db:
            benchlib.drop_db(DB)
            print(f"dropped database {DB}")


if __name__ == "__main__":
    main()
