"""Benchmark: surveys.exports.write to CSV and XLSX at 100,000 responses × 20 questions.

    .venv/bin/python bench/surveys_export.py            # build, measure, drop the database
    .venv/bin/python bench/surveys_export.py --keep-db  # keep bench_surveys_export afterwards

Creates a fresh PostgreSQL database with the 20-question survey of surveys_results.py and
N submitted responses of 20 answer rows each (plus in-progress ones, which must not be
exported). Each export then runs in a fresh child process, which reports the wall time of
exports.write(survey, format, "sv") and its peak resident memory (ru_maxrss); the parent
checks the file: one header row plus one row per submitted response, each response once.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.etree.ElementTree import iterparse

import benchlib

DB = "bench_surveys_export"
TARGET_SECONDS = 60
TARGET_PEAK_MB = 300


def memory_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process, from /proc.

    VmHWM is used rather than ru_maxrss: Linux carries ru_maxrss over from the parent
    across fork and exec, so a child started by a parent that holds the loaded data would
    report the parent's size.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def child(survey_id: int, fmt: str, out: str) -> None:
    """Run one export in this (fresh) process and print what it cost as JSON."""
    benchlib.configure(DB)
    benchlib.setup_django()
    from surveys import exports
    from surveys.models import Survey

    survey = Survey.objects.get(pk=survey_id)
    batches = []
    before = memory_mb("VmRSS")
    peak_before = memory_mb("VmHWM")
    started = time.perf_counter()
    handle = exports.write(survey, fmt, "sv", progress=batches.append)
    seconds = time.perf_counter() - started
    peak = memory_mb("VmHWM")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    with handle, open(out, "wb") as target:
        shutil.copyfileobj(handle, target)
    print(
        json.dumps(
            {
                "format": fmt,
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(peak, 1),
                "ru_maxrss_mb": round(maxrss, 1),
                "rss_before_mb": round(before, 1),
                "peak_rss_before_export_mb": round(peak_before, 1),
                "progress_calls": len(batches),
                "bytes": Path(out).stat().st_size,
            }
        )
    )


def csv_rows(path: Path) -> tuple[list[str], list[int], int]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        ids = []
        widths = set()
        for row in reader:
            ids.append(int(row[0]))
            widths.add(len(row))
    assert widths == {len(header)}, widths
    return header, ids, len(ids) + 1


def xlsx_rows(path: Path) -> tuple[list[str], list[int], int]:
    """Count rows by streaming the sheet's XML: openpyxl's reader would take minutes."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as book:
        sheet = next(n for n in book.namelist() if n.startswith("xl/worksheets/sheet"))
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            for _event, element in iterparse(book.open("xl/sharedStrings.xml")):  # noqa: S314 — the file we just wrote
                if element.tag == f"{main}si":
                    shared.append("".join(element.itertext()))
                    element.clear()
        header: list[str] = []
        ids: list[int] = []
        rows = 0
        with book.open(sheet) as stream:
            for _event, element in iterparse(io.BufferedReader(stream)):  # noqa: S314 — the file we just wrote
                if element.tag != f"{main}row":
                    continue
                cells = list(element)
                if rows == 0:
                    for cell in cells:
                        if cell.get("t") == "s":
                            header.append(shared[int(cell.findtext(f"{main}v"))])
                        else:
                            header.append("".join(cell.itertext()))
                else:
                    ids.append(int(float(cells[0].findtext(f"{main}v"))))
                rows += 1
                element.clear()
    return header, ids, rows


def run_export(survey_id: int, fmt: str, workdir: Path) -> dict:
    out = workdir / f"export.{fmt}"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", fmt, "--survey", str(survey_id), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        print(done.stdout, done.stderr, file=sys.stderr)
        raise SystemExit(f"{fmt} export failed")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["child_wall_seconds"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    header, ids, rows = (csv_rows if fmt == "csv" else xlsx_rows)(out)
    figures.update(
        rows_in_file=rows,
        columns=len(header),
        distinct_response_ids=len(set(ids)),
        check_seconds=round(time.perf_counter() - started, 1),
    )
    figures["_ids"] = ids
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--in-progress", type=int, default=1_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--reuse-db", action="store_true", help="use a database kept before")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--survey", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.survey, args.child, args.out)
        return

    benchlib.configure(DB)
    load_at_start = os.getloadavg()
    print(f"machine: {benchlib.machine_notes()}; load average {load_at_start}", flush=True)
    if not args.reuse_db:
        benchlib.recreate_db(DB)
    workdir = Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        benchlib.setup_django(migrate=not args.reuse_db)
        from surveys.models import Response, Survey

        if args.reuse_db:
            survey = Survey.objects.get()
            load = {}
        else:
            survey = benchlib.build_survey(benchlib.KINDS_20, units=10)
            print(f"loading {args.responses} submitted + {args.in_progress} in-progress")
            load = benchlib.load_responses(survey, args.responses, args.in_progress)
        counts = benchlib.row_counts(survey)
        print(json.dumps({**load, **counts}, indent=2, default=str), flush=True)
        submitted = set(
            Response.objects.filter(survey=survey, status="submitted").values_list("pk", flat=True)
        )
        from django.db import connections

        connections.close_all()  # the child processes get the database to themselves
        results = []
        for fmt in args.formats.split(","):
            figures = run_export(survey.pk, fmt, workdir)
            ids = figures.pop("_ids")
            assert figures["rows_in_file"] == len(submitted) + 1, figures
            assert set(ids) == submitted and len(ids) == len(submitted), "wrong responses"
            assert figures["columns"] == 7 + 20, figures["columns"]
            ok_time = figures["seconds"] < TARGET_SECONDS
            ok_memory = figures["peak_rss_mb"] < TARGET_PEAK_MB
            figures["target_met"] = ok_time and ok_memory
            results.append(figures)
            print(
                f"{fmt:<5} {figures['seconds']:7.1f} s  peak RSS {figures['peak_rss_mb']:6.1f} MB"
                f" (before export {figures['rss_before_mb']:.1f} MB)"
                f"  {figures['bytes'] / 2**20:6.1f} MiB file  rows {figures['rows_in_file']}"
                f" (= {len(submitted)} + header, each response once)"
                f"  target {'met' if figures['target_met'] else 'NOT met'}",
                flush=True,
            )
        if args.json:
            with open(args.json, "w") as handle:
                json.dump(
                    {
                        "machine": benchlib.machine_notes(),
                        "load_average_at_start": load_at_start,
                        "load_average_at_end": os.getloadavg(),
                        "load": load,
                        "counts": counts,
                        "exports": results,
                    },
                    handle,
                    indent=2,
                    default=str,
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if not args.keep_db:
            benchlib.drop_db(DB)
            print(f"dropped database {DB}")


if __name__ == "__main__":
    main()
