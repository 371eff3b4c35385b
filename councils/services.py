"""Every change to a council's records: one function per act, each in a transaction.

Bad input raises ValidationError with a translated message and changes nothing; mail and
PDFs are queued on commit. Functions that only warn (a late notice, a long tenure) return
the warnings as sentences for the admin to see.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from brukarkraft.faults import repeat_of
from brukarkraft.models import Organisation, User
from brukarkraft.queue import enqueue

from .models import (
    NOTICE_DAYS,
    AgendaItem,
    AnnualReport,
    AppointmentRequest,
    Assessment,
    AssessmentAnswer,
    Attendance,
    Case,
    Council,
    Gender,
    MandateVersion,
    Meeting,
    Member,
    Nomination,
    Seat,
    UserCategory,
    required_per_gender,
)

# --- Rules that read the data ---------------------------------------------------


@dataclass(frozen=True)
class GenderBalance:
    size: int
    women: int
    men: int
    other: int
    unknown: int
    required: int

    @property
    def ok(self) -> bool:
        return self.women >= self.required and self.men >= self.required

    @property
    def women_needed(self) -> int:
        return max(0, self.required - self.women)

    @property
    def men_needed(self) -> int:
        return max(0, self.required - self.men)


def gender_balance(
    council: Council, *, adding: str | None = None, on: date | None = None
) -> GenderBalance:
    """The Norwegian rule over the current members and deputies (observers do not count);
    `adding` is the gender of someone about to be appointed ("" if not given)."""
    members = council.members.current(on).exclude(role=Member.Role.OBSERVER)
    genders = Counter(members.values_list("gender", flat=True))
    if adding is not None:
        genders[adding] += 1
    size = sum(genders.values())
    return GenderBalance(
        size=size,
        women=genders[Gender.WOMAN],
        men=genders[Gender.MAN],
        other=genders[Gender.OTHER],
        unknown=genders[""],
        required=required_per_gender(size),
    )


def balance_needs(balance: GenderBalance) -> str:
    """What the balance lacks, as a sentence: "1 more man is needed." """
    parts = []
    if balance.women_needed:
        parts.append(
            ngettext(
                "%(count)s more woman is needed.",
                "%(count)s more women are needed.",
                balance.women_needed,
            )
            % {"count": balance.women_needed}
        )
    if balance.men_needed:
        parts.append(
            ngettext(
                "%(count)s more man is needed.",
                "%(count)s more men are needed.",
                balance.men_needed,
            )
            % {"count": balance.men_needed}
        )
    return " ".join(parts)


def category_coverage(
    council: Council, *, adding: str | None = None, on: date | None = None
) -> list[dict]:
    """Per user category the council's seats ask for: seats and members covering it."""
    wanted = Counter()
    for seat in council.seats.exclude(category=""):
        wanted[seat.category] += seat.places
    held = Counter(
        council.members.current(on)
        .exclude(role__in=[Member.Role.OBSERVER, Member.Role.DEPUTY])
        .exclude(category="")
        .values_list("category", flat=True)
    )
    if adding:
        held[adding] += 1
    labels = dict(UserCategory.choices)
    return [
        {
            "category": category,
            "label": labels.get(category, category),
            "seats": wanted.get(category, 0),
            "members": held.get(category, 0),
            "covered": held.get(category, 0) >= wanted.get(category, 0),
        }
        for category in sorted(set(wanted) | set(held), key=lambda c: str(labels.get(c, c)))
    ]


def tenure_days(council: Council, user: User, *, extra: tuple[date, date] | None = None) -> int:
    """Days `user` has served or is appointed to serve on `council`, all terms together."""
    days = sum(
        (end - start).days
        for start, end in council.members.filter(user=user).values_list("term_start", "term_end")
    )
    if extra:
        days += (extra[1] - extra[0]).days
    return days


