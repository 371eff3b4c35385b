"""Benchmark: the audit pages at 2,000 audits and 40,000 findings, through Django's test client.

    .venv/bin/python bench/audits_pages.py             # build, measure, drop the database
    .venv/bin/python bench/audits_pages.py --keep-db   # keep bench_audits afterwards
    .venv/bin/python bench/audits_pages.py --reuse-db  # measure a kept database, no load

Creates a fresh PostgreSQL database (migrate seeds the 21 counties and the municipalities),
bulk-creates 2,000 audits spread over every Audit.Status with their units, quotes, teams,
history, sessions, 40,000 findings and ~10,000 proposals (fixed random seed), then requests
the list, an audit's page and the coverage view ~100 times each in this process with the
production settings (DEBUG off) and reports p50/p95/mean/max and the SQL queries per request.
`seed()` is shared with audits_report.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

import benchlib

DB = "bench_audits"
AUDITS = 2_000
FINDINGS = 40_000
PROPOSALS = 10_000
# Audits whose page is measured: exactly this many findings, the bench auditor on the team.
DETAIL_AUDITS = 20
DETAIL_FINDINGS = 20
REPORT_FINDINGS = 40
REPORT_TITLE = "Brukarrevision av Jobbtorget (rapportutkast, 40 iakttagelser)"

# How a portal a few years into production might look: most audits done, some in each step.
STATUS_WEIGHTS = {
    "draft": 60,
    "requested": 80,
    "quoted": 60,
    "agreed": 50,
    "planning": 90,
    "collecting": 150,
    "analysing": 160,
    "report_draft": 120,
    "report_approved": 80,
    "feedback_held": 100,
    "response_received": 90,
    "follow_up": 160,
    "closed": 600,
    "cancelled": 200,
}
FLOW = [
    "requested",
    "quoted",
    "agreed",
    "planning",
    "collecting",
    "analysing",
    "report_draft",
    "report_approved",
    "feedback_held",
    "response_received",
    "follow_up",
    "closed",
]
# The history a state implies, as services.py records it (action, state it moves to).
HISTORY = [
    ("submitted", "requested"),
    ("accepted", ""),
    ("performer_set", ""),
    ("quote_sent", "quoted"),
    ("quote_accepted", "agreed"),
    ("planning_started", "planning"),
    ("member_added", ""),
    ("collecting_started", "collecting"),
    ("analysis_started", "analysing"),
    ("report_drafted", "report_draft"),
    ("report_approved", "report_approved"),
    ("feedback_scheduled", ""),
    ("feedback_held", "feedback_held"),
    ("response_sent", "response_received"),
    ("follow_up_started", "follow_up"),
    ("closed", "closed"),
]
SENTENCES = [
    "De flesta deltagare upplever att personalen lyssnar och tar dem på allvar.",
    "Flera säger att de inte vet vem de ska vända sig till när något blir fel.",
    "Informationen om rättigheter finns bara på webben och är svår att hitta.",
    "Deltagarna beskriver ett varmt bemötande i receptionen.",
    "Några upplever att planeringen görs över deras huvuden.",
    "Lokalerna är svåra att ta sig fram i med rullstol.",
    "Många vill ha mer tid med sin handläggare.",
    "Det finns ett brukarråd, men få känner till det.",
    "Deltagarna känner sig trygga i verksamheten under dagtid.",
    "Skriftlig information finns inte på lättläst svenska.",
]
QUOTES = [
    "De tar sig tid med mig.",
    "Jag vet aldrig vem som bestämmer.",
    "Man blir sedd här.",
    "Det är för mycket papper.",
    "Ingen frågade vad jag ville.",
    "Jag trivs, men det är stökigt ibland.",
]
PROPOSAL_TEXTS = [
    "Ge alla deltagare en skriftlig plan på lättläst svenska.",
    "Inför en fast kontaktperson för varje deltagare.",
    "Gör brukarrådet känt genom affischer och vid inskrivning.",
    "Bygg om entrén så att den går att nå med rullstol.",
    "Låt deltagarna vara med när planeringen görs.",
]


def pick_status(rng: random.Random) -> str:
    names = list(STATUS_WEIGHTS)
    return rng.choices(names, weights=[STATUS_WEIGHTS[n] for n in names])[0]


def reached(status: str, step: str) -> bool:
    return status in FLOW and FLOW.index(status) >= FLOW.index(step)


def text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(low, high)))


def _spread(rng: random.Random, counts: dict[int, int], target: int, fixed: set[int]) -> None:
    """Nudge the free audits' counts by one until they add up to `target` exactly."""
    free = [key for key in counts if key not in fixed]
    difference = target - sum(counts.values())
    while difference:
        key = rng.choice(free)
        if difference > 0:
            counts[key] += 1
            difference -= 1
        elif counts[key] > 3:
            counts[key] -= 1
            difference += 1


