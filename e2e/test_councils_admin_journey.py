"""The councils issue's admin journey in a real browser, in Django admin (in English).

An admin registers a council with its first terms of reference; runs an appointment from
the owner's request through the call, a nomination and the recommendation to the Appoint…
page, which shows the gender balance before the candidate joins the council; holds a meeting
(a case on the agenda, the notice sent, attendance, minutes written and approved); and
follows the case across a second meeting to closed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from brukarkraft.models import Organisation
from brukarkraft.tests.factories import OrganisationFactory, UserFactory
from councils import services
from councils.models import AppointmentRequest, Case, Council, Gender, Meeting, Nomination

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 10_000
COUNCIL = "Brukarrådet psykiatri Örebro"
CANDIDATE = "Karin Kandidat"
CASE_TITLE = "Färdtjänsten kommer för sent"
CRITERIA = {
    "representativeness": "Har egen erfarenhet av psykiatrin i länet.",
    "candidate_motivation": "Vill att fler ska bli lyssnade på.",
    "organisation_or_umbrella": "Föreslås av den egna föreningen.",
    "national_or_local": "Lokal förankring i Örebro.",
    "assignment": "Ledamot i brukarrådet under två år.",
    "ability_and_willingness": "Har gått föreningens utbildning för representanter.",
    "capacity": "Kan komma på fyra möten om året.",
}


@pytest.fixture
def fake_pdf(monkeypatch, settings, tmp_path):
    # WeasyPrint is tested in councils/tests/test_pdf.py; here only the flow matters.
    import councils.pdf

    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(councils.pdf, "minutes_pdf", lambda meeting: b"%PDF-1.7 minutes")


def choose_in_autocomplete(page: Page, field: str, text: str) -> None:
    """Pick `text` in the admin's autocomplete (select2) widget for `field`."""
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def save_and_continue(page: Page) -> None:
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    expect(page.locator(".errornote")).to_have_count(0)


def submit(page: Page, label: str) -> None:
    with page.expect_navigation():
        page.locator(f"#content-main input[type=submit][value='{label}']").click()


def follow_tool(page: Page, label: str) -> None:
    with page.expect_navigation():
        page.locator(".object-tools a", has_text=label).click()


