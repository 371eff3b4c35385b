"""The public library: search, a resource's page, its earlier versions, the printable PDF
and attachments. Only Resource.objects.published() is reachable here; anything else is a
404 for everyone (staff read drafts in the editor's preview)."""

from __future__ import annotations

from pathlib import PurePath

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from .. import services
from ..forms.library import LibrarySearchForm
from ..models import Attachment, Resource, ResourceVersion

PAGE_SIZE = 20
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}


def _published(slug: str) -> Resource:
    """A resource anyone may read, with its current version; otherwise 404."""
    return get_object_or_404(Resource.objects.for_library(), slug=slug)


def _released_version(resource: Resource, number: int) -> ResourceVersion:
    """A version already out: the current one or an earlier one. A later number is
    approved but not yet published (scheduled), and stays hidden."""
    return get_object_or_404(
        resource.versions.filter(number__lte=resource.current_version.number), number=number
    )


@require_safe
def library(request: HttpRequest) -> HttpResponse:
    form = LibrarySearchForm(request.GET or None)
    resources = form.filter(Resource.objects.for_library()).defer(
        "body",
        "search_vector",
        "search_words",
        "current_version__body",
        "current_version__body_html",
    )
    found = services.search(resources, form.text)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    correction = None
    if form.text and not page.paginator.count:
        # Nothing matches what was typed: search again with the typos corrected, and
        # offer the corrected words as a search of their own ("did you mean").
        correction = services.search_correction(form.text)
        if correction:
            corrected = Paginator(services.search(resources, correction), PAGE_SIZE)
            if corrected.count:
                page = corrected.get_page(request.GET.get("page"))
            else:  # a correction that finds nothing either is no help
                correction = None
    context = {
        "form": form,
        "page": page,
        "correction": correction,
        "correction_url": _with_search(request, correction) if correction else "",
        "page_numbers": page.paginator.get_elided_page_range(page.number),
        "resources": page.object_list,
        "filtered": form.is_filtered,
    }
    return render(request, "resources/library/list.html", context)


def _with_search(request: HttpRequest, text: str) -> str:
    """This search's address with `text` instead of what was typed."""
    query = request.GET.copy()
    query["q"] = text
    query.pop("page", None)
    return f"{request.path}?{query.urlencode()}"


def _version_page(
    request: HttpRequest, resource: Resource, version: ResourceVersion
) -> HttpResponse:
    current = resource.current_version
    # Its source, the source's other versions and its own translations and variants.
    family = Q(source_id=resource.pk)
    if resource.source_id:
        family |= Q(pk=resource.source_id) | Q(source_id=resource.source_id)
    related = (
        Resource.objects.for_library()
        .filter(family)
        .exclude(pk=resource.pk)
        .only("slug", "language", "easy_to_read", "source_id", "current_version__title")
        .order_by("language", "easy_to_read", "current_version__title")
    )
    context = {
        "resource": resource,
        "version": version,
        "current": current,
        "is_current": version.pk == current.pk,
        "attachments": version.attachments.order_by("title"),
        "related": related,
        "other_versions": resource.versions.filter(number__lte=current.number)
        .exclude(pk=version.pk)
        .only("number", "published_at", "resource_id"),
    }
    return render(request, "resources/library/detail.html", context)


@require_safe
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _published(slug)
    return _version_page(request, resource, resource.current_version)


@require_safe
def version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    resource = _published(slug)
    if number == resource.current_version.number:
        return redirect(resource)
    return _version_page(request, resource, _released_version(resource, number))


@require_safe
def print_pdf(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The version's PDF, made by a worker after publication; until it is ready, a page
    says so (the request never waits for a rendering)."""
    resource = _published(slug)
    version = _released_version(resource, number)
    if not version.pdf:
        context = {"resource": resource, "version": version}
        return render(request, "resources/library/pdf_pending.html", context)
    if request.method == "GET":  # a link checker's HEAD is not a download
        services.count_download(version=version)
    return FileResponse(
        version.pdf.open("rb"),
        filename=f"{resource.slug}-v{version.number}.pdf",
        content_type="application/pdf",
    )


@require_safe
def attachment(request: HttpRequest, slug: str, attachment: int) -> FileResponse:
    resource = _published(slug)
    # Only a file that a released version offers: not one just added to the working copy.
    found = (
        Attachment.objects.filter(
            pk=attachment,
            resource=resource,
            versions__resource=resource,
            versions__number__lte=resource.current_version.number,
        )
        .only("file", "kind")
        .first()
    )
    if found is None:
        raise Http404
    if request.method == "GET":
        services.count_download(attachment=found)
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=PurePath(found.file.name).name,
        content_type=CONTENT_TYPES.get(found.kind, "application/octet-stream"),
    )
