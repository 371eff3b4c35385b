"""The audit report PDF: every section, in the audit's language, tagged, and fast to load."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from audits import services
from audits.models import Audit, Finding, Proposal, ReportVersion, Theme
from audits.pdf import ROWS_PER_TABLE, audit_report_pdf, report_context
from audits.tests.factories import FindingFactory, ProposalFactory, audit_in_state
from brukarkraft.pdftext import clean_text
from surveys.models import Kind
from surveys.results import MIN_GROUP
from surveys.tests.factories import answer_many, make_published_survey

pytestmark = pytest.mark.django_db

# Audit, units, team, findings, proposals, their findings, sessions, period, version number,
# and for the method section the guides and the coded passages (audits.analysis).
CONTEXT_QUERIES = 11


def text_of(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    # Lines wrap wherever the layout wants; compare on single spaces.
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def add_finding(audit: Audit, theme: str, title: str, **fields) -> Finding:
    """A finding written by the audit's lead through the service, as the team would."""
    lead = audit.members.get(role="lead").user
    return services.finding_create(
        audit=audit,
        by=lead,
        data={
            "theme": theme,
            "polarity": fields.pop("polarity", Finding.Polarity.NEGATIVE),
            "title": title,
            "description": fields.pop("description", "Många beskriver samma sak."),
            "quotes": fields.pop("quotes", ""),
        },
    )


@pytest.fixture
def survey():
    survey = make_published_survey([Kind.SINGLE])
    (question,) = survey.questions.counted()
    answer_many(survey, MIN_GROUP, {question: question.options.first()})
    return survey


@pytest.fixture
def audit(survey):
    audit = audit_in_state(Audit.Status.ANALYSING, findings=0)
    Audit.objects.filter(pk=audit.pk).update(
        title="Bemötandet på Jobbtorget",
        summary="Deltagarna är i stort sett nöjda.",
        easy_read_summary="De flesta trivs. Några vill veta mer.",
        survey=survey,
    )
    audit.refresh_from_db()
    safe = add_finding(
        audit,
        Theme.SAFETY,
        "Deltagarna känner sig trygga",
        polarity=Finding.Polarity.POSITIVE,
        quotes="Här kan jag vara mig själv.",
    )
    unclear = add_finding(audit, Theme.INFORMATION, "Informationen om aktiviteter är otydlig")
    services.proposal_create(
        audit=audit,
        by=audit.members.get(role="lead").user,
        text="Sätt upp ett veckoschema på lättläst svenska.",
        findings=[safe, unclear],
    )
    return audit


def test_the_report_has_every_section(audit, survey):
    data, pages = audit_report_pdf(audit, "sv")

    reader, text = text_of(data)
    assert pages == len(reader.pages) >= 2  # the cover is a page of its own
    assert "Bemötandet på Jobbtorget" in text
    assert audit.reference in text
    assert audit.organisation.name in text
    assert "De flesta trivs. Några vill veta mer." in text
    assert "Deltagarna känner sig trygga" in text
    assert "Informationen om aktiviteter är otydlig" in text
    assert "Här kan jag vara mig själv." in text
    assert "Sätt upp ett veckoschema på lättläst svenska." in text
    assert survey.questions.counted().get().text_sv in text
    for member in audit.members.select_related("user"):
        assert member.user.full_name in text
    # The footer: "Page 1 of N" in whatever words the language uses.
    with translation.override("sv"):
        first_page = gettext("Page %(page)s of %(pages)s") % {"page": 1, "pages": pages}
    assert first_page in text


def test_findings_come_by_theme_in_the_themes_order(audit):
    # Information comes after safety among the themes, whatever order they were written in.
    later = add_finding(audit, Theme.TREATMENT, "Personalen hälsar alltid")

    context = report_context(audit, "en")

    assert [theme.label for theme in context["themes"]] == [
        "Treatment and respect",
        "Safety",
        "Information",
    ]
    assert context["themes"][0].findings[0].number == later.number
    (proposal,) = context["proposal_tables"][0]
    assert proposal.findings == "1, 2"


def test_the_report_says_in_words_whether_a_finding_is_positive(audit):
    data, _pages = audit_report_pdf(audit, "en")

    text = text_of(data)[1]
    with translation.override("en"):
        assert gettext("Positive finding") in text
        assert gettext("Negative finding") in text


def test_sessions_are_counted_per_kind_without_names(audit):
    context = report_context(audit, "en")

    (focus_groups,) = context["sessions"]
    assert (focus_groups.kind, focus_groups.sessions, focus_groups.informants) == (
        "Focus group",
        1,
        6,
    )
    assert context["period_start"] == context["period_end"] == timezone.localdate()


