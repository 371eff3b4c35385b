from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.admin import ImportExportModelAdmin

from .models import (
    AccessibilityFeedback,
    County,
    JoinRequest,
    Membership,
    Municipality,
    Organisation,
    PendingTask,
    User,
)
from .queue import send_pending
from .services import join_request_decide


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "organisation"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["full_name", "email"]
    list_display = [
        "email",
        "full_name",
        "preferred_language",
        "is_active",
        "is_staff",
        "last_login",
    ]
    list_filter = ["groups", "is_active", "is_staff", "is_superuser", "preferred_language"]
    search_fields = ["email", "full_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal details"), {"fields": ("full_name", "preferred_language")}),
        (
            _("Roles and permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "preferred_language", "password1", "password2"),
            },
        ),
    )


class OrganisationResource(resources.ModelResource):
    class Meta:
        model = Organisation
        fields = (
            "id",
            "name",
            "kind",
            "org_number",
            "county__code",
            "municipality__code",
            "email",
            "phone",
            "street_address",
            "postal_code",
            "city",
            "website",
            "is_active",
        )
        export_order = fields


@admin.register(Organisation)
class OrganisationAdmin(ImportExportModelAdmin):
    resource_classes = [OrganisationResource]
    list_display = ["name", "kind", "org_number", "municipality", "county", "is_active"]
    list_filter = ["kind", "is_active", "county"]
    search_fields = ["name", "org_number", "city"]
    autocomplete_fields = ["municipality", "county"]
    list_select_related = ["municipality", "county"]
    inlines = [MembershipInline]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "letter"]
    search_fields = ["name", "code"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "county"]
    list_filter = ["county"]
    search_fields = ["name", "code"]
    list_select_related = ["county"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "title", "is_contact"]
    list_filter = ["is_contact", "organisation__kind"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "status", "page_url", "language", "handled_by"]
    list_filter = ["status", "kind", "language", "requested_format"]
    search_fields = ["message", "page_url", "staff_note"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "staff_notified_at", "handled_at"]
    list_select_related = ["handled_by"]


@admin.register(PendingTask)
class PendingTaskAdmin(admin.ModelAdmin):
    """Jobs the queue could not take while Redis was down; sent by beat every minute.

    Read-only: a job is only ever sent (here, or by beat), never edited.
    """

    list_display = ["created_at", "task", "args", "attempts", "last_error", "sent_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "task"]
    date_hierarchy = "created_at"
    actions = ["send_now"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a kept job would lose it; sent ones go with the retention job.
        return False

    @admin.action(description=_("Send the selected jobs now"))
    def send_now(self, request, queryset) -> None:
        waiting = list(queryset.unsent().values_list("pk", flat=True))
        sent = send_pending(only=waiting)
        if sent < len(waiting):
            self.message_user(
                request,
                gettext(
                    "%(sent)s of %(total)s jobs were sent. The queue is still not reachable,"
                    " or another job was being sent; the rest are tried again every minute."
                )
                % {"sent": sent, "total": len(waiting)},
                messages.WARNING,
            )
        else:
            self.message_user(
                request,
                ngettext("%(sent)s job was sent.", "%(sent)s jobs were sent.", sent)
                % {"sent": sent},
                messages.SUCCESS,
            )


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    """Requests to join an organisation that already has an account (also on the staff page
    /staff/join-requests/). Decided only by the actions, which tell the person."""

    list_display = ["user", "organisation", "organisation_name_given", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["user__full_name", "user__email", "organisation__name"]
    list_select_related = ["user", "organisation"]
    readonly_fields = [
        "user",
        "organisation",
        "organisation_name_given",
        "status",
        "created_at",
        "decided_by",
        "decided_at",
    ]
    actions = ["approve", "decline"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Let the selected people join their organisation"))
    def approve(self, request, queryset) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Decline the selected requests"))
    def decline(self, request, queryset) -> None:
        self._decide(request, queryset, approve=False)

    def _decide(self, request, queryset, *, approve: bool) -> None:
        decided = 0
        for join_request in queryset.pending():
            join_request_decide(join_request=join_request, by=request.user, approve=approve)
            decided += 1
        self.message_user(
            request,
            ngettext("%(count)s request decided.", "%(count)s requests decided.", decided)
            % {"count": decided},
            messages.SUCCESS,
        )
