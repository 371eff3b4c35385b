"""Demo audits for `seed_demo`: one in every stage a demo account works in. Runs again safely:
an audit whose title already exists for its organisation is left as it is."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from brukarkraft.models import Municipality, Organisation, User

from . import services
from .analysis import demo as analysis_demo
from .bank import demo as bank_demo
from .fieldwork import demo as fieldwork_demo
from .models import (
    Audit,
    AuditMember,
    AuditorProfile,
    Conflict,
    Coordinator,
    DataCollection,
    FeeEntry,
    Finding,
    Method,
    Proposal,
    ServiceArea,
    Theme,
    Unit,
)

OREBRO = "1880"
KUMLA = "1881"

QUOTE = {
    "scope": "Brukarrevision av enhetens insatser för deltagare i arbetsträning.",
    "audit_questions": (
        "Hur upplever deltagarna bemötandet?\n"
        "Är deltagarna delaktiga i sin planering?\n"
        "Får deltagarna information de förstår?"
    ),
    "methods": [Method.QUESTIONNAIRE, Method.INTERVIEW, Method.FOCUS_GROUP],
    "timetable": "Information i februari, datainsamling i mars, rapport i maj, återkoppling i juni.",
    "who_informs": (
        "Enheten informerar deltagarna och hjälper till att boka intervjuer; revisorerna håller "
        "ett informationsmöte på plats."
    ),
    "results_return": (
        "Rapporten lämnas till ledningen och presenteras på ett återkopplingsmöte för deltagare "
        "och personal. En lättläst sammanfattning sätts upp på enheten."
    ),
    "price": Decimal("48000"),
    "ownership": (
        "Resultaten ägs gemensamt. Beställaren och brukarorganisationen får båda publicera "
        "rapporten i sin helhet."
    ),
}

FINDINGS = [
    (
        Theme.TREATMENT,
        Finding.Polarity.POSITIVE,
        "Personalen lyssnar",
        "De flesta deltagare säger att personalen lyssnar och tar dem på allvar.",
        "De tar sig tid med mig.\nJag känner mig välkommen här.",
    ),
    (
        Theme.PARTICIPATION,
        Finding.Polarity.NEGATIVE,
        "Planeringen görs över huvudet på deltagarna",
        "Många har inte varit med och skrivit sin planering och vet inte vad som står i den.",
        "Jag har aldrig sett min plan.",
    ),
    (
        Theme.INFORMATION,
        Finding.Polarity.NEGATIVE,
        "Svårt att förstå breven",
        "Deltagare beskriver brev och beslut som svåra att förstå, särskilt de som har svenska "
        "som andraspråk.",
        "Jag fick be min granne läsa brevet.",
    ),
    (
        Theme.SAFETY,
        Finding.Polarity.POSITIVE,
        "Tryggt på arbetsplatsen",
        "Deltagarna känner sig trygga i lokalerna och med varandra.",
        "",
    ),
    (
        Theme.INFLUENCE,
        Finding.Polarity.NEGATIVE,
        "Inget forum för synpunkter",
        "Det finns inget brukarråd eller annat sätt att lämna synpunkter på verksamheten.",
        "Vem ska man säga det till?",
    ),
    (
        Theme.ACCESSIBILITY,
        Finding.Polarity.NEGATIVE,
        "Entrén saknar ramp",
        "Deltagare som använder rullstol kommer inte in genom huvudentrén.",
        "",
    ),
]

PROPOSALS = [
    ("Skriv planeringen tillsammans med deltagaren och ge hen en egen kopia.", [2]),
    ("Skriv brev och beslut på klarspråk och erbjud lättläst version.", [3]),
    ("Starta ett brukarråd som träffas minst fyra gånger om året.", [5]),
]


def _unit(organisation: Organisation, name: str, code: str, area: str) -> Unit:
    municipality = Municipality.objects.get(code=code)
    unit, _created = Unit.objects.get_or_create(
        organisation=organisation,
        name=name,
        municipality=municipality,
        defaults={"service_area": area},
    )
    return unit


def _profiles(auditors: list[User], organisation: Organisation) -> None:
    for index, user in enumerate(auditors):
        AuditorProfile.objects.update_or_create(
            user=user,
            defaults={
                "county": organisation.county,
                "user_organisation": organisation,
                "experience_areas": [ServiceArea.LABOUR_MARKET, ServiceArea.SOCIAL_PSYCHIATRY]
                if index % 2 == 0
                else [ServiceArea.PSYCHIATRY, ServiceArea.ADDICTION],
                "training": AuditorProfile.Training.TRAINED,
                "trained_until": timezone.localdate() + timedelta(days=700),
                "available": True,
            },
        )
        services.undertaking_accept(user=user)


def _order(
    *, organisation: Organisation, by: User, title: str, units: list[Unit], language: str = "sv"
) -> Audit:
    audit = services.order_start(organisation=organisation, by=by, language=language)
    services.order_set_units(
        audit=audit,
        by=by,
        units=[
            {"name": u.name, "service_area": u.service_area, "municipality": u.municipality}
            for u in units
        ],
    )
    services.order_save_step(
        audit=audit,
        by=by,
        step=5,
        data={
            "title": title,
            "target_group": "Deltagare i arbetsträning och arbetsförberedande insatser.",
            "approx_users": 140,
            "audit_questions": (
                "Hur upplever deltagarna bemötandet, och är de delaktiga i sin planering?"
            ),
            "preferred_methods": [Method.QUESTIONNAIRE, Method.INTERVIEW],
            "period_start": timezone.localdate() + timedelta(days=30),
            "period_end": timezone.localdate() + timedelta(days=150),
            "contact_phone": "031-390 06 10",
            "invoice_address": "Örebro kommun, Fakturaskanning, Box 300 00, 701 35 Örebro",
            "invoice_reference": "AME-4711",
            "needs_easy_read": True,
            "needs_interpreter": True,
            "interpreter_languages": "arabiska, somaliska",
            "accept_terms": True,
            "accept_processor_agreement": True,
        },
    )
    return audit


def _agreed(audit: Audit, *, commissioner: User, staff: User, performer: Organisation) -> None:
    services.audit_accept(audit=audit, by=staff, performing_organisation=performer)
    services.quote_save(audit=audit, by=staff, data=dict(QUOTE))
    services.quote_send(audit=audit, by=staff)
    services.quote_accept(audit=audit, by=commissioner, revision=1)
    services.agreement_upload(
        audit=audit,
        by=commissioner,
        signed_agreement=ContentFile(
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        ),
    )


def _team(audit: Audit, *, staff: User, lead: User, others: list[User]) -> None:
    services.audit_start_planning(audit=audit, by=staff)
    services.team_add(audit=audit, by=staff, user=lead, role=AuditMember.Role.LEAD)
    for user in others:
        services.team_add(audit=audit, by=staff, user=user)
    services.audit_start_collecting(audit=audit, by=staff)


def _collect(audit: Audit, *, by: User, findings: int) -> list[Finding]:
    today = timezone.localdate()
    for kind, days, informants, minutes in [
        (DataCollection.Kind.INFORMATION_MEETING, 40, 18, 60),
        (DataCollection.Kind.QUESTIONNAIRE, 30, 64, None),
        (DataCollection.Kind.INTERVIEW, 25, 12, 60),
        (DataCollection.Kind.FOCUS_GROUP, 20, 6, 120),
    ]:
        services.session_record(
            audit=audit,
            by=by,
            data={
                "kind": kind,
                "held_on": today - timedelta(days=days),
                "informants": informants,
                "duration_minutes": minutes,
            },
        )
    created = []
    for theme, polarity, title, description, quotes in FINDINGS[:findings]:
        created.append(
            services.finding_create(
                audit=audit,
                by=by,
                data={
                    "theme": theme,
                    "polarity": polarity,
                    "title": title,
                    "description": description,
                    "quotes": quotes,
                },
            )
        )
    by_number = {finding.number: finding for finding in created}
    for text, numbers in PROPOSALS:
        cited = [by_number[n] for n in numbers if n in by_number]
        if cited:
            services.proposal_create(audit=audit, by=by, text=text, findings=cited)
    return created


def _fees(audit: Audit, auditors: list[User]) -> None:
    today = timezone.localdate()
    for user in auditors:
        if FeeEntry.objects.filter(audit=audit, auditor=user).exists():
            continue
        for days, activity, hours, km in [
            (35, FeeEntry.Activity.PLANNING, Decimal("2.5"), 0),
            (25, FeeEntry.Activity.DATA_COLLECTION, Decimal("6"), 24),
            (20, FeeEntry.Activity.ANALYSIS, Decimal("4"), 0),
        ]:
            services.fee_log(
                audit=audit,
                by=user,
                data={
                    "worked_on": today - timedelta(days=days),
                    "activity": activity,
                    "hours": hours,
                    "travel_km": km,
                },
            )


def _report(audit: Audit, *, by: User) -> None:
    """Make the report PDF now, so the demo has a real file to download."""
    version = services.report_request(audit=audit, by=by)
    services.report_render(version_id=version.pk)


def _closed(
    audit: Audit,
    *,
    commissioner: User,
    staff: User,
    performer: Organisation,
    team: list[User],
    findings: int,
    implemented: int,
) -> None:
    """Take an ordered audit through the report, the response and the follow-up, with the
    first `implemented` proposals carried out and the rest in progress."""
    services.order_submit(audit=audit, by=commissioner)
    _agreed(audit, commissioner=commissioner, staff=staff, performer=performer)
    _team(audit, staff=staff, lead=team[0], others=team[1:])
    _collect(audit, by=team[0], findings=findings)
    services.audit_start_analysis(audit=audit, by=staff)
    services.audit_draft_report(audit=audit, by=staff)
    _report(audit, by=staff)
    services.report_approve(audit=audit, by=staff)
    services.feedback_record(audit=audit, by=staff)
    for proposal in audit.proposals.all():
        services.proposal_respond(
            proposal=proposal,
            by=commissioner,
            response=Proposal.Response.ACCEPTED,
            action="Införs under året.",
            owner="Enhetschef",
            deadline=timezone.localdate() + timedelta(days=30),
        )
    services.response_submit(audit=audit, by=commissioner)
    services.follow_up_start(
        audit=audit, by=staff, follow_up_due=timezone.localdate() + timedelta(days=10)
    )
    for index, proposal in enumerate(audit.proposals.all()):
        done = index < implemented
        services.proposal_report_progress(
            proposal=proposal,
            by=commissioner,
            progress=Proposal.Progress.IMPLEMENTED if done else Proposal.Progress.IN_PROGRESS,
            note="Klart enligt plan." if done else "Pågår, klart till hösten.",
        )


def seed(
    *, people: dict[str, User], organisations: dict[str, Organisation], survey=None
) -> list[Audit]:
    """Create the demo audits; `people` and `organisations` are seed_demo's, by e-mail and name."""
    demo = "demo.brukarkraft.se"
    commissioner = people[f"bestallare@{demo}"]
    finsam_contact = people[f"leila.karimi@{demo}"]
    staff = people[f"personal@{demo}"]
    amira = people[f"revisor@{demo}"]
    per = people[f"per.andersson@{demo}"]
    maria = people[f"maria.svensson@{demo}"]
    ame = organisations["Örebro kommun, arbetsmarknadsenheten"]
    finsam = organisations["Finsam Örebro"]
    verdandi = organisations["Verdandi Örebro"]

    _profiles([amira, per, maria], verdandi)
    Coordinator.objects.get_or_create(user=maria, organisation=verdandi)
    vivalla = _unit(ame, "Jobbtorget Vivalla", OREBRO, ServiceArea.LABOUR_MARKET)
    navet = _unit(ame, "Arbetsträning Navet", OREBRO, ServiceArea.LABOUR_MARKET)
    kumla = _unit(ame, "Daglig verksamhet Kumla", KUMLA, ServiceArea.LSS)
    finsam_unit = _unit(finsam, "Steg till arbete", OREBRO, ServiceArea.SOCIAL_PSYCHIATRY)
    # Per takes part in Navet's activities himself: he may not audit it.
    Conflict.objects.get_or_create(
        auditor=per,
        unit=navet,
        defaults={"reason": Conflict.Reason.USES_UNIT, "note": "Deltar i arbetsträningen."},
    )

    existing = set(
        Audit.objects.filter(organisation__in=[ame, finsam]).values_list("title", flat=True)
    )
    audits = []

    title = "Bemötande och delaktighet på Jobbtorget Vivalla"
    if title not in existing:
        # Reported and fed back: the commissioner answers the proposals now.
        audit = _order(organisation=ame, by=commissioner, title=title, units=[vivalla])
        services.order_submit(audit=audit, by=commissioner)
        _agreed(audit, commissioner=commissioner, staff=staff, performer=verdandi)
        if survey is not None:
            services.audit_link_survey(audit=audit, by=staff, survey=survey)
        _team(audit, staff=staff, lead=amira, others=[maria])
        _collect(audit, by=amira, findings=6)
        _fees(audit, [amira, maria])
        services.audit_start_analysis(audit=audit, by=amira)
        services.audit_set_summary(
            audit=audit,
            by=amira,
            summary=(
                "Deltagarna på Jobbtorget Vivalla är överlag nöjda med bemötandet men är sällan "
                "delaktiga i sin egen planering. Information i brev är svår att förstå, och det "
                "saknas sätt att påverka verksamheten."
            ),
            easy_read_summary=(
                "Vi har frågat 82 deltagare om Jobbtorget.\n"
                "De flesta tycker att personalen är snäll.\n"
                "Många vet inte vad som står i deras plan.\n"
                "Breven är svåra att läsa.\n"
                "Vi föreslår tre saker som kan bli bättre."
            ),
        )
        services.audit_draft_report(audit=audit, by=amira)
        _report(audit, by=amira)
        services.report_approve(audit=audit, by=staff)
        services.feedback_record(
            audit=audit, by=staff, response_due=timezone.localdate() + timedelta(days=21)
        )
        first = audit.proposals.order_by("number").first()
        services.proposal_respond(
            proposal=first,
            by=commissioner,
            response=Proposal.Response.ACCEPTED,
            action="Varje deltagare skriver sin planering tillsammans med sin handledare.",
            owner="Enhetschef Jobbtorget",
            deadline=timezone.localdate() + timedelta(days=90),
        )
        audits.append(audit)

    title = "Arbetsträning Navet och Daglig verksamhet Kumla"
    if title not in existing:
        # Collecting data: the auditors record sessions and write findings.
        audit = _order(organisation=ame, by=commissioner, title=title, units=[navet, kumla])
        services.order_submit(audit=audit, by=commissioner)
        _agreed(audit, commissioner=commissioner, staff=staff, performer=verdandi)
        services.feedback_schedule(
            audit=audit,
            by=staff,
            at=timezone.now() + timedelta(days=60),
            place="Navet, konferensrummet (hiss finns, hörslinga)",
        )
        _team(audit, staff=staff, lead=amira, others=[maria])
        _collect(audit, by=amira, findings=3)
        _fees(audit, [amira])
        audits.append(audit)

    title = "Brukarrevision av Steg till arbete"
    if title not in existing:
        # A new order in the centre's work queue.
        audit = _order(organisation=finsam, by=finsam_contact, title=title, units=[finsam_unit])
        services.order_submit(audit=audit, by=finsam_contact)
        audits.append(audit)

    title = "Uppföljning av Jobbtorget Vivalla 2025"
    if title not in existing:
        # An earlier audit, followed up and closed: it counts in the coverage view.
        audit = _order(organisation=ame, by=commissioner, title=title, units=[vivalla])
        _closed(
            audit,
            commissioner=commissioner,
            staff=staff,
            performer=verdandi,
            team=[maria, amira],
            findings=5,
            implemented=2,
        )
        services.audit_close(audit=audit, by=staff, comment="Två av tre förslag genomförda.")
        audits.append(audit)

    # Daglig verksamhet Kumla audited twice: the report bank publishes both, the later
    # linked as a re-audit of the earlier, so they can be read side by side and the
    # national picture has two service areas (audits/bank/demo.py).
    for title, findings, implemented in [
        (bank_demo.EARLIER_TITLE, 6, 2),
        (bank_demo.REAUDIT_TITLE, 2, 1),
    ]:
        if title not in existing:
            audit = _order(organisation=ame, by=commissioner, title=title, units=[kumla])
            _closed(
                audit,
                commissioner=commissioner,
                staff=staff,
                performer=verdandi,
                team=[amira, maria],
                findings=findings,
                implemented=implemented,
            )
            services.audit_close(audit=audit, by=staff, comment="Uppföljningen är klar.")
            audits.append(audit)

    title = "Coachning inom Arbetsträning Navet"
    if title not in existing:
        # Quoted: the commissioner reads and accepts the quote.
        audit = _order(organisation=ame, by=commissioner, title=title, units=[navet])
        services.order_submit(audit=audit, by=commissioner)
        services.audit_accept(audit=audit, by=staff, performing_organisation=verdandi)
        services.quote_save(audit=audit, by=staff, data=dict(QUOTE))
        services.quote_send(audit=audit, by=staff)
        audits.append(audit)

    title = "Daglig verksamhet Kumla, uppföljning"
    if title not in existing:
        # A draft the commissioner has begun and not sent.
        audit = _order(organisation=ame, by=commissioner, title=title, units=[kumla])
        audits.append(audit)
    fieldwork_demo.seed(audits, commissioner=commissioner)
    # The report bank publishes the closed audit (audits/bank/demo.py).
    bank_demo.seed(people=people)
    analysis_demo.seed(audits)
    return audits
