"""Surveys in Django admin: structure and the question bank are editable; answers are
read-only here (they change only through the answering pages and paper entry)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.admin import ImportExportModelAdmin

from .models import (
    Answer,
    BankQuestion,
    CodeBatch,
    ExportJob,
    Option,
    Question,
    Response,
    Section,
    Survey,
    SurveyMember,
    Unit,
)


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    readonly_fields = ["token"]


class MemberInline(admin.TabularInline):
    model = SurveyMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title_sv", "version", "status", "opens_at", "closes_at", "raw_deleted_at"]
    list_filter = ["status", "one_question_per_page", "open_link_enabled"]
    search_fields = ["title_sv", "title_nb", "title_en"]
    readonly_fields = ["token", "created_at", "updated_at", "published_at", "closed_at"]
    raw_id_fields = ["previous_version", "created_by"]
    inlines = [SectionInline, UnitInline, MemberInline]


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "survey", "kind", "is_practice", "not_understood_count"]
    list_filter = ["kind", "is_practice"]
    search_fields = ["text_sv", "text_nb", "text_en", "survey__title_sv"]
    raw_id_fields = ["survey", "section", "show_if_option"]
    inlines = [OptionInline]


class BankQuestionResource(resources.ModelResource):
    class Meta:
        model = BankQuestion
        import_id_fields = ["key"]
        exclude = ["id"]


@admin.register(BankQuestion)
class BankQuestionAdmin(ImportExportModelAdmin):
    resource_classes = [BankQuestionResource]
    list_display = ["key", "topic", "kind", "__str__"]
    list_filter = ["topic", "kind"]
    search_fields = ["key", "text_sv", "text_nb", "text_en"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    can_delete = False
    readonly_fields = ["question", "option", "dont_know", "shown_text", "number", "review"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("text"))
    def shown_text(self, answer: Answer) -> str:
        # A text reviewers hid as identifying is shown nowhere, the admin included.
        return "" if answer.review == Answer.Review.HIDDEN else answer.text


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["pk", "survey", "unit", "status", "channel", "support", "submitted_at"]
    list_filter = ["status", "channel", "support", "easy_read"]
    search_fields = ["survey__title_sv"]
    readonly_fields = [f.name for f in Response._meta.fields]
    inlines = [AnswerInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CodeBatch)
class CodeBatchAdmin(admin.ModelAdmin):
    list_display = ["survey", "unit", "size", "created_at"]
    raw_id_fields = ["survey", "unit"]


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["survey", "format", "status", "rows_done", "rows_total", "created_at"]
    list_filter = ["status", "format"]
    readonly_fields = [f.name for f in ExportJob._meta.fields]
