"""The question bank and the audit's guides (docs/domain.md §1 step 4: instruments agreed with
the service).

The resource centre keeps a bank of tested questions in sv/nb/en; the lead auditor builds an
audit's interview guide and focus-group guide from it (copying the text in the audit's language,
so a later change to the bank never changes a guide in use), shares it with the commissioner,
who comments, and the team downloads it as a PDF made in the background.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.models import Audit, Theme
from brukarkraft.text import NOTE_LENGTH, TEXT_LENGTH

__all__ = [
    "BankQuestion",
    "Guide",
    "GuideComment",
    "GuideKind",
    "GuidePdf",
    "GuideQuestion",
    "GuideSection",
]

LANGUAGES = ("sv", "nb", "en")


class GuideKind(models.TextChoices):
    INTERVIEW = "interview", _("Interview guide")
    FOCUS_GROUP = "focus_group", _("Focus-group guide")


class BankQuestionQuerySet(models.QuerySet):
    def active(self) -> BankQuestionQuerySet:
        return self.filter(active=True)

    def for_kind(self, kind: str) -> BankQuestionQuerySet:
        """Active questions usable in a guide of `kind` (its own use or both)."""
        return self.active().filter(use__in=[kind, BankQuestion.Use.BOTH])


class BankQuestion(models.Model):
    """A tested interview or focus-group question of the resource centre, in three languages."""

    class Use(models.TextChoices):
        INTERVIEW = "interview", _("Interviews")
        FOCUS_GROUP = "focus_group", _("Focus groups")
        BOTH = "both", _("Interviews and focus groups")

    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices, blank=True)
    use = models.CharField(_("used in"), max_length=12, choices=Use.choices, default=Use.BOTH)
    text_sv = models.TextField(_("question (Swedish)"), max_length=NOTE_LENGTH)
    text_nb = models.TextField(_("question (Norwegian)"), max_length=NOTE_LENGTH)
    text_en = models.TextField(_("question (English)"), max_length=NOTE_LENGTH)
    easy_read_sv = models.TextField(_("easy-read (Swedish)"), blank=True, max_length=NOTE_LENGTH)
    easy_read_nb = models.TextField(_("easy-read (Norwegian)"), blank=True, max_length=NOTE_LENGTH)
    easy_read_en = models.TextField(_("easy-read (English)"), blank=True, max_length=NOTE_LENGTH)
    follow_ups_sv = models.TextField(
        _("follow-up prompts (Swedish)"),
        blank=True,
        max_length=NOTE_LENGTH,
        help_text=_("One prompt per line."),
    )
    follow_ups_nb = models.TextField(
        _("follow-up prompts (Norwegian)"),
        blank=True,
        max_length=NOTE_LENGTH,
        help_text=_("One prompt per line."),
    )
    follow_ups_en = models.TextField(
        _("follow-up prompts (English)"),
        blank=True,
        max_length=NOTE_LENGTH,
        help_text=_("One prompt per line."),
    )
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = BankQuestionQuerySet.as_manager()

    class Meta:
        app_label = "audits"
        ordering = ["theme", "pk"]
        verbose_name = _("bank question")
        verbose_name_plural = _("question bank")

    def __str__(self) -> str:
        return self.text_sv[:80]

    def text_in(self, language: str) -> str:
        return getattr(self, f"text_{language}", "") or self.text_sv

    def easy_read_in(self, language: str) -> str:
        return getattr(self, f"easy_read_{language}", "")

    def follow_ups_in(self, language: str) -> str:
        return getattr(self, f"follow_ups_{language}", "")


class Guide(models.Model):
    """An audit's interview guide or focus-group guide: sections of questions in order."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SHARED = "shared", _("Shared with the commissioner")

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="guides", verbose_name=_("audit")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=GuideKind.choices)
    introduction = models.TextField(
        _("introduction"),
        max_length=TEXT_LENGTH,
        help_text=_("Read out at the start: anonymity and the right to stop at any time."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    shared_at = models.DateTimeField(_("shared"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        app_label = "audits"
        ordering = ["audit", "kind"]
        verbose_name = _("guide")
        verbose_name_plural = _("guides")
        constraints = [
            models.UniqueConstraint(fields=["audit", "kind"], name="guide_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.audit} – {self.get_kind_display()}"

    @property
    def is_shared(self) -> bool:
        return self.status == self.Status.SHARED


class GuideSection(models.Model):
    """A titled part of a guide ("Arriving", "Being met" …)."""

    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="sections", verbose_name=_("guide")
    )
    title = models.CharField(_("section title"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        app_label = "audits"
        ordering = ["position", "pk"]
        verbose_name = _("guide section")
        verbose_name_plural = _("guide sections")

    def __str__(self) -> str:
        return self.title


class GuideQuestionQuerySet(models.QuerySet):
    def current(self) -> GuideQuestionQuerySet:
        """The questions still in the guide (a removed one is kept for the notes written under
        it)."""
        return self.filter(removed_at__isnull=True)


class GuideQuestion(models.Model):
    """A question of a guide: copied from the bank in the audit's language, or the team's own."""

    section = models.ForeignKey(
        GuideSection, on_delete=models.CASCADE, related_name="questions", verbose_name=_("section")
    )
    bank_question = models.ForeignKey(
        BankQuestion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guide_questions",
        verbose_name=_("from the question bank"),
    )
    text = models.TextField(_("question"), max_length=NOTE_LENGTH)
    follow_ups = models.TextField(
        _("follow-up prompts"),
        blank=True,
        max_length=NOTE_LENGTH,
        help_text=_("One prompt per line."),
    )
    easy_read = models.TextField(_("easy-read wording"), blank=True, max_length=NOTE_LENGTH)
    position = models.PositiveIntegerField(_("position"), default=0)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    objects = GuideQuestionQuerySet.as_manager()

    class Meta:
        app_label = "audits"
        ordering = ["position", "pk"]
        verbose_name = _("guide question")
        verbose_name_plural = _("guide questions")

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def follow_up_lines(self) -> list[str]:
        return [line.strip() for line in self.follow_ups.splitlines() if line.strip()]


class GuideComment(models.Model):
    """The commissioner's (or the team's) comment on a shared guide."""

    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="comments", verbose_name=_("guide")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("comment"), max_length=NOTE_LENGTH)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        app_label = "audits"
        ordering = ["created_at", "pk"]
        verbose_name = _("guide comment")
        verbose_name_plural = _("guide comments")

    def __str__(self) -> str:
        return f"{self.guide} {self.created_at:%Y-%m-%d}"


class GuidePdf(models.Model):
    """One generation of a guide's PDF for the session, made by a worker like the report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="pdfs", verbose_name=_("guide")
    )
    language = models.CharField(_("language"), max_length=2, choices=Audit.Language.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField(_("file"), upload_to="audits/guides/", blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        app_label = "audits"
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("guide PDF")
        verbose_name_plural = _("guide PDFs")

    def __str__(self) -> str:
        return f"{self.guide} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}
