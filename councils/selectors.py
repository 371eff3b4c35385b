"""Rules that read a council's data and change nothing: the gender balance, the user
categories covered, tenure, warnings for the admin, the ladder profile of a
self-assessment, the annual figures and the terms of reference due for revision.

Services, PDFs, notifications, views and admin all read through here; it imports only
the models.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from brukarkraft.models import User

from .models import (
    Assessment,
    AssessmentAnswer,
    Attendance,
    Case,
    Council,
    Gender,
    MandateVersion,
    Member,
    Nomination,
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
    wanted: Counter[str] = Counter()
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


# --- Self-assessment ------------------------------------------------------------


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


# --- Annual figures -------------------------------------------------------------


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
