"""Forms that say what they mean: required marked where it is asked, specific messages,
dates in the past refused, the approve page naming its version, dates and crumbs in the
page's language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from audits import services
from audits.models import Audit, Proposal, ReportVersion
from audits.tests.factories import AuditFactory, audit_in_state

pytestmark = pytest.mark.django_db
S = Audit.Status


def en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(f"audits:{name}", args=args)


def errors_of(response, form: str = "form") -> list[str]:
    return [message for messages in response.context[form].errors.values() for message in messages]


@pytest.fixture
def draft(commissioner, organisation):
    return services.order_start(organisation=organisation, by=commissioner)


# --- Step 3: invoice details --------------------------------------------------------------


def test_step_3_marks_the_invoice_address_and_the_contact_as_required(client, commissioner, draft):
    client.force_login(commissioner)

    form = client.get(en("order_step", draft.pk, 3)).context["form"]

    assert form.fields["invoice_address"].required
    assert form.fields["contact_name"].required and form.fields["contact_email"].required
    assert not form.fields["invoice_reference"].required


def test_continuing_without_an_invoice_address_says_so_on_step_3(client, commissioner, draft):
    client.force_login(commissioner)

    response = client.post(
        en("order_step", draft.pk, 3),
        {"contact_name": "Cecilia", "contact_email": "c@example.se", "continue": ""},
    )

    assert response.status_code == 200
    assert errors_of(response) == ["Give an invoice address: the order cannot be sent without it."]


def test_a_step_saved_for_later_without_the_invoice_address_is_not_done(
    client, commissioner, draft
):
    client.force_login(commissioner)

    response = client.post(
        en("order_step", draft.pk, 3),
        {"contact_name": "Cecilia", "contact_email": "c@example.se", "later": ""},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    draft.order_step = 5
    draft.save(update_fields=["order_step"])

    html = client.get(en("order_step", draft.pk, 4)).content.decode()

    assert "3. Contact and invoicing</a> (not complete)" in html


# --- Specific messages --------------------------------------------------------------------


def test_the_terms_boxes_say_what_is_missing(client, commissioner, draft):
    client.force_login(commissioner)

    response = client.post(en("order_step", draft.pk, 5), {"continue": ""})

    assert sorted(errors_of(response)) == [
        "Tick the box to accept the processor agreement: the order cannot be sent without.",
        "Tick the box to accept the terms: the order cannot be sent without.",
    ]


def test_accepting_the_quote_without_the_box_says_what_to_do(client, commissioner, staff):
    audit = audit_in_state(S.QUOTED, commissioner=commissioner, staff=staff)
    client.force_login(commissioner)

    response = client.post(en("quote", audit.pk), {"revision": "1"})

    assert errors_of(response) == [
        "Tick the box to accept the quote and the agreement, or write to the resource centre"
        " if something should change."
    ]
    audit.refresh_from_db()
    assert audit.status == S.QUOTED


@pytest.fixture
def feedback_held(commissioner, staff):
    return audit_in_state(S.FEEDBACK_HELD, commissioner=commissioner, staff=staff)


def test_rejecting_a_proposal_without_a_reason_asks_for_the_reason(
    client, commissioner, feedback_held
):
    proposal = feedback_held.proposals.get()
    client.force_login(commissioner)

    response = client.post(
        en("proposal_respond", feedback_held.pk, proposal.pk),
        {f"p{proposal.pk}-response": Proposal.Response.REJECTED},
    )

    assert errors_of(response) == ["Say why you reject the proposal."]


def test_an_answer_without_a_choice_asks_for_the_choice(client, commissioner, feedback_held):
    proposal = feedback_held.proposals.get()
    client.force_login(commissioner)

    response = client.post(
        en("proposal_respond", feedback_held.pk, proposal.pk),
        {f"p{proposal.pk}-action": "Vi gör så."},
    )

    assert errors_of(response) == [
        "Choose whether you accept the proposal, accept it in part or reject it."
    ]


def test_no_form_of_the_commissioner_says_this_field_is_required(
    client, commissioner, staff, feedback_held, draft
):
    client.force_login(commissioner)
    quoted = audit_in_state(S.QUOTED, commissioner=commissioner, staff=staff)
    proposal = feedback_held.proposals.get()
    posts = [
        (en("order_step", draft.pk, 3), {"continue": ""}),
        (en("order_step", draft.pk, 5), {"continue": ""}),
        (en("quote", quoted.pk), {"revision": "1"}),
        (en("proposal_respond", feedback_held.pk, proposal.pk), {}),
    ]
    for url, data in posts:
        assert "This field is required." not in client.post(url, data).content.decode(), url


# --- The feedback meeting -----------------------------------------------------------------


def test_a_feedback_meeting_in_the_past_is_refused_with_a_clear_message(client, staff):
    audit = audit_in_state(S.REPORT_DRAFT, staff=staff)
    client.force_login(staff)
    yesterday = timezone.localtime() - timedelta(days=1)

    response = client.post(
        en("feedback", audit.pk),
        {"schedule-at": yesterday.strftime("%Y-%m-%dT%H:%M"), "schedule-place": "Aulan"},
    )

    assert response.status_code == 200
    assert errors_of(response, "schedule_form") == [
        "The meeting cannot be planned in the past. If it has been held, record it as held below."
    ]
    audit.refresh_from_db()
    assert audit.feedback_meeting_at is None


# --- The approve page names its version ---------------------------------------------------


@pytest.fixture
def report_draft(staff):
    audit = audit_in_state(S.REPORT_DRAFT, staff=staff)
    for number in (1, 2):
        ReportVersion.objects.create(
            audit=audit,
            number=number,
            language="sv",
            status=ReportVersion.Status.READY,
            sha256=f"{number}" * 64,
            requested_by=staff,
            finished_at=timezone.now(),
        )
    return audit


def test_the_approve_page_names_the_version_it_freezes(client, staff, report_draft):
    client.force_login(staff)

    html = client.get(en("transition", report_draft.pk, "approve_report")).content.decode()

    assert "You approve and freeze version 2 of the report" in html
    assert '<input type="hidden" name="version" value="2">' in html
    assert "2222222222222222" in html


def test_approving_a_version_no_longer_the_latest_approves_nothing(client, staff, report_draft):
    client.force_login(staff)

    response = client.post(
        en("transition", report_draft.pk, "approve_report"), {"version": "1", "comment": ""}
    )

    assert "Version 2 has been made since you opened this page." in response.content.decode()
    report_draft.refresh_from_db()
    assert report_draft.status == S.REPORT_DRAFT
    assert not report_draft.reports.filter(approved=True).exists()


def test_approving_the_version_shown_freezes_it(client, staff, report_draft):
    client.force_login(staff)

    client.post(en("transition", report_draft.pk, "approve_report"), {"version": "2"})

    report_draft.refresh_from_db()
    assert report_draft.status == S.REPORT_APPROVED
    assert report_draft.reports.get(approved=True).number == 2


# --- Words and dates in the page's language -----------------------------------------------


def test_the_audit_list_breadcrumb_is_the_list_not_the_paginator(client, staff):
    AuditFactory.create_batch(2)
    client.force_login(staff)

    html = client.get(reverse("audits:list")).content.decode()

    assert "Page 1 of 1" not in html and "&lt;Page" not in html
    assert '<li class="breadcrumb-item active" aria-current="page">Revisioner</li>' in html


def test_dates_on_the_audit_page_are_written_in_swedish(client, staff, commissioner):
    audit = audit_in_state(S.RESPONSE_RECEIVED, commissioner=commissioner, staff=staff)
    Audit.objects.filter(pk=audit.pk).update(response_due=timezone.datetime(2026, 12, 5).date())
    client.force_login(staff)

    html = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()

    assert "5 december 2026" in html
    assert "5 Dec 2026" not in html
