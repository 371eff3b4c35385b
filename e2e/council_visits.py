"""The councils app's pages for the axe crawl: the public pages, the member area, cases,
the participation self-assessment and annual reports, for every role.

council_crawl_data builds one public council through councils.services, with the `auditor`
persona serving on it as vice chair (so she reaches the member area), members with and
without consent to be named, meetings before and after their minutes were approved, a
coming meeting whose notice has gone out, cases in every state (one followed across two
meetings to closed), two self-assessments and annual reports. A second council has no
public page: it is 404 for everyone but staff.

No PDF is made here (WeasyPrint is slow): the minutes and annual reports that are "ready"
only name a file, which the pages link to and the crawl never opens.
"""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.utils import timezone

from brukarkraft.models import Organisation
from brukarkraft.tests.factories import OrganisationFactory, UserFactory
from councils import services
from councils.models import (
    AnnualReport,
    AssessmentAnswer,
    Attendance,
    Case,
    Document,
    Gender,
    Meeting,
    Member,
    UserCategory,
)
from councils.tests.factories import CouncilFactory

from .audit_visits import _fill_and_send, _send_emptied
from .crawl import Visit

CASE = {
    "why": "Flera missar sina tider på dagverksamheten.",
    "where": "Färdtjänsten i hela kommunen.",
    "when": "Varje vecka, oftast på morgonen.",
    "proposed_solution": "Inför en kontaktperson hos färdtjänsten för brukarrådet.",
}


def _answers(pattern: str) -> dict:
    """All 15 answers, cycling through `pattern` ("y", "p", "n")."""
    codes = {"y": "yes", "p": "partly", "n": "no"}
    cells = [
        (level, stage)
        for level in AssessmentAnswer.Level.values
        for stage in AssessmentAnswer.Stage.values
    ]
    return {
        cell: (codes[pattern[index % len(pattern)]], "Vi har börjat." if index == 0 else "")
        for index, cell in enumerate(cells)
    }


def _hold_meeting(meeting: Meeting, members: list[Member], minutes: str) -> None:
    services.attendance_record(
        meeting=meeting,
        rows=[
            {"member": member, "status": Attendance.Status.PRESENT, "travel_cost": 0}
            for member in members
        ],
    )
    services.minutes_save(meeting=meeting, text=minutes)