def member_warnings(member: Member) -> list[str]:
    """What the admin should know about a member: the term ends soon, the tenure is long."""
    warnings = []
    if member.ends_soon:
        warnings.append(
            gettext("The term of %(name)s ends on %(date)s.")
            % {"name": member.display_name, "date": member.term_end.isoformat()}
        )
    cap = member.council.tenure_cap_years * 365
    if member.user_id and tenure_days(member.council, member.user) > cap:
        warnings.append(
            gettext("%(name)s will have served more than %(years)s years in total.")
            % {"name": member.display_name, "years": member.council.tenure_cap_years}
        )
    return warnings


def _check_term(
    *,
    council: Council,
    user: User,
    seat: Seat | None,
    role: str,
    term_start: date,
    term_end: date,
    exclude_pk: int | None = None,
) -> None:
    errors = {}
    if term_end <= term_start:
        errors["term_end"] = gettext("The term must end after it starts.")
    else:
        overlapping = council.members.filter(
            term_start__lt=term_end, term_end__gt=term_start
        ).exclude(pk=exclude_pk)
        if overlapping.filter(user=user).exists():
            errors["term_start"] = gettext(
                "This person already has a term on the council in this period."
            )
        if seat is not None:
            if seat.council_id != council.pk:
                errors["seat"] = gettext("The seat belongs to another council.")
            else:
                deputy = role == Member.Role.DEPUTY
                limit = seat.deputies if deputy else seat.places
                taken = overlapping.filter(seat=seat)
                taken = (
                    taken.filter(role=Member.Role.DEPUTY)
                    if deputy
                    else taken.exclude(role=Member.Role.DEPUTY)
                )
                if taken.count() >= limit:
                    errors["seat"] = gettext(
                        "The seat is already filled for this period: terms may not overlap."
                    )
    if errors:
        raise ValidationError(errors, code="invalid_term")


# --- Council and mandate ------------------------------------------------------------


@transaction.atomic
def mandate_revise(
    *, council: Council, by: User | None, text: str, adopted_on: date, revision_due: date
) -> MandateVersion:
    """Adopt a new version of the terms of reference; earlier versions are kept."""
    if revision_due <= adopted_on:
        raise ValidationError(
            {"revision_due": gettext("The revision date must come after the adoption.")},
            code="bad_dates",
        )
    if not text.strip():
        raise ValidationError({"text": gettext("Write the terms of reference.")}, code="empty")
    Council.objects.select_for_update().get(pk=council.pk)
    number = (council.mandates.aggregate(top=Max("number"))["top"] or 0) + 1
    return MandateVersion.objects.create(
        council=council,
        number=number,
        text=text,
        adopted_on=adopted_on,
        revision_due=revision_due,
        created_by=by,
    )


@transaction.atomic
def member_add(
    *,
    council: Council,
    user: User,
    role: str,
    term_start: date,
    term_end: date,
    seat: Seat | None = None,
    organisation: Organisation | None = None,
    category: str = "",
    gender: str = "",
    publish_consent: bool = False,
) -> Member:
    """Give a person a term on the council (admins; appointments go through nominations)."""
    Council.objects.select_for_update().get(pk=council.pk)
    _check_term(
        council=council,
        user=user,
        seat=seat,
        role=role,
        term_start=term_start,
        term_end=term_end,
    )
    member = Member(
        council=council,
        user=user,
        display_name=user.full_name,
        role=role,
        seat=seat,
        organisation=organisation or (seat.organisation if seat else None),
        category=category or (seat.category if seat else ""),
        gender=gender,
        term_start=term_start,
        term_end=term_end,
        publish_consent=publish_consent,
    )
    member.full_clean()
    member.save()
    return member


def member_validate(member: Member) -> None:
    """The rules member_add applies, for a row edited in admin."""
    _check_term(
        council=member.council,
        user=member.user,
        seat=member.seat,
        role=member.role,
        term_start=member.term_start,
        term_end=member.term_end,
        exclude_pk=member.pk,
    )


# --- Appointments ---------------------------------------------------------------