def test_an_admin_runs_a_council_from_creation_to_a_closed_case(
    new_context, live_server, login_in_browser, admin_user, fake_pdf
):
    admin_user.preferred_language = "en"
    admin_user.save(update_fields=["preferred_language"])
    owner = OrganisationFactory(name="Örebro kommun", kind=Organisation.Kind.MUNICIPALITY)
    rsmh = OrganisationFactory(name="RSMH Örebro", kind=Organisation.Kind.USER_ORGANISATION)
    candidate = UserFactory(full_name=CANDIDATE)
    admin = f"{live_server.url}/en/admin/councils"
    today = timezone.localdate()

    page = new_context().new_page()
    page.set_default_timeout(TIMEOUT)
    login_in_browser(page, admin_user)

    # --- A council with its first terms of reference ---------------------------------------
    page.goto(f"{admin}/council/add/")
    page.locator("#id_name").fill(COUNCIL)
    page.get_by_label("Address name").fill("brukarradet-psykiatri-orebro")
    choose_in_autocomplete(page, "owner", owner.name)
    page.get_by_label("Level:", exact=True).select_option(Council.Level.MUNICIPAL)
    page.locator("textarea[name=mandates-0-text]").fill(
        "Rådet ger kommunen råd. Det behandlar inte enskilda ärenden."
    )
    page.locator("input[name=mandates-0-adopted_on]").fill(today.isoformat())
    page.locator("input[name=mandates-0-revision_due]").fill(
        (today + timedelta(days=3 * 365)).isoformat()
    )
    save_and_continue(page)
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    council = Council.objects.get(name=COUNCIL)
    assert council.mandates.get().number == 1
    expect(page.locator("#content-main")).to_contain_text(
        "Rådet ger kommunen råd. Det behandlar inte enskilda ärenden."
    )
    # Three men already serve: the rule for four members will need two women.
    for name in ("Bo Berg", "Carl Ceder", "David Dal"):
        services.member_add(
            council=council,
            user=UserFactory(full_name=name),
            role="member",
            term_start=today - timedelta(days=100),
            term_end=today + timedelta(days=600),
            organisation=rsmh,
            gender=Gender.MAN,
        )

    # --- An appointment: request, call, nomination, recommendation, appointment ----------
    page.goto(f"{admin}/appointmentrequest/add/")
    page.get_by_label("Council:", exact=True).select_option(str(council.pk))
    page.get_by_label("Representatives wanted:", exact=True).fill("1")
    page.get_by_label("Mental health").check()
    page.get_by_label("What the owner asks for:", exact=True).fill(
        "En representant med egen erfarenhet."
    )
    page.get_by_label("Nominations by:", exact=True).fill((today + timedelta(days=20)).isoformat())
    submit(page, "Confirm")
    expect(page.locator(".messagelist")).to_contain_text("The request was registered.")
    request = AppointmentRequest.objects.get(council=council)

    follow_tool(page, "Send the call")
    page.get_by_label(rsmh.name).check()
    submit(page, "Send the call")
    expect(page.locator(".messagelist")).to_contain_text("The call was sent to 1 organisation.")

    page.goto(f"{admin}/nomination/add/")
    page.get_by_label("Request:", exact=True).select_option(str(request.pk))
    page.get_by_label("Candidate:", exact=True).select_option(str(candidate.pk))
    page.get_by_label("Nominated by:", exact=True).select_option(str(rsmh.pk))
    page.get_by_label("User category:", exact=True).select_option("mental_health")
    page.get_by_label("Gender:", exact=True).select_option(Gender.WOMAN)
    page.get_by_label("Why this candidate:", exact=True).fill("Lång erfarenhet av föreningsarbete.")
    for name, answer in CRITERIA.items():
        page.locator(f"textarea[name={name}]").fill(answer)
    page.get_by_label("The organisation confirms").check()
    submit(page, "Confirm")
    expect(page.locator(".messagelist")).to_contain_text("The nomination was registered.")

    follow_tool(page, "Recommend")
    submit(page, "Recommend")
    expect(page.locator(".messagelist")).to_contain_text("The candidate was recommended.")

    follow_tool(page, "Appoint…")
    balance = page.locator("#content-main ul").first
    expect(balance).to_contain_text(
        "3 members (deputies included): needs 1 woman and 1 man, has 0 women and 3 men"
        " — 1 more woman needed"
    )
    expect(balance).to_contain_text(
        "4 members (deputies included): needs 2 women and 2 men, has 1 woman and 3 men"
    )
    expect(page.locator("#content-main")).to_contain_text(CRITERIA["capacity"])
    submit(page, "Appoint")
    expect(page.locator(".messagelist")).to_contain_text(f"{CANDIDATE} was appointed")
    assert Nomination.objects.get(request=request).status == Nomination.Status.APPOINTED

    page.goto(f"{admin}/council/{council.pk}/change/")
    expect(page.locator("#members-group")).to_contain_text(CANDIDATE)

    # --- A meeting: agenda with a case, notice, attendance, minutes, approval -----------
    case = services.case_submit(
        council=council,
        by=candidate,
        title=CASE_TITLE,
        why="Flera missar sina tider.",
        where="Hela kommunen.",
        when="Varje vecka.",
        proposed_solution="En kontaktperson hos färdtjänsten.",
    )
    starts = timezone.localtime() + timedelta(days=10)
    page.goto(f"{admin}/meeting/add/")
    choose_in_autocomplete(page, "council", COUNCIL)
    page.locator("input[name=starts_at_0]").fill(starts.date().isoformat())
    page.locator("input[name=starts_at_1]").fill("18:00:00")
    page.locator("#id_place").fill("Stadshuset, sal 3")
    page.get_by_label("Accessibility of the place:", exact=True).fill(
        "Hörslinga och tillgänglig toalett."
    )
    save_and_continue(page)
    meeting = Meeting.objects.get(council=council)

    page.locator("#agenda-group .add-row a").click()
    page.locator("select[name=agenda-0-case]").select_option(str(case.pk))
    save_and_continue(page)
    case.refresh_from_db()
    assert case.status == Case.Status.ON_AGENDA

    follow_tool(page, "Send notice")
    submit(page, "Send notice")
    # Ten days ahead is under the three weeks members need.
    expect(page.locator(".messagelist")).to_contain_text("less than 3 weeks")
    expect(page.locator(".messagelist")).to_contain_text("is on its way")

    # Time passes: the meeting has been held.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    page.reload()
    members = {m.display_name: m for m in council.members.all()}
    for index, (name, status) in enumerate(
        [(CANDIDATE, "present"), ("Bo Berg", "present"), ("Carl Ceder", "absent")]
    ):
        page.locator("#attendance-group .add-row a").click()
        page.locator(f"select[name=attendance-{index}-member]").select_option(str(members[name].pk))
        page.locator(f"select[name=attendance-{index}-status]").select_option(status)
    page.locator("textarea[name=agenda-0-decision]").fill("Rådet föreslår en kontaktperson.")
    page.locator("textarea[name=agenda-0-follow_up]").fill("Förvaltningen svarar till nästa möte.")
    page.locator("select[name=agenda-0-case_status]").select_option(Case.Status.FOLLOW_UP)
    page.locator("textarea[name=minutes]").fill(
        f"Närvarande: {CANDIDATE} och Bo Berg. Färdtjänsten togs upp."
    )
    save_and_continue(page)
    case.refresh_from_db()
    assert case.status == Case.Status.FOLLOW_UP
    assert meeting.attendance.count() == 3

    follow_tool(page, "Approve minutes")
    submit(page, "Approve minutes")
    expect(page.locator(".messagelist")).to_contain_text("are approved and locked")
    expect(page.get_by_role("link", name="Open the minutes (PDF)")).to_be_visible()
    # Locked: the minutes can no longer be edited.
    expect(page.locator("textarea[name=minutes]")).to_have_count(0)

    # --- The case at a second meeting, closed ------------------------------------------
    second = services.meeting_create(
        council=council, starts_at=timezone.now() - timedelta(hours=1), place="Medborgarhuset"
    )
    page.goto(f"{admin}/meeting/{second.pk}/change/")
    page.locator("#agenda-group .add-row a").click()
    page.locator("select[name=agenda-0-case]").select_option(str(case.pk))
    save_and_continue(page)
    page.locator("textarea[name=agenda-0-decision]").fill(
        "Kontaktpersonen är på plats; ärendet avslutas."
    )
    page.locator("select[name=agenda-0-case_status]").select_option(Case.Status.CLOSED)
    save_and_continue(page)

    page.goto(f"{admin}/case/{case.pk}/change/")
    content = page.locator("#content-main")
    expect(content).to_contain_text("Rådet föreslår en kontaktperson.")
    expect(content).to_contain_text("Kontaktpersonen är på plats; ärendet avslutas.")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.closed_at is not None
    assert list(
        case.agenda_items.values_list("meeting", flat=True).order_by("meeting__starts_at")
    ) == [
        meeting.pk,
        second.pk,
    ]
