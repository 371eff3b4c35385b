"""Planning an audit: the quote and agreement, the start of planning, the team (with
conflicts of interest and training), the audit's survey and the auditors' undertakings."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.faults import Submission
from brukarkraft.models import Organisation, User
from brukarkraft.roles import Role

from .. import access, workflow
from ..models import (
    Audit,
    AuditMember,
    AuditorProfile,
    ConfidentialityUndertaking,
    Conflict,
    Notification,
    Quote,
    Unit,
)
from ..workflow import STEPS
from .base import MAX_TEAM, _lock, _move, _notify, _record, _refuse, _require, _require_state

logger = logging.getLogger(__name__)


QUOTE_FIELDS = {
    "scope",
    "audit_questions",
    "methods",
    "timetable",
    "who_informs",
    "results_return",
    "price",
    "ownership",
}


@workflow.performs("quote_save")
@transaction.atomic
def quote_save(*, audit: Audit, by: User, data: dict) -> Quote:
    """Write or revise the quote; a revision of a sent quote must be sent again."""
    audit = _lock(audit)
    step = STEPS["quote_save"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("The quote can be written only before it is accepted."))
    if audit.accepted_at is None:
        _refuse(audit, gettext("Accept the order before writing the quote."))
    quote = Quote.objects.filter(audit=audit).first() or Quote(audit=audit)
    for name, value in data.items():
        if name not in QUOTE_FIELDS:
            raise ValueError(f"Not a quote field: {name}")
        setattr(quote, name, value)
    if quote.pk and audit.status == Audit.Status.QUOTED:
        # The commissioner must accept the version they have seen: back to requested.
        quote.revision += 1
        quote.sent_at = None
        quote.full_clean(exclude=["audit"])
        quote.save()
        _move(audit, to=step.to_state, by=by, action=step.kind)
        return quote
    quote.full_clean(exclude=["audit"])
    quote.save()
    return quote


@workflow.performs("quote_send")
@transaction.atomic
def quote_send(*, audit: Audit, by: User) -> Audit:
    """Send the quote and agreement to the commissioner."""
    audit = _lock(audit)
    step = STEPS["quote_send"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("Only the quote of a requested audit can be sent."))
    quote = Quote.objects.filter(audit=audit).first()
    if quote is None:
        _refuse(audit, gettext("Write the quote before sending it."))
    quote.sent_at = timezone.now()
    quote.sent_by = by
    quote.save(update_fields=["sent_at", "sent_by"])
    _move(audit, to=step.to_state, by=by, action=step.kind)
    _notify(audit, Notification.Kind.QUOTE_SENT, key=f"quote-{quote.revision}")
    return audit


@workflow.performs("quote_accept")
@transaction.atomic
def quote_accept(
    *, audit: Audit, by: User, revision: int, signed_agreement=None, comment: str = ""
) -> Audit:
    """The commissioner accepts the quote revision they read; the audit is agreed."""
    audit = _lock(audit)
    step = STEPS["quote_accept"]
    _require(step, by, audit)
    if not step.allowed_state(audit):
        if audit.status == Audit.Status.AGREED and audit.quote.revision == revision:
            return audit  # The same acceptance sent twice.
        _refuse(audit, gettext("Only a sent quote can be accepted."))
    quote = audit.quote
    if quote.revision != revision:
        raise ValidationError(
            gettext("The quote has been changed since you opened it. Read the new version."),
            code="stale_quote",
        )
    quote.accepted_at = timezone.now()
    quote.accepted_by = by
    fields = ["accepted_at", "accepted_by"]
    if signed_agreement is not None:
        quote.signed_agreement.save(
            f"agreement-{audit.reference}.pdf", signed_agreement, save=False
        )
        fields.append("signed_agreement")
    quote.save(update_fields=fields)
    return _move(audit, to=step.to_state, by=by, action=step.kind, comment=comment)


@workflow.performs("agreement_upload")
@transaction.atomic
def agreement_upload(*, audit: Audit, by: User, signed_agreement, submission_id: str = "") -> Quote:
    """Store the signed agreement (a checked PDF) after the quote is accepted.

    `submission_id` is the form's double-submit key: the same form sent again (a double
    click, or a load balancer retrying the POST on another web node after the first lost
    its connection) stores nothing more."""
    audit = _lock(audit)
    step = STEPS["agreement_upload"]
    _require(step, by, audit)
    quote = Quote.objects.filter(audit=audit, accepted_at__isnull=False).first()
    if quote is None:
        _refuse(audit, gettext("The signed agreement can be added once the quote is accepted."))
    # Read under the audit's lock: a second send waits here until the first has stored.
    submission = Submission.of(f"audits:agreement-upload:{audit.pk}", submission_id)
    if submission.earlier():
        return quote
    quote.signed_agreement.save(f"agreement-{audit.reference}.pdf", signed_agreement, save=False)
    quote.save(update_fields=["signed_agreement"])
    _record(audit, action=step.kind, by=by)
    submission.remember()
    return quote


@workflow.performs("start_planning")
@transaction.atomic
def audit_start_planning(*, audit: Audit, by: User) -> Audit:
    audit = _lock(audit)
    step = STEPS["start_planning"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("Planning starts once the agreement is accepted."))
    if not Quote.objects.filter(audit=audit).exclude(signed_agreement="").exists():
        raise ValidationError(
            gettext("Planning starts once the signed agreement is uploaded."),
            code="agreement_missing",
        )
    return _move(audit, to=step.to_state, by=by, action=step.kind)


# --- The team -----------------------------------------------------------------


def conflicts_of(audit: Audit, user_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Auditors who may not audit this audit's units, with the reason shown to staff."""
    unit_ids = [unit.pk for unit in audit.units.all()]
    conflicts = Conflict.objects.filter(unit_id__in=unit_ids) | Conflict.objects.filter(
        organisation_id=audit.organisation_id
    )
    if user_ids is not None:
        conflicts = conflicts.filter(auditor_id__in=list(user_ids))
    return {
        conflict.auditor_id: conflict.get_reason_display()
        for conflict in conflicts.only("auditor_id", "reason")
    }


