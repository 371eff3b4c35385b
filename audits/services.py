"""Every change to an audit: one function per transition or act, each in a transaction.

A transition locks the audit row, checks the current state and the actor's right, changes
the state and writes a history entry (who, when, from, to, comment). An illegal transition
raises ValidationError (code "illegal_transition") or PermissionDenied and changes nothing.
E-mail and report generation are queued with transaction.on_commit, so a rolled-back change
sends nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.faults import repeat_of
from brukarkraft.models import Organisation, User
from brukarkraft.queue import enqueue
from brukarkraft.roles import Role

from . import access
from .models import (
    Audit,
    AuditEvent,
    AuditMember,
    AuditorProfile,
    ConfidentialityUndertaking,
    Conflict,
    DataCollection,
    FeeEntry,
    Finding,
    Notification,
    Proposal,
    Quote,
    ReportVersion,
    Unit,
)

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
    from .tasks import send_audit_notification

    audit_id = audit.pk
    args = (audit_id, kind, key or kind) + ((about.pk,) if about is not None else ())
    transaction.on_commit(lambda: enqueue(send_audit_notification, *args))


def _require_manager(by: User, audit: Audit) -> None:
    if not access.can_manage(by, audit):
        raise PermissionDenied


def _require_commissioner(by: User, audit: Audit) -> None:
    if not access.is_commissioner_of(by, audit):
        raise PermissionDenied


def _require_conductor(by: User, audit: Audit) -> None:
    if not access.can_conduct(by, audit):
        raise PermissionDenied


# --- The order ----------------------------------------------------------------


@transaction.atomic
@transaction.atomic
def order_start(*, organisation: Organisation, by: User, language: str = "sv") -> Audit:
    """Open a draft order for one of the commissioner's organisations."""
    if not organisation.memberships.filter(user=by).exists() or not by.has_role(Role.COMMISSIONER):
        raise PermissionDenied
    language = language if language in Audit.Language.values else Audit.Language.SV
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    # Pressed twice: the draft the first press opened, as long as nothing is saved in it.
    untouched = Audit.objects.filter(status=Audit.Status.DRAFT, order_step=0)
    repeat = repeat_of(
        untouched, at="created_at", organisation=organisation, ordered_by=by, language=language
    )
    if repeat is not None:
        return repeat
    return Audit.objects.create(
        organisation=organisation,
        ordered_by=by,
        language=language,
        contact_name=by.full_name,
        contact_email=by.email,
        invoice_org_number=organisation.org_number,
    )


ORDER_FIELDS = {
    "title",
    "language",
    "target_group",
    "approx_users",
    "audit_questions",
    "preferred_methods",
    "period_start",
    "period_end",
    "contact_name",
    "contact_email",
    "contact_phone",
    "invoice_org_number",
    "invoice_address",
    "invoice_reference",
    "invoice_email",
    "needs_interpreter",
    "interpreter_languages",
    "needs_easy_read",
    "needs_sign_language",
    "other_needs",
}


@transaction.atomic
def order_save_step(*, audit: Audit, by: User, step: int, data: dict) -> Audit:
    """Save one step of a draft order; the draft is kept so the commissioner can come back."""
    audit = _lock(audit)
    if audit.status != Audit.Status.DRAFT:
        _refuse(audit, gettext("Only a draft order can be changed."))
    if audit.ordered_by_id != by.pk:
        raise PermissionDenied
    unknown = set(data) - ORDER_FIELDS - {"accept_terms", "accept_processor_agreement"}
    if unknown:
        raise ValueError(f"Not order fields: {sorted(unknown)}")
    for name, value in data.items():
        if name in ORDER_FIELDS:
            setattr(audit, name, value)
    now = timezone.now()
    if "accept_terms" in data:
        audit.terms_accepted_at = now if data["accept_terms"] else None
    if "accept_processor_agreement" in data:
        audit.processor_agreement_accepted_at = now if data["accept_processor_agreement"] else None
    audit.order_step = max(audit.order_step, step)
    audit.save()
    return audit


@transaction.atomic
def order_set_units(*, audit: Audit, by: User, units: Iterable[dict]) -> Audit:
    """Replace a draft's units; each dict has name, service_area and municipality."""
    audit = _lock(audit)
    if audit.status != Audit.Status.DRAFT:
        _refuse(audit, gettext("Only a draft order can be changed."))
    if audit.ordered_by_id != by.pk:
        raise PermissionDenied
    chosen = []
    for item in units:
        name = " ".join(item["name"].split())
        unit = Unit.objects.filter(
            organisation=audit.organisation,
            name__iexact=name,
            municipality=item["municipality"],
        ).first()
        if unit is None:
            unit = Unit.objects.create(
                organisation=audit.organisation,
                name=name,
                service_area=item["service_area"],
                municipality=item["municipality"],
            )
        elif unit.service_area != item["service_area"]:
            unit.service_area = item["service_area"]
            unit.save(update_fields=["service_area"])
        chosen.append(unit)
    if not chosen:
        raise ValidationError(gettext("Name at least one unit to audit."), code="no_units")
    audit.units.set(chosen)
    audit.county_id = chosen[0].municipality.county_id
    audit.order_step = max(audit.order_step, 2)
    audit.save(update_fields=["county", "order_step", "updated_at"])
    return audit


def order_missing(audit: Audit) -> list[str]:
    """What the order still lacks before it can be sent, as sentences for the commissioner."""
    missing = []
    if not audit.units.exists():
        missing.append(gettext("Name at least one unit to audit."))
    if not audit.target_group.strip():
        missing.append(gettext("Describe the target group."))
    if not audit.audit_questions.strip():
        missing.append(gettext("Write what you want to know."))
    if not audit.contact_name or not audit.contact_email:
        missing.append(gettext("Give a contact person with an e-mail address."))
    if not audit.invoice_address.strip():
        missing.append(gettext("Give an invoice address."))
    if audit.terms_accepted_at is None:
        missing.append(gettext("Accept the terms."))
    if audit.processor_agreement_accepted_at is None:
        missing.append(gettext("Accept the processor agreement."))
    return missing


@transaction.atomic
def order_submit(*, audit: Audit, by: User) -> Audit:
    """Send a complete draft to the centre: it gets its reference number and a receipt."""
    audit = _lock(audit)
    if audit.ordered_by_id != by.pk:
        raise PermissionDenied
    if audit.status != Audit.Status.DRAFT:
        # A second press of "Send" (double submit) finds the order already sent: no change.
        if audit.submitted_at is not None:
            return audit
        _refuse(audit, gettext("Only a draft order can be sent."))
    missing = order_missing(audit)
    if missing:
        raise ValidationError(missing, code="incomplete_order")
    audit.reference = f"BR-{timezone.localdate().year}-{audit.pk:05d}"
    audit.submitted_at = timezone.now()
    if not audit.title:
        first = audit.units.order_by("pk").first()
        audit.title = first.name if first else ""
    audit.save(update_fields=["reference", "submitted_at", "title", "updated_at"])
    _move(audit, to=Audit.Status.REQUESTED, by=by, action="submitted")
    _notify(audit, Notification.Kind.ORDER_RECEIVED)
    return audit


@transaction.atomic
def order_discard(*, audit: Audit, by: User) -> None:
    """Delete a draft order nobody else has seen."""
    audit = _lock(audit)
    if audit.status != Audit.Status.DRAFT:
        _refuse(audit, gettext("Only a draft order can be deleted."))
    if audit.ordered_by_id != by.pk:
        raise PermissionDenied
    audit.delete()


# --- The centre's handling ----------------------------------------------------


@transaction.atomic
def audit_accept(
    *,
    audit: Audit,
    by: User,
    performing_organisation: Organisation | None = None,
    comment: str = "",
) -> Audit:
    """Take on an order; the quote is written next."""
    audit = _lock(audit)
    if not access.is_staff(by):
        raise PermissionDenied
    if audit.status != Audit.Status.REQUESTED or audit.accepted_at is not None:
        _refuse(audit, gettext("Only a new order can be accepted."))
    audit.accepted_at = timezone.now()
    if performing_organisation is not None:
        audit.performing_organisation = performing_organisation
    audit.save(update_fields=["accepted_at", "performing_organisation", "updated_at"])
    _record(audit, action="accepted", by=by, comment=comment)
    return audit


