"""The audits' part of a person's data: auditor profile, undertakings, conflicts, teams, fees,
what they wrote, the orders that name them as contact (see brukarkraft.privacy).

What must stay (team memberships, findings and proposals they wrote, fee entries for the
bookkeeping, the audit's history) stays, pointing at the anonymised account. An approved
report PDF is a frozen official document: it is kept as it is, with the names it was
approved with; versions that were never approved are deleted.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brukarkraft.privacy import (
    MATCH_LIMIT,
    Item,
    Match,
    Person,
    Replacement,
    account_kind,
    account_matches,
    is_email,
    matching,
    replace_names,
)
from brukarkraft.retention import delete_files_on_commit

from .models import (
    Audit,
    AuditEvent,
    AuditMember,
    AuditorProfile,
    ConfidentialityUndertaking,
    Conflict,
    Coordinator,
    DataCollection,
    FeeEntry,
    Finding,
    Proposal,
    ReportVersion,
)

KEY = "audits"
TITLE = _("User audits")

KEPT_FOR_ACCOUNT = _("Kept; it now shows the anonymised account's replacement name.")
ITEMS = {
    "auditor_profile": Item(_("Auditor profile"), _("Deleted.")),
    "undertakings": Item(
        _("Confidentiality undertakings"),
        _("Kept as proof of the undertaking, pointing at the anonymised account."),
    ),
    "conflicts": Item(_("Declared conflicts of interest"), _("Deleted.")),
    "coordinator_of": Item(_("Coordinator of a user association's audits"), _("Deleted.")),
    "team_memberships": Item(_("Places on audit teams"), KEPT_FOR_ACCOUNT),
    "fee_entries": Item(
        _("Fee entries"), _("Kept for the bookkeeping, pointing at the anonymised account.")
    ),
    "findings_written": Item(_("Findings written or last changed"), KEPT_FOR_ACCOUNT),
    "proposals_written": Item(_("Improvement proposals written or last changed"), KEPT_FOR_ACCOUNT),
    "sessions_recorded": Item(_("Data-collection sessions recorded"), KEPT_FOR_ACCOUNT),
    "orders": Item(
        _("Orders that name the person as contact"),
        _(
            "Kept; the contact's name is replaced, their e-mail address and telephone number"
            " removed, here and in the change history."
        ),
    ),
    "named_responsible": Item(
        _("Proposals naming the person as responsible"),
        _("Kept; the name is replaced, here and in the change history."),
    ),
    "events": Item(_("Entries in audits' history made by the person"), KEPT_FOR_ACCOUNT),
    "approved_reports": Item(
        _("Approved report PDFs that name the person"),
        _(
            "Kept unchanged: an approved report is a frozen official document, so the name in"
            " it cannot be edited. Report versions that were never approved are deleted, and"
            " new versions show the replacement name."
        ),
    ),
}

# The history entries whose comment the services write from the person's name.
TEAM_ACTIONS = ("member_added", "lead_named", "member_removed")


def find(query: str) -> list[Match]:
    matches = account_matches(
        _("User auditor"),
        query,
        Q(auditor_profile__isnull=False),
        Q(audit_memberships__isnull=False),
    )
    matches += account_matches(_("Ordered a user audit"), query, Q(ordered_audits__isnull=False))
    contacts = Audit.objects.filter(matching(query, email="contact_email", name="contact_name"))
    # Proposals name the person responsible without an address.
    responsible = (
        Proposal.objects.none()
        if is_email(query)
        else Proposal.objects.filter(action_owner__icontains=query)
    )
    for audit in contacts.order_by("-pk")[:MATCH_LIMIT]:
        field = "contact_email" if audit.contact_email else "contact_name"
        matches.append(
            Match(
                _("Contact person for an audit order"),
                audit.contact_name,
                audit.contact_email,
                ("audits.audit", audit.pk, field),
                detail=audit.reference,
            )
        )
    for proposal in responsible.select_related("audit").order_by("-pk")[:MATCH_LIMIT]:
        matches.append(
            Match(
                _("Named as responsible for an improvement proposal"),
                proposal.action_owner,
                "",
                ("audits.proposal", proposal.pk, "action_owner"),
                detail=f"{proposal.audit.reference} #{proposal.number}",
            )
        )
    return matches


def _contact_rows(model, person: Person):
    """Audits (or their history rows) that give `person` as the order's contact."""
    return model.objects.filter(person.rows(email="contact_email", name="contact_name"))


