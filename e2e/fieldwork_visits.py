"""The guide pages (audits/fieldwork) for the axe crawl.

fieldwork_crawl_data puts guides on the crawl's collecting audit, where the `auditor`
persona is the lead and the `commissioner` persona orders: a shared interview guide built
from the bank, with a comment, a removed question, an empty section and a ready PDF row;
the focus-group guide is left unstarted, so the overview offers to start it.
"""

from __future__ import annotations

from django.utils import timezone

from audits.fieldwork import services
from audits.fieldwork.models import GuideKind, GuidePdf
from audits.fieldwork.tests.factories import BankQuestionFactory
from audits.models import Audit, Theme

from .crawl import Visit

OWN_FORM = "main form[method=post]:not([action])"


def fieldwork_crawl_data(audit: Audit, commissioner) -> dict:
    lead = audit.members.get(role="lead").user
    bank = [
        BankQuestionFactory(theme=Theme.TREATMENT),
        BankQuestionFactory(theme=Theme.SAFETY, easy_read_sv="", follow_ups_sv=""),
        BankQuestionFactory(theme=Theme.INFORMATION),
    ]
    guide = services.guide_start(audit=audit, kind=GuideKind.INTERVIEW, by=lead)
    first = guide.sections.get()
    services.questions_add_from_bank(guide=guide, by=lead, section=first, bank_questions=bank[:2])
    question = services.question_add(
        guide=guide,
        by=lead,
        section=first,
        data={"text": "Hur fungerar det att byta handledare?", "follow_ups": "Vem hjälpte dig?"},
    )
    removed = services.question_add(
        guide=guide, by=lead, section=first, data={"text": "Hur är maten?"}
    )
    services.guide_share(guide=guide, by=lead)
    services.question_remove(question=removed, by=lead)
    empty = services.section_add(guide=guide, by=lead, title="Avslutning")
    services.comment_add(guide=guide, by=commissioner, text="Fråga också om öppettiderna.")
    # The PDF's row only: the page reads it, and WeasyPrint would slow the crawl.
    GuidePdf.objects.create(
        guide=guide,
        language=audit.language,
        status=GuidePdf.Status.READY,
        file="audits/guides/guide.pdf",
        size=20_000,
        requested_by=lead,
        finished_at=timezone.now(),
    )
    return {"audit": audit, "guide": guide, "question": question, "section": empty}


def _guide(data) -> dict:
    guide = data["fieldwork"]["guide"]
    return {"pk": guide.audit_id, "kind": guide.kind}


def _send_own_form(page):
    with page.expect_navigation() as navigation:
        page.locator(f"{OWN_FORM} [type=submit]").first.click()
    return navigation.value


def _send_emptied(page):
    form = page.locator(OWN_FORM).first
    for field in form.locator("input[type=text], textarea").all():
        field.fill("")
    with page.expect_navigation() as navigation:
        form.locator("[type=submit]").first.click()
    return navigation.value


def lead_fieldwork_visits(data) -> list[Visit]:
    guide = _guide(data)
    section = {**guide, "section_id": data["fieldwork"]["section"].pk}
    question = {**guide, "question_id": data["fieldwork"]["question"].pk}
    return [
        Visit("guides of the audit (lead)", "audits:fieldwork:guides", {"pk": guide["pk"]}),
        Visit("interview guide (lead)", "audits:fieldwork:guide", guide),
        Visit(
            "comment on the guide with errors",
            "audits:fieldwork:guide",
            guide,
            action=_send_emptied,
        ),
        Visit("pick questions from the bank", "audits:fieldwork:bank", guide),
        Visit(
            "pick questions from the bank, one theme",
            "audits:fieldwork:bank",
            guide,
            query="?theme=safety",
        ),
        Visit(
            "pick questions from the bank with errors",
            "audits:fieldwork:bank",
            guide,
            action=_send_own_form,
        ),
        Visit("change the introduction", "audits:fieldwork:introduction", guide),
        Visit(
            "change the introduction with errors",
            "audits:fieldwork:introduction",
            guide,
            action=_send_emptied,
        ),
        Visit("add a section", "audits:fieldwork:section_add", guide),
        Visit(
            "add a section with errors",
            "audits:fieldwork:section_add",
            guide,
            action=_send_emptied,
        ),
        Visit("rename a section", "audits:fieldwork:section_edit", section),
        Visit("delete a section", "audits:fieldwork:section_delete", section),
        Visit("write a question", "audits:fieldwork:question_add", guide),
        Visit(
            "write a question with errors",
            "audits:fieldwork:question_add",
            guide,
            action=_send_emptied,
        ),
        Visit("change a question", "audits:fieldwork:question_edit", question),
        Visit("remove a question", "audits:fieldwork:question_remove", question),
    ]


def commissioner_fieldwork_visits(data) -> list[Visit]:
    guide = _guide(data)
    return [
        Visit("guides of the audit (commissioner)", "audits:fieldwork:guides", {"pk": guide["pk"]}),
        Visit("shared interview guide (commissioner)", "audits:fieldwork:guide", guide),
        Visit(
            "comment on the guide with errors (commissioner)",
            "audits:fieldwork:guide",
            guide,
            action=_send_emptied,
        ),
        Visit("no access (403): the bank", "audits:fieldwork:bank", guide, status=403),
        Visit(
            "unshared guide (404)",
            "audits:fieldwork:guide",
            {**guide, "kind": GuideKind.FOCUS_GROUP},
            status=404,
        ),
    ]


def staff_fieldwork_visits(data) -> list[Visit]:
    guide = _guide(data)
    return [
        Visit("guides of the audit (staff)", "audits:fieldwork:guides", {"pk": guide["pk"]}),
        Visit("interview guide (staff)", "audits:fieldwork:guide", guide),
    ]


def outsider_fieldwork_visits(data) -> list[Visit]:
    return [
        Visit("a guide (404)", "audits:fieldwork:guide", _guide(data), status=404),
    ]


FIELDWORK_NOT_PAGES = {
    "audits:fieldwork:guide_start",
    "audits:fieldwork:share",
    "audits:fieldwork:section_move",
    "audits:fieldwork:question_move",
    "audits:fieldwork:question_restore",
    "audits:fieldwork:pdf_request",
    "audits:fieldwork:pdf_download",
}
