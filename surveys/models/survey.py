"""The survey itself with its access querysets (`visible_to`, `editable_by`,
`publishable_by`), the people given access by hand (`SurveyMember`) and its units.

Surveys does not know about audits: an audit links to a survey from its own side, and its
live team's access is read through the source the audits app registers in `grants`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.roles import Role
from brukarkraft.text import TEXT_LENGTH
from brukarkraft.validators import validate_order

from .. import grants
from .base import Translated, new_token


class SurveyQuerySet(models.QuerySet):
    def visible_to(self, user) -> SurveyQuerySet:
        """The surveys a person may see in the builder and results: staff all, others those
        they were given (SurveyMember) or have through another app's live record (grants)."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.STAFF, Role.ADMIN):
            return self
        if user.has_role(Role.AUDITOR):
            given = SurveyMember.objects.filter(user=user).values("survey_id")
            return self.filter(Q(pk__in=given) | grants.derived(user, build=False))
        return self.none()

    def editable_by(self, user) -> SurveyQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.STAFF, Role.ADMIN):
            return self
        if user.has_role(Role.AUDITOR):
            given = SurveyMember.objects.filter(user=user, role=SurveyMember.Role.BUILDER)
            return self.filter(
                Q(pk__in=given.values("survey_id")) | grants.derived(user, build=True)
            )
        return self.none()

    def publishable_by(self, user) -> SurveyQuerySet:
        """Publishing puts a survey on the portal's own domain: staff, or the lead of the
        work the survey belongs to (an audit's lead auditor); building a draft is not enough."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.STAFF, Role.ADMIN):
            return self
        if user.has_role(Role.AUDITOR):
            return self.filter(grants.derived(user, build=True))
        return self.none()

    def with_counts(self) -> SurveyQuerySet:
        return self.annotate(
            submitted_count=models.Count(
                "responses",
                filter=Q(responses__status="submitted"),
                distinct=True,
            ),
        )


class Survey(Translated):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Published")
        CLOSED = "closed", _("Closed")

    title_sv = models.CharField(_("title (Swedish)"), max_length=200)
    title_nb = models.CharField(_("title (Norwegian)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_sv = models.TextField(_("introduction (Swedish)"), blank=True, max_length=TEXT_LENGTH)
    intro_nb = models.TextField(_("introduction (Norwegian)"), blank=True, max_length=TEXT_LENGTH)
    intro_en = models.TextField(_("introduction (English)"), blank=True, max_length=TEXT_LENGTH)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    previous_version = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_versions",
        verbose_name=_("previous version"),
    )
    organisation = models.ForeignKey(
        "brukarkraft.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("organisation"),
        help_text=_("The organisation the survey is made for, if any."),
    )
    token = models.CharField(_("link code"), max_length=32, unique=True, default=new_token)
    open_link_enabled = models.BooleanField(
        _("open link"),
        default=True,
        help_text=_("Anyone with the link may answer. Turn off to allow one-time codes only."),
    )
    one_question_per_page = models.BooleanField(
        _("one question per page"),
        default=True,
        help_text=_("Recommended. Turn off to show all questions on one page."),
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    retention_days = models.PositiveIntegerField(
        _("keep raw answers for (days after closing)"),
        default=365,
        help_text=_("After this, single answers are deleted and only totals are kept."),
    )
    raw_deleted_at = models.DateTimeField(_("raw answers deleted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return f"{self.title_sv} (v{self.version})"

    def clean(self) -> None:
        validate_order(
            self.opens_at,
            self.closes_at,
            field="closes_at",
            message=gettext("The survey must close after it opens."),
        )

    @property
    def title(self) -> str:
        return self.tr("title")

    @property
    def intro(self) -> str:
        return self.tr("intro")

    def is_accepting_answers(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status != self.Status.OPEN:
            return False
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    def not_yet_open(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(self.status == self.Status.OPEN and self.opens_at and now < self.opens_at)

    @property
    def raw_delete_due(self):
        closed = self.closed_at or self.closes_at
        if closed is None:
            return None
        return closed + timezone.timedelta(days=self.retention_days)


class SurveyMember(models.Model):
    """A person who may build the survey (a lead auditor) or read its results (an auditor)."""

    class Role(models.TextChoices):
        BUILDER = "builder", _("Builds the survey and reads results")
        ANALYST = "analyst", _("Reads results and enters paper answers")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="members", verbose_name=_("survey")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="survey_memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("survey member")
        verbose_name_plural = _("survey members")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="survey_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class Unit(models.Model):
    """A unit (e.g. one daily activity centre) the survey is answered at; results per unit."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="units", verbose_name=_("survey")
    )
    name = models.CharField(_("unit"), max_length=200)
    token = models.CharField(_("link code"), max_length=32, unique=True, default=new_token)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["survey", "name"], name="survey_unit_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
