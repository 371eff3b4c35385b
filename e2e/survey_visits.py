"""The surveys app's pages for the axe crawl: builder, results and every answering page.

The anonymous visitor answers the demo survey (every question kind, a conditional
question, a practice question), with error states, easy-to-read mode and "I don't
understand", then sends it; pages are scanned on the way.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from surveys import services
from surveys.demo import seed
from surveys.models import Kind, Response, SurveyMember

from .crawl import Visit, submit_main_form


def survey_crawl_data(staff, auditor) -> dict:
    published, draft = seed(staff=staff)
    # Given by hand here; in the demo the auditor has it as the lead of the linked audit.
    services.survey_grant_access(survey=published, user=auditor, role=SurveyMember.Role.BUILDER)
    questions = {q.kind: q for q in published.questions.in_order() if not q.is_practice}
    practice = published.questions.get(is_practice=True)
    single_page = services.survey_new_version(survey=published, by=staff)
    single_page.one_question_per_page = False
    single_page.save(update_fields=["one_question_per_page"])
    single_page = services.survey_publish(survey=single_page, by=staff)
    closed = services.survey_new_version(survey=published, by=staff)
    closed = services.survey_publish(survey=closed, by=staff)
    closed = services.survey_close(survey=closed, by=staff)
    not_member = services.survey_create(by=staff, title_sv="Annan enkät")
    job = services.export_request(survey=published, format="csv", by=staff)
    draft_choice = services.question_add(
        section=draft.sections.get(), kind=Kind.SINGLE, text_sv="Vilken dag passar dig?"
    )
    small_unit = services.unit_add(survey=published, name="Ny enhet")
    # Four answers in the new unit: its results must be suppressed.
    for index in range(4):
        started = services.response_start(
            survey=published, unit=small_unit, start_key=f"crawl-small-{index}"
        )
        services.response_submit(response=started.response)
    Response.objects.filter(survey=published, start_key__startswith="crawl-small").update(
        submitted_at=timezone.now() - timedelta(days=1)
    )
    return {
        "survey": published,
        "draft": draft,
        "draft_question": draft.questions.exclude(pk=draft_choice.pk).first(),
        "draft_choice": draft_choice,
        "single_page": single_page,
        "closed": closed,
        "not_member": not_member,
        "export": job,
        "small_unit": small_unit,
        "questions": questions,
        "practice": practice,
        "batch": published.code_batches.first(),
    }


def _start(page):
    page.check("input[value=alone]")
    return submit_main_form(page)


def _press(label: str):
    def action(page):
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name=label, exact=False).first.click()
        return navigation.value

    return action


def _press_value(value: str):
    def action(page):
        with page.expect_navigation() as navigation:
            page.locator(f"main form button[name=action][value={value}]").click()
        return navigation.value

    return action


def _number_out_of_range(page):
    page.fill("main input[type=number]", "99")
    return _press_value("next")(page)


def _easy_switch(page):
    with page.expect_navigation() as navigation:
        page.locator("form.survey-easy-switch button").click()
    return navigation.value


def _send(page):
    with page.expect_navigation() as navigation:
        page.locator("main form[data-submit-once] button[type=submit]").click()
    return navigation.value


def _wrong_code(page):
    page.fill("input[name=code]", "XXXX-XXXX")
    return submit_main_form(page)


def respondent_visits(data) -> list[Visit]:
    s = data["surveys"]
    token = s["survey"].token
    q = s["questions"]
    question = "surveys:answer_question"
    return [
        Visit("survey: start page", "surveys:answer_start", {"token": token}),
        Visit("survey: practice question", "surveys:answer_start", {"token": token}, action=_start),
        Visit(
            "survey: practice question, I don't understand",
            question,
            {"token": token, "question": s["practice"].pk},
            action=_press_value("explain"),
        ),
        Visit(
            "survey: picture scale (5)", question, {"token": token, "question": q[Kind.SCALE5].pk}
        ),
        Visit(
            "survey: picture scale in easy-to-read mode",
            question,
            {"token": token, "question": q[Kind.SCALE5].pk},
            action=_easy_switch,
        ),
        Visit(
            "survey: picture scale (3)", question, {"token": token, "question": q[Kind.SCALE3].pk}
        ),
        Visit("survey: yes / no", question, {"token": token, "question": q[Kind.YES_NO].pk}),
        Visit("survey: single choice", question, {"token": token, "question": q[Kind.SINGLE].pk}),
        Visit(
            "survey: multiple choice", question, {"token": token, "question": q[Kind.MULTIPLE].pk}
        ),
        Visit("survey: number", question, {"token": token, "question": q[Kind.NUMBER].pk}),
        Visit(
            "survey: number out of range (error)",
            question,
            {"token": token, "question": q[Kind.NUMBER].pk},
            action=_number_out_of_range,
        ),
        Visit("survey: free text", question, {"token": token, "question": q[Kind.TEXT].pk}),
        Visit("survey: stop and continue later", "surveys:answer_pause", {"token": token}),
        Visit("survey: review before sending", "surveys:answer_review", {"token": token}),
        Visit("survey: thank you", "surveys:answer_review", {"token": token}, action=_send),
        Visit("survey: done page again", "surveys:answer_done", {"token": token}),
        Visit("survey: continue with a code", "surveys:resume"),
        Visit("survey: wrong code (error)", "surveys:resume", action=_wrong_code),
        Visit("survey: closed", "surveys:answer_start", {"token": s["closed"].token}),
        Visit(
            "survey: all questions on one page",
            "surveys:answer_start",
            {"token": s["single_page"].token},
            action=_start,
        ),
        Visit(
            "survey: all on one page again", "surveys:answer_all", {"token": s["single_page"].token}
        ),
        Visit(
            "survey: draft is not found (404)",
            "surveys:answer_start",
            {"token": s["draft"].token},
            status=404,
        ),
    ]


def builder_visits(data) -> list[Visit]:
    s = data["surveys"]
    pk = s["survey"].pk
    draft = s["draft"].pk
    return [
        Visit("surveys list", "surveys:list"),
        Visit("new survey", "surveys:create"),
        Visit("new survey with errors", "surveys:create", action=submit_main_form),
        Visit("survey builder (published, with answers)", "surveys:builder", {"pk": pk}),
        Visit("survey builder (draft, check fails)", "surveys:builder", {"pk": draft}),
        Visit("survey settings", "surveys:settings", {"pk": draft}),
        Visit("add a section", "surveys:section_create", {"pk": draft}),
        Visit("add a question", "surveys:question_create", {"pk": draft}),
        Visit(
            "add a question with errors",
            "surveys:question_create",
            {"pk": draft},
            action=submit_main_form,
        ),
        Visit(
            "change a choice question (options)",
            "surveys:question_edit",
            {"pk": draft, "question": s["draft_choice"].pk},
        ),
        Visit(
            "change a choice question, more empty options",
            "surveys:question_edit",
            {"pk": draft, "question": s["draft_choice"].pk},
            query="?rows=5",
        ),
        Visit(
            "delete a question",
            "surveys:question_delete",
            {"pk": draft, "question": s["draft_question"].pk},
        ),
        Visit("delete a draft survey", "surveys:delete", {"pk": draft}),
        Visit(
            "delete test answers (refused: real answers)",
            "surveys:test_answers_delete",
            {"pk": pk},
        ),
        Visit("question bank", "surveys:bank", {"pk": draft}),
        Visit("preview", "surveys:preview", {"pk": pk}),
        Visit("preview, easy-to-read", "surveys:preview", {"pk": pk}, action=_easy_switch),
        Visit("preview, all on one page", "surveys:preview", {"pk": s["single_page"].pk}),
        Visit("link and codes", "surveys:distribution", {"pk": pk}),
        Visit("enter paper answers", "surveys:paper_entry", {"pk": pk}),
        Visit("results", "surveys:results", {"pk": pk}),
        Visit(
            "results of a small unit (suppressed)",
            "surveys:results",
            {"pk": pk},
            query=f"?unit={s['small_unit'].pk}",
        ),
        Visit("free-text review", "surveys:free_text", {"pk": pk}),
        Visit("exports", "surveys:exports", {"pk": pk}),
    ]


def staff_survey_visits(data) -> list[Visit]:
    s = data["surveys"]
    pk = s["survey"].pk
    return [
        *builder_visits(data),
        Visit("export status", "surveys:export_status", {"pk": pk, "job": s["export"].pk}),
        Visit("who has access", "surveys:members", {"pk": pk}),
    ]


def auditor_survey_visits(data) -> list[Visit]:
    s = data["surveys"]
    return [
        Visit("surveys list (auditor)", "surveys:list"),
        Visit("survey builder (auditor, lead)", "surveys:builder", {"pk": s["survey"].pk}),
        Visit("results (auditor)", "surveys:results", {"pk": s["survey"].pk}),
        Visit("another survey (404)", "surveys:results", {"pk": s["not_member"].pk}, status=404),
        Visit("who has access (403)", "surveys:members", {"pk": s["survey"].pk}, status=403),
    ]


# Named URLs that are not pages: files, pictures and POST-only actions.
SURVEY_NOT_PAGES = {
    "surveys:code_slips",
    "surveys:paper_pdf",
    "surveys:export_download",
    "surveys:picture",
    "surveys:publish",
    "surveys:close",
    "surveys:new_version",
    "surveys:question_move",
    "surveys:answer_settings",
}