@transaction.atomic
def request_create(
    *,
    council: Council,
    by: User | None,
    places: int,
    description: str,
    deadline: date,
    categories: list[str] | None = None,
) -> AppointmentRequest:
    if deadline < timezone.localdate():
        raise ValidationError(
            {"deadline": gettext("The deadline cannot be in the past.")}, code="past"
        )
    return AppointmentRequest.objects.create(
        council=council,
        places=places,
        description=description,
        deadline=deadline,
        categories=categories or [],
        requested_by=by,
    )


@transaction.atomic
def request_call(
    *, request: AppointmentRequest, organisations: list[Organisation]
) -> AppointmentRequest:
    """Send the call for nominations to user organisations (recorded with the time)."""
    request = AppointmentRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == AppointmentRequest.Status.CLOSED:
        raise ValidationError(gettext("The request is closed."), code="closed")
    if not organisations:
        raise ValidationError(
            {"organisations": gettext("Choose at least one organisation.")}, code="none"
        )
    request.called_organisations.add(*organisations)
    request.status = AppointmentRequest.Status.CALLED
    request.called_at = request.called_at or timezone.now()
    request.save(update_fields=["status", "called_at"])
    return request


NOMINATION_CRITERIA = (
    "representativeness",
    "candidate_motivation",
    "organisation_or_umbrella",
    "national_or_local",
    "assignment",
    "ability_and_willingness",
    "capacity",
)


@transaction.atomic
def nomination_create(
    *,
    request: AppointmentRequest,
    by: User | None,
    candidate: User,
    organisation: Organisation,
    motivation: str,
    criteria: dict[str, str],
    organisation_confirms_trust: bool,
    category: str = "",
    gender: str = "",
) -> Nomination:
    """An organisation nominates a candidate it trusts, answering the criteria of docs/domain.md §3."""
    request = AppointmentRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != AppointmentRequest.Status.CALLED:
        raise ValidationError(
            gettext("Nominations are made after the call has gone out and before it closes."),
            code="not_called",
        )
    errors = {}
    if not request.called_organisations.filter(pk=organisation.pk).exists():
        errors["organisation"] = gettext("This organisation was not called.")
    if not organisation_confirms_trust:
        errors["organisation_confirms_trust"] = gettext(
            "The organisation must confirm that the candidate has its trust."
        )
    for name in NOMINATION_CRITERIA:
        if not criteria.get(name, "").strip():
            errors[name] = gettext("Answer this criterion.")
    if not motivation.strip():
        errors["motivation"] = gettext("Say why you nominate this person.")
    if request.nominations.filter(candidate=candidate).exists():
        errors["candidate"] = gettext("This person is already nominated.")
    if errors:
        raise ValidationError(errors, code="invalid_nomination")
    return Nomination.objects.create(
        request=request,
        candidate=candidate,
        organisation=organisation,
        motivation=motivation,
        organisation_confirms_trust=True,
        category=category,
        gender=gender,
        nominated_by=by,
        **{name: criteria[name] for name in NOMINATION_CRITERIA},
    )


def _lock_nomination(nomination: Nomination) -> Nomination:
    return (
        Nomination.objects.select_for_update()
        .select_related("request__council")
        .get(pk=nomination.pk)
    )


@transaction.atomic
def nomination_recommend(*, nomination: Nomination, by: User | None) -> Nomination:
    """The umbrella body or the centre recommends the candidate to the owner (innstilling)."""
    nomination = _lock_nomination(nomination)
    if nomination.status != Nomination.Status.NOMINATED:
        raise ValidationError(
            gettext("Only a nominated candidate can be recommended."), code="not_nominated"
        )
    nomination.status = Nomination.Status.RECOMMENDED
    nomination.recommended_by = by
    nomination.recommended_at = timezone.now()
    nomination.save(update_fields=["status", "recommended_by", "recommended_at"])
    return nomination


