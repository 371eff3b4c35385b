"""The audits issue's required journey in a real browser, with a real Celery worker.

A commissioner orders through the five-step wizard and gets a receipt; staff accept the
order, write and send the quote; the commissioner accepts it; staff plan, put two trained
auditors on the team (one as lead) and start data collection; the lead auditor accepts the
confidentiality undertaking when first sent to it, records a session, writes a finding and a
proposal citing it, starts the analysis, writes the summaries, drafts the report and asks for
a PDF; a real worker process makes it (Redis in CI, the filesystem broker otherwise); staff
approve it; the commissioner downloads it and its text is checked; staff record the feedback
meeting; the commissioner answers the proposal and sends the response.
"""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, Locator, Page
from playwright.sync_api import Error as PlaywrightError
from pypdf import PdfReader

from audits.models import (
    Audit,
    AuditMember,
    DataCollection,
    Finding,
    Proposal,
    ReportVersion,
    Theme,
)
from audits.tests.factories import SIGNED_AGREEMENT, AuditorProfileFactory, trained_auditor
from brukarkraft.models import User
from brukarkraft.tests.factories import MunicipalityFactory
from e2e.worker import Worker, real_worker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

TITLE = "Jobbtorget Väst"
UNIT = "Jobbtorget Väst, Vivalla"
FINDING = "Deltagarna vet inte vem de ska fråga"
PROPOSAL = "Ge varje deltagare en fast kontaktperson."
ACTION = "Alla deltagare får en kontaktperson vid första mötet."
OWNER = "Enhetschefen"
TIMETABLE = "Datainsamling i mars, rapport i maj."
TIMEOUT = 10_000
# The PDF is made by a worker that has to start first: allow it time on a busy machine.
REPORT_TIMEOUT = 60_000


def sv(message: str, **values) -> str:
    """A string as the Swedish pages show it, from the same catalogue."""
    with translation.override("sv"):
        return gettext(message) % values if values else gettext(message)


@pytest.fixture
def open_page(browser: Browser):
    """A new page in a browser context of its own: one person, one browser."""
    contexts = []

    def open_() -> Page:
        context = browser.new_context(accept_downloads=True, locale="sv-SE")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        return page

    yield open_
    for context in contexts:
        context.close()


def go(page: Page, locator: Locator) -> None:
    """Follow a link or press a button and wait for the page it leads to."""
    try:
        locator.wait_for(state="visible")
    except PlaywrightError as error:
        # The page the user saw instead says more than a timeout does.
        main = page.locator("main")
        seen = main.inner_text() if main.count() else page.content()
        raise AssertionError(f"{locator} is not on {page.url}:\n{seen[:3000]}") from error
    with page.expect_navigation():
        locator.click()
    page.wait_for_load_state()


def follow(page: Page, name: str) -> None:
    go(page, page.locator("main").get_by_role("link", name=name, exact=True))


def press(page: Page, name: str) -> None:
    go(page, page.locator("main").get_by_role("button", name=name, exact=True))


def heading(page: Page) -> str:
    return " ".join(page.locator("main h1").inner_text().split())


def said(page: Page) -> str:
    """The page's messages (success and error) as one line."""
    messages = page.locator(".messages")
    return " ".join(messages.inner_text().split()) if messages.count() else ""


def step(page: Page, action: str) -> None:
    """A plain transition from the audit's page: its link, then its confirmation button."""
    follow(page, sv(action))
    assert heading(page) == sv(action)
    press(page, sv(action))


def now_is(page: Page, status: Audit.Status) -> None:
    label = sv(Audit.Status(status).label)
    assert sv("Done. The audit is now: %(status)s.", status=label) in said(page)


def subjects_to(mail_dir: Path, address: str) -> list[str]:
    """The subjects of the mails the worker wrote to `address` (the filemail backend)."""
    subjects = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_text().split("-" * 79):
            message = email.message_from_string(chunk.strip(), policy=email.policy.default)
            if message["To"] == address:
                subjects.append(str(message["Subject"]).strip())
    return subjects


