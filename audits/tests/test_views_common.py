"""The audit list, an audit's page and the centre's pages: who reaches what, what each page
does through the services, and that the query count does not grow with the rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from audits import services
from audits.models import (
    Audit,
    AuditEvent,
    AuditMember,
    AuditorProfile,
    Coordinator,
    Method,
    Proposal,
    Quote,
    ReportVersion,
    ServiceArea,
)
from audits.tests.factories import (
    AuditFactory,
    AuditorProfileFactory,
    ConflictFactory,
    ProposalFactory,
    UnitFactory,
    audit_in_state,
    sign_agreement,
    trained_auditor,
)
from brukarkraft.geodata import COUNTIES
from brukarkraft.models import County, Organisation
from brukarkraft.roles import Role
from brukarkraft.tests.factories import (
    CountyFactory,
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
)
from surveys.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db

S = Audit.Status


def en(name: str, *args) -> str:
    # English pages, so the assertions read the source wording whatever is translated.
    with translation.override("en"):
        return reverse(f"audits:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def all_counties() -> list[County]:
    # Browser tests flush the migration's rows, so the tests make the counties themselves.
    return [CountyFactory(code=code, name=name, letter=letter) for code, name, letter in COUNTIES]


def in_county(county: County, code: str) -> Organisation:
    municipality = MunicipalityFactory(code=code, name=f"Kommun {code}", county=county)
    return OrganisationFactory(municipality=municipality)


@pytest.fixture
def requested(commissioner, staff):
    # A new order from Cecilia's organisation, not yet accepted.
    return audit_in_state(S.REQUESTED, commissioner=commissioner, staff=staff)


# --- The list --------------------------------------------------------------------------


def test_a_commissioner_sees_only_her_organisations_audits(
    client, commissioner, other_commissioner
):
    mine = audit_in_state(S.REQUESTED, commissioner=commissioner)
    theirs = audit_in_state(S.REQUESTED, commissioner=other_commissioner)
    client.force_login(commissioner)

    response = client.get(en("list"))

    assert response.status_code == 200
    assert list(response.context["audits"]) == [mine]
    assert theirs.reference not in response.content.decode()


def test_another_commissioner_never_sees_cecilias_audits(client, commissioner, other_commissioner):
    cecilias = audit_in_state(S.FEEDBACK_HELD, commissioner=commissioner)
    client.force_login(other_commissioner)

    response = client.get(en("list"))

    assert list(response.context["audits"]) == []
    assert cecilias.reference not in response.content.decode()


def test_an_auditor_sees_only_the_audits_she_is_on(client):
    astrid = trained_auditor()
    hers = audit_in_state(S.PLANNING, auditors=[astrid, trained_auditor()])
    audit_in_state(S.PLANNING)
    client.force_login(astrid)

    response = client.get(en("list"))

    assert list(response.context["audits"]) == [hers]


def test_staff_see_every_audit_but_no_drafts(client, staff):
    sent = [audit_in_state(S.REQUESTED), audit_in_state(S.AGREED)]
    audit_in_state(S.DRAFT)
    client.force_login(staff)

    response = client.get(en("list"))

    assert set(response.context["audits"]) == set(sent)
    html = response.content.decode()
    assert "<caption>Audits you can see</caption>" in html
    assert f'href="{en("detail", sent[0].pk)}"' in html
    assert "Quote sent" in html  # status as text


def test_the_list_is_refused_to_a_person_without_a_role_and_sends_visitors_to_log_in(
    client, outsider
):
    assert client.get(en("list")).url.startswith("/en/accounts/login/")
    client.force_login(outsider)
    assert client.get(en("list")).status_code == 403


def test_the_list_filters_by_status_county_service_area_and_text(client, staff):
    stockholm = CountyFactory(code="01", name="Stockholms län", letter="AB")
    requested = AuditFactory(title="Jobbtorget Väst")
    quoted = AuditFactory(status=S.QUOTED, organisation=in_county(stockholm, "0180"))
    quoted.county = stockholm
    quoted.save()
    lss = UnitFactory(service_area=ServiceArea.LSS)
    quoted.units.add(lss)
    client.force_login(staff)

    def listed(**query) -> list[Audit]:
        return list(client.get(en("list"), query).context["audits"])

    assert listed(status=S.QUOTED) == [quoted]
    assert listed(county=stockholm.pk) == [quoted]
    assert listed(service_area=ServiceArea.LSS) == [quoted]
    assert listed(q="torget väst") == [requested]
    assert listed(q=requested.reference) == [requested]
    assert listed(q=quoted.organisation.name) == [quoted]
    assert sorted(a.pk for a in listed()) == sorted([requested.pk, quoted.pk])


def test_the_list_has_25_audits_a_page_and_an_accessible_page_navigation(client, staff):
    AuditFactory.create_batch(27)
    client.force_login(staff)

    first = client.get(en("list"))
    second = client.get(en("list"), {"page": 2, "status": S.REQUESTED})

    assert len(first.context["audits"]) == 25
    assert len(second.context["audits"]) == 2
    html = first.content.decode()
    assert '<nav aria-label="Pages">' in html
    assert 'aria-current="page"><span class="visually-hidden">Page </span>1</a>' in html
    # The filters stay in the page links.
    assert "?page=1&amp;status=requested" in second.content.decode()


@pytest.mark.parametrize("count", [1, 25])
def test_the_list_runs_as_many_queries_for_25_audits_as_for_1(
    client, staff, count, django_assert_max_num_queries
):
    for _ in range(count):
        audit = AuditFactory()
        ProposalFactory(audit=audit)
    client.force_login(staff)

    # Session, user, roles, the count, the page of audits, the counties in the filter.
    with django_assert_max_num_queries(6):
        response = client.get(en("list"))

    assert len(response.context["audits"]) == count


# --- One audit's page -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["other_commissioner", "outsider", "auditor"])
def test_the_audit_page_is_not_found_for_people_who_may_not_see_it(
    client, request, requested, persona
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(en("detail", requested.pk)).status_code == 404


def test_an_auditor_on_another_team_does_not_find_the_audit(client):
    astrid = trained_auditor()
    audit_in_state(S.PLANNING, auditors=[astrid, trained_auditor()])
    other = audit_in_state(S.PLANNING)
    client.force_login(astrid)

    assert client.get(en("detail", other.pk)).status_code == 404


def test_a_team_member_who_has_not_signed_the_undertaking_is_sent_to_sign_it(client):
    unsigned = AuditorProfileFactory().user
    audit = audit_in_state(S.PLANNING, auditors=[trained_auditor(), unsigned])
    client.force_login(unsigned)

    response = client.get(en("detail", audit.pk))

    assert response.status_code == 302
    assert response.url == f"{en('undertaking')}?next=%2Fen%2Faudits%2F{audit.pk}%2F"


def test_the_audit_page_shows_the_order_the_progress_and_the_history(client, staff, requested):
    services.audit_accept(audit=requested, by=staff, comment="Vi tar den.")
    client.force_login(staff)

    response = client.get(en("detail", requested.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert requested.reference in html
    unit = requested.units.get()
    assert unit.name in html and unit.municipality.name in html
    assert "Blir deltagarna bemötta med respekt?" in html
    assert (
        '<li class="audit-progress__step audit-progress__step--current" aria-current="step">'
        in html
    )
    assert html.count('aria-current="step"') == 1
    assert "Order sent" in html and "Order accepted" in html  # translated action codes
    assert "Vi tar den." in html
    assert "Box 1, 701 00 Örebro" in html  # invoicing, for a manager


def test_done_steps_are_marked_in_text(client, staff):
    audit = audit_in_state(S.PLANNING, staff=staff)
    client.force_login(staff)

    html = client.get(en("detail", audit.pk)).content.decode()

    assert html.count("(done)") == 3  # requested, quoted, agreed
    assert html.count("(current step)") == 1


def test_invoicing_details_are_shown_to_the_commissioner_but_not_to_the_team(client, commissioner):
    astrid = trained_auditor()
    audit = audit_in_state(
        S.PLANNING, commissioner=commissioner, auditors=[astrid, trained_auditor()]
    )

    client.force_login(commissioner)
    assert "Box 1, 701 00 Örebro" in client.get(en("detail", audit.pk)).content.decode()
    client.force_login(astrid)
    html = client.get(en("detail", audit.pk)).content.decode()
    assert "Box 1, 701 00 Örebro" not in html
    assert astrid.full_name in html  # the team is listed


def action_urls(response) -> set[str]:
    return {action.url for action in response.context["actions"]}


def test_staff_may_accept_or_decline_a_new_order_and_the_commissioner_may_cancel_it(
    client, staff, commissioner, requested
):
    client.force_login(staff)
    staff_actions = action_urls(client.get(en("detail", requested.pk)))
    client.force_login(commissioner)
    commissioner_actions = action_urls(client.get(en("detail", requested.pk)))

    assert {en("accept", requested.pk), en("decline", requested.pk)} <= staff_actions
    assert en("cancel", requested.pk) not in staff_actions
    assert en("cancel", requested.pk) in commissioner_actions
    assert en("accept", requested.pk) not in commissioner_actions


def test_a_quoted_audit_offers_the_commissioner_the_quote_and_staff_a_revision(
    client, staff, commissioner
):
    audit = audit_in_state(S.QUOTED, commissioner=commissioner, staff=staff)
    client.force_login(commissioner)
    assert en("quote", audit.pk) in action_urls(client.get(en("detail", audit.pk)))
    client.force_login(staff)
    actions = action_urls(client.get(en("detail", audit.pk)))
    assert en("quote_edit", audit.pk) in actions
    assert en("quote", audit.pk) not in actions


def test_the_lead_sees_the_team_pages_and_the_step_to_draft_the_report(client, staff):
    lead, other = trained_auditor(), trained_auditor()
    audit = audit_in_state(S.ANALYSING, staff=staff, auditors=[lead, other])

    client.force_login(lead)
    lead_actions = action_urls(client.get(en("detail", audit.pk)))
    client.force_login(other)
    other_actions = action_urls(client.get(en("detail", audit.pk)))

    team_pages = {en(name, audit.pk) for name in ("findings", "proposals", "summary", "fees")}
    assert team_pages <= lead_actions
    assert en("transition", audit.pk, "draft_report") in lead_actions
    assert team_pages <= other_actions
    assert en("transition", audit.pk, "draft_report") not in other_actions
    assert en("team", audit.pk) not in lead_actions


def test_staff_close_after_the_follow_up_and_the_commissioner_reports_progress(
    client, staff, commissioner
):
    audit = audit_in_state(S.FOLLOW_UP, staff=staff, commissioner=commissioner)
    client.force_login(staff)
    assert en("transition", audit.pk, "close") in action_urls(client.get(en("detail", audit.pk)))
    client.force_login(commissioner)
    actions = action_urls(client.get(en("detail", audit.pk)))
    assert en("follow_up", audit.pk) in actions
    assert en("report", audit.pk) in actions
    assert en("transition", audit.pk, "close") not in actions


@pytest.mark.parametrize("rows", [1, 30])
def test_the_audit_page_runs_as_many_queries_for_30_findings_proposals_and_events_as_for_1(
    client, staff, rows, django_assert_max_num_queries
):
    audit = audit_in_state(S.ANALYSING, staff=staff, findings=rows)
    for number in range(rows):
        ProposalFactory(audit=audit, number=100 + number)
        AuditEvent.objects.create(audit=audit, action="member_added", by=staff, comment="x")
    client.force_login(staff)

    # Session, user, roles, the audit, its units, its team, the history.
    with django_assert_max_num_queries(7):
        response = client.get(en("detail", audit.pk))

    assert response.context["audit"].finding_count == rows
    assert response.context["audit"].proposal_count == rows + 1


# --- The work queue ------------------------------------------------------------------------


def test_the_queue_lists_new_orders_oldest_first_and_what_waits_for_the_centre(client, staff):
    newer = audit_in_state(S.REQUESTED)
    older = audit_in_state(S.REQUESTED)
    Audit.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - timedelta(days=9))
    services.audit_accept(audit=newer, by=staff)
    agreed = audit_in_state(S.AGREED)
    sign_agreement(agreed, agreed.ordered_by)
    audit_in_state(S.AGREED)  # not signed yet: waits for the commissioner, not the centre
    draft = audit_in_state(S.REPORT_DRAFT)
    audit_in_state(S.PLANNING)
    client.force_login(staff)

    response = client.get(en("queue"))

    assert [a.pk for a in response.context["requested"]] == [older.pk, newer.pk]
    assert response.context["requested"][0].age_days == 9
    assert [a.pk for a in response.context["to_plan"]] == [agreed.pk]
    assert [a.pk for a in response.context["to_approve"]] == [draft.pk]
    html = response.content.decode()
    assert older.units.get().name in html
    assert f'href="{en("accept", older.pk)}"' in html
    assert f'href="{en("accept", newer.pk)}"' not in html  # already accepted


@pytest.mark.parametrize("count", [1, 20])
def test_the_queue_runs_as_many_queries_for_20_orders_as_for_1(
    client, staff, count, django_assert_max_num_queries
):
    for status in (S.REQUESTED, S.AGREED, S.REPORT_DRAFT, S.RESPONSE_RECEIVED, S.FOLLOW_UP):
        for audit in AuditFactory.create_batch(count, status=status):
            audit.units.add(UnitFactory(organisation=audit.organisation))
            if status == S.AGREED:
                Quote.objects.create(
                    audit=audit, price=1000, signed_agreement="agreements/signed.pdf"
                )
    client.force_login(staff)

    # Session, user, roles, then each of the five lists with its units.
    with django_assert_max_num_queries(13):
        response = client.get(en("queue"))

    for name in ("requested", "to_plan", "to_approve", "to_follow_up", "to_close"):
        assert len(response.context[name]) == count, name


@pytest.mark.parametrize("persona", ["auditor", "commissioner", "outsider"])
def test_the_queue_is_for_the_centre_only(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(en("queue")).status_code == 403


def test_a_coordinator_sees_the_queue_of_her_association_only(client, staff):
    association = OrganisationFactory(kind=Organisation.Kind.USER_ORGANISATION)
    ours = audit_in_state(S.REQUESTED)
    services.audit_accept(audit=ours, by=staff, performing_organisation=association)
    audit_in_state(S.REQUESTED)
    coordinator = UserFactory(roles=[Role.AUDITOR])
    Coordinator.objects.create(user=coordinator, organisation=association)
    client.force_login(coordinator)

    response = client.get(en("queue"))

    assert [a.pk for a in response.context["requested"]] == [ours.pk]


# --- Accepting and declining -----------------------------------------------------------------


def test_staff_accept_an_order_with_the_performing_association(client, staff, requested):
    association = OrganisationFactory(kind=Organisation.Kind.USER_ORGANISATION)
    client.force_login(staff)
    assert client.get(en("accept", requested.pk)).status_code == 200

    response = client.post(
        en("accept", requested.pk),
        {"performing_organisation": association.pk, "comment": "Passar Verdandi."},
    )

    assert response.url == requested.get_absolute_url()
    requested.refresh_from_db()
    assert requested.accepted_at is not None
    assert requested.performing_organisation == association
    assert requested.events.filter(action="accepted", comment="Passar Verdandi.").exists()


def test_only_staff_may_accept_or_decline(client, commissioner, other_commissioner, requested):
    client.force_login(commissioner)
    assert client.post(en("accept", requested.pk)).status_code == 403
    assert client.post(en("decline", requested.pk), {"reason": "Nej"}).status_code == 403
    client.force_login(other_commissioner)
    assert client.get(en("accept", requested.pk)).status_code == 404
    requested.refresh_from_db()
    assert requested.status == S.REQUESTED and requested.accepted_at is None


def test_declining_needs_a_reason(client, staff, requested):
    client.force_login(staff)

    response = client.post(en("decline", requested.pk), {"reason": "  "})

    assert response.status_code == 200
    assert "Give a reason." in response.content.decode()
    requested.refresh_from_db()
    assert requested.status == S.REQUESTED


def test_declining_with_a_reason_cancels_the_order(client, staff, requested):
    client.force_login(staff)

    client.post(en("decline", requested.pk), {"reason": "Utanför vårt område."})

    requested.refresh_from_db()
    assert requested.status == S.CANCELLED
    assert requested.events.get(action="declined").comment == "Utanför vårt område."


def test_a_quoted_audit_cannot_be_declined_and_nothing_changes(client, staff):
    audit = audit_in_state(S.QUOTED, staff=staff)
    events = audit.events.count()
    client.force_login(staff)

    response = client.post(en("decline", audit.pk), {"reason": "För sent."})

    assert response.status_code == 200
    assert "Only a new order can be declined." in response.content.decode()
    audit.refresh_from_db()
    assert audit.status == S.QUOTED
    assert audit.events.count() == events


# --- The quote ---------------------------------------------------------------------------------


QUOTE_POST = {
    "scope": "Jobbtorget Väst.",
    "audit_questions": "Hur blir deltagarna bemötta?",
    "methods": [Method.QUESTIONNAIRE, Method.INTERVIEW],
    "timetable": "Mars till maj.",
    "who_informs": "Enheten.",
    "results_return": "Återkopplingsmöte.",
    "price": "38000",
    "ownership": "Gemensamt.",
}


def test_the_first_quote_is_prefilled_from_the_order(client, staff, requested):
    services.audit_accept(audit=requested, by=staff)
    client.force_login(staff)

    form = client.get(en("quote_edit", requested.pk)).context["form"]

    assert requested.units.get().name in form["scope"].value()
    assert form["audit_questions"].value() == "Blir deltagarna bemötta med respekt?"
    assert form["methods"].value() == [Method.QUESTIONNAIRE]


def test_staff_write_and_send_the_quote(client, staff, requested):
    services.audit_accept(audit=requested, by=staff)
    client.force_login(staff)

    saved = client.post(en("quote_edit", requested.pk), QUOTE_POST)
    sent = client.post(en("quote_send", requested.pk))

    assert saved.url == sent.url == requested.get_absolute_url()
    quote = Quote.objects.get(audit=requested)
    assert quote.price == Decimal("38000")
    assert quote.methods == [Method.QUESTIONNAIRE, Method.INTERVIEW]
    requested.refresh_from_db()
    assert requested.status == S.QUOTED
    assert quote.__class__.objects.get(pk=quote.pk).sent_at is not None


def test_a_negative_price_is_refused_and_no_quote_is_saved(client, staff, requested):
    services.audit_accept(audit=requested, by=staff)
    client.force_login(staff)

    response = client.post(en("quote_edit", requested.pk), {**QUOTE_POST, "price": "-1"})

    assert response.status_code == 200
    assert response.context["form"].errors["price"]
    assert not Quote.objects.filter(audit=requested).exists()


def test_the_quote_cannot_be_written_before_the_order_is_accepted(client, staff, requested):
    client.force_login(staff)

    response = client.post(en("quote_edit", requested.pk), QUOTE_POST)

    assert response.status_code == 200
    assert "Accept the order before writing the quote." in response.content.decode()
    assert not Quote.objects.filter(audit=requested).exists()


def test_sending_a_quote_that_is_not_written_is_refused_with_a_message(client, staff, requested):
    services.audit_accept(audit=requested, by=staff)
    client.force_login(staff)

    response = client.post(en("quote_send", requested.pk))

    assert "Write the quote before sending it." in " ".join(messages_of(response))
    requested.refresh_from_db()
    assert requested.status == S.REQUESTED


def test_the_commissioner_may_not_write_or_send_the_quote(
    client, commissioner, outsider, requested
):
    client.force_login(commissioner)
    assert client.get(en("quote_edit", requested.pk)).status_code == 403
    assert client.post(en("quote_send", requested.pk)).status_code == 403
    client.force_login(outsider)
    assert client.get(en("quote_edit", requested.pk)).status_code == 404


# --- Performer and survey ------------------------------------------------------------------------


def test_staff_choose_the_performing_user_organisation(client, staff, commissioner, requested):
    association = OrganisationFactory(kind=Organisation.Kind.UMBRELLA_BODY)
    municipality = OrganisationFactory(kind=Organisation.Kind.MUNICIPALITY)
    client.force_login(staff)

    refused = client.post(en("performer", requested.pk), {"organisation": municipality.pk})
    client.post(en("performer", requested.pk), {"organisation": association.pk})

    assert refused.status_code == 200 and refused.context["form"].errors["organisation"]
    requested.refresh_from_db()
    assert requested.performing_organisation == association
    client.force_login(commissioner)
    assert client.get(en("performer", requested.pk)).status_code == 403


def test_staff_link_a_survey_and_the_team_may_analyse_it(client, staff, commissioner):
    astrid = trained_auditor()
    audit = audit_in_state(
        S.PLANNING, staff=staff, commissioner=commissioner, auditors=[astrid, trained_auditor()]
    )
    survey = SurveyFactory()
    client.force_login(staff)

    client.post(en("survey_link", audit.pk), {"survey": survey.pk})

    audit.refresh_from_db()
    assert audit.survey == survey
    client.force_login(astrid)
    assert client.get(reverse("surveys:results", args=[survey.pk])).status_code == 200
    client.force_login(commissioner)
    assert client.get(en("survey_link", audit.pk)).status_code == 403


# --- The team ----------------------------------------------------------------------------------


@pytest.fixture
def planning(staff):
    # An audit being planned, with Lena as lead and one more auditor.
    return audit_in_state(S.PLANNING, staff=staff)


def test_a_conflicted_auditor_has_no_add_button_and_a_forged_post_is_refused(
    client, staff, planning
):
    conflicted = trained_auditor(experience_areas=[ServiceArea.LABOUR_MARKET])
    ConflictFactory(auditor=conflicted, unit=planning.units.get())
    client.force_login(staff)

    html = client.get(en("team", planning.pk)).content.decode()
    forged = client.post(en("team", planning.pk), {"user": conflicted.pk, "role": "auditor"})

    assert conflicted.full_name in html
    assert "Conflict of interest: Uses the unit&#x27;s services" in html
    assert f'name="user" value="{conflicted.pk}"' not in html
    assert forged.status_code == 302
    assert any("cannot audit this unit" in m for m in messages_of(forged))
    assert not planning.members.filter(user=conflicted).exists()


def test_an_untrained_auditor_is_hidden_by_default_and_refused_when_forged(client, staff, planning):
    untrained = AuditorProfileFactory(training=AuditorProfile.Training.NOT_TRAINED).user
    client.force_login(staff)

    default = client.get(en("team", planning.pk))
    everyone = client.get(en("team", planning.pk), {"training": "any"})
    forged = client.post(en("team", planning.pk), {"user": untrained.pk, "role": "auditor"})

    assert untrained.pk not in {row.profile.user_id for row in default.context["pool"]}
    rows = {row.profile.user_id: row for row in everyone.context["pool"]}
    assert rows[untrained.pk].reason == "No valid training"
    assert any("has no valid auditor training" in m for m in messages_of(forged))
    assert not planning.members.filter(user=untrained).exists()


def test_the_pool_filters_by_experience_county_and_availability(client, staff, planning):
    lss = AuditorProfileFactory(experience_areas=[ServiceArea.LSS, ServiceArea.ADDICTION])
    busy = AuditorProfileFactory(available=False)
    client.force_login(staff)

    def pool(**query) -> set[int]:
        return {
            row.profile.pk for row in client.get(en("team", planning.pk), query).context["pool"]
        }

    assert pool(area=ServiceArea.LSS) == {lss.pk}
    assert busy.pk in pool()
    assert busy.pk not in pool(available="on")
    assert pool(county=lss.county_id) >= {lss.pk}


def test_staff_add_a_new_lead_and_the_old_lead_becomes_an_auditor(client, staff, planning):
    old_lead = planning.members.get(role=AuditMember.Role.LEAD)
    newcomer = trained_auditor()
    client.force_login(staff)

    response = client.post(en("team", planning.pk), {"user": newcomer.pk, "role": "lead"})

    assert response.url == en("team", planning.pk)
    assert planning.members.get(user=newcomer).role == AuditMember.Role.LEAD
    old_lead.refresh_from_db()
    assert old_lead.role == AuditMember.Role.AUDITOR


def test_staff_make_another_member_lead_and_remove_a_member(client, staff, planning):
    auditor_member = planning.members.get(role=AuditMember.Role.AUDITOR)
    lead = planning.members.get(role=AuditMember.Role.LEAD)
    client.force_login(staff)

    client.post(en("team_lead", planning.pk, auditor_member.pk))
    auditor_member.refresh_from_db()
    assert auditor_member.role == AuditMember.Role.LEAD

    client.post(en("team_remove", planning.pk, lead.pk))
    assert not planning.members.filter(pk=lead.pk).exists()
    assert planning.events.filter(action="member_removed").exists()


def test_a_member_of_another_audit_cannot_be_changed_through_this_one(client, staff, planning):
    elsewhere = audit_in_state(S.PLANNING).members.first()
    client.force_login(staff)

    assert client.post(en("team_remove", planning.pk, elsewhere.pk)).status_code == 404


def test_the_team_page_is_for_managers_only(client, outsider, planning):
    lead = planning.members.get(role=AuditMember.Role.LEAD).user
    client.force_login(lead)
    assert client.get(en("team", planning.pk)).status_code == 403
    assert (
        client.post(en("team", planning.pk), {"user": lead.pk, "role": "lead"}).status_code == 403
    )
    client.force_login(outsider)
    assert client.get(en("team", planning.pk)).status_code == 404


@pytest.mark.parametrize("profiles", [1, 30])
def test_the_team_page_runs_as_many_queries_for_30_profiles_as_for_1(
    client, staff, planning, profiles, django_assert_max_num_queries
):
    for _ in range(profiles):
        AuditorProfileFactory()
    ConflictFactory(auditor=AuditorProfileFactory().user, unit=planning.units.get())
    client.force_login(staff)

    with django_assert_max_num_queries(9):
        response = client.get(en("team", planning.pk))

    # The two on the team and the conflicted one are in the pool as well.
    assert len(response.context["pool"]) == profiles + 3


# --- The plain transitions ------------------------------------------------------------------------


def post_step(client, audit: Audit, action: str, **data):
    return client.post(en("transition", audit.pk, action), data)


def test_staff_start_planning_from_the_confirm_page(client, staff):
    audit = audit_in_state(S.AGREED, staff=staff)
    sign_agreement(audit, audit.ordered_by)
    client.force_login(staff)

    page = client.get(en("transition", audit.pk, "start_planning"))
    response = post_step(client, audit, "start_planning")

    assert "Planning starts" in page.content.decode()
    assert response.url == audit.get_absolute_url()
    audit.refresh_from_db()
    assert audit.status == S.PLANNING


def test_staff_start_collecting_with_a_full_team(client, staff, planning):
    client.force_login(staff)
    post_step(client, planning, "start_collecting")
    planning.refresh_from_db()
    assert planning.status == S.COLLECTING


def test_collecting_cannot_start_with_one_auditor_and_nothing_changes(client, staff):
    audit = audit_in_state(S.PLANNING, staff=staff, auditors=[trained_auditor()])
    events = AuditEvent.objects.count()
    client.force_login(staff)

    response = post_step(client, audit, "start_collecting")

    assert response.status_code == 200
    assert "The team needs at least 2 auditors, one of them the lead." in response.content.decode()
    audit.refresh_from_db()
    assert audit.status == S.PLANNING
    assert AuditEvent.objects.count() == events


def test_a_step_from_the_wrong_state_is_refused_and_nothing_changes(client, staff, requested):
    client.force_login(staff)

    page = client.get(en("transition", requested.pk, "start_planning"))
    response = post_step(client, requested, "start_planning")

    assert "This step is not possible now" in page.content.decode()
    assert "Planning starts once the agreement is accepted." in response.content.decode()
    requested.refresh_from_db()
    assert requested.status == S.REQUESTED


def test_the_lead_starts_the_analysis_and_drafts_the_report(client, staff):
    lead = trained_auditor()
    audit = audit_in_state(S.COLLECTING, staff=staff, auditors=[lead, trained_auditor()])
    client.force_login(lead)

    post_step(client, audit, "start_analysis")
    audit.refresh_from_db()
    assert audit.status == S.ANALYSING

    services.finding_create(
        audit=audit,
        by=lead,
        data={"theme": "safety", "polarity": "positive", "title": "Trygg", "description": "Ja."},
    )
    post_step(client, audit, "draft_report")
    audit.refresh_from_db()
    assert audit.status == S.REPORT_DRAFT


def test_a_team_member_who_is_not_lead_and_the_commissioner_may_not_take_steps(
    client, staff, commissioner
):
    other = trained_auditor()
    audit = audit_in_state(
        S.COLLECTING, staff=staff, commissioner=commissioner, auditors=[trained_auditor(), other]
    )
    client.force_login(other)
    assert post_step(client, audit, "start_analysis").status_code == 403
    client.force_login(commissioner)
    assert client.get(en("transition", audit.pk, "start_analysis")).status_code == 403
    audit.refresh_from_db()
    assert audit.status == S.COLLECTING


def test_the_lead_may_not_approve_the_report(client, staff):
    lead = trained_auditor()
    audit = audit_in_state(S.REPORT_DRAFT, staff=staff, auditors=[lead, trained_auditor()])
    client.force_login(lead)
    assert post_step(client, audit, "approve_report").status_code == 403


def test_staff_approve_the_report_with_a_comment(client, staff):
    audit = audit_in_state(S.REPORT_DRAFT, staff=staff)
    ReportVersion.objects.create(
        audit=audit, number=1, language="sv", status=ReportVersion.Status.READY, sha256="0" * 64
    )
    client.force_login(staff)

    post_step(client, audit, "approve_report", comment="Granskad av Sara.")

    audit.refresh_from_db()
    assert audit.status == S.REPORT_APPROVED
    assert audit.events.get(action="report_approved").comment == "Granskad av Sara."


def test_approving_without_a_ready_report_is_refused(client, staff):
    audit = audit_in_state(S.REPORT_DRAFT, staff=staff)
    client.force_login(staff)

    response = post_step(client, audit, "approve_report")

    assert "Make the report PDF and check it before approving it." in response.content.decode()
    audit.refresh_from_db()
    assert audit.status == S.REPORT_DRAFT


def test_staff_close_the_audit_once_progress_is_reported(client, staff, commissioner):
    audit = audit_in_state(S.FOLLOW_UP, staff=staff, commissioner=commissioner)
    client.force_login(staff)

    refused = post_step(client, audit, "close")
    for proposal in audit.proposals.all():
        services.proposal_report_progress(
            proposal=proposal,
            by=commissioner,
            progress=Proposal.Progress.IMPLEMENTED,
            note="Klart.",
        )
    post_step(client, audit, "close", comment="Avslutad.")

    assert "has not reported progress on 1 proposals" in refused.content.decode()
    audit.refresh_from_db()
    assert audit.status == S.CLOSED


def test_an_unknown_step_is_not_found(client, staff, requested):
    client.force_login(staff)
    assert client.get(en("transition", requested.pk, "skip_to_the_end")).status_code == 404


# --- Feedback and follow-up --------------------------------------------------------------------------


def test_staff_plan_and_record_the_feedback_meeting(client, staff):
    audit = audit_in_state(S.REPORT_APPROVED, staff=staff)
    due = timezone.localdate() + timedelta(days=20)
    client.force_login(staff)

    client.post(
        en("feedback", audit.pk), {"schedule-at": "2030-05-02T13:00", "schedule-place": "Aulan"}
    )
    audit.refresh_from_db()
    assert timezone.localtime(audit.feedback_meeting_at).hour == 13
    assert audit.feedback_meeting_place == "Aulan"

    client.post(en("feedback", audit.pk), {"record-response_due": due.isoformat()})
    audit.refresh_from_db()
    assert audit.status == S.FEEDBACK_HELD
    assert audit.response_due == due


def test_the_response_date_offered_is_30_days_ahead(client, staff):
    audit = audit_in_state(S.REPORT_APPROVED, staff=staff)
    client.force_login(staff)

    form = client.get(en("feedback", audit.pk)).context["record_form"]

    assert form["response_due"].value() == timezone.localdate() + timedelta(days=30)


def test_a_response_date_in_the_past_is_refused(client, staff):
    audit = audit_in_state(S.REPORT_APPROVED, staff=staff)
    client.force_login(staff)

    response = client.post(en("feedback", audit.pk), {"record-response_due": "2001-01-01"})

    assert response.status_code == 200
    assert response.context["record_form"].errors["response_due"] == [
        "The date cannot be in the past."
    ]
    audit.refresh_from_db()
    assert audit.status == S.REPORT_APPROVED


def test_the_commissioner_may_not_record_the_feedback_meeting(client, staff, commissioner):
    audit = audit_in_state(S.REPORT_APPROVED, staff=staff, commissioner=commissioner)
    client.force_login(commissioner)
    assert client.get(en("feedback", audit.pk)).status_code == 403


def test_staff_start_the_follow_up(client, staff, commissioner):
    audit = audit_in_state(S.RESPONSE_RECEIVED, staff=staff, commissioner=commissioner)
    due = timezone.localdate() + timedelta(days=90)
    client.force_login(staff)

    past = client.post(en("follow_up_start", audit.pk), {"follow_up_due": "2001-01-01"})
    client.post(en("follow_up_start", audit.pk), {"follow_up_due": due.isoformat()})

    assert past.context["form"].errors["follow_up_due"]
    audit.refresh_from_db()
    assert audit.status == S.FOLLOW_UP and audit.follow_up_due == due
    client.force_login(commissioner)
    assert client.get(en("follow_up_start", audit.pk)).status_code == 403


# --- Coverage ------------------------------------------------------------------------------------------


def test_coverage_counts_audits_and_proposals_per_county_and_lists_all_21(client, staff):
    counties = {county.code: county for county in all_counties()}
    stockholm, orebro = counties["01"], counties["18"]
    for status in (S.PLANNING, S.ANALYSING, S.CLOSED):
        AuditFactory(status=status, county=stockholm)
    closed = Audit.objects.get(status=S.CLOSED)
    ProposalFactory(audit=closed, response="accepted", progress="implemented")
    ProposalFactory(audit=closed, response="rejected")
    ProposalFactory(audit=closed, response="partly", progress="in_progress")
    orebro_audit = AuditFactory(status=S.FOLLOW_UP, county=orebro)
    ProposalFactory(audit=orebro_audit)
    AuditFactory(status=S.CANCELLED, county=orebro)
    AuditFactory(status=S.DRAFT, county=orebro)
    client.force_login(staff)

    response = client.get(en("coverage"))

    rows = {row.code: row for row in response.context["rows"]}
    assert len(rows) == 21
    assert (rows["01"].active, rows["01"].closed) == (2, 1)
    assert (rows["01"].proposals, rows["01"].answered) == (3, 3)
    assert (rows["01"].accepted, rows["01"].implemented) == (2, 1)
    assert (rows["18"].active, rows["18"].closed, rows["18"].proposals) == (1, 0, 1)
    assert (rows["25"].active, rows["25"].closed) == (0, 0)
    national = response.context["national"]
    assert (national.active, national.closed, national.proposals) == (3, 1, 4)
    assert (national.answered, national.accepted, national.implemented) == (3, 2, 1)
    assert response.context["counties_reached"] == 2
    html = response.content.decode()
    for county in counties.values():
        assert f'<th scope="row">{county.name}</th>' in html
    assert 'role="img" aria-labelledby="coverage-chart-title coverage-chart-desc"' in html
    assert "2 active" in html and "1 closed" in html


@pytest.mark.parametrize("persona", ["commissioner", "auditor", "outsider"])
def test_coverage_is_for_staff_only(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(en("coverage")).status_code == 403


@pytest.mark.parametrize("audits", [1, 50])
def test_coverage_runs_as_many_queries_for_50_audits_as_for_1(
    client, staff, audits, django_assert_max_num_queries
):
    counties = all_counties()
    for index in range(audits):
        audit = AuditFactory(
            status=S.CLOSED if index % 3 else S.PLANNING, county=counties[index % 21]
        )
        ProposalFactory(audit=audit, response="accepted")
    client.force_login(staff)

    # Session, user, roles, then counties, audits per county and proposals per county.
    with django_assert_max_num_queries(6):
        response = client.get(en("coverage"))

    assert response.context["national"].proposals == audits


# --- The menu and the staff start page ----------------------------------------------------------------


def test_the_main_menu_links_to_the_audits_for_people_with_a_role(client, commissioner, outsider):
    client.force_login(commissioner)
    html = client.get(en("list")).content.decode()
    assert f'<a href="{en("list")}" aria-current="page">Audits</a>' in html
    assert "audits/audits.css" in html

    client.force_login(outsider)
    with translation.override("en"):
        profile = reverse("profile")
    assert f'href="{en("list")}"' not in client.get(profile).content.decode()


def test_the_staff_start_page_counts_everything_waiting_for_the_centre(client, staff):
    audit_in_state(S.REQUESTED)
    audit_in_state(S.REQUESTED)
    signed = audit_in_state(S.AGREED)
    sign_agreement(signed, signed.ordered_by)
    audit_in_state(S.AGREED)  # no signed agreement yet: waits for the commissioner
    audit_in_state(S.RESPONSE_RECEIVED)
    reported = audit_in_state(S.FOLLOW_UP)
    reported.proposals.update(progress=Proposal.Progress.IMPLEMENTED, progress_note="Klart.")
    audit_in_state(S.FOLLOW_UP)  # progress not reported yet: waits for the commissioner
    client.force_login(staff)
    with translation.override("en"):
        page = reverse("start_staff")

    html = client.get(page).content.decode()

    assert '<span class="stat-list__number">2</span> new orders in the work queue' in html
    assert '<span class="stat-list__number">1</span> signed agreements: audits to plan' in html
    assert (
        '<span class="stat-list__number">1</span> responses received: start the follow-up' in html
    )
    assert '<span class="stat-list__number">1</span> follow-ups reported: close the audit' in html
    for name in ("queue", "coverage", "fees_payout"):
        assert f'href="{en(name)}"' in html


@pytest.mark.parametrize("count", [1, 20])
def test_the_staff_start_page_counts_the_audits_in_one_query(
    client, staff, count, django_assert_max_num_queries
):
    for status in (S.REQUESTED, S.AGREED, S.REPORT_DRAFT):
        AuditFactory.create_batch(count, status=status)
    client.force_login(staff)

    # Session, user, roles, the four tables the page had before, one for the audits, one for
    # the requests to join an organisation and one for the person's notices.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("start_staff"))

    assert response.context["waiting"]["requested"] == count
    assert response.context["waiting"]["to_approve"] == count


def test_a_declined_order_says_it_is_cancelled_and_offers_nothing(client, staff, commissioner):
    audit = audit_in_state(S.CANCELLED, staff=staff, commissioner=commissioner)
    client.force_login(commissioner)

    response = client.get(en("detail", audit.pk))

    html = response.content.decode()
    assert "The audit is cancelled." in html
    assert "Utanför vårt område." in html  # the reason, in the history
    assert response.context["actions"] == []
