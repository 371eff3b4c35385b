"""A person's data for staff (find, see what is held, export as JSON, erase) and for the
person themselves (their own JSON). The work is in brukarkraft.privacy."""

from __future__ import annotations

import logging

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from ..models import PersonErasure
from ..permissions import role_required
from ..privacy import (
    Person,
    describe_counts,
    erase_person,
    export_json,
    find_people,
    holdings,
    person_from_token,
)
from ..roles import Role

logger = logging.getLogger(__name__)


class PersonSearchForm(forms.Form):
    # A filter's fields are all optional: marking each so is noise (bootstrap5/field.html).
    optional_marks = False

    q = forms.CharField(
        label=_("E-mail address or name"),
        max_length=200,
        help_text=_(
            "An e-mail address finds that exact address, in any capitals. A name finds every"
            " name that contains it."
        ),
        error_messages={"required": _("Write an e-mail address or a name to search for.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the erasure"),
        max_length=500,
        help_text=_(
            "For example: the person's request of 3 March, received by e-mail. Do not write"
            " the person's name or address here: this note is kept."
        ),
        error_messages={"required": _("Write why the data is erased.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the erasure cannot be undone."),
        error_messages={"required": _("Tick the box to confirm that you understand.")},
    )


def _person_or_404(token: str) -> Person:
    person = person_from_token(token)
    if person is None:
        raise Http404
    return person


def _json_response(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@role_required(Role.STAFF, Role.ADMIN)
@require_GET
def person_search(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET if "q" in request.GET else None)
    results = find_people(form.cleaned_data["q"]) if form.is_valid() else None
    return render(request, "brukarkraft/people_search.html", {"form": form, "results": results})


@role_required(Role.STAFF, Role.ADMIN)
@require_GET
def person_detail(request: HttpRequest, token: str) -> HttpResponse:
    person = _person_or_404(token)
    context = {
        "person": person,
        "token": token,
        "holdings": holdings(person),
        "erasures": PersonErasure.objects.filter(user=person.user).select_related("performed_by")
        if person.user
        else [],
    }
    return render(request, "brukarkraft/people_detail.html", context)


@role_required(Role.STAFF, Role.ADMIN)
@require_GET
def person_export(request: HttpRequest, token: str) -> HttpResponse:
    person = _person_or_404(token)
    content = export_json(person)
    # Who exported whose data is worth knowing later; the log holds ids only.
    logger.info(
        "Personal data exported by user %s (account %s)",
        request.user.pk,
        person.user.pk if person.user else "none",
    )
    return _json_response(content, f"personal-data-{timezone.localdate():%Y-%m-%d}.json")


@role_required(Role.STAFF, Role.ADMIN)
def person_erase(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "GET" and "done" in request.GET:
        return _receipt(request, request.GET["done"])
    person = person_from_token(token)
    if person is None:
        if request.method == "POST":
            # Sent twice, or the data went since the page was opened: nothing is left here.
            return render(request, "brukarkraft/people_erased.html", {"erasure": None})
        raise Http404
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and person.user is not None and person.user.pk == request.user.pk:
        # Erasing oneself would log out the one who does it halfway: a colleague does it.
        form.add_error(None, gettext("You cannot erase your own data. Ask a colleague to do it."))
    if request.method == "POST" and form.is_valid():
        summary = erase_person(person, by=request.user, reason=form.cleaned_data["reason"])
        if summary.record is None:
            return render(request, "brukarkraft/people_erased.html", {"erasure": None})
        url = reverse("person_erase", args=[token]) + f"?done={summary.record.pk}"
        if summary.nothing_left:
            url += "&again=1"
        return redirect(url)
    context = {"person": person, "token": token, "form": form, "holdings": holdings(person)}
    return render(request, "brukarkraft/people_erase.html", context)


def _receipt(request: HttpRequest, pk: str) -> HttpResponse:
    if not pk.isdigit():
        raise Http404
    erasure = PersonErasure.objects.select_related("performed_by").filter(pk=pk).first()
    if erasure is None:
        raise Http404
    sections = [
        {"holding": holding, "changed": erasure.changed.get(holding.key, 0)}
        for holding in describe_counts(erasure.held)
    ]
    context = {"erasure": erasure, "again": "again" in request.GET, "sections": sections}
    return render(request, "brukarkraft/people_erased.html", context)


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    """The logged-in person's own data, as the staff would export it for them."""
    content = export_json(Person.for_user(request.user), for_self=True)
    return _json_response(content, f"my-data-{timezone.localdate():%Y-%m-%d}.json")
