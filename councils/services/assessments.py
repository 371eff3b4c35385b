"""The participation self-assessment: recording a group's answers (docs/domain.md §4)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from brukarkraft.faults import repeat_of
from brukarkraft.models import User

from ..models import (
    Assessment,
    AssessmentAnswer,
    Council,
)

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