def pdf_text(path: Path) -> str:
    reader = PdfReader(path)
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


# --- The people ---------------------------------------------------------------------------


def order(page: Page, url, login_in_browser, commissioner: User) -> Audit:
    """The commissioner fills the five steps, checks the order and sends it."""
    login_in_browser(page, commissioner)
    page.goto(url("audits:order_start"))
    assert heading(page) == sv("Order a user audit")
    press(page, sv("Start the order"))
    assert sv("Your order is started. It is saved at every step.") in said(page)

    # Step 1: the audit's name and one unit, in a municipality from the list.
    assert sv("Units") in heading(page)
    page.get_by_label(sv("A name for the audit")).fill(TITLE)
    page.fill("input[name=units-0-name]", UNIT)
    page.select_option("select[name=units-0-service_area]", "labour_market")
    page.select_option("select[name=units-0-municipality]", label="Örebro (Örebro län)")
    press(page, sv("Save and continue"))

    # Step 2: what the commissioner wants to know.
    assert sv("What you want to know") in heading(page)
    page.fill("textarea[name=target_group]", "Deltagare i arbetsmarknadsinsatser")
    page.fill("input[name=approx_users]", "120")
    page.fill("textarea[name=audit_questions]", "Blir deltagarna bemötta med respekt?")
    page.get_by_label(sv("Questionnaire"), exact=True).check()
    press(page, sv("Save and continue"))

    # Step 3: contact (filled in from the account) and invoicing.
    assert sv("Contact and invoicing") in heading(page)
    assert page.locator("input[name=contact_email]").input_value() == commissioner.email
    page.fill("textarea[name=invoice_address]", "Box 1, 701 00 Örebro")
    press(page, sv("Save and continue"))

    # Step 4: the informants' needs.
    assert sv("The informants' needs") in heading(page)
    page.check("input[name=needs_easy_read]")
    press(page, sv("Save and continue"))

    # Step 5: the terms.
    assert sv("Terms") in heading(page)
    page.get_by_label(sv("I accept the terms on behalf of the organisation.")).check()
    page.get_by_label(sv("I accept the processor agreement on behalf of the organisation.")).check()
    press(page, sv("Save and check the order"))

    assert heading(page) == sv("Check and send your order")
    assert TITLE in page.locator("main").inner_text()
    press(page, sv("Send the order"))
    assert sv("Thank you! Your order has been sent.") in said(page)
    audit = Audit.objects.get(title=TITLE)
    assert audit.reference
    assert heading(page) == sv("Receipt for order %(reference)s", reference=audit.reference)
    assert audit.reference in page.locator("main dl").first.inner_text()
    return audit


def quote(page: Page, url, login_in_browser, staff: User, audit: Audit) -> None:
    """Staff find the order in the work queue, accept it, write the quote and send it."""
    login_in_browser(page, staff)
    page.goto(url("audits:queue"))
    follow(page, audit.reference)
    assert heading(page) == TITLE
    follow(page, sv("Accept the order"))
    press(page, sv("Accept the order"))
    assert sv("The order is accepted. Write the quote next.") in said(page)

    follow(page, sv("Write the quote"))
    assert heading(page) == sv("Write the quote")
    # The scope, the questions and the methods come from the order.
    assert UNIT in page.locator("textarea[name=scope]").input_value()
    page.fill("textarea[name=timetable]", TIMETABLE)
    page.fill("textarea[name=who_informs]", "Enheten informerar deltagarna.")
    page.fill("textarea[name=results_return]", "Återkopplingsmöte med deltagare och personal.")
    page.fill("input[name=price]", "45000")
    page.fill("textarea[name=ownership]", "Resultaten ägs gemensamt.")
    press(page, sv("Save the quote"))
    assert sv("The quote is saved. Send it when it is ready.") in said(page)
    press(page, sv("Send the quote"))
    assert sv("The quote is sent to the commissioner.") in said(page)


