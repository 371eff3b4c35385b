"""The centre's library, its courses and method guidance (docs/domain.md §5).

Split by area: `library` (resources, versions, attachments, reviews, search words),
`training` (courses, sessions, registrations, attendance, training records) and `guidance`
(method guidance requests). Every name is re-exported here: Django, the migrations and the
rest of the app know them as `resources.models.<name>`.
"""

from .guidance import GuidanceRequest
from .library import (
    LANGUAGES,
    SEARCH_CONFIGS,
    Attachment,
    Audience,
    Kind,
    Resource,
    ResourceQuerySet,
    ResourceVersion,
    Review,
    SearchWord,
    Topic,
)
from .training import (
    AttendanceRule,
    Completion,
    Course,
    CourseQuerySet,
    CourseSession,
    Registration,
    SessionAttendance,
    TrainingRecord,
)

__all__ = [
    "LANGUAGES",
    "SEARCH_CONFIGS",
    "Kind",
    "Topic",
    "Audience",
    "ResourceQuerySet",
    "Resource",
    "SearchWord",
    "ResourceVersion",
    "Attachment",
    "Review",
    "Completion",
    "CourseQuerySet",
    "AttendanceRule",
    "Course",
    "CourseSession",
    "Registration",
    "SessionAttendance",
    "TrainingRecord",
    "GuidanceRequest",
]
