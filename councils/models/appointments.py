"""Appointments (docs/domain.md §3): the owner's request for representatives, the call to
organisations and the nominations that answer it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brukarkraft.models import Organisation
from brukarkraft.text import NOTE_LENGTH, TEXT_LENGTH

from .council import Council, Gender, Member, UserCategory

# The criteria an organisation answers when it nominates a candidate (docs/domain.md §3);
# each is a text field on Nomination.
NOMINATION_CRITERIA = (
    "representativeness",
    "candidate_motivation",
    "organisation_or_umbrella",
    "national_or_local",
    "assignment",
    "ability_and_willingness",
    "capacity",
)


# --- Appointments (docs/domain.md §3) -----------------------------------------


class AppointmentRequest(models.Model):
    """The owner's request for representatives, and the call that goes out to organisations."""

    class Status(models.TextChoices):
        OPEN = "open", _("Requested")
        CALLED = "called", _("Call sent to organisations")
        CLOSED = "closed", _("Closed")

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="requests", verbose_name=_("council")
    )
    places = models.PositiveSmallIntegerField(
        _("representatives wanted"), default=1, validators=[MinValueValidator(1)]
    )
    categories = models.JSONField(_("user categories wanted"), default=list, blank=True)
    description = models.TextField(
        _("what the owner asks for"),
        help_text=_("The assignment, the term, and what the representatives should bring."),
        max_length=TEXT_LENGTH,
    )
    deadline = models.DateField(_("nominations by"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    called_organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="council_calls",
        verbose_name=_("organisations called"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    called_at = models.DateTimeField(_("call sent"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("request for representatives")
        verbose_name_plural = _("requests for representatives")

    def __str__(self) -> str:
        return f"{self.council}: {self.places} ({self.requested_at:%Y-%m-%d})"


class Nomination(models.Model):
    """A candidate put forward by an organisation, recommended, then appointed or not."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        RECOMMENDED = "recommended", _("Recommended")
        APPOINTED = "appointed", _("Appointed")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    request = models.ForeignKey(
        AppointmentRequest,
        on_delete=models.CASCADE,
        related_name="nominations",
        verbose_name=_("request"),
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="council_nominations",
        verbose_name=_("candidate"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="council_nominations",
        verbose_name=_("nominated by"),
    )
    category = models.CharField(
        _("user category"), max_length=32, choices=UserCategory.choices, blank=True
    )
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    motivation = models.TextField(_("why this candidate"), max_length=TEXT_LENGTH)
    # The criteria of docs/domain.md §3, each answered in words.
    representativeness = models.TextField(_("representativeness"), max_length=TEXT_LENGTH)
    candidate_motivation = models.TextField(_("the candidate's motivation"), max_length=TEXT_LENGTH)
    organisation_or_umbrella = models.TextField(
        _("own organisation or umbrella body"), max_length=TEXT_LENGTH
    )
    national_or_local = models.TextField(_("national or local"), max_length=TEXT_LENGTH)
    assignment = models.TextField(_("the assignment"), max_length=TEXT_LENGTH)
    ability_and_willingness = models.TextField(_("ability and willingness"), max_length=TEXT_LENGTH)
    capacity = models.TextField(_("capacity"), max_length=TEXT_LENGTH)
    organisation_confirms_trust = models.BooleanField(
        _("the organisation confirms the candidate has its trust"), default=False
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOMINATED
    )
    reason = models.TextField(_("reason"), blank=True, max_length=NOTE_LENGTH)
    balance_exception = models.TextField(
        _("reason for the exception to the gender balance"),
        blank=True,
        max_length=NOTE_LENGTH,
        help_text=_("Recorded when the appointment leaves the council's gender balance unmet."),
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    nominated_at = models.DateTimeField(_("nominated"), default=timezone.now)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recommended by"),
    )
    recommended_at = models.DateTimeField(_("recommended"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    member = models.OneToOneField(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="nomination",
        verbose_name=_("membership created"),
    )

    class Meta:
        ordering = ["request", "nominated_at"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "candidate"], name="nomination_once_per_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate} – {self.request}"