def accept_quote(page: Page, url, audit: Audit) -> None:
    page.goto(url("audits:detail", pk=audit.pk))
    follow(page, sv("Read and accept the quote"))
    assert heading(page) == sv("Quote and agreement for %(reference)s", reference=audit.reference)
    assert TIMETABLE in page.locator("main").inner_text()
    page.get_by_label(
        sv("I accept the quote and the agreement on behalf of %(organisation)s")
        % {"organisation": audit.organisation.name}
    ).check()
    press(page, sv("Accept the quote"))
    assert sv("Thank you! The quote is accepted. Upload the signed agreement next.") in said(page)
    # Planning waits for the signed agreement.
    page.set_input_files(
        "input[name=signed_agreement]",
        files=[{"name": "avtal.pdf", "mimeType": "application/pdf", "buffer": SIGNED_AGREEMENT}],
    )
    press(page, sv("Upload the agreement"))
    assert sv("The signed agreement is stored.") in said(page)


def plan(page: Page, url, audit: Audit, lead: User, second: User) -> None:
    """Staff start planning, take two auditors from the pool and start data collection."""
    page.goto(url("audits:detail", pk=audit.pk))
    step(page, "Start planning")
    now_is(page, Audit.Status.PLANNING)
    follow(page, sv("Put the team together"))
    assert heading(page) == sv("The audit team")
    for person, role in ((lead, AuditMember.Role.LEAD), (second, AuditMember.Role.AUDITOR)):
        button = "Add as lead" if role == AuditMember.Role.LEAD else "Add as auditor"
        row = page.locator(
            "main tbody tr", has=page.get_by_role("rowheader", name=person.full_name)
        )
        go(page, row.get_by_role("button", name=sv(button)))
        added = sv(
            "%(name)s is on the team as %(role)s.",
            name=person.full_name,
            role=sv(role.label).lower(),
        )
        assert added in said(page)
    team = page.locator("main table").first.inner_text()
    assert lead.full_name in team and second.full_name in team
    follow(page, sv("Back to the audit"))
    step(page, "Start data collection")
    now_is(page, Audit.Status.COLLECTING)


def conduct(page: Page, url, login_in_browser, lead: User, audit: Audit) -> None:
    """The lead auditor signs the undertaking, then records, analyses and drafts."""
    login_in_browser(page, lead)
    page.goto(url("audits:detail", pk=audit.pk))
    # Confidential material is behind the audit's page: the undertaking comes first.
    assert heading(page) == sv("Confidentiality undertaking")
    page.get_by_label(sv("I have read the undertaking and promise to keep it.")).check()
    press(page, sv("Accept the undertaking"))
    assert sv("Thank you. You have accepted the confidentiality undertaking.") in said(page)
    assert heading(page) == TITLE

    follow(page, sv("Data-collection sessions"))
    assert sv("Data collection") in heading(page)
    page.select_option("select[name=kind]", DataCollection.Kind.FOCUS_GROUP)
    page.fill("input[name=held_on]", timezone.localdate().isoformat())
    page.fill("input[name=informants]", "6")
    page.fill("input[name=duration_minutes]", "120")
    press(page, sv("Record the session"))
    assert sv("The session is recorded.") in said(page)
    assert sv("Focus group") in page.locator("main table").first.inner_text()

    page.goto(url("audits:detail", pk=audit.pk))
    step(page, "Start the analysis")
    now_is(page, Audit.Status.ANALYSING)

    follow(page, sv("Findings"))
    page.select_option("select[name=theme]", Theme.INFORMATION)
    page.check("input[name=polarity][value=negative]")
    page.fill("input[name=title]", FINDING)
    page.fill(
        "textarea[name=description]",
        "Flera deltagare beskriver att de inte vet vart de vänder sig.",
    )
    page.fill("textarea[name=quotes]", "Jag visste inte vem jag skulle fråga.")
    press(page, sv("Save the finding"))
    assert sv("Finding %(number)s is saved.", number=1) in said(page)
    finding_heading = sv("Finding %(number)s: %(title)s", number=1, title=FINDING)
    assert page.get_by_role("heading", name=finding_heading).is_visible()

    follow(page, sv("Go to the improvement proposals"))
    page.fill("textarea[name=text]", PROPOSAL)
    page.get_by_label(finding_heading).check()
    press(page, sv("Save the proposal"))
    assert sv("Proposal %(number)s is saved.", number=1) in said(page)
    assert PROPOSAL in page.locator("main article").inner_text()

    page.goto(url("audits:detail", pk=audit.pk))
    follow(page, sv("Summary"))
    page.fill("textarea[name=summary]", "Deltagarna saknar en fast kontaktperson.")
    page.fill(
        "textarea[name=easy_read_summary]", "Vi har frågat deltagarna. De vill ha en kontaktperson."
    )
    press(page, sv("Save the summaries"))
    assert sv("The summaries are saved.") in said(page)

    page.goto(url("audits:detail", pk=audit.pk))
    step(page, "Draft the report")
    now_is(page, Audit.Status.REPORT_DRAFT)


