"""The councils' part of a person's data: terms and attendance, nominations, cases, and the
minutes and self-assessments that name them (see brukarkraft.privacy).

Minutes and attendance must stay (the council's record, and the fees paid), so a member's
name is replaced with "Former member 12" (12 is the term's number, in the council's language)
in the term, in the minutes' text, in the change history and in the PDFs made again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brukarkraft.models import User
from brukarkraft.privacy import (
    MATCH_LIMIT,
    Item,
    Match,
    Person,
    Replacement,
    account_matches,
    is_email,
    replace_names,
    user_ref,
)
from brukarkraft.queue import enqueue_by_name
from brukarkraft.retention import delete_files

from .models import (
    NOMINATION_CRITERIA,
    AgendaItem,
    AnnualReport,
    Assessment,
    Attendance,
    Case,
    Meeting,
    Member,
    Nomination,
)

KEY = "councils"
TITLE = _("User councils")

ITEMS = {
    "memberships": Item(
        _("Terms on councils, with attendance and costs"),
        _(
            "Kept for the council's record and the fees paid. The name becomes “Former member”"
            " followed by a number; gender and the consent to be named are removed, also in the"
            " change history."
        ),
    ),
    "minutes_naming": Item(
        _("Meetings whose minutes or decisions name the person"),
        _("Kept; the name is replaced in the text, and approved minutes are made again as PDF."),
    ),
    "nominations": Item(
        _("Nominations as a candidate"),
        _("Kept as a record of the appointment; the texts about the candidate are removed."),
    ),
    "cases_submitted": Item(_("Cases submitted"), _("Kept, no longer linked to the person.")),
    "assessments_naming": Item(
        _("Self-assessments naming the person as rapporteur or secretary"),
        _("Kept; the name is replaced."),
    ),
}

# What a nomination says about the candidate.
NOMINATION_TEXTS = ("motivation", *NOMINATION_CRITERIA)


def find(query: str) -> list[Match]:
    if is_email(query):
        members = Member.objects.filter(user__email__iexact=query)
        assessments = Assessment.objects.none()
    else:
        members = Member.objects.filter(
            Q(display_name__icontains=query) | Q(user__full_name__icontains=query)
        )
        assessments = Assessment.objects.filter(
            Q(rapporteur__icontains=query) | Q(secretary__icontains=query)
        )
    matches = [
        Match(
            _("Council member"),
            member.display_name,
            member.user.email,
            user_ref(member.user),
            detail=member.council.name,
        )
        for member in members.select_related("user", "council").order_by("pk")[:MATCH_LIMIT]
    ]
    matches += account_matches(
        _("Nominated to a council"), query, Q(council_nominations__isnull=False)
    )
    for assessment in assessments.select_related("council").order_by("-pk")[:MATCH_LIMIT]:
        for field in ("rapporteur", "secretary"):
            name = getattr(assessment, field)
            if query.casefold() in name.casefold():
                matches.append(
                    Match(
                        _("Named in a participation self-assessment"),
                        name,
                        "",
                        ("councils.assessment", assessment.pk, field),
                        detail=str(assessment),
                    )
                )
    return matches


def _memberships(user: User) -> list[Member]:
    return list(
        Member.objects.filter(user=user)
        .select_related("council", "organisation")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("meeting").order_by(
                    "meeting__starts_at"
                ),
            )
        )
        .order_by("term_start", "pk")
    )


def _names(user: User, members: list[Member]) -> list[str]:
    names = {user.full_name, *(m.display_name for m in members if m.erased_at is None)}
    return [name for name in names if name.strip()]


def _mentions(names: list[str], *fields: str) -> Q:
    if not names:
        return Q(pk__in=[])
    return reduce(or_, [Q(**{f"{field}__contains": name}) for field in fields for name in names])


def _assessments(names: list[str], council_ids: list[int] | None):
    if not names:
        return Assessment.objects.none()
    rows = Assessment.objects.filter(
        reduce(or_, [Q(rapporteur__iexact=n) | Q(secretary__iexact=n) for n in names])
    )
    return rows if council_ids is None else rows.filter(council_id__in=council_ids)


def export(person: Person) -> dict:
    data: dict = {key: [] for key in ITEMS}
    user = person.user
    if user is None:
        data["assessments_naming"] = _assessment_rows(
            _assessments([person.name], None), [person.name]
        )
        return data
    members = _memberships(user)
    names = _names(user, members)
    councils = sorted({m.council_id for m in members})
    data["memberships"] = [
        {
            "council": m.council.name,
            "name": m.display_name,
            "role": m.role,
            "organisation": m.organisation.name if m.organisation else None,
            "category": m.category,
            "gender": m.gender,
            "term_start": m.term_start,
            "term_end": m.term_end,
            "publish_consent": m.publish_consent,
            "erased_at": m.erased_at,
            "attendance": [
                {
                    "meeting": a.meeting.starts_at,
                    "status": a.status,
                    "travel_cost": a.travel_cost,
                    "lost_earnings": a.lost_earnings,
                }
                for a in m.attendance.all()
            ],
        }
        for m in members
    ]
    data["minutes_naming"] = [
        {"council": meeting.council.name, "meeting": meeting.starts_at}
        for meeting in Meeting.objects.filter(council_id__in=councils)
        .filter(
            _mentions(names, "minutes")
            | Q(
                pk__in=AgendaItem.objects.filter(_mentions(names, "decision", "follow_up")).values(
                    "meeting"
                )
            )
        )
        .select_related("council")
        .order_by("starts_at")
    ]
    data["nominations"] = [
        {
            "council": n.request.council.name,
            "organisation": n.organisation.name,
            "status": n.status,
            "nominated_at": n.nominated_at,
            "gender": n.gender,
            **{name: getattr(n, name) for name in NOMINATION_TEXTS},
        }
        for n in Nomination.objects.filter(candidate=user).select_related(
            "request__council", "organisation"
        )
    ]
    data["cases_submitted"] = [
        {
            "council": c.council.name,
            "number": c.number,
            "title": c.title,
            "submitted": c.submitted_at,
        }
        for c in Case.objects.filter(submitted_by=user).select_related("council")
    ]
    data["assessments_naming"] = _assessment_rows(_assessments(names, councils), names)
    return data


def _assessment_rows(assessments, names: list[str]) -> list[dict]:
    """The self-assessments naming the person, with their part: the other one is not theirs."""
    folded = {name.strip().casefold() for name in names}
    return [
        {
            "council": a.council.name if a.council else a.unit_name,
            "held_on": a.held_on,
            "named_as": [
                field
                for field in ("rapporteur", "secretary")
                if getattr(a, field).strip().casefold() in folded
            ],
        }
        for a in assessments.select_related("council")
    ]


@dataclass(frozen=True)
class TermsErased:
    terms: int  # council terms newly erased
    rows: int  # every row changed


def member_label(member: Member) -> str:
    return Replacement(number=member.pk).label("member", language=member.council.language)


def erase_user(user: User) -> TermsErased:
    """Erase a person from the councils, keeping the minutes whole: see the module's text."""
    members = list(Member.objects.select_for_update().filter(user=user).select_related("council"))
    names = _names(user, members)
    rows = terms = 0
    label_in: dict[int, str] = {}  # council -> the name that replaces the person there
    remake: set[int] = set()  # meetings whose approved minutes PDF names the person
    annual: set[int] = set()  # councils whose annual reports name the person
    now = timezone.now()
    for member in members:
        label = member.display_name if member.erased_at else member_label(member)
        label_in.setdefault(member.council_id, label)
        if member.erased_at is None:
            for meeting in Meeting.objects.filter(council=member.council).filter(
                _mentions(names, "minutes")
            ):
                Meeting.objects.filter(pk=meeting.pk).update(
                    minutes=replace_names(meeting.minutes, names, label)
                )
                remake.add(meeting.pk)
                rows += 1
            for item in AgendaItem.objects.filter(meeting__council=member.council).filter(
                _mentions(names, "decision", "follow_up")
            ):
                AgendaItem.objects.filter(pk=item.pk).update(
                    decision=replace_names(item.decision, names, label),
                    follow_up=replace_names(item.follow_up, names, label),
                )
                remake.add(item.meeting_id)
                rows += 1
            if member.publish_consent:
                annual.add(member.council_id)
            member.display_name = label
            member.gender = ""
            member.publish_consent = False
            member.erased_at = now
            member.save(update_fields=["display_name", "gender", "publish_consent", "erased_at"])
            terms += 1
            rows += 1
        # Every earlier state of the term keeps the name too.
        rows += (
            Member.history.model.objects.filter(id=member.pk)
            .filter(~Q(display_name=label) | ~Q(gender="") | Q(publish_consent=True))
            .update(display_name=label, gender="", publish_consent=False)
        )
        rows += (
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Member), object_id=str(member.pk)
            )
            .filter(~Q(object_repr=str(member)))
            .update(object_repr=str(member))
        )
    if members:
        remake |= set(
            Attendance.objects.filter(Q(member__in=members) | Q(deputy__in=members)).values_list(
                "meeting_id", flat=True
            )
        )
    rows += (
        Nomination.objects.filter(candidate=user)
        .filter(reduce(or_, [~Q(**{name: ""}) for name in (*NOMINATION_TEXTS, "gender")]))
        .update(**{name: "" for name in (*NOMINATION_TEXTS, "gender")})
    )
    rows += Case.objects.filter(submitted_by=user).update(submitted_by=None)
    folded = {name.strip().casefold() for name in names}
    for assessment in _assessments(names, list(label_in)):
        label = label_in[assessment.council_id]
        Assessment.objects.filter(pk=assessment.pk).update(
            **{
                field: label
                for field in ("rapporteur", "secretary")
                if getattr(assessment, field).strip().casefold() in folded
            }
        )
        rows += 1
    _remake_pdfs(meeting_ids=remake, council_ids=annual)
    return TermsErased(terms=terms, rows=rows)