def seed(seed_value: int = benchlib.RANDOM_SEED) -> dict:
    """Bulk-create the whole portal; returns the people and audits the benchmarks use.

    Each step draws from the one random generator in turn: the order of the steps (and of
    the draws inside them) is what makes the data the same from run to run.
    """
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from brukarkraft.models import County, Municipality
    from brukarkraft.roles import Role

    rng = random.Random(seed_value)
    started = time.perf_counter()
    now = timezone.now()
    counties = list(County.objects.order_by("code"))
    municipalities: dict[int, list] = {}
    for municipality in Municipality.objects.order_by("code"):
        municipalities.setdefault(municipality.county_id, []).append(municipality)
    groups = {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}

    with transaction.atomic():
        commissioner_orgs, user_orgs = _seed_organisations(rng, counties, municipalities)
        staff, commissioners, auditors = _seed_people(
            rng, groups, counties, commissioner_orgs, user_orgs
        )
        bench_auditor = auditors[0]
        audits, owners, detail_slots, report_slot = _seed_audits(
            rng, now, counties, commissioner_orgs, commissioners, user_orgs
        )
        _seed_units_and_quotes(rng, audits, municipalities, staff)
        teams = _seed_teams(rng, audits, auditors, detail_slots, bench_auditor)
        _seed_sessions(rng, audits, teams)
        findings_of = _seed_findings(rng, audits, teams, detail_slots, report_slot)
        _seed_proposals(rng, now, audits, teams, findings_of, report_slot)
        _seed_events(rng, now, audits, teams, staff)

    load_seconds = time.perf_counter() - started
    vacuum = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    counts = row_counts()
    print(
        f"seeded in {load_seconds:.1f} s (+ VACUUM ANALYZE {time.perf_counter() - vacuum:.1f} s):"
        f" {json.dumps(counts)}",
        flush=True,
    )
    return {
        "load_seconds": round(load_seconds, 1),
        "counts": counts,
        "staff": staff[0],
        "auditor": bench_auditor,
        "commissioner": owners[detail_slots[0]],
        "detail_audits": [audits[i].pk for i in detail_slots],
        "report_audit": audits[report_slot].pk,
    }


def _seed_organisations(rng: random.Random, counties: list, municipalities: dict) -> tuple:
    """Commissioners' organisations in every county, and two user associations per county."""
    from brukarkraft.models import Organisation

    kinds = [
        Organisation.Kind.MUNICIPALITY,
        Organisation.Kind.REGION,
        Organisation.Kind.FINSAM,
        Organisation.Kind.STATE_AGENCY,
        Organisation.Kind.PRIVATE_PROVIDER,
    ]
    commissioner_orgs = []
    for index in range(400):
        county = counties[index % len(counties)]
        municipality = rng.choice(municipalities[county.pk])
        commissioner_orgs.append(
            Organisation(
                name=f"{municipality.name} {index}, arbetsmarknad och socialtjänst",
                kind=rng.choices(kinds, weights=[60, 10, 10, 10, 10])[0],
                county=county,
                municipality=municipality,
            )
        )
    Organisation.objects.bulk_create(commissioner_orgs)
    user_orgs = [
        Organisation(
            name=f"Brukarföreningen i {county.name} {n}",
            kind=Organisation.Kind.USER_ORGANISATION,
            county=county,
            municipality=municipalities[county.pk][0],
        )
        for county in counties
        for n in (1, 2)
    ]
    Organisation.objects.bulk_create(user_orgs)
    return commissioner_orgs, user_orgs


