"""What an audit is made of once ordered: the quote, the team, data-collection sessions,
findings and improvement proposals (with the commissioner's answers)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from brukarkraft.text import NOTE_LENGTH, TEXT_LENGTH

from .audit import Audit
from .choices import Method, Theme


class Quote(models.Model):
    """The quote and agreement (uppdragsplan): what, how, when, who and at what price."""

    audit = models.OneToOneField(
        Audit, on_delete=models.CASCADE, related_name="quote", verbose_name=_("audit")
    )
    scope = models.TextField(_("scope"), max_length=TEXT_LENGTH)
    audit_questions = models.TextField(_("audit questions"), max_length=TEXT_LENGTH)
    methods = models.JSONField(_("methods"), default=list)
    timetable = models.TextField(_("timetable"), max_length=TEXT_LENGTH)
    who_informs = models.TextField(_("who informs the informants"), max_length=TEXT_LENGTH)
    results_return = models.TextField(_("how the results are returned"), max_length=TEXT_LENGTH)
    price = models.DecimalField(
        _("price (SEK, excluding VAT)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    ownership = models.TextField(
        _("ownership and publication of the results"), max_length=TEXT_LENGTH
    )
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    signed_agreement = models.FileField(
        _("signed agreement"), upload_to="audits/agreements/", blank=True
    )

    class Meta:
        verbose_name = _("quote and agreement")
        verbose_name_plural = _("quotes and agreements")

    def __str__(self) -> str:
        return f"{self.audit} ({self.revision})"

    def method_labels(self) -> list[str]:
        labels = dict(Method.choices)
        return [labels.get(value, value) for value in self.methods]


class AuditMember(models.Model):
    """An auditor (or relative or coordinator) on an audit's team."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead auditor")
        AUDITOR = "auditor", _("User auditor")
        RELATIVE = "relative", _("Relative")
        COORDINATOR = "coordinator", _("Coordinator")

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="members", verbose_name=_("audit")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="audit_memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AUDITOR)
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)

    class Meta:
        ordering = ["role", "user__full_name"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["audit", "user"], name="audit_member_unique"),
            models.UniqueConstraint(
                fields=["audit"], condition=Q(role="lead"), name="audit_one_lead"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class DataCollection(models.Model):
    """A data-collection session. Counts only: informants are never named."""

    class Kind(models.TextChoices):
        INFORMATION_MEETING = "information_meeting", _("Information meeting")
        QUESTIONNAIRE = "questionnaire", _("Questionnaire")
        INTERVIEW = "interview", _("Interview")
        FOCUS_GROUP = "focus_group", _("Focus group")
        OBSERVATION = "observation", _("Observation")
        STAFF_INTERVIEW = "staff_interview", _("Staff interview")

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("audit")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    held_on = models.DateField(_("date"))
    informants = models.PositiveIntegerField(
        _("number of informants"), validators=[MaxValueValidator(10000)]
    )
    duration_minutes = models.PositiveIntegerField(_("length in minutes"), null=True, blank=True)
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("Never write names or anything that identifies a person."),
        max_length=NOTE_LENGTH,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["held_on", "pk"]
        verbose_name = _("data-collection session")
        verbose_name_plural = _("data-collection sessions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class Finding(models.Model):
    """An observation (iakttagelse) at group level, positive or negative, under a theme."""

    class Polarity(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEGATIVE = "negative", _("Negative")

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="findings", verbose_name=_("audit")
    )
    number = models.PositiveIntegerField(_("number"))
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    polarity = models.CharField(_("positive or negative"), max_length=10, choices=Polarity.choices)
    title = models.CharField(_("heading"), max_length=200)
    description = models.TextField(_("description"), max_length=TEXT_LENGTH)
    quotes = models.TextField(
        _("anonymised quotes"),
        blank=True,
        help_text=_(
            "One quote per line. Remove names, places and details that could identify someone."
        ),
        max_length=TEXT_LENGTH,
    )
    # Optimistic locking: an edit names the version it started from and is refused if
    # someone saved in between, so two auditors never silently overwrite each other.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    # Every change is kept with who made it and when (django-simple-history); staff read it
    # on the change-history page. Erasing a person also rewrites their name here.
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="finding_number_unique")
        ]
        indexes = [models.Index(fields=["audit", "theme"])]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def quote_lines(self) -> list[str]:
        return [line.strip() for line in self.quotes.splitlines() if line.strip()]


class ProposalQuerySet(models.QuerySet):
    def needing_progress(self) -> ProposalQuerySet:
        """Proposals the commissioner still reports on at the follow-up: not rejected, no
        progress yet."""
        return self.exclude(response=Proposal.Response.REJECTED).filter(progress="")


class Proposal(models.Model):
    """An improvement proposal citing findings, the unit's response and the follow-up."""

    class Response(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        PARTLY = "partly", _("Partly accepted")
        REJECTED = "rejected", _("Rejected")

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        IMPLEMENTED = "implemented", _("Implemented")
        NOT_IMPLEMENTED = "not_implemented", _("Will not be implemented")

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("audit")
    )
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("proposal"), max_length=TEXT_LENGTH)
    findings = models.ManyToManyField(
        Finding, related_name="proposals", verbose_name=_("findings it builds on")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    # The commissioner's response.
    response = models.CharField(_("response"), max_length=10, choices=Response.choices, blank=True)
    action = models.TextField(_("planned action"), blank=True, max_length=TEXT_LENGTH)
    action_owner = models.CharField(_("responsible"), max_length=200, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    # The follow-up.
    progress = models.CharField(_("progress"), max_length=16, choices=Progress.choices, blank=True)
    progress_note = models.TextField(_("what has been done"), blank=True, max_length=NOTE_LENGTH)
    progress_reported_at = models.DateTimeField(_("progress reported"), null=True, blank=True)

    # Every change is kept with who made it and when (django-simple-history); staff read it
    # on the change-history page. Erasing a person also rewrites their name here.
    history = HistoricalRecords()

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("improvement proposal")
        verbose_name_plural = _("improvement proposals")
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="proposal_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"
