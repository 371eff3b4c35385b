"""The library: resources with their working copy, numbered published versions,
attachments, reviews by a second person, and the words of published texts (typo
corrections in search).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from brukarkraft.text import DOCUMENT_LENGTH, NOTE_LENGTH, TEXT_LENGTH

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
