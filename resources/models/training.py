"""Courses: sessions, registrations with the waiting list, attendance, and the training
records completion gives (with their expiry).
"""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.models import Organisation
from brukarkraft.roles import Role
from brukarkraft.text import NOTE_LENGTH, TEXT_LENGTH
from brukarkraft.validators import validate_order

from .library import LANGUAGES


class Completion(NamedTuple):
    """Whether a participant may complete a course, and the reason in words."""

    allowed: bool
    reason: str


class CourseQuerySet(models.QuerySet):
    def visible_to(self, user) -> CourseQuerySet:
        """Published courses; the centre's staff also see those not yet published."""
        if user.is_authenticated and user.has_role(Role.STAFF, Role.ADMIN):
            return self
        return self.filter(is_published=True)

    def for_list(self) -> CourseQuerySet:
        return self.annotate(
            registered=Count(
                "registrations",
                filter=Q(registrations__status__in=["registered", "completed"]),
                distinct=True,
            ),
            waiting=Count(
                "registrations", filter=Q(registrations__status="waiting"), distinct=True
            ),
        )


class AttendanceRule(models.TextChoices):
    ALL = "all", _("Every session")
    MINIMUM = "minimum", _("A minimum number of sessions")


class Course(models.Model):
    AttendanceRule = AttendanceRule

    class Kind(models.TextChoices):
        AUDITOR_BASIC = "auditor_basic", _("Basic training for user auditors")
        AUDITOR_ADVANCED = "auditor_advanced", _("Advanced training for user auditors")
        REPRESENTATIVE_NEW = "representative_new", _("Gathering for new user representatives")
        REPRESENTATIVE_ADVANCED = (
            "representative_advanced",
            _("Gathering for advanced user representatives"),
        )
        SPEAKER = "speaker", _("Lived-experience speaker")
        OTHER = "other", _("Other course")

    slug = models.SlugField(_("address name"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="sv")
    description = models.TextField(_("description"), max_length=TEXT_LENGTH)
    capacity = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1)], default=16
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_("How long a completed course counts; empty if it does not expire."),
    )
    qualifies_auditors = models.BooleanField(
        _("qualifies user auditors"),
        default=False,
        help_text=_("Completing it makes a participant a trained user auditor."),
    )
    attendance_rule = models.CharField(
        _("attendance needed to complete"),
        max_length=8,
        choices=AttendanceRule.choices,
        default=AttendanceRule.ALL,
    )
    minimum_sessions = models.PositiveSmallIntegerField(
        _("minimum sessions attended"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_('Only with the rule "a minimum number of sessions".'),
    )
    registration_open = models.BooleanField(_("open for registration"), default=True)
    is_published = models.BooleanField(_("published"), default=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            # clean() says it in words on forms; this keeps any other write honest.
            models.CheckConstraint(
                condition=~Q(attendance_rule="minimum")
                | Q(minimum_sessions__isnull=False, minimum_sessions__gte=1),
                name="course_minimum_rule_has_a_number",
                violation_error_message=_("Give the number of sessions a participant must attend."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("resources:course", args=[self.slug])

    def clean(self) -> None:
        if self.attendance_rule == AttendanceRule.MINIMUM and not self.minimum_sessions:
            raise ValidationError(
                {"minimum_sessions": _("Give the number of sessions a participant must attend.")},
                code="required",
            )

    def completion(self, *, attended: int, sessions: int) -> Completion:
        """Whether a participant who attended `attended` of the course's `sessions` may be
        marked completed, and why: the one rule that the service enforces and staff read."""
        if sessions == 0:
            return Completion(False, gettext("The course has no sessions yet."))
        values = {"attended": attended, "sessions": sessions}
        if self.attendance_rule == AttendanceRule.MINIMUM and self.minimum_sessions:
            required = values["required"] = self.minimum_sessions
            reason = ngettext(
                "Attended %(attended)s of %(sessions)s session; the course requires at least"
                " %(required)s.",
                "Attended %(attended)s of %(sessions)s sessions; the course requires at least"
                " %(required)s.",
                sessions,
            )
        else:
            required = sessions
            reason = ngettext(
                "Attended %(attended)s of %(sessions)s session; the course requires every session.",
                "Attended %(attended)s of %(sessions)s sessions; the course requires every"
                " session.",
                sessions,
            )
        return Completion(attended >= required, reason % values)


class CourseSession(models.Model):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("course")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200)
    topic = models.CharField(_("content"), max_length=200, blank=True)

    class Meta:
        ordering = ["course", "starts_at"]
        verbose_name = _("course session")
        verbose_name_plural = _("course sessions")

    def __str__(self) -> str:
        return f"{self.course} {timezone.localtime(self.starts_at):%Y-%m-%d}"

    def clean(self) -> None:
        validate_order(
            self.starts_at,
            self.ends_at,
            field="ends_at",
            message=gettext("The session must end after it starts."),
        )


class RegistrationQuerySet(models.QuerySet):
    def visible_to(self, user) -> RegistrationQuerySet:
        """Staff see every registration; others only the ones they are the participant of
        or made: nobody else learns that a registration exists."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.STAFF, Role.ADMIN):
            return self
        return self.filter(Q(participant=user) | Q(registered_by=user))


class Registration(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("course")
    )
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="course_registrations",
        verbose_name=_("participant"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="course_registrations",
        verbose_name=_("registered by organisation"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    needs = models.TextField(
        _("support and accessibility needs"),
        blank=True,
        help_text=_("For example: interpreter, easy-to-read material, a support person, diet."),
        max_length=NOTE_LENGTH,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["course", "registered_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "participant"],
                condition=~Q(status="cancelled"),
                name="registration_once_per_course",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} – {self.course}"


class SessionAttendance(models.Model):
    session = models.ForeignKey(
        CourseSession,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("session"),
    )
    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("registration"),
    )
    present = models.BooleanField(_("present"), default=False)

    class Meta:
        verbose_name = _("session attendance")
        verbose_name_plural = _("session attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "registration"], name="session_attendance_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration}: {self.session}"


class TrainingRecord(models.Model):
    """A completed course: the audits app reads it to decide who may audit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_records",
        verbose_name=_("person"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="records", verbose_name=_("course")
    )
    completed_on = models.DateField(_("completed"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["-completed_on"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="training_record_once")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.course}"

    def clean(self) -> None:
        validate_order(
            self.completed_on,
            self.valid_until,
            field="valid_until",
            message=gettext("The training must be valid until a day after it was completed."),
        )