@pytest.mark.parametrize("language", ["sv", "nb", "en"])
def test_the_report_is_a_tagged_pdf_in_the_audits_language(language, survey):
    audit = audit_in_state(Audit.Status.ANALYSING, language=language)
    Audit.objects.filter(pk=audit.pk).update(title="Rapport 2026", survey=survey)

    data, _pages = audit_report_pdf(audit, audit.language)

    reader, text = text_of(data)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == language
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert "Rapport 2026" in text
    assert "Iakttagelse 1" in text
    # Works before and after the translations arrive: the heading in the audit's language.
    with translation.override(language):
        assert gettext("Findings") in text
        assert gettext("Improvement proposals") in text
        assert gettext("User audit") in text
    assert survey.questions.counted().get().tr("text", language) in text


def test_the_report_is_made_in_its_language_whatever_language_is_active():
    audit = audit_in_state(Audit.Status.ANALYSING, language="nb")

    with translation.override("en"):
        context = report_context(audit, "nb")
        assert translation.get_language() == "en"

    with translation.override("nb"):
        assert context["themes"][0].label == str(Theme.TREATMENT.label)


def test_odd_characters_in_user_text_are_made_plain():
    text = "e\u2011tjänst\u00ad och\u200b stöd\u00a0nu\x07"

    assert clean_text(text) == "e-tjänst och stöd nu"


def test_a_non_breaking_hyphen_in_a_finding_does_not_break_the_report(audit):
    add_finding(
        audit,
        Theme.ACCESSIBILITY,
        "E\u2011tjänsten\u00ad är svår att nå",
        description="Många\u200b ord med\u2011bindestreck " * 40,
    )

    data, pages = audit_report_pdf(audit, "sv")

    text = text_of(data)[1]
    assert "E-tjänsten är svår att nå" in text
    assert "\u2011" not in text
    assert pages >= 2


def test_a_long_proposals_table_is_split_into_short_tables():
    audit = audit_in_state(Audit.Status.ANALYSING)
    finding = audit.findings.get()
    for number in range(2, ROWS_PER_TABLE + 7):
        ProposalFactory(audit=audit, number=number)

    context = report_context(audit, "sv")

    assert [len(table) for table in context["proposal_tables"]] == [ROWS_PER_TABLE, 6]
    assert context["proposal_tables"][0][0].findings == str(finding.number)


def test_the_commissioners_answers_are_in_the_proposals_table():
    audit = audit_in_state(Audit.Status.RESPONSE_RECEIVED)

    context = report_context(audit, "en")

    (proposal,) = context["proposal_tables"][0]
    assert context["answered"] is True
    assert proposal.response == "Accepted"
    assert proposal.owner == "Enhetschefen"
    assert proposal.deadline == timezone.localdate() + timedelta(days=60)


def test_the_cover_names_the_version_being_made(audit, django_capture_on_commit_callbacks):
    lead = audit.members.get(role="lead").user
    with django_capture_on_commit_callbacks(execute=False):
        version = services.report_request(audit=audit, by=lead)

    assert report_context(audit, "sv")["version"] == version.number == 1
    assert report_context(audit, "sv", version=7)["version"] == 7
    # The worker marks its version running; a retry queued meanwhile does not change its cover.
    ReportVersion.objects.filter(pk=version.pk).update(status=ReportVersion.Status.RUNNING)
    ReportVersion.objects.create(audit=audit, number=2, language="sv")
    assert report_context(audit, "sv")["version"] == 1


def test_a_survey_with_fewer_than_five_answers_is_said_to_be_hidden():
    audit = audit_in_state(Audit.Status.ANALYSING)
    small = make_published_survey([Kind.SINGLE])
    (question,) = small.questions.counted()
    answer_many(small, MIN_GROUP - 1, {question: question.options.first()})
    Audit.objects.filter(pk=audit.pk).update(survey=small)

    context = report_context(audit, "sv")
    data, _pages = audit_report_pdf(audit, "en")

    assert context["survey"].suppressed is True
    assert context["survey"].questions == []
    assert "no one can be recognised" in text_of(data)[1]


@pytest.mark.parametrize("findings", [1, 40])
def test_the_context_loads_in_a_fixed_number_of_queries(findings, django_assert_num_queries):
    audit = audit_in_state(Audit.Status.ANALYSING)
    first = audit.findings.get()
    for number in range(2, findings + 1):
        finding = FindingFactory(audit=audit, number=number, theme=Theme.values[number % 7])
        proposal = ProposalFactory(audit=audit, number=number)
        proposal.findings.set([first, finding])
    assert Proposal.objects.filter(audit=audit).count() == findings

    with django_assert_num_queries(CONTEXT_QUERIES):
        context = report_context(audit, "sv")

    assert context["finding_count"] == findings