@workflow.performs("team_add")
@transaction.atomic
def team_add(
    *, audit: Audit, by: User, user: User, role: str = AuditMember.Role.AUDITOR
) -> AuditMember:
    """Put an auditor on the team; conflicts of interest and untrained auditors are refused."""
    audit = _lock(audit)
    step = STEPS["team_add"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("The team cannot be changed at this stage."))
    if role in {AuditMember.Role.LEAD, AuditMember.Role.AUDITOR}:
        if not user.has_role(Role.AUDITOR):
            raise ValidationError(
                gettext("%(name)s is not a user auditor.") % {"name": user.full_name},
                code="not_auditor",
            )
        profile = AuditorProfile.objects.filter(user=user).first()
        if profile is None or not profile.is_trained:
            raise ValidationError(
                gettext("%(name)s has no valid auditor training.") % {"name": user.full_name},
                code="not_trained",
            )
        if (
            audit.members.filter(role__in=[AuditMember.Role.LEAD, AuditMember.Role.AUDITOR]).count()
            >= MAX_TEAM
        ):
            raise ValidationError(
                gettext("A team has at most %(max)s auditors.") % {"max": MAX_TEAM},
                code="team_full",
            )
    conflict = conflicts_of(audit, [user.pk]).get(user.pk)
    if conflict:
        raise ValidationError(
            gettext("%(name)s cannot audit this unit: %(reason)s.")
            % {"name": user.full_name, "reason": conflict.lower()},
            code="conflict_of_interest",
        )
    if audit.members.filter(user=user).exists():
        raise ValidationError(
            gettext("%(name)s is already on the team.") % {"name": user.full_name},
            code="already_member",
        )
    if role == AuditMember.Role.LEAD:
        audit.members.filter(role=AuditMember.Role.LEAD).update(role=AuditMember.Role.AUDITOR)
    member = AuditMember.objects.create(audit=audit, user=user, role=role)
    event = _record(
        audit,
        action=step.kind,
        by=by,
        comment=f"{user.full_name} ({member.get_role_display()})",
    )
    # Keyed by the event: added again after a removal, the person is told again.
    _notify(audit, Notification.Kind.TEAM_ADDED, key=f"added-{event.pk}", about=user)
    return member


