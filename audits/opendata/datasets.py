"""The three open data sets and their fields, in one place: the CSV files' columns, the
API's fields (the serializers name the same fields) and the open-data page's field lists
are all read from here. Field names are stable English identifiers in every language;
the descriptions are translated."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import selectors

# Lists (service areas, municipalities …) in one CSV cell.
LIST_SEPARATOR = " | "


@dataclass(frozen=True)
class Field:
    name: str
    description: str | Promise
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str | Promise
    description: str | Promise
    fields: list[Field]

    @property
    def field_names(self) -> list[str]:
        return [field.name for field in self.fields]

    def row(self, item: Any) -> list:
        return [_cell(field.value(item)) for field in self.fields]


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def bank_address(audit_id: int) -> str:
    """The audit's page in the report bank, in Swedish (the address without a prefix)."""
    with translation.override("sv"):
        return reverse("bank:detail", args=[audit_id])


def local_date(value):
    return timezone.localdate(value) if value is not None else None


def _unit_names(audit) -> list[str]:
    return [unit.name for unit in audit.units.all()]


def _quotes(finding) -> list[str]:
    return finding.quote_lines() if finding.quotes_published else []


def _finding_numbers(proposal) -> list[int]:
    if not proposal.findings_published:
        return []
    return [finding.number for finding in proposal.findings.all()]


AUDITS = Dataset(
    name="audits",
    title=_("Published audits"),
    description=_("One row for each published user audit."),
    fields=[
        Field("id", _("The audit's number in the portal."), lambda a: a.pk),
        Field("reference", _("The audit's reference number."), lambda a: a.reference),
        Field("title", _("The report's title."), lambda a: a.title),
        Field("language", _("The language of the report (sv, nb, en)."), lambda a: a.language),
        Field("published_at", _("When the report was published."), lambda a: a.published_at),
        Field("year", _("The year of the report."), lambda a: a.year),
        Field(
            "commissioner",
            _("The organisation that commissioned the audit."),
            lambda a: a.organisation.name,
        ),
        Field(
            "performed_by",
            _("The user organisation that performed the audit."),
            lambda a: a.performing_organisation.name if a.performing_organisation else "",
        ),
        Field(
            "counties",
            _("The counties' codes."),
            lambda a: selectors.facet_values(a, selectors.Kind.COUNTY),
        ),
        Field(
            "municipalities",
            _("The municipalities' codes."),
            lambda a: selectors.facet_values(a, selectors.Kind.MUNICIPALITY),
        ),
        Field(
            "service_areas",
            _("The service areas of the audited units (codes)."),
            lambda a: selectors.facet_values(a, selectors.Kind.AREA),
        ),
        Field("units", _("The names of the audited units."), _unit_names),
        Field("methods", _("The methods used (codes)."), lambda a: list(a.quote.methods)),
        Field(
            "themes",
            _("The themes of the findings (codes), if the findings are published."),
            lambda a: selectors.facet_values(a, selectors.Kind.THEME),
        ),
        Field(
            "findings_published",
            _("Whether the agreement lets the findings be published."),
            lambda a: bool(a.findings_published),
        ),
        Field(
            "quotes_published",
            _("Whether the agreement lets the anonymised quotes be published."),
            lambda a: bool(a.quotes_published),
        ),
        Field("summary", _("The report's summary."), lambda a: a.summary),
        Field(
            "easy_read_summary",
            _("The report in brief, easy to read."),
            lambda a: a.easy_read_summary,
        ),
        Field("url", _("The report's page in the report bank."), lambda a: bank_address(a.pk)),
    ],
)

FINDINGS = Dataset(
    name="findings",
    title=_("Findings"),
    description=_(
        "One row for each finding of a published audit whose agreement lets the findings "
        "be published."
    ),
    fields=[
        Field("id", _("The finding's number in the portal."), lambda f: f.pk),
        Field("audit", _("The audit's number (id in audits)."), lambda f: f.audit_id),
        Field("audit_reference", _("The audit's reference number."), lambda f: f.audit_reference),
        Field("number", _("The finding's number in the report."), lambda f: f.number),
        Field("theme", _("The theme (code)."), lambda f: f.theme),
        Field("polarity", _("positive or negative."), lambda f: f.polarity),
        Field("title", _("The finding's heading."), lambda f: f.title),
        Field("description", _("What was found."), lambda f: f.description),
        Field(
            "quotes",
            _("The informants' anonymised words, if the agreement lets them be published."),
            _quotes,
        ),
    ],
)

PROPOSALS = Dataset(
    name="proposals",
    title=_("Improvement proposals"),
    description=_(
        "One row for each improvement proposal of a published audit, with the service's "
        "response and the follow-up."
    ),
    fields=[
        Field("id", _("The proposal's number in the portal."), lambda p: p.pk),
        Field("audit", _("The audit's number (id in audits)."), lambda p: p.audit_id),
        Field("audit_reference", _("The audit's reference number."), lambda p: p.audit_reference),
        Field("number", _("The proposal's number in the report."), lambda p: p.number),
        Field("text", _("The proposal."), lambda p: p.text),
        Field(
            "findings",
            _("The numbers of the findings it builds on, if the findings are published."),
            _finding_numbers,
        ),
        Field(
            "response",
            _("The service's response: accepted, partly, rejected or empty."),
            lambda p: p.response,
        ),
        Field("planned_action", _("What the service plans to do."), lambda p: p.action),
        Field("deadline", _("When the action is due."), lambda p: p.deadline),
        Field(
            "responded_on", _("When the service answered."), lambda p: local_date(p.responded_at)
        ),
        Field(
            "progress",
            _("At the follow-up: not_started, in_progress, implemented, not_implemented or empty."),
            lambda p: p.progress,
        ),
        Field("progress_note", _("What has been done."), lambda p: p.progress_note),
        Field(
            "progress_reported_on",
            _("When the follow-up was reported."),
            lambda p: local_date(p.progress_reported_at),
        ),
    ],
)

DATASETS = {dataset.name: dataset for dataset in (AUDITS, FINDINGS, PROPOSALS)}