def council_crawl_data(staff, auditor) -> dict:
    now = timezone.now()
    today = timezone.localdate()
    owner = OrganisationFactory(
        name="Örebro kommun, vård och omsorg", kind=Organisation.Kind.MUNICIPALITY
    )
    rsmh = OrganisationFactory(name="RSMH Örebro", kind=Organisation.Kind.USER_ORGANISATION)
    council = CouncilFactory(
        name="Brukarrådet psykiatri Örebro", slug="brukarradet-psykiatri-orebro", owner=owner
    )
    hidden = CouncilFactory(
        name="Brukarrådet Karlskoga", slug="brukarradet-karlskoga", owner=owner, is_public=False
    )
    services.mandate_revise(
        council=council,
        by=staff,
        text="Brukarrådet ger råd till förvaltningen. Det behandlar inte enskilda ärenden.",
        adopted_on=today - timedelta(days=900),
        revision_due=today - timedelta(days=100),
    )
    services.mandate_revise(
        council=council,
        by=staff,
        text="Brukarrådet ger råd om stöd och service till personer med psykisk ohälsa.\n\n"
        "Rådet träffas fyra gånger om året och behandlar inte enskilda ärenden.",
        adopted_on=today - timedelta(days=90),
        revision_due=today + timedelta(days=3 * 365),
    )
    start, end = today - timedelta(days=400), today + timedelta(days=330)

    def add(user, role, gender, consent, **extra):
        return services.member_add(
            council=council,
            user=user,
            role=role,
            term_start=start,
            term_end=end,
            organisation=rsmh,
            category=UserCategory.MENTAL_HEALTH,
            gender=gender,
            publish_consent=consent,
            **extra,
        )

    chair = add(UserFactory(full_name="Karin Ordförande"), Member.Role.CHAIR, Gender.WOMAN, True)
    astrid = add(auditor, Member.Role.VICE_CHAIR, Gender.WOMAN, True)
    # Not named on the public page: no consent.
    quiet = add(UserFactory(full_name="Bo Tystlåten"), Member.Role.MEMBER, Gender.MAN, False)
    add(UserFactory(full_name="Dan Ersättare"), Member.Role.DEPUTY, Gender.MAN, True)
    services.member_add(
        council=hidden,
        user=UserFactory(full_name="Hanna Hemlig"),
        role=Member.Role.CHAIR,
        term_start=start,
        term_end=end,
        category=UserCategory.RELATIVES,
    )

    def submit(title: str, by) -> Case:
        return services.case_submit(council=council, by=by, title=title, **CASE)

    followed = submit("Färdtjänsten kommer för sent", auditor)
    discussed = submit("Svårt att nå sin kontaktperson", chair.user)
    on_agenda = submit("Väntrummet är för trångt", auditor)
    rejected = submit("Min ansökan om boendestöd", quiet.user)
    submitted = submit("Informationen finns bara på svenska", auditor)
    services.case_reject(
        case=rejected,
        reason="Ett enskilt ärende: rådet hänvisar till patientnämnden.",
    )
    papers = Document.objects.create(
        council=council,
        title="Handlingar till mötet",
        file="councils/documents/handlingar.pdf",
    )

    # Two meetings already held, their minutes approved; the worker is not asked to make
    # the PDFs, one is marked ready with a file name, the other's minutes are read as text.
    first = services.meeting_create(
        council=council,
        starts_at=now - timedelta(days=120),
        place="Stadshuset, sal 3",
        accessibility="Entré utan trappsteg, hörslinga, tillgänglig toalett.",
    )
    second = services.meeting_create(
        council=council, starts_at=now - timedelta(days=30), place="Medborgarhuset"
    )
    item = services.agenda_add(meeting=first, title="", case=followed, document=papers)
    services.agenda_record(
        item=item,
        decision="Rådet föreslår en kontaktperson hos färdtjänsten.",
        follow_up="Förvaltningen svarar till nästa möte.",
        case_status=Case.Status.FOLLOW_UP,
    )
    _hold_meeting(first, [chair, astrid, quiet], "Karin Ordförande öppnade mötet.")
    item = services.agenda_add(meeting=second, title="", case=followed)
    services.agenda_record(
        item=item,
        decision="Kontaktpersonen är på plats; ärendet avslutas.",
        case_status=Case.Status.CLOSED,
    )
    item = services.agenda_add(meeting=second, title="", case=discussed)
    services.agenda_record(
        item=item, decision="Rådet tar upp frågan igen.", case_status=Case.Status.DISCUSSED
    )
    _hold_meeting(second, [chair, astrid], "Astrid Revisor redogjorde för färdtjänsten.")
    with mock.patch("councils.tasks.make_minutes_pdf.apply_async"):
        services.minutes_approve(meeting=first, by=staff)
        services.minutes_approve(meeting=second, by=staff)
    Meeting.objects.filter(pk=first.pk).update(
        minutes_pdf_status=Meeting.PdfStatus.READY, minutes_pdf="councils/minutes/forsta.pdf"
    )
    Meeting.objects.filter(pk=second.pk).update(minutes_pdf_status=Meeting.PdfStatus.QUEUED)

    # A coming meeting with its notice sent, and one planned without a notice yet.
    coming = services.meeting_create(
        council=council,
        starts_at=now + timedelta(days=40),
        place="Stadshuset, sal 3",
        accessibility="Hörslinga och tyst rum.",
    )
    services.agenda_add(meeting=coming, title="", case=on_agenda)
    services.agenda_add(meeting=coming, title="Förvaltningen informerar", document=papers)
    services.notice_send(meeting=coming, by=staff)
    planned = services.meeting_create(
        council=council, starts_at=now + timedelta(days=130), place="Medborgarhuset"
    )

    earlier = services.assessment_record(
        by=staff,
        council=council,
        held_on=today - timedelta(days=400),
        rapporteur="Karin Ordförande",
        secretary="Astrid Revisor",
        answers=_answers("pnn"),
    )
    latest = services.assessment_record(
        by=staff,
        council=council,
        held_on=today - timedelta(days=20),
        rapporteur="Karin Ordförande",
        secretary="Astrid Revisor",
        answers=_answers("yyp"),
        reflections={
            "helps_policy": "Kommunens riktlinje för brukarinflytande.",
            "develop_routines": "Återkoppling efter varje möte.",
        },
    )
    AnnualReport.objects.create(
        council=council,
        year=today.year - 1,
        status=Meeting.PdfStatus.READY,
        file=f"councils/annual/arsrapport-{today.year - 1}.pdf",
    )
    AnnualReport.objects.create(council=council, year=today.year, status=Meeting.PdfStatus.QUEUED)
    return {
        "council": council,
        "hidden": hidden,
        "first": first,
        "second": second,
        "coming": coming,
        "planned": planned,
        "followed": followed,
        "discussed": discussed,
        "on_agenda": on_agenda,
        "rejected": rejected,
        "submitted": submitted,
        "earlier": earlier,
        "latest": latest,
    }


