"""Benchmark: a 40-finding audit report PDF, our path against WeasyPrint alone.

    .venv/bin/python bench/audits_report.py             # seed, measure, drop the database
    .venv/bin/python bench/audits_report.py --reuse-db  # use bench_audits kept by audits_pages.py
    .venv/bin/python bench/audits_report.py --profile   # and show where our extra time goes

On the same data as audits_pages.py (2,000 audits, fixed seed) it takes the audit in
report_draft with 40 findings and 12 proposals and times, interleaved, median of --runs:

1. ours: audits.pdf.audit_report_pdf(audit, "sv") — the context (queries, cleaning), the
   template and WeasyPrint as brukarkraft.pdf runs it;
2. WeasyPrint alone: the very HTML string our path rendered (captured once), laid out with
   weasyprint.HTML(string=..., base_url=..., url_fetcher=PortalURLFetcher(...))
   .write_pdf(pdf_variant=PDF_VARIANT), the options brukarkraft/pdf.py uses;
3. the worker path services.report_render(version_id=...), which also stores the file
   and hashes it (a new queued version each run).

Overhead = ours ÷ WeasyPrint alone − 1; the target is under 10 %.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import statistics
import time

import audits_pages
import benchlib

TARGET_OVERHEAD = 0.10


def capture_html(audit, language: str) -> tuple[str, str]:
    """The HTML string and base URL our path hands to WeasyPrint, caught on the way."""
    import brukarkraft.pdf as portal_pdf
    from audits.pdf import audit_report_pdf

    caught: dict = {}
    real_html = portal_pdf.HTML

    def spy(*args, **kwargs):
        caught.update(kwargs)
        return real_html(*args, **kwargs)

    portal_pdf.HTML = spy
    try:
        audit_report_pdf(audit, language)
    finally:
        portal_pdf.HTML = real_html
    return caught["string"], caught["base_url"]


def weasyprint_alone(html: str, base_url: str) -> bytes:
    from weasyprint import HTML

    from brukarkraft.pdf import PDF_VARIANT, PortalURLFetcher

    return HTML(string=html, base_url=base_url, url_fetcher=PortalURLFetcher(base_url)).write_pdf(
        pdf_variant=PDF_VARIANT
    )


def ours(audit, language: str) -> tuple[bytes, int]:
    from audits.pdf import audit_report_pdf

    return audit_report_pdf(audit, language)


def worker(audit) -> dict:
    """A new version queued as report_request would, then the worker's whole job."""
    from django.db.models import Max

    from audits import services
    from audits.models import ReportVersion

    number = (audit.reports.aggregate(top=Max("number"))["top"] or 0) + 1
    version = ReportVersion.objects.create(audit=audit, number=number, language=audit.language)
    started = time.perf_counter()
    done = services.report_render(version_id=version.pk)
    seconds = time.perf_counter() - started
    assert done is not None and done.status == ReportVersion.Status.READY, done
    # Ready versions would pile up; delete them so every run starts alike.
    done.file.delete(save=False)
    done.delete()
    return {"seconds": seconds, "size": done.size, "pages": done.pages, "sha256": done.sha256}


def parts(audit, language: str) -> dict[str, float]:
    """Our path cut where brukarkraft.pdf cuts it: context, template, WeasyPrint."""
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import HTML

    from audits.pdf import report_context
    from brukarkraft.pdf import PDF_VARIANT, PortalURLFetcher, page_numbers_css, site_base_url

    timings = {}
    started = time.perf_counter()
    context = report_context(audit, language)
    timings["report_context"] = time.perf_counter() - started
    started = time.perf_counter()
    base_url = site_base_url()
    with translation.override(language):
        html = render_to_string(
            "audits/pdf/report.html",
            {**context, "pdf_language": language, "pdf_page_numbers": page_numbers_css()},
        )
    timings["template"] = time.perf_counter() - started
    started = time.perf_counter()
    document = HTML(string=html, base_url=base_url, url_fetcher=PortalURLFetcher(base_url)).render(
        pdf_variant=PDF_VARIANT
    )
    timings["weasyprint_render"] = time.perf_counter() - started
    started = time.perf_counter()
    document.write_pdf(pdf_variant=PDF_VARIANT)
    timings["weasyprint_write_pdf"] = time.perf_counter() - started
    return timings


