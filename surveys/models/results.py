"""What is kept of the answers for results: export jobs of the raw answers, and the totals
(`FrozenCount`) that remain once the single answers are deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .questions import Option, Question
from .responses import Response
from .survey import Survey, Unit


class ExportJob(models.Model):
    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX (Excel)"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being written")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Values(models.TextChoices):
        LABELS = "labels", _("The answers as the respondents saw them, in the chosen language")
        CODES = "codes", _("Codes for statistics programs (dont_know, helped, option values)")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="exports", verbose_name=_("survey")
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    language = models.CharField(_("language"), max_length=8, blank=True)
    values = models.CharField(
        _("answers as"), max_length=6, choices=Values.choices, default=Values.LABELS
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("responses written"), default=0)
    rows_total = models.PositiveIntegerField(_("responses in all"), default=0)
    file = models.FileField(_("file"), upload_to="surveys/exports/", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.survey} {self.format} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))


class FrozenCount(models.Model):
    """Totals kept after the raw answers have been deleted at the end of retention.

    A row with no question counts respondents; a row with a question counts answers
    (one option, "don't know", or number answers with their sum).
    """

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="frozen_counts", verbose_name=_("survey")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("question")
    )
    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("option")
    )
    dont_know = models.BooleanField(default=False, verbose_name=_("don't know"))
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("unit")
    )
    channel = models.CharField(
        max_length=6, choices=Response.Channel.choices, verbose_name=_("channel")
    )
    support = models.CharField(max_length=8, blank=True, verbose_name=_("support"))
    count = models.PositiveIntegerField(verbose_name=_("count"))
    number_sum = models.BigIntegerField(null=True, blank=True, verbose_name=_("number sum"))

    class Meta:
        verbose_name = _("kept total")
        verbose_name_plural = _("kept totals")

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.question_id}/{self.option_id}: {self.count}"