# --- Helpers for the visits ---------------------------------------------------------------


def _slug(data, name: str = "council") -> dict:
    return {"slug": data["councils"][name].slug}


def _meeting(data, name: str) -> dict:
    return {**_slug(data), "meeting": data["councils"][name].pk}


def _case(data, name: str) -> dict:
    return {**_slug(data), "number": data["councils"][name].number}


def _assessment(data, name: str) -> dict:
    return {**_slug(data), "assessment": data["councils"][name].pk}


_submit_a_case = _fill_and_send(
    {
        "input[name=title]": "Trappan till mötesrummet saknar ledstång",
        "textarea[name=why]": "Flera av oss kan inte ta oss upp utan stöd.",
        "textarea[name=where]": "Stadshuset, entrén mot torget.",
        "textarea[name=when]": "Vid varje möte.",
        "textarea[name=proposed_solution]": "Sätt upp en ledstång på båda sidor.",
    }
)


# --- The visits, per persona ------------------------------------------------------------


def anonymous_council_visits(data) -> list[Visit]:
    return [
        Visit("user councils", "councils:list"),
        Visit("a council's public page", "councils:detail", _slug(data)),
        Visit("the terms of reference, every version", "councils:mandate_history", _slug(data)),
        Visit("member area, anonymous, goes to login", "councils:member_home", _slug(data)),
        Visit(
            "a council without a public page (404)",
            "councils:detail",
            _slug(data, "hidden"),
            status=404,
        ),
    ]


