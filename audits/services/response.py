"""After the report: the feedback meeting, the commissioner's response to each proposal,
the follow-up, closing the audit and the reminders of what is due."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.models import User

from .. import workflow
from ..models import Audit, Notification, Proposal
from ..workflow import STEPS
from .base import (
    REMINDER_DAYS,
    RESPONSE_DAYS,
    _lock,
    _move,
    _notify,
    _record,
    _require,
    _require_state,
)

logger = logging.getLogger(__name__)


# --- Feedback, response and follow-up -----------------------------------------


@workflow.performs("feedback_schedule")
@transaction.atomic
def feedback_schedule(*, audit: Audit, by: User, at, place: str = "") -> Audit:
    """Set the date and place of the feedback meeting."""
    audit = _lock(audit)
    step = STEPS["feedback_schedule"]
    _require(step, by, audit)
    _require_state(
        step, audit, gettext("The feedback meeting can be planned only before it is held.")
    )
    if at < timezone.now():
        # As every other date the centre plans: a meeting held already is recorded as held.
        raise ValidationError(
            {
                "at": gettext(
                    "The meeting cannot be planned in the past. If it has been held, record"
                    " it as held below."
                )
            },
            code="past",
        )
    audit.feedback_meeting_at = at
    audit.feedback_meeting_place = place
    audit.save(update_fields=["feedback_meeting_at", "feedback_meeting_place", "updated_at"])
    _record(
        audit,
        action=step.kind,
        by=by,
        comment=f"{timezone.localtime(at):%Y-%m-%d %H:%M} {place}".strip(),
    )
    return audit


@workflow.performs("feedback_record")
@transaction.atomic
def feedback_record(
    *, audit: Audit, by: User, response_due: date | None = None, comment: str = ""
) -> Audit:
    """The feedback meeting has been held: the commissioner now answers the proposals."""
    audit = _lock(audit)
    step = STEPS["feedback_record"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("Feedback is held after the report is approved."))
    today = timezone.localdate()
    due = response_due or today + timedelta(days=RESPONSE_DAYS)
    if due < today:
        raise ValidationError(
            {"response_due": gettext("The date cannot be in the past.")}, code="past"
        )
    audit.response_due = due
    if audit.feedback_meeting_at is None:
        audit.feedback_meeting_at = timezone.now()
    audit.save(update_fields=["response_due", "feedback_meeting_at", "updated_at"])
    _move(audit, to=step.to_state, by=by, action=step.kind, comment=comment)
    _notify(audit, Notification.Kind.RESPONSE_DUE)
    return audit


@workflow.performs("proposal_respond")
@transaction.atomic
def proposal_respond(
    *,
    proposal: Proposal,
    by: User,
    response: str,
    action: str,
    owner: str,
    deadline: date | None,
) -> Proposal:
    """The commissioner's answer to one proposal; it can be changed until the response is sent."""
    audit = _lock(proposal.audit)
    step = STEPS["proposal_respond"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("Proposals are answered after the feedback meeting."))
    errors = {}
    if response not in Proposal.Response.values:
        errors["response"] = gettext("Choose accepted, partly accepted or rejected.")
    if not action.strip():
        errors["action"] = (
            gettext("Say why the proposal is rejected.")
            if response == Proposal.Response.REJECTED
            else gettext("Describe what you will do.")
        )
    if response in {Proposal.Response.ACCEPTED, Proposal.Response.PARTLY}:
        if not owner.strip():
            errors["action_owner"] = gettext("Name who is responsible.")
        if deadline is None:
            errors["deadline"] = gettext("Give a deadline.")
        elif deadline < timezone.localdate():
            errors["deadline"] = gettext("The deadline cannot be in the past.")
    if errors:
        raise ValidationError(errors, code="invalid_response")
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    proposal.response = response
    proposal.action = action
    proposal.action_owner = owner
    proposal.deadline = deadline
    proposal.responded_at = timezone.now()
    proposal.responded_by = by
    proposal.save()
    return proposal


