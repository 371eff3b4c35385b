"""Open data's pages: the page that explains the data, its licence and fields, the index of
the feeds, and the three CSV files, streamed row by row (never all rows in memory), with
every cell made inert for spreadsheets (brukarkraft.exports), filtered as the API is."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from audits.bank.models import Publication
from audits.models import ServiceArea
from brukarkraft.exports import csv_writer
from brukarkraft.http import public_cache
from brukarkraft.views.errors import rate_limited

from . import datasets, filters, selectors, throttles
from .licence import licence, with_licence

# Rows fetched from the database at a time while a file streams (a server-side cursor on
# PostgreSQL); the related rows (units, facets, findings) come once for each chunk.
CHUNK_SIZE = 2000


@require_safe
def open_data(request: HttpRequest) -> HttpResponse:
    context = {
        "datasets": list(datasets.DATASETS.values()),
        "licence": licence(),
        "published": Publication.objects.public().count(),
        "areas": ServiceArea.choices,
    }
    return public_cache(render(request, "audits/opendata/page.html", context))


@require_safe
def feeds(request: HttpRequest) -> HttpResponse:
    return public_cache(
        render(request, "audits/opendata/feeds.html", {"areas": ServiceArea.choices})
    )


class _Echo:
    """A file-like object that hands back what is written: csv.writer's row as a string."""

    def write(self, value: str) -> str:
        return value


def _rows(dataset: datasets.Dataset, queryset) -> Iterator[str]:
    writer = csv_writer(_Echo())
    # The byte-order mark makes Excel read the file as UTF-8 (å, ä, ö intact).
    yield "\ufeff"
    yield writer.writerow(dataset.field_names)
    for item in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield writer.writerow(dataset.row(item))


CSV_SOURCES = {
    "audits": (selectors.public_audits, filters.AuditFilter),
    "findings": (selectors.public_findings, filters.FindingFilter),
    "proposals": (selectors.public_proposals, filters.ProposalFilter),
}


def _download(request: HttpRequest, name: str) -> HttpResponse | StreamingHttpResponse:
    if throttles.over_limit(request):
        return rate_limited(request)
    source, filterset_class = CSV_SOURCES[name]
    filterset = filterset_class(request.GET, queryset=source())
    if not filterset.is_valid():
        return HttpResponseBadRequest(filterset.errors.as_text(), content_type="text/plain")
    response = StreamingHttpResponse(
        _rows(datasets.DATASETS[name], filterset.qs), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="brukarkraft-{name}.csv"'
    return with_licence(public_cache(response))


@require_safe
def audits_csv(request: HttpRequest):
    return _download(request, "audits")


@require_safe
def findings_csv(request: HttpRequest):
    return _download(request, "findings")


@require_safe
def proposals_csv(request: HttpRequest):
    return _download(request, "proposals")