@transaction.atomic
def audit_decline(*, audit: Audit, by: User, reason: str) -> Audit:
    """Decline an order with a reason the commissioner sees."""
    audit = _lock(audit)
    if not access.is_staff(by):
        raise PermissionDenied
    if audit.status != Audit.Status.REQUESTED:
        _refuse(audit, gettext("Only a new order can be declined."))
    if not reason.strip():
        raise ValidationError({"reason": gettext("Give a reason.")}, code="reason_required")
    _move(audit, to=Audit.Status.CANCELLED, by=by, action="declined", comment=reason)
    _notify(audit, Notification.Kind.ORDER_DECLINED)
    return audit


@transaction.atomic
def audit_cancel(*, audit: Audit, by: User, reason: str) -> Audit:
    """Cancel an audit before data collection has begun."""
    audit = _lock(audit)
    if not (access.can_manage(by, audit) or access.is_commissioner_of(by, audit)):
        raise PermissionDenied
    if audit.status not in Audit.CANCELLABLE or audit.status == Audit.Status.DRAFT:
        _refuse(audit, gettext("An audit can be cancelled only before data collection starts."))
    if not reason.strip():
        raise ValidationError({"reason": gettext("Give a reason.")}, code="reason_required")
    return _move(audit, to=Audit.Status.CANCELLED, by=by, action="cancelled", comment=reason)


@transaction.atomic
def audit_set_performer(*, audit: Audit, by: User, organisation: Organisation | None) -> Audit:
    """Record which user organisation performs the audit."""
    audit = _lock(audit)
    if not access.is_staff(by):
        raise PermissionDenied
    if audit.status in {Audit.Status.CLOSED, Audit.Status.CANCELLED}:
        _refuse(audit, gettext("A closed or cancelled audit cannot be changed."))
    if organisation is not None and organisation.kind not in {
        Organisation.Kind.USER_ORGANISATION,
        Organisation.Kind.UMBRELLA_BODY,
    }:
        raise ValidationError(
            {"organisation": gettext("Choose a user organisation.")}, code="not_user_org"
        )
    audit.performing_organisation = organisation
    audit.save(update_fields=["performing_organisation", "updated_at"])
    _record(audit, action="performer_set", by=by, comment=str(organisation or ""))
    return audit


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


@transaction.atomic
def quote_save(*, audit: Audit, by: User, data: dict) -> Quote:
    """Write or revise the quote; a revision of a sent quote must be sent again."""
    audit = _lock(audit)
    _require_manager(by, audit)
    if audit.status not in {Audit.Status.REQUESTED, Audit.Status.QUOTED}:
        _refuse(audit, gettext("The quote can be written only before it is accepted."))
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
        _move(audit, to=Audit.Status.REQUESTED, by=by, action="quote_revised")
        return quote
    quote.full_clean(exclude=["audit"])
    quote.save()
    return quote


@transaction.atomic
def quote_send(*, audit: Audit, by: User) -> Audit:
    """Send the quote and agreement to the commissioner."""
    audit = _lock(audit)
    _require_manager(by, audit)
    if audit.status != Audit.Status.REQUESTED:
        _refuse(audit, gettext("Only the quote of a requested audit can be sent."))
    quote = Quote.objects.filter(audit=audit).first()
    if quote is None:
        _refuse(audit, gettext("Write the quote before sending it."))
    quote.sent_at = timezone.now()
    quote.sent_by = by
    quote.save(update_fields=["sent_at", "sent_by"])
    _move(audit, to=Audit.Status.QUOTED, by=by, action="quote_sent")
    _notify(audit, Notification.Kind.QUOTE_SENT, key=f"quote-{quote.revision}")
    return audit


@transaction.atomic
def quote_accept(
    *, audit: Audit, by: User, revision: int, signed_agreement=None, comment: str = ""
) -> Audit:
    """The commissioner accepts the quote revision they read; the audit is agreed."""
    audit = _lock(audit)
    _require_commissioner(by, audit)
    if audit.status != Audit.Status.QUOTED:
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
    return _move(audit, to=Audit.Status.AGREED, by=by, action="quote_accepted", comment=comment)


