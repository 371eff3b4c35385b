"""A person's data across the portal: export, erasure, and the staff pages that do them
(brukarkraft/privacy.py, brukarkraft/views/people.py)."""

from __future__ import annotations

import json
import re

import pytest
from axes.models import AccessLog
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.models import Audit, AuditMember
from audits.tests.factories import AuditFactory, ConflictFactory, audit_in_state, trained_auditor
from brukarkraft import privacy
from brukarkraft.models import AccessibilityFeedback, Membership, PersonErasure, User
from brukarkraft.privacy import Person
from brukarkraft.tests.factories import (
    AccessibilityFeedbackFactory,
    MembershipFactory,
    UserFactory,
)
from councils.models import Assessment, Member
from councils.tests.factories import CouncilFactory, MeetingFactory, MemberFactory
from resources.models import GuidanceRequest
from resources.tests.factories import GuidanceRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def maja(organisation):
    # Maja is a council member and belongs to an organisation; she has sent feedback,
    # logged in, and set up two-step login.
    user = UserFactory(full_name="Maja Medlem", email="maja@example.se")
    MembershipFactory(user=user, organisation=organisation, title="Samordnare")
    MemberFactory(user=user, display_name="Maja Medlem")
    AccessibilityFeedbackFactory(name="Maja Medlem", email="Maja@Example.se")
    AccessLog.objects.create(
        username="maja@example.se", ip_address="192.0.2.1", user_agent="x", http_accept="*/*"
    )
    TOTPDevice.objects.create(user=user, name="Telefon", confirmed=True)
    StaticDevice.objects.create(user=user, name="Reservkoder")
    return user


@pytest.fixture
def olle(maja):
    # Olle sits on Maja's council: nothing of his may show in her data or change with hers.
    council = Member.objects.get(user=maja).council
    return MemberFactory(
        council=council, user=UserFactory(full_name="Olle Annan", email="olle@example.se")
    )


def url(name: str, person: Person | None = None) -> str:
    return reverse(name, args=[person.token] if person else [])


# --- Export ------------------------------------------------------------------------------


def test_the_export_has_a_header_and_a_section_per_app(maja, staff):
    data = privacy.export_person(Person.for_user(maja))

    header = data["header"]
    assert header["portal"] == "Brukarkraft"
    assert header["generated_at"]
    assert header["person"] == {
        "email": "maja@example.se",
        "name": "Maja Medlem",
        "has_account": True,
    }
    keys = [section["key"] for section in header["sections"]]
    assert keys == ["audits", "councils", "resources", "surveys", "accounts"]
    assert all(key in data for key in keys)
    assert data["accounts"]["account"]["email"] == "maja@example.se"
    assert [o["title"] for o in data["accounts"]["organisations"]] == ["Samordnare"]
    devices = {d["name"] for d in data["accounts"]["two_factor_devices"]}
    assert devices == {"Telefon", "Reservkoder"}
    assert [f["email"] for f in data["accounts"]["accessibility_feedback"]] == ["Maja@Example.se"]
    assert [row["ip_address"] for row in data["accounts"]["logins"]] == ["192.0.2.1"]
    assert data["councils"]["memberships"][0]["name"] == "Maja Medlem"
    # The staff member who made the file is not in it: it holds one person's data.
    assert staff.full_name not in json.dumps(data)


def test_the_export_holds_nothing_of_another_person(maja, olle):
    MeetingFactory(council=olle.council, minutes="Olle Annan och Maja Medlem deltog.")

    text = json.dumps(privacy.export_person(Person.for_user(maja)))

    assert "Olle" not in text
    assert "olle@example.se" not in text


def test_an_auditors_export_holds_their_audit_work():
    astrid = trained_auditor(user__full_name="Astrid Revisor")
    audit = audit_in_state(Audit.Status.ANALYSING, auditors=[astrid, trained_auditor()])
    ConflictFactory(auditor=astrid)

    data = privacy.export_person(Person.for_user(astrid))

    assert data["audits"]["auditor_profile"]["training"] == "trained"
    assert [row["audit"] for row in data["audits"]["team_memberships"]] == [audit.reference]
    assert len(data["audits"]["conflicts"]) == 1


