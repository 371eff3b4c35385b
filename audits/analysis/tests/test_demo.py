"""The demo audit collecting data has field notes, coded passages and a finding with evidence."""

import pytest

from audits.analysis.models import FieldNote, FindingEvidence, Passage
from audits.models import Audit
from brukarkraft.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]


def test_the_collecting_demo_audit_has_notes_passages_and_a_finding_with_evidence():
    audit = Audit.objects.get(status=Audit.Status.COLLECTING)
    notes = FieldNote.objects.filter(session__audit=audit)
    # Two auditors side by side: under three questions of the interview guide, or as free
    # notes while the audit has no guide.
    per_author = 3 if audit.guides.exists() else 1
    assert notes.count() == 2 * per_author
    assert notes.filter(status=FieldNote.Status.DONE).count() == per_author
    assert Passage.objects.filter(note__session__audit=audit).count() == 3
    evidence = FindingEvidence.objects.get(finding__audit=audit)
    assert evidence.interviews_raised == 1 and evidence.informants == 12
    assert "telefontid" in evidence.finding.quotes.lower()


def test_the_demo_auditor_opens_the_notes_page(client):
    audit = Audit.objects.get(status=Audit.Status.COLLECTING)
    session = audit.sessions.get(kind="interview")
    client.force_login(User.objects.get(email="revisor@demo.brukarkraft.se"))
    response = client.get(f"/audits/{audit.pk}/sessions/{session.pk}/notes/")
    assert response.status_code == 200
    assert "telefontiden är bara en timme" in response.content.decode()


def test_the_demo_notes_go_under_the_guides_questions_when_there_is_a_guide():
    from audits.analysis import demo
    from audits.fieldwork.models import Guide, GuideQuestion, GuideSection
    from audits.models import DataCollection
    from audits.tests.factories import DataCollectionFactory, audit_in_state

    audit = audit_in_state(Audit.Status.COLLECTING)
    DataCollectionFactory(audit=audit, kind=DataCollection.Kind.INTERVIEW, informants=1)
    guide = Guide.objects.create(audit=audit, kind="interview", introduction="Välkommen.")
    section = GuideSection.objects.create(guide=guide, title="Bemötande")
    for number in range(4):
        GuideQuestion.objects.create(section=section, text=f"Fråga {number}", position=number)
    demo.seed([audit])
    notes = FieldNote.objects.filter(session__audit=audit)
    assert notes.count() == 6 and not notes.filter(question=None).exists()
    assert Passage.objects.filter(note__session__audit=audit).count() == 3
    assert FindingEvidence.objects.get(finding__audit=audit).interviews_raised == 1
