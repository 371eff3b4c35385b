"""Field notes, the guard on save, coding, the matrix, findings from codes and retention."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audits.analysis import services
from audits.analysis.models import Code, FieldNote, FindingEvidence, Passage
from audits.fieldwork.models import Guide, GuideQuestion, GuideSection
from audits.models import Audit, AuditEvent, AuditMember, DataCollection
from audits.retention import field_notes_due
from audits.tests.factories import DataCollectionFactory, audit_in_state
from brukarkraft.retention import due_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(commissioner, staff):
    return audit_in_state(Audit.Status.ANALYSING, commissioner=commissioner, staff=staff)


@pytest.fixture
def team(audit):
    return [member.user for member in audit.members.order_by("pk")]


@pytest.fixture
def session(audit):
    return DataCollectionFactory(audit=audit, kind=DataCollection.Kind.INTERVIEW, informants=1)


@pytest.fixture
def question(audit):
    guide = Guide.objects.create(audit=audit, kind="interview", introduction="Välkommen.")
    section = GuideSection.objects.create(guide=guide, title="Bemötande", position=1)
    return GuideQuestion.objects.create(section=section, text="Hur blir du bemött?", position=1)


def notes_url(audit, session):
    return reverse("audits:analysis_notes", args=[audit.pk, session.pk])


def post_note(client, audit, session, question, text, version="", done=False, save="all"):
    data = {f"t-{question.pk}": text, f"v-{question.pk}": version, "save": save}
    if done:
        data[f"d-{question.pk}"] = "on"
    return client.post(notes_url(audit, session), data)


# --- Who sees the notes -----------------------------------------------------------------


def test_the_team_writes_and_sees_each_others_notes_side_by_side(
    client, audit, team, session, question
):
    first, second = team[:2]
    client.force_login(first)
    response = post_note(client, audit, session, question, "Bemötandet var bra.")
    assert response.status_code == 302
    client.force_login(second)
    post_note(client, audit, session, question, "Personalen lyssnade.")
    page = client.get(notes_url(audit, session)).content.decode()
    assert "Personalen lyssnade." in page  # in the second auditor's own textarea
    assert "Bemötandet var bra." in page  # the first auditor's, beside it
    assert FieldNote.objects.filter(session=session).count() == 2


def test_commissioner_other_auditors_and_outsiders_get_404(
    client, audit, session, commissioner, auditor, outsider
):
    for person in (commissioner, auditor, outsider):
        client.force_login(person)
        assert client.get(notes_url(audit, session)).status_code == 404
        assert client.get(reverse("audits:analysis", args=[audit.pk])).status_code == 404


def test_staff_see_counts_only(client, audit, team, session, question, staff):
    services.save_note(
        session=session, question=question, by=team[0], text="Hemligt innehåll.", version=None
    )
    client.force_login(staff)
    response = client.get(notes_url(audit, session))
    assert response.status_code == 200
    assert "Hemligt innehåll." not in response.content.decode()
    assert response.context["count"] == 1
    assert client.get(reverse("audits:analysis", args=[audit.pk])).status_code == 404


def test_an_auditor_removed_from_the_team_loses_access_at_once_and_the_notes_stay(
    client, audit, team, session, question, staff
):
    leaver = team[1]
    services.save_note(
        session=session, question=question, by=leaver, text="Min anteckning.", version=None
    )
    client.force_login(leaver)
    assert client.get(notes_url(audit, session)).status_code == 200
    AuditMember.objects.filter(audit=audit, user=leaver).delete()
    assert client.get(notes_url(audit, session)).status_code == 404
    with pytest.raises(ValidationError):
        services.save_note(session=session, question=question, by=leaver, text="Mer.", version=1)
    client.force_login(team[0])
    assert "Min anteckning." in client.get(notes_url(audit, session)).content.decode()


# --- Saving -------------------------------------------------------------------------------


def test_a_note_over_50000_characters_is_refused_with_a_message(
    client, audit, team, session, question
):
    client.force_login(team[0])
    response = post_note(client, audit, session, question, "a" * 50_001)
    assert response.status_code == 200
    assert "50000" in response.content.decode() or "50 000" in response.content.decode()
    assert not FieldNote.objects.exists()
    with pytest.raises(ValidationError, match="högst"):
        services.save_note(
            session=session, question=question, by=team[0], text="a" * 50_001, version=None
        )


def test_two_saves_of_the_same_note_at_once_the_second_is_told_and_keeps_its_text(
    client, audit, team, session, question
):
    client.force_login(team[0])
    post_note(client, audit, session, question, "Första.")
    note = FieldNote.objects.get()
    # Two windows opened at version 2; the first saves, then the second.
    post_note(client, audit, session, question, "Från fönster ett.", version=note.version)
    response = post_note(
        client, audit, session, question, "Från fönster två.", version=note.version
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "sparades i ett annat fönster" in page
    assert "Från fönster två." in page  # their text is shown back
    assert "Från fönster ett." in page  # next to the saved one
    assert FieldNote.objects.get().text == "Från fönster ett."


def test_the_guard_shows_hits_and_a_note_with_hits_cannot_be_done(
    client, audit, team, session, question
):
    client.force_login(team[0])
    response = post_note(
        client, audit, session, question, "Kontaktpersonen Bo ringde 070-123 45 67.", done=True
    )
    assert response.status_code == 200
    assert "innan du markerar den som klar" in response.content.decode()
    note = FieldNote.objects.get()
    assert note.status == FieldNote.Status.DRAFT
    assert note.text == "Kontaktpersonen Bo ringde 070-123 45 67."
    page = client.get(notes_url(audit, session)).content.decode()
    assert "<mark>Bo</mark>" in page and "[namn]" in page


def test_one_click_replacement_then_done(client, audit, team, session, question):
    client.force_login(team[0])
    post_note(client, audit, session, question, "Kontaktpersonen Bo ringde.")
    note = FieldNote.objects.get()
    url = reverse("audits:analysis_replace", args=[audit.pk, note.pk])
    response = client.post(url, {"start": 16, "end": 18, "found": "Bo"})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text == "Kontaktpersonen [namn] ringde."
    post_note(client, audit, session, question, note.text, version=note.version, done=True)
    assert FieldNote.objects.get().status == FieldNote.Status.DONE


def test_a_replacement_that_no_longer_matches_changes_nothing(
    client, audit, team, session, question
):
    note = services.save_note(
        session=session, question=question, by=team[0], text="Heter Kari.", version=None
    )
    client.force_login(team[0])
    client.post(
        reverse("audits:analysis_replace", args=[audit.pk, note.pk]),
        {"start": 0, "end": 5, "found": "Heter"},
    )
    note.refresh_from_db()
    assert note.text == "Heter Kari."


def test_notes_under_a_removed_question_stay_under_removed_question(
    client, audit, team, session, question
):
    services.save_note(session=session, question=question, by=team[0], text="Svar.", version=None)
    question.removed_at = timezone.now()
    question.save()
    client.force_login(team[0])
    page = client.get(notes_url(audit, session)).content.decode()
    assert "Removed questions" in page or "Borttagna frågor" in page
    assert "Svar." in page


# --- Coding and the matrix ---------------------------------------------------------------


def test_coding_with_a_code_of_another_audit_is_refused_and_nothing_saved(
    audit, team, session, question, commissioner, staff
):
    note = services.save_note(
        session=session, question=question, by=team[0], text="Bra. Dåligt.", version=None
    )
    other = audit_in_state(Audit.Status.ANALYSING)
    foreign = Code.objects.create(audit=other, name="Främmande")
    with pytest.raises(ValidationError, match="annan revision"):
        services.code_passage(
            note=note, by=team[0], start=0, end=4, codes=[foreign], polarity="positive"
        )
    assert not Passage.objects.exists()


def test_coding_another_audits_code_through_the_page_shows_the_message(
    client, audit, team, session, question
):
    note = services.save_note(
        session=session, question=question, by=team[0], text="Bra. Dåligt.", version=None
    )
    foreign = Code.objects.create(audit=audit_in_state(Audit.Status.ANALYSING), name="Främmande")
    client.force_login(team[0])
    response = client.post(
        reverse("audits:analysis_code", args=[audit.pk, note.pk]),
        {"sentences": ["0"], "codes": [str(foreign.pk)], "polarity": "positive"},
    )
    assert response.status_code == 200
    assert not Passage.objects.exists()
    assert response.context["form"].errors["codes"]


def test_coding_sentences_makes_a_passage_with_codes(client, audit, team, session, question):
    note = services.save_note(
        session=session,
        question=question,
        by=team[0],
        text="Bra bemötande. Lång väntan. Tack.",
        version=None,
    )
    services.ensure_theme_codes(audit)
    codes = list(Code.objects.filter(audit=audit)[:2])
    client.force_login(team[1])
    response = client.post(
        reverse("audits:analysis_code", args=[audit.pk, note.pk]),
        {"sentences": ["0", "1"], "codes": [str(c.pk) for c in codes], "polarity": "negative"},
    )
    assert response.status_code == 302
    passage = Passage.objects.get()
    assert passage.text == "Bra bemötande. Lång väntan."
    assert set(passage.codes.all()) == set(codes)


def make_coded(audit, author, sessions_count, passages_each, code):
    for _ in range(sessions_count):
        session = DataCollectionFactory(
            audit=audit, kind=DataCollection.Kind.INTERVIEW, informants=2
        )
        note = FieldNote.objects.create(session=session, author=author, text="Ett. Två. Tre.")
        for _ in range(passages_each):
            passage = Passage.objects.create(
                note=note, start=0, end=4, text="Ett.", polarity="positive"
            )
            passage.codes.add(code)


def test_the_matrix_is_a_table_with_links_and_flat_queries(
    client, audit, team, django_assert_max_num_queries
):
    code = Code.objects.create(audit=audit, name="Väntan", theme="accessibility")
    make_coded(audit, team[0], 2, 2, code)
    client.force_login(team[0])
    url = reverse("audits:analysis", args=[audit.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        response = client.get(url)
    page = response.content.decode()
    assert "<table" in page and 'scope="row"' in page and 'scope="col"' in page
    assert f"code={code.pk}&amp;session=" in page
    row = next(r for r in response.context["matrix"]["rows"] if r["code"] == code)
    assert row["sessions"] == 2 and row["informants"] == 4 and row["passages"] == 4
    make_coded(audit, team[0], 3, 10, code)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_a_finding_from_a_code_records_its_evidence_and_quotes(client, audit, team):
    code = Code.objects.create(audit=audit, name="Väntan", theme="accessibility")
    make_coded(audit, team[0], 2, 1, code)
    DataCollectionFactory(audit=audit, kind=DataCollection.Kind.FOCUS_GROUP, informants=6)
    quote = Passage.objects.first()
    client.force_login(team[0])
    response = client.post(
        reverse("audits:analysis_finding", args=[audit.pk, code.pk]),
        {
            "title": "Lång väntan",
            "description": "Många väntar.",
            "polarity": "negative",
            "quotes": [quote.pk],
        },
    )
    assert response.status_code == 302
    evidence = FindingEvidence.objects.get(code=code)
    # audit_in_state recorded one session of its own (not an interview).
    interviews = audit.sessions.filter(kind="interview").count()
    groups = audit.sessions.filter(kind="focus_group").count()
    assert (evidence.interviews_raised, evidence.interviews_total) == (2, interviews)
    assert (evidence.groups_raised, evidence.groups_total) == (0, groups)
    assert evidence.informants == 4
    assert evidence.finding.quotes == "Ett."
    assert evidence.finding.theme == "accessibility"


# --- Retention ----------------------------------------------------------------------------


def test_notes_and_passages_go_after_the_report_has_been_approved_for_the_period(
    audit, team, settings
):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "field_notes": 92}
    code = Code.objects.create(audit=audit, name="Väntan", theme="accessibility")
    make_coded(audit, team[0], 1, 2, code)
    finding = services.finding_from_code(
        code=code, by=team[0], title="T", description="D", polarity="negative", quotes=[]
    )
    now = timezone.now()
    assert field_notes_due(now).count() == 0
    event = AuditEvent.objects.create(
        audit=audit, action="report_approved", to_status=Audit.Status.REPORT_APPROVED
    )
    assert field_notes_due(now + timedelta(days=91)).count() == 0
    later = now + timedelta(days=93)
    assert due_counts(now=later)["field_notes"] == 1
    from brukarkraft.retention import all_rules

    rule = next(r for r in all_rules() if r.name == "field_notes")
    assert rule.delete_due(later) == 1
    assert not FieldNote.objects.exists() and not Passage.objects.exists()
    assert FindingEvidence.objects.get(finding=finding).interviews_raised == 1
    assert event.pk


# --- The report ---------------------------------------------------------------------------


def test_the_report_has_the_method_and_each_findings_evidence_in_its_language(
    audit, team, question
):
    from django.template.loader import render_to_string
    from django.utils import translation

    from audits.pdf import report_context

    code = Code.objects.create(audit=audit, name="Väntan", theme="accessibility")
    make_coded(audit, team[0], 2, 1, code)
    services.finding_from_code(
        code=code, by=team[0], title="Lång väntan", description="D", polarity="negative", quotes=[]
    )
    for language, evidence, method in (
        ("sv", "Togs upp i 2 av 2 intervjuer och 0 av", "Så gick analysen till"),
        ("nb", "Tatt opp i 2 av 2 intervjuer og 0 av", "Slik ble analysen gjort"),
    ):
        context = report_context(audit, language)
        assert context["analysis_method"]["passages"] == 2
        assert context["analysis_method"]["instruments"][0]["questions"] == 1
        with translation.override(language):
            html = " ".join(render_to_string("audits/pdf/report.html", context).split())
        assert evidence in html
        assert method in html


def test_the_admin_never_shows_a_notes_text(client, admin_user, audit, team, session, question):
    note = services.save_note(
        session=session, question=question, by=team[0], text="Hemlig text.", version=None
    )
    client.force_login(admin_user)
    for name, args in (
        ("admin:audits_fieldnote_changelist", []),
        ("admin:audits_fieldnote_change", [note.pk]),
    ):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        assert "Hemlig text." not in response.content.decode()
