"""The audit workflow in one table (docs/domain.md §1): every transition, recorded act and
work page, each with the states it starts from, the state it leads to, who may (a predicate
from audits.access), the history entry it writes and what the button says.

The services check a step with `allowed_state` and `may` before they change anything, and
register themselves with `performs`, so `step.service` is the function itself; the audit's page
lists `offered(user, audit)`, the same table filtered by the same predicates. A step without
`url` is done from a page of another step (the team page adds members, say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import access
from .models import Audit, AuditEvent

S = Audit.Status
Kind = AuditEvent.Kind
Predicate = Callable[[Any, Audit], bool]

# The team can be changed until the report is drafted (its lead until it is approved).
TEAM_OPEN = frozenset({S.REQUESTED, S.QUOTED, S.AGREED, S.PLANNING, S.COLLECTING, S.ANALYSING})
# A new report version can be made while the analysis and the draft are under way.
REPORT_STATES = frozenset({S.ANALYSING, S.REPORT_DRAFT})
# Auditors log hours and travel while the audit is under way.
FEE_STATES = frozenset(
    {
        S.AGREED,
        S.PLANNING,
        S.COLLECTING,
        S.ANALYSING,
        S.REPORT_DRAFT,
        S.REPORT_APPROVED,
        S.FEEDBACK_HELD,
        S.RESPONSE_RECEIVED,
        S.FOLLOW_UP,
    }
)
ALL_STATES = frozenset(S.values)
# Before the feedback meeting is held: from the order on (planned), from planning (the page).
BEFORE_FEEDBACK = frozenset(Audit.FLOW[: Audit.FLOW.index(S.FEEDBACK_HELD)])
FEEDBACK_PAGE = frozenset(
    Audit.FLOW[Audit.FLOW.index(S.PLANNING) : Audit.FLOW.index(S.FEEDBACK_HELD)]
)


def _always(audit: Audit) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    """One thing that can be done with an audit."""

    name: str
    from_states: frozenset[str]
    # Who may, besides the state; the service checks the same predicate.
    may: Predicate
    label: Promise | str = ""
    to_state: str | None = None
    # The history entry the step writes ("" for a work page).
    kind: str = ""
    # The URL name of the button on the audit's page (args: the audit, then `url_args`).
    url: str = ""
    url_args: tuple[str, ...] = ()
    post: bool = False
    # What else the audit needs before the button is offered (the service says why not).
    when: Callable[[Audit], bool] = _always
    # Whom the button is offered to, when fewer than those the service allows.
    offered_to: Predicate | None = None
    # The label once the thing exists (the quote is written, then changed).
    label_when: Callable[[Audit], Promise | str | None] | None = None
    # For the plain transitions' page (views.transitions), whose heading and button are the
    # label.
    explanation: Promise | str = ""
    takes_comment: bool = False

    def allowed_state(self, audit: Audit) -> bool:
        return audit.status in self.from_states

    def offered(self, user, audit: Audit) -> bool:
        who = self.offered_to or self.may
        return (
            bool(self.url)
            and self.allowed_state(audit)
            and self.when(audit)
            and bool(who(user, audit))
        )

    def label_for(self, audit: Audit) -> str:
        label = self.label_when(audit) if self.label_when else None
        return str(label or self.label)

    @property
    def service(self) -> Callable[..., Any]:
        """The service function that performs the step (registered by `performs`)."""
        return _SERVICES[self.name]


_SERVICES: dict[str, Callable[..., Any]] = {}


def performs(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a service function as the one that performs step `name`."""
    if name not in STEPS:
        raise KeyError(name)

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        _SERVICES[name] = function
        return function

    return register


def _has_quote(audit: Audit) -> bool:
    return quote_of(audit) is not None


def quote_of(audit: Audit):
    from .models import Quote

    try:
        return audit.quote
    except Quote.DoesNotExist:
        return None


def _agreement_missing(audit: Audit) -> bool:
    quote = quote_of(audit)
    return (
        quote is not None
        and quote.accepted_at is not None
        and not quote.signed_agreement
        and audit.status != S.CANCELLED
    )