def test_an_order_contact_without_an_account_is_found_and_exported():
    audit = AuditFactory(contact_name="Kim Kontakt", contact_email="kim@example.se")

    (found,) = privacy.find_people("KIM@example.se")
    person = privacy.person_from_token(found.token)
    data = privacy.export_person(person)

    assert (found.name, found.has_account) == ("Kim Kontakt", False)
    assert person.user is None and person.email == "kim@example.se"
    assert data["header"]["person"]["has_account"] is False
    assert [row["audit"] for row in data["audits"]["orders"]] == [audit.reference]


def test_someone_who_asked_for_guidance_without_an_account_is_exported():
    GuidanceRequestFactory(name="Gun Frågare", email="gun@example.se")

    (found,) = privacy.find_people("Frågare")
    data = privacy.export_person(privacy.person_from_token(found.token))

    assert [row["name"] for row in data["resources"]["guidance_requests"]] == ["Gun Frågare"]
    assert data["accounts"]["account"] is None


# --- Finding and pointing at a person -------------------------------------------------------


def test_a_search_gives_each_person_once_with_everything_they_are(maja):
    GuidanceRequestFactory(name="Maja Medlem", email="maja@example.se")

    with translation.override("en"):
        (found,) = privacy.find_people("maja medlem")

    assert found.has_account and found.email == "maja@example.se"
    kinds = {kind.split(" (")[0] for kind in found.kinds}
    assert kinds == {
        "User account",
        "Council member",
        "Sent accessibility feedback",
        "Asked for method guidance",
    }
    council = Member.objects.get(user=maja).council
    assert f"Council member ({council.name})" in found.kinds


def test_the_token_hides_the_address_and_a_forged_one_points_at_no_one(maja):
    token = Person.for_user(maja).token

    assert "maja" not in token.lower()
    assert privacy.person_from_token(token).user == maja
    assert privacy.person_from_token(token[:-2] + "xx") is None
    assert privacy.person_from_token("not-a-token") is None


# --- Erasure ------------------------------------------------------------------------------


def test_erasure_anonymises_the_account_and_deletes_what_need_not_stay(maja, olle, staff):
    summary = privacy.erase_person(Person.for_user(maja), by=staff, reason="Begäran 3 mars.")

    maja.refresh_from_db()
    assert not maja.is_active and not maja.has_usable_password()
    assert maja.email == f"erased-{maja.pk}@invalid.example"
    assert "Maja" not in maja.full_name
    assert not Membership.objects.filter(user=maja).exists()
    assert not TOTPDevice.objects.filter(user=maja).exists()
    assert not StaticDevice.objects.filter(user=maja).exists()
    assert not AccessLog.objects.filter(username__iexact="maja@example.se").exists()
    feedback = AccessibilityFeedback.objects.get()
    assert (feedback.name, feedback.email) == ("", "")
    assert feedback.message  # the report itself stays
    member = Member.objects.get(user=maja)
    assert member.erased_at and "Maja" not in member.display_name
    assert not Member.history.filter(display_name="Maja Medlem").exists()
    olle.refresh_from_db()
    assert olle.display_name == "Olle Annan" and olle.user.is_active
    # The record says who, when, why and how much, and nothing about the person.
    record = summary.record
    assert record.performed_by == staff and record.user == maja
    assert record.changed["accounts"] >= 5 and record.held["councils"]["memberships"] == 1
    stored = json.dumps([record.reason, record.held, record.changed])
    assert "Maja" not in stored and "maja@" not in stored


