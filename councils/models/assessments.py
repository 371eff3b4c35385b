"""The participation self-assessment on Shier's pathways (docs/domain.md §4): a group's
answers to 15 questions, 5 levels by 3 stages, with its reflections.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brukarkraft.text import NOTE_LENGTH, TEXT_LENGTH

from .council import Council

# --- Participation self-assessment (Shier, docs/domain.md §4) -----------------


class Assessment(models.Model):
    """A group's self-assessment on Shier's pathways to participation."""

    council = models.ForeignKey(
        Council,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("council"),
    )
    unit_name = models.CharField(
        _("service unit"),
        max_length=200,
        blank=True,
        help_text=_("When a service unit, not a council, assesses itself."),
    )
    held_on = models.DateField(_("date"))
    rapporteur = models.CharField(_("rapporteur"), max_length=200)
    secretary = models.CharField(_("secretary"), max_length=200)
    helps_policy = models.TextField(
        _("what helps today: policy"), blank=True, max_length=TEXT_LENGTH
    )
    helps_routines = models.TextField(
        _("what helps today: routines"), blank=True, max_length=TEXT_LENGTH
    )
    helps_attitudes = models.TextField(
        _("what helps today: attitudes"), blank=True, max_length=TEXT_LENGTH
    )
    develop_policy = models.TextField(
        _("what must develop: policy"), blank=True, max_length=TEXT_LENGTH
    )
    develop_routines = models.TextField(
        _("what must develop: routines"), blank=True, max_length=TEXT_LENGTH
    )
    develop_attitudes = models.TextField(
        _("what must develop: attitudes"), blank=True, max_length=TEXT_LENGTH
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("participation self-assessment")
        verbose_name_plural = _("participation self-assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(council__isnull=False) | ~Q(unit_name=""),
                name="assessment_has_council_or_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.council or self.unit_name} {self.held_on}"


class AssessmentAnswer(models.Model):
    class Level(models.IntegerChoices):
        LISTENED_TO = 1, _("Users are listened to")
        SUPPORTED = 2, _("Users are supported in expressing their views")
        TAKEN_INTO_ACCOUNT = 3, _("Users' views are taken into account")
        INVOLVED = 4, _("Users are involved in decision-making")
        SHARE_POWER = 5, _("Users share power and responsibility for decisions")

    class Stage(models.TextChoices):
        OPENINGS = "openings", _("Openings")
        OPPORTUNITIES = "opportunities", _("Opportunities")
        OBLIGATIONS = "obligations", _("Obligations")

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="answers", verbose_name=_("assessment")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=NOTE_LENGTH)

    class Meta:
        ordering = ["assessment", "level", "stage"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "level", "stage"], name="assessment_answer_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.level}/{self.stage}: {self.answer}"