def _seed_people(
    rng: random.Random, groups: dict, counties: list, commissioner_orgs: list, user_orgs: list
) -> tuple:
    """Staff, a commissioner per organisation, 500 trained auditors and the coordinators."""
    from django.contrib.auth.hashers import make_password

    from audits.models import AuditorProfile, ConfidentialityUndertaking, Coordinator, ServiceArea
    from brukarkraft.models import Membership, User
    from brukarkraft.roles import Role

    def people(prefix: str, count: int) -> list:
        users = [
            User(
                email=f"{prefix}{n}@bench.example.se",
                full_name=f"{prefix.capitalize()} Person {n:04d}",
                password=make_password(None),  # unusable: the benchmark uses force_login
            )
            for n in range(count)
        ]
        return User.objects.bulk_create(users)

    staff = people("staff", 5)
    commissioners = people("commissioner", len(commissioner_orgs))
    auditors = people("auditor", 500)
    coordinators = people("coordinator", len(user_orgs))
    through = User.groups.through
    through.objects.bulk_create(
        [through(user_id=u.pk, group_id=groups[Role.STAFF].pk) for u in staff]
        + [through(user_id=u.pk, group_id=groups[Role.COMMISSIONER].pk) for u in commissioners]
        + [through(user_id=u.pk, group_id=groups[Role.AUDITOR].pk) for u in auditors]
        + [through(user_id=u.pk, group_id=groups[Role.AUDITOR].pk) for u in coordinators]
    )
    Membership.objects.bulk_create(
        Membership(user=user, organisation=org, is_contact=True)
        for user, org in zip(commissioners, commissioner_orgs, strict=True)
    )
    Coordinator.objects.bulk_create(
        Coordinator(user=user, organisation=org)
        for user, org in zip(coordinators, user_orgs, strict=True)
    )
    areas = ServiceArea.values
    AuditorProfile.objects.bulk_create(
        AuditorProfile(
            user=user,
            county=counties[n % len(counties)],
            user_organisation=user_orgs[n % len(user_orgs)],
            experience_areas=rng.sample(areas, rng.randint(1, 3)),
            training=AuditorProfile.Training.TRAINED,
        )
        for n, user in enumerate(auditors)
    )
    ConfidentialityUndertaking.objects.bulk_create(
        ConfidentialityUndertaking(user=user) for user in auditors
    )
    return staff, commissioners, auditors


def _seed_audits(
    rng: random.Random,
    now,
    counties: list,
    commissioner_orgs: list,
    commissioners: list,
    user_orgs: list,
) -> tuple:
    """The audits, in every state; the report audit and the measured audits are fixed."""
    from django.db import connection

    from audits.models import Audit

    statuses = [pick_status(rng) for _ in range(AUDITS)]
    detail_slots = [
        i for i, s in enumerate(statuses) if s in {"analysing", "report_draft", "feedback_held"}
    ][:DETAIL_AUDITS]
    report_slot = next(
        i for i, s in enumerate(statuses) if s == "report_draft" and i not in detail_slots
    )
    audits = []
    owners = []
    for index, status in enumerate(statuses):
        org_index = rng.randrange(len(commissioner_orgs))
        org = commissioner_orgs[org_index]
        owners.append(commissioners[org_index])
        audits.append(
            _audit(rng, now, index, status, org, commissioners[org_index], counties, user_orgs)
        )
    audits[report_slot].title = REPORT_TITLE
    Audit.objects.bulk_create(audits)
    # References as order_submit writes them; created_at as if ordered over four years.
    for audit in audits:
        audit.reference = (
            f"BR-{audit.submitted_at.year}-{audit.pk:05d}" if audit.submitted_at else ""
        )
    Audit.objects.bulk_update(audits, ["reference"], batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audits_audit SET created_at = submitted_at - interval '2 days'"
            " WHERE submitted_at IS NOT NULL"
        )
    return audits, owners, detail_slots, report_slot