@transaction.atomic
def nomination_appoint(
    *,
    nomination: Nomination,
    by: User | None,
    role: str = Member.Role.MEMBER,
    term_start: date,
    term_end: date | None = None,
    seat: Seat | None = None,
    publish_consent: bool = False,
    balance_exception: str = "",
) -> Member:
    """The owner appoints a recommended candidate: the membership and its term are created.
    Where the council's rules require a gender balance, an appointment that leaves it unmet
    needs `balance_exception`, the reason, which is recorded and counted in the annual
    figures (the Norwegian rules allow exceptions with a justification)."""
    nomination = _lock_nomination(nomination)
    if nomination.status != Nomination.Status.RECOMMENDED:
        raise ValidationError(
            gettext("Only a nominated and recommended candidate can be appointed."),
            code="not_recommended",
        )
    council = nomination.request.council
    term_end = term_end or term_start.replace(year=term_start.year + council.term_years)
    balance_exception = balance_exception.strip()
    if council.requires_gender_balance:
        # Locked, so that two appointments at once cannot both read the balance as met.
        Council.objects.select_for_update().get(pk=council.pk)
        after = gender_balance(council, adding=nomination.gender, on=term_start)
        if after.ok:
            balance_exception = ""  # nothing to excuse
        elif not balance_exception:
            raise ValidationError(
                {
                    "balance_exception": gettext(
                        "After this appointment the council's gender balance is not met:"
                        " %(balance)s Give the reason for the exception."
                    )
                    % {"balance": balance_needs(after)}
                },
                code="balance_exception_required",
            )
    else:
        balance_exception = ""
    member = member_add(
        council=council,
        user=nomination.candidate,
        role=role,
        term_start=term_start,
        term_end=term_end,
        seat=seat,
        organisation=nomination.organisation,
        category=nomination.category,
        gender=nomination.gender,
        publish_consent=publish_consent,
    )
    nomination.status = Nomination.Status.APPOINTED
    nomination.decided_by = by
    nomination.decided_at = timezone.now()
    nomination.member = member
    nomination.balance_exception = balance_exception
    nomination.save(
        update_fields=["status", "decided_by", "decided_at", "member", "balance_exception"]
    )
    return member


@transaction.atomic
def nomination_close(
    *, nomination: Nomination, by: User | None, status: str, reason: str
) -> Nomination:
    """Decline (the owner) or withdraw (the organisation or candidate) a nomination."""
    nomination = _lock_nomination(nomination)
    if status not in {Nomination.Status.DECLINED, Nomination.Status.WITHDRAWN}:
        raise ValueError(status)
    if nomination.status in {
        Nomination.Status.APPOINTED,
        Nomination.Status.DECLINED,
        Nomination.Status.WITHDRAWN,
    }:
        raise ValidationError(gettext("This nomination is already decided."), code="decided")
    if not reason.strip():
        raise ValidationError({"reason": gettext("Give a reason.")}, code="reason_required")
    nomination.status = status
    nomination.reason = reason
    nomination.decided_by = by
    nomination.decided_at = timezone.now()
    nomination.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return nomination


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
    from .tasks import send_meeting_notice

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
    transaction.on_commit(lambda: enqueue(send_meeting_notice, meeting_id, sent_at))
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
    from .tasks import make_minutes_pdf

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
    transaction.on_commit(lambda: enqueue(make_minutes_pdf, meeting_id))
    return meeting


def minutes_pdf_render(*, meeting_id: int) -> Meeting | None:
    """Worker side: render approved minutes to PDF once; a failure is recorded, not lost."""
    from .pdf import minutes_pdf

    meeting = Meeting.objects.select_related("council").filter(pk=meeting_id).first()
    if meeting is None or meeting.minutes_pdf_status == Meeting.PdfStatus.READY:
        return meeting
    try:
        pdf = minutes_pdf(meeting)
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


# --- Cases ----------------------------------------------------------------------


