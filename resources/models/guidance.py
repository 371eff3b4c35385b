"""Method guidance (metodhandledning): requests for it and their answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from brukarkraft.models import Organisation
from brukarkraft.text import TEXT_LENGTH


class GuidanceRequest(models.Model):
    """A booking of method guidance (metodhandledning) from a commissioner or organisation."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    class Topic(models.TextChoices):
        ORDERING = "ordering", _("Ordering a user audit")
        METHOD = "method", _("Methods: questionnaires, interviews, focus groups")
        RESULTS = "results", _("Using the results and following up")
        COUNCIL = "council", _("Starting or running a user council")
        OTHER = "other", _("Something else")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guidance_requests",
        verbose_name=_("organisation"),
    )
    organisation_name = models.CharField(_("organisation"), max_length=200)
    name = models.CharField(_("your name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    topic = models.CharField(_("what it is about"), max_length=12, choices=Topic.choices)
    message = models.TextField(_("your question"), max_length=TEXT_LENGTH)
    preferred_times = models.CharField(_("times that suit you"), max_length=300, blank=True)
    format = models.CharField(
        _("how you want to meet"),
        max_length=12,
        choices=[
            ("video", _("Video call")),
            ("phone", _("Telephone")),
            ("visit", _("A visit")),
        ],
        default="video",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guidance_requests",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    answer = models.TextField(_("answer"), blank=True, max_length=TEXT_LENGTH)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("method guidance request")
        verbose_name_plural = _("method guidance requests")

    def __str__(self) -> str:
        return f"{self.organisation_name}: {self.get_topic_display()}"
