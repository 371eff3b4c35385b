"""The API's rows. Each serializer names its fields one by one, the same fields as the CSV
files (datasets.py; a test holds the two together): nothing personal is ever among them,
no person's name, e-mail or account, and no field is added by a change to a model."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audits.models import Finding, Proposal, ServiceArea, Theme

from . import datasets, selectors


class AuditSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    title = serializers.CharField()
    language = serializers.CharField()
    published_at = serializers.DateTimeField()
    year = serializers.IntegerField(allow_null=True)
    commissioner = serializers.CharField(source="organisation.name")
    performed_by = serializers.SerializerMethodField()
    counties = serializers.SerializerMethodField()
    municipalities = serializers.SerializerMethodField()
    service_areas = serializers.SerializerMethodField()
    units = serializers.SerializerMethodField()
    methods = serializers.ListField(child=serializers.CharField(), source="quote.methods")
    themes = serializers.SerializerMethodField()
    findings_published = serializers.BooleanField()
    quotes_published = serializers.BooleanField()
    summary = serializers.CharField()
    easy_read_summary = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_performed_by(self, audit) -> str:
        organisation = audit.performing_organisation
        return organisation.name if organisation is not None else ""

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_counties(self, audit) -> list[str]:
        return selectors.facet_values(audit, selectors.Kind.COUNTY)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_municipalities(self, audit) -> list[str]:
        return selectors.facet_values(audit, selectors.Kind.MUNICIPALITY)

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=ServiceArea.choices))
    )
    def get_service_areas(self, audit) -> list[str]:
        return selectors.facet_values(audit, selectors.Kind.AREA)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_units(self, audit) -> list[str]:
        return [unit.name for unit in audit.units.all()]

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=Theme.choices))
    )
    def get_themes(self, audit) -> list[str]:
        return selectors.facet_values(audit, selectors.Kind.THEME)

    def get_url(self, audit) -> str:
        request = self.context.get("request")
        address = datasets.bank_address(audit.pk)
        return request.build_absolute_uri(address) if request is not None else address


class FindingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    audit = serializers.IntegerField(source="audit_id")
    audit_reference = serializers.CharField()
    number = serializers.IntegerField()
    theme = serializers.ChoiceField(choices=Theme.choices)
    polarity = serializers.ChoiceField(choices=Finding.Polarity.choices)
    title = serializers.CharField()
    description = serializers.CharField()
    quotes = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_quotes(self, finding) -> list[str]:
        # Only what the agreement lets out: an empty list when the quotes are kept back.
        return finding.quote_lines() if finding.quotes_published else []


class ProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    audit = serializers.IntegerField(source="audit_id")
    audit_reference = serializers.CharField()
    number = serializers.IntegerField()
    text = serializers.CharField()
    findings = serializers.SerializerMethodField()
    response = serializers.ChoiceField(
        choices=[("", ""), *Proposal.Response.choices], allow_blank=True
    )
    planned_action = serializers.CharField(source="action")
    deadline = serializers.DateField(allow_null=True)
    responded_on = serializers.SerializerMethodField()
    progress = serializers.ChoiceField(
        choices=[("", ""), *Proposal.Progress.choices], allow_blank=True
    )
    progress_note = serializers.CharField()
    progress_reported_on = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_findings(self, proposal) -> list[int]:
        if not proposal.findings_published:
            return []
        return [finding.number for finding in proposal.findings.all()]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_responded_on(self, proposal):
        return datasets.local_date(proposal.responded_at)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_progress_reported_on(self, proposal):
        return datasets.local_date(proposal.progress_reported_at)