@transaction.atomic
def case_submit(
    *,
    council: Council,
    by: User | None,
    title: str,
    why: str,
    where: str,
    when: str,
    proposed_solution: str,
) -> Case:
    """Anyone on the council submits a case: why, where and when it is a problem, and a fix."""
    Council.objects.select_for_update().get(pk=council.pk)
    repeat = repeat_of(
        council.cases,
        at="submitted_at",
        submitted_by=by,
        title=title,
        why=why,
        where=where,
        when=when,
        proposed_solution=proposed_solution,
    )
    if repeat is not None:
        return repeat  # Sent twice: the case the first one made.
    number = (council.cases.aggregate(top=Max("number"))["top"] or 0) + 1
    case = Case(
        council=council,
        number=number,
        title=title,
        why=why,
        where=where,
        when=when,
        proposed_solution=proposed_solution,
        submitted_by=by,
    )
    case.full_clean()
    case.save()
    return case


@transaction.atomic
def case_reject(*, case: Case, reason: str) -> Case:
    """Reject a case with a reason (for example an individual case)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status in {Case.Status.CLOSED, Case.Status.REJECTED}:
        raise ValidationError(gettext("This case is already decided."), code="decided")
    if not reason.strip():
        raise ValidationError({"rejection_reason": gettext("Give a reason.")}, code="required")
    case.status = Case.Status.REJECTED
    case.rejection_reason = reason
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "rejection_reason", "closed_at"])
    return case


# --- Self-assessment ------------------------------------------------------------


@transaction.atomic
def assessment_record(
    *,
    by: User | None,
    held_on: date,
    rapporteur: str,
    secretary: str,
    answers: dict[tuple[int, str], tuple[str, str]],
    reflections: dict[str, str] | None = None,
    council: Council | None = None,
    unit_name: str = "",
) -> Assessment:
    """Record a group's answers to all 15 questions (5 levels × 3 stages)."""
    expected = {
        (level, stage)
        for level in AssessmentAnswer.Level.values
        for stage in AssessmentAnswer.Stage.values
    }
    missing = expected - {key for key, (answer, _c) in answers.items() if answer}
    errors = {}
    if missing:
        errors["__all__"] = gettext("Answer all 15 questions: %(count)s are left.") % {
            "count": len(missing)
        }
    if not rapporteur.strip():
        errors["rapporteur"] = gettext("Name the rapporteur.")
    if not secretary.strip():
        errors["secretary"] = gettext("Name the secretary.")
    if council is None and not unit_name.strip():
        errors["unit_name"] = gettext("Choose a council or name the service unit.")
    if errors:
        raise ValidationError(errors, code="invalid_assessment")
    if council is not None:
        Council.objects.select_for_update().get(pk=council.pk)
    repeat = repeat_of(
        Assessment.objects.all(),
        at="created_at",
        council=council,
        unit_name=unit_name,
        held_on=held_on,
        rapporteur=rapporteur,
        secretary=secretary,
        created_by=by,
    )
    if repeat is not None:
        return repeat  # Sent twice: the assessment the first one recorded.
    assessment = Assessment.objects.create(
        council=council,
        unit_name=unit_name,
        held_on=held_on,
        rapporteur=rapporteur,
        secretary=secretary,
        created_by=by,
        **(reflections or {}),
    )
    AssessmentAnswer.objects.bulk_create(
        AssessmentAnswer(
            assessment=assessment, level=level, stage=stage, answer=answer, comment=comment
        )
        for (level, stage), (answer, comment) in sorted(answers.items())
        if (level, stage) in expected
    )
    return assessment


def ladder_profile(assessment: Assessment) -> list[dict]:
    """Per level, the answer at each stage: the ladder drawn as a profile, never a score."""
    by_key = {(a.level, a.stage): a for a in assessment.answers.all()}
    return [
        {
            "level": level,
            "label": label,
            "stages": [
                {
                    "stage": stage,
                    "stage_label": stage_label,
                    "answer": by_key.get((level, stage)),
                }
                for stage, stage_label in AssessmentAnswer.Stage.choices
            ],
        }
        for level, label in reversed(AssessmentAnswer.Level.choices)
    ]


# --- Annual report --------------------------------------------------------------


