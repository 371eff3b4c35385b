"""Cases in admin: the case list, a case's agenda history and its rejection."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import (
    AgendaItem,
    Case,
)
from .common import ReadOnlyInline, ReasonForm, ServicePagesMixin

# --- Cases -----------------------------------------------------------------------------


class CaseAgendaInline(ReadOnlyInline):
    model = AgendaItem
    fields = ["meeting", "position", "title", "decision", "follow_up"]
    verbose_name = _("discussed at")
    verbose_name_plural = _("discussed at")
    verbose_name_plural = _("meetings where the case was discussed")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("meeting__council")


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ["council", "title", "why", "where", "when", "proposed_solution"]


@admin.register(Case)
class CaseAdmin(ServicePagesMixin, admin.ModelAdmin):
    list_display = ["council", "number", "title", "status", "age", "submitted_at"]
    list_filter = ["status", "council"]
    search_fields = ["title", "why", "council__name"]
    list_select_related = ["council"]
    readonly_fields = [
        "council",
        "number",
        "status",
        "rejection_reason",
        "submitted_by",
        "submitted_at",
        "closed_at",
    ]
    fields = [
        "council",
        "number",
        "title",
        "why",
        "where",
        "when",
        "proposed_solution",
        "status",
        "rejection_reason",
        "submitted_by",
        "submitted_at",
        "closed_at",
    ]
    inlines = [CaseAgendaInline]
    actions = ["reject"]

    @admin.display(description=_("age (days)"))
    def age(self, case):
        return case.age_days

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied

        def perform(data):
            case = services.case_submit(by=request.user, **data)
            messages.success(request, gettext("Case %(case)s was registered.") % {"case": case})
            return self.change_url(case)

        return self.service_page(
            request,
            title=gettext("Register a case"),
            form=self.bound(request, CaseForm),
            perform=perform,
        )

    @admin.action(description=_("Reject…"), permissions=["change"])
    def reject(self, request, queryset):
        cases = list(queryset)

        def perform(data):
            for case in cases:
                services.case_reject(case=case, reason=data["reason"])
            messages.success(
                request,
                ngettext("%(count)s case rejected.", "%(count)s cases rejected.", len(cases))
                % {"count": len(cases)},
            )
            return self.changelist_url()

        return self.service_page(
            request,
            title=gettext("Reject cases"),
            form=self.bound(request, ReasonForm, action=True),
            perform=perform,
            intro=", ".join(str(case) for case in cases),
            submit=_("Reject"),
            hidden=self.selection_hidden(request),
        )
