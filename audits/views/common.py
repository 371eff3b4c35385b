"""The audit list and an audit's page for everyone who may see it, and the centre's pages:
the work queue, accepting orders, the quote, the team, the plain transitions, feedback and
coverage across the counties."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.http import post_only
from brukarkraft.models import County
from brukarkraft.permissions import role_required
from brukarkraft.roles import Role
from surveys.models import Survey

from .. import access, services
from ..forms.manage import (
    AcceptForm,
    AuditFilterForm,
    DeclineForm,
    FeedbackRecordForm,
    FeedbackScheduleForm,
    FollowUpStartForm,
    PerformerForm,
    PoolFilterForm,
    QuoteForm,
    SurveyLinkForm,
    TeamAddForm,
    TransitionForm,
    quote_initial,
)
from ..models import (
    Audit,
    AuditMember,
    AuditorProfile,
    Coordinator,
    Proposal,
    Quote,
    ServiceArea,
    Unit,
    count_of,
)

PAGE_SIZE = 25
# Everyone who works with audits; a person without a role has nothing to see here.
AUDIT_ROLES = (Role.COMMISSIONER, Role.AUDITOR, Role.STAFF, Role.ADMIN)

# The history's `action` codes (written by services.py) in words.
ACTION_LABELS = {
    "submitted": _("Order sent"),
    "accepted": _("Order accepted"),
    "declined": _("Order declined"),
    "cancelled": _("Audit cancelled"),
    "performer_set": _("Performing organisation chosen"),
    "quote_revised": _("Quote revised"),
    "quote_sent": _("Quote sent"),
    "quote_accepted": _("Quote accepted"),
    "agreement_uploaded": _("Signed agreement added"),
    "planning_started": _("Planning started"),
    "member_added": _("Added to the team"),
    "lead_named": _("Lead auditor named"),
    "member_removed": _("Removed from the team"),
    "survey_linked": _("Survey chosen"),
    "collecting_started": _("Data collection started"),
    "analysis_started": _("Analysis started"),
    "report_drafted": _("Report drafted"),
    "report_approved": _("Report approved"),
    "feedback_scheduled": _("Feedback meeting planned"),
    "feedback_held": _("Feedback meeting held"),
    "response_sent": _("Response sent"),
    "follow_up_started": _("Follow-up started"),
    "closed": _("Audit closed"),
    # The report bank (audits/bank/services.py).
    "publication_terms_saved": _("Publication terms saved"),
    "publication_consented": _("Consent to publishing given"),
    "report_published": _("Report published"),
    "report_withdrawn": _("Report withdrawn"),
}


# --- Helpers ------------------------------------------------------------------


def _managed_audit(request: HttpRequest, pk: int) -> Audit:
    """The audit if the user may see it (else 404) and manage it (else 403)."""
    audit = access.visible_audit(request.user, pk)
    access.require(access.can_manage(request.user, audit))
    return audit


def _staff_audit(request: HttpRequest, pk: int) -> Audit:
    """The audit for the centre's own staff: the services allow coordinators no more."""
    audit = access.visible_audit(request.user, pk)
    access.require(access.is_staff(request.user))
    return audit