@transaction.atomic
def annual_report_request(*, council: Council, year: int) -> AnnualReport:
    """Queue the annual report; asking again remakes it (the year may still be running)."""
    from .tasks import make_annual_report

    if year > timezone.localdate().year:
        raise ValidationError({"year": gettext("The year has not begun.")}, code="future")
    report, _created = AnnualReport.objects.select_for_update().get_or_create(
        council=council, year=year
    )
    report.status = Meeting.PdfStatus.QUEUED
    report.requested_at = timezone.now()
    report.save(update_fields=["status", "requested_at"])
    report_id = report.pk
    transaction.on_commit(lambda: enqueue(make_annual_report, report_id))
    return report


def annual_figures(council: Council, year: int) -> dict:
    """Meetings held, attendance, cases closed and appointments in `year` (those made as an
    exception to the gender balance too, with their reasons), counted in the database."""
    meetings = council.meetings.filter(starts_at__year=year, starts_at__lte=timezone.now())
    attendance = Attendance.objects.filter(meeting__in=meetings)
    appointed = Nomination.objects.filter(
        request__council=council, status=Nomination.Status.APPOINTED, decided_at__year=year
    )
    exceptions = list(
        appointed.exclude(balance_exception="")
        .order_by("decided_at", "pk")
        .values_list("balance_exception", flat=True)
    )
    return {
        "appointments": appointed.count(),
        "balance_exceptions": len(exceptions),
        "balance_exception_reasons": exceptions,
        "year": year,
        "meetings_held": meetings.count(),
        "present": attendance.filter(status=Attendance.Status.PRESENT).count(),
        "deputy": attendance.filter(status=Attendance.Status.DEPUTY).count(),
        "absent": attendance.filter(status=Attendance.Status.ABSENT).count(),
        "cases_submitted": council.cases.filter(submitted_at__year=year).count(),
        "cases_closed": council.cases.filter(
            status=Case.Status.CLOSED, closed_at__year=year
        ).count(),
        "cases_rejected": council.cases.filter(
            status=Case.Status.REJECTED, closed_at__year=year
        ).count(),
        "cases_open": council.cases.open().count(),
    }


def annual_report_render(*, report_id: int) -> AnnualReport | None:
    from .pdf import annual_report_pdf

    report = AnnualReport.objects.select_related("council").filter(pk=report_id).first()
    # Ready: a redelivered task. Asking again sets the report back to queued first.
    if report is None or report.status == Meeting.PdfStatus.READY:
        return report
    try:
        pdf = annual_report_pdf(report.council, report.year)
    except Exception:  # noqa: BLE001 — recorded so staff can retry
        AnnualReport.objects.filter(pk=report_id).update(status=Meeting.PdfStatus.FAILED)
        raise
    with transaction.atomic():
        report = AnnualReport.objects.select_for_update().get(pk=report_id)
        if report.status == Meeting.PdfStatus.READY:
            return report
        report.file.save(
            f"annual-{report.council.slug}-{report.year}.pdf", ContentFile(pdf), save=False
        )
        report.status = Meeting.PdfStatus.READY
        report.save(update_fields=["file", "status"])
    return report


# --- Personal data ----------------------------------------------------------------


def member_export(*, user: User) -> str:
    """Everything the councils app holds about a person, as JSON."""
    from brukarkraft.privacy import Person

    from . import privacy

    data = {"person": {"name": user.full_name, "email": user.email}}
    data.update(privacy.export(Person.for_user(user)))
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


@transaction.atomic
def member_erase(*, user: User) -> int:
    """Erase a person from the councils: their rows keep the minutes whole, with the name
    replaced ("Former member 12") in the rows, the minutes' text and the change history.
    Returns the number of terms erased. brukarkraft.privacy erases the rest of the portal."""
    from . import privacy

    return privacy.erase_user(user).terms


# --- Reminders ----------------------------------------------------------------------


def mandates_due(on: date | None = None):
    """Active councils whose newest terms of reference are due for revision."""
    on = on or timezone.localdate()
    latest = MandateVersion.objects.filter(council=OuterRef("pk")).order_by("-number")
    return (
        Council.objects.filter(is_active=True)
        .annotate(due=Subquery(latest.values("revision_due")[:1]))
        .filter(due__lte=on)
    )