def _linked_audits(person: Person) -> list[int]:
    rule = Q(pk__in=_contact_rows(Audit, person).values("pk"))
    if person.user is not None:
        rule |= Q(ordered_by=person.user) | Q(members__user=person.user)
    return list(Audit.objects.filter(rule).values_list("pk", flat=True).distinct())


def _names(person: Person) -> list[str]:
    names = set(person.user_names())
    if person.email:
        names |= set(_contact_rows(Audit, person).values_list("contact_name", flat=True))
    else:
        names.add(person.name)
    return [name for name in names if name.strip()]


def _named_responsible(model, person: Person, audit_ids: list[int] | None):
    """Proposals (or their history rows) that give one of the person's names as responsible."""
    names = _names(person)
    if not names:
        return model.objects.none()
    rows = model.objects.filter(reduce(or_, [Q(action_owner__iexact=n) for n in names]))
    # A name alone is too common to look for everywhere when we know where the person took part.
    return rows if audit_ids is None else rows.filter(audit_id__in=audit_ids)


def _is_contact(audit: Audit, person: Person) -> bool:
    if person.email:
        return audit.contact_email.strip().lower() == person.email
    return audit.contact_name.strip().casefold() == person.name.casefold()


def _order(audit: Audit, person: Person) -> dict:
    row = {
        "audit": audit.reference,
        "title": audit.title,
        "status": audit.status,
        "ordered": audit.submitted_at,
    }
    # Someone who ordered may have named a colleague as the contact: that is not theirs.
    if _is_contact(audit, person):
        row.update(
            contact_name=audit.contact_name,
            contact_email=audit.contact_email,
            contact_phone=audit.contact_phone,
            invoice_reference=audit.invoice_reference,
        )
    if person.email and audit.invoice_email.strip().lower() == person.email:
        row["invoice_email"] = audit.invoice_email
    return row


