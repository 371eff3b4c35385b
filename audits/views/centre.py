"""The centre's pages for taking an order on: accepting or declining it, the quote, who
performs the audit, the team (with the auditor pool) and the audit's survey."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.http import post_only
from surveys.models import Survey

from .. import services
from ..forms.manage import (
    AcceptForm,
    DeclineForm,
    PerformerForm,
    PoolFilterForm,
    QuoteForm,
    SurveyLinkForm,
    TeamAddForm,
    quote_initial,
)
from ..models import Audit, AuditorProfile, ServiceArea
from .helpers import TEAM_ORDER, _add_error, _managed_audit, _quote_of, _refused, _staff_audit

# --- Accepting and declining an order ---------------------------------------------


@login_required
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _staff_audit(request, pk)
    form = AcceptForm(request.POST) if request.method == "POST" else AcceptForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.audit_accept(
                audit=audit,
                by=request.user,
                performing_organisation=form.cleaned_data["performing_organisation"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(request, gettext("The order is accepted. Write the quote next."))
            return redirect(audit)
    return render(request, "audits/manage/accept.html", {"audit": audit, "form": form})


@login_required
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _staff_audit(request, pk)
    form = DeclineForm(request.POST) if request.method == "POST" else DeclineForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.audit_decline(audit=audit, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(
                request, gettext("The order is declined. The commissioner can see why.")
            )
            return redirect(audit)
    return render(request, "audits/manage/decline.html", {"audit": audit, "form": form})


# --- The quote ----------------------------------------------------------------------


@login_required
def quote_edit(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _managed_audit(request, pk)
    quote = _quote_of(audit)
    if quote is not None:
        initial = {name: getattr(quote, name) for name in services.QUOTE_FIELDS}
    else:
        initial = quote_initial(audit)
    if request.method == "POST":
        form = QuoteForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                services.quote_save(audit=audit, by=request.user, data=form.cleaned_data)
            except ValidationError as error:
                _add_error(form, error)
            else:
                messages.success(request, gettext("The quote is saved. Send it when it is ready."))
                return redirect(audit)
    else:
        form = QuoteForm(initial=initial)
    context = {"audit": audit, "quote": quote, "form": form}
    return render(request, "audits/manage/quote_edit.html", context)


@post_only("audits:detail", "pk")
@login_required
def quote_send(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _managed_audit(request, pk)
    try:
        services.quote_send(audit=audit, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, gettext("The quote is sent to the commissioner."))
    return redirect(audit)


# --- Who performs it, the team and the survey ----------------------------------------


@login_required
def performer(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _staff_audit(request, pk)
    if request.method == "POST":
        form = PerformerForm(request.POST)
        if form.is_valid():
            try:
                services.audit_set_performer(
                    audit=audit, by=request.user, organisation=form.cleaned_data["organisation"]
                )
            except ValidationError as error:
                _add_error(form, error)
            else:
                messages.success(request, gettext("The performing organisation is saved."))
                return redirect(audit)
    else:
        form = PerformerForm(initial={"organisation": audit.performing_organisation_id})
    return render(request, "audits/manage/performer.html", {"audit": audit, "form": form})


@dataclass
class PoolRow:
    profile: AuditorProfile
    areas: list[str]
    reason: str


def _pool(audit: Audit, form: PoolFilterForm, member_ids: set[int]) -> list[PoolRow]:
    """The filtered pool with, for each auditor, why they cannot be added (or "")."""
    profiles = AuditorProfile.objects.pool()
    area = ""
    if form.is_valid():
        data = form.cleaned_data
        if data["county"]:
            profiles = profiles.filter(county=data["county"])
        if data["training"] != PoolFilterForm.ANY:
            profiles = profiles.filter(training=AuditorProfile.Training.TRAINED).filter(
                Q(trained_until__isnull=True) | Q(trained_until__gte=timezone.localdate())
            )
        if data["available"]:
            profiles = profiles.filter(available=True)
        area = data["area"]
    conflicts = services.conflicts_of(audit)
    labels = dict(ServiceArea.choices)
    rows = []
    for profile in profiles:
        areas = profile.experience_areas if isinstance(profile.experience_areas, list) else []
        # A JSON list is filtered here: a "contains" lookup on JSON differs between databases.
        if area and area not in areas:
            continue
        if profile.user_id in conflicts:
            reason = gettext("Conflict of interest: %(reason)s") % {
                "reason": conflicts[profile.user_id]
            }
        elif profile.user_id in member_ids:
            reason = gettext("Already on the team")
        elif not profile.is_trained:
            reason = gettext("No valid training")
        else:
            reason = ""
        rows.append(PoolRow(profile, [str(labels.get(a, a)) for a in areas], reason))
    return rows


@login_required
def team(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _managed_audit(request, pk)
    if request.method == "POST":
        add = TeamAddForm(request.POST)
        if not add.is_valid():
            messages.error(request, gettext("Choose an auditor from the pool."))
        else:
            try:
                member = services.team_add(
                    audit=audit,
                    by=request.user,
                    user=add.cleaned_data["user"],
                    role=add.cleaned_data["role"],
                )
            except ValidationError as error:
                _refused(request, error)
            else:
                messages.success(
                    request,
                    gettext("%(name)s is on the team as %(role)s.")
                    % {"name": member.user.full_name, "role": member.get_role_display().lower()},
                )
        url = reverse("audits:team", args=[audit.pk])
        # Back to the same filtered pool, so the next auditor can be added from it.
        return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
    data = request.GET.copy()
    data.setdefault("training", PoolFilterForm.TRAINED)
    pool_form = PoolFilterForm(data)
    members = sorted(audit.members.all(), key=lambda m: (TEAM_ORDER.get(m.role, 9), str(m.user)))
    context = {
        "audit": audit,
        "members": members,
        "pool_form": pool_form,
        "pool": _pool(audit, pool_form, {m.user_id for m in members}),
        "team_open": audit.status in services.TEAM_OPEN,
        "lead_open": audit.status in services.TEAM_OPEN | {Audit.Status.REPORT_DRAFT},
        "min_team": services.MIN_TEAM,
        "max_team": services.MAX_TEAM,
        "query": request.GET.urlencode(),
    }
    return render(request, "audits/manage/team.html", context)


@post_only("audits:team", "pk")
@login_required
def team_lead(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    audit = _managed_audit(request, pk)
    chosen = get_object_or_404(audit.members.select_related("user"), pk=member)
    try:
        services.team_set_lead(audit=audit, by=request.user, member=chosen)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request, gettext("%(name)s leads the team.") % {"name": chosen.user.full_name}
        )
    return redirect("audits:team", pk=audit.pk)


@post_only("audits:team", "pk")
@login_required
def team_remove(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    audit = _managed_audit(request, pk)
    chosen = get_object_or_404(audit.members.select_related("user"), pk=member)
    try:
        services.team_remove(audit=audit, by=request.user, member=chosen)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            gettext("%(name)s is no longer on the team.") % {"name": chosen.user.full_name},
        )
    return redirect("audits:team", pk=audit.pk)


@login_required
def survey_link(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _managed_audit(request, pk)
    surveys = Survey.objects.visible_to(request.user).order_by("-created_at", "-pk")
    if request.method == "POST":
        form = SurveyLinkForm(request.POST, surveys=surveys)
        if form.is_valid():
            try:
                services.audit_link_survey(
                    audit=audit, by=request.user, survey=form.cleaned_data["survey"]
                )
            except ValidationError as error:
                _add_error(form, error)
            else:
                messages.success(request, gettext("The audit's survey is saved."))
                return redirect(audit)
    else:
        form = SurveyLinkForm(surveys=surveys, initial={"survey": audit.survey_id})
    return render(request, "audits/manage/survey_link.html", {"audit": audit, "form": form})