@workflow.performs("response_submit")
@transaction.atomic
def response_submit(*, audit: Audit, by: User) -> Audit:
    """Send the answers to every proposal to the centre."""
    audit = _lock(audit)
    step = STEPS["response_submit"]
    _require(step, by, audit)
    if audit.status == step.to_state:
        return audit  # Sent twice.
    _require_state(step, audit, gettext("The response is sent after the feedback meeting."))
    unanswered = audit.proposals.filter(response="").count()
    if unanswered:
        raise ValidationError(
            gettext("Answer every proposal first: %(count)s left.") % {"count": unanswered},
            code="unanswered",
        )
    _move(audit, to=step.to_state, by=by, action=step.kind)
    _notify(audit, Notification.Kind.RESPONSE_SENT)
    return audit


@workflow.performs("follow_up_start")
@transaction.atomic
def follow_up_start(*, audit: Audit, by: User, follow_up_due: date) -> Audit:
    """Plan the follow-up: the commissioner reports progress on each proposal by the date."""
    audit = _lock(audit)
    step = STEPS["follow_up_start"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("The follow-up starts once the response is received."))
    if follow_up_due < timezone.localdate():
        raise ValidationError(
            {"follow_up_due": gettext("The date cannot be in the past.")}, code="past"
        )
    audit.follow_up_due = follow_up_due
    audit.save(update_fields=["follow_up_due", "updated_at"])
    _move(audit, to=step.to_state, by=by, action=step.kind)
    _notify(audit, Notification.Kind.FOLLOW_UP_STARTED)
    return audit


@workflow.performs("proposal_report_progress")
@transaction.atomic
def proposal_report_progress(*, proposal: Proposal, by: User, progress: str, note: str) -> Proposal:
    audit = _lock(proposal.audit)
    step = STEPS["proposal_report_progress"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("Progress is reported at the follow-up."))
    if proposal.response == Proposal.Response.REJECTED:
        raise ValidationError(
            gettext("A rejected proposal needs no progress report."), code="rejected"
        )
    if progress not in Proposal.Progress.values:
        raise ValidationError(
            {"progress": gettext("Choose how far the work has come.")}, code="invalid"
        )
    if not note.strip():
        raise ValidationError(
            {"progress_note": gettext("Describe what has been done.")}, code="required"
        )
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    proposal.progress = progress
    proposal.progress_note = note
    proposal.progress_reported_at = timezone.now()
    proposal.save(update_fields=["progress", "progress_note", "progress_reported_at", "updated_at"])
    if not audit.proposals.needing_progress().exists():
        # The last report is in: the centre can close the audit. Told once, however
        # often a report is changed afterwards.
        _notify(audit, Notification.Kind.FOLLOW_UP_REPORTED, key="follow-up-reported")
    return proposal


@workflow.performs("close")
@transaction.atomic
def audit_close(*, audit: Audit, by: User, comment: str = "") -> Audit:
    audit = _lock(audit)
    step = STEPS["close"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("An audit is closed after its follow-up."))
    waiting = audit.proposals.needing_progress().count()
    if waiting:
        raise ValidationError(
            gettext("The commissioner has not reported progress on %(count)s proposals.")
            % {"count": waiting},
            code="progress_missing",
        )
    _move(audit, to=step.to_state, by=by, action=step.kind, comment=comment)
    _notify(audit, Notification.Kind.AUDIT_CLOSED)
    return audit


# --- Reminders ----------------------------------------------------------------


def reminders_send(today: date | None = None) -> int:
    """Queue reminders for responses and follow-ups due within REMINDER_DAYS; each once."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=REMINDER_DAYS)
    sent = 0
    for audit in Audit.objects.filter(
        status=Audit.Status.FEEDBACK_HELD,
        response_due__lte=horizon,
        response_reminded_at__isnull=True,
    ):
        with transaction.atomic():
            if Audit.objects.filter(pk=audit.pk, response_reminded_at__isnull=True).update(
                response_reminded_at=timezone.now()
            ):
                _notify(audit, Notification.Kind.RESPONSE_REMINDER, key=f"due-{audit.response_due}")
                sent += 1
    for audit in Audit.objects.filter(
        status=Audit.Status.FOLLOW_UP,
        follow_up_due__lte=horizon,
        follow_up_reminded_at__isnull=True,
    ):
        with transaction.atomic():
            if Audit.objects.filter(pk=audit.pk, follow_up_reminded_at__isnull=True).update(
                follow_up_reminded_at=timezone.now()
            ):
                _notify(
                    audit, Notification.Kind.FOLLOW_UP_REMINDER, key=f"due-{audit.follow_up_due}"
                )
                sent += 1
    return sent