def _add_error(form: Form, error: ValidationError) -> None:
    """Put a service's refusal on the form, on the field it names when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                form.add_error(field if field in form.fields else None, item.messages)
    else:
        form.add_error(None, error.messages)


def _quote_of(audit: Audit) -> Quote | None:
    try:
        return audit.quote
    except Quote.DoesNotExist:
        return None


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


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
    status = audit.status
    S = Audit.Status
    actions: list[Action] = []

    def add(label, name: str, *args, post: bool = False) -> None:
        actions.append(Action(str(label), reverse(f"audits:{name}", args=[audit.pk, *args]), post))

    manager = access.can_manage(user, audit)
    staff = access.is_staff(user)
    lead = access.is_lead(user, audit)
    on_team = access.is_on_team(user, audit)
    commissioner = access.is_commissioner_of(user, audit)
    quote = _quote_of(audit)

    if manager:
        if status == S.REQUESTED and audit.accepted_at is None and staff:
            add(_("Accept the order"), "accept")
        if status == S.REQUESTED and staff:
            add(_("Decline the order"), "decline")
        if status in {S.REQUESTED, S.QUOTED} and audit.accepted_at is not None:
            add(_("Write the quote") if quote is None else _("Change the quote"), "quote_edit")
        if status == S.REQUESTED and quote is not None:
            add(_("Send the quote"), "quote_send", post=True)
        if staff and status not in {S.CLOSED, S.CANCELLED, S.DRAFT}:
            add(_("Choose who performs the audit"), "performer")
        if status in services.TEAM_OPEN or status == S.REPORT_DRAFT:
            add(_("Put the team together"), "team")
        if not audit.report_is_frozen and status not in {S.CANCELLED, S.DRAFT}:
            add(_("Choose the survey"), "survey_link")
    for action, step in TRANSITIONS.items():
        if status == step.from_status and (manager or (lead and step.lead_may)):
            add(step.title, "transition", action)
    if manager:
        index = _flow_index(status)
        if Audit.FLOW.index(S.PLANNING) <= index < Audit.FLOW.index(S.FEEDBACK_HELD):
            add(_("Plan or record the feedback meeting"), "feedback")
        if status == S.RESPONSE_RECEIVED:
            add(_("Start the follow-up"), "follow_up_start")
    if commissioner:
        if status == S.QUOTED:
            add(_("Read and accept the quote"), "quote")
        if (
            quote is not None
            and quote.accepted_at is not None
            and not quote.signed_agreement
            and status != S.CANCELLED
        ):
            add(_("Add the signed agreement"), "agreement_upload")
        if status == S.FEEDBACK_HELD:
            add(_("Answer the proposals"), "response")
        if status == S.FOLLOW_UP:
            add(_("Report progress at the follow-up"), "follow_up")
        if audit.is_cancellable and status != S.DRAFT:
            add(_("Cancel the audit"), "cancel")
    if access.can_conduct(user, audit) and (manager or on_team):
        if status in {S.COLLECTING, S.ANALYSING}:
            add(_("Data-collection sessions"), "sessions")
        if status in Audit.CONDUCTING:
            add(_("Findings"), "findings")
            add(_("Improvement proposals"), "proposals")
            add(_("Summary"), "summary")
    if on_team and status in services.FEE_STATES:
        add(_("Log hours and travel"), "fees")
    if access.can_download_report(user, audit) and (
        status in services.REPORT_STATES or audit.report_is_frozen
    ):
        add(_("The report"), "report")
    return actions


def _flow_index(status: str) -> int:
    return Audit.FLOW.index(status) if status in Audit.FLOW else -1


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


TEAM_ORDER = {
    AuditMember.Role.LEAD: 0,
    AuditMember.Role.AUDITOR: 1,
    AuditMember.Role.RELATIVE: 2,
    AuditMember.Role.COORDINATOR: 3,
}


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
    sees_invoicing = access.can_manage(user, audit) or access.is_commissioner_of(user, audit)
    context = {
        "audit": audit,
        "quote": _quote_of(audit),
        "progress": _progress(audit),
        "team": team,
        "events": [
            {"event": event, "label": ACTION_LABELS.get(event.action, event.action)}
            for event in events
        ],
        "actions": _actions(user, audit),
        "sees_invoicing": sees_invoicing,
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
        audits = audits.filter(
            performing_organisation__in=[c.organisation_id for c in coordinations]
        )
        coordinator_of = [c.organisation.name for c in coordinations]
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


# --- The plain transitions -------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    service: str
    from_status: str
    title: str
    explanation: str
    button: str
    lead_may: bool = False
    takes_comment: bool = False


TRANSITIONS = {
    "start_planning": Step(
        "audit_start_planning",
        Audit.Status.AGREED,
        _("Start planning"),
        _(
            "The agreement is in place. Planning starts: put the team together, agree the"
            " instruments with the unit and plan the information meeting."
        ),
        _("Start planning"),
    ),
    "start_collecting": Step(
        "audit_start_collecting",
        Audit.Status.PLANNING,
        _("Start data collection"),
        _(
            "The team starts collecting data: questionnaires, interviews, focus groups or"
            " observation. The team needs at least two auditors, one of them the lead."
        ),
        _("Start data collection"),
    ),
    "start_analysis": Step(
        "audit_start_analysis",
        Audit.Status.COLLECTING,
        _("Start the analysis"),
        _(
            "Data collection is finished. The team writes findings and improvement proposals."
            " At least one session must be recorded."
        ),
        _("Start the analysis"),
        lead_may=True,
    ),
    "draft_report": Step(
        "audit_draft_report",
        Audit.Status.ANALYSING,
        _("Draft the report"),
        _(
            "The analysis is done and the report is drafted. Findings and proposals can still"
            " be changed until the report is approved."
        ),
        _("Draft the report"),
        lead_may=True,
    ),
    "approve_report": Step(
        "report_approve",
        Audit.Status.REPORT_DRAFT,
        _("Approve the report"),
        _(
            "The latest ready version of the report becomes the audit's report and can no"
            " longer be changed. The commissioner is told that it is ready."
        ),
        _("Approve the report"),
        takes_comment=True,
    ),
    "close": Step(
        "audit_close",
        Audit.Status.FOLLOW_UP,
        _("Close the audit"),
        _("The follow-up is done and the audit is closed. Nothing can be changed after this."),
        _("Close the audit"),
        takes_comment=True,
    ),
}


@login_required
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    step = TRANSITIONS.get(action)
    if step is None:
        raise Http404
    audit = access.visible_audit(request.user, pk)
    user = request.user
    access.require(
        access.can_manage(user, audit) or (step.lead_may and access.is_lead(user, audit))
    )
    form = TransitionForm(
        request.POST if request.method == "POST" else None, with_comment=step.takes_comment
    )
    if request.method == "POST" and form.is_valid():
        kwargs = {"audit": audit, "by": user}
        if step.takes_comment:
            kwargs["comment"] = form.cleaned_data["comment"]
        if action == "approve_report":
            kwargs["version"] = _int_or_none(request.POST.get("version"))
        try:
            getattr(services, step.service)(**kwargs)
        except ValidationError as error:
            _add_error(form, error)
        else:
            audit.refresh_from_db(fields=["status"])
            messages.success(
                request,
                gettext("Done. The audit is now: %(status)s.")
                % {"status": audit.get_status_display()},
            )
            return redirect(audit)
    context = {
        "audit": audit,
        "step": step,
        "action": action,
        "form": form,
        "possible": audit.status == step.from_status,
        # The approve page names the version it freezes (services.report_approve).
        "report_version": (
            audit.reports.order_by("-number").first() if action == "approve_report" else None
        ),
    }
    return render(request, "audits/manage/transition.html", context)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# --- Feedback and follow-up -----------------------------------------------------------


@login_required
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _managed_audit(request, pk)
    index = _flow_index(audit.status)
    can_schedule = 0 <= index < Audit.FLOW.index(Audit.Status.FEEDBACK_HELD)
    can_record = audit.status == Audit.Status.REPORT_APPROVED
    schedule_form = FeedbackScheduleForm(
        prefix="schedule",
        initial={"at": audit.feedback_meeting_at, "place": audit.feedback_meeting_place},
    )
    record_form = FeedbackRecordForm(prefix="record")
    if request.method == "POST" and "record-response_due" in request.POST:
        record_form = FeedbackRecordForm(request.POST, prefix="record")
        if record_form.is_valid():
            try:
                services.feedback_record(
                    audit=audit,
                    by=request.user,
                    response_due=record_form.cleaned_data["response_due"],
                    comment=record_form.cleaned_data["comment"],
                )
            except ValidationError as error:
                _add_error(record_form, error)
            else:
                messages.success(
                    request,
                    gettext("The feedback meeting is recorded. The commissioner now answers."),
                )
                return redirect(audit)
    elif request.method == "POST":
        schedule_form = FeedbackScheduleForm(request.POST, prefix="schedule")
        if schedule_form.is_valid():
            try:
                services.feedback_schedule(
                    audit=audit,
                    by=request.user,
                    at=schedule_form.cleaned_data["at"],
                    place=schedule_form.cleaned_data["place"],
                )
            except ValidationError as error:
                _add_error(schedule_form, error)
            else:
                messages.success(request, gettext("The feedback meeting is planned."))
                return redirect(audit)
    context = {
        "audit": audit,
        "schedule_form": schedule_form,
        "record_form": record_form,
        "form": record_form if record_form.errors else schedule_form,
        "can_schedule": can_schedule,
        "can_record": can_record,
        "held": index >= Audit.FLOW.index(Audit.Status.FEEDBACK_HELD),
    }
    return render(request, "audits/manage/feedback.html", context)


@login_required
def follow_up_start(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _managed_audit(request, pk)
    form = FollowUpStartForm(request.POST) if request.method == "POST" else FollowUpStartForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_start(
                audit=audit, by=request.user, follow_up_due=form.cleaned_data["follow_up_due"]
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(request, gettext("The follow-up has started."))
            return redirect(audit)
    context = {
        "audit": audit,
        "form": form,
        "possible": audit.status == Audit.Status.RESPONSE_RECEIVED,
    }
    return render(request, "audits/manage/follow_up_start.html", context)


# --- Coverage across the counties -------------------------------------------------------


@dataclass
class CoverageRow:
    name: str
    code: str
    active: int = 0
    closed: int = 0
    proposals: int = 0
    answered: int = 0
    accepted: int = 0
    implemented: int = 0


# The chart's geometry in SVG user units; the SVG scales to the width of the page.
CHART_LABEL_WIDTH = 230
CHART_BAR_WIDTH = 330
CHART_BAR_HEIGHT = 16
CHART_ROW_HEIGHT = 48
CHART_TOP = 10


def _chart(rows: list[CoverageRow]) -> dict:
    """Bar lengths and positions for the inline SVG: two labelled bars per county."""
    top = max([1, *(max(row.active, row.closed) for row in rows)])
    bars = []
    for index, row in enumerate(rows):
        y = CHART_TOP + index * CHART_ROW_HEIGHT
        active = round(row.active / top * CHART_BAR_WIDTH)
        closed = round(row.closed / top * CHART_BAR_WIDTH)
        bars.append(
            {
                "row": row,
                "label_y": y + CHART_BAR_HEIGHT,
                "active_y": y,
                "closed_y": y + CHART_BAR_HEIGHT + 4,
                "active_width": active,
                "closed_width": closed,
                "active_text_x": CHART_LABEL_WIDTH + active + 6,
                "closed_text_x": CHART_LABEL_WIDTH + closed + 6,
                "active_text_y": y + CHART_BAR_HEIGHT - 3,
                "closed_text_y": y + 2 * CHART_BAR_HEIGHT + 1,
            }
        )
    return {
        "bars": bars,
        "bar_x": CHART_LABEL_WIDTH,
        "label_x": CHART_LABEL_WIDTH - 8,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 110,
        "height": CHART_TOP * 2 + len(rows) * CHART_ROW_HEIGHT,
        "bar_height": CHART_BAR_HEIGHT,
    }


@role_required(Role.STAFF, Role.ADMIN)
def coverage(request: HttpRequest) -> HttpResponse:
    """Audits and proposals per county, every county listed: the goal is all 21."""
    S = Audit.Status
    audit_counts = {
        row["county"]: row
        for row in Audit.objects.exclude(status__in=[S.DRAFT, S.CANCELLED])
        .order_by()
        .values("county")
        .annotate(
            active=Count("pk", filter=~Q(status=S.CLOSED)),
            closed=Count("pk", filter=Q(status=S.CLOSED)),
        )
    }
    proposal_counts = {
        row["audit__county"]: row
        for row in Proposal.objects.exclude(audit__status__in=[S.DRAFT, S.CANCELLED])
        .order_by()
        .values("audit__county")
        .annotate(
            total=Count("pk"),
            answered=Count("pk", filter=~Q(response="")),
            accepted=Count(
                "pk",
                filter=Q(response__in=[Proposal.Response.ACCEPTED, Proposal.Response.PARTLY]),
            ),
            implemented=Count("pk", filter=Q(progress=Proposal.Progress.IMPLEMENTED)),
        )
    }

    def row_for(name: str, code: str, key) -> CoverageRow:
        audits = audit_counts.get(key, {})
        proposals = proposal_counts.get(key, {})
        return CoverageRow(
            name=name,
            code=code,
            active=audits.get("active", 0),
            closed=audits.get("closed", 0),
            proposals=proposals.get("total", 0),
            answered=proposals.get("answered", 0),
            accepted=proposals.get("accepted", 0),
            implemented=proposals.get("implemented", 0),
        )

    rows = [row_for(county.name, county.code, county.pk) for county in County.objects.all()]
    unplaced = row_for(gettext("County not given"), "", None)
    national = CoverageRow(name=gettext("Sweden"), code="")
    for row in [*rows, unplaced]:
        for field in ("active", "closed", "proposals", "answered", "accepted", "implemented"):
            setattr(national, field, getattr(national, field) + getattr(row, field))
    context = {
        "rows": rows,
        "unplaced": unplaced if unplaced.active or unplaced.closed or unplaced.proposals else None,
        "national": national,
        "counties_reached": sum(1 for row in rows if row.active or row.closed),
        "chart": _chart(rows),
    }
    return render(request, "audits/manage/coverage.html", context)
