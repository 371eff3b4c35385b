"""The audit list and one audit's page for everyone who may see it, and the centre's work
queue. The page's buttons are the workflow's steps the user may take (audits.workflow)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from brukarkraft.permissions import role_required

from .. import access, workflow
from ..forms.manage import AuditFilterForm
from ..models import Audit, Coordinator, Unit, count_of
from .helpers import AUDIT_ROLES, PAGE_SIZE, TEAM_ORDER, _flow_index, _quote_of

# --- The list -------------------------------------------------------------------


@role_required(*AUDIT_ROLES)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    # Meta.ordering does not apply to a grouped (annotated) query: order explicitly.
    audits = Audit.objects.visible_to(request.user).for_list().order_by("-created_at", "-pk")
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            audits = audits.filter(status=data["status"])
        if data["county"]:
            audits = audits.filter(county=data["county"])
        if data["service_area"]:
            # A subquery, so joining the units does not multiply the annotated counts.
            audits = audits.filter(
                pk__in=Audit.units.through.objects.filter(
                    unit__service_area=data["service_area"]
                ).values("audit_id")
            )
        if data["q"].strip():
            text = data["q"].strip()
            audits = audits.filter(
                Q(reference__icontains=text)
                | Q(title__icontains=text)
                | Q(organisation__name__icontains=text)
            )
    paginator = Paginator(audits, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "page_numbers": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "audits": page.object_list,
        "filter_form": form,
        "filtered": any(value for key, value in request.GET.items() if key != "page"),
    }
    return render(request, "audits/manage/list.html", context)


# --- One audit's page -------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One thing the user may do now: a link to a page, or a button that posts."""

    label: str
    url: str
    post: bool = False


def _actions(user, audit: Audit) -> list[Action]:
    """What this user may do with the audit in its present state, in the workflow's order."""
    return [
        Action(
            step.label_for(audit),
            reverse(step.url, args=[audit.pk, *step.url_args]),
            step.post,
        )
        for step in workflow.offered(user, audit)
    ]


def _progress(audit: Audit) -> list[dict]:
    current = _flow_index(audit.status)
    return [
        {
            "label": step.label,
            "done": index < current,
            "current": index == current,
        }
        for index, step in enumerate(Audit.FLOW)
    ]


@login_required
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    queryset = Audit.objects.for_detail().annotate(
        session_count=count_of("DataCollection"),
        finding_count=count_of("Finding"),
        proposal_count=count_of("Proposal"),
    )
    audit = access.visible_audit(request.user, pk, queryset)
    user = request.user
    if access.is_on_team(user, audit) and not access.has_undertaking(user):
        # Confidential material is behind this page: the auditor signs first.
        return redirect(
            f"{reverse('audits:undertaking')}?{urlencode({'next': request.get_full_path()})}"
        )
    events = audit.events.select_related("by")
    team = sorted(audit.members.all(), key=lambda m: (TEAM_ORDER.get(m.role, 9), str(m.user)))
    sees_invoicing = access.is_party_to(user, audit)
    context = {
        "audit": audit,
        "quote": _quote_of(audit),
        "progress": _progress(audit),
        "team": team,
        "events": [{"event": event, "label": event.get_action_display()} for event in events],
        "actions": _actions(user, audit),
        "sees_invoicing": sees_invoicing,
        "may_link_reaudit": access.is_staff(user),
    }
    return render(request, "audits/manage/detail.html", context)


# --- The centre's work queue ------------------------------------------------------


def _with_age(audits, today: date) -> list[Audit]:
    rows = list(audits)
    for audit in rows:
        since = audit.submitted_at or audit.created_at
        audit.age_days = (today - timezone.localdate(since)).days
    return rows


@login_required
def work_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    audits = Audit.objects.select_related("organisation", "county").prefetch_related(
        Prefetch("units", queryset=Unit.objects.select_related("municipality"))
    )
    coordinator_of: list[str] = []
    if not access.is_staff(user):
        coordinations = list(Coordinator.objects.filter(user=user).select_related("organisation"))
        if not coordinations:
            raise PermissionDenied
        coordinator_of = [c.organisation.name for c in coordinations]
    audits = audits.editable_by(user)
    today = timezone.localdate()
    context = {
        "requested": _with_age(audits.work_queue().order_by("submitted_at", "pk"), today),
        **{
            what: _with_age(audits.waiting(what).order_by("updated_at", "pk"), today)
            for what in ("to_plan", "to_approve", "to_follow_up", "to_close")
        },
        "coordinator_of": coordinator_of,
    }
    return render(request, "audits/manage/queue.html", context)
