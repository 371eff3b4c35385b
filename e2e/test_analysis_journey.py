"""Issue 18's journey in a real browser: guide → notes → guard → coding → finding → report.

The guide is made in the test (its own pages are tested in the fieldwork journey); the lead
auditor writes notes under its question with a name in them, the guard highlights it and
one click replaces it; the note is marked done; a teammate's note shows beside it; the lead
codes a passage, reads the matrix, makes a finding from the code, and the report PDF carries
the method section and the finding's evidence line, in Swedish. No JavaScript is needed on
the way (the pages are plain forms), so the journey runs with JavaScript off.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from audits.analysis.models import FieldNote, FindingEvidence, Passage
from audits.fieldwork.models import Guide, GuideQuestion, GuideSection
from audits.models import Audit, DataCollection
from audits.pdf import audit_report_pdf
from audits.tests.factories import DataCollectionFactory, audit_in_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_guide_notes_guard_coding_finding_report(browser, live_server, login_in_browser):
    audit = audit_in_state(Audit.Status.ANALYSING)
    lead, partner = [m.user for m in audit.members.order_by("-role")][:2]
    if audit.members.get(user=lead).role != "lead":
        lead, partner = partner, lead
    session = DataCollectionFactory(audit=audit, kind=DataCollection.Kind.INTERVIEW, informants=1)
    guide = Guide.objects.create(audit=audit, kind="interview", introduction="Välkommen.")
    section = GuideSection.objects.create(guide=guide, title="Bemötande", position=1)
    question = GuideQuestion.objects.create(
        section=section, text="Hur blir du bemött när du ringer?", position=1
    )
    FieldNote.objects.create(
        session=session, question=question, author=partner, text="Ingen svarar på förmiddagen."
    )

    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    login_in_browser(page, lead)
    base = live_server.url

    # The audit page leads to the analysis, and from there to the session's notes.
    page.goto(f"{base}/audits/{audit.pk}/")
    page.get_by_role("link", name="Fältanteckningar och analys").click()
    page.get_by_role("link", name="Intervju").first.click()
    assert page.get_by_text("Ingen svarar på förmiddagen.").is_visible()  # side by side

    slot = page.get_by_role("region", name="Hur blir du bemött när du ringer?")
    # Notes with a name in them: saved as a draft, the guard highlights the name.
    slot.get_by_label("Dina anteckningar").fill(
        "Det tar lång tid att få svar. Kontaktpersonen Bo ringde aldrig tillbaka."
    )
    slot.get_by_label("Klar: inget i den kan peka ut en person").check()
    page.get_by_role("button", name="Spara alla anteckningar").click()
    assert page.locator(".error-summary").is_visible()
    assert page.locator("mark", has_text="Bo").first.is_visible()
    assert FieldNote.objects.get(author=lead).status == FieldNote.Status.DRAFT

    # One click replaces it; then the note can be marked done.
    page.get_by_role("button", name="Ersätt ”Bo” med [namn]").click()
    assert "Kontaktpersonen [namn] ringde" in slot.get_by_label("Dina anteckningar").input_value()
    slot.get_by_label("Klar: inget i den kan peka ut en person").check()
    page.get_by_role("button", name="Spara alla anteckningar").click()
    note = FieldNote.objects.get(author=lead)
    assert note.status == FieldNote.Status.DONE

    # Code the first sentence as negative, accessibility.
    slot.get_by_role("link", name="Koda avsnitt i dina anteckningar").click()
    page.get_by_label("Det tar lång tid att få svar.", exact=True).check()
    page.get_by_label("Tillgänglighet", exact=True).check()
    page.get_by_label("Negativ", exact=True).check()
    page.get_by_role("button", name="Koda avsnittet").click()
    assert Passage.objects.get().text == "Det tar lång tid att få svar."

    # The matrix: a real table; its cell opens the passage; a finding from the code.
    page.goto(f"{base}/audits/{audit.pk}/analysis/")
    table = page.get_by_role("table")
    assert table.get_by_role("rowheader", name="Tillgänglighet").is_visible()
    # By keyboard: the cell's link takes focus and Enter opens the passages behind it.
    cell = table.get_by_role("link", name="Tillgänglighet, Intervju")
    cell.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Det tar lång tid att få svar.").is_visible()
    page.go_back()
    page.get_by_role("link", name="Skapa en iakttagelse från Tillgänglighet").click()
    assert page.get_by_text("Togs upp i 1 av 1 intervjuer").is_visible()
    page.get_by_label("Rubrik").fill("Svårt att nå enheten per telefon")
    page.get_by_label("Beskrivning").fill("Deltagarna får vänta länge på svar.")
    page.get_by_label("Negativ", exact=True).check()
    page.get_by_label("Det tar lång tid att få svar.", exact=True).check()
    page.get_by_role("button", name="Skapa iakttagelsen").click()
    evidence = FindingEvidence.objects.get()
    assert evidence.finding.quotes == "Det tar lång tid att få svar."
    context.close()

    # The report, in its language: the method section and the evidence line.
    pdf, _pages = audit_report_pdf(audit, "sv")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Så gick analysen till" in text
    assert "Togs upp i 1 av 1 intervjuer" in text
