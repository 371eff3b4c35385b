"""Every change to the question bank's use and to an audit's guides, one function per act.

Each function locks the guide row (so two tabs or a double press change one thing once),
checks the actor's right (PermissionDenied) and the state (ValidationError with a translated
message), and touches the guide's updated_at so the team can see that a PDF is older than
the guide. The PDF is made by a worker like the report: requested here, queued after the
commit, rendered idempotently by `guide_pdf_render`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audits import access as audits_access
from audits.models import Audit
from brukarkraft.models import User
from brukarkraft.queue import enqueue_by_name, requeue_lost
from brukarkraft.storage import RETRY_ON_STORAGE_OUTAGE

from . import access
from .models import (
    BankQuestion,
    Guide,
    GuideComment,
    GuideKind,
    GuidePdf,
    GuideQuestion,
    GuideSection,
)

logger = logging.getLogger(__name__)

# Read out at the start of every session (docs/domain.md §1 step 5: anonymous, no names in
# the data). Translated into the audit's language when the guide is started; the lead may
# change it.
INTRODUCTIONS = {
    GuideKind.INTERVIEW: _(
        "Thank you for talking to us. We are user auditors: we have used services like this"
        " one ourselves, and we are asking about your experience of it.\n"
        "What you say is anonymous. We write no names in our notes, and nothing in the"
        " report can be traced back to you. We are bound by confidentiality.\n"
        "Taking part is voluntary. You may skip any question, take a break or stop at any"
        " time, without saying why and without it affecting the help you get."
    ),
    GuideKind.FOCUS_GROUP: _(
        "Thank you for coming. We are user auditors: we have used services like this one"
        " ourselves, and we want to hear about your experiences of it.\n"
        "What is said here is anonymous. We write no names in our notes, and nothing in the"
        " report can be traced back to any of you. We are bound by confidentiality, and we"
        " ask you too to keep what others say in the group to yourselves.\n"
        "Taking part is voluntary. You need not answer everything, and you may leave at any"
        " time, without saying why and without it affecting the help you get."
    ),
}

TEXT_FIELDS = ("text", "follow_ups", "easy_read")


def default_introduction(kind: str, language: str) -> str:
    with translation.override(language):
        return str(INTRODUCTIONS[GuideKind(kind)])


def _lock(guide: Guide) -> Guide:
    return Guide.objects.select_for_update(of=("self",)).select_related("audit").get(pk=guide.pk)


def _touch(guide: Guide) -> None:
    guide.save(update_fields=["updated_at"])


def _require_builder(user: User, guide_or_audit) -> Audit:
    audit = guide_or_audit if isinstance(guide_or_audit, Audit) else guide_or_audit.audit
    if not audits_access.is_lead(user, audit):
        raise PermissionDenied
    if audit.status not in access.BUILD_STATES:
        raise ValidationError(
            gettext(
                "The guides are built while the audit is planned, its data collected and"
                " analysed. The audit is now: %(status)s."
            )
            % {"status": audit.get_status_display()},
            code="illegal_state",
        )
    return audit


def _own(guide: Guide, section: GuideSection | None = None, question: GuideQuestion | None = None):
    """Refuse a section or question of another guide (a tampered form)."""
    if section is not None and section.guide_id != guide.pk:
        raise ValidationError(gettext("That section is not in this guide."), code="other_guide")
    if question is not None and question.section.guide_id != guide.pk:
        raise ValidationError(gettext("That question is not in this guide."), code="other_guide")


# --- The guide ----------------------------------------------------------------------------


@transaction.atomic
def guide_start(*, audit: Audit, kind: str, by: User) -> Guide:
    """Start the audit's guide of `kind`, with the introduction in the audit's language and
    one empty section; a second press gives the guide already there."""
    audit = Audit.objects.select_for_update(of=("self",)).get(pk=audit.pk)
    _require_builder(by, audit)
    existing = Guide.objects.filter(audit=audit, kind=kind).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            guide = Guide.objects.create(
                audit=audit, kind=kind, introduction=default_introduction(kind, audit.language)
            )
    except IntegrityError:  # started at the same moment in another tab
        return Guide.objects.get(audit=audit, kind=kind)
    with translation.override(audit.language):
        GuideSection.objects.create(guide=guide, title=gettext("Introductory questions"))
    return guide


@transaction.atomic
def guide_set_introduction(*, guide: Guide, by: User, introduction: str) -> Guide:
    guide = _lock(guide)
    _require_builder(by, guide)
    guide.introduction = introduction
    guide.save(update_fields=["introduction", "updated_at"])
    return guide


@transaction.atomic
def guide_share(*, guide: Guide, by: User) -> Guide:
    """Share the guide with the commissioner, who may then read and comment on it (the
    instruments are agreed with the service). Sharing twice changes nothing."""
    guide = _lock(guide)
    _require_builder(by, guide)
    if guide.is_shared:
        return guide
    if not GuideQuestion.objects.current().filter(section__guide=guide).exists():
        raise ValidationError(
            gettext("Add at least one question before you share the guide."), code="empty"
        )
    guide.status = Guide.Status.SHARED
    guide.shared_at = timezone.now()
    guide.save(update_fields=["status", "shared_at", "updated_at"])
    return guide


@transaction.atomic
def comment_add(*, guide: Guide, by: User, text: str) -> GuideComment:
    guide = _lock(guide)
    if not access.can_comment(by, guide):
        raise PermissionDenied
    text = text.strip()
    if not text:
        raise ValidationError({"text": gettext("Write the comment.")}, code="required")
    # A double press sends the same text twice within seconds: keep one.
    recent = guide.comments.filter(
        author=by, text=text, created_at__gte=timezone.now() - timedelta(minutes=1)
    ).first()
    if recent is not None:
        return recent
    return GuideComment.objects.create(guide=guide, author=by, text=text)


# --- Sections -----------------------------------------------------------------------------


def _next_position(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def section_add(*, guide: Guide, by: User, title: str) -> GuideSection:
    guide = _lock(guide)
    _require_builder(by, guide)
    last = guide.sections.order_by("position", "pk").last()
    if last is not None and last.title == title:
        return last  # a double press: the section just added
    section = GuideSection.objects.create(
        guide=guide, title=title, position=_next_position(guide.sections.all())
    )
    _touch(guide)
    return section


@transaction.atomic
def section_rename(*, section: GuideSection, by: User, title: str) -> GuideSection:
    guide = _lock(section.guide)
    _require_builder(by, guide)
    _own(guide, section=section)
    section.title = title
    section.save(update_fields=["title"])
    _touch(guide)
    return section


@transaction.atomic
def section_delete(*, section: GuideSection, by: User) -> None:
    """Delete an empty section. Questions are moved or removed first, so nothing is lost
    by accident (and a removed question kept for its notes keeps its section)."""
    guide = _lock(section.guide)
    _require_builder(by, guide)
    _own(guide, section=section)
    if section.questions.exists():
        raise ValidationError(
            gettext("Only an empty section can be deleted. Move or remove its questions first."),
            code="not_empty",
        )
    section.delete()
    _touch(guide)


def _swap(items: list, item, direction: str) -> bool:
    """Swap `item` with its neighbour in `items` (ordered); False at either end."""
    index = [x.pk for x in items].index(item.pk)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(items):
        return False
    items[index], items[other] = items[other], items[index]
    # Renumber all, so equal or missing positions (rows made elsewhere) sort out too.
    for position, each in enumerate(items, start=1):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])
    return True


@transaction.atomic
def section_move(*, section: GuideSection, by: User, direction: str) -> bool:
    guide = _lock(section.guide)
    _require_builder(by, guide)
    _own(guide, section=section)
    moved = _swap(list(guide.sections.all()), section, direction)
    if moved:
        _touch(guide)
    return moved


# --- Questions ----------------------------------------------------------------------------


@transaction.atomic
def question_add(*, guide: Guide, by: User, section: GuideSection, data: dict) -> GuideQuestion:
    """The team's own question, at the end of `section`."""
    guide = _lock(guide)
    _require_builder(by, guide)
    _own(guide, section=section)
    last = section.questions.current().order_by("position", "pk").last()
    if last is not None and last.text == data.get("text", ""):
        return last  # a double press: the question just added
    question = GuideQuestion.objects.create(
        section=section,
        position=_next_position(section.questions.all()),
        **{name: data.get(name, "") for name in TEXT_FIELDS},
    )
    _touch(guide)
    return question


