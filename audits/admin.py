"""User audits in Django admin.

The workflow is not run from here: an audit's status changes only through
audits.services (the portal's pages), which check the rules and write the history.
History entries, report versions and sent notifications are read-only. Audits,
proposals and fee entries can be exported and imported (validated row by row).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin

from brukarkraft.importing import LookupWidget
from brukarkraft.models import Organisation, User
from brukarkraft.trail import ReadOnlyHistoryAdmin

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
    Notification,
    Proposal,
    Quote,
    ReportVersion,
    Unit,
)
from .views.payout import payout_rows, summary_csv

STATUS_HELP = _(
    "The status changes only through the workflow in the portal, which checks the rules and"
    " records who did what. It cannot be edited here."
)


class ReadOnlyInline(admin.TabularInline):
    """History and frozen records: shown on the audit, never changed from admin."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields or [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


# --- The auditor pool ---------------------------------------------------------


class ConflictInline(admin.TabularInline):
    model = Conflict
    fk_name = "auditor"
    extra = 0
    autocomplete_fields = ["unit", "organisation"]


@admin.register(AuditorProfile)
class AuditorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "county", "user_organisation", "training", "trained_until", "available"]
    list_filter = ["training", "available", "county"]
    search_fields = ["user__full_name", "user__email", "user_organisation__name"]
    autocomplete_fields = ["user", "user_organisation", "county"]
    list_select_related = ["user", "county", "user_organisation"]


@admin.register(ConfidentialityUndertaking)
class ConfidentialityUndertakingAdmin(ReadOnlyAdmin):
    """An acceptance is evidence; it is given by the auditor in the portal."""

    list_display = ["user", "version", "accepted_at"]
    list_filter = ["version"]
    search_fields = ["user__full_name", "user__email"]
    date_hierarchy = "accepted_at"
    list_select_related = ["user"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "municipality", "service_area"]
    list_filter = ["service_area", "municipality__county"]
    search_fields = ["name", "organisation__name", "municipality__name"]
    autocomplete_fields = ["organisation", "municipality"]
    list_select_related = ["organisation", "municipality"]


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["auditor", "unit", "organisation", "reason", "declared_at"]
    list_filter = ["reason"]
    search_fields = ["auditor__full_name", "auditor__email", "unit__name", "organisation__name"]
    autocomplete_fields = ["auditor", "unit", "organisation"]
    date_hierarchy = "declared_at"
    list_select_related = ["auditor", "unit__municipality", "organisation"]


