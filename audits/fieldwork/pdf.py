"""The guide as a tagged PDF for the session, in the audit's language (made by a worker).

Large print, the introduction about anonymity and the right to stop first, and a ruled space
for notes under every question. `guide_context` loads the guide in a fixed number of queries
and cleans the text for layout; WeasyPrint is imported only here (through brukarkraft.pdf),
so that web processes do not load it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from audits.pdf import clean_text

from .models import Guide, GuideQuestion

# Lines of space for notes under a question: enough for a paragraph in large print.
NOTE_LINES = 6


@dataclass
class PdfQuestion:
    number: int
    text: str
    easy_read: str
    follow_ups: list[str] = field(default_factory=list)


@dataclass
class PdfSection:
    title: str
    questions: list[PdfQuestion]


def guide_context(guide: Guide, language: str) -> dict:
    guide = (
        Guide.objects.select_related("audit")
        .prefetch_related(
            Prefetch(
                "sections__questions",
                queryset=GuideQuestion.objects.current().order_by("position", "pk"),
            )
        )
        .get(pk=guide.pk)
    )
    number = 0
    sections = []
    for section in guide.sections.all():
        questions = []
        for question in section.questions.all():
            number += 1
            questions.append(
                PdfQuestion(
                    number=number,
                    text=clean_text(question.text),
                    easy_read=clean_text(question.easy_read),
                    follow_ups=[clean_text(line) for line in question.follow_up_lines],
                )
            )
        if questions:
            sections.append(PdfSection(title=clean_text(section.title), questions=questions))
    audit = guide.audit
    return {
        "guide": guide,
        "kind": guide.get_kind_display(),
        "title": clean_text(audit.title) or audit.reference,
        "reference": audit.reference,
        "introduction": [
            clean_text(line) for line in guide.introduction.splitlines() if line.strip()
        ],
        "sections": sections,
        "note_lines": range(NOTE_LINES),
        "date": timezone.localdate(),
    }


def guide_pdf(guide: Guide, language: str) -> bytes:
    """The guide as PDF bytes."""
    from django.utils import translation

    from brukarkraft.pdf import render_pdf

    with translation.override(language):
        context = guide_context(guide, language)
        # The kind's label in the PDF's language, not the worker's.
        context["kind"] = str(context["guide"].get_kind_display())
    return render_pdf("audits/fieldwork/pdf/guide.html", context, language=language)
