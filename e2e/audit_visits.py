"""The audits app's pages for the axe crawl: every step of an audit, for every role.

audit_crawl_data builds one audit in each state the pages need, all ordered by the
`commissioner` persona's organisation, with the `auditor` persona as the lead of every
team. The auditor's confidentiality undertaking is left unsigned on purpose: the
auditor's crawl begins by being sent to it, fails it once and then accepts it, so the
form, its error state and the accepted state are all scanned.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from audits import services
from audits.models import (
    Audit,
    DataCollection,
    FeeEntry,
    Finding,
    Quote,
    ReportVersion,
    Theme,
)
from audits.tests.factories import (
    QUOTE,
    AuditFactory,
    AuditorProfileFactory,
    audit_in_state,
    trained_auditor,
)

from .crawl import Visit, submit_main_form

S = Audit.Status


def _ready_version(audit: Audit, by, number: int, status: str = ReportVersion.Status.READY):
    # A PDF is not made here (WeasyPrint is slow); the report page only reads the row.
    return ReportVersion.objects.create(
        audit=audit,
        number=number,
        language=audit.language,
        status=status,
        sha256="0" * 64 if status == ReportVersion.Status.READY else "",
        size=48_213 if status == ReportVersion.Status.READY else 0,
        pages=6 if status == ReportVersion.Status.READY else 0,
        error="WeasyPrint stopped." if status == ReportVersion.Status.FAILED else "",
        requested_by=by,
        finished_at=timezone.now() if status != ReportVersion.Status.QUEUED else None,
    )


def audit_crawl_data(commissioner, staff, auditor, organisation) -> dict:
    AuditorProfileFactory(user=auditor)
    partner = trained_auditor(user__full_name="Petra Partner")
    spare = trained_auditor(user__full_name="Sven Reserv")

    def walk(status: str, **kwargs) -> Audit:
        return audit_in_state(
            status,
            commissioner=commissioner,
            staff=staff,
            auditors=[auditor, partner],
            organisation=organisation,
            **kwargs,
        )

    requested = walk(S.REQUESTED)
    quote_ready = walk(S.REQUESTED)
    services.audit_accept(audit=quote_ready, by=staff)
    services.quote_save(audit=quote_ready, by=staff, data=dict(QUOTE))
    quoted = walk(S.QUOTED)
    agreed = walk(S.AGREED)
    planning = walk(S.PLANNING)

    collecting = walk(S.COLLECTING)
    finding = services.finding_create(
        audit=collecting,
        by=staff,
        data={
            "theme": Theme.TREATMENT,
            "polarity": Finding.Polarity.NEGATIVE,
            "title": "Svårt att nå handläggaren",
            "description": "Flera deltagare beskriver att de inte vet vem de ska fråga.",
            "quotes": "Jag visste inte vem jag skulle fråga.",
        },
    )
    proposal = services.proposal_create(
        audit=collecting, by=staff, text="Inför en fast kontaktperson.", findings=[finding]
    )
    services.session_record(
        audit=collecting,
        by=staff,
        data={
            "kind": DataCollection.Kind.INTERVIEW,
            "held_on": timezone.localdate(),
            "informants": 1,
            "duration_minutes": 55,
            "note": "Intervju på enheten.",
        },
    )
    services.fee_log(
        audit=collecting,
        by=auditor,
        data={
            "worked_on": timezone.localdate(),
            "activity": FeeEntry.Activity.DATA_COLLECTION,
            "hours": Decimal("3.5"),
            "travel_km": 24,
            "travel_cost": Decimal("0"),
        },
    )
    # The pool must offer someone to add, and someone who cannot be added.
    services.conflict_declare(
        auditor=spare,
        by=spare,
        unit=planning.units.first(),
        organisation=None,
        reason="uses_unit",
        note="",
    )
    AuditorProfileFactory(user__full_name="Nora Nybörjare")

    # The agreement page once a signed file is stored; only the name is needed, so no file
    # is written to the media folder.
    Quote.objects.filter(audit=planning).update(signed_agreement="audits/agreements/signed.pdf")

    analysing = walk(S.ANALYSING)
    _ready_version(analysing, staff, 1, status=ReportVersion.Status.QUEUED)
    report_draft = walk(S.REPORT_DRAFT)
    _ready_version(report_draft, staff, 1)
    _ready_version(report_draft, staff, 2, status=ReportVersion.Status.FAILED)
    report_approved = walk(S.REPORT_APPROVED)
    feedback_held = walk(S.FEEDBACK_HELD)
    response_received = walk(S.RESPONSE_RECEIVED)
    follow_up = walk(S.FOLLOW_UP)
    cancelled = walk(S.CANCELLED)
    # Someone else's order: the personas who are not on it or staff must get 404.
    elsewhere = audit_in_state(S.REQUESTED, staff=staff)
    # More audits than fit on one page of the list, so its page links are scanned too.
    # Their own reference series: the factory's sequence may meet the services' numbers.
    for index in range(12):
        AuditFactory(status=S.REQUESTED, reference=f"BR-2025-9{index:04d}")
    # Opened last: order_start hands back an untouched draft opened a moment earlier (a
    # double click), so walk() would otherwise take this one further.
    draft = services.order_start(organisation=organisation, by=commissioner, language="sv")
    today = timezone.localdate()
    return {
        "draft": draft,
        "requested": requested,
        "quote_ready": quote_ready,
        "quoted": quoted,
        "agreed": agreed,
        "planning": planning,
        "collecting": collecting,
        "finding": finding,
        "proposal": proposal,
        "analysing": analysing,
        "report_draft": report_draft,
        "report_approved": report_approved,
        "feedback_held": feedback_held,
        "response_received": response_received,
        "follow_up": follow_up,
        "cancelled": cancelled,
        "elsewhere": elsewhere,
        "payout_query": (
            f"?date_from={(today - timedelta(days=31)).isoformat()}&date_to={today.isoformat()}"
        ),
        "payout_wrong_query": (
            f"?date_from={today.isoformat()}&date_to={(today - timedelta(days=1)).isoformat()}"
        ),
    }


# --- Actions on a page before it is scanned -------------------------------------------

TEXT_FIELDS = (
    "input[type=text], input[type=email], input[type=number], input[type=date],"
    " input[type=datetime-local], input[type=tel], textarea"
)
# The page's own form posts to itself; buttons posting elsewhere carry an action.
OWN_FORM = "main form[method=post]:not([action])"


def _click(selector: str):
    def action(page):
        with page.expect_navigation() as navigation:
            page.locator(selector).first.click()
        return navigation.value

    return action


def _send_emptied(form_selector: str = OWN_FORM):
    """Empty the form's text fields and untick its boxes, then send it: the error state."""

    def action(page):
        form = page.locator(form_selector).first
        for field in form.locator(TEXT_FIELDS).all():
            if field.is_visible():
                field.fill("")
        for box in form.locator("input[type=checkbox]").all():
            box.uncheck()
        with page.expect_navigation() as navigation:
            form.locator("[type=submit]").first.click()
        return navigation.value

    return action


