"""Method guidance (metodhandledning): the booking form for anyone, and the staff's queue."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext

from brukarkraft.models import Organisation

from .. import services
from ..access import staff_required
from ..forms.guidance import GuidanceAnswerForm, GuidanceRequestForm
from ..models import GuidanceRequest

# Closed requests are history: the queue shows the latest ones only.
CLOSED_SHOWN = 50


def _add_error(form, error: ValidationError) -> None:
    """Put a service's refusal on the form, on the field it names when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                form.add_error(field if field in form.fields else None, item.messages)
    else:
        form.add_error(None, error.messages)


def guidance(request: HttpRequest) -> HttpResponse:
    user = request.user
    organisations = (
        list(Organisation.objects.filter(memberships__user=user).order_by("name"))
        if user.is_authenticated
        else []
    )
    if request.method == "POST":
        form = GuidanceRequestForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            # Link the request to the user's organisation when they name one of theirs.
            named = data["organisation_name"].strip().casefold()
            data["organisation"] = next(
                (org for org in organisations if org.name.casefold() == named), None
            )
            try:
                services.guidance_request_create(data=data, by=user)
            except ValidationError as error:
                _add_error(form, error)
            else:
                return redirect("resources:guidance_thanks")
    else:
        initial = {}
        if user.is_authenticated:
            initial = {"name": user.full_name, "email": user.email}
            if organisations:
                initial["organisation_name"] = organisations[0].name
        form = GuidanceRequestForm(initial=initial)
    return render(request, "resources/guidance/form.html", {"form": form})


def guidance_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "resources/guidance/thanks.html")


@staff_required
def guidance_queue(request: HttpRequest) -> HttpResponse:
    requests = GuidanceRequest.objects.select_related("handled_by")
    S = GuidanceRequest.Status
    context = {
        # New ones oldest first: the longest wait is answered first.
        "new": list(requests.filter(status=S.NEW).order_by("created_at", "pk")),
        "answered": list(requests.filter(status=S.ANSWERED).order_by("-answered_at", "-pk")),
        "closed": list(
            requests.filter(status=S.CLOSED).order_by("-created_at", "-pk")[:CLOSED_SHOWN]
        ),
        "closed_shown": CLOSED_SHOWN,
    }
    return render(request, "resources/guidance/queue.html", context)


@staff_required
def guidance_handle(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        GuidanceRequest.objects.select_related("handled_by", "organisation", "requested_by"),
        pk=pk,
    )
    form = GuidanceAnswerForm(initial={"answer": item.answer})
    if request.method == "POST" and "close" in request.POST:
        try:
            services.guidance_close(request=item, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, gettext("The request is closed."))
            return redirect("resources:guidance_queue")
    elif request.method == "POST":
        form = GuidanceAnswerForm(request.POST)
        if form.is_valid():
            try:
                services.guidance_answer(
                    request=item, by=request.user, answer=form.cleaned_data["answer"]
                )
            except ValidationError as error:
                _add_error(form, error)
            else:
                messages.success(
                    request,
                    gettext("The answer is saved and sent to %(email)s.") % {"email": item.email},
                )
                return redirect("resources:guidance_handle", pk=item.pk)
    context = {"item": item, "form": form, "open": item.status != GuidanceRequest.Status.CLOSED}
    return render(request, "resources/guidance/handle.html", context)