@transaction.atomic
def agreement_upload(*, audit: Audit, by: User, signed_agreement) -> Quote:
    """Store the signed agreement (a checked PDF) after the quote is accepted."""
    audit = _lock(audit)
    if not (access.can_manage(by, audit) or access.is_commissioner_of(by, audit)):
        raise PermissionDenied
    quote = Quote.objects.filter(audit=audit, accepted_at__isnull=False).first()
    if quote is None:
        _refuse(audit, gettext("The signed agreement can be added once the quote is accepted."))
    quote.signed_agreement.save(f"agreement-{audit.reference}.pdf", signed_agreement, save=False)
    quote.save(update_fields=["signed_agreement"])
    _record(audit, action="agreement_uploaded", by=by)
    return quote


@transaction.atomic
def audit_start_planning(*, audit: Audit, by: User) -> Audit:
    audit = _lock(audit)
    _require_manager(by, audit)
    if audit.status != Audit.Status.AGREED:
        _refuse(audit, gettext("Planning starts once the agreement is accepted."))
    if not Quote.objects.filter(audit=audit).exclude(signed_agreement="").exists():
        raise ValidationError(
            gettext("Planning starts once the signed agreement is uploaded."),
            code="agreement_missing",
        )
    return _move(audit, to=Audit.Status.PLANNING, by=by, action="planning_started")


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


TEAM_OPEN = {
    Audit.Status.REQUESTED,
    Audit.Status.QUOTED,
    Audit.Status.AGREED,
    Audit.Status.PLANNING,
    Audit.Status.COLLECTING,
    Audit.Status.ANALYSING,
}


@transaction.atomic
def team_add(
    *, audit: Audit, by: User, user: User, role: str = AuditMember.Role.AUDITOR
) -> AuditMember:
    """Put an auditor on the team; conflicts of interest and untrained auditors are refused."""
    audit = _lock(audit)
    _require_manager(by, audit)
    if audit.status not in TEAM_OPEN:
        _refuse(audit, gettext("The team cannot be changed at this stage."))
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
        action="member_added",
        by=by,
        comment=f"{user.full_name} ({member.get_role_display()})",
    )
    # Keyed by the event: added again after a removal, the person is told again.
    _notify(audit, Notification.Kind.TEAM_ADDED, key=f"added-{event.pk}", about=user)
    return member


@transaction.atomic
def team_set_lead(*, audit: Audit, by: User, member: AuditMember) -> AuditMember:
    audit = _lock(audit)
    _require_manager(by, audit)
    if member.audit_id != audit.pk or member.role != AuditMember.Role.AUDITOR:
        raise ValidationError(
            gettext("Only an auditor on the team can lead it."), code="not_member"
        )
    if audit.status not in TEAM_OPEN | {Audit.Status.REPORT_DRAFT}:
        _refuse(audit, gettext("The team cannot be changed at this stage."))
    audit.members.filter(role=AuditMember.Role.LEAD).update(role=AuditMember.Role.AUDITOR)
    member.role = AuditMember.Role.LEAD
    member.save(update_fields=["role"])
    _record(audit, action="lead_named", by=by, comment=member.user.full_name)
    return member


@transaction.atomic
def team_remove(*, audit: Audit, by: User, member: AuditMember) -> None:
    audit = _lock(audit)
    _require_manager(by, audit)
    if member.audit_id != audit.pk:
        raise PermissionDenied
    if audit.status not in TEAM_OPEN:
        _refuse(audit, gettext("The team cannot be changed at this stage."))
    person = member.user
    member.delete()
    event = _record(audit, action="member_removed", by=by, comment=person.full_name)
    _notify(audit, Notification.Kind.TEAM_REMOVED, key=f"removed-{event.pk}", about=person)


@transaction.atomic
def audit_link_survey(*, audit: Audit, by: User, survey) -> Audit:
    """Use a survey in the audit: the team may analyse it and the report shows its results.
    The team's access follows the link (audits.access.team_survey_ids): a survey linked
    before is no longer theirs."""
    audit = _lock(audit)
    _require_manager(by, audit)
    if audit.report_is_frozen or audit.status in {Audit.Status.CANCELLED, Audit.Status.DRAFT}:
        _refuse(audit, gettext("The survey cannot be changed at this stage."))
    audit.survey = survey
    audit.save(update_fields=["survey", "updated_at"])
    _record(audit, action="survey_linked", by=by, comment=str(survey or ""))
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