def _yesterday() -> str:
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def _fill_and_send(values: dict[str, str], tick: tuple[str, ...] | list[str] = ()):
    """Fill fields with values the form refuses, then send the page's own form."""

    def action(page):
        for selector, value in values.items():
            page.fill(f"main {selector}", value)
        for selector in tick:
            page.check(f"main {selector}")
        with page.expect_navigation() as navigation:
            page.locator(f"{OWN_FORM} [type=submit]").first.click()
        return navigation.value

    return action


def _upload_not_a_pdf(page):
    page.set_input_files(
        "main input[type=file]",
        files=[{"name": "avtal.pdf", "mimeType": "application/pdf", "buffer": b"not a PDF"}],
    )
    return submit_main_form(page)


def _accept_undertaking(page):
    page.check("main input[name=accept]")
    return submit_main_form(page)


def _answer_proposal(page):
    form = page.locator("main form[action*='/respond/']").first
    form.locator("input[type=radio][value=accepted]").check()
    form.locator("textarea").fill("Varje deltagare får en kontaktperson.")
    form.locator("input[name$=action_owner]").fill("Enhetschefen")
    form.locator("input[type=date]").fill((timezone.localdate() + timedelta(days=60)).isoformat())
    with page.expect_navigation() as navigation:
        form.locator("[type=submit]").click()
    return navigation.value


# --- The visits, per persona ------------------------------------------------------------


def _pk(data, name: str) -> dict:
    return {"pk": data["audits"][name].pk}


