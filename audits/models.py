"""User-led user audits: from the commissioner's order to the follow-up (docs/domain.md §1)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from brukarkraft.models import County, Municipality, Organisation
from brukarkraft.roles import Role
from brukarkraft.text import NOTE_LENGTH, TEXT_LENGTH
from brukarkraft.validators import validate_order


class ServiceArea(models.TextChoices):
    LABOUR_MARKET = "labour_market", _("Labour market")
    SOCIAL_PSYCHIATRY = "social_psychiatry", _("Social psychiatry")
    LSS = "lss", _("Disability support (LSS)")
    ADDICTION = "addiction", _("Addiction care")
    PSYCHIATRY = "psychiatry", _("Psychiatry")
    SOCIAL_SERVICES = "social_services", _("Social services")
    OTHER = "other", _("Other")


class Method(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")
    INTERVIEW = "interview", _("Interviews")
    FOCUS_GROUP = "focus_group", _("Focus groups")
    OBSERVATION = "observation", _("Observation at a site visit")
    STAFF_INTERVIEW = "staff_interview", _("Staff interviews")


class Theme(models.TextChoices):
    TREATMENT = "treatment", _("Treatment and respect")
    PARTICIPATION = "participation", _("Participation")
    INFLUENCE = "influence", _("Influence")
    SAFETY = "safety", _("Safety")
    ACCESSIBILITY = "accessibility", _("Accessibility")
    INFORMATION = "information", _("Information")
    OTHER = "other", _("Other")


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


# --- The audit ----------------------------------------------------------------


def count_of(model_name: str) -> Coalesce:
    """How many rows of an audits model belong to each audit, as a correlated subquery."""
    from django.apps import apps

    rows = (
        apps.get_model("audits", model_name)
        .objects.filter(audit=OuterRef("pk"))
        .order_by()
        .values("audit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=models.IntegerField()), Value(0))


class AuditQuerySet(models.QuerySet):
    def visible_to(self, user) -> AuditQuerySet:
        """Audits `user` may see: staff all, coordinators their association's, auditors
        their own, commissioners their organisations' (never others' drafts)."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.STAFF, Role.ADMIN):
            return self.exclude(status=Audit.Status.DRAFT)
        rule = Q(pk__in=[])
        if user.has_role(Role.COMMISSIONER):
            rule |= Q(organisation__memberships__user=user) & (
                ~Q(status=Audit.Status.DRAFT) | Q(ordered_by=user)
            )
        if user.has_role(Role.AUDITOR):
            rule |= Q(members__user=user) & ~Q(status=Audit.Status.DRAFT)
        rule |= Q(performing_organisation__audit_coordinators__user=user) & ~Q(
            status=Audit.Status.DRAFT
        )
        return self.filter(pk__in=Audit.objects.filter(rule).values("pk"))

    def for_list(self) -> AuditQuerySet:
        # Subqueries, not Count over joins: joining findings and proposals multiplies the
        # rows (findings × proposals per audit), which made the list 40× slower (bench/).
        return self.select_related("organisation", "county", "performing_organisation").annotate(
            finding_count=count_of("Finding"), proposal_count=count_of("Proposal")
        )

    def for_detail(self) -> AuditQuerySet:
        return self.select_related(
            "organisation",
            "county",
            "performing_organisation",
            "ordered_by",
            "survey",
            "quote",
        ).prefetch_related(
            Prefetch("units", queryset=Unit.objects.select_related("municipality")),
            Prefetch("members", queryset=AuditMember.objects.select_related("user")),
        )

    def work_queue(self) -> AuditQuerySet:
        return self.filter(status=Audit.Status.REQUESTED)

    # What waits for the resource centre besides new orders: each a Q, so the staff start
    # page counts them all in one query and the work queue lists them with the same rules.
    @staticmethod
    def waiting_rules() -> dict[str, Q]:
        status = Audit.Status
        progress_missing = Proposal.objects.filter(audit=OuterRef("pk")).needing_progress()
        return {
            "requested": Q(status=status.REQUESTED),
            # Planning waits for the signed agreement (services.audit_start_planning).
            "to_plan": Q(status=status.AGREED, quote__signed_agreement__gt=""),
            "to_approve": Q(status=status.REPORT_DRAFT),
            "to_follow_up": Q(status=status.RESPONSE_RECEIVED),
            "to_close": Q(status=status.FOLLOW_UP) & ~Exists(progress_missing),
        }

    def waiting(self, what: str) -> AuditQuerySet:
        return self.filter(self.waiting_rules()[what])

    def waiting_counts(self) -> dict[str, int]:
        """How many audits wait for the centre in each of waiting_rules(), in one query."""
        return self.aggregate(
            **{name: Count("pk", filter=rule) for name, rule in self.waiting_rules().items()}
        )

    def active(self) -> AuditQuerySet:
        return self.exclude(
            status__in=[Audit.Status.DRAFT, Audit.Status.CLOSED, Audit.Status.CANCELLED]
        )


