"""What the audits admin shares: read-only admins and inlines for history and frozen records."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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
