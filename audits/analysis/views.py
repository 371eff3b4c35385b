"""The team's analysis pages: field notes per session (with the personal-data guard),
coding passages, the codes × sessions matrix, and a finding made from a code."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from audits import access as audit_access
from audits.models import Audit, DataCollection
from brukarkraft.http import AuthenticatedRequest, post_only

from . import guard, selectors, services
from .access import can_read_notes, can_see_counts, can_write_notes
from .forms import CodeForm, FindingFromCodeForm, NotesForm, PassageForm
from .models import Code, FieldNote, Passage


def _team_audit(request: AuthenticatedRequest, pk: int) -> Audit:
    """The audit, for its team only: anyone else gets 404, so not even the notes'
    existence shows."""
    audit = audit_access.visible_audit(request.user, pk)
    if not can_read_notes(request.user, audit):
        raise Http404
    return audit


def _field_errors(form, error: ValidationError, field: str | None = None) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, error)


def _marked(text: str, hits: list[guard.Hit]) -> list[dict]:
    """The note in pieces, hits flagged, for the highlighted preview."""
    pieces: list[dict[str, object]] = []
    at = 0
    for hit in hits:
        pieces.append({"text": text[at : hit.start], "hit": None})
        pieces.append({"text": hit.text, "hit": hit})
        at = hit.end
    pieces.append({"text": text[at:], "hit": None})
    return pieces


def _save_slots(form, slots, *, session, by, conflicts: dict) -> None:
    """Save each note the auditor changed; a conflict or a refusal becomes the field's error
    (and the text stays in the form), the others are saved."""
    for slot in slots:
        key = slot["key"]
        text = form.cleaned_data[f"t-{key}"]
        done = form.cleaned_data[f"d-{key}"]
        mine = slot["mine"]
        if mine is None and not text:
            continue
        if mine is not None and mine.text == text and (mine.status == "done") == done:
            continue
        try:
            slot["mine"] = services.save_note(
                session=session,
                question=slot["question"],
                by=by,
                text=text,
                version=form.cleaned_data[f"v-{key}"],
                done=done,
            )
        except services.NoteConflict as conflict:
            conflicts[key] = conflict.current
            form.add_error(f"t-{key}", conflict.messages[0])
        except ValidationError as error:
            form.add_error(f"t-{key}", error.messages[0])


@login_required
def notes(request: AuthenticatedRequest, pk: int, session_id: int) -> HttpResponse:
    audit = audit_access.visible_audit(request.user, pk)
    session = get_object_or_404(DataCollection, pk=session_id, audit=audit)
    if not can_read_notes(request.user, audit):
        if can_see_counts(request.user, audit):
            # Staff and coordinators: how much is written, never what.
            return render(
                request,
                "audits/analysis/notes_counts.html",
                {
                    "audit": audit,
                    "session": session,
                    "count": FieldNote.objects.filter(session=session).count(),
                    "done": FieldNote.objects.filter(
                        session=session, status=FieldNote.Status.DONE
                    ).count(),
                },
            )
        raise Http404
    groups, slots = selectors.note_slots(session, request.user)
    can_write = can_write_notes(request.user, audit)
    conflicts: dict = {}
    form = NotesForm(slots=slots)
    if request.method == "POST":
        if not can_write:
            raise Http404
        form = NotesForm(request.POST, slots=slots)
        if form.is_valid():
            _save_slots(form, slots, session=session, by=request.user, conflicts=conflicts)
            if not form.errors:
                messages.success(request, gettext("Your notes are saved."))
                anchor = request.POST.get("save", "")
                target = reverse("audits:analysis_notes", args=[audit.pk, session.pk])
                return redirect(f"{target}#slot-{anchor}" if anchor else target)
            # Re-read what is stored now (hits, versions), keep what was typed.
            groups, slots = selectors.note_slots(session, request.user)
    for slot in slots:
        mine = slot["mine"]
        hits = guard.check(mine.text) if mine else []
        slot["pieces"] = _marked(mine.text, hits) if hits else []
        slot["hits"] = [
            {
                "label": hit.label,
                "text": hit.text,
                "start": hit.start,
                "end": hit.end,
                "replacement": hit.replacement(audit.language),
            }
            for hit in hits
        ]
        slot["field"] = form.bound(slot["key"])
        slot["conflict"] = conflicts.get(slot["key"])
    context = {
        "audit": audit,
        "session": session,
        "groups": groups,
        "slots": slots,
        "form": form,
        "can_write": can_write,
        "language": audit.language,
    }
    return render(request, "audits/analysis/notes.html", context)


@login_required
@post_only("audits:analysis", "pk")
def note_replace(request: AuthenticatedRequest, pk: int, note_id: int) -> HttpResponse:
    audit = _team_audit(request, pk)
    note = get_object_or_404(FieldNote, pk=note_id, session__audit=audit, author=request.user)
    try:
        services.replace_hit(
            note=note,
            by=request.user,
            start=int(request.POST.get("start", -1)),
            end=int(request.POST.get("end", -1)),
            found=request.POST.get("found", ""),
        )
    except (ValidationError, ValueError) as error:
        messages.error(request, getattr(error, "messages", [gettext("Nothing was replaced.")])[0])
    else:
        messages.success(request, gettext("Replaced."))
    key = note.question_id or "free"
    target = reverse("audits:analysis_notes", args=[audit.pk, note.session_id])
    return redirect(f"{target}#slot-{key}")


@login_required
def analysis(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit = _team_audit(request, pk)
    can_write = can_write_notes(request.user, audit)
    if can_write and not Code.objects.filter(audit=audit).exists():
        services.ensure_theme_codes(audit)
    form = CodeForm()
    if request.method == "POST":
        if not can_write:
            raise Http404
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                services.code_add(audit=audit, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _field_errors(form, error)
            else:
                messages.success(request, gettext("The code is added."))
                return redirect("audits:analysis", pk=audit.pk)
    context = {
        "audit": audit,
        "matrix": selectors.matrix(audit),
        "form": form,
        "can_write": can_write,
    }
    return render(request, "audits/analysis/analysis.html", context)


@login_required
def passages(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The passages behind one cell of the matrix (a code, and a session or all)."""
    audit = _team_audit(request, pk)
    code = get_object_or_404(Code, pk=request.GET.get("code") or 0, audit=audit)
    rows = (
        Passage.objects.of_audit(audit)
        .filter(codes=code)
        .select_related("note__session", "note__question")
        .order_by("note__session__held_on", "note__session", "start")
    )
    session = None
    if request.GET.get("session"):
        session = get_object_or_404(DataCollection, pk=request.GET["session"], audit=audit)
        rows = rows.filter(note__session=session)
    context = {"audit": audit, "code": code, "session": session, "passages": rows}
    return render(request, "audits/analysis/passages.html", context)