def commissioner_audit_visits(data) -> list[Visit]:
    a = data["audits"]
    draft = a["draft"].pk

    def step(number: int) -> dict:
        return {"pk": draft, "step": number}

    return [
        Visit("audits list (commissioner)", "audits:list"),
        Visit("order a user audit, with a draft", "audits:order_start"),
        *[
            Visit(f"order step {number}", "audits:order_step", step(number))
            for number in range(1, 6)
        ],
        Visit("order step 1 with errors", "audits:order_step", step(1), action=_send_emptied()),
        Visit(
            "order step 2 with errors",
            "audits:order_step",
            step(2),
            action=_fill_and_send({"input[name=period_start]": _yesterday()}),
        ),
        Visit(
            "order step 3 with errors",
            "audits:order_step",
            step(3),
            action=_fill_and_send({"input[name=contact_email]": "inte-en-adress"}),
        ),
        Visit(
            "order step 4 with errors",
            "audits:order_step",
            step(4),
            action=_fill_and_send({}, tick=["input[name=needs_interpreter]"]),
        ),
        Visit("order step 5 with errors", "audits:order_step", step(5), action=_send_emptied()),
        Visit("order review, things missing", "audits:order_review", {"pk": draft}),
        Visit("delete a draft order", "audits:order_discard", {"pk": draft}),
        Visit("order receipt", "audits:order_receipt", _pk(data, "requested")),
        Visit("audit page, requested (commissioner)", "audits:detail", _pk(data, "requested")),
        Visit("cancel the audit", "audits:cancel", _pk(data, "requested")),
        Visit(
            "cancel the audit with errors",
            "audits:cancel",
            _pk(data, "requested"),
            action=_send_emptied(),
        ),
        Visit("audit page, quoted (commissioner)", "audits:detail", _pk(data, "quoted")),
        Visit("read and accept the quote", "audits:quote", _pk(data, "quoted")),
        Visit(
            "accept the quote with errors",
            "audits:quote",
            _pk(data, "quoted"),
            action=_send_emptied(),
        ),
        Visit("the accepted quote", "audits:quote", _pk(data, "agreed")),
        Visit("upload the signed agreement", "audits:agreement_upload", _pk(data, "agreed")),
        Visit(
            "upload the signed agreement with errors",
            "audits:agreement_upload",
            _pk(data, "agreed"),
            action=_upload_not_a_pdf,
        ),
        Visit("the signed agreement, stored", "audits:agreement_upload", _pk(data, "planning")),
        Visit("answer the proposals", "audits:response", _pk(data, "feedback_held")),
        Visit(
            "answer the proposals with errors",
            "audits:response",
            _pk(data, "feedback_held"),
            action=_send_emptied("main form[action*='/respond/']"),
        ),
        Visit(
            "answer the proposals, one answered",
            "audits:response",
            _pk(data, "feedback_held"),
            action=_answer_proposal,
        ),
        Visit(
            "answer the proposals, response sent",
            "audits:response",
            _pk(data, "feedback_held"),
            action=_click("main form[action$='/response/send/'] [type=submit]"),
        ),
        Visit("report progress at the follow-up", "audits:follow_up", _pk(data, "follow_up")),
        Visit(
            "report progress with errors",
            "audits:follow_up",
            _pk(data, "follow_up"),
            action=_send_emptied("main form[action*='/progress/']"),
        ),
        Visit("the approved report (commissioner)", "audits:report", _pk(data, "follow_up")),
        Visit("findings, read only (commissioner)", "audits:findings", _pk(data, "follow_up")),
        Visit("proposals, read only (commissioner)", "audits:proposals", _pk(data, "follow_up")),
        Visit("audit page, follow-up (commissioner)", "audits:detail", _pk(data, "follow_up")),
        Visit(
            "no access (403): the team's sessions",
            "audits:sessions",
            _pk(data, "follow_up"),
            status=403,
        ),
        Visit("no access (403): work queue", "audits:queue", status=403),
        Visit("no access (403): coverage", "audits:coverage", status=403),
        Visit("no access (403): fees to pay out", "audits:fees_payout", status=403),
        Visit("no access (403): auditor details", "audits:auditor_profile", status=403),
        Visit(
            "another organisation's audit (404)",
            "audits:detail",
            _pk(data, "elsewhere"),
            status=404,
        ),
    ]


