"""Method guidance requests in admin."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services
from ..models import (
    GuidanceRequest,
)


@admin.register(GuidanceRequest)
class GuidanceRequestAdmin(admin.ModelAdmin):
    """Requests are answered in the queue in the portal, which mails the answer."""

    list_display = ["created_at", "organisation_name", "name", "topic", "status", "handled_by"]
    list_filter = ["status", "topic", "format"]
    search_fields = ["organisation_name", "name", "email", "message"]
    date_hierarchy = "created_at"
    list_select_related = ["handled_by"]
    raw_id_fields = ["organisation", "requested_by"]
    readonly_fields = ["status", "answer", "handled_by", "answered_at", "created_at"]
    actions = ["close"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Close the chosen requests"), permissions=["change"])
    def close(self, request, queryset):
        closed = 0
        for guidance in queryset:
            try:
                services.guidance_close(request=guidance, by=request.user)
            except ValidationError:
                continue
            closed += 1
        self.message_user(
            request,
            ngettext("%(count)d request closed.", "%(count)d requests closed.", closed)
            % {"count": closed},
            messages.SUCCESS,
        )