@transaction.atomic
def questions_add_from_bank(
    *, guide: Guide, by: User, section: GuideSection, bank_questions: Iterable[BankQuestion]
) -> tuple[list[GuideQuestion], list[BankQuestion]]:
    """Copy bank questions into `section` in the audit's language; the copy is the guide's
    own, so a later change in the bank never changes a guide in use. Returns the questions
    added and the bank questions skipped because the guide has them already (a double press
    adds nothing twice)."""
    guide = _lock(guide)
    _require_builder(by, guide)
    _own(guide, section=section)
    language = guide.audit.language
    already = set(
        GuideQuestion.objects.current()
        .filter(section__guide=guide, bank_question__isnull=False)
        .values_list("bank_question_id", flat=True)
    )
    position = _next_position(section.questions.all())
    added, skipped = [], []
    for bank in bank_questions:
        if bank.pk in already or not bank.active or bank.use not in (guide.kind, "both"):
            skipped.append(bank)
            continue
        added.append(
            GuideQuestion.objects.create(
                section=section,
                bank_question=bank,
                text=bank.text_in(language),
                follow_ups=bank.follow_ups_in(language),
                easy_read=bank.easy_read_in(language),
                position=position,
            )
        )
        already.add(bank.pk)
        position += 1
    if added:
        _touch(guide)
    return added, skipped