# --- Conducting the audit -----------------------------------------------------


@transaction.atomic
def audit_start_collecting(*, audit: Audit, by: User) -> Audit:
    audit = _lock(audit)
    _require_manager(by, audit)
    if audit.status != Audit.Status.PLANNING:
        _refuse(audit, gettext("Data collection starts after planning."))
    auditors = audit.members.filter(role__in=[AuditMember.Role.LEAD, AuditMember.Role.AUDITOR])
    if auditors.count() < MIN_TEAM or not auditors.filter(role=AuditMember.Role.LEAD).exists():
        raise ValidationError(
            gettext("The team needs at least %(min)s auditors, one of them the lead.")
            % {"min": MIN_TEAM},
            code="team_too_small",
        )
    return _move(audit, to=Audit.Status.COLLECTING, by=by, action="collecting_started")


@transaction.atomic
def session_record(*, audit: Audit, by: User, data: dict) -> DataCollection:
    """Record a data-collection session: kind, date, counts. Never names."""
    audit = _lock(audit)
    _require_conductor(by, audit)
    if audit.status not in {Audit.Status.COLLECTING, Audit.Status.ANALYSING}:
        _refuse(audit, gettext("Sessions are recorded during data collection."))
    repeat = repeat_of(audit.sessions, at="recorded_at", recorded_by=by, **data)
    if repeat is not None:
        return repeat  # Sent twice.
    session = DataCollection(audit=audit, recorded_by=by, **data)
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def audit_start_analysis(*, audit: Audit, by: User) -> Audit:
    audit = _lock(audit)
    if not (access.can_manage(by, audit) or access.is_lead(by, audit)):
        raise PermissionDenied
    if audit.status != Audit.Status.COLLECTING:
        _refuse(audit, gettext("Analysis starts after data collection."))
    if not audit.sessions.exists():
        raise ValidationError(
            gettext("Record at least one data-collection session first."), code="no_sessions"
        )
    return _move(audit, to=Audit.Status.ANALYSING, by=by, action="analysis_started")


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
    if not (access.can_manage(by, audit) or access.is_lead(by, audit)):
        raise PermissionDenied
    _require_writable(audit)
    audit.summary = summary
    audit.easy_read_summary = easy_read_summary
    audit.save(update_fields=["summary", "easy_read_summary", "updated_at"])
    return audit


@transaction.atomic
def audit_draft_report(*, audit: Audit, by: User) -> Audit:
    audit = _lock(audit)
    if not (access.can_manage(by, audit) or access.is_lead(by, audit)):
        raise PermissionDenied
    if audit.status != Audit.Status.ANALYSING:
        _refuse(audit, gettext("The report is drafted after the analysis."))
    if not audit.findings.exists():
        raise ValidationError(gettext("Write at least one finding first."), code="no_findings")
    return _move(audit, to=Audit.Status.REPORT_DRAFT, by=by, action="report_drafted")


# --- The report ---------------------------------------------------------------

REPORT_STATES = {Audit.Status.ANALYSING, Audit.Status.REPORT_DRAFT}


@transaction.atomic
def report_request(*, audit: Audit, by: User) -> ReportVersion:
    """Queue a new numbered version of the report; a worker makes the PDF."""
    audit = _lock(audit)
    if not (access.can_manage(by, audit) or access.is_on_team(by, audit)):
        raise PermissionDenied
    if audit.status not in REPORT_STATES:
        _refuse(
            audit, gettext("A new report version can be made only before the report is approved.")
        )
    pending = audit.reports.filter(
        status__in=[ReportVersion.Status.QUEUED, ReportVersion.Status.RUNNING]
    ).first()
    if pending is not None:
        return pending  # A double press gives the version already on its way.
    number = (audit.reports.aggregate(top=Max("number"))["top"] or 0) + 1
    version = ReportVersion.objects.create(
        audit=audit, number=number, language=audit.language, requested_by=by
    )
    _queue_report(version)
    return version


