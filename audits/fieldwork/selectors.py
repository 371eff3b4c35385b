"""Reads of the fieldwork pages, each in a fixed number of queries whatever the guide's size."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q

from audits.models import Audit

from .models import BankQuestion, Guide, GuideKind, GuidePdf, GuideQuestion, GuideSection


def guides_of(audit: Audit) -> dict[str, Guide | None]:
    """The audit's guides by kind (None where not started), with their question counts."""
    guides = {
        guide.kind: guide
        for guide in audit.guides.annotate(
            question_count=Count(
                "sections__questions", filter=Q(sections__questions__removed_at__isnull=True)
            )
        )
    }
    return {kind: guides.get(kind) for kind in GuideKind.values}


def guide_sections(guide: Guide) -> list[GuideSection]:
    """The sections in order, each with `current` (the questions in the guide, in order)
    and `removed` (those taken out but kept for what was written under them)."""
    sections = list(
        guide.sections.prefetch_related(
            Prefetch(
                "questions",
                queryset=GuideQuestion.objects.order_by("position", "pk"),
                to_attr="all_questions",
            )
        )
    )
    number = 0
    for section in sections:
        section.current = [q for q in section.all_questions if q.removed_at is None]
        section.removed = [q for q in section.all_questions if q.removed_at is not None]
        for question in section.current:
            number += 1
            question.number = number
    return sections


def guide_comments(guide: Guide):
    return guide.comments.select_related("author")


def latest_pdf(guide: Guide) -> GuidePdf | None:
    return guide.pdfs.select_related("requested_by").order_by("-requested_at", "-pk").first()


def bank_for(guide: Guide, *, theme: str = ""):
    """The bank questions a guide of this kind can use, optionally of one theme."""
    questions = BankQuestion.objects.for_kind(guide.kind)
    if theme:
        questions = questions.filter(theme=theme)
    return questions


def bank_ids_in(guide: Guide) -> set[int]:
    return set(
        GuideQuestion.objects.current()
        .filter(section__guide=guide, bank_question__isnull=False)
        .values_list("bank_question_id", flat=True)
    )
