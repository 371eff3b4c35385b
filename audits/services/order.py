"""The commissioner's order and the centre taking it on: drafting, sending, accepting,
declining, cancelling and choosing who performs the audit."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.faults import repeat_of
from brukarkraft.models import Organisation, User
from brukarkraft.roles import Role

from .. import workflow
from ..models import Audit, AuditEvent, Notification, Unit
from ..workflow import STEPS
from .base import _lock, _move, _notify, _record, _refuse, _require, _require_state

logger = logging.getLogger(__name__)


# --- The order ----------------------------------------------------------------


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
    _move(audit, to=Audit.Status.REQUESTED, by=by, action=AuditEvent.Kind.SUBMITTED)
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


@workflow.performs("accept")
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
    step = STEPS["accept"]
    _require(step, by, audit)
    if not step.allowed_state(audit) or audit.accepted_at is not None:
        _refuse(audit, gettext("Only a new order can be accepted."))
    audit.accepted_at = timezone.now()
    if performing_organisation is not None:
        audit.performing_organisation = performing_organisation
    audit.save(update_fields=["accepted_at", "performing_organisation", "updated_at"])
    _record(audit, action=step.kind, by=by, comment=comment)
    return audit


@workflow.performs("decline")
@transaction.atomic
def audit_decline(*, audit: Audit, by: User, reason: str) -> Audit:
    """Decline an order with a reason the commissioner sees."""
    audit = _lock(audit)
    step = STEPS["decline"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("Only a new order can be declined."))
    if not reason.strip():
        raise ValidationError({"reason": gettext("Give a reason.")}, code="reason_required")
    _move(audit, to=step.to_state, by=by, action=step.kind, comment=reason)
    _notify(audit, Notification.Kind.ORDER_DECLINED)
    return audit


@workflow.performs("cancel")
@transaction.atomic
def audit_cancel(*, audit: Audit, by: User, reason: str) -> Audit:
    """Cancel an audit before data collection has begun."""
    audit = _lock(audit)
    step = STEPS["cancel"]
    _require(step, by, audit)
    _require_state(
        step, audit, gettext("An audit can be cancelled only before data collection starts.")
    )
    if not reason.strip():
        raise ValidationError({"reason": gettext("Give a reason.")}, code="reason_required")
    return _move(audit, to=step.to_state, by=by, action=step.kind, comment=reason)


@workflow.performs("performer")
@transaction.atomic
def audit_set_performer(*, audit: Audit, by: User, organisation: Organisation | None) -> Audit:
    """Record which user organisation performs the audit."""
    audit = _lock(audit)
    step = STEPS["performer"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("A closed or cancelled audit cannot be changed."))
    if organisation is not None and organisation.kind not in {
        Organisation.Kind.USER_ORGANISATION,
        Organisation.Kind.UMBRELLA_BODY,
    }:
        raise ValidationError(
            {"organisation": gettext("Choose a user organisation.")}, code="not_user_org"
        )
    audit.performing_organisation = organisation
    audit.save(update_fields=["performing_organisation", "updated_at"])
    _record(audit, action=step.kind, by=by, comment=str(organisation or ""))
    return audit
