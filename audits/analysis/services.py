"""Every change to field notes, codes and passages, and making a finding from a code.

Each function checks the actor's right itself (views check too, for the 404/403), runs in
one transaction and raises ValidationError with a translated message when it refuses, so
nothing is half-saved.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext

from audits import services as audit_services
from audits.models import Audit, DataCollection, Finding

from . import guard
from .access import can_write_notes
from .models import FIELD_NOTE_LENGTH, Code, FieldNote, FindingEvidence, Passage


class NoteConflict(ValidationError):
    """The note was saved elsewhere after this edit began; `current` is what is stored."""

    def __init__(self, current: FieldNote, mine: str):
        super().__init__(
            gettext(
                "This note was saved in another window or by someone else after you opened "
                "it. Nothing was overwritten: your text is below, next to the saved one. Copy "
                "what you need into the saved version and save again."
            ),
            code="stale",
        )
        self.current = current
        self.mine = mine


def _require_writer(by, audit: Audit) -> None:
    if not can_write_notes(by, audit):
        raise ValidationError(
            gettext("Only the audit's team can write and code field notes."), code="not_team"
        )


def _check_length(text: str) -> None:
    if len(text) > FIELD_NOTE_LENGTH:
        raise ValidationError(
            gettext(
                "A note can be at most %(limit)s characters; this one has %(length)s. Split "
                "it under the questions or shorten it. Nothing was saved."
            )
            % {"limit": f"{FIELD_NOTE_LENGTH:,}".replace(",", " "), "length": len(text)},
            code="too_long",
        )


def save_note(
    *,
    session: DataCollection,
    question,
    by,
    text: str,
    version: int | None,
    done: bool = False,
) -> FieldNote:
    """Save `by`'s note under `question` (None: free notes) as a draft, or as done when the
    guard finds nothing. `version` is the one the edit began from (None: a new note).

    Asked to mark done a note the guard finds something in, it keeps the text as a draft
    (nothing typed is lost) and then refuses."""
    _require_writer(by, session.audit)
    _check_length(text)
    if question is not None and question.section.guide.audit_id != session.audit_id:
        raise ValidationError(gettext("That question is not in this audit's guide."))
    unresolved = done and bool(guard.check(text))
    with transaction.atomic():
        note, created = FieldNote.objects.select_for_update().get_or_create(
            session=session, question=question, author=by
        )
        if not created and version is not None and note.version != version:
            if note.text == text:
                return note  # the same save sent twice
            raise NoteConflict(note, text)
        status = FieldNote.Status.DONE if done and not unresolved else FieldNote.Status.DRAFT
        if created or note.text != text or note.status != status:
            note.text = text
            note.status = status
            note.version += 0 if created else 1
            note.save()
    if unresolved:
        raise ValidationError(
            gettext(
                "The note still holds what may identify a person. Replace or remove each "
                "highlighted part before marking it done. It is saved as a draft."
            ),
            code="unresolved",
        )
    return note


@transaction.atomic
def replace_hit(*, note: FieldNote, by, start: int, end: int, found: str) -> FieldNote:
    """Replace one guard hit (`found` at start–end) by its placeholder in the audit's
    language. A hit no longer there (the note was edited since) changes nothing."""
    note = FieldNote.objects.select_for_update().select_related("session__audit").get(pk=note.pk)
    if note.author_id != by.pk:
        raise ValidationError(gettext("Only the note's author can change it."))
    _require_writer(by, note.session.audit)
    for hit in guard.check(note.text):
        if (hit.start, hit.end, hit.text) == (start, end, found):
            note.text = guard.replace(note.text, hit, note.session.audit.language)
            note.status = FieldNote.Status.DRAFT
            note.version += 1
            note.save()
            return note
    raise ValidationError(
        gettext("That part of the note has changed since the page was shown. Look again."),
        code="gone",
    )


@transaction.atomic
def code_add(*, audit: Audit, by, name: str, theme: str = "") -> Code:
    _require_writer(by, audit)
    name = name.strip()
    if not name:
        raise ValidationError({"name": gettext("Give the code a name.")})
    try:
        with transaction.atomic():
            return Code.objects.create(audit=audit, name=name, theme=theme)
    except IntegrityError:
        raise ValidationError(
            {"name": gettext("The audit already has a code with that name.")}
        ) from None


def ensure_theme_codes(audit: Audit) -> None:
    """The audit themes are codes from the start; the team adds its own beside them."""
    from audits.models import Theme

    existing = set(Code.objects.filter(audit=audit).values_list("theme", flat=True))
    Code.objects.bulk_create(
        [
            Code(audit=audit, name=str(label), theme=value)
            for value, label in Theme.choices
            if value not in existing
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def code_passage(
    *, note: FieldNote, by, start: int, end: int, codes: list[Code], polarity: str
) -> Passage:
    """Mark note[start:end] with `codes`. Every code must be the note's audit's."""
    audit = note.session.audit
    _require_writer(by, audit)
    if not codes:
        raise ValidationError({"codes": gettext("Choose at least one code.")})
    if any(code.audit_id != audit.pk for code in codes):
        raise ValidationError(
            {"codes": gettext("A code of another audit cannot mark this note. Nothing was saved.")},
            code="other_audit",
        )
    if not (0 <= start < end <= len(note.text)):
        raise ValidationError(gettext("Choose the sentences the passage covers."))
    passage = Passage.objects.create(
        note=note,
        start=start,
        end=end,
        text=note.text[start:end].strip(),
        polarity=polarity,
        created_by=by,
    )
    passage.codes.set(codes)
    return passage


@transaction.atomic
def passage_delete(*, passage: Passage, by) -> None:
    _require_writer(by, passage.note.session.audit)
    passage.delete()


@dataclass(frozen=True)
class Counts:
    interviews_raised: int
    interviews_total: int
    groups_raised: int
    groups_total: int
    informants: int


def counts_for(code: Code) -> Counts:
    """How many interviews and focus groups raised `code`, of how many, and the informants
    of the sessions that raised it. Two queries whatever the number of passages."""
    sessions = DataCollection.objects.filter(audit_id=code.audit_id)
    interview, group = DataCollection.Kind.INTERVIEW, DataCollection.Kind.FOCUS_GROUP
    raised = sessions.filter(field_notes__passages__codes=code).distinct()
    row = sessions.aggregate(
        interviews_total=Count("pk", filter=Q(kind=interview)),
        groups_total=Count("pk", filter=Q(kind=group)),
    )
    raised_row = DataCollection.objects.filter(pk__in=raised.values("pk")).aggregate(
        interviews=Count("pk", filter=Q(kind=interview)),
        groups=Count("pk", filter=Q(kind=group)),
        informants=Sum("informants"),
    )
    return Counts(
        interviews_raised=raised_row["interviews"],
        interviews_total=row["interviews_total"],
        groups_raised=raised_row["groups"],
        groups_total=row["groups_total"],
        informants=raised_row["informants"] or 0,
    )


@transaction.atomic
def finding_from_code(
    *,
    code: Code,
    by,
    title: str,
    description: str,
    polarity: str,
    quotes: list[Passage],
) -> Finding:
    """A finding under the code's theme, its quotes taken from the chosen passages, with
    the counts of the sessions that raised the code."""
    audit = code.audit
    _require_writer(by, audit)
    if any(passage.note.session.audit_id != audit.pk for passage in quotes):
        raise ValidationError(gettext("A quote must come from this audit's notes."))
    lines = [" ".join(passage.text.split()) for passage in quotes]
    finding = audit_services.finding_create(
        audit=audit,
        by=by,
        data={
            "theme": code.theme or "other",
            "polarity": polarity,
            "title": title,
            "description": description,
            "quotes": "\n".join(lines),
        },
    )
    counts = counts_for(code)
    FindingEvidence.objects.update_or_create(
        finding=finding, defaults={"code": code, **counts.__dict__}
    )
    return finding
