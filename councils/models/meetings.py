"""Meetings and cases: the notice, agenda, attendance and minutes of a meeting, the cases
followed from meeting to meeting, members' documents and the annual report.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.text import DOCUMENT_LENGTH, NOTE_LENGTH, TEXT_LENGTH
from brukarkraft.validators import validate_order

from .council import NOTICE_DAYS, Council, Member

# --- Meetings and cases ---------------------------------------------------------


class MeetingQuerySet(models.QuerySet):
    def upcoming(self) -> MeetingQuerySet:
        return self.filter(starts_at__gte=timezone.now()).order_by("starts_at")

    def published(self) -> MeetingQuerySet:
        return self.filter(minutes_status=Meeting.MinutesStatus.APPROVED)


class Meeting(models.Model):
    class MinutesStatus(models.TextChoices):
        NONE = "none", _("Not written")
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved and locked")

    class PdfStatus(models.TextChoices):
        NONE = "none", _("Not made")
        QUEUED = "queued", _("Queued")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("council")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200)
    accessibility = models.TextField(
        _("accessibility of the place"),
        blank=True,
        help_text=_("Step-free entrance, hearing loop, accessible toilet, quiet room …"),
        max_length=TEXT_LENGTH,
    )
    notice_sent_at = models.DateTimeField(_("notice sent"), null=True, blank=True)
    notice_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("notice sent by"),
    )
    minutes = models.TextField(_("minutes"), blank=True, max_length=DOCUMENT_LENGTH)
    minutes_status = models.CharField(
        _("minutes"), max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.NONE
    )
    minutes_approved_at = models.DateTimeField(_("minutes approved"), null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("minutes approved by"),
    )
    minutes_pdf = models.FileField(_("minutes (PDF)"), upload_to="councils/minutes/", blank=True)
    minutes_pdf_status = models.CharField(
        _("minutes PDF"), max_length=8, choices=PdfStatus.choices, default=PdfStatus.NONE
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["council", "-starts_at"])]

    def __str__(self) -> str:
        return f"{self.council} {timezone.localtime(self.starts_at):%Y-%m-%d}"

    def clean(self) -> None:
        validate_order(
            self.starts_at,
            self.ends_at,
            field="ends_at",
            message=gettext("The meeting must end after it starts."),
        )

    @property
    def notice_deadline(self):
        return self.starts_at - timedelta(days=NOTICE_DAYS)

    @property
    def notice_was_late(self) -> bool:
        return self.notice_sent_at is not None and self.notice_sent_at > self.notice_deadline

    @property
    def is_locked(self) -> bool:
        return self.minutes_status == self.MinutesStatus.APPROVED


class CaseQuerySet(models.QuerySet):
    def open(self) -> CaseQuerySet:
        return self.exclude(status__in=[Case.Status.CLOSED, Case.Status.REJECTED])


class Case(models.Model):
    """A matter (sak) raised from shared experience, followed meeting after meeting."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ON_AGENDA = "on_agenda", _("On the agenda")
        DISCUSSED = "discussed", _("Discussed")
        FOLLOW_UP = "follow_up", _("Being followed up")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="cases", verbose_name=_("council")
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    why = models.TextField(_("why it is a problem"), max_length=TEXT_LENGTH)
    where = models.TextField(_("where it is a problem"), max_length=TEXT_LENGTH)
    when = models.TextField(_("when it is a problem"), max_length=TEXT_LENGTH)
    proposed_solution = models.TextField(_("proposed solution"), max_length=TEXT_LENGTH)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    rejection_reason = models.TextField(
        _("why it was rejected"), blank=True, max_length=NOTE_LENGTH
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["council", "-number"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["council", "number"], name="case_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def age_days(self) -> int:
        end = self.closed_at or timezone.now()
        return (end - self.submitted_at).days


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("meeting")
    )
    position = models.PositiveSmallIntegerField(_("item"))
    title = models.CharField(_("title"), max_length=200)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("case"),
    )
    document = models.ForeignKey(
        "Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("document"),
    )
    # What the meeting said and decided on the item; for a case this moves it on.
    decision = models.TextField(_("decision"), blank=True, max_length=TEXT_LENGTH)
    follow_up = models.TextField(_("follow-up"), blank=True, max_length=TEXT_LENGTH)

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Document(models.Model):
    """A document for a council's members (papers for a meeting, reports)."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="documents", verbose_name=_("council")
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="councils/documents/")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        DEPUTY = "deputy", _("Absent, deputy attending")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("meeting")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("member")
    )
    status = models.CharField(_("attendance"), max_length=8, choices=Status.choices)
    deputy = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stood_in",
        verbose_name=_("deputy attending"),
    )
    travel_cost = models.DecimalField(
        _("travel costs (SEK)"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    lost_earnings = models.DecimalField(
        _("lost earnings (SEK)"), max_digits=8, decimal_places=2, default=Decimal("0")
    )

    class Meta:
        ordering = ["meeting", "member__display_name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_status_display()}"


class AnnualReport(models.Model):
    """A council's annual report as a PDF, made by a worker."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="annual_reports", verbose_name=_("council")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=Meeting.PdfStatus.choices,
        default=Meeting.PdfStatus.QUEUED,
    )
    file = models.FileField(_("file"), upload_to="councils/annual/", blank=True)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)

    class Meta:
        ordering = ["council", "-year"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [
            models.UniqueConstraint(fields=["council", "year"], name="annual_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.council} {self.year}"
