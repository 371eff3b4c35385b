"""The resource centre's editor: the dashboard, writing and editing the working copy with
its attachments, sending it for review, a second person's review, archiving, translations.
Staff and admins only; every change goes through resources.services."""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from brukarkraft.http import post_only
from brukarkraft.storage import refuses_upload_on_outage

from .. import services
from ..access import can_review, staff_required
from ..forms.editor import AttachmentForm, ConfirmForm, ResourceForm, ReviewForm, TranslateForm
from ..markup import render_markdown
from ..models import LANGUAGES, Resource

# The dashboard's lists of finished work show the latest ones only.
RECENT = 20


# --- Helpers ------------------------------------------------------------------


def _resource(pk: int) -> Resource:
    queryset = Resource.objects.select_related(
        "author", "submitted_by", "source", "current_version"
    )
    return get_object_or_404(queryset, pk=pk)


def _add_error(form: Form, error: ValidationError) -> None:
    """Put a service's refusal on the form, on the field it names when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                form.add_error(field if field in form.fields else None, item.messages)
    else:
        form.add_error(None, error.messages)


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _is_stale(resource: Resource) -> bool:
    source = resource.source
    if source is None or source.current_version_id is None:
        return False
    return resource.source_version is None or resource.source_version < (
        source.current_version.number
    )


# --- The dashboard ----------------------------------------------------------------


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    resources = Resource.objects.select_related("author", "submitted_by", "current_version")
    S = Resource.Status
    in_review = list(resources.filter(status=S.IN_REVIEW).order_by("submitted_at", "pk"))
    for resource in in_review:
        resource.may_review = can_review(user, resource)
    context = {
        "drafts": resources.filter(status=S.DRAFT, author=user).order_by("-updated_at", "pk"),
        "in_review": in_review,
        # Approval set publish_at aside: the waiting version carries the date.
        "scheduled": resources.filter(status=S.SCHEDULED)
        .annotate(scheduled_for=Max("versions__published_at"))
        .order_by("scheduled_for", "pk"),
        # A published resource whose working copy is being edited is still public.
        "published": resources.published().order_by("-current_version__published_at", "pk")[
            :RECENT
        ],
        "archived": resources.filter(status=S.ARCHIVED).order_by("-updated_at", "pk")[:RECENT],
        "stale": services.stale_translations().order_by("title", "pk"),
        "languages": dict(LANGUAGES),
    }
    return render(request, "resources/editor/dashboard.html", context)


# --- Writing ------------------------------------------------------------------------


@staff_required
def create(request: HttpRequest) -> HttpResponse:
    form = ResourceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_create(
                by=request.user, data=form.data_for_service(), slug=form.cleaned_data["slug"]
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(
                request, gettext("The draft is saved. Add attachments or send it for review.")
            )
            return redirect("resources:edit", pk=resource.pk)
    return render(request, "resources/editor/create.html", {"form": form})


def _edit_page(
    request: HttpRequest,
    resource: Resource,
    form: ResourceForm | None = None,
    attachment_form: AttachmentForm | None = None,
) -> HttpResponse:
    if form is None:
        form = ResourceForm(resource=resource, initial=ResourceForm.initial_for(resource))
    S = Resource.Status
    reviews = list(resource.reviews.select_related("reviewer"))
    latest = reviews[0] if reviews else None
    context = {
        "resource": resource,
        "form": form,
        "attachment_form": attachment_form or AttachmentForm(prefix="attachment"),
        "attachments": resource.attachments.prefetch_related("versions"),
        "reviews": reviews,
        "changes_requested": latest
        if resource.status == S.DRAFT and latest and latest.decision == "changes"
        else None,
        "archived": resource.status == S.ARCHIVED,
        "may_submit": resource.status == S.DRAFT,
        "may_review": can_review(request.user, resource),
        "may_translate": resource.status != S.ARCHIVED,
        "stale": _is_stale(resource),
        "scheduled_version": resource.versions.order_by("-number").first()
        if resource.status == S.SCHEDULED
        else None,
        "waits_for_source": resource.status == S.SCHEDULED
        and resource.source is not None
        and not resource.source.is_public,
    }
    return render(request, "resources/editor/edit.html", context)


@staff_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(pk)
    if request.method != "POST":
        return _edit_page(request, resource)
    form = ResourceForm(request.POST, resource=resource, initial=ResourceForm.initial_for(resource))
    if form.is_valid():
        was_public = resource.is_public
        try:
            services.resource_update(
                resource=resource, by=request.user, data=form.data_for_service()
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            if was_public:
                messages.success(
                    request,
                    gettext(
                        "Your changes are saved as a draft. The library shows the published "
                        "version until a colleague approves the new one."
                    ),
                )
            else:
                messages.success(request, gettext("Your changes are saved."))
            return redirect("resources:edit", pk=resource.pk)
    return _edit_page(request, resource, form=form)


@staff_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(pk)
    context = {
        "resource": resource,
        "body_html": render_markdown(resource.body),
        "attachments": resource.attachments.all(),
    }
    return render(request, "resources/editor/preview.html", context)


# --- Attachments ----------------------------------------------------------------------


@post_only("resources:edit", "pk")
@staff_required
@refuses_upload_on_outage
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(pk)
    form = AttachmentForm(request.POST, request.FILES, prefix="attachment")
    if form.is_valid():
        try:
            attachment = services.attachment_add(
                resource=resource,
                by=request.user,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            # The upload's checks name no field: the refusal belongs to the file.
            if hasattr(error, "error_dict"):
                _add_error(form, error)
            else:
                form.add_error("file", error.messages)
        else:
            messages.success(
                request, gettext("“%(title)s” is attached.") % {"title": attachment.title}
            )
            return redirect("resources:edit", pk=resource.pk)
    return _edit_page(request, resource, attachment_form=form)


@post_only("resources:edit", "pk")
@staff_required
def attachment_remove(request: HttpRequest, pk: int, attachment: int) -> HttpResponse:
    resource = _resource(pk)
    chosen = get_object_or_404(resource.attachments, pk=attachment)
    try:
        services.attachment_remove(attachment=chosen, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, gettext("“%(title)s” is removed.") % {"title": chosen.title})
    return redirect("resources:edit", pk=resource.pk)


# --- Review -------------------------------------------------------------------------


@post_only("resources:edit", "pk")
@staff_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(pk)
    try:
        services.resource_submit(resource=resource, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request, gettext("The resource is sent for review. A colleague must approve it.")
        )
    return redirect("resources:edit", pk=resource.pk)


def _diff(old: str, new: str) -> list[dict]:
    """The body's lines, each marked added, removed or unchanged."""
    marks = {"+ ": "added", "- ": "removed", "  ": "same"}
    lines = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        change = marks.get(line[:2])
        if change is not None:  # "? " lines are ndiff's hints within a line
            lines.append({"change": change, "text": line[2:]})
    return lines


