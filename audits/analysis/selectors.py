"""Reads for the notes page and the analysis matrix, each a fixed number of queries however
many notes and passages there are."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Prefetch

from audits.fieldwork.models import Guide, GuideQuestion, GuideSection
from audits.models import Audit, DataCollection

from .models import Code, FieldNote, Passage

GUIDED_KINDS = {DataCollection.Kind.INTERVIEW, DataCollection.Kind.FOCUS_GROUP}


def guide_for(session: DataCollection) -> Guide | None:
    """The guide of the session's kind, sections and all questions (removed ones too)."""
    if session.kind not in GUIDED_KINDS:
        return None
    return (
        Guide.objects.filter(audit_id=session.audit_id, kind=session.kind)
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=GuideSection.objects.prefetch_related(
                    Prefetch("questions", queryset=GuideQuestion.objects.order_by("position", "pk"))
                ),
            )
        )
        .first()
    )


def note_slots(session: DataCollection, user) -> tuple[list[dict], list[dict]]:
    """(groups, slots): the guide's sections with their current questions, then "removed
    questions" that hold notes, then the free notes; each slot has the user's own note and
    the others' notes beside it."""
    notes = list(FieldNote.objects.of_session(session))
    by_question = defaultdict(list)
    for note in notes:
        by_question[note.question_id].append(note)

    def slot(key, question, label) -> dict:
        written = by_question.get(question.pk if question else None, [])
        return {
            "key": key,
            "question": question,
            "label": label,
            "mine": next((n for n in written if n.author_id == user.pk), None),
            "others": [n for n in written if n.author_id != user.pk],
        }

    groups: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    guide = guide_for(session)
    if guide is not None:
        for section in guide.sections.all():
            current = []
            for question in section.questions.all():
                if question.removed_at is None:
                    current.append(slot(str(question.pk), question, question.text))
                elif by_question.get(question.pk):
                    removed.append(slot(str(question.pk), question, question.text))
            groups.append({"title": section.title, "slots": current, "removed": False})
    # A question taken out of the guide after notes were written under it: the notes stay.
    known = {int(s["key"]) for g in groups for s in g["slots"]} | {int(s["key"]) for s in removed}
    for question_id, written in by_question.items():
        if question_id is not None and question_id not in known:
            removed.append(slot(str(question_id), written[0].question, written[0].question.text))
    if removed:
        groups.append({"title": None, "slots": removed, "removed": True})
    groups.append({"title": None, "slots": [slot("free", None, "")], "free": True})
    slots = [s for g in groups for s in g["slots"]]
    return groups, slots


def matrix(audit: Audit) -> dict:
    """Codes × sessions: passages per cell, and per code how many sessions and informants
    raised it. Three queries."""
    codes = list(Code.objects.of_audit(audit))
    sessions = list(audit.sessions.order_by("held_on", "pk"))
    # One row per (passage, code) in the link table, so counting needs no DISTINCT.
    cells = {
        (row["code_id"], row["passage__note__session_id"]): row["count"]
        for row in Passage.codes.through.objects.filter(passage__note__session__audit=audit)
        .order_by()
        .values("code_id", "passage__note__session_id")
        .annotate(count=Count("passage_id"))
    }
    informants = {s.pk: s.informants for s in sessions}
    rows = []
    for code in codes:
        counts = [cells.get((code.pk, s.pk), 0) for s in sessions]
        raised = [s for s in sessions if cells.get((code.pk, s.pk))]
        rows.append(
            {
                "code": code,
                "cells": list(zip(sessions, counts, strict=True)),
                "sessions": len(raised),
                "informants": sum(informants[s.pk] for s in raised),
                "passages": sum(counts),
            }
        )
    return {"codes": codes, "sessions": sessions, "rows": rows}