def profile(audit, language: str) -> str:
    """cProfile of our path: cumulative time of the top functions."""
    profiler = cProfile.Profile()
    profiler.enable()
    ours(audit, language)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--reuse-db", action="store_true", help="use bench_audits kept by audits_pages.py"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    db = audits_pages.DB
    benchlib.configure(db)
    load_at_start = os.getloadavg()
    print(f"machine: {benchlib.machine_notes()}; load average {load_at_start}", flush=True)
    if not args.reuse_db:
        benchlib.recreate_db(db)
    try:
        benchlib.setup_django(migrate=not args.reuse_db)
        from django.core.management import call_command

        from audits.models import Audit

        call_command("collectstatic", interactive=False, verbosity=0)
        data = audits_pages.fixtures_from_db() if args.reuse_db else audits_pages.seed()
        audit = Audit.objects.get(pk=data["report_audit"])
        language = audit.language
        shape = {
            "reference": audit.reference,
            "status": audit.status,
            "language": language,
            "findings": audit.findings.count(),
            "proposals": audit.proposals.count(),
            "sessions": audit.sessions.count(),
            "team": audit.members.count(),
            "survey": audit.survey_id,
        }
        print(f"report audit: {shape}", flush=True)

        # Warm-up: fonts, templates, WeasyPrint's own caches, the database connection.
        html, base_url = capture_html(audit, language)
        ours_pdf, pages = ours(audit, language)
        alone_pdf = weasyprint_alone(html, base_url)
        worker(audit)

        timings: dict[str, list[float]] = {"ours": [], "weasyprint": [], "worker": []}
        paths = {
            "ours": lambda: ours(audit, language),
            "weasyprint": lambda: weasyprint_alone(html, base_url),
            "worker": lambda: worker(audit),
        }
        results: dict = {}
        worker_runs = []
        for run in range(args.runs):
            # Interleaved, in a rotating order, with the garbage collected before each call,
            # so that no path is favoured by the load of the moment or by its place in a run.
            order = list(paths)[run % 3 :] + list(paths)[: run % 3]
            for key in order:
                gc.collect()
                started = time.perf_counter()
                results[key] = paths[key]()
                timings[key].append(time.perf_counter() - started)
            worker_runs.append(results["worker"])
            # The worker's own clock excludes queueing the version; it is what report_render took.
            timings["worker"][-1] = results["worker"]["seconds"]
            print(
                f"  run {run + 1}: ours {timings['ours'][-1]:.3f} s,"
                f" WeasyPrint alone {timings['weasyprint'][-1]:.3f} s,"
                f" report_render {timings['worker'][-1]:.3f} s",
                flush=True,
            )
        ours_pdf, pages = results["ours"]
        alone_pdf = results["weasyprint"]
        split = [parts(audit, language) for _ in range(args.runs)]
        split_median = {
            key: round(1000 * statistics.median(s[key] for s in split), 1) for key in split[0]
        }

        medians = {key: statistics.median(values) for key, values in timings.items()}
        overhead = medians["ours"] / medians["weasyprint"] - 1
        worker_overhead = medians["worker"] / medians["weasyprint"] - 1
        from pypdf import PdfReader

        alone_pages = len(PdfReader(io.BytesIO(alone_pdf)).pages)
        print(
            f"\nPDF: {pages} pages, ours {len(ours_pdf):,} bytes, WeasyPrint alone"
            f" {len(alone_pdf):,} bytes ({alone_pages} pages);"
            f" report_render stored {worker_runs[-1]['size']:,} bytes, {worker_runs[-1]['pages']}"
            f" pages; HTML {len(html):,} characters"
        )
        for key, label in (
            ("ours", "ours: audit_report_pdf"),
            ("weasyprint", "WeasyPrint alone"),
            ("worker", "services.report_render"),
        ):
            values = timings[key]
            print(
                f"{label:<26} median {medians[key]:.3f} s"
                f" (min {min(values):.3f}, max {max(values):.3f})"
            )
        print(f"our path cut in parts, median ms: {split_median}")
        ours_only = split_median["report_context"] + split_median["template"]
        layout = split_median["weasyprint_render"] + split_median["weasyprint_write_pdf"]
        print(
            f"our own part (context + template) {ours_only:.1f} ms ="
            f" {100 * ours_only / layout:.1f} % of WeasyPrint's {layout:.1f} ms in the same runs"
        )
        verdict = "met" if overhead < TARGET_OVERHEAD else "NOT met"
        print(
            f"overhead of ours over WeasyPrint alone: {100 * overhead:+.1f} %"
            f" (target < {100 * TARGET_OVERHEAD:.0f} %: {verdict});"
            f" report_render over WeasyPrint alone: {100 * worker_overhead:+.1f} %"
        )
        assert pages == alone_pages == worker_runs[-1]["pages"]

        profile_text = profile(audit, language) if args.profile else ""
        if profile_text:
            print(profile_text)
        summary = {
            "machine": benchlib.machine_notes(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": os.getloadavg(),
            "audit": shape,
            "pdf_pages": pages,
            "pdf_bytes_ours": len(ours_pdf),
            "pdf_bytes_weasyprint_alone": len(alone_pdf),
            "html_characters": len(html),
            "runs": {key: [round(v, 4) for v in values] for key, values in timings.items()},
            "median_s": {key: round(v, 4) for key, v in medians.items()},
            "overhead": round(overhead, 4),
            "worker_overhead": round(worker_overhead, 4),
            "parts_median_ms": split_median,
            "own_part_share": round(ours_only / layout, 4),
        }
        print(f"load average at the end {summary['load_average_at_end']}")
        if args.json:
            with open(args.json, "w") as handle:
                json.dump(summary, handle, indent=2, default=str)
    finally:
        if not args.keep_db and not args.reuse_db:
            benchlib.drop_db(db)
            print(f"dropped database {db}")


if __name__ == "__main__":
    main()
