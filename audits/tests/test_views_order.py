"""The commissioner's pages: the order wizard, registration, the quote and agreement,
cancelling, the response to the proposals, the follow-up and the start page."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audits import services
from audits.models import Audit, AuditEvent, Method, Proposal, Quote, ServiceArea
from audits.tests.factories import (
    QUOTE,
    AuditFactory,
    ProposalFactory,
    audit_in_state,
    trained_auditor,
)
from brukarkraft.models import Membership, Organisation, User
from brukarkraft.roles import Role
from brukarkraft.tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def en(name: str, *args) -> str:
    # English pages, so the assertions read the source wording whatever is translated.
    with translation.override("en"):
        return reverse(f"audits:{name}", args=args)


def units_post(*rows: dict, title: str = "", action: str = "continue") -> dict:
    """Step 1's POST: the five unit rows (the rest left empty) and the title."""
    data = {
        "units-TOTAL_FORMS": "5",
        "units-INITIAL_FORMS": "0",
        "units-MIN_NUM_FORMS": "0",
        "units-MAX_NUM_FORMS": "5",
        "title": title,
        action: "",
    }
    for index in range(5):
        row = rows[index] if index < len(rows) else {}
        for field in ("name", "service_area", "municipality"):
            data[f"units-{index}-{field}"] = row.get(field, "")
    return data


@pytest.fixture
def municipality(db):
    return MunicipalityFactory()


@pytest.fixture
def draft(commissioner, organisation):
    # Cecilia's own draft order, nothing filled in yet.
    return services.order_start(organisation=organisation, by=commissioner)


@pytest.fixture
def team_auditor(db):
    # Tove is on the team of the audits made with her; she may read but not decide.
    return trained_auditor()


def own_draft(organisation, user) -> Audit:
    """A further draft order, made as the commissioner makes one: started, then a first step
    saved (a second press on "start" would hand back an untouched draft instead)."""
    draft = services.order_start(organisation=organisation, by=user)
    Audit.objects.filter(pk=draft.pk).update(order_step=1)
    return draft


def test_two_commissioners_can_each_start_a_draft(commissioner, other_commissioner):
    services.order_start(organisation=commissioner.organisations.get(), by=commissioner)
    services.order_start(organisation=other_commissioner.organisations.get(), by=other_commissioner)

    assert Audit.objects.filter(status=Audit.Status.DRAFT).count() == 2


def _snapshot(audit: Audit) -> dict:
    audit.refresh_from_db()
    return {
        field.name: getattr(audit, field.attname)
        for field in Audit._meta.concrete_fields
        if field.name != "updated_at"
    }


# --- Starting an order -------------------------------------------------------------------