def auditor_audit_visits(data) -> list[Visit]:
    collecting = _pk(data, "collecting")
    finding = {**collecting, "finding": data["audits"]["finding"].pk}
    proposal = {**collecting, "proposal": data["audits"]["proposal"].pk}
    return [
        # The undertaking is not signed yet: the audit's page sends the auditor to it.
        Visit("audit page sends to the undertaking", "audits:detail", collecting),
        Visit(
            "undertaking with errors",
            "audits:detail",
            collecting,
            action=_click(f"{OWN_FORM} [type=submit]"),
        ),
        Visit(
            "undertaking accepted, back on the audit page",
            "audits:detail",
            collecting,
            action=_accept_undertaking,
        ),
        Visit("undertaking, already accepted", "audits:undertaking"),
        Visit("audits list (auditor)", "audits:list"),
        Visit("data collection", "audits:sessions", collecting),
        Visit("data collection with errors", "audits:sessions", collecting, action=_send_emptied()),
        Visit("findings", "audits:findings", collecting),
        Visit("findings with errors", "audits:findings", collecting, action=_send_emptied()),
        Visit("change a finding", "audits:finding_edit", finding),
        Visit(
            "change a finding with errors",
            "audits:finding_edit",
            finding,
            action=_send_emptied(),
        ),
        Visit("delete a finding", "audits:finding_delete", finding),
        Visit("improvement proposals", "audits:proposals", collecting),
        Visit(
            "improvement proposals with errors",
            "audits:proposals",
            collecting,
            action=_send_emptied(),
        ),
        Visit("change a proposal", "audits:proposal_edit", proposal),
        Visit(
            "change a proposal with errors",
            "audits:proposal_edit",
            proposal,
            action=_send_emptied(),
        ),
        Visit("delete a proposal", "audits:proposal_delete", proposal),
        Visit("summary (lead)", "audits:summary", collecting),
        Visit("summary saved", "audits:summary", collecting, action=submit_main_form),
        Visit("my hours and travel", "audits:fees", collecting),
        Visit("log hours with errors", "audits:fees", collecting, action=_send_emptied()),
        Visit(
            "my hours, an entry removed",
            "audits:fees",
            collecting,
            action=_click("main form[action*='/fees/'] [type=submit]"),
        ),
        Visit(
            "start the analysis (lead)",
            "audits:transition",
            {**collecting, "action": "start_analysis"},
        ),
        Visit(
            "the report with a failed version (team)", "audits:report", _pk(data, "report_draft")
        ),
        Visit("the report being made (team)", "audits:report", _pk(data, "analysing")),
        Visit("my details as an auditor", "audits:auditor_profile"),
        Visit("my details saved", "audits:auditor_profile", action=submit_main_form),
        Visit("my conflicts of interest", "audits:conflicts"),
        Visit("declare a conflict with errors", "audits:conflicts", action=_send_emptied()),
        Visit("no access (403): work queue (auditor)", "audits:queue", status=403),
        Visit("no access (403): order (auditor)", "audits:order_start", status=403),
        Visit(
            "no access (403): put the team together (auditor)",
            "audits:team",
            collecting,
            status=403,
        ),
        Visit(
            "an audit not on the team (404)",
            "audits:detail",
            _pk(data, "elsewhere"),
            status=404,
        ),
    ]


