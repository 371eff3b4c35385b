"""The guide pages: the audit's two guides, building them from the question bank, sharing
with the commissioner, comments, and the PDF for the session.

Every view finds the audit through audits.access.visible_audit (404 outside the user's
reach) and the guide through `_guide` (404 for a guide the user may not read, such as an
unshared one for the commissioner); a page the user may read but not change answers 403.
The guides hold no personal data, so no undertaking is needed to read them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_safe

from audits import access as audits_access
from audits.models import Audit
from brukarkraft.http import post_only

from . import access, selectors, services
from .forms import (
    BankFilterForm,
    BankPickForm,
    CommentForm,
    IntroductionForm,
    NewQuestionForm,
    QuestionForm,
    SectionForm,
)
from .models import Guide, GuideKind, GuidePdf, GuideQuestion, GuideSection

DIRECTIONS = {"up", "down"}


def _audit(request: HttpRequest, pk: int) -> Audit:
    audit = audits_access.visible_audit(request.user, pk)
    if not access.can_see_guides(request.user, audit):
        raise Http404
    return audit


def _guide(request: HttpRequest, pk: int, kind: str) -> Guide:
    if kind not in GuideKind.values:
        raise Http404
    audit = _audit(request, pk)
    guide = Guide.objects.filter(audit=audit, kind=kind).first()
    if guide is None or not access.can_read(request.user, guide):
        raise Http404
    guide.audit = audit  # the one already loaded, with its team
    return guide


def _builder_guide(request: HttpRequest, pk: int, kind: str) -> Guide:
    guide = _guide(request, pk, kind)
    audits_access.require(access.can_build(request.user, guide.audit))
    return guide


def _section(guide: Guide, section: int) -> GuideSection:
    return get_object_or_404(guide.sections, pk=section)


def _question(guide: Guide, question: int) -> GuideQuestion:
    return get_object_or_404(
        GuideQuestion.objects.select_related("section"), pk=question, section__guide=guide
    )


def _to_guide(guide: Guide, anchor: str = "") -> HttpResponse:
    response = redirect("audits:fieldwork:guide", pk=guide.audit_id, kind=guide.kind)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Reading ------------------------------------------------------------------------------


@login_required
@require_safe
def guides(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk)
    rows = []
    for kind, guide in selectors.guides_of(audit).items():
        if guide is not None and not access.can_read(request.user, guide):
            guide = None  # an unshared guide is the team's own
        rows.append({"kind": kind, "label": GuideKind(kind).label, "guide": guide})
    context = {
        "audit": audit,
        "rows": rows,
        "can_build": access.can_build(request.user, audit),
        "works_on": access.works_on(request.user, audit),
    }
    return render(request, "audits/fieldwork/guides.html", context)


@login_required
def guide(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The guide; its own form is the comment."""
    guide = _guide(request, pk, kind)
    user = request.user
    can_comment = access.can_comment(user, guide)
    form = CommentForm()
    if request.method == "POST":
        audits_access.require(can_comment)
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                services.comment_add(guide=guide, by=user, text=form.cleaned_data["text"])
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, gettext("Your comment is saved."))
                return _to_guide(guide, "comments")
    can_build = access.can_build(user, guide.audit)
    pdf = selectors.latest_pdf(guide) if access.can_download(user, guide) else None
    sections = selectors.guide_sections(guide)
    context = {
        "audit": guide.audit,
        "guide": guide,
        "sections": sections,
        "removed": [question for section in sections for question in section.removed],
        "comments": list(selectors.guide_comments(guide)),
        "form": form,
        "can_build": can_build,
        "can_comment": can_comment,
        "can_download": access.can_download(user, guide),
        "pdf": pdf,
        "pdf_outdated": pdf is not None and pdf.requested_at < guide.updated_at,
    }
    return render(request, "audits/fieldwork/guide.html", context)


# --- Building -----------------------------------------------------------------------------


