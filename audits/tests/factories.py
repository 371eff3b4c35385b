"""factory_boy factories for audits, and `audit_in_state` to get an audit to any state
through the real services (so tests start from states the workflow can actually reach)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from audits import services
from audits.models import (
    Audit,
    AuditMember,
    AuditorProfile,
    Conflict,
    DataCollection,
    FeeEntry,
    Finding,
    Method,
    Proposal,
    ServiceArea,
    Theme,
    Unit,
)
from brukarkraft.models import Organisation
from brukarkraft.roles import Role
from brukarkraft.tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
)

# A signed agreement as the commissioner uploads it (the upload form checks the PDF header).
SIGNED_AGREEMENT = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Jobbtorget {n}")
    service_area = ServiceArea.LABOUR_MARKET
    municipality = factory.SubFactory(MunicipalityFactory)


class AuditFactory(factory.django.DjangoModelFactory):
    """An audit row in any state without its history; prefer audit_in_state for workflows."""

    class Meta:
        model = Audit

    organisation = factory.SubFactory(OrganisationFactory)
    status = Audit.Status.REQUESTED
    reference = factory.Sequence(lambda n: f"BR-2026-{n + 1:05d}")
    title = factory.Sequence(lambda n: f"Jobbtorget {n}")
    target_group = "Deltagare i arbetsmarknadsinsatser"
    approx_users = 120
    audit_questions = "Blir deltagarna bemötta med respekt?"
    preferred_methods = [Method.QUESTIONNAIRE, Method.INTERVIEW]
    contact_name = "Cecilia Beställare"
    contact_email = "cecilia@example.se"
    invoice_address = "Box 1, 701 00 Örebro"
    terms_accepted_at = factory.LazyFunction(timezone.now)
    processor_agreement_accepted_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyFunction(timezone.now)
    county = factory.SelfAttribute("organisation.county")


class AuditorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditorProfile

    user = factory.SubFactory(UserFactory, roles=[Role.AUDITOR])
    training = AuditorProfile.Training.TRAINED
    experience_areas = [ServiceArea.LABOUR_MARKET]
    county = factory.SelfAttribute("user_organisation.county")
    user_organisation = factory.SubFactory(
        OrganisationFactory, kind=Organisation.Kind.USER_ORGANISATION
    )


class ConflictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conflict

    auditor = factory.SubFactory(UserFactory, roles=[Role.AUDITOR])
    unit = factory.SubFactory(UnitFactory)
    reason = Conflict.Reason.USES_UNIT


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    audit = factory.SubFactory(AuditFactory, status=Audit.Status.ANALYSING)
    number = factory.Sequence(lambda n: n + 1)
    theme = Theme.TREATMENT
    polarity = Finding.Polarity.POSITIVE
    title = "Personalen lyssnar"
    description = "De flesta upplever att personalen lyssnar och tar dem på allvar."
    quotes = "De tar sig tid med mig.\nJag blir lyssnad på."


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    audit = factory.SubFactory(AuditFactory, status=Audit.Status.ANALYSING)
    number = factory.Sequence(lambda n: n + 1)
    text = "Ge alla deltagare en skriftlig plan på lättläst svenska."


class DataCollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataCollection

    audit = factory.SubFactory(AuditFactory, status=Audit.Status.COLLECTING)
    kind = DataCollection.Kind.FOCUS_GROUP
    held_on = factory.LazyFunction(timezone.localdate)
    informants = 6


class FeeEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeeEntry

    audit = factory.SubFactory(AuditFactory, status=Audit.Status.COLLECTING)
    auditor = factory.SubFactory(UserFactory, roles=[Role.AUDITOR])
    worked_on = factory.LazyFunction(timezone.localdate)
    activity = FeeEntry.Activity.DATA_COLLECTION
    hours = Decimal("3.5")
    hourly_rate = Decimal("200.00")


def trained_auditor(**kwargs):
    """A user auditor in the pool with valid training and the undertaking accepted."""
    profile = AuditorProfileFactory(**kwargs)
    services.undertaking_accept(user=profile.user)
    return profile.user


# The order in which audit_in_state walks the workflow.
_WALK = [
    Audit.Status.REQUESTED,
    Audit.Status.QUOTED,
    Audit.Status.AGREED,
    Audit.Status.PLANNING,
    Audit.Status.COLLECTING,
    Audit.Status.ANALYSING,
    Audit.Status.REPORT_DRAFT,
    Audit.Status.REPORT_APPROVED,
    Audit.Status.FEEDBACK_HELD,
    Audit.Status.RESPONSE_RECEIVED,
    Audit.Status.FOLLOW_UP,
    Audit.Status.CLOSED,
]

QUOTE = {
    "scope": "Två enheter inom arbetsmarknadsenheten.",
    "audit_questions": "Hur upplever deltagarna bemötandet?",
    "methods": [Method.QUESTIONNAIRE, Method.FOCUS_GROUP],
    "timetable": "Datainsamling i mars, rapport i maj.",
    "who_informs": "Enheten informerar deltagarna; revisorerna håller informationsmöte.",
    "results_return": "Återkopplingsmöte med deltagare, personal och ledning.",
    "price": Decimal("45000"),
    "ownership": "Resultaten ägs gemensamt och får publiceras av båda parter.",
}


def sign_agreement(audit: Audit, by) -> None:
    """Upload the signed agreement of an audit whose quote is accepted."""
    services.agreement_upload(audit=audit, by=by, signed_agreement=ContentFile(SIGNED_AGREEMENT))


def audit_in_state(
    status: str,
    *,
    commissioner=None,
    staff=None,
    auditors=None,
    organisation=None,
    language: str = "sv",
    findings: int = 1,
) -> Audit:
    """An audit brought to `status` through the services, as people would.

    `commissioner` orders (one is made if missing), `staff` handles, `auditors` (two are
    made if missing) form the team with the first as lead; sessions, findings, proposals
    and a ready report are added as the workflow needs them. Report PDFs are not made:
    a ready version is recorded directly, so tests stay fast.
    """
    if commissioner is None:
        organisation = organisation or OrganisationFactory()
        commissioner = UserFactory(roles=[Role.COMMISSIONER])
        MembershipFactory(user=commissioner, organisation=organisation, is_contact=True)
    else:
        organisation = organisation or commissioner.memberships.first().organisation
    staff = staff or UserFactory(roles=[Role.STAFF])
    audit = services.order_start(organisation=organisation, by=commissioner, language=language)
    if status == Audit.Status.DRAFT:
        return audit
    audit = _order_sent(audit, commissioner, organisation)
    target = _WALK.index(status) if status in _WALK else None
    if status == Audit.Status.CANCELLED:
        return services.audit_decline(audit=audit, by=staff, reason="Utanför vårt område.")
    people = _Walkers(commissioner=commissioner, staff=staff, auditors=auditors)
    for state, stage in _STAGES:
        if _WALK.index(state) <= target:
            stage(audit, people, findings)
    audit.refresh_from_db()
    return audit


@dataclass
class _Walkers:
    """Who takes the audit through the workflow in `audit_in_state`."""

    commissioner: object
    staff: object
    auditors: object


def _order_sent(audit: Audit, commissioner, organisation) -> Audit:
    order_filled_in(audit, commissioner, organisation)
    return services.order_submit(audit=audit, by=commissioner)


def order_filled_in(audit: Audit, commissioner, organisation) -> Audit:
    """The order's unit and last step filled in through the services, ready to send."""
    unit = UnitFactory(organisation=organisation, municipality=MunicipalityFactory())
    services.order_set_units(
        audit=audit,
        by=commissioner,
        units=[
            {
                "name": unit.name,
                "service_area": unit.service_area,
                "municipality": unit.municipality,
            }
        ],
    )
    services.order_save_step(
        audit=audit,
        by=commissioner,
        step=6,
        data={
            "target_group": "Deltagare i arbetsmarknadsinsatser",
            "approx_users": 120,
            "audit_questions": "Blir deltagarna bemötta med respekt?",
            "preferred_methods": [Method.QUESTIONNAIRE],
            "invoice_address": "Box 1, 701 00 Örebro",
            "accept_terms": True,
            "accept_processor_agreement": True,
        },
    )
    return audit


