"""Export and import of audits, proposals and fee entries (django-import-export), validated
row by row."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from import_export import fields, resources, widgets

from brukarkraft.importing import LookupWidget
from brukarkraft.models import Organisation, User

from ..models import Audit, AuditMember, FeeEntry, Finding, Proposal

# --- Import and export --------------------------------------------------------


class AuditResource(resources.ModelResource):
    """Audits by reference number. Import updates contact details and dates of existing
    audits only: an audit is ordered through the portal, and its status follows the workflow."""

    reference = fields.Field(attribute="reference", column_name="reference")
    title = fields.Field(attribute="title", column_name="title")
    organisation = fields.Field(attribute="organisation", column_name="organisation", readonly=True)
    status = fields.Field(column_name="status", readonly=True)
    language = fields.Field(attribute="language", column_name="language")
    county = fields.Field(column_name="county", readonly=True)
    units = fields.Field(column_name="units", readonly=True)
    performing_organisation = fields.Field(
        attribute="performing_organisation",
        column_name="performing_organisation",
        widget=LookupWidget(Organisation, field="name"),
    )
    contact_name = fields.Field(attribute="contact_name", column_name="contact_name")
    contact_email = fields.Field(attribute="contact_email", column_name="contact_email")
    contact_phone = fields.Field(attribute="contact_phone", column_name="contact_phone")
    period_start = fields.Field(
        attribute="period_start", column_name="period_start", widget=widgets.DateWidget()
    )
    period_end = fields.Field(
        attribute="period_end", column_name="period_end", widget=widgets.DateWidget()
    )
    submitted_at = fields.Field(
        attribute="submitted_at",
        column_name="submitted_at",
        readonly=True,
        widget=widgets.DateTimeWidget(),
    )
    response_due = fields.Field(attribute="response_due", column_name="response_due", readonly=True)
    follow_up_due = fields.Field(
        attribute="follow_up_due", column_name="follow_up_due", readonly=True
    )

    class Meta:
        model = Audit
        import_id_fields = ["reference"]
        fields = (
            "reference",
            "title",
            "organisation",
            "status",
            "language",
            "county",
            "units",
            "performing_organisation",
            "contact_name",
            "contact_email",
            "contact_phone",
            "period_start",
            "period_end",
            "submitted_at",
            "response_due",
            "follow_up_due",
        )
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related(
            "organisation", "county", "performing_organisation"
        ).prefetch_related("units")

    def init_instance(self, row=None):
        raise ValidationError(
            gettext(
                "No audit has the reference %(reference)s. Audits are ordered through the"
                " portal; an import can only change existing audits."
            )
            % {"reference": (row or {}).get("reference") or "–"},
            code="unknown_audit",
        )

    def dehydrate_organisation(self, audit: Audit) -> str:
        return audit.organisation.name

    def dehydrate_status(self, audit: Audit) -> str:
        return str(audit.get_status_display())

    def dehydrate_county(self, audit: Audit) -> str:
        return audit.county.name if audit.county else ""

    def dehydrate_units(self, audit: Audit) -> str:
        return ", ".join(unit.name for unit in audit.units.all())

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        performer = instance.performing_organisation
        if performer is not None and performer.kind not in {
            Organisation.Kind.USER_ORGANISATION,
            Organisation.Kind.UMBRELLA_BODY,
        }:
            raise ValidationError(
                {"performing_organisation": gettext("Choose a user organisation.")},
                code="not_user_org",
            )


class ProposalResource(resources.ModelResource):
    """Proposals by audit reference and number, with the findings they cite by number."""

    audit = fields.Field(
        attribute="audit",
        column_name="audit",
        widget=LookupWidget(Audit, field="reference"),
    )
    organisation = fields.Field(column_name="organisation", readonly=True)
    number = fields.Field(attribute="number", column_name="number", widget=widgets.IntegerWidget())
    text = fields.Field(attribute="text", column_name="text")
    findings = fields.Field(column_name="findings")
    response = fields.Field(attribute="response", column_name="response")
    response_label = fields.Field(column_name="response_label", readonly=True)
    action = fields.Field(attribute="action", column_name="action")
    action_owner = fields.Field(attribute="action_owner", column_name="action_owner")
    deadline = fields.Field(
        attribute="deadline", column_name="deadline", widget=widgets.DateWidget()
    )
    progress = fields.Field(attribute="progress", column_name="progress")
    progress_label = fields.Field(column_name="progress_label", readonly=True)
    progress_note = fields.Field(attribute="progress_note", column_name="progress_note")

    class Meta:
        model = Proposal
        import_id_fields = ["audit", "number"]
        fields = (
            "audit",
            "organisation",
            "number",
            "text",
            "findings",
            "response",
            "response_label",
            "action",
            "action_owner",
            "deadline",
            "progress",
            "progress_label",
            "progress_note",
        )
        export_order = fields
        clean_model_instances = True

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("audit__organisation").prefetch_related("findings")

    def dehydrate_organisation(self, proposal: Proposal) -> str:
        return proposal.audit.organisation.name

    def dehydrate_findings(self, proposal: Proposal) -> str:
        return ", ".join(str(finding.number) for finding in proposal.findings.all())

    def dehydrate_response_label(self, proposal: Proposal) -> str:
        return str(proposal.get_response_display())

    def dehydrate_progress_label(self, proposal: Proposal) -> str:
        return str(proposal.get_progress_display())

    def import_field(self, field, instance, row, **kwargs):
        if field.column_name == "findings":
            return  # Set after saving, once the proposal has a primary key.
        super().import_field(field, instance, row, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        # A proposal must build on findings of its own audit (as in services._check_findings).
        numbers = []
        for part in str(row.get("findings") or "").replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit():
                raise ValidationError(
                    {"findings": gettext("Give the findings' numbers, for example 1, 3.")},
                    code="invalid",
                )
            numbers.append(int(part))
        if not numbers:
            raise ValidationError(
                {"findings": gettext("A proposal must build on at least one finding.")},
                code="no_findings",
            )
        found = list(Finding.objects.filter(audit_id=instance.audit_id, number__in=numbers))
        missing = sorted(set(numbers) - {finding.number for finding in found})
        if missing:
            raise ValidationError(
                {
                    "findings": gettext("The audit has no finding number %(numbers)s.")
                    % {"numbers": ", ".join(map(str, missing))}
                },
                code="unknown_finding",
            )
        instance._imported_findings = found

    def after_save_instance(self, instance, row, **kwargs):
        findings = getattr(instance, "_imported_findings", None)
        if findings is not None:
            instance.findings.set(findings)


class FeeEntryResource(resources.ModelResource):
    """Fee entries; a new row (no id) is a new entry. The auditor is named by e-mail and
    must be on the audit's team, as when they log hours themselves."""

    id = fields.Field(attribute="id", column_name="id", widget=widgets.IntegerWidget())
    audit = fields.Field(
        attribute="audit",
        column_name="audit",
        widget=LookupWidget(Audit, field="reference"),
    )
    auditor = fields.Field(
        attribute="auditor",
        column_name="auditor_email",
        widget=LookupWidget(User, field="email", lookup="email__iexact"),
    )
    auditor_name = fields.Field(column_name="auditor_name", readonly=True)
    worked_on = fields.Field(attribute="worked_on", column_name="date", widget=widgets.DateWidget())
    activity = fields.Field(attribute="activity", column_name="activity")
    activity_label = fields.Field(column_name="activity_label", readonly=True)
    hours = fields.Field(attribute="hours", column_name="hours", widget=widgets.DecimalWidget())
    hourly_rate = fields.Field(
        attribute="hourly_rate", column_name="hourly_rate", widget=widgets.DecimalWidget()
    )
    travel_km = fields.Field(
        attribute="travel_km", column_name="travel_km", widget=widgets.IntegerWidget()
    )
    travel_cost = fields.Field(
        attribute="travel_cost", column_name="travel_cost", widget=widgets.DecimalWidget()
    )
    note = fields.Field(attribute="note", column_name="note")
    total = fields.Field(column_name="total", readonly=True)

    class Meta:
        model = FeeEntry
        import_id_fields = ["id"]
        fields = (
            "id",
            "audit",
            "auditor",
            "auditor_name",
            "worked_on",
            "activity",
            "activity_label",
            "hours",
            "hourly_rate",
            "travel_km",
            "travel_cost",
            "note",
            "total",
        )
        export_order = fields
        clean_model_instances = True

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("audit", "auditor")

    def dehydrate_auditor_name(self, entry: FeeEntry) -> str:
        return entry.auditor.full_name

    def dehydrate_activity_label(self, entry: FeeEntry) -> str:
        return str(entry.get_activity_display())

    def dehydrate_total(self, entry: FeeEntry) -> str:
        return f"{entry.total:.2f}"

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if instance.worked_on and instance.worked_on > timezone.localdate():
            raise ValidationError(
                {"worked_on": gettext("The date cannot be in the future.")}, code="future"
            )
        if (
            instance.audit_id
            and instance.auditor_id
            and not AuditMember.objects.filter(
                audit_id=instance.audit_id, user_id=instance.auditor_id
            ).exists()
        ):
            raise ValidationError(
                {"auditor": gettext("The auditor is not on this audit's team.")},
                code="not_member",
            )
