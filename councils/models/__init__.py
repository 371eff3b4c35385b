"""User councils (brukarråd / brukerutvalg): mandate, members, appointments, meetings, cases
and the participation self-assessment (docs/domain.md §3–4).

One module per area; every model is re-exported here because the app's code, its tests,
the migrations' history and other apps' tests import them as `councils.models.X`.
"""

from .appointments import NOMINATION_CRITERIA, AppointmentRequest, Nomination
from .assessments import Assessment, AssessmentAnswer
from .council import (
    NAMED_IN_PUBLIC,
    NOTICE_DAYS,
    TERM_WARNING_DAYS,
    Council,
    CouncilQuerySet,
    Gender,
    MandateVersion,
    Member,
    MemberQuerySet,
    Seat,
    UserCategory,
    council_page_queryset,
    required_per_gender,
)
from .meetings import (
    AgendaItem,
    AnnualReport,
    Attendance,
    Case,
    CaseQuerySet,
    Document,
    Meeting,
    MeetingQuerySet,
)

__all__ = [
    "NAMED_IN_PUBLIC",
    "NOMINATION_CRITERIA",
    "NOTICE_DAYS",
    "TERM_WARNING_DAYS",
    "AgendaItem",
    "AnnualReport",
    "AppointmentRequest",
    "Assessment",
    "AssessmentAnswer",
    "Attendance",
    "Case",
    "CaseQuerySet",
    "Council",
    "CouncilQuerySet",
    "Document",
    "Gender",
    "MandateVersion",
    "Meeting",
    "MeetingQuerySet",
    "Member",
    "MemberQuerySet",
    "Nomination",
    "Seat",
    "UserCategory",
    "council_page_queryset",
    "required_per_gender",
]