def _audit(rng: random.Random, now, index, status, org, owner, counties, user_orgs):
    """One unsaved audit in `status`, with what its steps so far would have filled in."""
    from audits.models import Audit, Method

    submitted = now - timedelta(days=rng.randint(1, 4 * 365))
    sent = status != "draft"
    return Audit(
        status=status,
        language="sv",
        organisation=org,
        ordered_by=owner,
        county=org.county,
        title=f"Brukarrevision {index:04d} av {org.municipality.name}",
        target_group="Deltagare i arbetsmarknadsinsatser",
        approx_users=rng.randint(20, 400),
        audit_questions=text(rng, 1, 3),
        preferred_methods=rng.sample(Method.values, rng.randint(1, 3)),
        contact_name=owner.full_name,
        contact_email=owner.email,
        invoice_address="Box 1, 701 00 Örebro",
        terms_accepted_at=submitted if sent else None,
        processor_agreement_accepted_at=submitted if sent else None,
        order_step=6,
        accepted_at=submitted + timedelta(days=3)
        if reached(status, "quoted") or (status == "requested" and rng.random() < 0.5)
        else None,
        performing_organisation=user_orgs[counties.index(org.county) * 2]
        if reached(status, "planning")
        else None,
        easy_read_summary=text(rng, 2, 4) if reached(status, "report_draft") else "",
        summary=text(rng, 4, 8) if reached(status, "report_draft") else "",
        submitted_at=submitted if sent else None,
    )


def _seed_units_and_quotes(
    rng: random.Random, audits: list, municipalities: dict, staff: list
) -> None:
    """One to three units per audit; a quote for every audit that got as far as one."""
    from audits.models import Audit, Quote, ServiceArea, Unit

    areas = ServiceArea.values
    units = []
    unit_links = []
    for index, audit in enumerate(audits):
        org = audit.organisation
        for n in range(rng.choice([1, 1, 1, 2, 2, 3])):
            units.append(
                Unit(
                    organisation=org,
                    name=f"Daglig verksamhet {index}-{n}",
                    service_area=rng.choice(areas),
                    municipality=rng.choice(municipalities[org.county_id]),
                )
            )
            unit_links.append((audit, len(units) - 1))
    Unit.objects.bulk_create(units)
    Audit.units.through.objects.bulk_create(
        Audit.units.through(audit_id=audit.pk, unit_id=units[i].pk) for audit, i in unit_links
    )

    Quote.objects.bulk_create(
        Quote(
            audit=audit,
            scope="Två enheter inom arbetsmarknadsenheten.",
            audit_questions=audit.audit_questions,
            methods=audit.preferred_methods,
            timetable="Datainsamling under våren, rapport före sommaren.",
            who_informs="Enheten informerar deltagarna.",
            results_return="Återkopplingsmöte med deltagare, personal och ledning.",
            price=Decimal(rng.randrange(30_000, 120_000, 5_000)),
            ownership="Resultaten ägs gemensamt.",
            sent_at=audit.submitted_at + timedelta(days=7),
            sent_by=staff[0],
            accepted_at=audit.submitted_at + timedelta(days=14)
            if reached(audit.status, "agreed")
            else None,
            accepted_by=audit.ordered_by if reached(audit.status, "agreed") else None,
        )
        for audit in audits
        if reached(audit.status, "quoted")
    )


