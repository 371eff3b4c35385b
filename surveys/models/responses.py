"""Responses and their answers: anonymous, by web or paper, with the support given;
free-text answers wait for review before they are shown.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .questions import Option, Question
from .survey import Survey, Unit


class Response(models.Model):
    """One person's answers. Nothing here points at a person, an address or a device."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("Being answered")
        SUBMITTED = "submitted", _("Sent")

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        PAPER = "paper", _("Paper")

    class Support(models.TextChoices):
        ALONE = "alone", _("Answered alone")
        HELPED = "helped", _("Answered with a support person")
        UNKNOWN = "", _("Not stated")

    class SupportRole(models.TextChoices):
        QUESTION_ASSISTANT = "assistant", _("An independent question assistant")
        FAMILY = "family", _("A relative or friend")
        PERSONAL_ASSISTANT = "personal_assistant", _("My personal assistant")
        INTERPRETER = "interpreter", _("An interpreter")
        OTHER = "other", _("Someone else")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("unit"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    channel = models.CharField(
        _("channel"), max_length=6, choices=Channel.choices, default=Channel.WEB
    )
    support = models.CharField(
        _("answered"), max_length=8, choices=Support.choices, blank=True, default=""
    )
    support_role = models.CharField(
        _("support person"), max_length=20, choices=SupportRole.choices, blank=True
    )
    easy_read = models.BooleanField(_("easy-to-read mode"), default=False)
    # Issued by the server with the start form: starting twice gives the same response.
    start_key = models.CharField(max_length=64, unique=True, verbose_name=_("start key"))
    # A hash of the code the respondent writes down to continue later; never the code itself.
    resume_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, verbose_name=_("resume hash")
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    submitted_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["survey", "status"], name="response_survey_status")]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Answer(models.Model):
    """One answer to one question; a multiple-choice answer is one row per ticked option."""

    class Review(models.TextChoices):
        PENDING = "pending", _("Not yet reviewed")
        APPROVED = "approved", _("May be shown")
        HIDDEN = "hidden", _("Hidden (could identify someone)")

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    option = models.ForeignKey(
        Option,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("option"),
    )
    dont_know = models.BooleanField(_("don't know"), default=False)
    text = models.TextField(_("text"), blank=True)
    number = models.IntegerField(_("number"), null=True, blank=True)
    review = models.CharField(
        _("review"), max_length=10, choices=Review.choices, blank=True, default=""
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [
            models.Index(fields=["question", "option"], name="answer_question_option"),
            # The free texts waiting for review are few among millions of answers.
            models.Index(
                fields=["question"],
                condition=Q(review="pending"),
                name="answer_pending_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.option_id or self.number or self.text[:20]}"