def _to_quoted(audit: Audit, people: _Walkers, findings: int) -> None:
    services.audit_accept(audit=audit, by=people.staff)
    services.quote_save(audit=audit, by=people.staff, data=dict(QUOTE))
    services.quote_send(audit=audit, by=people.staff)


def _to_agreed(audit: Audit, people: _Walkers, findings: int) -> None:
    services.quote_accept(audit=audit, by=people.commissioner, revision=1)


def _to_planning(audit: Audit, people: _Walkers, findings: int) -> None:
    # Planning waits for the signed agreement; an agreed audit is left without one.
    sign_agreement(audit, people.commissioner)
    services.audit_start_planning(audit=audit, by=people.staff)
    team = list(people.auditors) if people.auditors else [trained_auditor(), trained_auditor()]
    for index, person in enumerate(team):
        role = AuditMember.Role.LEAD if index == 0 else AuditMember.Role.AUDITOR
        services.team_add(audit=audit, by=people.staff, user=person, role=role)


def _to_collecting(audit: Audit, people: _Walkers, findings: int) -> None:
    services.audit_start_collecting(audit=audit, by=people.staff)
    services.session_record(
        audit=audit,
        by=people.staff,
        data={
            "kind": DataCollection.Kind.FOCUS_GROUP,
            "held_on": timezone.localdate(),
            "informants": 6,
        },
    )