def _seed_teams(
    rng: random.Random, audits: list, auditors: list, detail_slots: list, bench_auditor
) -> dict[int, list]:
    """Two to five auditors on every audit from planning on; the bench auditor on the measured."""
    from audits.models import AuditMember

    teams: dict[int, list] = {}
    members = []
    for index, audit in enumerate(audits):
        if not reached(audit.status, "planning"):
            continue
        size = rng.randint(2, 5)
        team = rng.sample(auditors[1:], size)
        if index in detail_slots:
            team[1] = bench_auditor  # an ordinary member, not the lead
        teams[audit.pk] = team
        for position, user in enumerate(team):
            role = AuditMember.Role.LEAD if position == 0 else AuditMember.Role.AUDITOR
            members.append(AuditMember(audit=audit, user=user, role=role))
    AuditMember.objects.bulk_create(members)
    return teams


def _seed_sessions(rng: random.Random, audits: list, teams: dict) -> None:
    """Two to six data collection sessions on every audit from collecting on."""
    from audits.models import DataCollection

    sessions = []
    kinds_of_session = DataCollection.Kind.values
    for audit in audits:
        if not reached(audit.status, "collecting"):
            continue
        for _ in range(rng.randint(2, 6)):
            sessions.append(
                DataCollection(
                    audit=audit,
                    kind=rng.choice(kinds_of_session),
                    held_on=(audit.submitted_at + timedelta(days=rng.randint(30, 60))).date(),
                    informants=rng.randint(3, 16),
                    duration_minutes=rng.choice([60, 90, 120]),
                    recorded_by=teams[audit.pk][0],
                )
            )
    DataCollection.objects.bulk_create(sessions)


def _seed_findings(
    rng: random.Random, audits: list, teams: dict, detail_slots: list, report_slot: int
) -> dict[int, list]:
    """Exactly FINDINGS in all; the measured audits 20 each, the report audit 40."""
    from audits.models import Finding, Theme

    fixed = {audits[i].pk: DETAIL_FINDINGS for i in detail_slots}
    fixed[audits[report_slot].pk] = REPORT_FINDINGS
    finding_counts = {}
    for audit in audits:
        if audit.pk in fixed:
            finding_counts[audit.pk] = fixed[audit.pk]
        elif audit.status == "collecting":
            finding_counts[audit.pk] = rng.randint(0, 8)
        elif reached(audit.status, "analysing"):
            finding_counts[audit.pk] = rng.randint(12, 48)
    _spread(
        rng,
        finding_counts,
        FINDINGS,
        set(fixed) | {a.pk for a in audits if a.status == "collecting"},
    )
    findings = []
    themes = Theme.values
    for audit in audits:
        for number in range(1, finding_counts.get(audit.pk, 0) + 1):
            author = rng.choice(teams[audit.pk])
            findings.append(
                Finding(
                    audit=audit,
                    number=number,
                    theme=rng.choice(themes),
                    polarity=rng.choice(Finding.Polarity.values),
                    title=rng.choice(SENTENCES)[:60].rstrip(" ,."),
                    description=text(rng, 2, 6),
                    quotes="\n".join(rng.sample(QUOTES, rng.randint(0, 3))),
                    created_by=author,
                    updated_by=author,
                )
            )
    Finding.objects.bulk_create(findings, batch_size=5000)
    findings_of: dict[int, list] = {}
    for finding in findings:
        findings_of.setdefault(finding.audit_id, []).append(finding)
    return findings_of