class Audit(models.Model):
    """One user audit of one or more units, ordered by one organisation."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft order")
        REQUESTED = "requested", _("Requested")
        QUOTED = "quoted", _("Quote sent")
        # The commissioner has accepted the quote; the signed agreement may still be on its
        # way, so the label claims no more than that (planning waits for the agreement).
        AGREED = "agreed", _("Quote accepted")
        PLANNING = "planning", _("Planning")
        COLLECTING = "collecting", _("Collecting data")
        ANALYSING = "analysing", _("Analysing")
        REPORT_DRAFT = "report_draft", _("Report draft")
        REPORT_APPROVED = "report_approved", _("Report approved")
        FEEDBACK_HELD = "feedback_held", _("Feedback held")
        RESPONSE_RECEIVED = "response_received", _("Response received")
        FOLLOW_UP = "follow_up", _("Follow-up")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    # The order of the workflow; `cancelled` is reachable from every state before collecting.
    FLOW = [
        Status.REQUESTED,
        Status.QUOTED,
        Status.AGREED,
        Status.PLANNING,
        Status.COLLECTING,
        Status.ANALYSING,
        Status.REPORT_DRAFT,
        Status.REPORT_APPROVED,
        Status.FEEDBACK_HELD,
        Status.RESPONSE_RECEIVED,
        Status.FOLLOW_UP,
        Status.CLOSED,
    ]
    CANCELLABLE = {Status.DRAFT, Status.REQUESTED, Status.QUOTED, Status.AGREED, Status.PLANNING}
    # Findings, proposals and sessions can be written while the team works on the data.
    CONDUCTING = {Status.COLLECTING, Status.ANALYSING, Status.REPORT_DRAFT}

    class Language(models.TextChoices):
        SV = "sv", "Svenska"
        NB = "nb", "Norsk bokmål"
        EN = "en", "English"

    # Given when the order is sent; drafts have none, so uniqueness holds only for the set ones.
    reference = models.CharField(_("reference number"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    language = models.CharField(
        _("language of the audit"), max_length=2, choices=Language.choices, default=Language.SV
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="audits",
        verbose_name=_("commissioner"),
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="ordered_audits",
        verbose_name=_("ordered by"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    units = models.ManyToManyField(Unit, related_name="audits", blank=True, verbose_name=_("units"))
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audits",
        verbose_name=_("county"),
    )
    # What the commissioner wants to know.
    target_group = models.TextField(_("target group"), blank=True, max_length=TEXT_LENGTH)
    approx_users = models.PositiveIntegerField(
        _("approximate number of users"), null=True, blank=True
    )
    audit_questions = models.TextField(
        _("what you want to know"), blank=True, max_length=TEXT_LENGTH
    )
    preferred_methods = models.JSONField(_("preferred methods"), default=list, blank=True)
    period_start = models.DateField(_("earliest start"), null=True, blank=True)
    period_end = models.DateField(_("report wanted by"), null=True, blank=True)
    # Contact and invoicing.
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=40, blank=True)
    invoice_org_number = models.CharField(
        _("organisation number for invoices"), max_length=11, blank=True
    )
    invoice_address = models.TextField(_("invoice address"), blank=True, max_length=NOTE_LENGTH)
    invoice_reference = models.CharField(_("invoice reference"), max_length=100, blank=True)
    invoice_email = models.EmailField(_("e-mail for invoices"), blank=True)
    # The informants' accessibility needs.
    needs_interpreter = models.BooleanField(_("interpreter"), default=False)
    interpreter_languages = models.CharField(_("interpreter languages"), max_length=200, blank=True)
    needs_easy_read = models.BooleanField(_("easy-to-read material"), default=False)
    needs_sign_language = models.BooleanField(_("sign language interpreter"), default=False)
    other_needs = models.TextField(
        _("other accessibility needs"), blank=True, max_length=NOTE_LENGTH
    )
    terms_accepted_at = models.DateTimeField(_("terms accepted"), null=True, blank=True)
    processor_agreement_accepted_at = models.DateTimeField(
        _("processor agreement accepted"), null=True, blank=True
    )
    order_step = models.PositiveSmallIntegerField(_("next step of the order form"), default=0)
    # The centre's handling.
    accepted_at = models.DateTimeField(_("order accepted"), null=True, blank=True)
    performing_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="performed_audits",
        verbose_name=_("performed by"),
        help_text=_("The user organisation whose auditors carry out the audit."),
    )
    survey = models.ForeignKey(
        "surveys.Survey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audits",
        verbose_name=_("survey"),
    )
    feedback_meeting_at = models.DateTimeField(_("feedback meeting"), null=True, blank=True)
    feedback_meeting_place = models.CharField(
        _("place of the feedback meeting"), max_length=200, blank=True
    )
    response_due = models.DateField(_("response due"), null=True, blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    response_reminded_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("response reminded at")
    )
    follow_up_reminded_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("follow-up reminded at")
    )
    easy_read_summary = models.TextField(
        _("easy-to-read summary"),
        blank=True,
        help_text=_("Short sentences in plain words. It opens the report."),
        max_length=TEXT_LENGTH,
    )
    summary = models.TextField(_("summary"), blank=True, max_length=TEXT_LENGTH)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("ordered"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AuditQuerySet.as_manager()

    # Every change is kept with who made it and when (django-simple-history); staff read it
    # on the change-history page. Erasing a person also rewrites their name here.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("user audit")
        verbose_name_plural = _("user audits")
        indexes = [models.Index(fields=["status", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="audit_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference or _('Draft')} {self.title}".strip()

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("audits:detail", args=[self.pk])

    def clean(self) -> None:
        validate_order(
            self.period_start,
            self.period_end,
            field="period_end",
            message=gettext("The report date must come after the start."),
        )

    @property
    def is_conducting(self) -> bool:
        return self.status in self.CONDUCTING

    @property
    def is_cancellable(self) -> bool:
        return self.status in self.CANCELLABLE

    @property
    def report_is_frozen(self) -> bool:
        if self.status not in self.FLOW:
            return False
        return self.FLOW.index(self.status) >= self.FLOW.index(self.Status.REPORT_APPROVED)

    @property
    def step_number(self) -> int:
        """1-based position in the workflow, for the progress list; 0 for drafts and cancelled."""
        return self.FLOW.index(self.status) + 1 if self.status in self.FLOW else 0

    def preferred_method_labels(self) -> list[str]:
        labels = dict(Method.choices)
        return [labels.get(value, value) for value in self.preferred_methods]


class AuditEvent(models.Model):
    """One line of an audit's history: a transition or another recorded act."""

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="events", verbose_name=_("audit")
    )
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(
        _("from"), max_length=20, choices=Audit.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Audit.Status.choices, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True, max_length=NOTE_LENGTH)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("audit history entry")
        verbose_name_plural = _("audit history")

    def __str__(self) -> str:
        return f"{self.audit_id}: {self.action} {self.from_status}→{self.to_status}"


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


from audits.analysis.models import *  # noqa: E402, F401, F403 — notes, codes, evidence (issue 18)
from audits.fieldwork.models import *  # noqa: E402, F401, F403 — the fieldwork models (issue 18)
