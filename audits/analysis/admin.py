"""Admin for the analysis: codes and the evidence of findings; field notes and passages as
counts and metadata only. Their text is the audit team's alone: no admin page shows it, and
nobody adds or changes them here."""

from django.contrib import admin

from .models import Code, FieldNote, FindingEvidence, Passage


class MetadataOnlyAdmin(admin.ModelAdmin):
    """Read-only and without the text: staff see that notes exist, never what they say."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FieldNote)
class FieldNoteAdmin(MetadataOnlyAdmin):
    list_display = ["session", "author", "status", "version", "updated_at"]
    list_filter = ["status"]
    search_fields = ["session__audit__reference"]
    list_select_related = ["session", "author"]
    fields = ["session", "question", "author", "status", "version", "updated_at"]


@admin.register(Passage)
class PassageAdmin(MetadataOnlyAdmin):
    list_display = ["note", "polarity", "created_at"]
    list_filter = ["polarity"]
    search_fields = ["note__session__audit__reference"]
    list_select_related = ["note__session"]
    fields = ["note", "start", "end", "polarity", "created_by", "created_at"]


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
