"""Audits in admin with their parts: history, quote, team, sessions, findings, proposals, fee
entries, report versions and notifications."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from brukarkraft.trail import ReadOnlyHistoryAdmin

from ..models import (
    Audit,
    AuditEvent,
    AuditMember,
    DataCollection,
    FeeEntry,
    Finding,
    Notification,
    Proposal,
    Quote,
    ReportVersion,
)
from ..views.payout import payout_rows, summary_csv
from .base import STATUS_HELP, ReadOnlyAdmin, ReadOnlyInline
from .importing import AuditResource, FeeEntryResource, ProposalResource

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