def _seed_proposals(
    rng: random.Random, now, audits: list, teams: dict, findings_of: dict, report_slot: int
) -> None:
    """Exactly PROPOSALS in all, each citing one to three of its audit's findings."""
    from audits.models import Proposal

    proposal_counts = {
        audit.pk: (12 if audit.pk == audits[report_slot].pk else rng.randint(3, 12))
        for audit in audits
        if reached(audit.status, "analysing") and findings_of.get(audit.pk)
    }
    _spread(rng, proposal_counts, PROPOSALS, {audits[report_slot].pk})
    proposals = []
    cited = []
    for audit in audits:
        for number in range(1, proposal_counts.get(audit.pk, 0) + 1):
            proposals.append(_proposal(rng, now, audit, number, teams[audit.pk][0]))
            cited.append(rng.sample(findings_of[audit.pk], min(3, rng.randint(1, 3))))
    Proposal.objects.bulk_create(proposals, batch_size=5000)
    Proposal.findings.through.objects.bulk_create(
        (
            Proposal.findings.through(proposal_id=proposal.pk, finding_id=finding.pk)
            for proposal, chosen in zip(proposals, cited, strict=True)
            for finding in chosen
        ),
        batch_size=10_000,
    )


def _proposal(rng: random.Random, now, audit, number: int, author):
    """One unsaved proposal, answered and followed up as far as its audit has come."""
    from audits.models import Proposal

    answered = reached(audit.status, "response_received")
    followed = reached(audit.status, "follow_up")
    response = rng.choices(Proposal.Response.values, weights=[60, 25, 15])[0] if answered else ""
    return Proposal(
        audit=audit,
        number=number,
        text=rng.choice(PROPOSAL_TEXTS) + " " + text(rng, 0, 2),
        created_by=author,
        response=response,
        action=text(rng, 1, 2) if answered else "",
        action_owner="Enhetschefen" if answered else "",
        deadline=(now + timedelta(days=rng.randint(30, 365))).date() if answered else None,
        responded_at=now if answered else None,
        responded_by=audit.ordered_by if answered else None,
        progress=rng.choice(Proposal.Progress.values) if followed else "",
        progress_note=text(rng, 1, 2) if followed else "",
        progress_reported_at=now if followed else None,
    )


def _seed_events(rng: random.Random, now, audits: list, teams: dict, staff: list) -> None:
    """The history each audit's state implies, as the services record it."""
    from audits.models import AuditEvent

    events = []
    for audit in audits:
        if audit.status != "draft":
            events.extend(_events_of(rng, now, audit, teams, staff))
    AuditEvent.objects.bulk_create(events, batch_size=5000)


def _events_of(rng: random.Random, now, audit, teams: dict, staff: list) -> list:
    from audits.models import AuditEvent

    events = []
    status = audit.status
    at = audit.submitted_at or now
    previous = "draft"
    last = FLOW.index(status) if status in FLOW else rng.randint(0, 3)
    for action, to_state in HISTORY:
        if to_state and FLOW.index(to_state) > last:
            break
        if action == "member_added":
            repeat = len(teams.get(audit.pk, []))
        elif action in {"accepted", "performer_set"} and audit.accepted_at is None:
            repeat = 0
        else:
            repeat = 1
        for _ in range(repeat):
            at += timedelta(days=rng.randint(1, 20))
            new_state = to_state or previous
            events.append(
                AuditEvent(
                    audit=audit,
                    action=action,
                    from_status=previous,
                    to_status=new_state,
                    by=audit.ordered_by if action == "submitted" else staff[0],
                    at=at,
                )
            )
            previous = new_state
    if status == "cancelled":
        events.append(
            AuditEvent(
                audit=audit,
                action=rng.choice(["declined", "cancelled"]),
                from_status=previous,
                to_status="cancelled",
                by=staff[0],
                at=at + timedelta(days=2),
                comment="Utanför vårt område.",
            )
        )
    return events