def member_council_visits(data) -> list[Visit]:
    """The auditor persona serves on the council as its vice chair."""
    return [
        Visit("a council's page, as a member", "councils:detail", _slug(data)),
        Visit("member area", "councils:member_home", _slug(data)),
        Visit("a meeting with its notice sent", "councils:meeting", _meeting(data, "coming")),
        Visit("a meeting planned, no notice yet", "councils:meeting", _meeting(data, "planned")),
        Visit("a meeting with approved minutes", "councils:meeting", _meeting(data, "first")),
        Visit("a meeting, minutes being published", "councils:meeting", _meeting(data, "second")),
        Visit("cases", "councils:cases", _slug(data)),
        Visit("a case followed to closed", "councils:case_detail", _case(data, "followed")),
        Visit("a case discussed", "councils:case_detail", _case(data, "discussed")),
        Visit("a case on the agenda", "councils:case_detail", _case(data, "on_agenda")),
        Visit("a case just submitted", "councils:case_detail", _case(data, "submitted")),
        Visit("a rejected case", "councils:case_detail", _case(data, "rejected")),
        Visit("submit a case", "councils:case_submit", _slug(data)),
        Visit(
            "submit a case with errors",
            "councils:case_submit",
            _slug(data),
            action=_send_emptied(),
        ),
        Visit(
            "a case submitted, its page",
            "councils:case_submit",
            _slug(data),
            action=_submit_a_case,
        ),
        Visit("self-assessments over time", "councils:assessments", _slug(data)),
        Visit(
            "a self-assessment's ladder profile",
            "councils:assessment_detail",
            _assessment(data, "latest"),
        ),
        Visit("new self-assessment", "councils:assessment_new", _slug(data)),
        Visit(
            "new self-assessment with errors",
            "councils:assessment_new",
            _slug(data),
            action=_send_emptied(),
        ),
        Visit("annual reports, as a member", "councils:annual_reports", _slug(data)),
        Visit(
            "another council's member area (404)",
            "councils:member_home",
            _slug(data, "hidden"),
            status=404,
        ),
        Visit(
            "a case that does not exist (404)",
            "councils:case_detail",
            {**_slug(data), "number": 999},
            status=404,
        ),
    ]


def staff_council_visits(data) -> list[Visit]:
    return [
        Visit("user councils (staff)", "councils:list"),
        Visit("member area (staff)", "councils:member_home", _slug(data)),
        Visit("annual reports (staff)", "councils:annual_reports", _slug(data)),
        Visit(
            "make an annual report with errors",
            "councils:annual_reports",
            _slug(data),
            action=_send_emptied(),
        ),
        Visit("a council without a public page (staff)", "councils:detail", _slug(data, "hidden")),
        Visit(
            "member area of a council without a public page (staff)",
            "councils:member_home",
            _slug(data, "hidden"),
        ),
        Visit("cases of a council without cases", "councils:cases", _slug(data, "hidden")),
        Visit("self-assessments, none yet", "councils:assessments", _slug(data, "hidden")),
        Visit(
            "an earlier self-assessment",
            "councils:assessment_detail",
            _assessment(data, "earlier"),
        ),
    ]


def admin_council_visits(data) -> list[Visit]:
    return [
        Visit("user councils as admin", "councils:list"),
        Visit("member area as admin", "councils:member_home", _slug(data)),
    ]


def _denied(data, who: str) -> list[Visit]:
    return [
        Visit(f"a council's page ({who})", "councils:detail", _slug(data)),
        Visit(
            f"no access (403): member area ({who})",
            "councils:member_home",
            _slug(data),
            status=403,
        ),
        Visit(f"no access (403): cases ({who})", "councils:cases", _slug(data), status=403),
        Visit(
            f"no access (403): submit a case ({who})",
            "councils:case_submit",
            _slug(data),
            status=403,
        ),
        Visit(
            f"no access (403): annual reports ({who})",
            "councils:annual_reports",
            _slug(data),
            status=403,
        ),
        Visit(
            f"a council without a public page ({who}, 404)",
            "councils:member_home",
            _slug(data, "hidden"),
            status=404,
        ),
    ]


def commissioner_council_visits(data) -> list[Visit]:
    return _denied(data, "commissioner")


def outsider_council_visits(data) -> list[Visit]:
    return [
        *_denied(data, "outsider"),
        Visit(
            "no access (403): a self-assessment (outsider)",
            "councils:assessment_detail",
            _assessment(data, "latest"),
            status=403,
        ),
        Visit(
            "a council without a public page (outsider, 404)",
            "councils:detail",
            _slug(data, "hidden"),
            status=404,
        ),
    ]


# Named URLs that are files, not pages.
COUNCIL_NOT_PAGES = {
    "councils:minutes_pdf",
    "councils:annual_report_pdf",
    "councils:document",
    "councils:my_data",
}
