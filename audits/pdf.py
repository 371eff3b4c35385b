"""The audit report as a tagged PDF, in the audit's language (made by a worker, see tasks.py).

`report_context` loads everything in a fixed number of queries and turns it into plain
data with the user's text cleaned; `audit_report_pdf` lays it out with WeasyPrint through
brukarkraft.pdf, imported only here so that web processes do not load WeasyPrint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Min, Prefetch, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext

from brukarkraft.pdftext import clean_text

from .models import (
    Audit,
    AuditMember,
    DataCollection,
    Finding,
    Guide,
    GuideKind,
    Passage,
    ReportVersion,
    Theme,
    Unit,
)

# WeasyPrint lays a long table out far more slowly than several short ones, so the
# proposals table is cut into tables of at most this many rows.
ROWS_PER_TABLE = 40


# The lead first: the report's authors in the order readers expect.
ROLE_ORDER = [
    AuditMember.Role.LEAD,
    AuditMember.Role.AUDITOR,
    AuditMember.Role.RELATIVE,
    AuditMember.Role.COORDINATOR,
]


@dataclass
class Author:
    name: str
    role: str


@dataclass
class ReportFinding:
    number: int
    title: str
    positive: bool
    polarity: str
    description: str
    quotes: list[str]
    # The counts behind a finding made from a code (audits.analysis.FindingEvidence).
    evidence: object | None = None


@dataclass
class ThemeSection:
    label: str
    findings: list[ReportFinding]


@dataclass
class ReportProposal:
    number: int
    text: str
    findings: str  # the cited findings' numbers, "1, 3, 4"
    response: str = ""
    action: str = ""
    owner: str = ""
    deadline: date | None = None


@dataclass
class SessionCount:
    kind: str
    sessions: int
    informants: int


@dataclass
class SurveyRow:
    label: str
    count: int
    percent: float


@dataclass
class SurveyQuestion:
    number: int
    text: str
    answered: int
    suppressed: bool
    rows: list[SurveyRow] = field(default_factory=list)
    mean: float | None = None
    minimum: int | None = None
    maximum: int | None = None
    texts: list[str] = field(default_factory=list)


@dataclass
class SurveySection:
    title: str
    respondents: int
    suppressed: bool
    min_group: int
    questions: list[SurveyQuestion]


def _chunks(items: list, size: int = ROWS_PER_TABLE) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _version_number(audit: Audit) -> int:
    """The number of the version being made: the running one (report_render marks it so
    before calling us), else the queued one, else the next number (a preview)."""
    numbers = audit.reports.aggregate(
        running=Max("number", filter=Q(status=ReportVersion.Status.RUNNING)),
        queued=Max("number", filter=Q(status=ReportVersion.Status.QUEUED)),
        top=Max("number"),
    )
    return numbers["running"] or numbers["queued"] or (numbers["top"] or 0) + 1


def _survey_section(audit: Audit, language: str) -> SurveySection | None:
    if audit.survey is None:
        return None
    from surveys.models import Option
    from surveys.results import survey_summary

    results = survey_summary(audit.survey, language)
    smileys = dict(Option.Smiley.choices)
    questions = []
    for item in results.questions:
        rows = [
            SurveyRow(
                clean_text(row.label or smileys.get(row.smiley, row.value)), row.count, row.percent
            )
            for row in item.rows
        ]
        if item.dont_know:
            rows.append(SurveyRow(gettext("Don't know"), item.dont_know, item.dont_know_percent))
        questions.append(
            SurveyQuestion(
                number=item.number,
                text=clean_text(item.text),
                answered=item.answered,
                suppressed=item.suppressed,
                rows=rows,
                mean=item.mean,
                minimum=item.minimum,
                maximum=item.maximum,
                texts=[clean_text(text) for text in item.texts],
            )
        )
    return SurveySection(
        title=clean_text(audit.survey.tr("title", language)),
        respondents=results.respondents,
        suppressed=results.suppressed,
        min_group=results.min_group,
        questions=questions,
    )


@dataclass(frozen=True)
class PublicParts:
    """What the public variant of the report (the report bank's PDF) may show besides the
    parts that are always public. The team's names and the people responsible for actions
    are never in it: they are personal data, and the agreement publishes results, not people."""

    findings: bool = False
    quotes: bool = False


def report_context(
    audit: Audit,
    language: str,
    *,
    version: int | None = None,
    public: PublicParts | None = None,
) -> dict:
    """Everything the report shows, in `language`, in a fixed number of queries.

    With `public`, the variant for the report bank: no author, no one responsible for an
    action, and findings and quotes (the informants' words, the survey's free texts) only
    as far as `public` lets them out."""
    with translation.override(language):
        context = _report_context(audit, language, version)
    if public is not None:
        _make_public(context, public)
    return context


def _make_public(context: dict, public: PublicParts) -> None:
    context["public"] = True
    context["authors"] = []
    for table in context["proposal_tables"]:
        for proposal in table:
            proposal.owner = ""
            if not public.findings:
                proposal.findings = ""
    if not public.findings:
        context["themes"] = []
        context["finding_count"] = 0
    elif not public.quotes:
        for theme in context["themes"]:
            for finding in theme.findings:
                finding.quotes = []
    survey = context["survey"]
    if survey is not None and not public.quotes:
        for question in survey.questions:
            question.texts = []


def _report_context(audit: Audit, language: str, version: int | None) -> dict:
    audit = (
        Audit.objects.select_related("organisation", "performing_organisation", "survey", "quote")
        .prefetch_related(
            Prefetch("units", queryset=Unit.objects.select_related("municipality")),
            Prefetch("members", queryset=AuditMember.objects.select_related("user")),
        )
        .get(pk=audit.pk)
    )
    quote = getattr(audit, "quote", None)

    members = sorted(
        audit.members.all(), key=lambda m: (ROLE_ORDER.index(m.role), m.user.full_name)
    )
    authors = [Author(clean_text(m.user.full_name), m.get_role_display()) for m in members]

    theme_labels = dict(Theme.choices)
    by_theme: dict[str, list[ReportFinding]] = {value: [] for value in Theme.values}
    for finding in audit.findings.order_by("number").select_related("evidence"):
        by_theme.setdefault(finding.theme, []).append(
            ReportFinding(
                number=finding.number,
                title=clean_text(finding.title),
                positive=finding.polarity == Finding.Polarity.POSITIVE,
                polarity=finding.get_polarity_display(),
                description=clean_text(finding.description),
                quotes=[clean_text(line) for line in finding.quote_lines()],
                evidence=getattr(finding, "evidence", None),
            )
        )
    themes = [
        ThemeSection(str(theme_labels.get(value, value)), findings)
        for value, findings in by_theme.items()
        if findings
    ]

    proposals = [
        ReportProposal(
            number=proposal.number,
            text=clean_text(proposal.text),
            findings=", ".join(str(f.number) for f in proposal.findings.all()),
            response=proposal.get_response_display() if proposal.response else "",
            action=clean_text(proposal.action),
            owner=clean_text(proposal.action_owner),
            deadline=proposal.deadline,
        )
        for proposal in audit.proposals.order_by("number").prefetch_related(
            Prefetch("findings", queryset=Finding.objects.only("pk", "number").order_by("number"))
        )
    ]

    kinds = dict(DataCollection.Kind.choices)
    sessions = [
        SessionCount(str(kinds.get(kind, kind)), count, informants or 0)
        for kind, count, informants in audit.sessions.order_by()
        .values_list("kind")
        .annotate(count=Count("pk"), informants=Sum("informants"))
        .order_by("kind")
    ]
    period = audit.sessions.aggregate(first=Min("held_on"), last=Max("held_on"))
    methods = quote.method_labels() if quote else audit.preferred_method_labels()

    return {
        "audit": audit,
        "title": clean_text(audit.title) or audit.reference,
        "reference": audit.reference,
        "commissioner": clean_text(audit.organisation.name),
        "performer": clean_text(
            audit.performing_organisation.name if audit.performing_organisation else ""
        ),
        "units": [clean_text(f"{unit.name}, {unit.municipality}") for unit in audit.units.all()],
        "authors": authors,
        "date": timezone.localdate(),
        "version": version if version is not None else _version_number(audit),
        "easy_read_summary": clean_text(audit.easy_read_summary),
        "summary": clean_text(audit.summary),
        "audit_questions": clean_text(quote.audit_questions if quote else audit.audit_questions),
        "methods": [str(label) for label in methods],
        "sessions": sessions,
        "total_sessions": sum(s.sessions for s in sessions),
        "total_informants": sum(s.informants for s in sessions),
        "period_start": period["first"],
        "period_end": period["last"],
        "themes": themes,
        "finding_count": sum(len(theme.findings) for theme in themes),
        "proposal_tables": _chunks(proposals),
        "answered": any(p.response for p in proposals),
        "survey": _survey_section(audit, language),
        "analysis_method": analysis_method(audit),
        "public": False,
    }


def audit_report_pdf(
    audit: Audit,
    language: str,
    *,
    version: int | None = None,
    public: PublicParts | None = None,
) -> tuple[bytes, int]:
    """The report as PDF bytes and its number of pages (`public`: see report_context)."""
    from brukarkraft.pdf import render_pdf_with_pages

    context = report_context(audit, language, version=version, public=public)
    return render_pdf_with_pages("audits/pdf/report.html", context, language=language)


def analysis_method(audit: Audit) -> dict:
    """For the report's method section (audits/analysis keeps the notes and codes): the instruments (guides and their questions) and
    how much was coded. Two queries."""
    labels = dict(GuideKind.choices)
    instruments = [
        {"label": str(labels.get(row["kind"], row["kind"])), "questions": row["questions"]}
        for row in Guide.objects.filter(audit=audit)
        .order_by("kind")
        .values("kind")
        .annotate(
            questions=Count(
                "sections__questions",
                filter=Q(sections__questions__removed_at__isnull=True),
            )
        )
    ]
    coded = Passage.objects.of_audit(audit).aggregate(
        passages=Count("pk", distinct=True), codes=Count("codes", distinct=True)
    )
    return {"instruments": instruments, **coded}
