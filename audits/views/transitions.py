"""The plain transitions (one page each, from the table in audits.workflow), and the feedback
meeting and the start of the follow-up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from .. import access, services, workflow
from ..forms.manage import (
    FeedbackRecordForm,
    FeedbackScheduleForm,
    FollowUpStartForm,
    TransitionForm,
)
from ..models import Audit
from .helpers import _add_error, _flow_index, _managed_audit

# --- The plain transitions -------------------------------------------------------------


@login_required
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    step = workflow.PLAIN.get(action)
    if step is None:
        raise Http404
    audit = access.visible_audit(request.user, pk)
    user = request.user
    access.require(step.may(user, audit))
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
            step.service(**kwargs)
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
        "possible": step.allowed_state(audit),
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