def row_counts() -> dict:
    from django.db.models import Count

    from audits.models import (
        Audit,
        AuditEvent,
        AuditMember,
        DataCollection,
        Finding,
        Proposal,
        Unit,
    )
    from brukarkraft.models import County

    return {
        "audits": Audit.objects.count(),
        "by_status": dict(
            Audit.objects.order_by().values_list("status").annotate(n=Count("pk")).order_by()
        ),
        "findings": Finding.objects.count(),
        "proposals": Proposal.objects.count(),
        "proposal_finding_links": Proposal.findings.through.objects.count(),
        "events": AuditEvent.objects.count(),
        "team_members": AuditMember.objects.count(),
        "sessions": DataCollection.objects.count(),
        "units": Unit.objects.count(),
        "counties_with_audits": County.objects.filter(audits__isnull=False).distinct().count(),
    }


def fixtures_from_db() -> dict:
    """The same people and audits as seed() returned, found again in a kept database."""
    from django.db.models import Count

    from audits.models import Audit
    from brukarkraft.models import User

    auditor = User.objects.get(email="auditor0@bench.example.se")
    detail = list(
        Audit.objects.filter(members__user=auditor)
        .annotate(n=Count("findings", distinct=True))
        .filter(n=DETAIL_FINDINGS)
        .order_by("pk")
        .values_list("pk", flat=True)[:DETAIL_AUDITS]
    )
    report = Audit.objects.get(title=REPORT_TITLE)
    first = Audit.objects.get(pk=detail[0])
    return {
        "load_seconds": None,
        "counts": row_counts(),
        "staff": User.objects.get(email="staff0@bench.example.se"),
        "auditor": auditor,
        "commissioner": first.ordered_by,
        "detail_audits": detail,
        "report_audit": report.pk,
    }


# --- Measuring ---------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 100 values is the 95th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def measure(client, name: str, paths: list[str], requests: int, warmup: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(warmup):
        response = client.get(paths[n % len(paths)])
        assert response.status_code == 200, (name, paths[n % len(paths)], response.status_code)
    seconds = []
    queries = []
    for n in range(requests):
        path = paths[n % len(paths)]
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, (name, path, response.status_code)
        queries.append(len(captured.captured_queries))
    row = {
        "page": name,
        "paths": len(paths),
        "requests": requests,
        "p50_ms": round(1000 * percentile(seconds, 0.50), 1),
        "p95_ms": round(1000 * percentile(seconds, 0.95), 1),
        "mean_ms": round(1000 * statistics.fmean(seconds), 1),
        "max_ms": round(1000 * max(seconds), 1),
        "queries_min": min(queries),
        "queries_max": max(queries),
        "bytes": len(response.content),
    }
    print(
        f"{name:<44} p50 {row['p50_ms']:>6.1f}  p95 {row['p95_ms']:>6.1f}"
        f"  mean {row['mean_ms']:>6.1f}  max {row['max_ms']:>6.1f} ms"
        f"  queries {row['queries_min']}–{row['queries_max']}",
        flush=True,
    )
    return row


def slowest_queries(client, path: str, top: int = 3) -> list[dict]:
    """One request with every statement timed, slowest first: where a page's time goes."""
    from django.db import connection

    log: list[tuple[float, str]] = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            log.append((time.perf_counter() - started, sql))

    with connection.execute_wrapper(wrapper):
        client.get(path)
    return [
        {"ms": round(1000 * s, 2), "sql": " ".join(sql.split())[:220]}
        for s, sql in sorted(log, key=lambda item: -item[0])[:top]
    ]