@transaction.atomic
def question_update(*, question: GuideQuestion, by: User, data: dict) -> GuideQuestion:
    guide = _lock(question.section.guide)
    _require_builder(by, guide)
    _own(guide, question=question)
    question = GuideQuestion.objects.select_for_update().get(pk=question.pk)
    if question.removed_at is not None:
        raise ValidationError(gettext("The question has been removed from the guide."))
    for name in TEXT_FIELDS:
        setattr(question, name, data.get(name, ""))
    question.save(update_fields=list(TEXT_FIELDS))
    _touch(guide)
    return question


@transaction.atomic
def question_move(*, question: GuideQuestion, by: User, direction: str) -> bool:
    """Up or down within its section; past the section's end, into the next or previous
    section (at its start or end), so a question can travel the whole guide."""
    guide = _lock(question.section.guide)
    _require_builder(by, guide)
    _own(guide, question=question)
    section = question.section
    siblings = list(section.questions.current())
    if _swap(siblings, question, direction):
        _touch(guide)
        return True
    sections = list(guide.sections.all())
    index = [s.pk for s in sections].index(section.pk)
    target = index - 1 if direction == "up" else index + 1
    if target < 0 or target >= len(sections):
        return False
    into = sections[target]
    if direction == "up":
        question.position = _next_position(into.questions.all())
        question.section = into
        question.save(update_fields=["section", "position"])
    else:
        # At the start of the next section: it and the questions there are numbered afresh.
        question.section = into
        ordered = [question, *into.questions.exclude(pk=question.pk)]
        for position, each in enumerate(ordered, start=1):
            each.position = position
            each.save(update_fields=["section", "position"] if each is question else ["position"])
    _touch(guide)
    return True


def has_notes(question: GuideQuestion) -> bool:
    """True if field notes were written under the question (the notes are another part of
    the fieldwork; without them nothing is written under a question)."""
    notes = getattr(question, "field_notes", None)
    return notes is not None and notes.exists()


@transaction.atomic
def question_remove(*, question: GuideQuestion, by: User) -> bool:
    """Take a question out of the guide. Once the guide is shared, or notes are written
    under it, the question is only marked removed: what was agreed and what was written
    stay traceable. Returns True if it was kept (removed softly)."""
    guide = _lock(question.section.guide)
    _require_builder(by, guide)
    _own(guide, question=question)
    locked = GuideQuestion.objects.select_for_update().filter(pk=question.pk).first()
    if locked is None or locked.removed_at is not None:
        return True  # removed already (a double press)
    question = locked
    _touch(guide)
    if guide.is_shared or has_notes(question):
        question.removed_at = timezone.now()
        question.save(update_fields=["removed_at"])
        return True
    question.delete()
    return False


@transaction.atomic
def question_restore(*, question: GuideQuestion, by: User) -> GuideQuestion:
    guide = _lock(question.section.guide)
    _require_builder(by, guide)
    _own(guide, question=question)
    if question.removed_at is not None:
        question.removed_at = None
        question.position = _next_position(question.section.questions.all())
        question.save(update_fields=["removed_at", "position"])
        _touch(guide)
    return question


