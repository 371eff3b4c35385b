"""The audit workflow's rules, at the service level (docs/domain.md §1)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from audits import services
from audits.models import (
    Audit,
    AuditEvent,
    AuditMember,
    Finding,
    Notification,
    Proposal,
    ReportVersion,
)
from audits.services import StaleEdit, TransitionError
from audits.tests.factories import (
    QUOTE,
    AuditorProfileFactory,
    ConflictFactory,
    audit_in_state,
    sign_agreement,
    trained_auditor,
)
from brukarkraft.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = Audit.Status
ALL_STATES = [S.DRAFT, *Audit.FLOW, S.CANCELLED]


@pytest.fixture
def people(commissioner, other_commissioner, staff, auditor):
    return SimpleNamespace(
        commissioner=commissioner,
        other_commissioner=other_commissioner,
        staff=staff,
        auditor=auditor,
    )


def today():
    return timezone.localdate()


def snapshot(audit: Audit) -> tuple:
    audit.refresh_from_db()
    return audit.status, AuditEvent.objects.filter(audit=audit).count()


# Each transition, called as the right person, and the states where it is legal (or, for
# a repeated acceptance or response, a harmless no-op rather than an error).
TRANSITIONS = {
    "audit_accept": (lambda a, p: services.audit_accept(audit=a, by=p.staff), {S.REQUESTED}),
    "audit_decline": (
        lambda a, p: services.audit_decline(audit=a, by=p.staff, reason="Utanför området."),
        {S.REQUESTED},
    ),
    "audit_cancel": (
        lambda a, p: services.audit_cancel(audit=a, by=p.staff, reason="Omorganisation."),
        {S.REQUESTED, S.QUOTED, S.AGREED, S.PLANNING},
    ),
    "quote_send": (lambda a, p: services.quote_send(audit=a, by=p.staff), {S.REQUESTED}),
    "quote_accept": (
        lambda a, p: services.quote_accept(audit=a, by=p.commissioner, revision=1),
        {S.QUOTED, S.AGREED},
    ),
    "audit_start_planning": (
        lambda a, p: services.audit_start_planning(audit=a, by=p.staff),
        {S.AGREED},
    ),
    "audit_start_collecting": (
        lambda a, p: services.audit_start_collecting(audit=a, by=p.staff),
        {S.PLANNING},
    ),
    "audit_start_analysis": (
        lambda a, p: services.audit_start_analysis(audit=a, by=p.staff),
        {S.COLLECTING},
    ),
    "audit_draft_report": (
        lambda a, p: services.audit_draft_report(audit=a, by=p.staff),
        {S.ANALYSING},
    ),
    "report_approve": (
        lambda a, p: services.report_approve(audit=a, by=p.staff),
        {S.REPORT_DRAFT},
    ),
    "feedback_record": (
        lambda a, p: services.feedback_record(audit=a, by=p.staff),
        {S.REPORT_APPROVED},
    ),
    "response_submit": (
        lambda a, p: services.response_submit(audit=a, by=p.commissioner),
        {S.FEEDBACK_HELD, S.RESPONSE_RECEIVED},
    ),
    "follow_up_start": (
        lambda a, p: services.follow_up_start(
            audit=a, by=p.staff, follow_up_due=today() + timedelta(days=90)
        ),
        {S.RESPONSE_RECEIVED},
    ),
    "audit_close": (lambda a, p: services.audit_close(audit=a, by=p.staff), {S.FOLLOW_UP}),
}

ILLEGAL = [
    pytest.param(name, state, id=f"{name}-{state}")
    for name, (_call, legal) in TRANSITIONS.items()
    for state in ALL_STATES
    if state not in legal
]


@pytest.mark.parametrize(("name", "state"), ILLEGAL)
def test_a_transition_in_an_illegal_state_is_refused_and_changes_nothing(people, name, state):
    audit = audit_in_state(state, commissioner=people.commissioner, staff=people.staff)
    before = snapshot(audit)
    call, _legal = TRANSITIONS[name]

    with pytest.raises(TransitionError) as raised:
        call(audit, people)

    assert raised.value.code == "illegal_transition"
    assert snapshot(audit) == before


def _accept_and_write_quote(audit, p):
    services.audit_accept(audit=audit, by=p.staff)
    services.quote_save(audit=audit, by=p.staff, data=dict(QUOTE))


def _sign(audit, p):
    sign_agreement(audit, p.commissioner)


def _ready_report(audit, p):
    ReportVersion.objects.create(
        audit=audit, number=1, language="sv", status=ReportVersion.Status.READY
    )


def _answer_proposals(audit, p):
    for proposal in audit.proposals.all():
        services.proposal_respond(
            proposal=proposal,
            by=p.commissioner,
            response=Proposal.Response.REJECTED,
            action="Vi har redan en kontaktperson.",
            owner="",
            deadline=None,
        )


def _report_progress(audit, p):
    for proposal in audit.proposals.all():
        services.proposal_report_progress(
            proposal=proposal, by=p.commissioner, progress="implemented", note="Klart."
        )


# (service call, who acts, from, to, action, comment, preparation)
FORWARD = [
    pytest.param(
        lambda a, p: services.audit_decline(audit=a, by=p.staff, reason="Utanför området."),
        "staff", S.REQUESTED, S.CANCELLED, "declined", "Utanför området.", None, id="decline",
    ),
    pytest.param(
        lambda a, p: services.audit_cancel(audit=a, by=p.commissioner, reason="Ny chef."),
        "commissioner", S.QUOTED, S.CANCELLED, "cancelled", "Ny chef.", None, id="cancel",
    ),
    pytest.param(
        lambda a, p: services.quote_send(audit=a, by=p.staff),
        "staff", S.REQUESTED, S.QUOTED, "quote_sent", "", _accept_and_write_quote,
        id="quote_send",
    ),
    pytest.param(
        lambda a, p: services.quote_accept(
            audit=a, by=p.commissioner, revision=1, comment="Vi godkänner."
        ),
        "commissioner", S.QUOTED, S.AGREED, "quote_accepted", "Vi godkänner.", None,
        id="quote_accept",
    ),
    pytest.param(
        lambda a, p: services.audit_start_planning(audit=a, by=p.staff),
        "staff", S.AGREED, S.PLANNING, "planning_started", "", _sign, id="planning",
    ),
    pytest.param(
        lambda a, p: services.audit_start_collecting(audit=a, by=p.staff),
        "staff", S.PLANNING, S.COLLECTING, "collecting_started", "", None, id="collecting",
    ),
    pytest.param(
        lambda a, p: services.audit_start_analysis(audit=a, by=p.staff),
        "staff", S.COLLECTING, S.ANALYSING, "analysis_started", "", None, id="analysis",
    ),
    pytest.param(
        lambda a, p: services.audit_draft_report(audit=a, by=p.staff),
        "staff", S.ANALYSING, S.REPORT_DRAFT, "report_drafted", "", None, id="draft_report",
    ),
    pytest.param(
        lambda a, p: services.report_approve(audit=a, by=p.staff, comment="Granskad."),
        "staff", S.REPORT_DRAFT, S.REPORT_APPROVED, "report_approved", "Granskad.",
        _ready_report, id="report_approve",
    ),
    pytest.param(
        lambda a, p: services.feedback_record(audit=a, by=p.staff, comment="Bra möte."),
        "staff", S.REPORT_APPROVED, S.FEEDBACK_HELD, "feedback_held", "Bra möte.", None,
        id="feedback",
    ),
    pytest.param(
        lambda a, p: services.response_submit(audit=a, by=p.commissioner),
        "commissioner", S.FEEDBACK_HELD, S.RESPONSE_RECEIVED, "response_sent", "",
        _answer_proposals, id="response",
    ),
    pytest.param(
        lambda a, p: services.follow_up_start(
            audit=a, by=p.staff, follow_up_due=today() + timedelta(days=90)
        ),
        "staff", S.RESPONSE_RECEIVED, S.FOLLOW_UP, "follow_up_started", "", None,
        id="follow_up",
    ),
    pytest.param(
        lambda a, p: services.audit_close(audit=a, by=p.staff, comment="Klart."),
        "staff", S.FOLLOW_UP, S.CLOSED, "closed", "Klart.", _report_progress, id="close",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "actor", "from_state", "to_state", "action", "comment", "prepare"), FORWARD
)
def test_each_transition_writes_exactly_one_history_entry(
    people, call, actor, from_state, to_state, action, comment, prepare
):
    audit = audit_in_state(from_state, commissioner=people.commissioner, staff=people.staff)
    if prepare:
        prepare(audit, people)
    before = AuditEvent.objects.filter(audit=audit).count()

    call(audit, people)

    events = AuditEvent.objects.filter(audit=audit).order_by("at", "pk")
    assert events.count() == before + 1
    event = events.last()
    assert (event.action, event.from_status, event.to_status) == (action, from_state, to_state)
    assert event.by == getattr(people, actor)
    assert event.comment == comment
    audit.refresh_from_db()
    assert audit.status == to_state


# --- Who may do what ------------------------------------------------------------

WRONG_ROLE = [
    pytest.param(
        lambda a, p: services.quote_save(audit=a, by=p.commissioner, data=dict(QUOTE)),
        S.REQUESTED, id="commissioner-cannot-write-the-quote",
    ),
    pytest.param(
        lambda a, p: services.quote_send(audit=a, by=p.commissioner),
        S.REQUESTED, id="commissioner-cannot-send-the-quote",
    ),
    pytest.param(
        lambda a, p: services.report_approve(audit=a, by=p.commissioner),
        S.REPORT_DRAFT, id="commissioner-cannot-approve-the-report",
    ),
    pytest.param(
        lambda a, p: services.audit_close(audit=a, by=p.commissioner),
        S.FOLLOW_UP, id="commissioner-cannot-close",
    ),
    pytest.param(
        lambda a, p: services.audit_accept(audit=a, by=a.members.first().user),
        S.PLANNING, id="team-auditor-cannot-accept-orders",
    ),
    pytest.param(
        lambda a, p: services.audit_accept(audit=a, by=p.auditor),
        S.REQUESTED, id="auditor-cannot-accept-orders",
    ),
    pytest.param(
        lambda a, p: services.audit_decline(audit=a, by=p.commissioner, reason="Nej."),
        S.REQUESTED, id="commissioner-cannot-decline",
    ),
    pytest.param(
        lambda a, p: services.quote_accept(audit=a, by=p.other_commissioner, revision=1),
        S.QUOTED, id="other-commissioner-cannot-accept-the-quote",
    ),
    pytest.param(
        lambda a, p: services.audit_cancel(audit=a, by=p.other_commissioner, reason="Nej."),
        S.QUOTED, id="other-commissioner-cannot-cancel",
    ),
    pytest.param(
        lambda a, p: services.quote_accept(audit=a, by=p.staff, revision=1),
        S.QUOTED, id="staff-cannot-accept-for-the-commissioner",
    ),
    pytest.param(
        lambda a, p: services.team_add(audit=a, by=p.commissioner, user=trained_auditor()),
        S.AGREED, id="commissioner-cannot-pick-the-team",
    ),
    pytest.param(
        lambda a, p: services.audit_start_analysis(
            audit=a, by=a.members.get(role=AuditMember.Role.AUDITOR).user
        ),
        S.COLLECTING, id="team-auditor-who-is-not-lead-cannot-start-analysis",
    ),
    pytest.param(
        lambda a, p: services.finding_create(
            audit=a,
            by=p.auditor,
            data={"theme": "safety", "polarity": "negative", "title": "X", "description": "Y"},
        ),
        S.ANALYSING, id="auditor-off-the-team-cannot-write-findings",
    ),
    pytest.param(
        lambda a, p: services.response_submit(audit=a, by=p.staff),
        S.FEEDBACK_HELD, id="staff-cannot-send-the-commissioners-response",
    ),
    pytest.param(
        lambda a, p: services.response_submit(audit=a, by=p.other_commissioner),
        S.FEEDBACK_HELD, id="other-commissioner-cannot-send-the-response",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("call", "state"), WRONG_ROLE)
def test_the_wrong_person_is_refused_and_nothing_changes(people, call, state):
    audit = audit_in_state(state, commissioner=people.commissioner, staff=people.staff)
    before = snapshot(audit)
    members = AuditMember.objects.filter(audit=audit).count()
    findings = Finding.objects.filter(audit=audit).count()

    with pytest.raises(PermissionDenied):
        call(audit, people)

    assert snapshot(audit) == before
    assert AuditMember.objects.filter(audit=audit).count() == members
    assert Finding.objects.filter(audit=audit).count() == findings


def test_a_proposal_citing_another_audits_finding_is_refused(people):
    audit = audit_in_state(S.ANALYSING, commissioner=people.commissioner, staff=people.staff)
    foreign = audit_in_state(S.ANALYSING).findings.first()
    before = audit.proposals.count()

    with pytest.raises(PermissionDenied):
        services.proposal_create(audit=audit, by=people.staff, text="Förslag.", findings=[foreign])

    assert audit.proposals.count() == before


def test_a_proposal_without_findings_is_refused(people):
    audit = audit_in_state(S.ANALYSING, commissioner=people.commissioner, staff=people.staff)

    with pytest.raises(ValidationError) as raised:
        services.proposal_create(audit=audit, by=people.staff, text="Förslag.", findings=[])

    assert "findings" in raised.value.message_dict
    assert audit.proposals.count() == 1


# --- The team ---------------------------------------------------------------------


@pytest.fixture
def agreed(people):
    return audit_in_state(S.AGREED, commissioner=people.commissioner, staff=people.staff)


def test_an_auditor_with_a_conflict_on_one_of_the_units_cannot_be_added(people, agreed):
    person = trained_auditor()
    ConflictFactory(auditor=person, unit=agreed.units.first())

    with pytest.raises(ValidationError) as raised:
        services.team_add(audit=agreed, by=people.staff, user=person)

    assert raised.value.code == "conflict_of_interest"
    assert not agreed.members.filter(user=person).exists()


def test_an_auditor_with_a_conflict_on_the_commissioner_cannot_be_added(people, agreed):
    person = trained_auditor()
    ConflictFactory(auditor=person, unit=None, organisation=agreed.organisation)

    with pytest.raises(ValidationError) as raised:
        services.team_add(audit=agreed, by=people.staff, user=person)

    assert raised.value.code == "conflict_of_interest"
    assert not agreed.members.exists()


def test_a_conflict_on_another_unit_does_not_stop_an_auditor(people, agreed):
    person = trained_auditor()
    ConflictFactory(auditor=person)  # A unit of some other organisation.

    member = services.team_add(audit=agreed, by=people.staff, user=person)

    assert member.audit_id == agreed.pk


@pytest.mark.parametrize(
    "profile",
    [
        {"training": "not_trained"},
        {"training": "in_training"},
        {"training": "trained", "trained_until": timedelta(days=-1)},
    ],
    ids=["untrained", "in-training", "training-expired"],
)
def test_an_auditor_without_valid_training_cannot_be_added(people, agreed, profile):
    if "trained_until" in profile:
        profile = {**profile, "trained_until": today() + profile["trained_until"]}
    person = AuditorProfileFactory(**profile).user

    with pytest.raises(ValidationError) as raised:
        services.team_add(audit=agreed, by=people.staff, user=person)

    assert raised.value.code == "not_trained"
    assert not agreed.members.exists()


def test_training_valid_until_today_still_counts(people, agreed):
    person = AuditorProfileFactory(trained_until=today()).user

    services.team_add(audit=agreed, by=people.staff, user=person)

    assert agreed.members.filter(user=person).exists()


def test_someone_without_the_auditor_role_cannot_audit(people, agreed):
    with pytest.raises(ValidationError) as raised:
        services.team_add(audit=agreed, by=people.staff, user=UserFactory())

    assert raised.value.code == "not_auditor"


def _planning_with(people, roles: list[str]) -> Audit:
    audit = audit_in_state(S.AGREED, commissioner=people.commissioner, staff=people.staff)
    sign_agreement(audit, people.commissioner)
    services.audit_start_planning(audit=audit, by=people.staff)
    for role in roles:
        services.team_add(audit=audit, by=people.staff, user=trained_auditor(), role=role)
    return audit


@pytest.mark.parametrize(
    "roles",
    [[], ["lead"], ["auditor", "auditor"], ["lead", "relative"]],
    ids=["nobody", "only-a-lead", "two-without-a-lead", "lead-and-a-relative"],
)
def test_collecting_needs_two_auditors_one_of_them_the_lead(people, roles):
    audit = _planning_with(people, roles)
    before = snapshot(audit)

    with pytest.raises(ValidationError) as raised:
        services.audit_start_collecting(audit=audit, by=people.staff)

    assert raised.value.code == "team_too_small"
    assert snapshot(audit) == before


def test_collecting_starts_with_a_lead_and_an_auditor(people):
    audit = _planning_with(people, ["lead", "auditor"])

    services.audit_start_collecting(audit=audit, by=people.staff)

    audit.refresh_from_db()
    assert audit.status == S.COLLECTING


@pytest.mark.parametrize("state", [S.REQUESTED, S.QUOTED, S.AGREED, S.PLANNING])
def test_an_audit_can_be_cancelled_before_collecting(people, state):
    audit = audit_in_state(state, commissioner=people.commissioner, staff=people.staff)

    services.audit_cancel(audit=audit, by=people.commissioner, reason="Budgeten drogs in.")

    audit.refresh_from_db()
    assert audit.status == S.CANCELLED


def test_a_cancellation_needs_a_reason(people):
    audit = audit_in_state(S.QUOTED, commissioner=people.commissioner, staff=people.staff)
    before = snapshot(audit)

    with pytest.raises(ValidationError) as raised:
        services.audit_cancel(audit=audit, by=people.commissioner, reason="  ")

    assert "reason" in raised.value.message_dict
    assert snapshot(audit) == before


# --- The order --------------------------------------------------------------------


def _complete_draft(people) -> Audit:
    """A draft with everything the order needs, not yet sent."""
    audit = audit_in_state(S.REQUESTED, commissioner=people.commissioner, staff=people.staff)
    Audit.objects.filter(pk=audit.pk).update(status=S.DRAFT, reference="", submitted_at=None)
    AuditEvent.objects.filter(audit=audit).delete()
    audit.refresh_from_db()
    return audit


def test_sending_an_order_gives_it_a_reference_with_the_year_and_number(
    people, django_capture_on_commit_callbacks
):
    audit = _complete_draft(people)

    with django_capture_on_commit_callbacks() as callbacks:
        services.order_submit(audit=audit, by=people.commissioner)

    audit.refresh_from_db()
    assert audit.reference == f"BR-{today().year}-{audit.pk:05d}"
    assert audit.status == S.REQUESTED
    assert audit.submitted_at is not None
    assert len(callbacks) == 1


def test_sending_an_order_twice_changes_nothing_the_second_time(
    people, django_capture_on_commit_callbacks
):
    audit = _complete_draft(people)
    services.order_submit(audit=audit, by=people.commissioner)
    audit.refresh_from_db()
    reference, submitted_at = audit.reference, audit.submitted_at
    before = snapshot(audit)

    with django_capture_on_commit_callbacks() as callbacks:
        again = services.order_submit(audit=audit, by=people.commissioner)

    assert again.reference == reference
    assert snapshot(audit) == before
    assert audit.submitted_at == submitted_at
    assert callbacks == []


def test_an_incomplete_order_is_not_sent(people):
    audit = services.order_start(
        organisation=people.commissioner.memberships.first().organisation, by=people.commissioner
    )

    with pytest.raises(ValidationError) as raised:
        services.order_submit(audit=audit, by=people.commissioner)

    assert gettext("Describe the target group.") in raised.value.messages
    audit.refresh_from_db()
    assert (audit.status, audit.reference) == (S.DRAFT, "")


def test_only_the_orderer_may_send_the_order(people):
    audit = _complete_draft(people)

    with pytest.raises(PermissionDenied):
        services.order_submit(audit=audit, by=people.other_commissioner)

    audit.refresh_from_db()
    assert audit.status == S.DRAFT


# --- Findings: two people editing at once ----------------------------------------


def test_the_second_of_two_edits_from_the_same_version_is_refused(people):
    audit = audit_in_state(S.ANALYSING, commissioner=people.commissioner, staff=people.staff)
    lead = audit.members.get(role=AuditMember.Role.LEAD).user
    second = audit.members.get(role=AuditMember.Role.AUDITOR).user
    finding = audit.findings.get()
    started_at = finding.version

    services.finding_update(
        finding=finding, by=lead, version=started_at, data={"title": "Först sparad"}
    )
    with pytest.raises(StaleEdit) as raised:
        services.finding_update(
            finding=finding, by=second, version=started_at, data={"title": "Skriver över"}
        )

    assert raised.value.code == "stale"
    assert lead.full_name in raised.value.messages[0]
    finding.refresh_from_db()
    assert finding.title == "Först sparad"
    assert finding.version == started_at + 1
    assert finding.updated_by == lead


def test_an_edit_from_the_current_version_is_saved(people):
    audit = audit_in_state(S.ANALYSING, commissioner=people.commissioner, staff=people.staff)
    finding = audit.findings.get()

    services.finding_update(finding=finding, by=people.staff, version=1, data={"title": "A"})
    updated = services.finding_update(
        finding=finding, by=people.staff, version=2, data={"title": "B"}
    )

    assert (updated.title, updated.version) == ("B", 3)


# --- Feedback, response and follow-up ---------------------------------------------


def test_feedback_sets_the_response_due_thirty_days_ahead(people):
    audit = audit_in_state(S.REPORT_APPROVED, commissioner=people.commissioner, staff=people.staff)

    services.feedback_record(audit=audit, by=people.staff)

    audit.refresh_from_db()
    assert audit.response_due == today() + timedelta(days=30)
    assert audit.feedback_meeting_at is not None


def test_feedback_refuses_a_due_date_in_the_past(people):
    audit = audit_in_state(S.REPORT_APPROVED, commissioner=people.commissioner, staff=people.staff)
    before = snapshot(audit)

    with pytest.raises(ValidationError) as raised:
        services.feedback_record(
            audit=audit, by=people.staff, response_due=today() - timedelta(days=1)
        )

    assert "response_due" in raised.value.message_dict
    assert snapshot(audit) == before


def test_the_response_is_refused_while_a_proposal_is_unanswered(people):
    audit = audit_in_state(S.FEEDBACK_HELD, commissioner=people.commissioner, staff=people.staff)
    before = snapshot(audit)

    with pytest.raises(ValidationError) as raised:
        services.response_submit(audit=audit, by=people.commissioner)

    assert raised.value.code == "unanswered"
    assert snapshot(audit) == before


@pytest.mark.parametrize(
    ("answer", "fields"),
    [
        ({"response": "maybe", "action": "X", "owner": "Y", "deadline": 30}, {"response"}),
        ({"response": "accepted", "action": "", "owner": "Y", "deadline": 30}, {"action"}),
        (
            {"response": "accepted", "action": "X", "owner": " ", "deadline": None},
            {"action_owner", "deadline"},
        ),
        ({"response": "partly", "action": "X", "owner": "Y", "deadline": -1}, {"deadline"}),
        ({"response": "rejected", "action": "", "owner": "", "deadline": None}, {"action"}),
    ],
    ids=["unknown-response", "no-action", "no-owner-or-deadline", "past-deadline", "no-reason"],
)
def test_an_incomplete_answer_to_a_proposal_is_refused(people, answer, fields):
    audit = audit_in_state(S.FEEDBACK_HELD, commissioner=people.commissioner, staff=people.staff)
    proposal = audit.proposals.get()
    days = answer["deadline"]
    deadline = None if days is None else today() + timedelta(days=days)

    with pytest.raises(ValidationError) as raised:
        services.proposal_respond(
            proposal=proposal,
            by=people.commissioner,
            response=answer["response"],
            action=answer["action"],
            owner=answer["owner"],
            deadline=deadline,
        )

    assert set(raised.value.message_dict) == fields
    proposal.refresh_from_db()
    assert (proposal.response, proposal.responded_at) == ("", None)


def test_a_rejection_with_a_reason_needs_no_owner_or_deadline(people):
    audit = audit_in_state(S.FEEDBACK_HELD, commissioner=people.commissioner, staff=people.staff)
    proposal = audit.proposals.get()

    services.proposal_respond(
        proposal=proposal,
        by=people.commissioner,
        response="rejected",
        action="Det finns redan.",
        owner="",
        deadline=None,
    )

    proposal.refresh_from_db()
    assert proposal.response == "rejected"
    assert proposal.responded_by == people.commissioner


def test_an_audit_is_not_closed_before_progress_is_reported(people):
    audit = audit_in_state(S.FOLLOW_UP, commissioner=people.commissioner, staff=people.staff)
    before = snapshot(audit)

    with pytest.raises(ValidationError) as raised:
        services.audit_close(audit=audit, by=people.staff)

    assert raised.value.code == "progress_missing"
    assert snapshot(audit) == before


# --- Reminders --------------------------------------------------------------------


def test_a_response_reminder_is_queued_once_when_due_within_seven_days(
    people, django_capture_on_commit_callbacks
):
    audit = audit_in_state(S.FEEDBACK_HELD, commissioner=people.commissioner, staff=people.staff)
    week_before = audit.response_due - timedelta(days=7)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = services.reminders_send(today=week_before)
        second = services.reminders_send(today=week_before)

    assert (first, second) == (1, 0)
    assert len(callbacks) == 1
    assert Notification.objects.filter(audit=audit, kind="response_reminder").count() == 1


def test_no_reminder_while_the_due_date_is_more_than_a_week_away(
    people, django_capture_on_commit_callbacks
):
    audit = audit_in_state(S.FEEDBACK_HELD, commissioner=people.commissioner, staff=people.staff)

    with django_capture_on_commit_callbacks() as callbacks:
        sent = services.reminders_send(today=audit.response_due - timedelta(days=8))

    assert sent == 0
    assert callbacks == []
    audit.refresh_from_db()
    assert audit.response_reminded_at is None


def test_a_follow_up_reminder_is_queued_once(people, django_capture_on_commit_callbacks):
    audit = audit_in_state(S.FOLLOW_UP, commissioner=people.commissioner, staff=people.staff)
    # Another audit, answered already, gets no response reminder.
    audit_in_state(S.RESPONSE_RECEIVED)

    with django_capture_on_commit_callbacks(execute=True):
        counts = [services.reminders_send(today=audit.follow_up_due) for _ in range(2)]

    assert counts == [1, 0]
    assert Notification.objects.filter(audit=audit, kind="follow_up_reminder").count() == 1
    assert not Notification.objects.filter(kind="response_reminder").exists()


# --- Notifications go out on commit only ------------------------------------------


def test_a_notification_is_queued_on_commit_and_sent_then(
    people, django_capture_on_commit_callbacks
):
    audit = audit_in_state(S.REQUESTED, commissioner=people.commissioner, staff=people.staff)
    _accept_and_write_quote(audit, people)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks() as callbacks:
        services.quote_send(audit=audit, by=people.staff)
        assert mail.outbox == []

    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [[people.commissioner.email]]
    assert Notification.objects.get(audit=audit).key == "quote-1"


def test_a_rolled_back_transition_sends_nothing(people, django_capture_on_commit_callbacks):
    audit = audit_in_state(S.REQUESTED, commissioner=people.commissioner, staff=people.staff)
    _accept_and_write_quote(audit, people)
    before = snapshot(audit)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.quote_send(audit=audit, by=people.staff)
            raise RuntimeError("the page failed after the service call")

    assert callbacks == []
    assert mail.outbox == []
    assert snapshot(audit) == before
    assert not Notification.objects.filter(audit=audit).exists()


@pytest.mark.parametrize(
    ("state", "call", "kind"),
    [
        (S.REPORT_DRAFT, lambda a, p: (_ready_report(a, p), services.report_approve(audit=a, by=p.staff)), "report_ready"),
        (S.REPORT_APPROVED, lambda a, p: services.feedback_record(audit=a, by=p.staff), "response_due"),
    ],
    ids=["report_ready", "response_due"],
)  # fmt: skip
def test_transitions_queue_their_notification(
    people, state, call, kind, django_capture_on_commit_callbacks
):
    audit = audit_in_state(state, commissioner=people.commissioner, staff=people.staff)

    with django_capture_on_commit_callbacks(execute=True):
        call(audit, people)

    assert Notification.objects.filter(audit=audit, kind=kind).count() == 1
