"""Conducting the audit: data collection, the analysis, findings, improvement proposals,
the summary and drafting the report."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from brukarkraft.faults import repeat_of
from brukarkraft.models import User

from .. import access, workflow
from ..models import Audit, AuditMember, DataCollection, Finding, Proposal
from ..workflow import STEPS
from .base import MIN_TEAM, _lock, _move, _refuse, _require, _require_conductor, _require_state

logger = logging.getLogger(__name__)


# --- Conducting the audit -----------------------------------------------------


@workflow.performs("start_collecting")
@transaction.atomic
def audit_start_collecting(*, audit: Audit, by: User) -> Audit:
    audit = _lock(audit)
    step = STEPS["start_collecting"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("Data collection starts after planning."))
    auditors = audit.members.filter(role__in=[AuditMember.Role.LEAD, AuditMember.Role.AUDITOR])
    if auditors.count() < MIN_TEAM or not auditors.filter(role=AuditMember.Role.LEAD).exists():
        raise ValidationError(
            gettext("The team needs at least %(min)s auditors, one of them the lead.")
            % {"min": MIN_TEAM},
            code="team_too_small",
        )
    return _move(audit, to=step.to_state, by=by, action=step.kind)


@workflow.performs("sessions")
@transaction.atomic
def session_record(*, audit: Audit, by: User, data: dict) -> DataCollection:
    """Record a data-collection session: kind, date, counts. Never names."""
    audit = _lock(audit)
    step = STEPS["sessions"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("Sessions are recorded during data collection."))
    repeat = repeat_of(audit.sessions, at="recorded_at", recorded_by=by, **data)
    if repeat is not None:
        return repeat  # Sent twice.
    session = DataCollection(audit=audit, recorded_by=by, **data)
    session.full_clean()
    session.save()
    return session


@workflow.performs("start_analysis")
@transaction.atomic
def audit_start_analysis(*, audit: Audit, by: User) -> Audit:
    audit = _lock(audit)
    step = STEPS["start_analysis"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("Analysis starts after data collection."))
    if not audit.sessions.exists():
        raise ValidationError(
            gettext("Record at least one data-collection session first."), code="no_sessions"
        )
    return _move(audit, to=step.to_state, by=by, action=step.kind)


def _require_writable(audit: Audit) -> None:
    if audit.status not in Audit.CONDUCTING:
        _refuse(
            audit,
            gettext("Findings and proposals can be written only before the report is approved."),
        )


FINDING_FIELDS = {"theme", "polarity", "title", "description", "quotes"}


@transaction.atomic
def finding_create(*, audit: Audit, by: User, data: dict) -> Finding:
    audit = _lock(audit)
    _require_conductor(by, audit)
    _require_writable(audit)
    unknown = set(data) - FINDING_FIELDS
    if unknown:
        raise ValueError(f"Not finding fields: {sorted(unknown)}")
    # Sent twice: the finding the first one wrote (untouched since), not a second copy.
    repeat = repeat_of(audit.findings.filter(version=1), at="updated_at", created_by=by, **data)
    if repeat is not None:
        return repeat
    number = (audit.findings.aggregate(top=Max("number"))["top"] or 0) + 1
    finding = Finding(audit=audit, number=number, created_by=by, updated_by=by)
    for name, value in data.items():
        setattr(finding, name, value)
    finding.full_clean()
    finding.save()
    return finding


class StaleEdit(ValidationError):
    """Someone else saved the same record after this edit began."""


def _saved_already(current: Finding | Proposal, by: User, data: dict) -> bool:
    """Whether `by` was the last to save and what they saved is exactly `data`."""
    return current.updated_by_id == by.pk and all(
        getattr(current, name) == value for name, value in data.items()
    )


@transaction.atomic
def finding_update(*, finding: Finding, by: User, version: int, data: dict) -> Finding:
    """Save an edit begun at `version`; refused if someone saved in between."""
    audit = _lock(finding.audit)
    _require_conductor(by, audit)
    _require_writable(audit)
    current = Finding.objects.select_for_update().get(pk=finding.pk)
    if current.version != version and _saved_already(current, by, data):
        return current  # The same save sent twice: the first one stored exactly this.
    if current.version != version:
        raise StaleEdit(
            gettext(
                "%(name)s saved this finding while you were editing it. Your text has not been"
                " saved: compare it with theirs below and save again."
            )
            % {"name": current.updated_by.full_name if current.updated_by else gettext("Someone")},
            code="stale",
        )
    for name, value in data.items():
        if name not in FINDING_FIELDS:
            raise ValueError(f"Not a finding field: {name}")
        setattr(current, name, value)
    current.full_clean()
    # The row is locked and its version checked above, so a plain increment is safe (and the
    # history row copies a number, not an expression).
    current.version += 1
    current.updated_by = by
    current.save()
    current.refresh_from_db()
    return current


@transaction.atomic
def finding_delete(*, finding: Finding, by: User) -> None:
    audit = _lock(finding.audit)
    _require_conductor(by, audit)
    _require_writable(audit)
    if finding.proposals.exists():
        raise ValidationError(
            gettext("A proposal cites this finding. Change the proposal first."), code="cited"
        )
    finding.delete()


def _check_findings(audit: Audit, findings: Iterable[Finding]) -> list[Finding]:
    findings = list(findings)
    if not findings:
        raise ValidationError(
            {"findings": gettext("A proposal must build on at least one finding.")},
            code="no_findings",
        )
    if any(finding.audit_id != audit.pk for finding in findings):
        raise PermissionDenied
    return findings


@transaction.atomic
def proposal_create(*, audit: Audit, by: User, text: str, findings: Iterable[Finding]) -> Proposal:
    audit = _lock(audit)
    _require_conductor(by, audit)
    _require_writable(audit)
    findings = _check_findings(audit, findings)
    repeat = repeat_of(audit.proposals.filter(version=1), at="updated_at", created_by=by, text=text)
    if repeat is not None and {f.pk for f in repeat.findings.all()} == {f.pk for f in findings}:
        return repeat  # Sent twice.
    number = (audit.proposals.aggregate(top=Max("number"))["top"] or 0) + 1
    proposal = Proposal(audit=audit, number=number, text=text, created_by=by, updated_by=by)
    proposal.full_clean(exclude=["findings"])
    proposal.save()
    proposal.findings.set(findings)
    return proposal


@transaction.atomic
def proposal_update(
    *, proposal: Proposal, by: User, version: int, text: str, findings: Iterable[Finding]
) -> Proposal:
    audit = _lock(proposal.audit)
    _require_conductor(by, audit)
    _require_writable(audit)
    current = Proposal.objects.select_for_update().get(pk=proposal.pk)
    findings = list(findings)
    if (
        current.version != version
        and _saved_already(current, by, {"text": text})
        and {f.pk for f in current.findings.all()} == {f.pk for f in findings}
    ):
        return current  # The same save sent twice: the first one stored exactly this.
    if current.version != version:
        raise StaleEdit(
            gettext(
                "%(name)s saved this proposal while you were editing it. Your text has not been"
                " saved: compare it with theirs below and save again."
            )
            % {"name": current.updated_by.full_name if current.updated_by else gettext("Someone")},
            code="stale",
        )
    findings = _check_findings(audit, findings)
    current.text = text
    current.full_clean(exclude=["findings"])
    current.updated_by = by
    # The row is locked and its version checked above, so a plain increment is safe (and the
    # history row copies a number, not an expression).
    current.version += 1
    current.save()
    current.refresh_from_db()
    current.findings.set(findings)
    return current


@transaction.atomic
def proposal_delete(*, proposal: Proposal, by: User) -> None:
    audit = _lock(proposal.audit)
    _require_conductor(by, audit)
    _require_writable(audit)
    proposal.delete()


@transaction.atomic
def audit_set_summary(*, audit: Audit, by: User, summary: str, easy_read_summary: str) -> Audit:
    audit = _lock(audit)
    access.require(access.can_lead(by, audit))
    _require_writable(audit)
    audit.summary = summary
    audit.easy_read_summary = easy_read_summary
    audit.save(update_fields=["summary", "easy_read_summary", "updated_at"])
    return audit


@workflow.performs("draft_report")
@transaction.atomic
def audit_draft_report(*, audit: Audit, by: User) -> Audit:
    audit = _lock(audit)
    step = STEPS["draft_report"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("The report is drafted after the analysis."))
    if not audit.findings.exists():
        raise ValidationError(gettext("Write at least one finding first."), code="no_findings")
    return _move(audit, to=step.to_state, by=by, action=step.kind)