def make_report(page: Page, url, audit: Audit, worker: Worker) -> ReportVersion:
    """The lead asks for a PDF; the worker makes it while the page polls its status."""
    page.goto(url("audits:detail", pk=audit.pk))
    follow(page, sv("The report"))
    assert heading(page) == sv("The report")
    press(page, sv("Make a new version"))
    assert sv(
        "Version %(number)s of the report is being made. It takes a minute or two.", number=1
    ) in said(page)
    # report.js polls the status and reloads the page once the PDF is ready.
    download = page.locator("main").get_by_role(
        "link", name=sv("Download version %(number)s (PDF)", number=1)
    )
    try:
        download.wait_for(state="visible", timeout=REPORT_TIMEOUT)
    except PlaywrightError as error:
        # The worker's side of the story: did it start, take the task, fail?
        raise AssertionError(
            f"No PDF appeared. Worker log:\n{worker.log_text()[-5000:]}"
        ) from error
    version = audit.reports.get()
    assert version.status == ReportVersion.Status.READY
    # Made by the worker process, not inline in the web request.
    worker.wait_for(
        lambda: re.search(r"audits\.tasks\.generate_report\[[^\]]+\] succeeded", worker.log_text()),
        what="the worker to log the report task as done",
    )
    return version


def approve(page: Page, url, audit: Audit) -> None:
    page.goto(url("audits:detail", pk=audit.pk))
    follow(page, sv("Approve the report"))
    page.get_by_label(sv("Comment")).fill("Granskad och godkänd.")
    press(page, sv("Approve the report"))
    now_is(page, Audit.Status.REPORT_APPROVED)


def download_report(page: Page, url, audit: Audit, folder: Path) -> Path:
    page.goto(url("audits:detail", pk=audit.pk))
    follow(page, sv("The report"))
    assert sv("approved, frozen") in page.locator("main [role=status]").inner_text()
    link = page.locator("main").get_by_role(
        "link", name=sv("Download version %(number)s (PDF)", number=1)
    )
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"{audit.reference}-v1.pdf"
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def record_feedback(page: Page, url, audit: Audit) -> None:
    page.goto(url("audits:detail", pk=audit.pk))
    follow(page, sv("Plan or record the feedback meeting"))
    assert heading(page) == sv("Feedback meeting")
    press(page, sv("Record the meeting"))
    assert sv("The feedback meeting is recorded. The commissioner now answers.") in said(page)


