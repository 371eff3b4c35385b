"""The audit team's pages: the undertaking, the auditor's own details, sessions, findings,
proposals, the summary, fees and the auditor's start page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audits.models import (
    Audit,
    AuditorProfile,
    ConfidentialityUndertaking,
    Conflict,
    DataCollection,
    FeeEntry,
    Finding,
    Proposal,
    ServiceArea,
    Theme,
)
from audits.tests.factories import (
    AuditorProfileFactory,
    ConflictFactory,
    DataCollectionFactory,
    FeeEntryFactory,
    FindingFactory,
    ProposalFactory,
    UnitFactory,
    audit_in_state,
    trained_auditor,
)

pytestmark = pytest.mark.django_db

TEAM_PAGES = ["sessions", "findings", "proposals", "summary", "fees"]


def en(name: str, *args) -> str:
    # English pages, so the assertions read the source wording whatever is translated.
    with translation.override("en"):
        return reverse(f"audits:{name}", args=args)


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def lead(db):
    # Lena leads the audit team; she has accepted the undertaking.
    return trained_auditor(user__full_name="Lena Ledare")


@pytest.fixture
def colleague(db):
    # Kalle is the other auditor on Lena's team.
    return trained_auditor(user__full_name="Kalle Kollega")


@pytest.fixture
def stranger_auditor(db):
    # Siv is a trained auditor, but on no team of these audits: she must see none of them.
    return trained_auditor(user__full_name="Siv Annanstans")


@pytest.fixture
def collecting(commissioner, staff, lead, colleague):
    return audit_in_state(
        Audit.Status.COLLECTING, commissioner=commissioner, staff=staff, auditors=[lead, colleague]
    )


@pytest.fixture
def analysing(commissioner, staff, lead, colleague):
    return audit_in_state(
        Audit.Status.ANALYSING, commissioner=commissioner, staff=staff, auditors=[lead, colleague]
    )


def finding_data(**overrides) -> dict:
    data = {
        "theme": Theme.INFORMATION,
        "polarity": Finding.Polarity.NEGATIVE,
        "title": "Informationen kommer sent",
        "description": "Flera deltagare fick veta om ändringar först samma dag.",
        "quotes": "Ingen sa något.\n\nJag fick veta det i dörren.",
    }
    return {**data, **overrides}


# --- The undertaking --------------------------------------------------------------


def test_a_team_member_without_the_undertaking_is_sent_to_it_and_then_back(client, staff):
    newcomer = AuditorProfileFactory(user__full_name="Nils Ny").user
    audit = audit_in_state(
        Audit.Status.COLLECTING, staff=staff, auditors=[newcomer, trained_auditor()]
    )
    client.force_login(newcomer)
    page = en("sessions", audit.pk)

    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"] == f"{en('undertaking')}?next={page.replace('/', '%2F')}"

    response = client.post(en("undertaking"), {"accept": "on", "next": page})

    assert response.status_code == 302
    assert response["Location"] == page
    assert client.get(page).status_code == 200


def test_every_team_page_sends_a_member_without_the_undertaking_to_it(client, staff):
    newcomer = AuditorProfileFactory().user
    audit = audit_in_state(
        Audit.Status.ANALYSING, staff=staff, auditors=[newcomer, trained_auditor()]
    )
    finding = audit.findings.get()
    proposal = audit.proposals.get()
    client.force_login(newcomer)
    pages = [en(name, audit.pk) for name in TEAM_PAGES] + [
        en("finding_edit", audit.pk, finding.pk),
        en("finding_delete", audit.pk, finding.pk),
        en("proposal_edit", audit.pk, proposal.pk),
        en("proposal_delete", audit.pk, proposal.pk),
    ]

    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(en("undertaking") + "?next="), page


def test_accepting_the_undertaking_twice_keeps_one_row_and_shows_when(client, auditor):
    client.force_login(auditor)

    client.post(en("undertaking"), {"accept": "on"})
    response = client.post(en("undertaking"), {"accept": "on"})

    assert response.status_code == 302
    assert ConfidentialityUndertaking.objects.filter(user=auditor).count() == 1
    page = html(client.get(en("undertaking")))
    assert "You accepted this undertaking on" in page
    assert 'name="accept"' not in page


def test_the_undertaking_must_be_ticked(client, auditor):
    client.force_login(auditor)

    response = client.post(en("undertaking"), {})

    assert response.status_code == 200
    assert "Tick the box to accept the undertaking." in html(response)
    assert not ConfidentialityUndertaking.objects.filter(user=auditor).exists()


def test_the_undertaking_explains_what_is_confidential(client, auditor):
    client.force_login(auditor)

    page = html(client.get(en("undertaking")))

    assert "Everything informants tell you is confidential" in page
    assert "never write names" in page
    assert "never given to the unit" in page
    assert "after the audit too" in page
    assert "your assignment as a user auditor ends" in page


def test_the_undertaking_goes_to_the_start_page_instead_of_another_site(client, auditor):
    client.force_login(auditor)

    response = client.post(en("undertaking"), {"accept": "on", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/en/start/"


@pytest.mark.parametrize("name", ["undertaking", "auditor_profile", "conflicts"])
def test_the_auditors_own_pages_are_for_auditors_only(
    client, name, commissioner, staff, outsider, auditor
):
    for person in (commissioner, staff, outsider):
        client.force_login(person)
        assert client.get(en(name)).status_code == 403, person
    client.logout()
    assert client.get(en(name)).status_code == 302
    client.force_login(auditor)
    assert client.get(en(name)).status_code == 200


# --- The auditor's details and conflicts -----------------------------------------


def test_an_auditor_without_a_profile_gets_one_by_saving_their_details(client, auditor):
    client.force_login(auditor)

    response = client.post(
        en("auditor_profile"),
        {
            "experience_areas": [ServiceArea.PSYCHIATRY, ServiceArea.LSS],
            "available": "on",
            "availability_note": "Vardagar",
        },
    )

    assert response.status_code == 302
    profile = AuditorProfile.objects.get(user=auditor)
    assert profile.experience_areas == [ServiceArea.PSYCHIATRY, ServiceArea.LSS]
    assert profile.availability_note == "Vardagar"
    assert profile.training == AuditorProfile.Training.NOT_TRAINED


def test_training_and_fee_are_shown_but_cannot_be_changed_by_the_auditor(client, lead):
    client.force_login(lead)

    page = html(client.get(en("auditor_profile")))
    client.post(
        en("auditor_profile"),
        {"training": "not_trained", "hourly_rate": "9999", "available": "on"},
    )

    assert "Trained" in page
    assert 'name="hourly_rate"' not in page
    profile = AuditorProfile.objects.get(user=lead)
    assert profile.training == AuditorProfile.Training.TRAINED
    assert profile.hourly_rate == Decimal("200.00")


def test_an_auditor_declares_a_conflict_with_a_unit(client, auditor):
    unit = UnitFactory(name="Daglig verksamhet Solrosen")
    client.force_login(auditor)

    response = client.post(
        en("conflicts"), {"unit": unit.pk, "reason": Conflict.Reason.USES_UNIT, "note": ""}
    )

    assert response.status_code == 302
    conflict = Conflict.objects.get(auditor=auditor)
    assert conflict.unit == unit
    assert "Daglig verksamhet Solrosen" in html(client.get(en("conflicts")))


def test_a_conflict_needs_a_unit_or_an_organisation(client, auditor):
    client.force_login(auditor)

    response = client.post(en("conflicts"), {"reason": Conflict.Reason.DECLARED, "note": "x"})

    assert response.status_code == 200
    assert "Choose a unit or an organisation." in html(response)
    assert not Conflict.objects.exists()


# --- Who reaches the team pages ---------------------------------------------------


def test_an_auditor_not_on_the_team_and_an_outsider_get_404(
    client, analysing, stranger_auditor, outsider, other_commissioner
):
    for person in (stranger_auditor, outsider, other_commissioner):
        client.force_login(person)
        for name in TEAM_PAGES:
            assert client.get(en(name, analysing.pk)).status_code == 404, (person, name)


def test_anonymous_visitors_are_sent_to_log_in(client, analysing):
    for name in TEAM_PAGES:
        response = client.get(en(name, analysing.pk))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_the_commissioner_gets_403_on_sessions_and_on_results_before_approval(
    client, analysing, commissioner
):
    client.force_login(commissioner)

    for name in ["sessions", "findings", "proposals", "summary", "fees"]:
        assert client.get(en(name, analysing.pk)).status_code == 403, name


def test_the_commissioner_reads_findings_once_the_report_is_approved_but_never_sessions(
    client, commissioner, staff, lead, colleague
):
    audit = audit_in_state(
        Audit.Status.REPORT_APPROVED,
        commissioner=commissioner,
        staff=staff,
        auditors=[lead, colleague],
    )
    client.force_login(commissioner)

    findings_page = client.get(en("findings", audit.pk))

    assert findings_page.status_code == 200
    assert "Iakttagelse 1" in html(findings_page)
    assert ">Edit<" not in html(findings_page)
    assert client.get(en("proposals", audit.pk)).status_code == 200
    assert client.get(en("sessions", audit.pk)).status_code == 403
    response = client.post(en("findings", audit.pk), finding_data())
    assert response.status_code == 403
    assert audit.findings.count() == 1


def test_the_team_pages_render_in_every_language(client, analysing, lead):
    client.force_login(lead)
    for language in ("sv", "nb", "en"):
        with translation.override(language):
            for name in TEAM_PAGES:
                url = reverse(f"audits:{name}", args=[analysing.pk])
                assert client.get(url).status_code == 200, (language, name)


# --- Sessions ---------------------------------------------------------------------


def test_a_team_member_records_a_session_and_sees_the_totals(client, collecting, colleague):
    client.force_login(colleague)

    response = client.post(
        en("sessions", collecting.pk),
        {
            "kind": DataCollection.Kind.INTERVIEW,
            "held_on": timezone.localdate().isoformat(),
            "informants": "2",
            "duration_minutes": "60",
            "note": "Två deltagare, lugn miljö.",
        },
    )

    assert response.status_code == 302
    session = collecting.sessions.get(kind=DataCollection.Kind.INTERVIEW)
    assert session.recorded_by == colleague
    response = client.get(en("sessions", collecting.pk))
    assert response.context["total_sessions"] == 2
    assert response.context["total_informants"] == 8
    assert '<th scope="row">Interview</th><td class="text-end">1</td>' in html(response)
    assert "60 minutes" in html(response)
    assert "Två deltagare, lugn miljö." in html(response)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("held_on", "tomorrow", "The date cannot be in the future."),
        ("informants", "-1", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_a_session_in_the_future_or_with_negative_informants_is_refused(
    client, collecting, lead, field, value, message
):
    data = {
        "kind": DataCollection.Kind.FOCUS_GROUP,
        "held_on": timezone.localdate().isoformat(),
        "informants": "5",
    }
    if value == "tomorrow":
        value = (timezone.localdate() + timedelta(days=1)).isoformat()
    data[field] = value
    client.force_login(lead)

    response = client.post(en("sessions", collecting.pk), data)

    assert response.status_code == 200
    assert message in html(response)
    assert collecting.sessions.count() == 1


def test_a_session_cannot_be_recorded_once_the_report_is_drafted(
    client, commissioner, staff, lead, colleague
):
    audit = audit_in_state(
        Audit.Status.REPORT_DRAFT,
        commissioner=commissioner,
        staff=staff,
        auditors=[lead, colleague],
    )
    client.force_login(lead)

    response = client.post(
        en("sessions", audit.pk),
        {"kind": "interview", "held_on": timezone.localdate().isoformat(), "informants": "1"},
    )

    assert response.status_code == 200
    assert "Sessions are recorded during data collection." in html(response)
    assert audit.sessions.count() == 1


# --- Findings ---------------------------------------------------------------------


def test_a_team_member_writes_a_finding_shown_under_its_theme(client, analysing, colleague):
    client.force_login(colleague)

    response = client.post(en("findings", analysing.pk), finding_data())

    assert response.status_code == 302
    finding = analysing.findings.get(title="Informationen kommer sent")
    assert finding.number == 2
    assert finding.created_by == colleague
    page = html(client.get(en("findings", analysing.pk)))
    assert "Finding 2: Informationen kommer sent" in page
    assert "<li>“Jag fick veta det i dörren.”</li>" in page
    assert "Negative" in page
    assert "Last changed by Kalle Kollega" in page
    # The themes come in the order of Theme: "Treatment" (finding 1) before "Information".
    assert page.index("Treatment and respect") < page.index('<h2 id="theme-2">Information')


def test_a_finding_without_a_heading_is_refused_and_nothing_is_saved(client, analysing, lead):
    client.force_login(lead)

    response = client.post(en("findings", analysing.pk), finding_data(title=""))

    assert response.status_code == 200
    assert "This field is required." in html(response)
    assert analysing.findings.count() == 1


def test_writing_after_the_report_is_approved_is_refused_with_the_reason(
    client, commissioner, staff, lead, colleague
):
    audit = audit_in_state(
        Audit.Status.REPORT_APPROVED,
        commissioner=commissioner,
        staff=staff,
        auditors=[lead, colleague],
    )
    finding = audit.findings.get()
    client.force_login(lead)

    create = client.post(en("findings", audit.pk), finding_data())
    edit = client.post(
        en("finding_edit", audit.pk, finding.pk), finding_data(version=finding.version)
    )

    for response in (create, edit):
        assert response.status_code == 200
        assert "Findings and proposals can be written only before the report is approved." in (
            html(response)
        )
    finding.refresh_from_db()
    assert finding.title == "Iakttagelse 1"
    assert audit.findings.count() == 1
    form = client.get(en("finding_edit", audit.pk, finding.pk), follow=True)
    assert form.redirect_chain == [(en("findings", audit.pk), 302)]
    assert "only before the report is approved" in html(form)


def test_a_team_member_edits_a_finding(client, analysing, colleague):
    finding = analysing.findings.get()
    client.force_login(colleague)

    form = client.get(en("finding_edit", analysing.pk, finding.pk))
    response = client.post(
        en("finding_edit", analysing.pk, finding.pk),
        finding_data(title="Ny rubrik", version=form.context["form"]["version"].value()),
    )

    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.title == "Ny rubrik"
    assert finding.version == 2
    assert finding.updated_by == colleague


def test_two_auditors_editing_one_finding_never_overwrite_each_other(
    client, analysing, lead, colleague
):
    finding = analysing.findings.get()
    other = Client()
    client.force_login(lead)
    other.force_login(colleague)
    page = en("finding_edit", analysing.pk, finding.pk)
    lead_version = client.get(page).context["form"]["version"].value()
    colleague_version = other.get(page).context["form"]["version"].value()

    first = client.post(page, finding_data(title="Lenas rubrik", version=lead_version))
    second = other.post(page, finding_data(title="Kalles rubrik", version=colleague_version))

    assert first.status_code == 302
    assert second.status_code == 200
    text = html(second)
    assert "Lena Ledare saved this finding while you were editing it." in text
    assert "Saved by Lena Ledare at" in text
    assert second.context["form"]["title"].value() == "Kalles rubrik"
    finding.refresh_from_db()
    assert finding.title == "Lenas rubrik"
    assert finding.updated_by == lead

    # Having compared the texts, Kalle saves again on purpose and his text wins.
    again = other.post(
        page, finding_data(title="Kalles rubrik", version=second.context["form"]["version"].value())
    )

    assert again.status_code == 302
    finding.refresh_from_db()
    assert finding.title == "Kalles rubrik"
    assert finding.version == 3


def test_a_finding_that_a_proposal_cites_cannot_be_deleted(client, analysing, lead):
    cited = analysing.findings.get()
    loose = FindingFactory(audit=analysing, number=7)
    client.force_login(lead)

    confirm = client.get(en("finding_delete", analysing.pk, loose.pk))
    refused = client.post(en("finding_delete", analysing.pk, cited.pk), follow=True)
    deleted = client.post(en("finding_delete", analysing.pk, loose.pk))

    assert confirm.status_code == 200
    assert "A proposal cites this finding. Change the proposal first." in html(refused)
    assert Finding.objects.filter(pk=cited.pk).exists()
    assert deleted.status_code == 302
    assert not Finding.objects.filter(pk=loose.pk).exists()


def test_the_commissioner_and_strangers_cannot_edit_or_delete_findings(
    client, analysing, commissioner, stranger_auditor
):
    finding = analysing.findings.get()
    client.force_login(commissioner)
    assert client.get(en("finding_edit", analysing.pk, finding.pk)).status_code == 403
    assert client.post(en("finding_delete", analysing.pk, finding.pk)).status_code == 403
    client.force_login(stranger_auditor)
    assert client.get(en("finding_edit", analysing.pk, finding.pk)).status_code == 404
    assert Finding.objects.filter(pk=finding.pk).exists()


# --- Proposals --------------------------------------------------------------------


def test_a_proposal_cites_findings_shown_as_links(client, analysing, lead):
    finding = analysing.findings.get()
    client.force_login(lead)

    response = client.post(
        en("proposals", analysing.pk),
        {"text": "Skicka schemat en vecka i förväg.", "findings": [finding.pk]},
    )

    assert response.status_code == 302
    proposal = analysing.proposals.get(text="Skicka schemat en vecka i förväg.")
    assert list(proposal.findings.all()) == [finding]
    page = html(client.get(en("proposals", analysing.pk)))
    assert f'#finding-{finding.pk}">Finding 1: Iakttagelse 1</a>' in page


def test_a_proposal_citing_another_audits_finding_or_none_is_refused(client, analysing, lead):
    foreign = audit_in_state(Audit.Status.ANALYSING).findings.get()
    client.force_login(lead)

    foreign_response = client.post(
        en("proposals", analysing.pk), {"text": "Något annat.", "findings": [foreign.pk]}
    )
    empty_response = client.post(en("proposals", analysing.pk), {"text": "Något annat."})

    assert foreign_response.status_code == 200
    assert "Select a valid choice." in html(foreign_response)
    assert empty_response.status_code == 200
    assert "A proposal must build on at least one finding." in html(empty_response)
    assert not Proposal.objects.filter(text="Något annat.").exists()


def test_a_proposal_is_edited_and_a_stale_edit_is_refused(client, analysing, lead, colleague):
    proposal = analysing.proposals.get()
    second = FindingFactory(audit=analysing, number=2, title="Andra")
    other = Client()
    client.force_login(lead)
    other.force_login(colleague)
    page = en("proposal_edit", analysing.pk, proposal.pk)
    version = client.get(page).context["form"]["version"].value()
    assert other.get(page).status_code == 200

    saved = client.post(
        page, {"text": "Lenas förslag", "findings": [second.pk], "version": version}
    )
    stale = other.post(
        page, {"text": "Kalles förslag", "findings": [second.pk], "version": version}
    )

    assert saved.status_code == 302
    assert stale.status_code == 200
    assert f"{lead.full_name} saved this proposal while you were editing it." in html(stale)
    assert "Lenas förslag" in html(stale)
    proposal.refresh_from_db()
    assert proposal.text == "Lenas förslag"
    assert list(proposal.findings.all()) == [second]


def test_a_proposal_is_deleted_after_confirmation(client, analysing, colleague):
    proposal = analysing.proposals.get()
    client.force_login(colleague)

    assert client.get(en("proposal_delete", analysing.pk, proposal.pk)).status_code == 200
    response = client.post(en("proposal_delete", analysing.pk, proposal.pk))

    assert response.status_code == 302
    assert not analysing.proposals.exists()


# --- Summary ----------------------------------------------------------------------


def test_the_lead_writes_the_summaries(client, analysing, lead):
    client.force_login(lead)

    response = client.post(
        en("summary", analysing.pk),
        {"summary": "Deltagarna är nöjda med bemötandet.", "easy_read_summary": "Vi har frågat."},
    )

    assert response.status_code == 302
    analysing.refresh_from_db()
    assert analysing.easy_read_summary == "Vi har frågat."


def test_a_long_sentence_in_the_easy_to_read_summary_is_flagged_and_nothing_saved(
    client, analysing, lead
):
    long = (
        "Vi har pratat med många deltagare på enheten under våren och de flesta av dem"
        " tycker att personalen är snäll."
    )
    client.force_login(lead)

    response = client.post(
        en("summary", analysing.pk),
        {"summary": "", "easy_read_summary": f"Vi har frågat. {long}"},
    )

    assert response.status_code == 200
    assert "This sentence has 20 words; easy-to-read sentences have at most 15" in html(response)
    analysing.refresh_from_db()
    assert analysing.easy_read_summary == ""


def test_only_the_lead_or_a_manager_writes_the_summaries(client, analysing, colleague, staff):
    client.force_login(colleague)
    assert client.get(en("summary", analysing.pk)).status_code == 403
    client.force_login(staff)
    assert client.get(en("summary", analysing.pk)).status_code == 200


# --- Fees -------------------------------------------------------------------------


def test_an_auditor_logs_hours_with_a_decimal_comma_and_sees_the_totals(
    client, collecting, colleague
):
    client.force_login(colleague)

    response = client.post(
        en("fees", collecting.pk),
        {
            "worked_on": timezone.localdate().isoformat(),
            "activity": FeeEntry.Activity.DATA_COLLECTION,
            "hours": "3,5",
            "travel_km": "10",
            "travel_cost": "50",
            "note": "",
        },
    )

    assert response.status_code == 302
    entry = FeeEntry.objects.get(auditor=colleague)
    assert entry.hours == Decimal("3.5")
    assert entry.total == Decimal("775.00")
    page = client.get(en("fees", collecting.pk))
    assert page.context["totals"]["total"] == Decimal("775.00")
    assert page.context["totals"]["fee"] == Decimal("700.00")
    assert page.context["totals"]["mileage"] == Decimal("25.00")
    assert "775.00" in html(page)


def test_hours_in_the_future_or_over_a_day_are_refused(client, collecting, lead):
    client.force_login(lead)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    future = client.post(
        en("fees", collecting.pk), {"worked_on": tomorrow, "activity": "analysis", "hours": "2"}
    )
    too_long = client.post(
        en("fees", collecting.pk),
        {"worked_on": timezone.localdate().isoformat(), "activity": "analysis", "hours": "25"},
    )

    assert "The date cannot be in the future." in html(future)
    assert "Ensure this value is less than or equal to 24." in html(too_long)
    assert not FeeEntry.objects.exists()


def test_an_auditor_cannot_delete_someone_elses_fee_entry(client, collecting, lead, colleague):
    theirs = FeeEntryFactory(audit=collecting, auditor=colleague)
    mine = FeeEntryFactory(audit=collecting, auditor=lead)
    client.force_login(lead)

    refused = client.post(en("fee_delete", collecting.pk, theirs.pk))
    deleted = client.post(en("fee_delete", collecting.pk, mine.pk))

    assert refused.status_code == 403
    assert FeeEntry.objects.filter(pk=theirs.pk).exists()
    assert deleted.status_code == 302
    assert not FeeEntry.objects.filter(pk=mine.pk).exists()
    reopened = client.get(en("fee_delete", collecting.pk, theirs.pk))
    assert reopened.status_code == 302
    assert reopened["Location"] == en("fees", collecting.pk)
    assert FeeEntry.objects.filter(pk=theirs.pk).exists()


def test_fee_entries_of_a_closed_audit_stay(client, commissioner, staff, lead, colleague):
    audit = audit_in_state(
        Audit.Status.CLOSED, commissioner=commissioner, staff=staff, auditors=[lead, colleague]
    )
    entry = FeeEntryFactory(audit=audit, auditor=lead)
    client.force_login(lead)

    response = client.post(en("fee_delete", audit.pk, entry.pk), follow=True)

    assert "Hours can be removed only while the audit is under way." in html(response)
    assert FeeEntry.objects.filter(pk=entry.pk).exists()


def test_fees_are_for_the_team_only(client, collecting, staff, commissioner):
    client.force_login(staff)
    assert client.get(en("fees", collecting.pk)).status_code == 403
    client.force_login(commissioner)
    assert client.get(en("fees", collecting.pk)).status_code == 403


def test_the_fee_page_shows_only_the_auditors_own_entries(client, collecting, lead, colleague):
    FeeEntryFactory(audit=collecting, auditor=colleague, note="Kalles resa")
    FeeEntryFactory(audit=collecting, auditor=lead, note="Lenas resa")
    client.force_login(lead)

    page = html(client.get(en("fees", collecting.pk)))

    assert "Lenas resa" in page
    assert "Kalles resa" not in page


# --- Query counts -----------------------------------------------------------------


def queries_for(client, url: str) -> int:
    client.get(url)  # warm caches that are filled once per process
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_findings_page_costs_the_same_for_1_and_30_findings(
    client, analysing, lead, django_assert_max_num_queries
):
    client.force_login(lead)
    url = en("findings", analysing.pk)
    with_one = queries_for(client, url)
    for number in range(2, 32):
        FindingFactory(audit=analysing, number=number, theme=Theme.values[number % 7])

    with django_assert_max_num_queries(with_one):
        response = client.get(url)

    assert sum(len(items) for _theme, items in response.context["themes"]) == 31


def test_the_proposals_page_costs_the_same_for_1_and_30_proposals(
    client, analysing, lead, django_assert_max_num_queries
):
    client.force_login(lead)
    url = en("proposals", analysing.pk)
    with_one = queries_for(client, url)
    finding = analysing.findings.get()
    for number in range(2, 32):
        ProposalFactory(audit=analysing, number=number).findings.add(finding)

    with django_assert_max_num_queries(with_one):
        response = client.get(url)

    assert len(response.context["rows"]) == 31


# --- The auditor's start page -----------------------------------------------------


def test_the_start_page_lists_the_auditors_audits_and_what_to_do_next(
    client, analysing, lead, colleague
):
    FeeEntryFactory(audit=analysing, auditor=lead, hours=Decimal("2.5"))
    FeeEntryFactory(
        audit=analysing,
        auditor=lead,
        hours=Decimal("4"),
        worked_on=timezone.localdate() - timedelta(days=40),
    )
    client.force_login(lead)

    with translation.override("en"):
        response = client.get(reverse("start_auditor"))

    page = html(response)
    assert f'href="{en("detail", analysing.pk)}">{analysing.reference}</a>' in page
    assert "Analysing" in page
    assert "Lead auditor" in page
    assert "Write findings and proposals." in page
    assert response.context["hours_this_month"] == Decimal("2.5")
    assert "not accepted the confidentiality undertaking" not in page
    assert en("auditor_profile") in page
    assert en("conflicts") in page


def test_the_start_page_asks_for_the_undertaking_until_it_is_accepted(client, auditor):
    client.force_login(auditor)

    with translation.override("en"):
        page = html(client.get(reverse("start_auditor")))

    assert "not accepted the confidentiality undertaking" in page
    assert f'href="{en("undertaking")}"' in page


def test_the_start_page_costs_the_same_for_1_and_20_audits(
    client, lead, staff, django_assert_max_num_queries
):
    audit_in_state(Audit.Status.PLANNING, staff=staff, auditors=[lead, trained_auditor()])
    client.force_login(lead)
    url = reverse("start_auditor")
    with_one = queries_for(client, url)
    for _n in range(19):
        audit = audit_in_state(Audit.Status.QUOTED, staff=staff)
        # A team is formed from planning on; a direct row keeps the test fast.
        audit.members.create(user=lead)
        FeeEntryFactory(audit=audit, auditor=lead)

    with django_assert_max_num_queries(with_one):
        response = client.get(url)

    assert len(response.context["memberships"]) == 20


def test_the_sessions_page_costs_the_same_for_1_and_30_sessions(
    client, collecting, lead, django_assert_max_num_queries
):
    client.force_login(lead)
    url = en("sessions", collecting.pk)
    with_one = queries_for(client, url)
    for index in range(30):
        DataCollectionFactory(
            audit=collecting, kind=DataCollection.Kind.values[index % 6], recorded_by=lead
        )

    with django_assert_max_num_queries(with_one):
        response = client.get(url)

    assert len(response.context["rows"]) == 31


def test_the_fees_page_costs_the_same_for_1_and_30_entries(
    client, collecting, lead, django_assert_max_num_queries
):
    FeeEntryFactory(audit=collecting, auditor=lead)
    client.force_login(lead)
    url = en("fees", collecting.pk)
    with_one = queries_for(client, url)
    FeeEntryFactory.create_batch(29, audit=collecting, auditor=lead)

    with django_assert_max_num_queries(with_one):
        response = client.get(url)

    assert len(response.context["entries"]) == 30


def test_the_conflicts_page_costs_the_same_for_1_and_30_conflicts(
    client, auditor, django_assert_max_num_queries
):
    ConflictFactory(auditor=auditor)
    client.force_login(auditor)
    url = en("conflicts")
    with_one = queries_for(client, url)
    ConflictFactory.create_batch(29, auditor=auditor)

    with django_assert_max_num_queries(with_one):
        response = client.get(url)

    assert len(response.context["declared"]) == 30
