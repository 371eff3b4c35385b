"""The report bank in admin: publication terms, publications and their facet values, read
only. Publishing, consenting and withdrawing go through audits.bank.services (the audit's
page), which check the two people and write the history."""

from __future__ import annotations

from django.contrib import admin

from ..models import Publication, PublicationFacet, PublicationTerms
from .base import ReadOnlyAdmin


@admin.register(PublicationTerms)
class PublicationTermsAdmin(ReadOnlyAdmin):
    list_display = [
        "quote",
        "may_publish_report",
        "may_publish_findings",
        "may_publish_quotes",
        "publish_from",
    ]
    list_select_related = ["quote__audit"]


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["audit", "status", "published_at", "withdrawn_at"]
    list_filter = ["status"]
    list_select_related = ["audit"]
    exclude = ["search_vector", "search_words"]


@admin.register(PublicationFacet)
class PublicationFacetAdmin(ReadOnlyAdmin):
    list_display = ["publication", "kind", "value", "label"]
    list_filter = ["kind"]
    list_select_related = ["publication__audit"]
