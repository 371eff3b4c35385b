"""Audits in Django admin: every page opens, the workflow's records stay read-only, and
audits, proposals and fee entries go out and come in through django-import-export."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from import_export.forms import SelectableFieldsExportForm

from audits.models import (
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
    Notification,
    Proposal,
    Quote,
    ReportVersion,
    Unit,
)
from audits.tests.factories import ConflictFactory, FeeEntryFactory, audit_in_state
from brukarkraft.roles import Role, sync_role_groups
from brukarkraft.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

# A filter each changelist offers, as the admin's own query parameter.
FILTERS = {
    Audit: {"status__exact": "follow_up"},
    AuditEvent: {"action": "submitted"},
    AuditMember: {"role__exact": "lead"},
    AuditorProfile: {"training__exact": "trained"},
    ConfidentialityUndertaking: {"version__exact": "1"},
    Conflict: {"reason__exact": "uses_unit"},
    Coordinator: {"organisation__county__isnull": "False"},
    DataCollection: {"kind__exact": "focus_group"},
    FeeEntry: {"activity__exact": "data_collection"},
    Finding: {"theme__exact": "treatment"},
    Notification: {"kind__exact": "quote_sent"},
    Proposal: {"response__exact": "accepted"},
    Quote: {"sent_at__isempty": "0"},
    ReportVersion: {"status__exact": "ready"},
    Unit: {"service_area__exact": "labour_market"},
}


@pytest.fixture
def audit(commissioner, staff):
    """An audit in follow-up: it has a quote, team, sessions, findings, proposals, a report
    and history; plus a fee entry, a notification, a conflict and a coordinator."""
    audit = audit_in_state(Audit.Status.FOLLOW_UP, commissioner=commissioner, staff=staff)
    lead = audit.members.get(role=AuditMember.Role.LEAD).user
    FeeEntryFactory(audit=audit, auditor=lead, worked_on=timezone.localdate())
    Notification.objects.create(audit=audit, kind="quote_sent", key="quote-1", recipients=1)
    ConflictFactory(unit=audit.units.first())
    Coordinator.objects.create(
        user=UserFactory(roles=[Role.AUDITOR]), organisation=OrganisationFactory()
    )
    return audit


def url(model, view: str, *args) -> str:
    return reverse(f"admin:audits_{model._meta.model_name}_{view}", args=args)


def test_every_audits_model_is_in_admin():
    from django.apps import apps
    from simple_history.models import HistoricalChanges

    # Change history is read on each row's own admin page ("History"), not as a model.
    models = {
        m
        for m in apps.get_app_config("audits").get_models()
        if not issubclass(m, HistoricalChanges)
    }
    assert models <= set(admin.site._registry)


@pytest.mark.parametrize("model", list(FILTERS), ids=lambda model: model.__name__)
def test_each_changelist_opens_with_a_search_and_a_filter(client, admin_user, audit, model):
    client.force_login(admin_user)

    plain = client.get(url(model, "changelist"))
    searched = client.get(url(model, "changelist"), {"q": "a"})
    filtered = client.get(url(model, "changelist"), FILTERS[model])

    assert plain.status_code == 200
    assert searched.status_code == 200
    # An unknown filter makes admin redirect with ?e=1; a 200 shows the filter is real.
    assert filtered.status_code == 200
    assert filtered.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", list(FILTERS), ids=lambda model: model.__name__)
def test_each_change_page_opens(client, admin_user, audit, model):
    client.force_login(admin_user)
    instance = model.objects.order_by("pk").first()

    response = client.get(url(model, "change", instance.pk))

    assert response.status_code == 200


def test_the_audit_page_shows_its_parts_inline(client, admin_user, audit):
    client.force_login(admin_user)

    response = client.get(url(Audit, "change", audit.pk))

    names = {formset.opts.model for formset in response.context["inline_admin_formsets"]}
    assert {
        Audit.units.through,
        AuditMember,
        DataCollection,
        Finding,
        Proposal,
        AuditEvent,
        ReportVersion,
        Notification,
    } <= names


def test_status_is_read_only_on_the_audit(client, admin_user, audit):
    client.force_login(admin_user)

    response = client.get(url(Audit, "change", audit.pk))

    html = response.content.decode()
    assert 'name="status"' not in html
    assert "status" not in response.context["adminform"].form.fields
    assert str(audit.get_status_display()) in html


def test_audits_are_not_added_in_admin(client, admin_user):
    client.force_login(admin_user)

    assert client.get(url(Audit, "add")).status_code == 403


@pytest.mark.parametrize("model", [AuditEvent, ReportVersion, Notification])
def test_history_reports_and_notifications_cannot_be_edited(client, admin_user, audit, model):
    client.force_login(admin_user)
    instance = model.objects.filter(audit=audit).order_by("pk").first()
    before = {field.name: getattr(instance, field.attname) for field in model._meta.fields}

    page = client.get(url(model, "change", instance.pk))
    posted = client.post(url(model, "change", instance.pk), {"comment": "changed", "key": "x"})
    deleted = client.post(url(model, "delete", instance.pk), {"post": "yes"})

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert posted.status_code == 403
    assert deleted.status_code == 403
    instance.refresh_from_db()
    assert {field.name: getattr(instance, field.attname) for field in model._meta.fields} == before


def test_staff_with_admin_access_may_view_but_not_rewrite_history(client, audit):
    sync_role_groups()
    sara = UserFactory(roles=[Role.STAFF], is_staff=True)
    client.force_login(sara)
    event = AuditEvent.objects.filter(audit=audit).first()

    assert client.get(url(FeeEntry, "changelist")).status_code == 200
    assert client.get(url(AuditorProfile, "add")).status_code == 200
    assert client.get(url(AuditEvent, "change", event.pk)).status_code == 200
    assert client.post(url(AuditEvent, "change", event.pk), {}).status_code == 403
    assert client.get(url(Audit, "add")).status_code == 403


def test_an_auditor_without_admin_access_is_sent_to_the_admin_login(client, auditor):
    client.force_login(auditor)

    response = client.get(url(FeeEntry, "changelist"))

    assert response.status_code == 302
    assert "login" in response.url


# --- Export -------------------------------------------------------------------


def export(client, model) -> str:
    model_admin = admin.site._registry[model]
    formats = [fmt().get_title() for fmt in model_admin.get_export_formats()]
    resource = model_admin.resource_classes[0]
    data = {"format": str(formats.index("csv")), "resource": "0"}
    for name in resource().get_export_order():
        data[SelectableFieldsExportForm.create_boolean_field_name(resource, name)] = "on"
    response = client.post(url(model, "export"), data)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    return response.content.decode("utf-8-sig")


def test_audits_export_with_readable_columns(client, admin_user, audit):
    client.force_login(admin_user)

    text = export(client, Audit)

    header, row = text.splitlines()[:2]
    assert header.startswith("reference,title,organisation,status")
    assert audit.reference in row
    assert audit.organisation.name in row
    with translation.override("sv"):
        assert f",{Audit.Status.FOLLOW_UP.label}," in row
    assert audit.units.first().name in row


def test_proposals_export_with_their_audit_and_findings(client, admin_user, audit):
    client.force_login(admin_user)

    rows = list(csv.DictReader(io.StringIO(export(client, Proposal))))

    assert len(rows) == 1
    assert rows[0]["audit"] == audit.reference
    assert rows[0]["organisation"] == audit.organisation.name
    assert rows[0]["findings"] == "1"
    assert rows[0]["response"] == "accepted"
    with translation.override("sv"):
        assert rows[0]["response_label"] == str(Proposal.Response.ACCEPTED.label)


def test_fees_export_with_the_auditor_and_the_total(client, admin_user, audit):
    client.force_login(admin_user)
    entry = FeeEntry.objects.get(audit=audit)

    text = export(client, FeeEntry)

    row = text.splitlines()[1]
    assert audit.reference in row
    assert entry.auditor.email in row
    assert row.endswith(f"{entry.total:.2f}")


def test_the_payout_action_exports_one_row_per_auditor(client, admin_user, audit):
    client.force_login(admin_user)
    entry = FeeEntry.objects.get(audit=audit)
    FeeEntryFactory(audit=audit, auditor=entry.auditor, worked_on=entry.worked_on)

    response = client.post(
        url(FeeEntry, "changelist"),
        {
            "action": "export_for_payout",
            "_selected_action": list(FeeEntry.objects.values_list("pk", flat=True)),
        },
    )

    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[1].startswith(f"{entry.auditor.full_name};{entry.auditor.email};")
    assert lines[1].endswith(";2")


# --- Import -------------------------------------------------------------------


def upload(client, model, csv_text: str):
    model_admin = admin.site._registry[model]
    formats = [fmt().get_title() for fmt in model_admin.get_import_formats()]
    return client.post(
        url(model, "import"),
        {
            "resource": "0",
            "format": str(formats.index("csv")),
            "import_file": SimpleUploadedFile("rows.csv", csv_text.encode(), "text/csv"),
        },
    )


def confirm(client, model, response):
    form = response.context["confirm_form"]
    assert form is not None, "the import was refused"
    return client.post(url(model, "process_import"), form.initial)


FEE_HEADER = "id,audit,auditor_email,date,activity,hours,hourly_rate,travel_km,travel_cost,note"


def test_an_import_of_fee_entries_creates_rows(client, admin_user, audit):
    client.force_login(admin_user)
    auditor = audit.members.get(role=AuditMember.Role.AUDITOR).user
    day = (timezone.localdate() - timedelta(days=3)).isoformat()
    text = (
        f"{FEE_HEADER}\n"
        f",{audit.reference},{auditor.email.upper()},{day},analysis,2.5,210.00,12,0,Analysmöte\n"
        f",{audit.reference},{auditor.email},{day},feedback,1,210.00,0,45.50,\n"
    )

    dry_run = upload(client, FeeEntry, text)
    assert FeeEntry.objects.filter(auditor=auditor).count() == 0
    done = confirm(client, FeeEntry, dry_run)

    assert done.status_code == 302
    entries = FeeEntry.objects.filter(auditor=auditor).order_by("hours")
    assert [(e.hours, e.travel_cost) for e in entries] == [
        (Decimal("1.00"), Decimal("45.50")),
        (Decimal("2.50"), Decimal("0.00")),
    ]
    assert entries[1].note == "Analysmöte"


@pytest.mark.parametrize(
    "bad_row",
    [
        "{ref},{email},{day},analysis,25,210.00,0,0,too many hours",
        "{ref},{email},{day},dancing,1,210.00,0,0,unknown activity",
        "BR-1999-99999,{email},{day},analysis,1,210.00,0,0,unknown audit",
        "{ref},nobody@example.se,{day},analysis,1,210.00,0,0,unknown auditor",
        "{ref},{outsider},{day},analysis,1,210.00,0,0,not on the team",
        "{ref},{email},{future},analysis,1,210.00,0,0,in the future",
    ],
)
def test_a_bad_fee_row_creates_nothing(client, admin_user, outsider, audit, bad_row):
    client.force_login(admin_user)
    auditor = audit.members.get(role=AuditMember.Role.AUDITOR).user
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    values = {
        "ref": audit.reference,
        "email": auditor.email,
        "day": day,
        "outsider": outsider.email,
        "future": (timezone.localdate() + timedelta(days=2)).isoformat(),
    }
    good = ",{ref},{email},{day},analysis,1,210.00,0,0,fine".format(**values)
    text = f"{FEE_HEADER}\n{good}\n,{bad_row.format(**values)}\n"
    before = FeeEntry.objects.count()

    response = upload(client, FeeEntry, text)

    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    result = response.context["result"]
    assert result.has_errors() or result.has_validation_errors()
    assert FeeEntry.objects.count() == before


def test_an_import_updates_an_audit_but_never_its_status(client, admin_user, audit):
    client.force_login(admin_user)
    performer = OrganisationFactory(name="RSMH Örebro", kind="user_organisation")
    text = (
        "reference,title,status,contact_name,contact_email,performing_organisation\n"
        f"{audit.reference},Ny titel,closed,Karin Kontakt,karin@example.se,{performer.name}\n"
    )

    confirm(client, Audit, upload(client, Audit, text))

    audit.refresh_from_db()
    assert audit.title == "Ny titel"
    assert audit.contact_email == "karin@example.se"
    assert audit.performing_organisation == performer
    assert audit.status == Audit.Status.FOLLOW_UP


def test_an_import_cannot_create_an_audit(client, admin_user, audit):
    client.force_login(admin_user)
    before = Audit.objects.count()

    response = upload(client, Audit, "reference,title\nBR-2026-99999,Påhittad\n")

    assert response.context.get("confirm_form") is None
    assert Audit.objects.count() == before


def test_an_import_updates_a_proposal_and_its_findings(client, admin_user, audit):
    client.force_login(admin_user)
    proposal = audit.proposals.get()
    text = (
        "audit,number,text,findings,response,action\n"
        f'{audit.reference},1,"Inför fast kontaktperson, skriftligt.",1,partly,Delvis\n'
    )

    confirm(client, Proposal, upload(client, Proposal, text))

    proposal.refresh_from_db()
    assert proposal.text == "Inför fast kontaktperson, skriftligt."
    assert proposal.response == Proposal.Response.PARTLY
    assert list(proposal.findings.values_list("number", flat=True)) == [1]


@pytest.mark.parametrize("findings", ["", "7", "x"])
def test_a_proposal_must_cite_findings_of_its_own_audit(client, admin_user, audit, findings):
    client.force_login(admin_user)
    before = Proposal.objects.count()

    response = upload(
        client,
        Proposal,
        f"audit,number,text,findings\n{audit.reference},2,Nytt förslag,{findings}\n",
    )

    assert response.context.get("confirm_form") is None
    assert Proposal.objects.count() == before


def test_the_conflicts_admin_lists_the_auditors_conflicts(client, admin_user, audit):
    client.force_login(admin_user)
    conflict = Conflict.objects.first()

    response = client.get(url(Conflict, "changelist"), {"q": conflict.auditor.full_name})

    assert list(response.context["cl"].result_list) == [conflict]


def test_the_undertaking_date_hierarchy_works(client, admin_user, audit):
    client.force_login(admin_user)
    year = ConfidentialityUndertaking.objects.first().accepted_at.year

    response = client.get(
        url(ConfidentialityUndertaking, "changelist"), {"accepted_at__year": year}
    )

    assert response.status_code == 200
    assert response.context["cl"].result_count == ConfidentialityUndertaking.objects.count()
