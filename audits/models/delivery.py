"""What an audit produces and pays: fee entries, report versions and the e-mails sent."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import Audit


class FeeEntry(models.Model):
    """Hours and travel an auditor logs on an audit, for the fee (arvode)."""

    class Activity(models.TextChoices):
        PLANNING = "planning", _("Planning and preparation")
        DATA_COLLECTION = "data_collection", _("Data collection")
        ANALYSIS = "analysis", _("Analysis and writing")
        FEEDBACK = "feedback", _("Feedback meeting")
        TRAINING = "training", _("Training")
        OTHER = "other", _("Other")

    audit = models.ForeignKey(
        Audit, on_delete=models.PROTECT, related_name="fees", verbose_name=_("audit")
    )
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="audit_fees",
        verbose_name=_("auditor"),
    )
    worked_on = models.DateField(_("date"))
    activity = models.CharField(_("activity"), max_length=20, choices=Activity.choices)
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )
    hourly_rate = models.DecimalField(_("hourly fee (SEK)"), max_digits=7, decimal_places=2)
    travel_km = models.PositiveIntegerField(_("travel by car (km)"), default=0)
    travel_cost = models.DecimalField(
        _("tickets and other travel costs (SEK)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)

    # The Swedish tax-free mileage allowance, 2.50 SEK per km (25 kr per mil).
    KM_RATE = Decimal("2.50")

    class Meta:
        ordering = ["-worked_on", "-pk"]
        verbose_name = _("fee entry")
        verbose_name_plural = _("fee entries")
        indexes = [models.Index(fields=["auditor", "worked_on"])]

    def __str__(self) -> str:
        return f"{self.auditor} {self.worked_on} {self.hours} h"

    @property
    def fee(self) -> Decimal:
        return (self.hours * self.hourly_rate).quantize(Decimal("0.01"))

    @property
    def mileage(self) -> Decimal:
        return (self.travel_km * self.KM_RATE).quantize(Decimal("0.01"))

    @property
    def total(self) -> Decimal:
        return self.fee + self.mileage + self.travel_cost


class ReportVersionQuerySet(models.QuerySet):
    def latest_ready(self):
        return self.filter(status=ReportVersion.Status.READY).order_by("-number").first()


class ReportVersion(models.Model):
    """One generation of an audit's report PDF, kept with its hash; the approved one is frozen."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    audit = models.ForeignKey(
        Audit, on_delete=models.PROTECT, related_name="reports", verbose_name=_("audit")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    language = models.CharField(_("language"), max_length=2, choices=Audit.Language.choices)
    file = models.FileField(_("file"), upload_to="audits/reports/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    approved = models.BooleanField(_("approved version"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ReportVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="report_number_unique"),
            models.UniqueConstraint(
                fields=["audit"], condition=Q(approved=True), name="report_one_approved"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.audit} v{self.number}"

    @property
    def is_pending(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}


class Notification(models.Model):
    """An e-mail sent about an audit; the key makes a redelivered task send nothing twice."""

    class Kind(models.TextChoices):
        ORDER_RECEIVED = "order_received", _("Order received")
        QUOTE_SENT = "quote_sent", _("Quote sent")
        REPORT_READY = "report_ready", _("Report ready")
        RESPONSE_DUE = "response_due", _("Response due")
        RESPONSE_REMINDER = "response_reminder", _("Reminder: response due")
        FOLLOW_UP_REMINDER = "follow_up_reminder", _("Reminder: follow-up due")
        ORDER_DECLINED = "order_declined", _("Order declined")
        TEAM_ADDED = "team_added", _("Added to the team")
        TEAM_REMOVED = "team_removed", _("Removed from the team")
        RESPONSE_SENT = "response_sent", _("Response sent")
        FOLLOW_UP_STARTED = "follow_up_started", _("Follow-up started")
        FOLLOW_UP_REPORTED = "follow_up_reported", _("Follow-up reported")
        AUDIT_CLOSED = "audit_closed", _("Audit closed")

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("audit")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=60)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["audit", "kind", "key"], name="notification_once")
        ]

    def __str__(self) -> str:
        return f"{self.audit} {self.kind}"