def query_growth(client, staff, urls: dict[str, str]) -> list[dict]:
    """Queries for small and large cases of the same page: the count must be the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = []
    for label, path in urls.items():
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (label, response.status_code)
        rows.append({"case": label, "queries": len(captured.captured_queries)})
        print(f"  {label:<62} {len(captured.captured_queries):>3} queries", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--reuse-db", action="store_true", help="measure a database kept before")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    benchlib.configure(DB)
    load_at_start = os.getloadavg()
    print(f"machine: {benchlib.machine_notes()}; load average {load_at_start}", flush=True)
    if not args.reuse_db:
        benchlib.recreate_db(DB)
    try:
        benchlib.setup_django(migrate=not args.reuse_db)
        from django.core.management import call_command
        from django.db.models import Count
        from django.test import Client
        from django.urls import reverse

        from audits.models import Audit
        from brukarkraft.models import County

        call_command("collectstatic", interactive=False, verbosity=0)
        data = fixtures_from_db() if args.reuse_db else seed()

        def client_for(user) -> Client:
            client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
            client.force_login(user)
            return client

        staff = client_for(data["staff"])
        auditor = client_for(data["auditor"])
        commissioner = client_for(data["commissioner"])
        county = County.objects.annotate(n=Count("audits")).order_by("-n", "code").first()
        list_url = reverse("audits:list")
        filtered = f"{list_url}?status=closed&county={county.pk}&service_area=&q="
        search = f"{list_url}?q=Brukarrevision+01"
        details = [reverse("audits:detail", args=[pk]) for pk in data["detail_audits"]]
        coverage = reverse("audits:coverage")
        pages = [
            ("list, staff, first page", staff, [list_url]),
            (f"list, staff, closed in {county.name}", staff, [filtered]),
            ("list, staff, text search", staff, [search]),
            ("list, commissioner (visible_to subquery)", commissioner, [list_url]),
            ("detail, staff (20 findings)", staff, details),
            ("detail, team auditor (20 findings)", auditor, details),
            ("coverage, staff", staff, [coverage]),
        ]
        print(
            f"\n{args.requests} requests per page after {args.warmup} warm-up requests"
            " (Django test client, in process):",
            flush=True,
        )
        rows = [
            measure(client, name, paths, args.requests, args.warmup)
            for name, client, paths in pages
        ]

        print("\nslowest statements of one request:", flush=True)
        slow = {}
        for name, client, paths in pages:
            slow[name] = slowest_queries(client, paths[0])
            print(f"  {name}")
            for item in slow[name]:
                print(f"    {item['ms']:>8.2f} ms  {item['sql'][:150]}")

        print("\nqueries per request, small and large cases of the same page:", flush=True)
        counted = Audit.objects.annotate(
            n=Count("findings", distinct=True), m=Count("members", distinct=True)
        )
        small = counted.filter(n__gte=1, m=2).exclude(status="draft").order_by("n", "pk").first()
        large = counted.exclude(status="draft").order_by("-n", "-m", "pk").first()
        total = Audit.objects.exclude(status="draft").count()
        last_page = -(-total // 25)
        growth_urls = {
            f"detail, staff: {small.n} findings, {small.m} members": reverse(
                "audits:detail", args=[small.pk]
            ),
            f"detail, staff: {large.n} findings, {large.m} members": reverse(
                "audits:detail", args=[large.pk]
            ),
            "list, staff: page 1 (25 rows)": list_url,
            f"list, staff: page {last_page} (last)": f"{list_url}?page={last_page}",
            "list, staff: one audit found": f"{list_url}?q={small.reference}",
        }
        growth = query_growth(staff, data["staff"], growth_urls)
        auditor_growth = query_growth(
            auditor,
            data["auditor"],
            {f"detail, team auditor: {DETAIL_FINDINGS} findings": details[0]},
        )
        summary = {
            "machine": benchlib.machine_notes(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": os.getloadavg(),
            "load_seconds": data["load_seconds"],
            "counts": data["counts"],
            "pages": rows,
            "slowest_queries": slow,
            "query_growth": growth + auditor_growth,
        }
        print(f"\nload average at the end {summary['load_average_at_end']}")
        if args.json:
            with open(args.json, "w") as handle:
                json.dump(summary, handle, indent=2, default=str)
    finally:
        if not args.keep_db:
            benchlib.drop_db(DB)
            print(f"dropped database {DB}")


if __name__ == "__main__":
    main()