_STEPS = [
    # --- The order and the centre taking it on
    Step(
        "accept",
        frozenset({S.REQUESTED}),
        access.can_handle_order,
        _("Accept the order"),
        kind=Kind.ACCEPTED,
        url="audits:accept",
        when=lambda audit: audit.accepted_at is None,
    ),
    Step(
        "decline",
        frozenset({S.REQUESTED}),
        access.can_handle_order,
        _("Decline the order"),
        to_state=S.CANCELLED,
        kind=Kind.DECLINED,
        url="audits:decline",
    ),
    Step(
        "quote_save",
        frozenset({S.REQUESTED, S.QUOTED}),
        access.can_manage,
        _("Write the quote"),
        # Revising a sent quote takes the audit back to requested.
        to_state=S.REQUESTED,
        kind=Kind.QUOTE_REVISED,
        url="audits:quote_edit",
        when=lambda audit: audit.accepted_at is not None,
        label_when=lambda audit: _("Change the quote") if _has_quote(audit) else None,
    ),
    Step(
        "quote_send",
        frozenset({S.REQUESTED}),
        access.can_manage,
        _("Send the quote"),
        to_state=S.QUOTED,
        kind=Kind.QUOTE_SENT,
        url="audits:quote_send",
        post=True,
        when=_has_quote,
    ),
    Step(
        "performer",
        ALL_STATES - {S.CLOSED, S.CANCELLED},
        access.can_handle_order,
        _("Choose who performs the audit"),
        kind=Kind.PERFORMER_SET,
        url="audits:performer",
        # A draft is the commissioner's own until it is sent.
        when=lambda audit: audit.status != S.DRAFT,
    ),
    # --- Planning: the team and the survey
    Step(
        "team",
        TEAM_OPEN | {S.REPORT_DRAFT},
        access.can_manage,
        _("Put the team together"),
        url="audits:team",
    ),
    Step("team_add", TEAM_OPEN, access.can_manage, kind=Kind.MEMBER_ADDED),
    Step("team_set_lead", TEAM_OPEN | {S.REPORT_DRAFT}, access.can_manage, kind=Kind.LEAD_NAMED),
    Step("team_remove", TEAM_OPEN, access.can_manage, kind=Kind.MEMBER_REMOVED),
    Step(
        "survey_link",
        ALL_STATES - {S.CANCELLED, S.DRAFT},
        access.can_manage,
        _("Choose the survey"),
        kind=Kind.SURVEY_LINKED,
        url="audits:survey_link",
        when=lambda audit: not audit.report_is_frozen,
    ),
    # --- The plain transitions (one page, views.transitions)
    Step(
        "start_planning",
        frozenset({S.AGREED}),
        access.can_manage,
        _("Start planning"),
        to_state=S.PLANNING,
        kind=Kind.PLANNING_STARTED,
        url="audits:transition",
        url_args=("start_planning",),
        explanation=_(
            "The agreement is in place. Planning starts: put the team together, agree the"
            " instruments with the unit and plan the information meeting."
        ),
    ),
    Step(
        "start_collecting",
        frozenset({S.PLANNING}),
        access.can_manage,
        _("Start data collection"),
        to_state=S.COLLECTING,
        kind=Kind.COLLECTING_STARTED,
        url="audits:transition",
        url_args=("start_collecting",),
        explanation=_(
            "The team starts collecting data: questionnaires, interviews, focus groups or"
            " observation. The team needs at least two auditors, one of them the lead."
        ),
    ),
    Step(
        "start_analysis",
        frozenset({S.COLLECTING}),
        access.can_lead,
        _("Start the analysis"),
        to_state=S.ANALYSING,
        kind=Kind.ANALYSIS_STARTED,
        url="audits:transition",
        url_args=("start_analysis",),
        explanation=_(
            "Data collection is finished. The team writes findings and improvement proposals."
            " At least one session must be recorded."
        ),
    ),
    Step(
        "draft_report",
        frozenset({S.ANALYSING}),
        access.can_lead,
        _("Draft the report"),
        to_state=S.REPORT_DRAFT,
        kind=Kind.REPORT_DRAFTED,
        url="audits:transition",
        url_args=("draft_report",),
        explanation=_(
            "The analysis is done and the report is drafted. Findings and proposals can still"
            " be changed until the report is approved."
        ),
    ),
    Step(
        "approve_report",
        frozenset({S.REPORT_DRAFT}),
        access.can_manage,
        _("Approve the report"),
        to_state=S.REPORT_APPROVED,
        kind=Kind.REPORT_APPROVED,
        url="audits:transition",
        url_args=("approve_report",),
        explanation=_(
            "The latest ready version of the report becomes the audit's report and can no"
            " longer be changed. The commissioner is told that it is ready."
        ),
        takes_comment=True,
    ),
    Step(
        "close",
        frozenset({S.FOLLOW_UP}),
        access.can_manage,
        _("Close the audit"),
        to_state=S.CLOSED,
        kind=Kind.CLOSED,
        url="audits:transition",
        url_args=("close",),
        explanation=_(
            "The follow-up is done and the audit is closed. Nothing can be changed after this."
        ),
        takes_comment=True,
    ),
    # --- Feedback and follow-up, the centre's side
    Step(
        "feedback",
        FEEDBACK_PAGE,
        access.can_manage,
        _("Plan or record the feedback meeting"),
        url="audits:feedback",
    ),
    Step(
        "feedback_schedule",
        BEFORE_FEEDBACK,
        access.can_manage,
        kind=Kind.FEEDBACK_SCHEDULED,
    ),
    Step(
        "feedback_record",
        frozenset({S.REPORT_APPROVED}),
        access.can_manage,
        to_state=S.FEEDBACK_HELD,
        kind=Kind.FEEDBACK_HELD,
    ),
    Step(
        "follow_up_start",
        frozenset({S.RESPONSE_RECEIVED}),
        access.can_manage,
        _("Start the follow-up"),
        to_state=S.FOLLOW_UP,
        kind=Kind.FOLLOW_UP_STARTED,
        url="audits:follow_up_start",
    ),
    # --- The commissioner's side
    Step(
        "quote_accept",
        frozenset({S.QUOTED}),
        access.is_commissioner_of,
        _("Read and accept the quote"),
        to_state=S.AGREED,
        kind=Kind.QUOTE_ACCEPTED,
        url="audits:quote",
    ),
    Step(
        "agreement_upload",
        # The service asks only for an accepted quote; the button also for a live audit.
        ALL_STATES,
        access.is_party_to,
        _("Add the signed agreement"),
        kind=Kind.AGREEMENT_UPLOADED,
        url="audits:agreement_upload",
        when=_agreement_missing,
        offered_to=access.is_commissioner_of,
    ),
    Step(
        "proposal_respond",
        frozenset({S.FEEDBACK_HELD}),
        access.is_commissioner_of,
        _("Answer the proposals"),
        url="audits:response",
    ),
    Step(
        "response_submit",
        frozenset({S.FEEDBACK_HELD}),
        access.is_commissioner_of,
        to_state=S.RESPONSE_RECEIVED,
        kind=Kind.RESPONSE_SENT,
    ),
    Step(
        "proposal_report_progress",
        frozenset({S.FOLLOW_UP}),
        access.is_commissioner_of,
        _("Report progress at the follow-up"),
        url="audits:follow_up",
    ),
    Step(
        "cancel",
        frozenset(Audit.CANCELLABLE) - {S.DRAFT},
        access.is_party_to,
        _("Cancel the audit"),
        to_state=S.CANCELLED,
        kind=Kind.CANCELLED,
        url="audits:cancel",
        # The centre cancels from the admin; the page offers it to the commissioner.
        offered_to=access.is_commissioner_of,
    ),
    # --- Conducting the audit: the team's work pages
    Step(
        "sessions",
        frozenset({S.COLLECTING, S.ANALYSING}),
        access.can_conduct,
        _("Data-collection sessions"),
        url="audits:sessions",
    ),
    Step(
        "findings",
        frozenset(Audit.CONDUCTING),
        access.can_conduct,
        _("Findings"),
        url="audits:findings",
    ),
    Step(
        "proposals",
        frozenset(Audit.CONDUCTING),
        access.can_conduct,
        _("Improvement proposals"),
        url="audits:proposals",
    ),
    Step(
        "summary",
        frozenset(Audit.CONDUCTING),
        access.can_conduct,
        _("Summary"),
        url="audits:summary",
    ),
    Step("fees", FEE_STATES, access.is_on_team, _("Log hours and travel"), url="audits:fees"),
    Step(
        "report",
        ALL_STATES,
        access.can_download_report,
        _("The report"),
        url="audits:report",
        when=lambda audit: audit.status in REPORT_STATES or audit.report_is_frozen,
    ),
]

# Every step by name, in the workflow's order (the order of the buttons on the audit's page).
STEPS: dict[str, Step] = {step.name: step for step in _STEPS}
# The transitions done on the plain transition page, by the name in its URL.
PLAIN = {name: STEPS[name] for name in STEPS if STEPS[name].url == "audits:transition"}


def offered(user, audit: Audit) -> list[Step]:
    """The steps this user may take with the audit in its present state, in workflow order."""
    return [step for step in _STEPS if step.offered(user, audit)]