def respond(page: Page, url, audit: Audit) -> None:
    page.goto(url("audits:detail", pk=audit.pk))
    follow(page, sv("Answer the proposals"))
    assert heading(page) == sv("Response to the improvement proposals")
    proposal = page.locator("#proposal-1")
    assert PROPOSAL in proposal.inner_text()
    proposal.get_by_label(sv("Accepted"), exact=True).check()
    proposal.get_by_label(sv("What you will do, or why you reject the proposal")).fill(ACTION)
    proposal.get_by_label(sv("Who is responsible")).fill(OWNER)
    deadline = timezone.localdate() + timedelta(days=90)
    proposal.get_by_label(sv("Deadline")).fill(deadline.isoformat())
    go(page, proposal.get_by_role("button", name=sv("Save the answer")))
    assert sv("Your answer to proposal %(number)s is saved.", number=1) in said(page)
    assert ACTION in page.locator("#proposal-1").inner_text()
    press(page, sv("Send the response"))
    assert sv("Thank you! Your response is sent to the centre.") in said(page)


# --- The journey --------------------------------------------------------------------------


def test_an_audit_goes_from_order_to_response_with_the_report_made_by_a_real_worker(
    open_page, url, login_in_browser, commissioner, staff, settings, tmp_path
):
    # Browser tests start from an empty database: the wizard needs a municipality to offer.
    MunicipalityFactory()
    # The lead has not signed the undertaking yet; the second auditor has.
    lead = AuditorProfileFactory(user__full_name="Lina Ledare").user
    second = trained_auditor(user__full_name="Anton Andersson")
    settings.MEDIA_ROOT = tmp_path / "media"

    # The worker starts now, so it is ready by the time the report is asked for.
    with real_worker(tmp_path, media_root=settings.MEDIA_ROOT) as worker:
        cecilia = open_page()
        audit = order(cecilia, url, login_in_browser, commissioner)
        assert audit.status == Audit.Status.REQUESTED

        sara = open_page()
        quote(sara, url, login_in_browser, staff, audit)
        accept_quote(cecilia, url, audit)
        plan(sara, url, audit, lead, second)

        lina = open_page()
        conduct(lina, url, login_in_browser, lead, audit)
        version = make_report(lina, url, audit, worker)

        approve(sara, url, audit)
        pdf = download_report(cecilia, url, audit, tmp_path)
        # The worker also sent the commissioner the news, in Swedish.
        approved = sv(
            "The report of user audit %(reference)s is approved", reference=audit.reference
        )
        worker.wait_for(
            lambda: approved in subjects_to(worker.mail_dir, commissioner.email),
            what="the e-mail that the report is approved",
        )
        record_feedback(sara, url, audit)
        respond(cecilia, url, audit)

    text = pdf_text(pdf)
    assert TITLE in text, text[:2000]
    assert sv("Finding %(number)s: %(title)s", number=1, title=FINDING) in text, text[:4000]
    assert PROPOSAL in text, text[:4000]
    assert version.sha256 and len(pdf.read_bytes()) == version.size

    audit.refresh_from_db()
    assert audit.status == Audit.Status.RESPONSE_RECEIVED
    assert list(audit.events.order_by("pk").values_list("action", flat=True)) == [
        "submitted",
        "accepted",
        "quote_sent",
        "quote_accepted",
        "agreement_uploaded",
        "planning_started",
        "member_added",
        "member_added",
        "collecting_started",
        "analysis_started",
        "report_drafted",
        "report_approved",
        "feedback_held",
        "response_sent",
    ]
    assert audit.members.get(role=AuditMember.Role.LEAD).user == lead
    assert audit.members.get(role=AuditMember.Role.AUDITOR).user == second
    finding = audit.findings.get()
    assert (finding.title, finding.polarity) == (FINDING, Finding.Polarity.NEGATIVE)
    answered = audit.proposals.get()
    assert (answered.response, answered.action, answered.action_owner) == (
        Proposal.Response.ACCEPTED,
        ACTION,
        OWNER,
    )
    assert list(answered.findings.all()) == [finding]
