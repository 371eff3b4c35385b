"""The centre's library, its courses and method guidance (docs/domain.md §5)."""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from brukarkraft.models import Organisation
from brukarkraft.text import DOCUMENT_LENGTH, NOTE_LENGTH, TEXT_LENGTH
from brukarkraft.validators import validate_order

LANGUAGES = [("sv", "Svenska"), ("nb", "Norsk bokmål"), ("en", "English")]
# PostgreSQL's text-search configuration for each language of a text.
SEARCH_CONFIGS = {"sv": "swedish", "nb": "norwegian", "en": "english"}


class Kind(models.TextChoices):
    AUDIT_MANUAL = "audit_manual", _("Audit manual")
    METHOD_GUIDE = "method_guide", _("Method guide")
    STUDY_MATERIAL = "study_material", _("Study material")
    TEMPLATE = "template", _("Template")
    REPORT = "report", _("Report")
    FACT_SHEET = "fact_sheet", _("Fact sheet")


class Topic(models.TextChoices):
    USER_AUDIT = "user_audit", _("User audits")
    SURVEYS = "surveys", _("Surveys and interviews")
    COUNCILS = "councils", _("User councils")
    PARTICIPATION = "participation", _("User involvement")
    ETHICS_LAW = "ethics_law", _("Ethics, law and confidentiality")
    TRAINING = "training", _("Training")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    AUDITORS = "auditors", _("User auditors")
    COMMISSIONERS = "commissioners", _("Commissioners")
    REPRESENTATIVES = "representatives", _("User representatives")
    ORGANISATIONS = "organisations", _("User organisations")


class ResourceQuerySet(models.QuerySet):
    def published(self) -> ResourceQuerySet:
        """Resources anyone may read: with a version out, and not archived. Edits to the
        working copy never show until a second person approves them."""
        return self.filter(current_version__isnull=False).exclude(status=Resource.Status.ARCHIVED)

    def for_library(self) -> ResourceQuerySet:
        return self.published().select_related("current_version")


class Resource(models.Model):
    """One text in one language. Its language versions and easy-to-read variant are other
    Resources linked through `source` (the text it was translated or adapted from)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        SCHEDULED = "scheduled", _("Approved, to be published")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    slug = models.SlugField(_("address name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    audiences = models.JSONField(_("audience"), default=list, blank=True)
    easy_to_read = models.BooleanField(_("easy to read"), default=False)
    # The working copy; publishing freezes it into a numbered ResourceVersion.
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=TEXT_LENGTH)
    body = models.TextField(
        _("text"),
        blank=True,
        help_text=_("Markdown: # headings, *emphasis*, lists, links."),
        max_length=DOCUMENT_LENGTH,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    source = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="derived",
        verbose_name=_("translated or adapted from"),
    )
    source_version = models.PositiveIntegerField(
        _("source version it follows"), null=True, blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="resources_written",
        verbose_name=_("author"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent for review by"),
    )
    submitted_at = models.DateTimeField(_("sent for review"), null=True, blank=True)
    publish_at = models.DateTimeField(
        _("publish on"), null=True, blank=True, help_text=_("Leave empty to publish at once.")
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    current_version = models.ForeignKey(
        "ResourceVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    search_vector = SearchVectorField(null=True, editable=False, verbose_name=_("search vector"))
    # The stems of the current version in its language, for search where the database has
    # no text search of its own (SQLite): " stem stem … " (searchtext.stemmed_text).
    search_words = models.TextField(
        blank=True, default="", editable=False, verbose_name=_("search words")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ResourceQuerySet.as_manager()

    # Every change is kept with who made it and when (django-simple-history); staff read it
    # on the change-history page. Erasing a person also rewrites their name here.
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        indexes = [models.Index(fields=["status", "language", "kind"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("resources:detail", args=[self.slug])

    @property
    def is_public(self) -> bool:
        return self.current_version_id is not None and self.status != self.Status.ARCHIVED

    def topic_labels(self) -> list[str]:
        labels = dict(Topic.choices)
        return [labels.get(value, value) for value in self.topics]

    def audience_labels(self) -> list[str]:
        labels = dict(Audience.choices)
        return [labels.get(value, value) for value in self.audiences]


class SearchWord(models.Model):
    """A word of a published text, offered as the correction of a typo in a search that
    found nothing. Words are added on publication and never name who wrote what."""

    word = models.CharField(_("word"), max_length=40, unique=True)

    class Meta:
        ordering = ["word"]
        verbose_name = _("search word")
        verbose_name_plural = _("search words")
        # On PostgreSQL a trigram index (pg_trgm) on `word` finds near words quickly; it is
        # made in the migration, since SQLite has no such index.

    def __str__(self) -> str:
        return self.word


class ResourceVersion(models.Model):
    """A published version, frozen: earlier ones stay readable with a note."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="versions", verbose_name=_("resource")
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=TEXT_LENGTH)
    body = models.TextField(_("text (Markdown)"), blank=True, max_length=DOCUMENT_LENGTH)
    body_html = models.TextField(_("text (HTML, cleaned)"), blank=True)
    attachments = models.ManyToManyField(
        "Attachment", blank=True, related_name="versions", verbose_name=_("attachments")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    published_at = models.DateTimeField(
        _("published"), help_text=_("A future time: the version waits until then.")
    )
    downloads = models.PositiveIntegerField(_("PDF downloads"), default=0)
    pdf = models.FileField(_("printable PDF"), upload_to="resources/pdf/", blank=True)

    class Meta:
        ordering = ["resource", "-number"]
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="resource_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.resource} v{self.number}"


class Attachment(models.Model):
    """A PDF, DOCX or ODT file of a resource, checked by its content."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("resource")
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="resources/attachments/")
    kind = models.CharField(_("file type"), max_length=8)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["resource", "title"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title


class Review(models.Model):
    """A second person's decision on a resource sent for review (never the author's own)."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        CHANGES = "changes", _("Changes requested")

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("resource")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=NOTE_LENGTH)
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.resource}: {self.decision}"


# --- Training -------------------------------------------------------------------


class Completion(NamedTuple):
    """Whether a participant may complete a course, and the reason in words."""

    allowed: bool
    reason: str


class CourseQuerySet(models.QuerySet):
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


# --- Method guidance ---------------------------------------------------------------


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
