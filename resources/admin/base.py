"""What the library's admin pages share: read-only records and inlines, and the help
texts that say where the workflow really runs (the portal).
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

WORKFLOW_HELP = _(
    "The status and the published version change only through the editor in the portal:"
    " a second person approves every version. They cannot be edited here."
)
REGISTRATION_HELP = _(
    "Places and the waiting list follow the course's capacity: registrations are made in the"
    " portal or by import, and completion is recorded on the course's page in the portal."
)


class ReadOnlyInline(admin.TabularInline):
    """Records shown on their parent, never changed from admin."""

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
