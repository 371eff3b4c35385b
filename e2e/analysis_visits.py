"""The analysis pages for the axe crawl (issue 18): field notes with the guard's hits and
another auditor's notes beside them, coding, the matrix, the passages of a cell and a
finding from a code, each plain and with errors; staff's counts-only notes page.

The data hangs on the crawl's collecting audit, whose lead is the `auditor` persona. Rows
are made directly: the auditor signs the undertaking during the crawl, not before.
"""

from __future__ import annotations

from audits.analysis import services
from audits.analysis.models import Code, FieldNote, Passage
from audits.fieldwork.models import Guide, GuideQuestion, GuideSection
from audits.models import DataCollection

from .crawl import Visit, submit_main_form

# Takes a POST from the notes page (the "field notes, a hit replaced" visit) and redirects.
ANALYSIS_NOT_PAGES = {"audits:analysis_replace"}


def analysis_crawl_data(audits: dict, auditor) -> dict:
    audit = audits["collecting"]
    session = audit.sessions.get(kind=DataCollection.Kind.INTERVIEW)
    partner = audit.members.exclude(user=auditor).first().user
    # The fieldwork crawl may have made the interview guide already: add a section to it.
    guide, _new = Guide.objects.get_or_create(
        audit=audit, kind="interview", defaults={"introduction": "Välkommen."}
    )
    section = GuideSection.objects.create(guide=guide, title="Att komma hit", position=90)
    first = GuideQuestion.objects.create(
        section=section, text="Hur blev du mottagen?", follow_ups="Första dagen?", position=1
    )
    removed = GuideQuestion.objects.create(section=section, text="Hur hittade du hit?", position=2)
    mine = FieldNote.objects.create(
        session=session,
        question=first,
        author=auditor,
        text="Väl mottagen första dagen. Kontaktpersonen Bo ringde 070-123 45 67 efteråt.",
    )
    FieldNote.objects.create(
        session=session, question=first, author=partner, text="Personalen hälsade på alla."
    )
    FieldNote.objects.create(
        session=session, question=removed, author=partner, text="Bussen går sällan."
    )
    GuideQuestion.objects.filter(pk=removed.pk).update(removed_at=audit.updated_at)
    services.ensure_theme_codes(audit)
    code = Code.objects.get(audit=audit, theme="treatment")
    passage = Passage.objects.create(
        note=mine, start=0, end=26, text=mine.text[:26], polarity="positive"
    )
    passage.codes.add(code)
    return {"audit": audit, "session": session, "note": mine, "code": code}


def _send(selector: str):
    def action(page):
        with page.expect_navigation() as navigation:
            page.locator(selector).first.click()
        return navigation.value

    return action


def auditor_analysis_visits(data) -> list[Visit]:
    a = data["analysis"]
    audit = {"pk": a["audit"].pk}
    notes = {**audit, "session_id": a["session"].pk}
    note = {**audit, "note_id": a["note"].pk}
    finding = {**audit, "code_id": a["code"].pk}
    return [
        Visit("analysis matrix", "audits:analysis", audit),
        Visit(
            "analysis, add a code with errors", "audits:analysis", audit, action=submit_main_form
        ),
        Visit("field notes with the guard's hits", "audits:analysis_notes", notes),
        Visit(
            "field notes saved",
            "audits:analysis_notes",
            notes,
            action=_send("main button[name=save][value='']"),
        ),
        Visit(
            "field notes, a hit replaced",
            "audits:analysis_notes",
            notes,
            action=_send("main button[form^=replace-]"),
        ),
        Visit("code passages", "audits:analysis_code", note),
        Visit("code passages with errors", "audits:analysis_code", note, action=submit_main_form),
        Visit(
            "passages of a code",
            "audits:analysis_passages",
            audit,
            query=f"?code={a['code'].pk}&session={a['session'].pk}",
        ),
        Visit("a finding from a code", "audits:analysis_finding", finding),
        Visit(
            "a finding from a code with errors",
            "audits:analysis_finding",
            finding,
            action=submit_main_form,
        ),
    ]


def staff_analysis_visits(data) -> list[Visit]:
    a = data["analysis"]
    return [
        Visit(
            "field notes, counts only (staff)",
            "audits:analysis_notes",
            {"pk": a["audit"].pk, "session_id": a["session"].pk},
        ),
    ]