def export(person: Person) -> dict:
    user = person.user
    data: dict = {key: [] for key in ITEMS}
    data["auditor_profile"] = None
    if user is not None:
        profile = (
            AuditorProfile.objects.filter(user=user)
            .select_related("county", "user_organisation")
            .first()
        )
        if profile is not None:
            data["auditor_profile"] = {
                "county": str(profile.county or ""),
                "user_organisation": str(profile.user_organisation or ""),
                "experience_areas": profile.experience_areas,
                "training": profile.training,
                "trained_until": profile.trained_until,
                "available": profile.available,
                "availability_note": profile.availability_note,
                "hourly_rate": profile.hourly_rate,
            }
        data["undertakings"] = [
            {"version": row.version, "accepted_at": row.accepted_at}
            for row in ConfidentialityUndertaking.objects.filter(user=user)
        ]
        data["conflicts"] = [
            {
                "unit": row.unit.name if row.unit else "",
                "organisation": row.organisation.name if row.organisation else "",
                "reason": row.reason,
                "note": row.note,
                "declared_at": row.declared_at,
            }
            for row in Conflict.objects.filter(auditor=user).select_related("unit", "organisation")
        ]
        data["coordinator_of"] = [
            {"organisation": row.organisation.name}
            for row in Coordinator.objects.filter(user=user).select_related("organisation")
        ]
        data["team_memberships"] = [
            {
                "audit": row.audit.reference,
                "title": row.audit.title,
                "role": row.role,
                "assigned_at": row.assigned_at,
            }
            for row in AuditMember.objects.filter(user=user).select_related("audit")
        ]
        data["fee_entries"] = [
            {
                "audit": row.audit.reference,
                "date": row.worked_on,
                "activity": row.activity,
                "hours": row.hours,
                "hourly_rate": row.hourly_rate,
                "travel_km": row.travel_km,
                "travel_cost": row.travel_cost,
                "note": row.note,
            }
            for row in FeeEntry.objects.filter(auditor=user).select_related("audit")
        ]
        data["findings_written"] = [
            {"audit": row.audit.reference, "number": row.number, "title": row.title}
            for row in Finding.objects.filter(Q(created_by=user) | Q(updated_by=user))
            .select_related("audit")
            .order_by("audit_id", "number")
        ]
        data["proposals_written"] = [
            {"audit": row.audit.reference, "number": row.number, "text": row.text}
            for row in Proposal.objects.filter(Q(created_by=user) | Q(updated_by=user))
            .select_related("audit")
            .order_by("audit_id", "number")
        ]
        data["sessions_recorded"] = [
            {"audit": row.audit.reference, "kind": row.kind, "held_on": row.held_on}
            for row in DataCollection.objects.filter(recorded_by=user).select_related("audit")
        ]
        # The action and the time, not the comment: comments may name other people.
        data["events"] = [
            {"audit": row.audit.reference, "action": row.action, "at": row.at}
            for row in AuditEvent.objects.filter(by=user).select_related("audit")
        ]
        data["approved_reports"] = [
            {
                "audit": row.audit.reference,
                "version": row.number,
                "sha256": row.sha256,
                "made": row.finished_at,
            }
            for row in ReportVersion.objects.filter(approved=True, audit__members__user=user)
            .select_related("audit")
            .order_by("audit_id")
        ]
    orders = _contact_rows(Audit, person)
    if user is not None:
        orders = Audit.objects.filter(Q(pk__in=orders.values("pk")) | Q(ordered_by=user))
    data["orders"] = [_order(row, person) for row in orders.order_by("pk")]
    audit_ids = _linked_audits(person) if person.email else None
    data["named_responsible"] = [
        {"audit": row.audit.reference, "proposal": row.number, "responsible": row.action_owner}
        for row in _named_responsible(Proposal, person, audit_ids).select_related("audit")
    ]
    return data


def erase(person: Person, replacement: Replacement) -> int:
    changed = 0
    user = person.user
    audit_ids = _linked_audits(person) if person.email else None
    contact = replacement.label("contact")

    for model in (Proposal, Proposal.history.model):
        changed += _named_responsible(model, person, audit_ids).update(action_owner=contact)
    for model in (Audit, Audit.history.model):
        if person.email:
            changed += model.objects.filter(invoice_email__iexact=person.email).update(
                invoice_email=""
            )
        changed += _contact_rows(model, person).update(
            contact_name=contact, contact_email="", contact_phone=""
        )

    if user is None:
        return changed

    changed += AuditorProfile.objects.filter(user=user).delete()[0]
    changed += Conflict.objects.filter(auditor=user).delete()[0]
    changed += Coordinator.objects.filter(user=user).delete()[0]

    account_names = person.user_names()
    if account_names:
        events = AuditEvent.objects.filter(
            Q(audit_id__in=audit_ids) | Q(action__in=TEAM_ACTIONS),
            reduce(or_, [Q(comment__contains=n) for n in account_names]),
        )
        label = replacement.label(account_kind(user))
        for event in events:
            AuditEvent.objects.filter(pk=event.pk).update(
                comment=replace_names(event.comment, account_names, label)
            )
            changed += 1

    # Versions never approved still print the real name: they go, and a new version (made
    # from the anonymised account) replaces them when needed. The approved one stays.
    drafts = ReportVersion.objects.filter(
        audit__members__user=user,
        approved=False,
        status__in=[ReportVersion.Status.READY, ReportVersion.Status.FAILED],
    )
    files = [row.file.name for row in drafts]
    changed += ReportVersion.objects.filter(pk__in=[row.pk for row in drafts]).delete()[0]
    delete_files_on_commit(ReportVersion, "file", files)
    return changed