def _queue_report(version: ReportVersion) -> None:
    from .tasks import generate_report

    version_id = version.pk
    transaction.on_commit(lambda: enqueue(generate_report, version_id))


@transaction.atomic
def report_retry(*, version: ReportVersion, by: User) -> ReportVersion:
    """Queue a failed version again."""
    audit = _lock(version.audit)
    if not (access.can_manage(by, audit) or access.is_on_team(by, audit)):
        raise PermissionDenied
    version = ReportVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ReportVersion.Status.FAILED:
        raise ValidationError(
            gettext("Only a failed report can be tried again."), code="not_failed"
        )
    if audit.status not in REPORT_STATES:
        _refuse(
            audit, gettext("A new report version can be made only before the report is approved.")
        )
    version.status = ReportVersion.Status.QUEUED
    version.error = ""
    version.save(update_fields=["status", "error"])
    _queue_report(version)
    return version


# A delivery that finds its version still RUNNING means an earlier one died mid-run (its worker
# was killed). A report that kills its worker every time would otherwise be redelivered forever.
# Attempts are never reset, so "Try again" on such a version gives it one more delivery.
MAX_REPORT_DELIVERIES = 3
# A version queued or being made for longer than this has lost its job (a crash between the
# commit and the publish, or Redis losing its queue): the sweep sends it again. Well beyond
# the task's time limit, so a report still being made is not sent twice in the normal case
# (and a second delivery would be harmless: report_render is idempotent).
STALE_REPORT_AFTER = timedelta(minutes=15)


def reports_requeue_stale(*, now=None) -> int:
    """Send again every report version whose job was lost; returns how many were sent."""
    from brukarkraft.models import PendingTask

    from .tasks import generate_report

    cutoff = (now or timezone.now()) - STALE_REPORT_AFTER
    kept = {
        args[0]
        for args in PendingTask.objects.unsent()
        .filter(task=generate_report.name)
        .values_list("args", flat=True)
        if args
    }
    stale = ReportVersion.objects.filter(
        status__in=[ReportVersion.Status.QUEUED, ReportVersion.Status.RUNNING],
        requested_at__lt=cutoff,
    ).values_list("pk", flat=True)
    sent = 0
    for version_id in stale:
        if version_id in kept:
            continue  # already waiting in the database for the queue to come back
        logger.warning("Report version %s lost its job; sending it again", version_id)
        enqueue(generate_report, version_id)
        sent += 1
    return sent


def report_render(*, version_id: int) -> ReportVersion | None:
    """Make a version's PDF (worker side). A redelivered task for a ready version does nothing;
    a failure is recorded on the version, so the page can say so and offer a retry."""
    from .pdf import audit_report_pdf

    with transaction.atomic():
        version = (
            ReportVersion.objects.select_for_update()
            .select_related("audit")
            .filter(pk=version_id)
            .first()
        )
        if version is None or version.status == ReportVersion.Status.READY:
            return version
        if (
            version.status == ReportVersion.Status.RUNNING
            and version.attempts >= MAX_REPORT_DELIVERIES
        ):
            logger.error(
                "Report version %s stopped its worker %s times", version_id, version.attempts
            )
            version.status = ReportVersion.Status.FAILED
            version.error = "WorkerLost"
            version.finished_at = timezone.now()
            version.save(update_fields=["status", "error", "finished_at"])
            return None
        version.status = ReportVersion.Status.RUNNING
        version.attempts += 1
        version.save(update_fields=["status", "attempts"])
    try:
        pdf, pages = audit_report_pdf(version.audit, version.language, version=version.number)
    except Exception as error:  # noqa: BLE001 — any failure must be shown, not lost
        logger.exception("Report version %s failed", version_id)
        ReportVersion.objects.filter(pk=version_id).update(
            status=ReportVersion.Status.FAILED,
            error=type(error).__name__,
            finished_at=timezone.now(),
        )
        return None
    with transaction.atomic():
        version = ReportVersion.objects.select_for_update().get(pk=version_id)
        if version.status == ReportVersion.Status.READY:
            return version
        version.file.save(
            f"{version.audit.reference or version.audit_id}-v{version.number}.pdf",
            ContentFile(pdf),
            save=False,
        )
        version.sha256 = hashlib.sha256(pdf).hexdigest()
        version.size = len(pdf)
        version.pages = pages
        version.status = ReportVersion.Status.READY
        version.finished_at = timezone.now()
        version.save()
    return version


@transaction.atomic
def report_approve(
    *, audit: Audit, by: User, comment: str = "", version: int | None = None
) -> Audit:
    """Approve the latest ready version; it is frozen and is the report from now on.

    `version` is the number the approver was shown: if a newer one was made since, nothing
    is approved, so no one freezes a version they have not read."""
    audit = _lock(audit)
    _require_manager(by, audit)
    if audit.status != Audit.Status.REPORT_DRAFT:
        _refuse(audit, gettext("Only a report draft can be approved."))
    if audit.reports.filter(
        status__in=[ReportVersion.Status.QUEUED, ReportVersion.Status.RUNNING]
    ).exists():
        raise ValidationError(
            gettext("A report version is still being made. Approve it once it is ready."),
            code="report_pending",
        )
    latest = audit.reports.order_by("-number").first()
    if latest is None or latest.status != ReportVersion.Status.READY:
        raise ValidationError(
            gettext("Make the report PDF and check it before approving it."), code="no_report"
        )
    if version is not None and version != latest.number:
        raise ValidationError(
            gettext(
                "Version %(number)s has been made since you opened this page. Read it, then"
                " approve again."
            )
            % {"number": latest.number},
            code="stale_version",
        )
    latest.approved = True
    latest.save(update_fields=["approved"])
    _move(
        audit,
        to=Audit.Status.REPORT_APPROVED,
        by=by,
        action="report_approved",
        comment=comment or gettext("Version %(number)s") % {"number": latest.number},
    )
    _notify(audit, Notification.Kind.REPORT_READY)
    return audit


def report_for(audit: Audit) -> ReportVersion | None:
    """The version to hand out: the approved one once there is one, else the latest ready."""
    approved = audit.reports.filter(approved=True).first()
    return approved or audit.reports.latest_ready()


# --- Feedback, response and follow-up -----------------------------------------


@transaction.atomic
def feedback_schedule(*, audit: Audit, by: User, at, place: str = "") -> Audit:
    """Set the date and place of the feedback meeting."""
    audit = _lock(audit)
    _require_manager(by, audit)
    if audit.status in {Audit.Status.CANCELLED, Audit.Status.CLOSED, Audit.Status.DRAFT} or (
        audit.FLOW.index(audit.status) >= audit.FLOW.index(Audit.Status.FEEDBACK_HELD)
    ):
        _refuse(audit, gettext("The feedback meeting can be planned only before it is held."))
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
        action="feedback_scheduled",
        by=by,
        comment=f"{timezone.localtime(at):%Y-%m-%d %H:%M} {place}".strip(),
    )
    return audit


@transaction.atomic
def feedback_record(
    *, audit: Audit, by: User, response_due: date | None = None, comment: str = ""
) -> Audit:
    """The feedback meeting has been held: the commissioner now answers the proposals."""
    audit = _lock(audit)
    _require_manager(by, audit)
    if audit.status != Audit.Status.REPORT_APPROVED:
        _refuse(audit, gettext("Feedback is held after the report is approved."))
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
    _move(audit, to=Audit.Status.FEEDBACK_HELD, by=by, action="feedback_held", comment=comment)
    _notify(audit, Notification.Kind.RESPONSE_DUE)
    return audit


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
    _require_commissioner(by, audit)
    if audit.status != Audit.Status.FEEDBACK_HELD:
        _refuse(audit, gettext("Proposals are answered after the feedback meeting."))
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


@transaction.atomic
def response_submit(*, audit: Audit, by: User) -> Audit:
    """Send the answers to every proposal to the centre."""
    audit = _lock(audit)
    _require_commissioner(by, audit)
    if audit.status == Audit.Status.RESPONSE_RECEIVED:
        return audit  # Sent twice.
    if audit.status != Audit.Status.FEEDBACK_HELD:
        _refuse(audit, gettext("The response is sent after the feedback meeting."))
    unanswered = audit.proposals.filter(response="").count()
    if unanswered:
        raise ValidationError(
            gettext("Answer every proposal first: %(count)s left.") % {"count": unanswered},
            code="unanswered",
        )
    _move(audit, to=Audit.Status.RESPONSE_RECEIVED, by=by, action="response_sent")
    _notify(audit, Notification.Kind.RESPONSE_SENT)
    return audit


