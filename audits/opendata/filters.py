"""The API's filters: the report bank's facets (service area, county, municipality, year,
theme), read from the facet values written when an audit is published, so a filter is one
indexed EXISTS, not a join through units and findings."""

from __future__ import annotations

import django_filters

from audits.models import Audit, Finding, Proposal, ServiceArea, Theme

from . import selectors

Kind = selectors.Kind


class _FacetFilters(django_filters.FilterSet):
    """Filters on the audit's facet values; AUDIT_REF names the audit's id in the rows."""

    AUDIT_REF = "audit_id"

    service_area = django_filters.ChoiceFilter(
        choices=ServiceArea.choices, method="by_facet", label="Service area (code)"
    )
    county = django_filters.CharFilter(method="by_facet", label="County (code, e.g. 01)")
    municipality = django_filters.CharFilter(
        method="by_facet", label="Municipality (code, e.g. 0180)"
    )
    year = django_filters.NumberFilter(method="by_facet", label="Year of the report")

    KINDS = {
        "service_area": Kind.AREA,
        "county": Kind.COUNTY,
        "municipality": Kind.MUNICIPALITY,
        "year": Kind.YEAR,
        "theme": Kind.THEME,
    }

    def by_facet(self, queryset, name, value):
        if value in (None, ""):
            return queryset
        if name == "year":
            value = int(value)
        return selectors.with_facet(
            queryset, audit_ref=self.AUDIT_REF, kind=self.KINDS[name], value=str(value)
        )


class AuditFilter(_FacetFilters):
    AUDIT_REF = "pk"

    theme = django_filters.ChoiceFilter(
        choices=Theme.choices, method="by_facet", label="Theme of a finding (code)"
    )

    class Meta:
        model = Audit
        fields: list[str] = []


class FindingFilter(_FacetFilters):
    theme = django_filters.ChoiceFilter(choices=Theme.choices, label="Theme (code)")
    polarity = django_filters.ChoiceFilter(choices=Finding.Polarity.choices, label="Polarity")
    audit = django_filters.NumberFilter(field_name="audit_id", label="Audit (id)")

    class Meta:
        model = Finding
        fields: list[str] = []


class ProposalFilter(_FacetFilters):
    theme = django_filters.ChoiceFilter(
        choices=Theme.choices, method="by_theme", label="Theme of a finding it builds on (code)"
    )
    response = django_filters.ChoiceFilter(choices=Proposal.Response.choices, label="Response")
    progress = django_filters.ChoiceFilter(
        choices=Proposal.Progress.choices, label="Progress at the follow-up"
    )
    audit = django_filters.NumberFilter(field_name="audit_id", label="Audit (id)")

    class Meta:
        model = Proposal
        fields: list[str] = []

    def by_theme(self, queryset, name, value):
        return selectors.proposals_on_theme(queryset, value) if value else queryset
