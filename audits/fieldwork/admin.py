"""The question bank and the guides in Django admin.

Centre staff keep the bank here, in sv/nb/en, and move it between portals as CSV or XLSX
(django-import-export, with the portal's inert formats from brukarkraft/exports.py). A
question that is no longer wanted is taken out of use, not deleted: guides copied its text.
Guides are built on the portal's pages by the lead auditor; admin only shows them.
"""

from __future__ import annotations

from django.contrib import admin
from import_export import resources
from import_export.admin import ImportExportModelAdmin

from .models import BankQuestion, Guide, GuideComment, GuidePdf, GuideQuestion, GuideSection


class BankQuestionResource(resources.ModelResource):
    """One row per question; a row with an id updates that question, one without adds one."""

    class Meta:
        model = BankQuestion
        import_id_fields = ["id"]
        fields = (
            "id",
            "theme",
            "use",
            "text_sv",
            "text_nb",
            "text_en",
            "easy_read_sv",
            "easy_read_nb",
            "easy_read_en",
            "follow_ups_sv",
            "follow_ups_nb",
            "follow_ups_en",
            "active",
        )
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True


@admin.register(BankQuestion)
class BankQuestionAdmin(ImportExportModelAdmin):
    resource_classes = [BankQuestionResource]
    list_display = ["__str__", "theme", "use", "active", "updated_at"]
    list_filter = ["theme", "use", "active"]
    search_fields = ["text_sv", "text_nb", "text_en"]
    fieldsets = [
        (None, {"fields": ["theme", "use", "active"]}),
        ("Svenska", {"fields": ["text_sv", "easy_read_sv", "follow_ups_sv"]}),
        ("Norsk bokmål", {"fields": ["text_nb", "easy_read_nb", "follow_ups_nb"]}),
        ("English", {"fields": ["text_en", "easy_read_en", "follow_ups_en"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        # Guides in use copied the text; taking a question out of use keeps the bank's history.
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SectionInline(ReadOnlyInline):
    model = GuideSection


class CommentInline(ReadOnlyInline):
    model = GuideComment


class PdfInline(ReadOnlyInline):
    model = GuidePdf


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    list_display = ["audit", "kind", "status", "shared_at", "updated_at"]
    list_filter = ["kind", "status"]
    search_fields = ["audit__reference", "audit__title"]
    inlines = [SectionInline, CommentInline, PdfInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ShownOnlyAdmin(admin.ModelAdmin):
    """The guides' parts, for looking up: they change only on the guide pages."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GuideSection)
class GuideSectionAdmin(ShownOnlyAdmin):
    list_display = ["title", "guide", "position"]
    list_filter = ["guide__kind"]
    search_fields = ["title", "guide__audit__reference"]


@admin.register(GuideQuestion)
class GuideQuestionAdmin(ShownOnlyAdmin):
    list_display = ["__str__", "section", "position", "removed_at"]
    list_filter = ["section__guide__kind", "removed_at"]
    search_fields = ["text", "section__guide__audit__reference"]


@admin.register(GuideComment)
class GuideCommentAdmin(ShownOnlyAdmin):
    list_display = ["guide", "author", "created_at"]
    list_filter = ["guide__kind"]
    search_fields = ["text", "guide__audit__reference"]


@admin.register(GuidePdf)
class GuidePdfAdmin(ShownOnlyAdmin):
    list_display = ["guide", "language", "status", "requested_at", "finished_at"]
    list_filter = ["status", "language"]
    search_fields = ["guide__audit__reference"]