def _to_analysing(audit: Audit, people: _Walkers, findings: int) -> None:
    services.audit_start_analysis(audit=audit, by=people.staff)
    created = [
        services.finding_create(
            audit=audit,
            by=people.staff,
            data={
                "theme": Theme.values[index % len(Theme.values)],
                "polarity": Finding.Polarity.NEGATIVE if index % 2 else Finding.Polarity.POSITIVE,
                "title": f"Iakttagelse {index + 1}",
                "description": "Flera deltagare beskriver samma sak.",
                "quotes": "Jag visste inte vem jag skulle fråga.",
            },
        )
        for index in range(findings)
    ]
    if created:
        services.proposal_create(
            audit=audit, by=people.staff, text="Inför en fast kontaktperson.", findings=created[:1]
        )


def _to_report_draft(audit: Audit, people: _Walkers, findings: int) -> None:
    services.audit_draft_report(audit=audit, by=people.staff)


def _to_report_approved(audit: Audit, people: _Walkers, findings: int) -> None:
    from audits.models import ReportVersion

    ReportVersion.objects.create(
        audit=audit,
        number=1,
        language=audit.language,
        status=ReportVersion.Status.READY,
        sha256="0" * 64,
        requested_by=people.staff,
        finished_at=timezone.now(),
    )
    services.report_approve(audit=audit, by=people.staff)


def _to_feedback_held(audit: Audit, people: _Walkers, findings: int) -> None:
    services.feedback_record(audit=audit, by=people.staff)


def _to_response_received(audit: Audit, people: _Walkers, findings: int) -> None:
    for proposal in audit.proposals.all():
        services.proposal_respond(
            proposal=proposal,
            by=people.commissioner,
            response=Proposal.Response.ACCEPTED,
            action="Varje deltagare får en kontaktperson.",
            owner="Enhetschefen",
            deadline=timezone.localdate() + timedelta(days=60),
        )
    services.response_submit(audit=audit, by=people.commissioner)


def _to_follow_up(audit: Audit, people: _Walkers, findings: int) -> None:
    services.follow_up_start(
        audit=audit, by=people.staff, follow_up_due=timezone.localdate() + timedelta(days=180)
    )


def _to_closed(audit: Audit, people: _Walkers, findings: int) -> None:
    for proposal in audit.proposals.all():
        services.proposal_report_progress(
            proposal=proposal,
            by=people.commissioner,
            progress=Proposal.Progress.IMPLEMENTED,
            note="Alla har nu en kontaktperson.",
        )
    services.audit_close(audit=audit, by=people.staff)


# Each stage of `audit_in_state`, run when the wanted state is at or after its own.
_STAGES = [
    (Audit.Status.QUOTED, _to_quoted),
    (Audit.Status.AGREED, _to_agreed),
    (Audit.Status.PLANNING, _to_planning),
    (Audit.Status.COLLECTING, _to_collecting),
    (Audit.Status.ANALYSING, _to_analysing),
    (Audit.Status.REPORT_DRAFT, _to_report_draft),
    (Audit.Status.REPORT_APPROVED, _to_report_approved),
    (Audit.Status.FEEDBACK_HELD, _to_feedback_held),
    (Audit.Status.RESPONSE_RECEIVED, _to_response_received),
    (Audit.Status.FOLLOW_UP, _to_follow_up),
    (Audit.Status.CLOSED, _to_closed),
]
