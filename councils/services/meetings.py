"""Meetings: agenda, notice, attendance and minutes, up to the approved minutes' PDF.

The notice mail and the PDF are queued by task name after the commit: services never
import the tasks, the tasks call services.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.models import User
from brukarkraft.queue import enqueue_by_name

from .. import pdf as council_pdf
from ..models import (
    NOTICE_DAYS,
    AgendaItem,
    Attendance,
    Case,
    Council,
    Meeting,
)

# --- Meetings -------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *, council: Council, starts_at, place: str, accessibility: str = "", ends_at=None
) -> Meeting:
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": gettext("The meeting must end after it starts.")})
    return Meeting.objects.create(
        council=council,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        accessibility=accessibility,
    )


@transaction.atomic
def agenda_add(
    *, meeting: Meeting, title: str, case: Case | None = None, document=None
) -> AgendaItem:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_locked:
        raise ValidationError(
            gettext("The minutes are approved: the agenda is locked."), code="locked"
        )
    if case is not None:
        if case.council_id != meeting.council_id:
            raise ValidationError({"case": gettext("The case belongs to another council.")})
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status in {Case.Status.CLOSED, Case.Status.REJECTED}:
            raise ValidationError(
                {"case": gettext("A closed or rejected case cannot go on an agenda.")}
            )
        case.status = Case.Status.ON_AGENDA
        case.save(update_fields=["status"])
    position = (meeting.agenda.aggregate(top=Max("position"))["top"] or 0) + 1
    return AgendaItem.objects.create(
        meeting=meeting,
        position=position,
        title=title or (case.title if case else ""),
        case=case,
        document=document,
    )


@transaction.atomic
def notice_send(*, meeting: Meeting, by: User | None) -> list[str]:
    """Send the notice with the agenda to every current member, each in their language.
    Refused once the meeting has begun; returns a warning when under 3 weeks ahead."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    now = timezone.now()
    if meeting.starts_at <= now:
        raise ValidationError(
            gettext("The meeting has already started: a notice can no longer be sent."),
            code="too_late",
        )
    if not meeting.agenda.exists():
        raise ValidationError(
            gettext("Put at least one item on the agenda before sending the notice."),
            code="no_agenda",
        )
    meeting.notice_sent_at = now
    meeting.notice_sent_by = by
    meeting.save(update_fields=["notice_sent_at", "notice_sent_by"])
    meeting_id, sent_at = meeting.pk, now.isoformat()
    enqueue_by_name("councils.tasks.send_meeting_notice", meeting_id, sent_at)
    if meeting.starts_at - now < timedelta(days=NOTICE_DAYS):
        return [
            gettext(
                "The notice went out less than 3 weeks before the meeting. Members may not"
                " have time to prepare or arrange assistance."
            )
        ]
    return []


@transaction.atomic
def attendance_record(*, meeting: Meeting, rows: list[dict]) -> list[Attendance]:
    """Record who attended; each row: member, status, deputy (optional), costs."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_locked:
        raise ValidationError(
            gettext("The minutes are approved: attendance is locked."), code="locked"
        )
    if meeting.starts_at > timezone.now():
        raise ValidationError(
            gettext("Attendance is recorded once the meeting has begun."), code="future"
        )
    saved = []
    for row in rows:
        member = row["member"]
        deputy = row.get("deputy")
        if member.council_id != meeting.council_id or (
            deputy is not None and deputy.council_id != meeting.council_id
        ):
            raise ValidationError(gettext("Only the council's members can attend."))
        if row["status"] == Attendance.Status.DEPUTY and deputy is None:
            raise ValidationError(gettext("Name the deputy who attended."), code="no_deputy")
        attendance, _created = Attendance.objects.update_or_create(
            meeting=meeting,
            member=member,
            defaults={
                "status": row["status"],
                "deputy": deputy if row["status"] == Attendance.Status.DEPUTY else None,
                "travel_cost": row.get("travel_cost") or 0,
                "lost_earnings": row.get("lost_earnings") or 0,
            },
        )
        saved.append(attendance)
    return saved


@transaction.atomic
def minutes_save(*, meeting: Meeting, text: str) -> Meeting:
    """Draft or adjust the minutes; approved minutes are locked."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_locked:
        raise ValidationError(gettext("These minutes are approved and locked."), code="locked")
    meeting.minutes = text
    meeting.minutes_status = Meeting.MinutesStatus.DRAFT
    meeting.save(update_fields=["minutes", "minutes_status"])
    return meeting


@transaction.atomic
def agenda_record(
    *, item: AgendaItem, decision: str, follow_up: str = "", case_status: str | None = None
) -> AgendaItem:
    """Record what the meeting decided on an item; a case moves to `case_status`
    (discussed, follow_up or closed)."""
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    if meeting.is_locked:
        raise ValidationError(gettext("These minutes are approved and locked."), code="locked")
    item.decision = decision
    item.follow_up = follow_up
    item.save(update_fields=["decision", "follow_up"])
    if item.case_id and case_status:
        allowed = {Case.Status.DISCUSSED, Case.Status.FOLLOW_UP, Case.Status.CLOSED}
        if case_status not in allowed:
            raise ValidationError(
                {"case_status": gettext("Choose discussed, follow-up or closed.")}
            )
        case = Case.objects.select_for_update().get(pk=item.case_id)
        case.status = case_status
        case.closed_at = timezone.now() if case_status == Case.Status.CLOSED else None
        case.save(update_fields=["status", "closed_at"])
    return item


@transaction.atomic
def minutes_approve(*, meeting: Meeting, by: User | None) -> Meeting:
    """Approve and lock the minutes, and have a worker publish them as a PDF."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_locked:
        raise ValidationError(gettext("These minutes are already approved."), code="approved")
    if not meeting.minutes.strip():
        raise ValidationError(gettext("Write the minutes before approving them."), code="empty")
    if meeting.starts_at > timezone.now():
        raise ValidationError(gettext("Minutes are approved after the meeting."), code="future")
    meeting.minutes_status = Meeting.MinutesStatus.APPROVED
    meeting.minutes_approved_at = timezone.now()
    meeting.minutes_approved_by = by
    meeting.minutes_pdf_status = Meeting.PdfStatus.QUEUED
    meeting.save(
        update_fields=[
            "minutes_status",
            "minutes_approved_at",
            "minutes_approved_by",
            "minutes_pdf_status",
        ]
    )
    meeting_id = meeting.pk
    enqueue_by_name("councils.tasks.make_minutes_pdf", meeting_id)
    return meeting


def minutes_pdf_render(*, meeting_id: int) -> Meeting | None:
    """Worker side: render approved minutes to PDF once; a failure is recorded, not lost."""
    meeting = Meeting.objects.select_related("council").filter(pk=meeting_id).first()
    if meeting is None or meeting.minutes_pdf_status == Meeting.PdfStatus.READY:
        return meeting
    try:
        pdf = council_pdf.minutes_pdf(meeting)
    except Exception:  # noqa: BLE001 — recorded so staff can retry
        Meeting.objects.filter(pk=meeting_id).update(minutes_pdf_status=Meeting.PdfStatus.FAILED)
        raise
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
        # Two deliveries of one task may render at once; only the first stores a file.
        if meeting.minutes_pdf_status == Meeting.PdfStatus.READY:
            return meeting
        meeting.minutes_pdf.save(
            f"minutes-{meeting.council.slug}-{meeting.pk}.pdf", ContentFile(pdf), save=False
        )
        meeting.minutes_pdf_status = Meeting.PdfStatus.READY
        meeting.save(update_fields=["minutes_pdf", "minutes_pdf_status"])
    return meeting
