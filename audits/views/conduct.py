"""The audit team's pages: the undertaking, the auditor's own details, and conducting an
audit (sessions, findings, proposals, summary, fees)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.http import post_only
from brukarkraft.permissions import role_required
from brukarkraft.roles import Role

from .. import access, services
from ..forms.conduct import (
    AuditorProfileForm,
    ConflictForm,
    FeeForm,
    FindingEditForm,
    FindingForm,
    ProposalEditForm,
    ProposalForm,
    SessionForm,
    SummaryForm,
    UndertakingForm,
)
from ..models import (
    Audit,
    AuditMember,
    AuditorProfile,
    ConfidentialityUndertaking,
    DataCollection,
    FeeEntry,
    Finding,
    Theme,
)

# Mirrors services.session_record: sessions are recorded while data is collected and analysed.
SESSION_STATES = {Audit.Status.COLLECTING, Audit.Status.ANALYSING}


# --- Helpers ------------------------------------------------------------------


def _undertaking_gate(
    request: HttpRequest, audit: Audit, back: str | None = None
) -> HttpResponse | None:
    """Send a team member who has not accepted the undertaking to it, and back here after."""
    user = request.user
    if (
        access.is_on_team(user, audit)
        and not access.can_manage(user, audit)
        and not access.has_undertaking(user)
    ):
        query = urlencode({"next": back or request.get_full_path()})
        return redirect(f"{reverse('audits:undertaking')}?{query}")
    return None


def _add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's errors on the form: on the field they name if the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


# --- The auditor's own pages ----------------------------------------------------


@login_required
def undertaking(request: HttpRequest) -> HttpResponse:
    # Relatives and coordinators on a team sign it too, without being user auditors.
    if not (
        request.user.has_role(Role.AUDITOR)
        or AuditMember.objects.filter(user=request.user).exists()
    ):
        raise PermissionDenied
    accepted = ConfidentialityUndertaking.objects.filter(
        user=request.user, version=ConfidentialityUndertaking.CURRENT_VERSION
    ).first()
    form = UndertakingForm()
    if request.method == "POST":
        form = UndertakingForm(request.POST)
        if form.is_valid():
            services.undertaking_accept(user=request.user)
            messages.success(
                request, gettext("Thank you. You have accepted the confidentiality undertaking.")
            )
            return redirect(_safe_next(request) or "start")
    context = {"form": form, "accepted": accepted, "next": _safe_next(request)}
    return render(request, "audits/conduct/undertaking.html", context)


@role_required(Role.AUDITOR)
def auditor_profile(request: HttpRequest) -> HttpResponse:
    profile = (
        AuditorProfile.objects.select_related("county", "user_organisation")
        .filter(user=request.user)
        .first()
    ) or AuditorProfile(user=request.user)
    form = AuditorProfileForm(instance=profile)
    if request.method == "POST":
        form = AuditorProfileForm(request.POST, instance=profile)
        if form.is_valid():
            # The auditor's own row and nothing else: no service needed for a plain save.
            form.save()
            messages.success(request, gettext("Your details are saved."))
            return redirect("audits:auditor_profile")
    return render(request, "audits/conduct/profile.html", {"form": form, "profile": profile})


@role_required(Role.AUDITOR)
def conflicts(request: HttpRequest) -> HttpResponse:
    form = ConflictForm()
    if request.method == "POST":
        form = ConflictForm(request.POST)
        if form.is_valid():
            try:
                services.conflict_declare(
                    auditor=request.user, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, gettext("The conflict of interest is recorded."))
                return redirect("audits:conflicts")
    declared = request.user.audit_conflicts.select_related(
        "unit__municipality", "unit__organisation", "organisation"
    )
    return render(request, "audits/conduct/conflicts.html", {"form": form, "declared": declared})


# --- Sessions -----------------------------------------------------------------


@login_required
def sessions(request: HttpRequest, pk: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    if gate := _undertaking_gate(request, audit):
        return gate
    # Raw collection notes stay with the team; the unit's commissioner never reads them.
    access.require(access.works_on(request.user, audit))
    can_write = access.can_conduct(request.user, audit)
    form = SessionForm()
    if request.method == "POST":
        access.require(can_write)
        form = SessionForm(request.POST)
        if form.is_valid():
            try:
                services.session_record(audit=audit, by=request.user, data=form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, gettext("The session is recorded."))
                return redirect("audits:sessions", pk=audit.pk)
    rows = audit.sessions.select_related("recorded_by")
    labels = dict(DataCollection.Kind.choices)
    per_kind = [
        {**row, "kind": labels.get(row["kind"], row["kind"])}
        for row in audit.sessions.order_by()
        .values("kind")
        .annotate(count=Count("pk"), informants_sum=Sum("informants"))
        .order_by("kind")
    ]
    context = {
        "audit": audit,
        "rows": rows,
        "per_kind": per_kind,
        "total_sessions": sum(row["count"] for row in per_kind),
        "total_informants": sum(row["informants_sum"] or 0 for row in per_kind),
        "form": form,
        "can_write": can_write and audit.status in SESSION_STATES,
    }
    return render(request, "audits/conduct/sessions.html", context)


# --- Findings -----------------------------------------------------------------


def _findings_by_theme(audit: Audit) -> list[tuple[str, list[Finding]]]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in audit.findings.select_related("updated_by").order_by("number"):
        grouped[finding.theme].append(finding)
    return [(label, grouped[value]) for value, label in Theme.choices if grouped[value]]


@login_required
def findings(request: HttpRequest, pk: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    if gate := _undertaking_gate(request, audit):
        return gate
    access.require(access.can_read_results(request.user, audit))
    can_write = access.can_conduct(request.user, audit)
    form = FindingForm()
    if request.method == "POST":
        access.require(can_write)
        form = FindingForm(request.POST)
        if form.is_valid():
            try:
                finding = services.finding_create(
                    audit=audit, by=request.user, data=form.cleaned_data
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request, gettext("Finding %(number)s is saved.") % {"number": finding.number}
                )
                return redirect("audits:findings", pk=audit.pk)
    context = {
        "audit": audit,
        "themes": _findings_by_theme(audit),
        "form": form,
        "can_write": can_write and audit.is_conducting,
    }
    return render(request, "audits/conduct/findings.html", context)


@login_required
def finding_edit(request: HttpRequest, pk: int, finding: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    if gate := _undertaking_gate(request, audit):
        return gate
    access.require(access.can_conduct(request.user, audit))
    finding = get_object_or_404(audit.findings.select_related("updated_by"), pk=finding)
    if request.method != "POST" and not audit.is_conducting:
        messages.error(
            request,
            gettext("Findings and proposals can be written only before the report is approved."),
        )
        return redirect("audits:findings", pk=audit.pk)
    form = FindingEditForm(instance=finding, initial={"version": finding.version})
    theirs = None
    if request.method == "POST":
        form = FindingEditForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.finding_update(
                    finding=finding,
                    by=request.user,
                    version=form.cleaned_data["version"],
                    data=data,
                )
            except services.StaleEdit as error:
                # Keep the user's own text, show the other person's beside it, and let a
                # deliberate second save win by starting from the version now stored.
                theirs = Finding.objects.select_related("updated_by").get(pk=finding.pk)
                form = _restarted(FindingEditForm, request, theirs.version)
                form.add_error(None, error)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, gettext("The finding is saved."))
                return redirect(
                    f"{reverse('audits:findings', args=[audit.pk])}#finding-{finding.pk}"
                )
    context = {"audit": audit, "finding": finding, "form": form, "theirs": theirs}
    return render(request, "audits/conduct/finding_edit.html", context)


def _restarted(form_class, request: HttpRequest, version: int, **kwargs) -> forms.BaseForm:
    """The submitted form again, with its hidden version moved on to `version`."""
    data = request.POST.copy()
    data["version"] = str(version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


@login_required
def finding_delete(request: HttpRequest, pk: int, finding: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    if gate := _undertaking_gate(request, audit):
        return gate
    access.require(access.can_conduct(request.user, audit))
    finding = get_object_or_404(audit.findings, pk=finding)
    if request.method == "POST":
        try:
            services.finding_delete(finding=finding, by=request.user)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(
                request, gettext("Finding %(number)s is deleted.") % {"number": finding.number}
            )
        return redirect("audits:findings", pk=audit.pk)
    return render(
        request, "audits/conduct/finding_delete.html", {"audit": audit, "finding": finding}
    )


# --- Proposals ----------------------------------------------------------------


@login_required
def proposals(request: HttpRequest, pk: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    if gate := _undertaking_gate(request, audit):
        return gate
    access.require(access.can_read_results(request.user, audit))
    can_write = access.can_conduct(request.user, audit)
    form = ProposalForm(audit=audit)
    if request.method == "POST":
        access.require(can_write)
        form = ProposalForm(request.POST, audit=audit)
        if form.is_valid():
            try:
                proposal = services.proposal_create(
                    audit=audit,
                    by=request.user,
                    text=form.cleaned_data["text"],
                    findings=form.cleaned_data["findings"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request, gettext("Proposal %(number)s is saved.") % {"number": proposal.number}
                )
                return redirect("audits:proposals", pk=audit.pk)
    rows = audit.proposals.prefetch_related("findings").order_by("number")
    context = {
        "audit": audit,
        "rows": rows,
        "form": form,
        "can_write": can_write and audit.is_conducting,
    }
    return render(request, "audits/conduct/proposals.html", context)


@login_required
def proposal_edit(request: HttpRequest, pk: int, proposal: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    if gate := _undertaking_gate(request, audit):
        return gate
    access.require(access.can_conduct(request.user, audit))
    proposal = get_object_or_404(audit.proposals.prefetch_related("findings"), pk=proposal)
    if request.method != "POST" and not audit.is_conducting:
        messages.error(
            request,
            gettext("Findings and proposals can be written only before the report is approved."),
        )
        return redirect("audits:proposals", pk=audit.pk)
    form = ProposalEditForm(
        audit=audit,
        initial={
            "text": proposal.text,
            "findings": list(proposal.findings.all()),
            "version": proposal.version,
        },
    )
    theirs = None
    if request.method == "POST":
        form = ProposalEditForm(request.POST, audit=audit)
        if form.is_valid():
            try:
                services.proposal_update(
                    proposal=proposal,
                    by=request.user,
                    version=form.cleaned_data["version"],
                    text=form.cleaned_data["text"],
                    findings=form.cleaned_data["findings"],
                )
            except services.StaleEdit as error:
                theirs = (
                    audit.proposals.select_related("updated_by")
                    .prefetch_related("findings")
                    .get(pk=proposal.pk)
                )
                form = _restarted(ProposalEditForm, request, theirs.version, audit=audit)
                form.add_error(None, error)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, gettext("The proposal is saved."))
                return redirect(
                    f"{reverse('audits:proposals', args=[audit.pk])}#proposal-{proposal.pk}"
                )
    context = {"audit": audit, "proposal": proposal, "form": form, "theirs": theirs}
    return render(request, "audits/conduct/proposal_edit.html", context)


@login_required
def proposal_delete(request: HttpRequest, pk: int, proposal: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    if gate := _undertaking_gate(request, audit):
        return gate
    access.require(access.can_conduct(request.user, audit))
    proposal = get_object_or_404(audit.proposals, pk=proposal)
    if request.method == "POST":
        try:
            services.proposal_delete(proposal=proposal, by=request.user)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(
                request, gettext("Proposal %(number)s is deleted.") % {"number": proposal.number}
            )
        return redirect("audits:proposals", pk=audit.pk)
    return render(
        request, "audits/conduct/proposal_delete.html", {"audit": audit, "proposal": proposal}
    )


# --- Summary ------------------------------------------------------------------


@login_required
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    if gate := _undertaking_gate(request, audit):
        return gate
    access.require(access.can_lead(request.user, audit))
    form = SummaryForm(
        initial={"summary": audit.summary, "easy_read_summary": audit.easy_read_summary}
    )
    if request.method == "POST":
        form = SummaryForm(request.POST)
        if form.is_valid():
            try:
                services.audit_set_summary(audit=audit, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, gettext("The summaries are saved."))
                return redirect("audits:summary", pk=audit.pk)
    context = {"audit": audit, "form": form, "can_write": audit.is_conducting}
    return render(request, "audits/conduct/summary.html", context)


# --- Fees ---------------------------------------------------------------------


def _fee_totals(entries: list[FeeEntry]) -> dict[str, Decimal]:
    return {
        "hours": sum((entry.hours for entry in entries), Decimal("0")),
        "travel_km": sum(entry.travel_km for entry in entries),
        "travel_cost": sum((entry.travel_cost for entry in entries), Decimal("0")),
        "fee": sum((entry.fee for entry in entries), Decimal("0")),
        "mileage": sum((entry.mileage for entry in entries), Decimal("0")),
        "total": services.fee_total(entries),
    }


@login_required
def fees(request: HttpRequest, pk: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    if gate := _undertaking_gate(request, audit):
        return gate
    # Everyone logs their own hours; managers read everyone's on the payout page.
    access.require(access.is_on_team(request.user, audit))
    form = FeeForm()
    if request.method == "POST":
        form = FeeForm(request.POST)
        if form.is_valid():
            try:
                services.fee_log(audit=audit, by=request.user, data=form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, gettext("Your hours are logged."))
                return redirect("audits:fees", pk=audit.pk)
    entries = list(FeeEntry.objects.filter(audit=audit, auditor=request.user))
    context = {
        "audit": audit,
        "entries": entries,
        "totals": _fee_totals(entries),
        "form": form,
        "can_write": audit.status in services.FEE_STATES,
        "can_manage": access.can_manage(request.user, audit),
    }
    return render(request, "audits/conduct/fees.html", context)


@login_required
@post_only("audits:fees", "pk")
def fee_delete(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    # The delete URL takes only POST; come back to the list instead.
    if gate := _undertaking_gate(request, audit, back=reverse("audits:fees", args=[audit.pk])):
        return gate
    access.require(access.is_on_team(request.user, audit))
    entry = get_object_or_404(FeeEntry.objects.select_related("audit"), pk=entry, audit=audit)
    try:
        services.fee_delete(entry=entry, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, gettext("The entry is removed."))
    return redirect("audits:fees", pk=audit.pk)


# --- The auditor's start page -------------------------------------------------


# What the team does next at each stage; the lead also writes the summary.
NEXT_STEPS = {
    Audit.Status.AGREED: ("", _("The agreement is signed. Planning starts soon.")),
    Audit.Status.PLANNING: ("", _("Plan the data collection with your team.")),
    Audit.Status.COLLECTING: ("audits:sessions", _("Record each session you hold.")),
    Audit.Status.ANALYSING: ("audits:findings", _("Write findings and proposals.")),
    Audit.Status.REPORT_DRAFT: (
        "audits:findings",
        _("Check the findings before the report is approved."),
    ),
    Audit.Status.REPORT_APPROVED: (
        "audits:fees",
        _("Prepare the feedback meeting and log your hours."),
    ),
    Audit.Status.FEEDBACK_HELD: ("audits:fees", _("Log your last hours.")),
    Audit.Status.RESPONSE_RECEIVED: ("audits:fees", _("Log your last hours.")),
    Audit.Status.FOLLOW_UP: ("audits:fees", _("Log your last hours.")),
}


def _next_step(member: AuditMember) -> tuple[str, str]:
    """The page to go to (or "") and what to do there, for one membership."""
    status = member.audit.status
    if status == Audit.Status.REPORT_DRAFT and member.role == AuditMember.Role.LEAD:
        return reverse("audits:summary", args=[member.audit_id]), gettext(
            "Write the summary and the easy-to-read summary."
        )
    url_name, text = NEXT_STEPS.get(status, ("", _("Nothing more to do.")))
    url = reverse(url_name, args=[member.audit_id]) if url_name else ""
    return url, str(text)


def auditor_start_context(user) -> dict:
    """The audits the auditor is on, the undertaking and this month's hours, in three queries."""
    memberships = list(
        AuditMember.objects.filter(user=user)
        .exclude(audit__status=Audit.Status.DRAFT)
        .select_related("audit")
        .order_by("-audit__created_at")
    )
    for member in memberships:
        member.next_url, member.next_text = _next_step(member)
    today = timezone.localdate()
    hours = FeeEntry.objects.filter(
        auditor=user, worked_on__year=today.year, worked_on__month=today.month
    ).aggregate(total=Sum("hours"))["total"]
    return {
        "memberships": memberships,
        "has_undertaking": access.has_undertaking(user),
        "hours_this_month": hours or Decimal("0"),
    }
