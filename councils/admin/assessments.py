"""Participation self-assessments and annual reports in admin."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import (
    AnnualReport,
    Assessment,
    AssessmentAnswer,
    Council,
)
from .common import ReadOnlyInline, ServicePagesMixin

# --- Self-assessment and annual reports ---------------------------------------------


class AnswerInline(ReadOnlyInline):
    model = AssessmentAnswer
    fields = ["level", "stage", "answer", "comment"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """A self-assessment is made on the portal's own form (15 questions in five groups,
    checked whole by services.assessment_record), not built here row by row: "add" lists
    the councils with a link to that form, and a recorded one links to its profile."""

    list_display = ["__str__", "council", "unit_name", "held_on", "rapporteur"]
    list_filter = ["council"]
    search_fields = ["council__name", "unit_name", "rapporteur", "secretary"]
    list_select_related = ["council"]
    autocomplete_fields = ["council"]
    readonly_fields = ["portal_link", "created_by", "created_at"]
    inlines = [AnswerInline]

    @admin.display(description=_("in the portal"))
    def portal_link(self, assessment: Assessment) -> str:
        if assessment.pk is None:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("councils:assessment_detail", args=[assessment.council.slug, assessment.pk]),
            gettext("The profile and the answers on the portal"),
        )

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        request.current_app = self.admin_site.name
        councils = Council.objects.filter(is_active=True).order_by("name")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Record a self-assessment"),
            "councils": [
                (council, reverse("councils:assessment_new", args=[council.slug]))
                for council in councils
            ],
        }
        return TemplateResponse(request, "admin/councils/assessment/add_in_portal.html", context)


class AnnualReportForm(forms.Form):
    council = forms.ModelChoiceField(label=_("council"), queryset=Council.objects.all())
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)


@admin.register(AnnualReport)
class AnnualReportAdmin(ServicePagesMixin, admin.ModelAdmin):
    """The report is a PDF a worker makes; admin asks for it and shows its status."""

    list_display = ["council", "year", "status", "requested_at"]
    list_filter = ["status", "year", "council"]
    search_fields = ["council__name"]
    list_select_related = ["council"]
    readonly_fields = ["council", "year", "status", "file", "requested_at"]
    actions = ["make_annual_report"]

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied

        def perform(data):
            report = services.annual_report_request(council=data["council"], year=data["year"])
            messages.success(request, gettext("The annual report is being made."))
            return self.change_url(report)

        return self.service_page(
            request,
            title=gettext("Make an annual report"),
            form=self.bound(request, AnnualReportForm, initial={"year": timezone.localdate().year}),
            perform=perform,
        )

    @admin.action(description=_("Make annual report"), permissions=["view"])
    def make_annual_report(self, request, queryset):
        for report in queryset.select_related("council"):
            services.annual_report_request(council=report.council, year=report.year)
        messages.success(request, gettext("The annual reports are being made again."))


@admin.register(AssessmentAnswer)
class AssessmentAnswerAdmin(admin.ModelAdmin):
    list_display = ["assessment", "level", "stage", "answer"]
    list_filter = ["level", "stage", "answer"]
    search_fields = ["comment", "assessment__council__name", "assessment__unit_name"]
    list_select_related = ["assessment__council"]
