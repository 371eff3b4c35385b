"""What the centre's audit pages share: fetching the audit with the right check (404 for an
audit out of reach, 403 for the wrong role), putting a service's refusal on a form or in a
message, and the order the team is listed in."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest

from brukarkraft.roles import Role

from .. import access
from ..models import Audit, AuditMember, Quote

PAGE_SIZE = 25
# Everyone who works with audits; a person without a role has nothing to see here.
AUDIT_ROLES = (Role.COMMISSIONER, Role.AUDITOR, Role.STAFF, Role.ADMIN)


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


def _flow_index(status: str) -> int:
    return Audit.FLOW.index(status) if status in Audit.FLOW else -1


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


TEAM_ORDER = {
    AuditMember.Role.LEAD: 0,
    AuditMember.Role.AUDITOR: 1,
    AuditMember.Role.RELATIVE: 2,
    AuditMember.Role.COORDINATOR: 3,
}