@login_required
def note_code(request: AuthenticatedRequest, pk: int, note_id: int) -> HttpResponse:
    audit = _team_audit(request, pk)
    note = get_object_or_404(
        FieldNote.objects.select_related("session", "question", "author"),
        pk=note_id,
        session__audit=audit,
    )
    codes = list(Code.objects.of_audit(audit))
    form = PassageForm(note=note, codes=codes)
    if request.method == "POST":
        if not can_write_notes(request.user, audit):
            raise Http404
        form = PassageForm(request.POST, note=note, codes=codes)
        if form.is_valid():
            start, end = form.span()
            try:
                services.code_passage(
                    note=note,
                    by=request.user,
                    start=start,
                    end=end,
                    codes=list(form.cleaned_data["codes"]),
                    polarity=form.cleaned_data["polarity"],
                )
            except ValidationError as error:
                _field_errors(form, error)
            else:
                messages.success(request, gettext("The passage is coded."))
                return redirect("audits:analysis_code", pk=audit.pk, note_id=note.pk)
    context = {
        "audit": audit,
        "note": note,
        "form": form,
        "coded": note.passages.prefetch_related("codes"),
        "can_write": can_write_notes(request.user, audit),
    }
    return render(request, "audits/analysis/code.html", context)


@login_required
def finding_from_code(request: AuthenticatedRequest, pk: int, code_id: int) -> HttpResponse:
    audit = _team_audit(request, pk)
    code = get_object_or_404(Code, pk=code_id, audit=audit)
    if not can_write_notes(request.user, audit):
        raise Http404
    code_passages = (
        Passage.objects.of_audit(audit).filter(codes=code).select_related("note__session")
    )
    form = FindingFromCodeForm(passages=code_passages)
    if request.method == "POST":
        form = FindingFromCodeForm(request.POST, passages=code_passages)
        if form.is_valid():
            try:
                services.finding_from_code(
                    code=code,
                    by=request.user,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    polarity=form.cleaned_data["polarity"],
                    quotes=list(form.cleaned_data["quotes"]),
                )
            except ValidationError as error:
                _field_errors(form, error)
            else:
                messages.success(request, gettext("The finding is made, with its evidence."))
                return redirect("audits:findings", pk=audit.pk)
    context = {
        "audit": audit,
        "code": code,
        "counts": services.counts_for(code),
        "form": form,
    }
    return render(request, "audits/analysis/finding_from_code.html", context)