# --- The PDF ------------------------------------------------------------------------------

GUIDE_PDF_TASK = "audits.fieldwork.tasks.generate_guide_pdf"
MAX_PDF_DELIVERIES = 3
# Like the report: a PDF queued or being made this long has lost its job.
STALE_PDF_AFTER = timedelta(minutes=15)


def _queue_pdf(pdf: GuidePdf) -> None:
    pdf_id = pdf.pk
    enqueue_by_name(GUIDE_PDF_TASK, pdf_id)


@transaction.atomic
def guide_pdf_request(*, guide: Guide, by: User) -> GuidePdf:
    """Queue a PDF of the guide in the audit's language. A press while one is on its way
    gives that one; a ready PDF made after the last change is given again."""
    guide = _lock(guide)
    if not access.can_download(by, guide):
        raise PermissionDenied
    latest = guide.pdfs.order_by("-requested_at", "-pk").first()
    if latest is not None and (
        latest.is_pending
        or (latest.status == GuidePdf.Status.READY and latest.requested_at >= guide.updated_at)
    ):
        return latest
    pdf = GuidePdf.objects.create(guide=guide, language=guide.audit.language, requested_by=by)
    _queue_pdf(pdf)
    return pdf


def guide_pdfs_requeue_stale(*, now=None) -> int:
    """Send again every guide PDF whose job was lost; returns how many were sent."""
    cutoff = (now or timezone.now()) - STALE_PDF_AFTER
    stale = GuidePdf.objects.filter(
        status__in=[GuidePdf.Status.QUEUED, GuidePdf.Status.RUNNING], requested_at__lt=cutoff
    ).values_list("pk", flat=True)
    return requeue_lost(GUIDE_PDF_TASK, stale)


def guide_pdf_render(*, pdf_id: int) -> GuidePdf | None:
    """Make the PDF (worker side); a redelivered task for a ready PDF does nothing, a failure
    is recorded so the page can say so and offer a new try."""
    from .pdf import guide_pdf

    with transaction.atomic():
        pdf = (
            GuidePdf.objects.select_for_update(of=("self",))
            .select_related("guide__audit")
            .filter(pk=pdf_id)
            .first()
        )
        if pdf is None or pdf.status == GuidePdf.Status.READY:
            return pdf
        if pdf.status == GuidePdf.Status.RUNNING and pdf.attempts >= MAX_PDF_DELIVERIES:
            logger.error("Guide PDF %s stopped its worker %s times", pdf_id, pdf.attempts)
            pdf.status = GuidePdf.Status.FAILED
            pdf.error = "WorkerLost"
            pdf.finished_at = timezone.now()
            pdf.save(update_fields=["status", "error", "finished_at"])
            return None
        pdf.status = GuidePdf.Status.RUNNING
        pdf.attempts += 1
        pdf.save(update_fields=["status", "attempts"])
    try:
        content = guide_pdf(pdf.guide, pdf.language)
    except Exception as error:  # noqa: BLE001 — any failure must be shown, not lost
        logger.exception("Guide PDF %s failed", pdf_id)
        GuidePdf.objects.filter(pk=pdf_id).update(
            status=GuidePdf.Status.FAILED, error=type(error).__name__, finished_at=timezone.now()
        )
        return None
    try:
        with transaction.atomic():
            pdf = GuidePdf.objects.select_for_update().select_related("guide__audit").get(pk=pdf_id)
            if pdf.status == GuidePdf.Status.READY:
                return pdf
            audit = pdf.guide.audit
            pdf.file.save(
                f"{audit.reference or audit.pk}-{pdf.guide.kind}-{pdf.pk}.pdf",
                ContentFile(content),
                save=False,
            )
            pdf.size = len(content)
            pdf.status = GuidePdf.Status.READY
            pdf.finished_at = timezone.now()
            pdf.save()
    except RETRY_ON_STORAGE_OUTAGE:
        # The file store is down: back in the queue, this delivery not counted; the task
        # retries with back-off and the stale sweep sends it again after a longer outage.
        GuidePdf.objects.filter(pk=pdf_id, status=GuidePdf.Status.RUNNING).update(
            status=GuidePdf.Status.QUEUED, attempts=F("attempts") - 1
        )
        raise
    return pdf