def test_anonymous_visitors_see_the_intro_with_links_to_log_in_and_register(client):
    response = client.get(en("order_start"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "What happens after you order" in html
    assert f"?next={en('order_start')}" in html
    assert en("order_register") in html
    assert '<form method="post" novalidate>' not in html


def test_a_logged_in_user_without_the_commissioner_role_gets_403(client, auditor, outsider):
    for person in (auditor, outsider):
        client.force_login(person)
        assert client.get(en("order_start")).status_code == 403
        assert client.post(en("order_start"), {"language": "sv"}).status_code == 403
    assert not Audit.objects.exists()


def test_a_commissioner_with_one_organisation_starts_an_order_without_choosing_it(
    client, commissioner, organisation
):
    client.force_login(commissioner)

    page = client.get(en("order_start"))
    response = client.post(en("order_start"), {"language": "nb"})

    assert 'name="organisation"' not in page.content.decode()
    audit = Audit.objects.get()
    assert response.url == en("order_step", audit.pk, 1)
    assert audit.status == Audit.Status.DRAFT
    assert audit.organisation == organisation
    assert audit.ordered_by == commissioner
    assert audit.language == "nb"


def test_a_commissioner_with_two_organisations_must_choose_one(
    client, commissioner, other_organisation
):
    MembershipFactory(user=commissioner, organisation=other_organisation)
    client.force_login(commissioner)

    refused = client.post(en("order_start"), {"language": "sv"})
    chosen = client.post(
        en("order_start"), {"language": "sv", "organisation": other_organisation.pk}
    )

    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()
    assert chosen.status_code == 302
    assert Audit.objects.get().organisation == other_organisation


def test_a_commissioner_cannot_order_for_an_organisation_they_do_not_belong_to(
    client, commissioner, organisation, other_organisation
):
    # Two memberships, so the choice is shown; Olof's organisation is not among them.
    MembershipFactory(user=commissioner)
    client.force_login(commissioner)

    response = client.post(
        en("order_start"), {"language": "sv", "organisation": other_organisation.pk}
    )

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not Audit.objects.exists()


# --- The wizard ----------------------------------------------------------------------------


def test_the_whole_order_is_saved_step_by_step_reviewed_and_sent(
    client, commissioner, draft, municipality
):
    client.force_login(commissioner)
    start = timezone.localdate() + timedelta(days=30)

    # Step 1: the units and a title.
    response = client.post(
        en("order_step", draft.pk, 1),
        units_post(
            {
                "name": "Jobbtorget  Väster",
                "service_area": ServiceArea.LABOUR_MARKET,
                "municipality": municipality.pk,
            },
            {
                "name": "Daglig verksamhet",
                "service_area": ServiceArea.LSS,
                "municipality": municipality.pk,
            },
            title="Brukarrevision 2026",
        ),
    )
    assert response.url == en("order_step", draft.pk, 2)
    draft.refresh_from_db()
    assert draft.title == "Brukarrevision 2026"
    assert sorted(draft.units.values_list("name", flat=True)) == [
        "Daglig verksamhet",
        "Jobbtorget Väster",
    ]

    # The review lists what is still missing, each linked to its step.
    review = client.get(en("order_review", draft.pk)).content.decode()
    assert "Describe the target group." in review
    assert "Give an invoice address." in review
    assert "Accept the processor agreement." in review
    assert f'href="{en("order_step", draft.pk, 5)}">Accept the terms.' in review
    assert "Send the order</button>" not in review

    # Step 2: what they want to know.
    response = client.post(
        en("order_step", draft.pk, 2),
        {
            "target_group": "Deltagare i arbetsmarknadsinsatser",
            "approx_users": "120",
            "audit_questions": "Blir deltagarna bemötta med respekt?",
            "preferred_methods": [Method.QUESTIONNAIRE, Method.FOCUS_GROUP],
            "period_start": start.isoformat(),
            "period_end": (start + timedelta(days=90)).isoformat(),
            "continue": "",
        },
    )
    assert response.url == en("order_step", draft.pk, 3)

    # Step 3, then leave: "Save and come back later".
    response = client.post(
        en("order_step", draft.pk, 3),
        {
            "contact_name": "Cecilia Beställare",
            "contact_email": "cecilia@example.se",
            "contact_phone": "019-21 10 00",
            "invoice_org_number": "2120001967",
            "invoice_address": "Box 1, 701 00 Örebro",
            "invoice_reference": "AME-77",
            "invoice_email": "faktura@example.se",
            "later": "",
        },
    )
    assert response.url == en("order_start")

    # Coming back: the draft is listed, continues at step 4, and step 3 kept its data.
    start_page = client.get(en("order_start")).content.decode()
    assert "Brukarrevision 2026" in start_page
    assert en("order_step", draft.pk, 4) in start_page
    step_3 = client.get(en("order_step", draft.pk, 3)).content.decode()
    assert 'value="019-21 10 00"' in step_3
    assert 'value="212000-1967"' in step_3
    step_2 = client.get(en("order_step", draft.pk, 2)).content.decode()
    assert "Blir deltagarna bemötta med respekt?" in step_2
    assert f'value="{start.isoformat()}"' in step_2

    # Steps 4 and 5.
    response = client.post(
        en("order_step", draft.pk, 4),
        {"needs_interpreter": "on", "interpreter_languages": "arabiska", "continue": ""},
    )
    assert response.url == en("order_step", draft.pk, 5)
    response = client.post(
        en("order_step", draft.pk, 5),
        {"accept_terms": "on", "accept_processor_agreement": "on", "continue": ""},
    )
    assert response.url == en("order_review", draft.pk)

    review = client.get(en("order_review", draft.pk)).content.decode()
    assert "Before you can send the order" not in review
    assert "Jobbtorget Väster" in review
    assert "Questionnaire, Focus groups" in review
    assert "arabiska" in review
    assert "Send the order</button>" in review

    response = client.post(en("order_review", draft.pk))

    assert response.url == en("order_receipt", draft.pk)
    draft.refresh_from_db()
    assert draft.status == Audit.Status.REQUESTED
    assert draft.reference == f"BR-{timezone.localdate().year}-{draft.pk:05d}"
    assert draft.preferred_methods == [Method.QUESTIONNAIRE, Method.FOCUS_GROUP]
    assert draft.invoice_org_number == "212000-1967"
    receipt = client.get(response.url).content.decode()
    assert draft.reference in receipt
    assert "What happens next" in receipt


def test_a_double_submit_lands_on_the_receipt_and_changes_nothing(client, commissioner):
    audit = audit_in_state(Audit.Status.REQUESTED, commissioner=commissioner)
    client.force_login(commissioner)
    before = _snapshot(audit)
    events = AuditEvent.objects.count()

    response = client.post(en("order_review", audit.pk))

    assert response.url == en("order_receipt", audit.pk)
    assert _snapshot(audit) == before
    assert AuditEvent.objects.count() == events


def test_an_incomplete_order_cannot_be_sent(client, commissioner, draft):
    client.force_login(commissioner)

    response = client.post(en("order_review", draft.pk), follow=True)

    assert "Name at least one unit to audit." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Audit.Status.DRAFT
    assert draft.reference == ""


def test_a_sent_order_redirects_its_steps_to_the_receipt(client, commissioner):
    audit = audit_in_state(Audit.Status.REQUESTED, commissioner=commissioner)
    client.force_login(commissioner)

    for url in (en("order_step", audit.pk, 2), en("order_discard", audit.pk)):
        assert client.get(url).url == en("order_receipt", audit.pk)


def test_a_half_filled_unit_row_is_an_error_and_saves_nothing(
    client, commissioner, draft, municipality
):
    client.force_login(commissioner)
    before = _snapshot(draft)

    response = client.post(
        en("order_step", draft.pk, 1),
        units_post({"name": "Jobbtorget", "municipality": municipality.pk}, title="Ny titel"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html
    assert "Unit 1, service area: This field is required." in html
    assert _snapshot(draft) == before
    assert not draft.units.exists()


def test_no_units_at_all_gives_the_services_error(client, commissioner, draft):
    client.force_login(commissioner)

    response = client.post(en("order_step", draft.pk, 1), units_post(title="Bara titel"))

    assert response.status_code == 200
    assert "Name at least one unit to audit." in response.content.decode()
    draft.refresh_from_db()
    assert draft.title == ""


def test_the_period_must_start_in_the_future_and_end_after_it_starts(client, commissioner, draft):
    client.force_login(commissioner)
    before = _snapshot(draft)
    today = timezone.localdate()

    past = client.post(
        en("order_step", draft.pk, 2),
        {"period_start": (today - timedelta(days=1)).isoformat(), "continue": ""},
    )
    backwards = client.post(
        en("order_step", draft.pk, 2),
        {
            "period_start": (today + timedelta(days=20)).isoformat(),
            "period_end": (today + timedelta(days=10)).isoformat(),
            "continue": "",
        },
    )

    assert "The earliest start cannot be in the past." in past.content.decode()
    assert "The report date must come after the start." in backwards.content.decode()
    assert _snapshot(draft) == before


def test_a_bad_invoice_organisation_number_is_refused(client, commissioner, draft):
    client.force_login(commissioner)
    before = _snapshot(draft)

    response = client.post(
        en("order_step", draft.pk, 3), {"invoice_org_number": "212000-1968", "continue": ""}
    )

    assert "The organisation number is not valid" in response.content.decode()
    assert _snapshot(draft) == before


def test_an_interpreter_needs_its_languages(client, commissioner, draft):
    client.force_login(commissioner)
    before = _snapshot(draft)

    response = client.post(en("order_step", draft.pk, 4), {"needs_interpreter": "on"})

    assert "Say which languages the interpreter needs." in response.content.decode()
    assert _snapshot(draft) == before


def test_the_terms_page_shows_the_terms_and_both_boxes_are_required(client, commissioner, draft):
    client.force_login(commissioner)

    page = client.get(en("order_step", draft.pk, 5)).content.decode()
    response = client.post(en("order_step", draft.pk, 5), {"accept_terms": "on", "continue": ""})

    assert "The results are owned jointly." in page
    assert "article 28" in page
    assert "Sub-processors" in page
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.terms_accepted_at is None
    assert draft.processor_agreement_accepted_at is None


def test_the_step_list_marks_the_current_step_and_links_the_done_ones(client, commissioner, draft):
    services.order_save_step(audit=draft, by=commissioner, step=3, data={})
    client.force_login(commissioner)

    html = client.get(en("order_step", draft.pk, 2)).content.decode()

    assert '<span aria-current="step"><strong>2. What you want to know</strong>' in html
    # Saved past but without a unit, step 1 links back and says it is not complete.
    assert f'<a href="{en("order_step", draft.pk, 1)}">1. Units</a> (not complete)' in html
    assert "4. The informants&#x27; needs (not done yet)" in html
    assert client.get(en("order_step", draft.pk, 6)).status_code == 404


@pytest.mark.parametrize("persona", ["other_commissioner", "outsider", "auditor", "staff"])
def test_others_get_404_on_someone_elses_draft(client, request, persona, draft):
    client.force_login(request.getfixturevalue(persona))
    before = _snapshot(draft)

    for url in (
        en("order_step", draft.pk, 1),
        en("order_review", draft.pk),
        en("order_discard", draft.pk),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"continue": ""}).status_code == 404
    assert _snapshot(draft) == before


def test_a_colleague_in_the_same_organisation_gets_404_on_the_draft(client, organisation, draft):
    colleague = UserFactory(roles=[Role.COMMISSIONER])
    MembershipFactory(user=colleague, organisation=organisation)
    client.force_login(colleague)

    assert client.get(en("order_step", draft.pk, 1)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_from_a_draft(client, draft):
    response = client.get(en("order_step", draft.pk, 1))

    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_discarding_asks_first_and_then_deletes_the_draft(client, commissioner, draft):
    client.force_login(commissioner)

    page = client.get(en("order_discard", draft.pk))
    response = client.post(en("order_discard", draft.pk))

    assert "Yes, delete the draft" in page.content.decode()
    assert response.url == en("order_start")
    assert not Audit.objects.filter(pk=draft.pk).exists()


def test_the_order_start_page_runs_a_fixed_number_of_queries(
    client, commissioner, organisation, django_assert_max_num_queries
):
    own_draft(organisation, commissioner)
    client.force_login(commissioner)
    with CaptureQueriesContext(connection) as one:
        client.get(en("order_start"))
    for _n in range(20):
        own_draft(organisation, commissioner)

    with django_assert_max_num_queries(len(one)):
        response = client.get(en("order_start"))

    assert len(response.context["drafts"]) == 21


# --- The receipt ----------------------------------------------------------------------------


def test_the_receipt_is_for_the_organisations_commissioners(
    client, commissioner, organisation, other_commissioner, outsider, staff
):
    audit = audit_in_state(Audit.Status.REQUESTED, commissioner=commissioner)
    colleague = UserFactory(roles=[Role.COMMISSIONER])
    MembershipFactory(user=colleague, organisation=organisation)

    client.force_login(colleague)
    assert audit.reference in client.get(en("order_receipt", audit.pk)).content.decode()
    for person, status in ((other_commissioner, 404), (outsider, 404), (staff, 403)):
        client.force_login(person)
        assert client.get(en("order_receipt", audit.pk)).status_code == status


# --- Registration ---------------------------------------------------------------------------


def register_post(municipality, **overrides) -> dict:
    data = {
        "full_name": "Nora Ny",
        "email": "nora@karlskoga.se",
        "password1": "Lagom-lång-lösen-42",
        "password2": "Lagom-lång-lösen-42",
        "organisation_name": "Karlskoga kommun, socialtjänsten",
        "organisation_kind": Organisation.Kind.MUNICIPALITY,
        "org_number": "2120001967",
        "municipality": municipality.pk,
    }
    data.update(overrides)
    return data


def test_a_new_commissioner_confirms_the_address_then_is_logged_in_and_can_order(
    client, municipality, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(en("order_register"), register_post(municipality))

    assert response.url == reverse("signup_sent")
    assert not User.objects.filter(email="nora@karlskoga.se").exists()
    link = re.search(r"https?://\S+/accounts/sign-up/confirm/\S+/", mailoutbox[-1].body)[0]
    confirm = client.post(urlsplit(link).path)

    assert confirm.url == reverse("start")
    user = User.objects.get(email="nora@karlskoga.se")
    assert user.has_role(Role.COMMISSIONER)
    assert user.check_password("Lagom-lång-lösen-42")
    organisation = Organisation.objects.get(name="Karlskoga kommun, socialtjänsten")
    assert organisation.org_number == "212000-1967"
    assert organisation.county == municipality.county
    assert Membership.objects.get(user=user).organisation == organisation
    assert client.get(en("order_start")).status_code == 200
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_bad_organisation_number_is_an_error_and_creates_nothing(client, municipality):
    response = client.post(
        en("order_register"), register_post(municipality, org_number="212000-1968")
    )

    assert response.status_code == 200
    assert (
        "The organisation number is not valid: check the last digit." in response.content.decode()
    )
    assert not User.objects.exists()
    assert not Organisation.objects.exists()


def test_a_taken_email_gets_the_same_answer_and_creates_nothing(client, municipality, commissioner):
    organisations = Organisation.objects.count()

    response = client.post(
        en("order_register"), register_post(municipality, email=commissioner.email.upper())
    )

    assert response.url == reverse("signup_sent")
    assert User.objects.count() == 1
    assert Organisation.objects.count() == organisations


def test_registration_checks_the_password_twice_and_with_the_validators(client, municipality):
    mismatch = client.post(
        en("order_register"), register_post(municipality, password2="Något-helt-annat-99")
    )
    short = client.post(
        en("order_register"), register_post(municipality, password1="kort", password2="kort")
    )
    private_kind = client.post(
        en("order_register"),
        register_post(municipality, organisation_kind=Organisation.Kind.USER_ORGANISATION),
    )

    assert "The two passwords are not the same." in mismatch.content.decode()
    assert "This password is too short." in short.content.decode()
    assert private_kind.status_code == 200
    assert not User.objects.exists()


def test_a_logged_in_user_is_sent_from_registration_to_ordering(client, commissioner):
    client.force_login(commissioner)

    assert client.get(en("order_register")).url == en("order_start")


# --- The quote ----------------------------------------------------------------------------------


def test_the_commissioner_reads_the_quote_and_accepts_it(client, commissioner, organisation):
    audit = audit_in_state(Audit.Status.QUOTED, commissioner=commissioner)
    client.force_login(commissioner)

    html = client.get(en("quote", audit.pk)).content.decode()
    response = client.post(
        en("quote", audit.pk), {"accept": "on", "revision": "1", "comment": "Vi ser fram emot det."}
    )

    assert "45,000.00 SEK excluding VAT" in html
    assert "Focus groups" in html
    assert QUOTE["ownership"] in html
    assert f"I accept the quote and the agreement on behalf of {organisation.name}" in html
    assert en("cancel", audit.pk) in html
    assert response.url == en("agreement_upload", audit.pk)
    audit.refresh_from_db()
    assert audit.status == Audit.Status.AGREED
    assert audit.quote.accepted_by == commissioner
    assert audit.events.last().comment == "Vi ser fram emot det."


def test_accepting_needs_the_box_ticked(client, commissioner):
    audit = audit_in_state(Audit.Status.QUOTED, commissioner=commissioner)
    client.force_login(commissioner)

    response = client.post(en("quote", audit.pk), {"revision": "1"})

    assert response.status_code == 200
    assert "<title>Error:" in response.content.decode()
    audit.refresh_from_db()
    assert audit.status == Audit.Status.QUOTED


def test_a_stale_quote_revision_is_refused(client, commissioner, staff):
    audit = audit_in_state(Audit.Status.QUOTED, commissioner=commissioner, staff=staff)
    services.quote_save(audit=audit, by=staff, data={"price": "52000"})
    services.quote_send(audit=audit, by=staff)
    client.force_login(commissioner)

    response = client.post(en("quote", audit.pk), {"accept": "on", "revision": "1"})

    assert response.status_code == 200
    assert "The quote has been changed since you opened it." in response.content.decode()
    audit.refresh_from_db()
    assert audit.status == Audit.Status.QUOTED
    assert audit.quote.revision == 2
    assert audit.quote.accepted_at is None


def test_an_unsent_quote_is_404_for_the_commissioner_but_shown_to_staff(
    client, commissioner, staff
):
    audit = audit_in_state(Audit.Status.REQUESTED, commissioner=commissioner, staff=staff)
    services.audit_accept(audit=audit, by=staff)
    services.quote_save(audit=audit, by=staff, data=dict(QUOTE))

    client.force_login(commissioner)
    assert client.get(en("quote", audit.pk)).status_code == 404
    client.force_login(staff)
    assert client.get(en("quote", audit.pk)).status_code == 200


def test_others_get_404_on_the_quote_and_staff_may_not_accept_it(
    client, commissioner, other_commissioner, outsider, auditor, staff
):
    audit = audit_in_state(Audit.Status.QUOTED, commissioner=commissioner, staff=staff)

    for person in (other_commissioner, outsider, auditor):
        client.force_login(person)
        assert client.get(en("quote", audit.pk)).status_code == 404
    client.force_login(staff)
    assert "Accept the quote</button>" not in client.get(en("quote", audit.pk)).content.decode()
    assert client.post(en("quote", audit.pk), {"accept": "on", "revision": "1"}).status_code == 403
    audit.refresh_from_db()
    assert audit.status == Audit.Status.QUOTED


def test_the_team_reads_the_quote_without_an_accept_form(client, commissioner, team_auditor):
    audit = audit_in_state(
        Audit.Status.PLANNING, commissioner=commissioner, auditors=[team_auditor, trained_auditor()]
    )
    client.force_login(team_auditor)

    response = client.get(en("quote", audit.pk))

    assert response.status_code == 200
    assert response.context["form"] is None


# --- The signed agreement -----------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused_and_nothing_stored(
    client, commissioner, media
):
    audit = audit_in_state(Audit.Status.AGREED, commissioner=commissioner)
    client.force_login(commissioner)
    fake = SimpleUploadedFile("avtal.pdf", b"<html>not a pdf</html>", "application/pdf")

    response = client.post(en("agreement_upload", audit.pk), {"signed_agreement": fake})

    assert response.status_code == 200
    assert "The file is not a PDF." in response.content.decode()
    assert not Quote.objects.get(audit=audit).signed_agreement
    assert stored_files(media) == []


def test_an_oversize_pdf_is_refused_and_nothing_stored(client, commissioner, media):
    audit = audit_in_state(Audit.Status.AGREED, commissioner=commissioner)
    client.force_login(commissioner)
    big = SimpleUploadedFile("avtal.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")

    response = client.post(en("agreement_upload", audit.pk), {"signed_agreement": big})

    assert "The file is too large." in response.content.decode()
    assert not Quote.objects.get(audit=audit).signed_agreement
    assert stored_files(media) == []


def test_a_signed_pdf_is_stored_and_downloadable_only_by_permitted_people(
    client, commissioner, other_commissioner, outsider, staff, team_auditor, media
):
    audit = audit_in_state(
        Audit.Status.PLANNING,
        commissioner=commissioner,
        staff=staff,
        auditors=[team_auditor, trained_auditor()],
    )
    # The test's own upload, from nothing: the factory's signed agreement is taken away.
    audit.quote.signed_agreement.delete(save=True)
    client.force_login(commissioner)
    assert client.get(en("agreement_download", audit.pk)).status_code == 404

    response = client.post(
        en("agreement_upload", audit.pk),
        {"signed_agreement": SimpleUploadedFile("scan.PDF", PDF, "application/octet-stream")},
    )

    assert response.url == en("agreement_upload", audit.pk)
    assert len(stored_files(media)) == 1
    for person in (commissioner, staff, team_auditor):
        client.force_login(person)
        download = client.get(en("agreement_download", audit.pk))
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF
        assert "attachment" in download["Content-Disposition"]
    for person in (other_commissioner, outsider):
        client.force_login(person)
        assert client.get(en("agreement_download", audit.pk)).status_code == 404


def test_the_same_upload_form_sent_twice_stores_the_agreement_once(
    client, commissioner, media, empty_cache
):
    audit = audit_in_state(Audit.Status.AGREED, commissioner=commissioner)
    client.force_login(commissioner)
    page = client.get(en("agreement_upload", audit.pk))
    key = page.context["form"].initial["submission_id"]
    assert f'name="submission_id" value="{key}"' in page.content.decode()

    # A double click, or the load balancer retrying the POST on another web node.
    for _ in range(2):
        response = client.post(
            en("agreement_upload", audit.pk),
            {
                "submission_id": str(key),
                "signed_agreement": SimpleUploadedFile("scan.pdf", PDF, "application/pdf"),
            },
        )
        assert response.url == en("agreement_upload", audit.pk)

    assert len(stored_files(media)) == 1
    assert audit.events.filter(action=AuditEvent.Kind.AGREEMENT_UPLOADED).count() == 1
    # A new form (a new key) is a new upload, which replaces the stored file.
    client.post(
        en("agreement_upload", audit.pk),
        {"signed_agreement": SimpleUploadedFile("new.pdf", PDF, "application/pdf")},
    )
    assert audit.events.filter(action=AuditEvent.Kind.AGREEMENT_UPLOADED).count() == 2


def test_the_team_may_not_upload_the_agreement(client, commissioner, team_auditor, media):
    audit = audit_in_state(
        Audit.Status.PLANNING, commissioner=commissioner, auditors=[team_auditor, trained_auditor()]
    )
    before = stored_files(media)  # the factory's signed agreement, which planning needs
    client.force_login(team_auditor)

    response = client.post(
        en("agreement_upload", audit.pk),
        {"signed_agreement": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
    )

    assert response.status_code == 403
    assert stored_files(media) == before


def test_no_agreement_can_be_uploaded_before_the_quote_is_accepted(client, commissioner, media):
    audit = audit_in_state(Audit.Status.QUOTED, commissioner=commissioner)
    client.force_login(commissioner)

    response = client.post(
        en("agreement_upload", audit.pk),
        {"signed_agreement": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
    )

    assert response.status_code == 200
    assert "once the quote is accepted" in response.content.decode()
    assert stored_files(media) == []


# --- Cancelling ------------------------------------------------------------------------------------


def test_the_commissioner_declines_a_quote_with_a_reason(client, commissioner):
    audit = audit_in_state(Audit.Status.QUOTED, commissioner=commissioner)
    client.force_login(commissioner)

    page = client.get(en("cancel", audit.pk)).content.decode()
    empty = client.post(en("cancel", audit.pk), {"reason": "  "})
    audit.refresh_from_db()
    assert audit.status == Audit.Status.QUOTED
    response = client.post(en("cancel", audit.pk), {"reason": "Budgeten räcker inte i år."})

    assert "Decline the quote and cancel the audit" in page
    assert empty.status_code == 200
    assert "Say why you cancel: the resource centre and the team read it." in empty.content.decode()
    assert response.url == en("detail", audit.pk)
    audit.refresh_from_db()
    assert audit.status == Audit.Status.CANCELLED
    assert audit.events.last().comment == "Budgeten räcker inte i år."


def test_an_audit_past_planning_cannot_be_cancelled(client, commissioner):
    audit = audit_in_state(Audit.Status.COLLECTING, commissioner=commissioner)
    client.force_login(commissioner)

    response = client.post(en("cancel", audit.pk), {"reason": "Vi ångrar oss."})

    assert response.status_code == 200
    assert "An audit can be cancelled only before data collection starts." in (
        response.content.decode()
    )
    audit.refresh_from_db()
    assert audit.status == Audit.Status.COLLECTING


def test_others_may_not_cancel(client, commissioner, other_commissioner, outsider, team_auditor):
    audit = audit_in_state(
        Audit.Status.PLANNING, commissioner=commissioner, auditors=[team_auditor, trained_auditor()]
    )

    for person, status in ((other_commissioner, 404), (outsider, 404), (team_auditor, 403)):
        client.force_login(person)
        assert client.post(en("cancel", audit.pk), {"reason": "Nej."}).status_code == status
    audit.refresh_from_db()
    assert audit.status == Audit.Status.PLANNING


# --- The response to the proposals ------------------------------------------------------------------


@pytest.fixture
def feedback_audit(commissioner, team_auditor):
    # An audit after its feedback meeting, with two proposals to answer.
    audit = audit_in_state(
        Audit.Status.FEEDBACK_HELD,
        commissioner=commissioner,
        auditors=[team_auditor, trained_auditor()],
        findings=2,
    )
    second = ProposalFactory(audit=audit, number=2, text="Informera på lättläst svenska.")
    second.findings.set(audit.findings.all())
    return audit


def answer(proposal: Proposal, **overrides) -> dict:
    data = {
        "response": Proposal.Response.ACCEPTED,
        "action": "Alla får en kontaktperson.",
        "action_owner": "Enhetschefen",
        "deadline": (timezone.localdate() + timedelta(days=60)).isoformat(),
    }
    data.update(overrides)
    return {f"p{proposal.pk}-{key}": value for key, value in data.items()}


def test_the_response_page_shows_each_proposal_with_its_findings_and_the_due_date(
    client, commissioner, feedback_audit
):
    client.force_login(commissioner)

    html = client.get(en("response", feedback_audit.pk)).content.decode()

    assert "0 of 2 proposals answered." in html
    assert "Finding 1: Iakttagelse 1" in html
    assert "Finding 2: Iakttagelse 2" in html
    assert '<legend class="h5">Proposal 2</legend>' in html
    assert f"Send your response by {feedback_audit.response_due:%-d %B %Y}" in html
    assert "Answer every proposal, then you can send the response." in html


def test_accepting_a_proposal_needs_an_owner_and_a_deadline(client, commissioner, feedback_audit):
    proposal = feedback_audit.proposals.get(number=1)
    client.force_login(commissioner)

    response = client.post(
        en("proposal_respond", feedback_audit.pk, proposal.pk),
        answer(proposal, action_owner="", deadline=""),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Name who is responsible." in html
    assert "Give a deadline." in html
    proposal.refresh_from_db()
    assert proposal.response == ""
    assert proposal.responded_at is None


def test_the_commissioner_answers_every_proposal_and_sends_the_response(
    client, commissioner, feedback_audit
):
    first, second = feedback_audit.proposals.order_by("number")
    client.force_login(commissioner)

    response = client.post(en("proposal_respond", feedback_audit.pk, first.pk), answer(first))
    assert response.url == en("response", feedback_audit.pk) + "#proposal-1"

    early = client.post(en("response_submit", feedback_audit.pk), follow=True)
    assert "Answer every proposal first: 1 left." in early.content.decode()
    feedback_audit.refresh_from_db()
    assert feedback_audit.status == Audit.Status.FEEDBACK_HELD

    client.post(
        en("proposal_respond", feedback_audit.pk, second.pk),
        answer(
            second,
            response=Proposal.Response.REJECTED,
            action="Vi har redan lättläst material.",
            action_owner="",
            deadline="",
        ),
    )
    page = client.get(en("response", feedback_audit.pk)).content.decode()
    assert "2 of 2 proposals answered." in page
    assert "Why it is rejected" in page
    response = client.post(en("response_submit", feedback_audit.pk))

    assert response.url == en("response", feedback_audit.pk)
    feedback_audit.refresh_from_db()
    assert feedback_audit.status == Audit.Status.RESPONSE_RECEIVED
    html = client.get(en("response", feedback_audit.pk)).content.decode()
    assert "Save the answer" not in html
    assert "Alla får en kontaktperson." in html


def test_the_team_reads_the_response_but_may_not_answer(
    client, commissioner, team_auditor, other_commissioner, outsider, feedback_audit
):
    proposal = feedback_audit.proposals.get(number=1)

    client.force_login(team_auditor)
    page = client.get(en("response", feedback_audit.pk))
    assert page.status_code == 200
    assert "Save the answer" not in page.content.decode()
    assert (
        client.post(
            en("proposal_respond", feedback_audit.pk, proposal.pk), answer(proposal)
        ).status_code
        == 403
    )
    assert client.post(en("response_submit", feedback_audit.pk)).status_code == 403
    for person in (other_commissioner, outsider):
        client.force_login(person)
        assert client.get(en("response", feedback_audit.pk)).status_code == 404
        assert (
            client.post(
                en("proposal_respond", feedback_audit.pk, proposal.pk), answer(proposal)
            ).status_code
            == 404
        )
    proposal.refresh_from_db()
    assert proposal.response == ""


def test_the_response_page_is_404_before_the_feedback_meeting(client, commissioner):
    audit = audit_in_state(Audit.Status.ANALYSING, commissioner=commissioner)
    client.force_login(commissioner)

    assert client.get(en("response", audit.pk)).status_code == 404


def test_the_response_page_runs_a_fixed_number_of_queries(
    client, commissioner, feedback_audit, django_assert_max_num_queries
):
    client.force_login(commissioner)
    with CaptureQueriesContext(connection) as few:
        client.get(en("response", feedback_audit.pk))
    findings = list(feedback_audit.findings.all())
    for number in range(3, 25):
        ProposalFactory(audit=feedback_audit, number=number).findings.set(findings)

    with django_assert_max_num_queries(len(few)):
        response = client.get(en("response", feedback_audit.pk))

    assert response.context["total"] == 24


# --- The follow-up ----------------------------------------------------------------------------------


def test_the_commissioner_reports_progress_at_the_follow_up(client, commissioner, team_auditor):
    audit = audit_in_state(
        Audit.Status.FOLLOW_UP,
        commissioner=commissioner,
        auditors=[team_auditor, trained_auditor()],
    )
    proposal = audit.proposals.get()
    client.force_login(commissioner)

    page = client.get(en("follow_up", audit.pk)).content.decode()
    empty = client.post(
        en("proposal_progress", audit.pk, proposal.pk),
        {
            f"p{proposal.pk}-progress": Proposal.Progress.IN_PROGRESS,
            f"p{proposal.pk}-progress_note": "",
        },
    )
    proposal.refresh_from_db()
    assert proposal.progress == ""
    response = client.post(
        en("proposal_progress", audit.pk, proposal.pk),
        {
            f"p{proposal.pk}-progress": Proposal.Progress.IN_PROGRESS,
            f"p{proposal.pk}-progress_note": "Hälften har fått en kontaktperson.",
        },
    )

    assert f"Report the progress by {audit.follow_up_due:%-d %B %Y}" in page
    assert empty.status_code == 200
    assert "Describe what has been done." in empty.content.decode()
    assert response.url == en("follow_up", audit.pk) + "#proposal-1"
    proposal.refresh_from_db()
    assert proposal.progress == Proposal.Progress.IN_PROGRESS
    assert proposal.progress_note == "Hälften har fått en kontaktperson."

    client.force_login(team_auditor)
    read_only = client.get(en("follow_up", audit.pk)).content.decode()
    assert "Hälften har fått en kontaktperson." in read_only
    assert "Save the progress" not in read_only
    refused = client.post(
        en("proposal_progress", audit.pk, proposal.pk),
        {
            f"p{proposal.pk}-progress": Proposal.Progress.IMPLEMENTED,
            f"p{proposal.pk}-progress_note": "Klart.",
        },
    )
    assert refused.status_code == 403
    proposal.refresh_from_db()
    assert proposal.progress == Proposal.Progress.IN_PROGRESS


def test_others_get_404_on_the_follow_up(client, commissioner, other_commissioner, outsider):
    audit = audit_in_state(Audit.Status.FOLLOW_UP, commissioner=commissioner)
    proposal = audit.proposals.get()

    for person in (other_commissioner, outsider):
        client.force_login(person)
        assert client.get(en("follow_up", audit.pk)).status_code == 404
        assert (
            client.post(
                en("proposal_progress", audit.pk, proposal.pk),
                {f"p{proposal.pk}-progress": "implemented", f"p{proposal.pk}-progress_note": "Ja."},
            ).status_code
            == 404
        )


def test_progress_is_read_only_once_the_audit_is_closed(client, commissioner):
    audit = audit_in_state(Audit.Status.CLOSED, commissioner=commissioner)
    proposal = audit.proposals.get()
    client.force_login(commissioner)

    html = client.get(en("follow_up", audit.pk)).content.decode()
    response = client.post(
        en("proposal_progress", audit.pk, proposal.pk),
        {f"p{proposal.pk}-progress": "not_started", f"p{proposal.pk}-progress_note": "Ändrat."},
    )

    assert "Alla har nu en kontaktperson." in html
    assert "Save the progress" not in html
    assert "Progress is reported at the follow-up." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.progress == Proposal.Progress.IMPLEMENTED


# --- The commissioner's start page ---------------------------------------------------------------------


def test_the_start_page_lists_the_audits_with_the_next_step_and_the_own_drafts(
    client, commissioner, organisation, other_commissioner
):
    quoted = audit_in_state(Audit.Status.QUOTED, commissioner=commissioner)
    answering = audit_in_state(Audit.Status.FEEDBACK_HELD, commissioner=commissioner)
    elsewhere = audit_in_state(Audit.Status.QUOTED, commissioner=other_commissioner)
    mine = services.order_start(organisation=organisation, by=commissioner)
    services.order_save_step(audit=mine, by=commissioner, step=3, data={"title": "Mitt utkast"})
    colleague = UserFactory(roles=[Role.COMMISSIONER])
    MembershipFactory(user=colleague, organisation=organisation)
    own_draft(organisation, colleague)
    client.force_login(commissioner)

    with translation.override("en"):
        url = reverse("start_commissioner")
    html = client.get(url).content.decode()

    assert f'href="{en("order_start")}"' in html
    assert f'<a href="{en("detail", quoted.pk)}">{quoted.reference}</a>' in html
    assert "Quote sent" in html
    assert f'<a href="{en("quote", quoted.pk)}">Accept the quote' in html
    assert f"Answer the proposals by {answering.response_due:%-d %B %Y}" in html
    assert "Mitt utkast" in html
    assert en("order_step", mine.pk, 3) in html
    assert elsewhere.reference not in html
    assert html.count("Continue<span") == 1


def test_the_start_page_runs_the_same_number_of_queries_for_1_and_20_audits(
    client, commissioner, organisation, django_assert_max_num_queries
):
    AuditFactory(organisation=organisation, status=Audit.Status.QUOTED)
    client.force_login(commissioner)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("start_commissioner"))
    statuses = [Audit.Status.REQUESTED, Audit.Status.FEEDBACK_HELD, Audit.Status.FOLLOW_UP]
    for index in range(20):
        AuditFactory(organisation=organisation, status=statuses[index % 3])
    for _n in range(3):
        own_draft(organisation, commissioner)

    with django_assert_max_num_queries(len(one)):
        response = client.get(reverse("start_commissioner"))

    assert len(response.context["audits"]) == 21
    assert len(response.context["drafts"]) == 3


def test_the_start_page_is_still_only_for_commissioners(client, auditor):
    client.force_login(auditor)

    assert client.get(reverse("start_commissioner")).status_code == 403


def _structure_problems(html: str) -> list[str]:
    """The page rules a test can check without a browser: one h1, headings in order,
    unique ids, no inline style, script or event handlers."""
    import re
    from collections import Counter

    problems = []
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    if main.count("<h1") != 1:
        problems.append(f"{main.count('<h1')} h1 elements")
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]
    for before, after in zip(levels, levels[1:], strict=False):
        if after > before + 1:
            problems.append(f"heading h{before} followed by h{after}")
    twice = [name for name, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]
    if twice:
        problems.append(f"duplicate ids {twice}")
    if re.search(r'\sstyle="|\son[a-z]+="|<script>', html):
        problems.append("inline style, script or event handler")
    return problems


def test_every_commissioner_page_keeps_the_page_rules(client, commissioner, organisation):
    feedback = audit_in_state(Audit.Status.FEEDBACK_HELD, commissioner=commissioner, findings=2)
    follow = audit_in_state(Audit.Status.FOLLOW_UP, commissioner=commissioner)
    quoted = audit_in_state(Audit.Status.QUOTED, commissioner=commissioner)
    draft = services.order_start(organisation=organisation, by=commissioner)
    proposal = feedback.proposals.get()
    client.force_login(commissioner)
    pages = [en("order_start"), en("order_review", draft.pk), en("order_discard", draft.pk)]
    pages += [en("order_step", draft.pk, step) for step in range(1, 6)]
    pages += [
        en("order_receipt", quoted.pk),
        en("quote", quoted.pk),
        en("cancel", quoted.pk),
        en("agreement_upload", quoted.pk),
        en("response", feedback.pk),
        en("follow_up", follow.pk),
    ]
    with translation.override("en"):
        pages.append(reverse("start_commissioner"))

    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _structure_problems(response.content.decode()) == [], url
    # Pages re-rendered with errors keep them too.
    failed = [
        client.post(en("order_step", draft.pk, 1), units_post({"name": "Halv"})),
        client.post(
            en("proposal_respond", feedback.pk, proposal.pk), answer(proposal, deadline="")
        ),
    ]
    for response in failed:
        assert response.status_code == 200
        assert _structure_problems(response.content.decode()) == []
    client.logout()
    for url in (en("order_start"), en("order_register")):
        assert _structure_problems(client.get(url).content.decode()) == [], url