@staff_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(pk)
    if resource.status != Resource.Status.IN_REVIEW:
        messages.info(request, gettext("This resource is not waiting for review."))
        return redirect("resources:edit", pk=resource.pk)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            services.resource_review(
                resource=resource,
                by=request.user,
                decision=decision,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            resource.refresh_from_db()
            if decision != "approved":
                text = gettext(
                    "The resource is back with its author as a draft, with your comment."
                )
            elif resource.status == Resource.Status.SCHEDULED:
                text = gettext("Approved. The new version is published at the scheduled time.")
            else:
                text = gettext("Approved and published.")
            messages.success(request, text)
            return redirect("resources:editor")
    version = resource.current_version
    context = {
        "resource": resource,
        "form": form,
        "own_work": request.user.pk in {resource.author_id, resource.submitted_by_id},
        "body_html": render_markdown(resource.body),
        "attachments": resource.attachments.all(),
        "published": version,
        "diff": _diff(version.body, resource.body) if version else None,
        "title_changed": version is not None and version.title != resource.title,
        "summary_changed": version is not None and version.summary != resource.summary,
    }
    return render(request, "resources/editor/review.html", context)


# --- Archiving and translations ------------------------------------------------------


@staff_required
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_archive(resource=resource, by=request.user)
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(
                request, gettext("The resource is archived: the library no longer shows it.")
            )
            return redirect("resources:edit", pk=resource.pk)
    return render(request, "resources/editor/archive.html", {"resource": resource, "form": form})


@staff_required
def translate(request: HttpRequest, pk: int) -> HttpResponse:
    source = _resource(pk)
    other = next(code for code, _name in LANGUAGES if code != source.language)
    form = TranslateForm(
        request.POST if request.method == "POST" else None, initial={"language": other}
    )
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_translate(
                source=source,
                by=request.user,
                language=form.cleaned_data["language"],
                easy_to_read=form.cleaned_data["easy_to_read"],
                slug=form.cleaned_data["slug"],
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(
                request, gettext("The new version is a draft with the source's text: edit it.")
            )
            return redirect("resources:edit", pk=resource.pk)
    return render(request, "resources/editor/translate.html", {"resource": source, "form": form})


@post_only("resources:edit", "pk")
@staff_required
def mark_current(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(pk)
    try:
        services.translation_mark_current(resource=resource, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            gettext("“%(title)s” now follows the source's current version.")
            % {"title": resource.title},
        )
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("resources:edit", pk=resource.pk)
