"""The audit itself (docs/domain.md §1): its states, the list and detail querysets, and its
history (AuditEvent, one entry per transition or recorded act)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from brukarkraft.models import County, Organisation
from brukarkraft.roles import Role
from brukarkraft.text import NOTE_LENGTH, TEXT_LENGTH
from brukarkraft.validators import validate_order

from .choices import Method
from .pool import Coordinator, Unit

# --- The audit ----------------------------------------------------------------


def _model(name: str) -> Any:
    """A model of this app defined in a module that imports this one (the team, proposals)."""
    from django.apps import apps

    return apps.get_model("audits", name)


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

    def editable_by(self, user) -> AuditQuerySet:
        """Audits `user` manages (audits.access.can_manage): staff every one, a coordinator
        those their association performs."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.STAFF, Role.ADMIN):
            return self.all()
        return self.filter(
            performing_organisation__in=Coordinator.objects.filter(user=user).values("organisation")
        )

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
            "reaudit_of",
        ).prefetch_related(
            Prefetch("units", queryset=Unit.objects.select_related("municipality")),
            Prefetch("members", queryset=_model("AuditMember").objects.select_related("user")),
        )

    def work_queue(self) -> AuditQuerySet:
        return self.filter(status=Audit.Status.REQUESTED)

    # What waits for the resource centre besides new orders: each a Q, so the staff start
    # page counts them all in one query and the work queue lists them with the same rules.
    @staticmethod
    def waiting_rules() -> dict[str, Q]:
        status = Audit.Status
        progress_missing = (
            _model("Proposal").objects.filter(audit=OuterRef("pk")).needing_progress()
        )
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
    # A new audit of the same unit, linked by the centre to the earlier one, so the two can
    # be read side by side (what improved); the follow-up stays a stage of one audit.
    reaudit_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reaudits",
        verbose_name=_("re-audit of"),
        help_text=_("The earlier audit of the same unit that this audit audits again."),
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

    class Kind(models.TextChoices):
        """What happened; audits.workflow names the kind each transition writes."""

        SUBMITTED = "submitted", _("Order sent")
        ACCEPTED = "accepted", _("Order accepted")
        DECLINED = "declined", _("Order declined")
        CANCELLED = "cancelled", _("Audit cancelled")
        PERFORMER_SET = "performer_set", _("Performing organisation chosen")
        QUOTE_REVISED = "quote_revised", _("Quote revised")
        QUOTE_SENT = "quote_sent", _("Quote sent")
        QUOTE_ACCEPTED = "quote_accepted", _("Quote accepted")
        AGREEMENT_UPLOADED = "agreement_uploaded", _("Signed agreement added")
        PLANNING_STARTED = "planning_started", _("Planning started")
        MEMBER_ADDED = "member_added", _("Added to the team")
        LEAD_NAMED = "lead_named", _("Lead auditor named")
        MEMBER_REMOVED = "member_removed", _("Removed from the team")
        SURVEY_LINKED = "survey_linked", _("Survey chosen")
        COLLECTING_STARTED = "collecting_started", _("Data collection started")
        ANALYSIS_STARTED = "analysis_started", _("Analysis started")
        REPORT_DRAFTED = "report_drafted", _("Report drafted")
        REPORT_APPROVED = "report_approved", _("Report approved")
        FEEDBACK_SCHEDULED = "feedback_scheduled", _("Feedback meeting planned")
        FEEDBACK_HELD = "feedback_held", _("Feedback meeting held")
        RESPONSE_SENT = "response_sent", _("Response sent")
        FOLLOW_UP_STARTED = "follow_up_started", _("Follow-up started")
        CLOSED = "closed", _("Audit closed")
        # The report bank (audits/bank/services.py).
        PUBLICATION_TERMS_SAVED = "publication_terms_saved", _("Publication terms saved")
        PUBLICATION_CONSENTED = "publication_consented", _("Consent to publishing given")
        REPORT_PUBLISHED = "report_published", _("Report published")
        REPORT_WITHDRAWN = "report_withdrawn", _("Report withdrawn")
        # Re-audits (audits/services/reaudit.py).
        REAUDIT_LINKED = "reaudit_linked", _("Linked as a re-audit")

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="events", verbose_name=_("audit")
    )
    action = models.CharField(_("action"), max_length=40, choices=Kind.choices)
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