@admin.register(Coordinator)
class CoordinatorAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation"]
    list_filter = ["organisation__county"]
    search_fields = ["user__full_name", "user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


# --- The audit ----------------------------------------------------------------


class UnitLinkInline(admin.TabularInline):
    model = Audit.units.through
    extra = 0
    autocomplete_fields = ["unit"]
    verbose_name = _("unit")
    verbose_name_plural = _("units")


class MemberInline(admin.TabularInline):
    model = AuditMember
    extra = 0
    # The team is put together through the portal, which refuses conflicts of interest
    # and untrained auditors; here it is shown, not changed.
    readonly_fields = ["user", "role", "assigned_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class SessionInline(admin.TabularInline):
    model = DataCollection
    extra = 0
    fields = ["kind", "held_on", "informants", "duration_minutes", "recorded_by"]
    readonly_fields = ["recorded_by"]


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ["number", "theme", "polarity", "title", "version"]
    readonly_fields = ["version"]
    show_change_link = True


class ProposalInline(admin.TabularInline):
    model = Proposal
    extra = 0
    fields = ["number", "text", "response", "progress"]
    readonly_fields = ["response", "progress"]
    show_change_link = True


class EventInline(ReadOnlyInline):
    model = AuditEvent
    fields = ["at", "action", "from_status", "to_status", "by", "comment"]
    show_change_link = False


class ReportInline(ReadOnlyInline):
    model = ReportVersion
    fields = ["number", "status", "language", "approved", "pages", "sha256", "finished_at"]


class NotificationInline(ReadOnlyInline):
    model = Notification
    fields = ["kind", "key", "recipients", "sent_at"]
    show_change_link = False


@admin.register(Audit)
class AuditAdmin(ReadOnlyHistoryAdmin, ImportExportModelAdmin):
    resource_classes = [AuditResource]
    list_display = [
        "reference",
        "title",
        "organisation",
        "status",
        "county",
        "performing_organisation",
        "submitted_at",
    ]
    list_filter = ["status", "language", "county", "needs_easy_read", "needs_interpreter"]
    search_fields = [
        "reference",
        "title",
        "organisation__name",
        "contact_name",
        "contact_email",
        "units__name",
    ]
    date_hierarchy = "submitted_at"
    list_select_related = ["organisation", "county", "performing_organisation"]
    autocomplete_fields = ["organisation", "performing_organisation", "county"]
    raw_id_fields = ["ordered_by", "survey"]
    readonly_fields = [
        "reference",
        "status",
        "order_step",
        "submitted_at",
        "accepted_at",
        "terms_accepted_at",
        "processor_agreement_accepted_at",
        "response_reminded_at",
        "follow_up_reminded_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            _("Workflow"),
            {
                "fields": [
                    "reference",
                    "status",
                    "submitted_at",
                    "accepted_at",
                    "response_due",
                    "follow_up_due",
                ],
                "description": STATUS_HELP,
            },
        ),
        (
            _("The order"),
            {
                "fields": [
                    "title",
                    "language",
                    "organisation",
                    "ordered_by",
                    "county",
                    "target_group",
                    "approx_users",
                    "audit_questions",
                    "preferred_methods",
                    "period_start",
                    "period_end",
                    "order_step",
                    "terms_accepted_at",
                    "processor_agreement_accepted_at",
                ]
            },
        ),
        (
            _("Contact and invoicing"),
            {
                "fields": [
                    "contact_name",
                    "contact_email",
                    "contact_phone",
                    "invoice_org_number",
                    "invoice_address",
                    "invoice_reference",
                    "invoice_email",
                ]
            },
        ),
        (
            _("Accessibility needs"),
            {
                "fields": [
                    "needs_interpreter",
                    "interpreter_languages",
                    "needs_easy_read",
                    "needs_sign_language",
                    "other_needs",
                ]
            },
        ),
        (
            _("Carrying out the audit"),
            {
                "fields": [
                    "performing_organisation",
                    "survey",
                    "feedback_meeting_at",
                    "feedback_meeting_place",
                    "summary",
                    "easy_read_summary",
                    "response_reminded_at",
                    "follow_up_reminded_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    inlines = [
        UnitLinkInline,
        MemberInline,
        SessionInline,
        FindingInline,
        ProposalInline,
        EventInline,
        ReportInline,
        NotificationInline,
    ]

    def has_add_permission(self, request):
        # Audits are ordered through the portal, which gives them a reference number.
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "audit", "action", "from_status", "to_status", "by"]
    list_filter = ["action", "to_status"]
    search_fields = ["audit__reference", "audit__title", "comment", "by__full_name"]
    date_hierarchy = "at"
    list_select_related = ["audit", "by"]


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    """The quote is written, sent and accepted through the portal; admin shows it."""

    list_display = ["audit", "revision", "price", "sent_at", "accepted_at"]
    list_filter = [
        ("sent_at", admin.EmptyFieldListFilter),
        ("accepted_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["audit__reference", "audit__title", "audit__organisation__name"]
    date_hierarchy = "sent_at"
    list_select_related = ["audit"]
    raw_id_fields = ["audit", "sent_by", "accepted_by"]
    readonly_fields = ["audit", "revision", "sent_at", "sent_by", "accepted_at", "accepted_by"]


@admin.register(AuditMember)
class AuditMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "audit", "role", "assigned_at"]
    list_filter = ["role"]
    search_fields = ["user__full_name", "user__email", "audit__reference"]
    date_hierarchy = "assigned_at"
    list_select_related = ["user", "audit"]
    readonly_fields = ["audit", "user", "assigned_at"]

    def has_add_permission(self, request):
        return False


@admin.register(DataCollection)
class DataCollectionAdmin(admin.ModelAdmin):
    list_display = ["audit", "kind", "held_on", "informants", "duration_minutes"]
    list_filter = ["kind"]
    search_fields = ["audit__reference", "audit__title"]
    date_hierarchy = "held_on"
    list_select_related = ["audit"]
    raw_id_fields = ["audit"]
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "audit", "theme", "polarity", "updated_at"]
    list_filter = ["theme", "polarity"]
    search_fields = ["title", "description", "audit__reference"]
    list_select_related = ["audit"]
    raw_id_fields = ["audit"]
    # Who wrote what is a record, not something to edit.
    readonly_fields = ["version", "created_by", "updated_by", "updated_at"]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyHistoryAdmin, ImportExportModelAdmin):
    resource_classes = [ProposalResource]
    list_display = ["__str__", "audit", "response", "deadline", "progress"]
    list_filter = ["response", "progress"]
    search_fields = ["text", "action", "audit__reference", "audit__organisation__name"]
    date_hierarchy = "deadline"
    list_select_related = ["audit"]
    raw_id_fields = ["audit", "responded_by"]
    filter_horizontal = ["findings"]
    readonly_fields = [
        "version",
        "created_by",
        "updated_by",
        "updated_at",
        "responded_at",
        "progress_reported_at",
    ]


@admin.register(FeeEntry)
class FeeEntryAdmin(ImportExportModelAdmin):
    resource_classes = [FeeEntryResource]
    list_display = [
        "worked_on",
        "auditor",
        "audit",
        "activity",
        "hours",
        "hourly_rate",
        "travel_km",
        "travel_cost",
        "total_display",
    ]
    list_filter = ["activity", "worked_on"]
    search_fields = ["auditor__full_name", "auditor__email", "audit__reference", "note"]
    date_hierarchy = "worked_on"
    list_select_related = ["auditor", "audit"]
    raw_id_fields = ["audit"]
    autocomplete_fields = ["auditor"]
    readonly_fields = ["created_at"]
    actions = ["export_for_payout"]

    @admin.display(description=_("total (SEK)"))
    def total_display(self, entry: FeeEntry) -> str:
        return f"{entry.total:.2f}"

    @admin.action(description=_("Export fees for payout (CSV)"), permissions=["view"])
    def export_for_payout(self, request, queryset):
        period = queryset.aggregate(start=Min("worked_on"), end=Max("worked_on"))
        return summary_csv(
            payout_rows(queryset.order_by()),
            period["start"] or timezone.localdate(),
            period["end"] or timezone.localdate(),
        )


@admin.register(ReportVersion)
class ReportVersionAdmin(ReadOnlyAdmin):
    """A report version is a generated file with its hash; the approved one is frozen."""

    list_display = ["audit", "number", "status", "language", "approved", "pages", "finished_at"]
    list_filter = ["status", "approved", "language"]
    search_fields = ["audit__reference", "audit__title", "sha256"]
    date_hierarchy = "requested_at"
    list_select_related = ["audit"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "audit", "kind", "key", "recipients"]
    list_filter = ["kind"]
    search_fields = ["audit__reference", "key"]
    date_hierarchy = "sent_at"
    list_select_related = ["audit"]


# Codes and findings' evidence (audits/analysis), the question bank and the guides
# (audits/fieldwork), issue 18.
import audits.analysis.admin  # noqa: E402, F401
import audits.fieldwork.admin  # noqa: E402, F401
