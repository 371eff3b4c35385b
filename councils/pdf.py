"""Approved minutes and the annual report as tagged PDFs, in the council's language.

`minutes_context` and `annual_context` load everything in a fixed number of queries and
turn it into plain data with the user's text cleaned for layout; the two `*_pdf` functions
lay it out through brukarkraft.pdf, imported only there so that web processes do not load
WeasyPrint. Called by the workers (services.minutes_pdf_render, services.annual_report_render).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext

from brukarkraft.pdftext import clean_text

from . import selectors
from .models import Attendance, Council, Meeting, Member

# Minutes and reports name people in the order readers expect: the chair first.
ROLE_ORDER = [
    Member.Role.CHAIR,
    Member.Role.VICE_CHAIR,
    Member.Role.SECRETARY,
    Member.Role.MEMBER,
    Member.Role.DEPUTY,
    Member.Role.OBSERVER,
]


@dataclass
class Person:
    name: str
    role: str
    organisation: str = ""


@dataclass
class StandIn:
    deputy: str
    member: str


@dataclass
class Item:
    position: int
    title: str
    case: str  # "Case 4" in the council's language, or ""
    decision: str
    follow_up: str


def _role_key(member: Member) -> tuple[int, str]:
    role = member.role if member.role in ROLE_ORDER else Member.Role.MEMBER
    return ROLE_ORDER.index(role), member.display_name


def _person(member: Member) -> Person:
    return Person(
        name=clean_text(member.display_name),
        role=member.get_role_display(),
        organisation=clean_text(member.organisation.name if member.organisation else ""),
    )


def _public_name(member: Member, unnamed: str) -> str:
    return clean_text(member.display_name) if member.is_named_in_public else unnamed


def minutes_context(meeting: Meeting) -> dict:
    """Everything the minutes show, in the council's language, in four queries."""
    # Whether the approver is a member of this council who may not be named in public.
    unnamed_approver = Member.objects.not_published().filter(
        council=OuterRef("council"), user=OuterRef("minutes_approved_by")
    )
    meeting = (
        Meeting.objects.select_related("council__owner", "minutes_approved_by")
        .annotate(approver_unnamed=Exists(unnamed_approver))
        .get(pk=meeting.pk)
    )
    with translation.override(meeting.council.language):
        return _minutes_context(meeting)


def _minutes_context(meeting: Meeting) -> dict:
    rows = sorted(
        meeting.attendance.select_related("member__organisation", "deputy"),
        key=lambda row: _role_key(row.member),
    )
    # The minutes are public: members who did not agree to be named are counted, never named
    # (Member.is_named_in_public, the same rule as the council's page).
    present = [row.member for row in rows if row.status == Attendance.Status.PRESENT]
    absent = [row.member for row in rows if row.status != Attendance.Status.PRESENT]
    unnamed = gettext("a member who is not named")
    stand_ins = [
        StandIn(_public_name(row.deputy, unnamed), _public_name(row.member, unnamed))
        for row in rows
        if row.status == Attendance.Status.DEPUTY and row.deputy is not None
    ]
    items = [
        Item(
            position=item.position,
            title=clean_text(item.title),
            case=gettext("Case %(number)s") % {"number": item.case.number} if item.case else "",
            decision=clean_text(item.decision),
            follow_up=clean_text(item.follow_up),
        )
        for item in meeting.agenda.select_related("case").order_by("position")
    ]
    council = meeting.council
    # A member who approved the minutes is named only with consent, like everyone else.
    approver = None if meeting.approver_unnamed else meeting.minutes_approved_by
    return {
        "meeting": meeting,
        "council": clean_text(council.name),
        "owner": clean_text(council.owner.name),
        "starts_at": timezone.localtime(meeting.starts_at),
        "ends_at": timezone.localtime(meeting.ends_at) if meeting.ends_at else None,
        "place": clean_text(meeting.place),
        "present": [_person(m) for m in present if m.is_named_in_public],
        "present_unnamed": sum(1 for m in present if not m.is_named_in_public),
        "absent": [_person(m) for m in absent if m.is_named_in_public],
        "absent_unnamed": sum(1 for m in absent if not m.is_named_in_public),
        "stand_ins": stand_ins,
        "items": items,
        "minutes": clean_text(meeting.minutes),
        "approved": meeting.is_locked,
        "approved_by": clean_text(approver.full_name) if approver else "",
        "approved_at": (
            timezone.localtime(meeting.minutes_approved_at) if meeting.minutes_approved_at else None
        ),
    }


def minutes_pdf(meeting: Meeting) -> bytes:
    """The approved minutes of `meeting` as PDF bytes, in its council's language."""
    from brukarkraft.pdf import render_pdf

    context = minutes_context(meeting)
    return render_pdf(
        "councils/pdf/minutes.html", context, language=context["meeting"].council.language
    )


def annual_context(council: Council, year: int) -> dict:
    """Everything the annual report shows, in the council's language, in a fixed number of
    queries: the figures of selectors.annual_figures, the year's meetings, closed cases,
    members (published names only) and the terms of reference in force."""
    council = Council.objects.select_related("owner").get(pk=council.pk)
    with translation.override(council.language):
        return _annual_context(council, year)


def _annual_context(council: Council, year: int) -> dict:
    first, last = date(year, 1, 1), date(year, 12, 31)
    figures = selectors.annual_figures(council, year)
    meetings = list(
        council.meetings.filter(starts_at__year=year, starts_at__lte=timezone.now()).order_by(
            "starts_at"
        )
    )
    members = sorted(
        council.members.filter(term_start__lte=last, term_end__gte=first).select_related(
            "organisation"
        ),
        key=_role_key,
    )
    # Only those who consented are named; the others are counted, never listed.
    named = [_person(m) for m in members if m.is_named_in_public]
    decided = [
        (case.number, clean_text(case.title), case.get_status_display())
        for case in council.cases.filter(
            status__in=["closed", "rejected"], closed_at__year=year
        ).order_by("number")
    ]
    mandate = council.mandates.filter(adopted_on__lte=last).order_by("-number").first()
    return {
        "council": council,
        "name": clean_text(council.name),
        "owner": clean_text(council.owner.name),
        "level": council.get_level_display(),
        "year": year,
        "figures": figures,
        "attendance_total": figures["present"] + figures["deputy"] + figures["absent"],
        "balance_exception_reasons": [
            clean_text(reason) for reason in figures["balance_exception_reasons"]
        ],
        "meetings": [
            {"starts_at": timezone.localtime(m.starts_at), "place": clean_text(m.place)}
            for m in meetings
        ],
        "members": named,
        "unnamed": len(members) - len(named),
        "decided_cases": decided,
        "mandate": mandate,
        "mandate_text": clean_text(mandate.text) if mandate else "",
        "date": timezone.localdate(),
    }


def annual_report_pdf(council: Council, year: int) -> bytes:
    """The council's annual report for `year` as PDF bytes, in the council's language."""
    from brukarkraft.pdf import render_pdf

    context = annual_context(council, year)
    return render_pdf(
        "councils/pdf/annual_report.html", context, language=context["council"].language
    )