@transaction.atomic
def follow_up_start(*, audit: Audit, by: User, follow_up_due: date) -> Audit:
    """Plan the follow-up: the commissioner reports progress on each proposal by the date."""
    audit = _lock(audit)
    _require_manager(by, audit)
    if audit.status != Audit.Status.RESPONSE_RECEIVED:
        _refuse(audit, gettext("The follow-up starts once the response is received."))
    if follow_up_due < timezone.localdate():
        raise ValidationError(
            {"follow_up_due": gettext("The date cannot be in the past.")}, code="past"
        )
    audit.follow_up_due = follow_up_due
    audit.save(update_fields=["follow_up_due", "updated_at"])
    _move(audit, to=Audit.Status.FOLLOW_UP, by=by, action="follow_up_started")
    _notify(audit, Notification.Kind.FOLLOW_UP_STARTED)
    return audit


@transaction.atomic
def proposal_report_progress(*, proposal: Proposal, by: User, progress: str, note: str) -> Proposal:
    audit = _lock(proposal.audit)
    _require_commissioner(by, audit)
    if audit.status != Audit.Status.FOLLOW_UP:
        _refuse(audit, gettext("Progress is reported at the follow-up."))
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


@transaction.atomic
def audit_close(*, audit: Audit, by: User, comment: str = "") -> Audit:
    audit = _lock(audit)
    _require_manager(by, audit)
    if audit.status != Audit.Status.FOLLOW_UP:
        _refuse(audit, gettext("An audit is closed after its follow-up."))
    waiting = audit.proposals.needing_progress().count()
    if waiting:
        raise ValidationError(
            gettext("The commissioner has not reported progress on %(count)s proposals.")
            % {"count": waiting},
            code="progress_missing",
        )
    _move(audit, to=Audit.Status.CLOSED, by=by, action="closed", comment=comment)
    _notify(audit, Notification.Kind.AUDIT_CLOSED)
    return audit


# --- Fees ---------------------------------------------------------------------

FEE_STATES = {
    Audit.Status.AGREED,
    Audit.Status.PLANNING,
    Audit.Status.COLLECTING,
    Audit.Status.ANALYSING,
    Audit.Status.REPORT_DRAFT,
    Audit.Status.REPORT_APPROVED,
    Audit.Status.FEEDBACK_HELD,
    Audit.Status.RESPONSE_RECEIVED,
    Audit.Status.FOLLOW_UP,
}


@transaction.atomic
def fee_log(*, audit: Audit, by: User, data: dict) -> FeeEntry:
    """An auditor logs their own hours and travel on an audit they are on."""
    audit = _lock(audit)
    if not access.is_on_team(by, audit):
        raise PermissionDenied
    if audit.status not in FEE_STATES:
        _refuse(audit, gettext("Hours can be logged while the audit is under way."))
    # Sent twice: one entry, not two claims for the same hours.
    repeat = repeat_of(FeeEntry.objects.filter(audit=audit), at="created_at", auditor=by, **data)
    if repeat is not None:
        return repeat
    profile = AuditorProfile.objects.filter(user=by).first()
    rate = profile.hourly_rate if profile else AuditorProfile._meta.get_field("hourly_rate").default
    entry = FeeEntry(audit=audit, auditor=by, hourly_rate=rate, **data)
    if entry.worked_on and entry.worked_on > timezone.localdate():
        raise ValidationError(
            {"worked_on": gettext("The date cannot be in the future.")}, code="future"
        )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def fee_delete(*, entry: FeeEntry, by: User) -> None:
    if entry.auditor_id != by.pk:
        raise PermissionDenied
    audit = _lock(entry.audit)
    if audit.status not in FEE_STATES:
        _refuse(audit, gettext("Hours can be removed only while the audit is under way."))
    entry.delete()


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


def fee_total(entries: Iterable[FeeEntry]) -> Decimal:
    return sum((entry.total for entry in entries), Decimal("0"))