def _remake_pdfs(*, meeting_ids: set[int], council_ids: set[int]) -> None:
    """Make again, after the commit, the PDFs that printed the old name; the old files go."""
    meetings = Meeting.objects.filter(
        pk__in=meeting_ids,
        minutes_status=Meeting.MinutesStatus.APPROVED,
        minutes_pdf_status__in=[Meeting.PdfStatus.READY, Meeting.PdfStatus.FAILED],
    )
    reports = AnnualReport.objects.filter(
        council_id__in=council_ids,
        status__in=[Meeting.PdfStatus.READY, Meeting.PdfStatus.FAILED],
    )
    old_minutes = [m.minutes_pdf.name for m in meetings if m.minutes_pdf]
    old_reports = [r.file.name for r in reports if r.file]
    meeting_list = list(meetings.values_list("pk", flat=True))
    report_list = list(reports.values_list("pk", flat=True))
    Meeting.objects.filter(pk__in=meeting_list).update(
        minutes_pdf="", minutes_pdf_status=Meeting.PdfStatus.QUEUED
    )
    AnnualReport.objects.filter(pk__in=report_list).update(file="", status=Meeting.PdfStatus.QUEUED)

    def after_commit() -> None:
        delete_files(Meeting, "minutes_pdf", old_minutes)
        delete_files(AnnualReport, "file", old_reports)
        for pk in meeting_list:
            enqueue_by_name("councils.tasks.make_minutes_pdf", pk, on_commit=False)
        for pk in report_list:
            enqueue_by_name("councils.tasks.make_annual_report", pk, on_commit=False)

    if meeting_list or report_list:
        transaction.on_commit(after_commit)


def erase(person: Person, replacement: Replacement) -> int:
    if person.user is not None:
        return erase_user(person.user).rows
    label = replacement.label("person")
    rows = Assessment.objects.filter(rapporteur__iexact=person.name).update(rapporteur=label)
    rows += Assessment.objects.filter(secretary__iexact=person.name).update(secretary=label)
    return rows
