"""Who may do what with audits, in the portal's one pattern (README, "Access rules"):
lists through the queryset methods `Audit.objects.visible_to(user)` / `editable_by(user)`,
single audits through the predicates here (`can_<verb>`, `is_<role>`). Views look the audit up
through `visible_audit` (an outsider gets 404) and then ask a predicate (the wrong role gets
403, `require`); the services ask the same predicates, named in audits.workflow."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from brukarkraft.roles import Role

from .models import Audit, AuditMember, ConfidentialityUndertaking


def visible_audit(user, pk: int, queryset=None) -> Audit:
    """The audit `pk` if `user` may see it; 404 otherwise, so nothing is revealed."""
    queryset = queryset if queryset is not None else Audit.objects.for_detail()
    return get_object_or_404(queryset.visible_to(user), pk=pk)


def is_staff(user) -> bool:
    return user.is_authenticated and user.has_role(Role.STAFF, Role.ADMIN)


def can_handle_order(user, audit: Audit) -> bool:
    """Accept or decline an order, choose who performs it: the centre's own staff only
    (a coordinator manages the audit but does not take orders on for the centre)."""
    return is_staff(user)


def coordinates(user, audit: Audit) -> bool:
    """True for the coordinator of the user association that performs the audit."""
    if not user.is_authenticated or audit.performing_organisation_id is None:
        return False
    # A page asks several times; remember the answer on the audit for this request.
    answers = audit.__dict__.setdefault("_coordinates", {})
    if user.pk not in answers:
        answers[user.pk] = audit.performing_organisation.audit_coordinators.filter(
            user=user
        ).exists()
    return answers[user.pk]


def can_manage(user, audit: Audit) -> bool:
    """Staff manage every audit; a coordinator the audits of their association."""
    return is_staff(user) or coordinates(user, audit)


def is_commissioner_of(user, audit: Audit) -> bool:
    if not (user.is_authenticated and user.has_role(Role.COMMISSIONER)):
        return False
    # A page asks several times; remember the answer on the audit for this request.
    answers = audit.__dict__.setdefault("_commissioner", {})
    if user.pk not in answers:
        answers[user.pk] = audit.organisation.memberships.filter(user=user).exists()
    return answers[user.pk]


def is_party_to(user, audit: Audit) -> bool:
    """The centre's side (a manager) or the commissioner: the two parties to the agreement."""
    return can_manage(user, audit) or is_commissioner_of(user, audit)


def team_role(user, audit: Audit) -> str | None:
    """The user's role on the audit's team, or None."""
    if not user.is_authenticated:
        return None
    for member in audit.members.all():
        if member.user_id == user.pk:
            return member.role
    return None


def is_on_team(user, audit: Audit) -> bool:
    return team_role(user, audit) is not None


def is_lead(user, audit: Audit) -> bool:
    return team_role(user, audit) == AuditMember.Role.LEAD


def can_lead(user, audit: Audit) -> bool:
    """Move the team's own work on (analysis, draft report, summary): a manager or the lead."""
    return can_manage(user, audit) or is_lead(user, audit)


def team_survey_ids(user, *, build: bool):
    """The surveys linked to the audits `user` is on the team of now (the lead only, when
    `build`); a closed or cancelled audit gives nothing, so access ends with the audit."""
    members = AuditMember.objects.filter(user=user, audit__survey__isnull=False).exclude(
        audit__status__in=[Audit.Status.CLOSED, Audit.Status.CANCELLED]
    )
    if build:
        members = members.filter(role=AuditMember.Role.LEAD)
    return members.values("audit__survey_id")


def has_undertaking(user) -> bool:
    if "_has_undertaking" not in user.__dict__:
        user.__dict__["_has_undertaking"] = ConfidentialityUndertaking.objects.filter(
            user=user, version=ConfidentialityUndertaking.CURRENT_VERSION
        ).exists()
    return user.__dict__["_has_undertaking"]


def can_conduct(user, audit: Audit) -> bool:
    """Write sessions, findings and proposals: the team (having signed) or a manager."""
    if can_manage(user, audit):
        return True
    return is_on_team(user, audit) and has_undertaking(user)


def works_on(user, audit: Audit) -> bool:
    """The audit's managers and its team: they see its work at every stage."""
    return can_manage(user, audit) or is_on_team(user, audit)


def can_see_agreement(user, audit: Audit) -> bool:
    return is_party_to(user, audit) or is_on_team(user, audit)


def can_read_results(user, audit: Audit) -> bool:
    """Team and managers read findings and proposals at every stage; the commissioner only
    once the report is approved, so a draft is never taken for the final word."""
    if works_on(user, audit):
        return True
    return is_commissioner_of(user, audit) and audit.report_is_frozen


def can_download_report(user, audit: Audit) -> bool:
    """Everyone who may see the audit may download its report; the commissioner only once
    it is approved, so a draft is never mistaken for the final word."""
    if can_manage(user, audit) or is_on_team(user, audit):
        return True
    return is_commissioner_of(user, audit) and audit.report_is_frozen


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied
