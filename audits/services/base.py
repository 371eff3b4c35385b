"""What every audit service shares: locking the audit row, refusing an illegal transition,
writing the history entry, checking a workflow step and queueing the e-mails after commit.

A transition locks the audit row, checks the current state and the actor's right, changes
the state and writes a history entry (who, when, from, to, comment). An illegal transition
raises ValidationError (code "illegal_transition") or PermissionDenied and changes nothing.
E-mail and report generation are queued with transaction.on_commit, so a rolled-back change
sends nothing.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from brukarkraft.models import User
from brukarkraft.queue import enqueue_by_name

from .. import access
from ..models import Audit, AuditEvent
from ..workflow import Step

logger = logging.getLogger(__name__)


# Days the commissioner has to answer the proposals after the feedback meeting.
RESPONSE_DAYS = 30
# Days before a due date that the reminder goes out.
REMINDER_DAYS = 7
# Audits need at least this many auditors (docs/domain.md §1: 2–5, one of them the lead).
MIN_TEAM = 2
MAX_TEAM = 5


class TransitionError(ValidationError):
    """The audit is not in a state where this can happen."""


# --- Helpers ------------------------------------------------------------------


def _lock(audit: Audit) -> Audit:
    return Audit.objects.select_for_update(of=("self",)).get(pk=audit.pk)


def _refuse(audit: Audit, message: str) -> None:
    raise TransitionError(
        gettext("%(message)s The audit is now: %(status)s.")
        % {"message": message, "status": audit.get_status_display()},
        code="illegal_transition",
    )


def _record(
    audit: Audit, *, action: str, by: User | None, comment: str = "", from_status: str = ""
) -> AuditEvent:
    return AuditEvent.objects.create(
        audit=audit,
        action=action,
        from_status=from_status or audit.status,
        to_status=audit.status,
        by=by,
        comment=comment,
    )


def _move(audit: Audit, *, to: str, by: User | None, action: str, comment: str = "") -> Audit:
    """Set the new state and write the history entry; the caller has checked everything."""
    from_status = audit.status
    audit.status = to
    audit.save(update_fields=["status", "updated_at"])
    _record(audit, action=action, by=by, comment=comment, from_status=from_status)
    return audit


def _notify(audit: Audit, kind: str, key: str = "", *, about: User | None = None) -> None:
    """Tell everyone concerned once the change commits; `about` is the person a team change
    concerns. The same key never sends twice."""
    audit_id = audit.pk
    args = (audit_id, kind, key or kind) + ((about.pk,) if about is not None else ())
    enqueue_by_name("audits.tasks.send_audit_notification", *args)


def _require(step: Step, by: User, audit: Audit) -> None:
    """The actor may take the step (its predicate in audits.workflow), else PermissionDenied."""
    if not step.may(by, audit):
        raise PermissionDenied


def _require_state(step: Step, audit: Audit, message: str) -> None:
    """The audit is in a state the step starts from, else the refusal `message`."""
    if not step.allowed_state(audit):
        _refuse(audit, message)


def _require_conductor(by: User, audit: Audit) -> None:
    if not access.can_conduct(by, audit):
        raise PermissionDenied