def test_erasure_ends_the_persons_session(client, maja, staff):
    client.force_login(maja)
    assert client.get(reverse("profile")).status_code == 200

    privacy.erase_person(Person.for_user(maja), by=staff, reason="Begäran.")

    response = client.get(reverse("profile"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_erasure_is_all_or_nothing(maja, staff, monkeypatch):
    from surveys import privacy as surveys_privacy

    def fail(person, replacement):
        raise RuntimeError("the surveys part failed")

    monkeypatch.setattr(surveys_privacy, "erase", fail)

    with pytest.raises(RuntimeError):
        privacy.erase_person(Person.for_user(maja), by=staff, reason="Begäran.")

    maja.refresh_from_db()
    assert maja.is_active and maja.email == "maja@example.se"
    assert Member.objects.get(user=maja).display_name == "Maja Medlem"
    assert Membership.objects.filter(user=maja).exists()
    assert AccessibilityFeedback.objects.get().email == "Maja@Example.se"
    assert not PersonErasure.objects.exists()


def test_a_second_erasure_changes_nothing_and_says_so(maja, staff):
    first = privacy.erase_person(Person.for_user(maja), by=staff, reason="Begäran.")
    maja.refresh_from_db()

    second = privacy.erase_person(Person.for_user(maja), by=staff, reason="Igen.")

    assert not first.nothing_left
    assert second.nothing_left and second.total == 0
    assert second.record == first.record
    assert PersonErasure.objects.count() == 1


def test_an_auditor_reads_as_a_former_auditor_and_the_approved_report_is_kept(staff):
    astrid = trained_auditor(user__full_name="Astrid Revisor")
    audit = audit_in_state(Audit.Status.REPORT_APPROVED, auditors=[astrid, trained_auditor()])

    summary = privacy.erase_person(Person.for_user(astrid), by=staff, reason="Begäran.")

    astrid.refresh_from_db()
    assert astrid.full_name == privacy.Replacement(number=summary.record.pk).label("auditor")
    assert AuditMember.objects.filter(audit=audit, user=astrid).exists()
    assert audit.reports.filter(approved=True).count() == 1
    assert summary.record.held["audits"]["approved_reports"] == 1


# --- The staff pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["person_search", "person_detail", "person_export", "person_erase"]
)
def test_only_staff_reach_the_pages(client, maja, outsider, commissioner, auditor, name):
    person = None if name == "person_search" else Person.for_user(maja)
    address = url(name, person)

    assert client.get(address).status_code == 302  # anonymous: to the login page
    for user in (outsider, commissioner, auditor, maja):
        client.force_login(user)
        assert client.get(address).status_code == 403
    assert client.post(url("person_erase", Person.for_user(maja)), {}).status_code == 403
    maja.refresh_from_db()
    assert maja.is_active


def test_an_empty_search_shows_the_error_summary(client, staff):
    client.force_login(staff)

    response = client.get(url("person_search") + "?q=+")

    page = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in page and 'href="#id_q"' in page


def test_the_search_page_lists_each_person_with_what_they_are(client, staff, maja):
    client.force_login(staff)

    response = client.get(url("person_search") + "?q=Maja@Example.se")

    (found,) = response.context["results"]
    page = response.content.decode()
    assert found.email == "maja@example.se"
    link = reverse("person_detail", args=[found.token])
    assert link in page and "maja" not in link


def test_the_detail_page_takes_the_same_queries_for_few_or_many_records(
    client, staff, django_assert_num_queries
):
    client.force_login(staff)
    few = UserFactory()
    MemberFactory(user=few)
    many = UserFactory()
    for _ in range(5):
        member = MemberFactory(user=many)
        MeetingFactory(council=member.council, minutes=f"{many.full_name} var där.")
        GuidanceRequestFactory(email=many.email)
        AccessibilityFeedbackFactory(email=many.email)
    client.get(url("person_detail", Person.for_user(few)))  # caches warmed (content types …)

    with CaptureQueriesContext(connection) as first:
        response = client.get(url("person_detail", Person.for_user(few)))
    assert response.status_code == 200
    with django_assert_num_queries(len(first)):
        response = client.get(url("person_detail", Person.for_user(many)))
    held = {h.key: {i.key: i.count for i in h.items} for h in response.context["holdings"]}
    assert held["councils"]["memberships"] == 5
    assert held["councils"]["minutes_naming"] == 5
    assert held["resources"]["guidance_requests"] == 5
    assert held["accounts"]["accessibility_feedback"] == 5


def test_the_download_is_an_attachment_named_without_the_address(client, staff, maja):
    client.force_login(staff)

    response = client.get(url("person_export", Person.for_user(maja)))

    disposition = response["Content-Disposition"]
    assert response.status_code == 200
    assert disposition.startswith("attachment;") and "maja" not in disposition
    assert json.loads(response.content)["accounts"]["account"]["email"] == "maja@example.se"


def test_erasure_asks_for_a_reason_and_a_tick_first(client, staff, maja):
    client.force_login(staff)
    address = url("person_erase", Person.for_user(maja))

    asked = client.get(address)
    refused = client.post(address, {"reason": ""})

    assert asked.status_code == 200
    assert "error-summary" in refused.content.decode()
    assert set(refused.context["form"].errors) == {"reason", "confirm"}
    maja.refresh_from_db()
    assert maja.is_active


def test_staff_cannot_erase_themselves(client, staff):
    client.force_login(staff)

    response = client.post(
        url("person_erase", Person.for_user(staff)), {"reason": "Test.", "confirm": "on"}
    )

    assert response.status_code == 200 and "error-summary" in response.content.decode()
    staff.refresh_from_db()
    assert staff.is_active


def test_erasing_on_the_page_shows_a_receipt_and_a_second_post_is_harmless(client, staff, maja):
    client.force_login(staff)
    address = url("person_erase", Person.for_user(maja))
    form = {"reason": "Begäran per e-post 3 mars.", "confirm": "on"}

    done = client.post(address, form)
    again = client.post(address, form)

    record = PersonErasure.objects.get()
    assert done.status_code == 302 and done["Location"].endswith(f"?done={record.pk}")
    receipt = client.get(done["Location"])
    assert receipt.status_code == 200 and receipt.context["erasure"] == record
    assert "Maja" not in receipt.content.decode()
    assert again.status_code == 302 and "again=1" in again["Location"]
    assert client.get(again["Location"]).context["again"] is True
    assert PersonErasure.objects.count() == 1


def test_a_person_known_only_by_name_is_erased_once(client, staff):
    assessment = Assessment.objects.create(
        council=CouncilFactory(), held_on="2026-01-15", rapporteur="Rita Rapportör", secretary="X Y"
    )
    client.force_login(staff)
    (found,) = privacy.find_people("Rita")
    address = reverse("person_erase", args=[found.token])
    form = {"reason": "Begäran.", "confirm": "on"}

    assert client.post(address, form).status_code == 302
    again = client.post(address, form)

    assessment.refresh_from_db()
    assert "Rita" not in assessment.rapporteur
    assert again.status_code == 200 and again.context["erasure"] is None
    assert PersonErasure.objects.count() == 1


# --- The person's own data ------------------------------------------------------------------


def test_a_person_downloads_their_own_data_from_their_account_page(client, maja, olle):
    assert client.get(reverse("my_data")).status_code == 302
    client.force_login(maja)

    profile = client.get(reverse("profile")).content.decode()
    response = client.get(reverse("my_data"))

    assert reverse("my_data") in profile
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["accounts"]["account"]["email"] == "maja@example.se"
    assert "olle@example.se" not in response.content.decode()


def test_guidance_asked_by_someone_without_an_account_is_deleted_on_erasure(staff):
    GuidanceRequestFactory(name="Gun Frågare", email="gun@example.se")
    (found,) = privacy.find_people("gun@example.se")

    summary = privacy.erase_person(privacy.person_from_token(found.token), by=staff, reason="B.")

    assert summary.changed["resources"] == 1
    assert not GuidanceRequest.objects.exists()
    assert privacy.person_from_token(found.token) is None
    assert User.objects.count() == 1  # only the staff member: no account was made


# --- In a browser ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["sv"])
def test_the_staff_pages_pass_axe_from_search_to_receipt(
    page, live_server, axe, login_in_browser, settings, staff, language
):
    from playwright.sync_api import expect

    settings.TWO_FACTOR_REQUIRED = False
    person = UserFactory(full_name="Maja Medlem", email="maja@example.se")
    MemberFactory(user=person)
    GuidanceRequestFactory(name="Maja Medlem", email="maja@example.se")
    staff.preferred_language = language
    staff.save(update_fields=["preferred_language"])
    login_in_browser(page, staff)
    with translation.override(language):
        search = live_server.url + reverse("person_search")

    def check(label: str) -> None:
        expect(page.locator("main h1")).to_have_count(1)
        assert page.locator("html").get_attribute("lang") == language
        axe(page, f"{label} ({language})")

    page.goto(search)
    check("search")
    page.locator("main form [type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check("search with errors")
    page.fill("#id_q", "maja medlem")
    page.locator("main form [type=submit]").click()
    check("search results")
    page.locator("main table a").first.click()
    expect(page.locator("main h1")).to_have_text("Maja Medlem")
    check("person")
    page.locator("main a[href$='/erase/']").first.click()
    check("erase, asked")
    page.locator("main form [type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check("erase with errors")
    page.fill("#id_reason", "Begäran per e-post.")
    page.check("#id_confirm")
    page.locator("main form [type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?done=\d+$"))
    check("receipt")
    person.refresh_from_db()
    assert not person.is_active
