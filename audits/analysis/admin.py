"""Admin for the analysis: codes and the evidence of findings. Field notes and passages are
deliberately not here: they are the audit team's alone, and staff see only counts."""

from django.contrib import admin

from .models import Code, FindingEvidence


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    list_display = ["name", "audit", "theme"]
    list_filter = ["theme"]
    search_fields = ["name", "audit__reference"]
    list_select_related = ["audit"]
    autocomplete_fields = ["audit"]


@admin.register(FindingEvidence)
class FindingEvidenceAdmin(admin.ModelAdmin):
    list_display = [
        "finding",
        "code",
        "interviews_raised",
        "interviews_total",
        "groups_raised",
        "groups_total",
        "informants",
    ]
    list_select_related = ["finding", "code"]
    readonly_fields = [
        "finding",
        "code",
        "interviews_raised",
        "interviews_total",
        "groups_raised",
        "groups_total",
        "informants",
        "computed_at",
    ]

    def has_add_permission(self, request):
        return False
