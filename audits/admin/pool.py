"""The auditor pool in admin: profiles, undertakings, units, conflicts of interest and the
user associations' coordinators."""

from __future__ import annotations

from django.contrib import admin

from ..models import AuditorProfile, ConfidentialityUndertaking, Conflict, Coordinator, Unit
from .base import ReadOnlyAdmin

# --- The auditor pool ---------------------------------------------------------


class ConflictInline(admin.TabularInline):
    model = Conflict
    fk_name = "auditor"
    extra = 0
    autocomplete_fields = ["unit", "organisation"]


@admin.register(AuditorProfile)
class AuditorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "county", "user_organisation", "training", "trained_until", "available"]
    list_filter = ["training", "available", "county"]
    search_fields = ["user__full_name", "user__email", "user_organisation__name"]
    autocomplete_fields = ["user", "user_organisation", "county"]
    list_select_related = ["user", "county", "user_organisation"]


@admin.register(ConfidentialityUndertaking)
class ConfidentialityUndertakingAdmin(ReadOnlyAdmin):
    """An acceptance is evidence; it is given by the auditor in the portal."""

    list_display = ["user", "version", "accepted_at"]
    list_filter = ["version"]
    search_fields = ["user__full_name", "user__email"]
    date_hierarchy = "accepted_at"
    list_select_related = ["user"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "municipality", "service_area"]
    list_filter = ["service_area", "municipality__county"]
    search_fields = ["name", "organisation__name", "municipality__name"]
    autocomplete_fields = ["organisation", "municipality"]
    list_select_related = ["organisation", "municipality"]


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["auditor", "unit", "organisation", "reason", "declared_at"]
    list_filter = ["reason"]
    search_fields = ["auditor__full_name", "auditor__email", "unit__name", "organisation__name"]
    autocomplete_fields = ["auditor", "unit", "organisation"]
    date_hierarchy = "declared_at"
    list_select_related = ["auditor", "unit__municipality", "organisation"]


@admin.register(Coordinator)
class CoordinatorAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation"]
    list_filter = ["organisation__county"]
    search_fields = ["user__full_name", "user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]
