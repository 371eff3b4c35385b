"""Field notes, codes and coded passages, and the evidence behind a finding made from a code
(issue 18; docs/domain.md §1 steps 5–7: collecting, analysing, reporting).

Notes hold what informants said, after the personal-data guard (guard.py) has had its say;
they are the team's alone and go once the report has been approved for
FIELD_NOTES_RETENTION_DAYS (retention.py). A finding made from a code keeps its counts in
FindingEvidence, which outlives the notes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .audit import Audit
from .choices import Theme
from .fieldwork import GuideQuestion
from .work import DataCollection, Finding

__all__ = ["Code", "FieldNote", "FindingEvidence", "Passage"]

# A long interview typed out in full fits; more is almost certainly a paste gone wrong.
FIELD_NOTE_LENGTH = 50_000


class FieldNoteQuerySet(models.QuerySet):
    def of_audit(self, audit: Audit) -> FieldNoteQuerySet:
        return self.filter(session__audit=audit)

    def of_session(self, session: DataCollection) -> FieldNoteQuerySet:
        return self.filter(session=session).select_related("author")


class FieldNote(models.Model):
    """What one auditor wrote under one question of the guide (or as free notes) after one
    session."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        DONE = "done", _("Done")

    session = models.ForeignKey(
        DataCollection,
        on_delete=models.CASCADE,
        related_name="field_notes",
        verbose_name=_("session"),
    )
    # Null: the free notes. PROTECT: a question is removed from a guide by marking it
    # (removed_at), never deleted while notes hang on it.
    question = models.ForeignKey(
        GuideQuestion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="field_notes",
        verbose_name=_("question"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="field_notes",
        verbose_name=_("written by"),
    )
    text = models.TextField(_("notes"), blank=True, max_length=FIELD_NOTE_LENGTH)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    # Optimistic locking: a save names the version it started from.
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)

    objects = FieldNoteQuerySet.as_manager()

    class Meta:
        app_label = "audits"
        ordering = ["session", "question__position", "pk"]
        verbose_name = _("field note")
        verbose_name_plural = _("field notes")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "question", "author"],
                condition=Q(question__isnull=False),
                name="field_note_one_per_question",
            ),
            models.UniqueConstraint(
                fields=["session", "author"],
                condition=Q(question__isnull=True),
                name="field_note_one_free",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} – {self.author}"


class CodeQuerySet(models.QuerySet):
    def of_audit(self, audit: Audit) -> CodeQuerySet:
        return self.filter(audit=audit)


class Code(models.Model):
    """A code the team marks passages with: an audit theme, or one the team adds."""

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="codes", verbose_name=_("audit")
    )
    name = models.CharField(_("code"), max_length=100)
    theme = models.CharField(
        _("theme"),
        max_length=20,
        choices=Theme.choices,
        blank=True,
    )

    objects = CodeQuerySet.as_manager()

    class Meta:
        app_label = "audits"
        ordering = ["name"]
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        constraints = [
            models.UniqueConstraint(fields=["audit", "name"], name="code_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class PassageQuerySet(models.QuerySet):
    def of_audit(self, audit: Audit) -> PassageQuerySet:
        return self.filter(note__session__audit=audit)


class Passage(models.Model):
    """A stretch of a note marked with one or more codes, positive or negative."""

    class Polarity(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEGATIVE = "negative", _("Negative")

    note = models.ForeignKey(
        FieldNote, on_delete=models.CASCADE, related_name="passages", verbose_name=_("note")
    )
    start = models.PositiveIntegerField(_("start"))
    end = models.PositiveIntegerField(_("end"))
    # A copy: the note may be edited after coding, the passage keeps what was coded.
    text = models.TextField(_("passage"), max_length=FIELD_NOTE_LENGTH)
    polarity = models.CharField(_("positive or negative"), max_length=10, choices=Polarity.choices)
    codes = models.ManyToManyField(Code, related_name="passages", verbose_name=_("codes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("coded by"),
    )
    created_at = models.DateTimeField(_("coded"), auto_now_add=True)

    objects = PassageQuerySet.as_manager()

    class Meta:
        app_label = "audits"
        ordering = ["note", "start", "pk"]
        verbose_name = _("coded passage")
        verbose_name_plural = _("coded passages")

    def __str__(self) -> str:
        return self.text[:80]


class FindingEvidence(models.Model):
    """How many sessions and informants raised the code a finding was made from: counts
    only, kept after the notes are gone."""

    finding = models.OneToOneField(
        Finding, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("finding")
    )
    code = models.ForeignKey(
        Code,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("code"),
    )
    interviews_raised = models.PositiveIntegerField(_("interviews that raised it"), default=0)
    interviews_total = models.PositiveIntegerField(_("interviews"), default=0)
    groups_raised = models.PositiveIntegerField(_("focus groups that raised it"), default=0)
    groups_total = models.PositiveIntegerField(_("focus groups"), default=0)
    informants = models.PositiveIntegerField(_("informants"), default=0)
    computed_at = models.DateTimeField(_("counted"), auto_now=True)

    class Meta:
        app_label = "audits"
        verbose_name = _("evidence of a finding")
        verbose_name_plural = _("evidence of findings")

    def __str__(self) -> str:
        return str(self.finding)
