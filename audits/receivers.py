"""What audits does when other apps report something through their signals.

Audits depends on resources (the one declared cross-app link), never the reverse: the
library sends `course_completed` and the auditor pool records the training here.
"""

from __future__ import annotations

from resources.models import Course, Registration
from resources.signals import course_completed

from .services import auditor_training_record


def record_auditor_training(sender, *, registration: Registration, valid_until, **kwargs) -> None:
    """A completed course that qualifies user auditors makes the participant trained."""
    if registration.course.qualifies_auditors:
        auditor_training_record(user=registration.participant, valid_until=valid_until)


def connect() -> None:
    course_completed.connect(
        record_auditor_training, sender=Course, dispatch_uid="audits.record_auditor_training"
    )