def staff_audit_visits(data) -> list[Visit]:
    a = data["audits"]
    return [
        Visit("audits list (staff)", "audits:list"),
        Visit("audits list, filtered", "audits:list", query="?status=requested&q=Jobbtorget"),
        Visit("audits list, page 2", "audits:list", query="?page=2"),
        Visit("work queue", "audits:queue"),
        Visit("coverage across the counties", "audits:coverage"),
        Visit("fees to pay out", "audits:fees_payout", query=a["payout_query"]),
        Visit(
            "fees to pay out with errors",
            "audits:fees_payout",
            query=a["payout_wrong_query"],
        ),
        Visit("audit page, requested (staff)", "audits:detail", _pk(data, "requested")),
        Visit("accept the order", "audits:accept", _pk(data, "requested")),
        Visit("decline the order", "audits:decline", _pk(data, "requested")),
        Visit(
            "decline the order with errors",
            "audits:decline",
            _pk(data, "requested"),
            action=_send_emptied(),
        ),
        Visit("write the quote", "audits:quote_edit", _pk(data, "quote_ready")),
        Visit(
            "write the quote with errors",
            "audits:quote_edit",
            _pk(data, "quote_ready"),
            action=_send_emptied(),
        ),
        Visit(
            "audit page, quote sent",
            "audits:detail",
            _pk(data, "quote_ready"),
            action=_click("main form[action$='/quote/send/'] [type=submit]"),
        ),
        Visit("the quote as sent (staff)", "audits:quote", _pk(data, "quoted")),
        Visit("choose who performs the audit", "audits:performer", _pk(data, "agreed")),
        Visit("choose the survey", "audits:survey_link", _pk(data, "agreed")),
        Visit(
            "start planning",
            "audits:transition",
            {**_pk(data, "agreed"), "action": "start_planning"},
        ),
        Visit(
            "start planning, not possible now",
            "audits:transition",
            {**_pk(data, "planning"), "action": "start_planning"},
        ),
        Visit(
            "start data collection",
            "audits:transition",
            {**_pk(data, "planning"), "action": "start_collecting"},
        ),
        Visit("put the team together", "audits:team", _pk(data, "planning")),
        Visit(
            "the team, a new lead named",
            "audits:team",
            _pk(data, "planning"),
            action=_click("main form[action$='/lead/'] [type=submit]"),
        ),
        Visit(
            "the team, an auditor removed",
            "audits:team",
            _pk(data, "planning"),
            action=_click("main form[action$='/remove/'] [type=submit]"),
        ),
        Visit("plan the feedback meeting", "audits:feedback", _pk(data, "planning")),
        Visit(
            "plan the feedback meeting with errors",
            "audits:feedback",
            _pk(data, "planning"),
            action=_send_emptied("main form[method=post]"),
        ),
        Visit("record the feedback meeting", "audits:feedback", _pk(data, "report_approved")),
        Visit(
            "record the feedback meeting with errors",
            "audits:feedback",
            _pk(data, "report_approved"),
            action=_send_emptied("main form[method=post] >> nth=1"),
        ),
        Visit("audit page, collecting (staff)", "audits:detail", _pk(data, "collecting")),
        Visit("data collection (staff)", "audits:sessions", _pk(data, "collecting")),
        Visit("findings (staff)", "audits:findings", _pk(data, "collecting")),
        Visit("improvement proposals (staff)", "audits:proposals", _pk(data, "collecting")),
        Visit("the report draft (staff)", "audits:report", _pk(data, "report_draft")),
        Visit(
            "approve the report",
            "audits:transition",
            {**_pk(data, "report_draft"), "action": "approve_report"},
        ),
        Visit("start the follow-up", "audits:follow_up_start", _pk(data, "response_received")),
        Visit(
            "start the follow-up with errors",
            "audits:follow_up_start",
            _pk(data, "response_received"),
            action=_send_emptied(),
        ),
        Visit("the commissioner's response (staff)", "audits:response", _pk(data, "follow_up")),
        Visit(
            "close the audit",
            "audits:transition",
            {**_pk(data, "follow_up"), "action": "close"},
        ),
        Visit("audit page, cancelled", "audits:detail", _pk(data, "cancelled")),
        Visit(
            "no access (403): hours of a team not joined",
            "audits:fees",
            _pk(data, "collecting"),
            status=403,
        ),
        Visit("no access (403): order (staff)", "audits:order_start", status=403),
        Visit("no access (403): undertaking (staff)", "audits:undertaking", status=403),
    ]


def admin_audit_visits(data) -> list[Visit]:
    return [
        Visit("audits list as admin", "audits:list"),
        Visit("work queue as admin", "audits:queue"),
        Visit("coverage as admin", "audits:coverage"),
        Visit("fees to pay out as admin", "audits:fees_payout"),
    ]


def outsider_audit_visits(data) -> list[Visit]:
    return [
        Visit("no access (403): audits list", "audits:list", status=403),
        Visit("no access (403): order", "audits:order_start", status=403),
        Visit("no access (403): undertaking", "audits:undertaking", status=403),
        Visit("no access (403): auditor details", "audits:auditor_profile", status=403),
        Visit("an audit (404)", "audits:detail", _pk(data, "requested"), status=404),
    ]


def anonymous_audit_visits(data) -> list[Visit]:
    return [
        Visit("order a user audit (anonymous)", "audits:order_start"),
        Visit("register and order", "audits:order_register"),
        Visit(
            "register and order with errors",
            "audits:order_register",
            action=submit_main_form,
        ),
        Visit("audits list, anonymous, goes to login", "audits:list"),
    ]


# Named URLs that are not pages: files, JSON and POST-only actions (whose buttons the
# visits above press, scanning the page each one returns to).
AUDIT_NOT_PAGES = {
    "audits:report_download",
    "audits:agreement_download",
    "audits:fees_payout_csv",
    "audits:report_status",
    "audits:quote_send",
    "audits:report_request",
    "audits:report_retry",
    "audits:team_lead",
    "audits:team_remove",
    "audits:proposal_respond",
    "audits:response_submit",
    "audits:proposal_progress",
    "audits:fee_delete",
}