@workflow.performs("team_set_lead")
@transaction.atomic
def team_set_lead(*, audit: Audit, by: User, member: AuditMember) -> AuditMember:
    audit = _lock(audit)
    step = STEPS["team_set_lead"]
    _require(step, by, audit)
    if member.audit_id != audit.pk or member.role != AuditMember.Role.AUDITOR:
        raise ValidationError(
            gettext("Only an auditor on the team can lead it."), code="not_member"
        )
    _require_state(step, audit, gettext("The team cannot be changed at this stage."))
    audit.members.filter(role=AuditMember.Role.LEAD).update(role=AuditMember.Role.AUDITOR)
    member.role = AuditMember.Role.LEAD
    member.save(update_fields=["role"])
    _record(audit, action=step.kind, by=by, comment=member.user.full_name)
    return member


@workflow.performs("team_remove")
@transaction.atomic
def team_remove(*, audit: Audit, by: User, member: AuditMember) -> None:
    audit = _lock(audit)
    step = STEPS["team_remove"]
    _require(step, by, audit)
    if member.audit_id != audit.pk:
        raise PermissionDenied
    _require_state(step, audit, gettext("The team cannot be changed at this stage."))
    person = member.user
    member.delete()
    event = _record(audit, action=step.kind, by=by, comment=person.full_name)
    _notify(audit, Notification.Kind.TEAM_REMOVED, key=f"removed-{event.pk}", about=person)


@workflow.performs("survey_link")
@transaction.atomic
def audit_link_survey(*, audit: Audit, by: User, survey) -> Audit:
    """Use a survey in the audit: the team may analyse it and the report shows its results.
    The team's access follows the link (audits.access.team_survey_ids): a survey linked
    before is no longer theirs."""
    audit = _lock(audit)
    step = STEPS["survey_link"]
    _require(step, by, audit)
    if not (step.allowed_state(audit) and step.when(audit)):
        _refuse(audit, gettext("The survey cannot be changed at this stage."))
    audit.survey = survey
    audit.save(update_fields=["survey", "updated_at"])
    _record(audit, action=step.kind, by=by, comment=str(survey or ""))
    return audit


@transaction.atomic
def undertaking_accept(*, user: User) -> ConfidentialityUndertaking:
    """An auditor accepts the confidentiality undertaking; accepting twice changes nothing."""
    undertaking, _created = ConfidentialityUndertaking.objects.get_or_create(
        user=user, version=ConfidentialityUndertaking.CURRENT_VERSION
    )
    user.__dict__.pop("_has_undertaking", None)  # access.has_undertaking's memo
    return undertaking


@transaction.atomic
def auditor_training_record(*, user: User, valid_until: date | None) -> AuditorProfile:
    """A completed auditor course (resources app) makes the person trained in the pool."""
    profile, _created = AuditorProfile.objects.select_for_update().get_or_create(user=user)
    profile.training = AuditorProfile.Training.TRAINED
    if profile.trained_until is None or valid_until is None or valid_until > profile.trained_until:
        profile.trained_until = valid_until
    profile.save(update_fields=["training", "trained_until"])
    return profile


@transaction.atomic
def conflict_declare(
    *,
    auditor: User,
    by: User,
    reason: str,
    unit: Unit | None = None,
    organisation: Organisation | None = None,
    note: str = "",
) -> Conflict:
    """Record that an auditor uses a unit or has another conflict of interest."""
    if by.pk != auditor.pk and not access.is_staff(by):
        raise PermissionDenied
    if unit is None and organisation is None:
        raise ValidationError(gettext("Choose a unit or an organisation."), code="no_target")
    User.objects.select_for_update().get(pk=auditor.pk)
    same = Conflict.objects.filter(
        auditor=auditor, unit=unit, organisation=organisation, reason=reason
    ).first()
    if same is not None:
        return same  # Declared already (or sent twice): one declaration is enough.
    return Conflict.objects.create(
        auditor=auditor, unit=unit, organisation=organisation, reason=reason, note=note
    )
