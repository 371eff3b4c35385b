"""One-time codes and the batches they are printed in as slips (by a worker)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .responses import Response
from .survey import Survey, Unit


class CodeBatch(models.Model):
    """A printed batch of one-time codes: controlled anonymity, one slip per respondent."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="code_batches", verbose_name=_("survey")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("unit")
    )

    class SlipsStatus(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    size = models.PositiveIntegerField(_("number of codes"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The slips PDF is made by a worker: 2,000 slips take about 45 s.
    slips = models.FileField(_("slips to print"), upload_to="surveys/slips/", blank=True)
    slips_status = models.CharField(
        _("slips"), max_length=8, choices=SlipsStatus.choices, default=SlipsStatus.QUEUED
    )
    slips_language = models.CharField(_("language of the slips"), max_length=8, default="sv")
    answer_url = models.CharField(_("address printed on the slips"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("batch of one-time codes")
        verbose_name_plural = _("batches of one-time codes")

    def __str__(self) -> str:
        return f"{self.survey} – {self.size}"


class OneTimeCode(models.Model):
    # Not tied to any person: the slip is handed out at random, as on paper.
    batch = models.ForeignKey(
        CodeBatch, on_delete=models.CASCADE, related_name="codes", verbose_name=_("batch")
    )
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="codes", verbose_name=_("survey")
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    response = models.OneToOneField(
        Response,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="one_time_code",
        verbose_name=_("response"),
    )
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return self.code