@login_required
@post_only("audits:fieldwork:guides", "pk")
def guide_start(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in GuideKind.values:
        raise Http404
    audit = _audit(request, pk)
    audits_access.require(access.can_build(request.user, audit))
    try:
        guide = services.guide_start(audit=audit, kind=kind, by=request.user)
    except ValidationError as error:
        _refused(request, error)
        return redirect("audits:fieldwork:guides", pk=audit.pk)
    return _to_guide(guide)


@login_required
def introduction(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    guide = _builder_guide(request, pk, kind)
    form = IntroductionForm(initial={"introduction": guide.introduction})
    if request.method == "POST":
        form = IntroductionForm(request.POST)
        if form.is_valid():
            try:
                services.guide_set_introduction(
                    guide=guide, by=request.user, introduction=form.cleaned_data["introduction"]
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, gettext("The introduction is saved."))
                return _to_guide(guide, "introduction")
    return render(
        request,
        "audits/fieldwork/form_page.html",
        {
            "audit": guide.audit,
            "guide": guide,
            "form": form,
            "heading": gettext("Change the introduction"),
            "button": gettext("Save the introduction"),
        },
    )


@login_required
def section_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    guide = _builder_guide(request, pk, kind)
    form = SectionForm()
    if request.method == "POST":
        form = SectionForm(request.POST)
        if form.is_valid():
            try:
                section = services.section_add(
                    guide=guide, by=request.user, title=form.cleaned_data["title"]
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, gettext("The section is added."))
                return _to_guide(guide, f"section-{section.pk}")
    return render(
        request,
        "audits/fieldwork/form_page.html",
        {
            "audit": guide.audit,
            "guide": guide,
            "form": form,
            "heading": gettext("Add a section"),
            "button": gettext("Add the section"),
        },
    )


@login_required
def section_edit(request: HttpRequest, pk: int, kind: str, section: int) -> HttpResponse:
    guide = _builder_guide(request, pk, kind)
    section = _section(guide, section)
    form = SectionForm(initial={"title": section.title})
    if request.method == "POST":
        form = SectionForm(request.POST)
        if form.is_valid():
            try:
                services.section_rename(
                    section=section, by=request.user, title=form.cleaned_data["title"]
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, gettext("The section is renamed."))
                return _to_guide(guide, f"section-{section.pk}")
    return render(
        request,
        "audits/fieldwork/form_page.html",
        {
            "audit": guide.audit,
            "guide": guide,
            "form": form,
            "heading": gettext("Rename the section"),
            "button": gettext("Save the title"),
        },
    )


@login_required
def section_delete(request: HttpRequest, pk: int, kind: str, section: int) -> HttpResponse:
    guide = _builder_guide(request, pk, kind)
    section = _section(guide, section)
    if request.method == "POST":
        try:
            services.section_delete(section=section, by=request.user)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, gettext("The section is deleted."))
        return _to_guide(guide)
    return render(
        request,
        "audits/fieldwork/section_delete.html",
        {"audit": guide.audit, "guide": guide, "section": section},
    )


@login_required
@post_only("audits:fieldwork:guide", "pk", "kind")
def section_move(
    request: HttpRequest, pk: int, kind: str, section: int, direction: str
) -> HttpResponse:
    if direction not in DIRECTIONS:
        raise Http404
    guide = _builder_guide(request, pk, kind)
    section = _section(guide, section)
    try:
        services.section_move(section=section, by=request.user, direction=direction)
    except ValidationError as error:
        _refused(request, error)
    return _to_guide(guide, f"section-{section.pk}")


@login_required
def question_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    guide = _builder_guide(request, pk, kind)
    sections = guide.sections.all()
    initial = {}
    if request.GET.get("section", "").isdigit():
        initial["section"] = int(request.GET["section"])
    form = NewQuestionForm(initial=initial, sections=sections)
    if request.method == "POST":
        form = NewQuestionForm(request.POST, sections=sections)
        if form.is_valid():
            data = form.cleaned_data
            try:
                question = services.question_add(
                    guide=guide, by=request.user, section=data["section"], data=data
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, gettext("The question is added."))
                return _to_guide(guide, f"question-{question.pk}")
    return render(
        request,
        "audits/fieldwork/form_page.html",
        {
            "audit": guide.audit,
            "guide": guide,
            "form": form,
            "heading": gettext("Write a question of your own"),
            "button": gettext("Add the question"),
        },
    )


@login_required
def question_edit(request: HttpRequest, pk: int, kind: str, question: int) -> HttpResponse:
    guide = _builder_guide(request, pk, kind)
    question = _question(guide, question)
    if question.removed_at is not None:
        raise Http404
    form = QuestionForm(initial={name: getattr(question, name) for name in services.TEXT_FIELDS})
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                services.question_update(question=question, by=request.user, data=form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, gettext("The question is saved."))
                return _to_guide(guide, f"question-{question.pk}")
    return render(
        request,
        "audits/fieldwork/form_page.html",
        {
            "audit": guide.audit,
            "guide": guide,
            "form": form,
            "heading": gettext("Change the question"),
            "button": gettext("Save the question"),
        },
    )


@login_required
@post_only("audits:fieldwork:guide", "pk", "kind")
def question_move(
    request: HttpRequest, pk: int, kind: str, question: int, direction: str
) -> HttpResponse:
    if direction not in DIRECTIONS:
        raise Http404
    guide = _builder_guide(request, pk, kind)
    question = _question(guide, question)
    try:
        services.question_move(question=question, by=request.user, direction=direction)
    except ValidationError as error:
        _refused(request, error)
    return _to_guide(guide, f"question-{question.pk}")


@login_required
def question_remove(request: HttpRequest, pk: int, kind: str, question: int) -> HttpResponse:
    guide = _builder_guide(request, pk, kind)
    question = _question(guide, question)
    if request.method == "POST":
        try:
            kept = services.question_remove(question=question, by=request.user)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(
                request,
                gettext(
                    "The question is taken out of the guide. It is kept, with what was"
                    " written under it, under “Removed questions”."
                )
                if kept
                else gettext("The question is deleted."),
            )
        return _to_guide(guide)
    return render(
        request,
        "audits/fieldwork/question_remove.html",
        {
            "audit": guide.audit,
            "guide": guide,
            "question": question,
            "kept": guide.is_shared or services.has_notes(question),
        },
    )


@login_required
@post_only("audits:fieldwork:guide", "pk", "kind")
def question_restore(request: HttpRequest, pk: int, kind: str, question: int) -> HttpResponse:
    guide = _builder_guide(request, pk, kind)
    question = _question(guide, question)
    try:
        services.question_restore(question=question, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, gettext("The question is back in the guide."))
    return _to_guide(guide, f"question-{question.pk}")


@login_required
def bank(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Pick questions from the centre's bank, in the audit's language, into a section."""
    guide = _builder_guide(request, pk, kind)
    language = guide.audit.language
    filters = BankFilterForm(request.GET or None)
    theme = filters.cleaned_data["theme"] if filters.is_valid() else ""
    in_guide = selectors.bank_ids_in(guide)
    # The ones in the guide already are shown, not offered: a double press adds nothing.
    offered = selectors.bank_for(guide, theme=theme).exclude(pk__in=in_guide)
    sections = guide.sections.all()
    form = BankPickForm(sections=sections, bank=offered, language=language)
    if request.method == "POST":
        form = BankPickForm(request.POST, sections=sections, bank=offered, language=language)
        if form.is_valid():
            try:
                added, _skipped = services.questions_add_from_bank(
                    guide=guide,
                    by=request.user,
                    section=form.cleaned_data["section"],
                    bank_questions=form.cleaned_data["questions"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s question is added to “%(section)s”.",
                        "%(count)s questions are added to “%(section)s”.",
                        len(added),
                    )
                    % {"count": len(added), "section": form.cleaned_data["section"].title},
                )
                return _to_guide(guide, f"section-{form.cleaned_data['section'].pk}")
    already = list(selectors.bank_for(guide, theme=theme).filter(pk__in=in_guide))
    context = {
        "audit": guide.audit,
        "guide": guide,
        "form": form,
        "filters": filters,
        "offered": [
            {
                "question": q,
                "text": q.text_in(language),
                "easy_read": q.easy_read_in(language),
                "follow_ups": [x for x in q.follow_ups_in(language).splitlines() if x.strip()],
                "checked": str(q.pk) in (form["questions"].value() or []),
            }
            for q in offered
        ],
        "already": [q.text_in(language) for q in already],
        "language": guide.audit.get_language_display(),
    }
    return render(request, "audits/fieldwork/bank.html", context)


@login_required
@post_only("audits:fieldwork:guide", "pk", "kind")
def share(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    guide = _builder_guide(request, pk, kind)
    was_shared = guide.is_shared
    try:
        services.guide_share(guide=guide, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        if not was_shared:
            messages.success(
                request,
                gettext("The guide is shared. The commissioner can now read and comment on it."),
            )
    return _to_guide(guide)


# --- The PDF ------------------------------------------------------------------------------


@login_required
@post_only("audits:fieldwork:guide", "pk", "kind")
def pdf_request(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    guide = _guide(request, pk, kind)
    audits_access.require(access.can_download(request.user, guide))
    pdf = services.guide_pdf_request(guide=guide, by=request.user)
    if pdf.is_pending:
        messages.success(request, gettext("The PDF is being made. It takes a minute."))
    return _to_guide(guide, "pdf")


@login_required
@require_safe
def pdf_download(request: HttpRequest, pk: int, kind: str, pdf: int) -> HttpResponse:
    guide = _guide(request, pk, kind)
    audits_access.require(access.can_download(request.user, guide))
    pdf = get_object_or_404(guide.pdfs, pk=pdf)
    if pdf.status != GuidePdf.Status.READY or not pdf.file:
        raise Http404
    return FileResponse(
        pdf.file.open("rb"),
        as_attachment=True,
        filename=f"{guide.audit.reference or guide.audit_id}-{guide.kind}.pdf",
        content_type="application/pdf",
    )
