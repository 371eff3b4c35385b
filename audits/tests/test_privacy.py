"""The audits' part of a person's data: found, exported and erased (audits/privacy.py)."""

from __future__ import annotations

import json

import pytest
from django.core.files.base import ContentFile

from audits import privacy
from audits.models import (
    Audit,
    AuditEvent,
    AuditMember,
    AuditorProfile,
    ConfidentialityUndertaking,
    Conflict,
    FeeEntry,
    Proposal,
    ReportVersion,
)
from audits.tests.factories import (
    AuditFactory,
    ConflictFactory,
    FeeEntryFactory,
    ProposalFactory,
    audit_in_state,
    trained_auditor,
)
from brukarkraft.privacy import Person, Replacement
from brukarkraft.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_audit():
    # Astrid leads an audit whose report is approved; Bengt is on the team with her.
    astrid = trained_auditor(user__full_name="Astrid Revisor")
    bengt = trained_auditor(user__full_name="Bengt Kollega")
    audit = audit_in_state(Audit.Status.REPORT_APPROVED, auditors=[astrid, bengt])
    return audit, astrid, bengt


def test_an_auditors_export_holds_profile_team_fees_and_the_approved_report(report_audit):
    audit, astrid, bengt = report_audit
    ConflictFactory(auditor=astrid, note="Min bror arbetar där.")
    FeeEntryFactory(audit=audit, auditor=astrid, note="Fokusgrupp")
    FeeEntryFactory(audit=audit, auditor=bengt, note="Bengts timmar")

    data = privacy.export(Person.for_user(astrid))

    assert data["auditor_profile"]["training"] == AuditorProfile.Training.TRAINED
    assert [row["version"] for row in data["undertakings"]] == [1]
    assert [row["note"] for row in data["conflicts"]] == ["Min bror arbetar där."]
    assert [row["audit"] for row in data["team_memberships"]] == [audit.reference]
    assert [row["note"] for row in data["fee_entries"]] == ["Fokusgrupp"]
    assert [row["audit"] for row in data["approved_reports"]] == [audit.reference]
    text = json.dumps(data, default=str)
    assert "Bengt" not in text and bengt.email not in text


def test_an_order_contact_without_an_account_is_found_by_address_and_name():
    audit = AuditFactory(contact_name="Kim Kontakt", contact_email="Kim@Example.se")

    by_email = privacy.find("kim@example.se")
    by_name = privacy.find("kontakt")

    assert [(m.name, m.detail) for m in by_email] == [("Kim Kontakt", audit.reference)]
    assert [m.ref for m in by_name] == [("audits.audit", audit.pk, "contact_email")]
    data = privacy.export(Person(email="kim@example.se", name="Kim Kontakt"))
    assert [row["contact_email"] for row in data["orders"]] == ["Kim@Example.se"]


def test_erasing_a_contact_replaces_the_name_in_the_order_and_its_history():
    audit = AuditFactory(
        contact_name="Kim Kontakt", contact_email="kim@example.se", contact_phone="070-1234567"
    )
    audit.title = "Ändrad titel"
    audit.save()  # a second history row with the contact in it
    other = AuditFactory(contact_name="Olle Annan", contact_email="olle@example.se")
    person = Person(email="kim@example.se", name="Kim Kontakt")

    changed = privacy.erase(person, Replacement(number=7))

    audit.refresh_from_db()
    assert changed > 0
    assert audit.contact_name == Replacement(number=7).label("contact")
    assert (audit.contact_email, audit.contact_phone) == ("", "")
    history = Audit.history.filter(id=audit.pk)
    assert history.count() >= 1
    assert not history.filter(contact_name="Kim Kontakt").exists()
    assert not history.exclude(contact_email="").exists()
    other.refresh_from_db()
    assert other.contact_name == "Olle Annan"
    assert privacy.erase(person, Replacement(number=7)) == 0


def test_erasing_an_auditor_keeps_the_record_and_deletes_what_need_not_stay(report_audit):
    audit, astrid, bengt = report_audit
    ConflictFactory(auditor=astrid)
    fee = FeeEntryFactory(audit=audit, auditor=astrid)
    draft = ReportVersion.objects.create(
        audit=audit, number=9, language="sv", status=ReportVersion.Status.READY
    )
    draft.file.save("draft-v9.pdf", ContentFile(b"%PDF-1.7 Astrid Revisor"), save=True)
    approved = audit.reports.get(approved=True)

    privacy.erase(Person.for_user(astrid), Replacement(number=3))

    assert not AuditorProfile.objects.filter(user=astrid).exists()
    assert not Conflict.objects.filter(auditor=astrid).exists()
    assert ConfidentialityUndertaking.objects.filter(user=astrid).exists()
    assert AuditMember.objects.filter(audit=audit, user=astrid).exists()
    assert FeeEntry.objects.filter(pk=fee.pk).exists()
    assert not ReportVersion.objects.filter(pk=draft.pk).exists()
    assert ReportVersion.objects.filter(pk=approved.pk, approved=True).exists()
    comments = " ".join(AuditEvent.objects.filter(audit=audit).values_list("comment", flat=True))
    assert "Astrid Revisor" not in comments
    assert "Bengt Kollega" in comments
    assert AuditorProfile.objects.filter(user=bengt).exists()


def test_a_name_given_as_responsible_is_replaced_in_the_proposal_and_its_history():
    audit = audit_in_state(Audit.Status.RESPONSE_RECEIVED)
    proposal = audit.proposals.get()
    proposal.action_owner = "Rut Ansvarig"
    proposal.save()  # a history row that names her
    other = ProposalFactory(action_owner="Enhetschefen")

    matches = privacy.find("Ansvarig")
    assert [m.ref for m in matches] == [("audits.proposal", proposal.pk, "action_owner")]
    changed = privacy.erase(Person(email="", name="Rut Ansvarig"), Replacement(number=5))

    proposal.refresh_from_db()
    other.refresh_from_db()
    assert changed >= 2
    assert proposal.action_owner == Replacement(number=5).label("contact")
    assert not Proposal.history.filter(action_owner="Rut Ansvarig").exists()
    assert other.action_owner == "Enhetschefen"


def test_an_orderers_export_leaves_out_the_colleague_named_as_contact():
    orderer = UserFactory(full_name="Cecilia Beställare", email="cecilia@example.se")
    AuditFactory(ordered_by=orderer, contact_name="Kollega Kontakt", contact_email="k@example.se")

    (order,) = privacy.export(Person.for_user(orderer))["orders"]

    assert "contact_email" not in order
    assert "Kollega" not in json.dumps(order, default=str)
