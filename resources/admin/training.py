"""Courses in admin: courses with their sessions, registrations (with import and export),
and the records of attendance and training, shown but never changed.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from ..models import (
    Course,
    CourseSession,
    Registration,
    SessionAttendance,
    TrainingRecord,
)
from .base import REGISTRATION_HELP, ReadOnlyAdmin, ReadOnlyInline
from .importing import RegistrationResource


class SessionInline(admin.TabularInline):
    model = CourseSession
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "language",
        "capacity",
        "registered_count",
        "waiting_count",
        "registration_open",
        "is_published",
    ]
    list_filter = ["kind", "language", "registration_open", "is_published", "qualifies_auditors"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SessionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).for_list()

    @admin.display(description=_("registered"), ordering="registered")
    def registered_count(self, course: Course) -> int:
        return course.registered

    @admin.display(description=_("waiting"), ordering="waiting")
    def waiting_count(self, course: Course) -> int:
        return course.waiting


@admin.register(CourseSession)
class CourseSessionAdmin(admin.ModelAdmin):
    list_display = ["course", "starts_at", "ends_at", "place", "topic"]
    list_filter = ["course__kind", "course"]
    search_fields = ["course__title", "place", "topic"]
    date_hierarchy = "starts_at"
    list_select_related = ["course"]


class AttendanceInline(ReadOnlyInline):
    model = SessionAttendance
    fields = ["session", "present"]
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session__course")


@admin.register(Registration)
class RegistrationAdmin(ImportExportModelAdmin):
    resource_classes = [RegistrationResource]
    list_display = ["participant", "course", "organisation", "status", "registered_at"]
    list_filter = ["status", "course"]
    search_fields = [
        "participant__full_name",
        "participant__email",
        "organisation__name",
        "course__title",
    ]
    date_hierarchy = "registered_at"
    list_select_related = ["participant", "course", "organisation"]
    inlines = [AttendanceInline]
    fieldsets = [
        (
            None,
            {
                "description": REGISTRATION_HELP,
                "fields": [
                    "course",
                    "participant",
                    "organisation",
                    "registered_by",
                    "status",
                    "registered_at",
                    "completed_at",
                    "needs",
                ],
            },
        )
    ]
    readonly_fields = [
        "course",
        "participant",
        "organisation",
        "registered_by",
        "status",
        "registered_at",
        "completed_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SessionAttendance)
class SessionAttendanceAdmin(ReadOnlyAdmin):
    """Attendance is taken on the session's page in the portal."""

    list_display = ["registration", "session", "present"]
    list_filter = ["present", "session__course"]
    search_fields = ["registration__participant__full_name", "session__course__title"]
    list_select_related = ["registration__participant", "registration__course", "session__course"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ReadOnlyAdmin):
    """A record comes from a completed course (services.registration_complete), which also
    updates the auditor pool."""

    list_display = ["user", "course", "completed_on", "valid_until"]
    list_filter = ["course", "completed_on"]
    search_fields = ["user__full_name", "user__email", "course__title"]
    date_hierarchy = "completed_on"
    list_select_related = ["user", "course"]
