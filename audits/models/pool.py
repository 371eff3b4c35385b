"""The auditor pool and who may audit what: profiles, the confidentiality undertaking,
the audited units, conflicts of interest and the user associations' coordinators."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brukarkraft.models import County, Municipality, Organisation
from brukarkraft.roles import Role

from .choices import ServiceArea

# --- The auditor pool ---------------------------------------------------------


class AuditorProfileQuerySet(models.QuerySet):
    def pool(self) -> AuditorProfileQuerySet:
        return self.filter(user__is_active=True, user__groups__name=Role.AUDITOR).select_related(
            "user", "county", "user_organisation"
        )


class AuditorProfile(models.Model):
    """A user auditor in the pool: where they live, what they know, whether they are trained."""

    class Training(models.TextChoices):
        NOT_TRAINED = "not_trained", _("Not trained")
        IN_TRAINING = "in_training", _("In training")
        TRAINED = "trained", _("Trained")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="auditor_profile",
        verbose_name=_("user"),
    )
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("county")
    )
    user_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="auditor_profiles",
        verbose_name=_("user organisation"),
        help_text=_("The user association the auditor audits for."),
    )
    experience_areas = models.JSONField(
        _("experience areas"),
        default=list,
        blank=True,
        help_text=_("The kinds of service the auditor has used themselves."),
    )
    training = models.CharField(
        _("training"), max_length=16, choices=Training.choices, default=Training.NOT_TRAINED
    )
    trained_until = models.DateField(
        _("training valid until"),
        null=True,
        blank=True,
        help_text=_("Leave empty if the training does not expire."),
    )
    available = models.BooleanField(_("available for new audits"), default=True)
    availability_note = models.CharField(_("availability"), max_length=200, blank=True)
    hourly_rate = models.DecimalField(
        _("hourly fee (SEK)"), max_digits=7, decimal_places=2, default=Decimal("200.00")
    )

    objects = AuditorProfileQuerySet.as_manager()

    class Meta:
        ordering = ["user__full_name"]
        verbose_name = _("auditor profile")
        verbose_name_plural = _("auditor profiles")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_trained(self) -> bool:
        if self.training != self.Training.TRAINED:
            return False
        return self.trained_until is None or self.trained_until >= timezone.localdate()


class ConfidentialityUndertaking(models.Model):
    """An auditor's acceptance of the confidentiality undertaking, per version of its text."""

    CURRENT_VERSION = 1

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="confidentiality_undertakings",
        verbose_name=_("user"),
    )
    version = models.PositiveSmallIntegerField(_("version of the text"), default=CURRENT_VERSION)
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("confidentiality undertaking")
        verbose_name_plural = _("confidentiality undertakings")
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="undertaking_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.version})"


class Unit(models.Model):
    """A service unit that can be audited (one of a provider's workplaces or programmes)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="audit_units",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name of the unit"), max_length=200)
    service_area = models.CharField(_("service area"), max_length=32, choices=ServiceArea.choices)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="audit_units",
        verbose_name=_("municipality"),
    )

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name", "municipality"], name="unit_unique_per_place"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.municipality})"


class Conflict(models.Model):
    """Why an auditor may not audit a unit or an organisation's units."""

    class Reason(models.TextChoices):
        USES_UNIT = "uses_unit", _("Uses the unit's services")
        DECLARED = "declared", _("Declared conflict of interest")

    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="audit_conflicts",
        verbose_name=_("auditor"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conflicts",
        verbose_name=_("unit"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_conflicts",
        verbose_name=_("organisation"),
        help_text=_("A conflict with every unit of this organisation."),
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    declared_at = models.DateTimeField(_("declared"), default=timezone.now)

    class Meta:
        ordering = ["-declared_at"]
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(organisation__isnull=False),
                name="conflict_has_unit_or_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.auditor}: {self.unit or self.organisation}"


class Coordinator(models.Model):
    """A regional user association's coordinator: manages that association's audits only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="audit_coordinations",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="audit_coordinators",
        verbose_name=_("user organisation"),
    )

    class Meta:
        verbose_name = _("audit coordinator")
        verbose_name_plural = _("audit coordinators")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="coordinator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"
