"""Demo councils for `seed_demo`: a Swedish municipal council and a Norwegian regional one,
each with terms of reference, seats, members, meetings, cases, and (the Swedish one) an
appointment under way and two self-assessments a year apart.

Everything goes through councils.services, as an admin would do it. Runs again safely: a
council whose address name already exists is left exactly as it is. Dates are relative to
the day of the first run, so a fresh install always shows past and coming meetings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from brukarkraft.models import Organisation, User

from . import services
from .models import (
    AssessmentAnswer,
    Attendance,
    Case,
    Council,
    Gender,
    Meeting,
    Member,
    Nomination,
    Seat,
    UserCategory,
)

DEMO = "demo.brukarkraft.se"
SWEDISH_SLUG = "brukarradet-psykisk-halsa-orebro"
NORWEGIAN_SLUG = "brukerutvalget-helse-sor-ost-psykisk-helse"
HELSE_SOR_OST = "Helse Sør-Øst RHF"

R = Member.Role
W, M = Gender.WOMAN, Gender.MAN
C = UserCategory


@dataclass(frozen=True)
class DemoMember:
    email: str  # the local part; the demo domain is added
    name: str
    role: str
    gender: str
    seat: str  # key into the council's seats, or "" for none
    # (start, end) in days from today; more than one term makes the tenure add up.
    terms: tuple[tuple[int, int], ...] = ((-400, 330),)
    publish: bool = True
    language: str = "sv"


def _day(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def _at(days: int, hour: int = 13, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(_day(days), time(hour, minute)))


def _person(email: str, name: str, language: str = "sv") -> User:
    """A member who exists as data only: no password anyone knows, no portal role."""
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": name, "preferred_language": language}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _seats(council: Council, rows: dict[str, dict]) -> dict[str, Seat]:
    return {key: Seat.objects.create(council=council, **fields) for key, fields in rows.items()}


def _members(
    council: Council,
    seats: dict[str, Seat],
    rows: list[DemoMember],
    *,
    users: dict[str, User] | None = None,
) -> dict[str, Member]:
    """Give each person their terms; the last term is the current one, returned by e-mail."""
    users = users or {}
    current = {}
    for row in rows:
        user = users.get(row.email) or _person(f"{row.email}@{DEMO}", row.name, row.language)
        seat = seats.get(row.seat)
        for start, end in row.terms:
            current[row.email] = services.member_add(
                council=council,
                user=user,
                role=row.role,
                term_start=_day(start),
                term_end=_day(end),
                seat=seat,
                gender=row.gender,
                publish_consent=row.publish,
            )
    return current


def _case(council: Council, by: User | None, days_ago: int, **text) -> Case:
    case = services.case_submit(council=council, by=by, **text)
    # A case's age counts from when it was raised; the demo backdates it once, on creation.
    Case.objects.filter(pk=case.pk).update(submitted_at=timezone.now() - timedelta(days=days_ago))
    case.refresh_from_db()
    return case


def _hold(
    meeting: Meeting,
    *,
    members: dict[str, Member],
    absent: tuple[str, ...] = (),
    stand_ins: dict[str, str] | None = None,
    decisions: list[tuple[str, str, str | None]],
    minutes: str,
    approved_by: User,
) -> Meeting:
    """Record attendance, decisions and minutes of a past meeting; approve and print them."""
    stand_ins = stand_ins or {}
    deputies = set(stand_ins.values())
    rows = []
    for key, member in members.items():
        if member.term_start > meeting.starts_at.date() or key in deputies:
            continue
        if member.role == R.DEPUTY and key not in stand_ins:
            continue  # A deputy attends only in a member's place.
        if key in stand_ins:
            rows.append(
                {
                    "member": member,
                    "status": Attendance.Status.DEPUTY,
                    "deputy": members[stand_ins[key]],
                }
            )
        elif key in absent:
            rows.append({"member": member, "status": Attendance.Status.ABSENT})
        else:
            rows.append(
                {
                    "member": member,
                    "status": Attendance.Status.PRESENT,
                    "travel_cost": Decimal("96.00"),
                }
            )
    services.attendance_record(meeting=meeting, rows=rows)
    for item, (decision, follow_up, case_status) in zip(
        meeting.agenda.order_by("position"), decisions, strict=True
    ):
        services.agenda_record(
            item=item, decision=decision, follow_up=follow_up, case_status=case_status
        )
    services.minutes_save(meeting=meeting, text=minutes)
    services.minutes_approve(meeting=meeting, by=approved_by)
    # The worker would do this on commit; doing it now gives the demo a real file at once.
    return services.minutes_pdf_render(meeting_id=meeting.pk)


def _answers(levels: dict[int, tuple[str, str, str]], comment: str) -> dict:
    stages = AssessmentAnswer.Stage.values
    return {
        (level, stage): (answer, comment if answer != "yes" else "")
        for level, answers in levels.items()
        for stage, answer in zip(stages, answers, strict=True)
    }


# --- The Swedish council -----------------------------------------------------------

SWEDISH_MEMBERS = [
    # Lars has sat since the council began: his third term ends soon, past the 6-year cap.
    DemoMember(
        "lars.oberg",
        "Lars Öberg",
        R.CHAIR,
        M,
        "rsmh",
        terms=((-2230, -1500), (-1500, -770), (-770, 60)),
    ),
    DemoMember("fatima.ali", "Fatima Ali", R.VICE_CHAIR, W, "rsmh"),
    DemoMember("johan.lund", "Johan Lund", R.MEMBER, M, "verdandi"),
    DemoMember("eva.bjork", "Eva Björk", R.MEMBER, W, "relatives", publish=False),
    DemoMember("mikael.karlsson", "Mikael Karlsson", R.DEPUTY, M, "rsmh"),
    DemoMember("anna.sjoberg", "Anna Sjöberg", R.SECRETARY, W, ""),
]


def _seed_swedish(people: dict[str, User], organisations: dict[str, Organisation]) -> Council:
    staff = people[f"personal@{DEMO}"]
    amira = people[f"revisor@{DEMO}"]
    owner = organisations["Örebro kommun, arbetsmarknadsenheten"]
    rsmh = organisations["RSMH Örebro"]
    verdandi = organisations["Verdandi Örebro"]
    nsph = organisations["NSPH, Nationell samverkan för psykisk hälsa"]

    council = Council.objects.create(
        name="Brukarrådet för psykisk hälsa, Örebro kommun",
        slug=SWEDISH_SLUG,
        owner=owner,
        level=Council.Level.MUNICIPAL,
        language="sv",
        description=(
            "Brukarrådet ger Örebro kommun råd om stöd och service till personer med psykisk "
            "ohälsa eller beroende, och till deras anhöriga. Rådet är rådgivande och behandlar "
            "inte enskilda ärenden."
        ),
        meetings_per_year=4,
        term_years=2,
        tenure_cap_years=6,
        meeting_fee=Decimal("600.00"),
        travel_rule="Resor med kollektivtrafik ersätts mot kvitto.",
        lost_earnings_max=Decimal("1200.00"),
        is_public=True,
    )
    services.mandate_revise(
        council=council,
        by=staff,
        text=(
            "Brukarrådet är ett rådgivande organ för kommunens verksamheter inom psykisk hälsa. "
            "Rådet träffas fyra gånger om året."
        ),
        adopted_on=_day(-1900),
        revision_due=_day(-1100),
    )
    services.mandate_revise(
        council=council,
        by=staff,
        text=(
            "Brukarrådet ger Örebro kommun råd om stöd och service inom psykisk hälsa och "
            "beroende.\n"
            "Rådet är rådgivande och fattar inga beslut åt kommunen. Det behandlar inte enskilda "
            "ärenden, men en enskild erfarenhet kan visa på en fråga för många.\n"
            "Rådet träffas fyra gånger om året. Kallelse skickas senast tre veckor före mötet, "
            "protokollet justeras och publiceras efter mötet.\n"
            "Ledamöterna utses för två år i taget och kan sitta i högst sex år."
        ),
        adopted_on=_day(-1100),
        revision_due=_day(360),
    )
    seats = _seats(
        council,
        {
            "rsmh": {"organisation": rsmh, "category": C.MENTAL_HEALTH, "places": 2},
            "verdandi": {"organisation": verdandi, "category": C.ADDICTION, "places": 2},
            "relatives": {"category": C.RELATIVES, "places": 1, "deputies": 0},
            "young": {"category": C.YOUNG_PEOPLE, "places": 2, "deputies": 0},
        },
    )
    members = _members(council, seats, SWEDISH_MEMBERS)
    # The demo auditor sits on the council too, so the demo accounts reach the member area.
    members["amira"] = services.member_add(
        council=council,
        user=amira,
        role=R.MEMBER,
        term_start=_day(-400),
        term_end=_day(330),
        seat=seats["verdandi"],
        gender=W,
        publish_consent=True,
    )
    chair, secretary = members["lars.oberg"].user, members["anna.sjoberg"].user

    # An appointment under way: one candidate in each state.
    request = services.request_create(
        council=council,
        by=staff,
        places=2,
        description=(
            "Kommunen söker två representanter med egen erfarenhet som unga vuxna (18–29 år) "
            "av stöd inom psykisk hälsa. Uppdraget gäller två år med fyra möten om året."
        ),
        deadline=_day(20),
        categories=[C.YOUNG_PEOPLE],
    )
    services.request_call(request=request, organisations=[rsmh, verdandi, nsph])
    nominations = {}
    for email, name, organisation, gender in [
        ("sofia.rahimi", "Sofia Rahimi", rsmh, W),
        ("nils.holm", "Nils Holm", verdandi, M),
        ("karin.aberg", "Karin Åberg", rsmh, W),
        ("ahmed.yusuf", "Ahmed Yusuf", verdandi, M),
        ("elin.dahl", "Elin Dahl", nsph, W),
    ]:
        nominations[email] = services.nomination_create(
            request=request,
            by=staff,
            candidate=_person(f"{email}@{DEMO}", name),
            organisation=organisation,
            motivation=f"{name} är aktiv i föreningens ungdomsgrupp och har vårt förtroende.",
            criteria={
                "representativeness": "Har egen erfarenhet av stöd från kommunen som ung vuxen.",
                "candidate_motivation": "Vill att unga ska bli lyssnade på tidigare.",
                "organisation_or_umbrella": "Nomineras av den egna föreningen.",
                "national_or_local": "Lokalt förankrad i Örebro.",
                "assignment": "Har läst uppdragsbeskrivningen och mandatet.",
                "ability_and_willingness": "Har gått föreningens utbildning för representanter.",
                "capacity": "Kan delta på dagtid fyra gånger om året.",
            },
            organisation_confirms_trust=True,
            category=C.YOUNG_PEOPLE,
            gender=gender,
        )
    for email in ("sofia.rahimi", "nils.holm", "ahmed.yusuf"):
        services.nomination_recommend(nomination=nominations[email], by=staff)
    members["sofia.rahimi"] = services.nomination_appoint(
        nomination=nominations["sofia.rahimi"],
        by=staff,
        term_start=_day(-10),
        seat=seats["young"],
        publish_consent=True,
    )
    services.nomination_close(
        nomination=nominations["ahmed.yusuf"],
        by=staff,
        status=Nomination.Status.DECLINED,
        reason="Sitter redan i kommunens funktionshinderråd; kommunen vill sprida uppdragen.",
    )
    services.nomination_close(
        nomination=nominations["elin.dahl"],
        by=staff,
        status=Nomination.Status.WITHDRAWN,
        reason="Kandidaten har fått ett nytt arbete och har inte tid under mandatperioden.",
    )

    # Cases: one followed across two meetings to closed, one rejected, two open.
    transport = _case(
        council,
        members["fatima.ali"].user,
        days_ago=260,
        title="Färdtjänsten kommer för sent till dagverksamheten",
        why="Flera deltagare missar början av dagen och tappar lusten att komma.",
        where="Färdtjänsten till träffpunkterna i Vivalla och Baronbackarna.",
        when="Flera gånger i veckan, oftast på måndagsmorgnar.",
        proposed_solution="En kontaktperson hos färdtjänsten som brukarrådet kan vända sig till.",
    )
    letters = _case(
        council,
        members["johan.lund"].user,
        days_ago=120,
        title="Breven från socialtjänsten är svåra att förstå",
        why="Många förstår inte beslut och kallelser och missar därför tider.",
        where="Brev från vuxenenheten.",
        when="Vid varje beslut och kallelse.",
        proposed_solution="Skriv breven på klarspråk och erbjud en lättläst sammanfattning.",
    )
    individual = _case(
        council,
        None,
        days_ago=100,
        title="Min handläggare svarar inte",
        why="Jag har väntat i tre veckor på svar om mitt boendestöd.",
        where="Vuxenenheten.",
        when="Sedan i våras.",
        proposed_solution="Att handläggaren ringer upp mig.",
    )
    services.case_reject(
        case=individual,
        reason=(
            "Ett enskilt ärende: rådet behandlar inte enskilda ärenden. Sekreteraren har "
            "hänvisat till kommunens synpunktshantering."
        ),
    )
    peer_support = _case(
        council,
        amira,
        days_ago=20,
        title="Fler kamratstödjare på träffpunkterna",
        why="Deltagare säger att det hjälper att prata med någon som varit i samma situation.",
        where="Kommunens träffpunkter.",
        when="Hela året.",
        proposed_solution="Anställ kamratstödjare med egen erfarenhet på deltid.",
    )

    first = services.meeting_create(
        council=council,
        starts_at=_at(-230),
        ends_at=_at(-230, 15),
        place="Örebro stadshus, sammanträdesrum Svartån",
        accessibility="Entré utan trappsteg, hörslinga och tillgänglig toalett.",
    )
    services.agenda_add(meeting=first, title="Mötets öppnande och val av justerare")
    services.agenda_add(meeting=first, title="", case=transport)
    services.agenda_add(meeting=first, title="Information från förvaltningen")
    # Past notices are history that the services cannot send after the fact; record it.
    Meeting.objects.filter(pk=first.pk).update(
        notice_sent_at=first.starts_at - timedelta(days=24), notice_sent_by=staff
    )
    _hold(
        first,
        members=members,
        absent=("eva.bjork",),
        stand_ins={"johan.lund": "mikael.karlsson"},
        decisions=[
            ("Fatima Ali valdes att justera protokollet.", "", None),
            (
                "Rådet föreslår att kommunen utser en kontaktperson hos färdtjänsten.",
                "Förvaltningen återkommer till nästa möte.",
                Case.Status.FOLLOW_UP,
            ),
            ("Informationen noterades.", "", None),
        ],
        minutes=(
            "Ordförande Lars Öberg öppnade mötet och hälsade alla välkomna.\n"
            "Fatima Ali berättade om deltagarnas erfarenheter av färdtjänsten."
        ),
        approved_by=secretary,
    )

    second = services.meeting_create(
        council=council,
        starts_at=_at(-90),
        ends_at=_at(-90, 15),
        place="Örebro stadshus, sammanträdesrum Svartån",
        accessibility="Entré utan trappsteg, hörslinga och tillgänglig toalett.",
    )
    services.agenda_add(meeting=second, title="Mötets öppnande och val av justerare")
    services.agenda_add(meeting=second, title="", case=transport)
    services.agenda_add(meeting=second, title="", case=letters)
    Meeting.objects.filter(pk=second.pk).update(
        notice_sent_at=second.starts_at - timedelta(days=22), notice_sent_by=staff
    )
    _hold(
        second,
        members=members,
        decisions=[
            ("Johan Lund valdes att justera protokollet.", "", None),
            (
                "Färdtjänsten har utsett en kontaktperson för rådet. Ärendet avslutas.",
                "",
                Case.Status.CLOSED,
            ),
            (
                "Rådet föreslår att vuxenenhetens brev skrivs om på klarspråk.",
                "Förvaltningen redovisar förslag på nya brev till nästa möte.",
                Case.Status.FOLLOW_UP,
            ),
        ],
        minutes=(
            "Lars Öberg ledde mötet.\n"
            "Kontaktpersonen hos färdtjänsten har gjort skillnad enligt deltagarna."
        ),
        approved_by=chair,
    )

    coming = services.meeting_create(
        council=council,
        starts_at=_at(30),
        ends_at=_at(30, 15),
        place="Träffpunkt Vivalla, Vivallagatan 12",
        accessibility="Entré utan trappsteg, hörslinga, tillgänglig toalett och ett tyst rum.",
    )
    services.agenda_add(meeting=coming, title="Mötets öppnande och val av justerare")
    services.agenda_add(meeting=coming, title="", case=letters)
    services.agenda_add(meeting=coming, title="", case=peer_support)
    services.agenda_add(meeting=coming, title="Årsrapporten")
    services.notice_send(meeting=coming, by=staff)

    # The same group, a year apart: levels 3 and 4 have moved.
    for held_on, levels, comment in [
        (
            _day(-380),
            {
                1: ("yes", "yes", "partly"),
                2: ("yes", "partly", "no"),
                3: ("partly", "no", "no"),
                4: ("no", "no", "no"),
                5: ("no", "no", "no"),
            },
            "Beror på vem som är chef.",
        ),
        (
            _day(-15),
            {
                1: ("yes", "yes", "yes"),
                2: ("yes", "yes", "partly"),
                3: ("yes", "partly", "partly"),
                4: ("partly", "partly", "no"),
                5: ("no", "no", "no"),
            },
            "Rutinen finns men används inte överallt.",
        ),
    ]:
        services.assessment_record(
            by=staff,
            council=council,
            held_on=held_on,
            rapporteur="Fatima Ali",
            secretary="Anna Sjöberg",
            answers=_answers(levels, comment),
            reflections={
                "helps_policy": "Kommunens riktlinje för brukarinflytande.",
                "helps_routines": "Rådets frågor står som egen punkt på ledningsgruppens möten.",
                "helps_attitudes": "Chefer som frågar efter brukarnas erfarenheter.",
                "develop_policy": "Brukarinflytande ska skrivas in i verksamhetsplanen.",
                "develop_routines": "Återkoppling till rådet om vad som hänt med förslagen.",
                "develop_attitudes": "Att se brukarna som experter på sin egen situation.",
            },
        )
    return council


# --- The Norwegian council ------------------------------------------------------------

NORWEGIAN_MEMBERS = [
    DemoMember("ingrid.haugen", "Ingrid Haugen", R.CHAIR, W, "mental", language="nb"),
    DemoMember("ola.berg", "Ola Berg", R.VICE_CHAIR, M, "mental", language="nb"),
    DemoMember("siri.lunde", "Siri Lunde", R.MEMBER, W, "relatives", language="nb"),
    DemoMember("mohammed.hussain", "Mohammed Hussain", R.MEMBER, M, "addiction", language="nb"),
    DemoMember("tone.bakken", "Tone Bakken", R.SECRETARY, W, "", language="nb"),
    DemoMember("erik.johansen", "Erik Johansen", R.DEPUTY, M, "mental", language="nb"),
    DemoMember(
        "hanne.strand",
        "Hanne Strand",
        R.OBSERVER,
        W,
        "",
        publish=False,
        language="nb",
    ),
]


def _seed_norwegian(people: dict[str, User]) -> Council:
    staff = people[f"personal@{DEMO}"]
    owner, _created = Organisation.objects.get_or_create(
        name=HELSE_SOR_OST,
        defaults={"kind": Organisation.Kind.REGION, "city": "Hamar", "is_active": True},
    )
    council = Council.objects.create(
        name="Brukerutvalget, Helse Sør-Øst psykisk helse",
        slug=NORWEGIAN_SLUG,
        owner=owner,
        level=Council.Level.REGIONAL,
        language="nb",
        description=(
            "Brukerutvalget gir råd til Helse Sør-Øst om psykisk helsevern og rusbehandling. "
            "Utvalget er rådgivende og behandler ikke enkeltsaker."
        ),
        meetings_per_year=5,
        term_years=2,
        tenure_cap_years=6,
        meeting_fee=Decimal("800.00"),
        travel_rule="Reiseutgifter dekkes etter statens satser.",
        lost_earnings_max=Decimal("1500.00"),
        # The Norwegian rules require a balance of women and men.
        requires_gender_balance=True,
        is_public=True,
    )
    # Adopted three years ago and due for revision: it shows in the centre's reminders.
    services.mandate_revise(
        council=council,
        by=staff,
        text=(
            "Brukerutvalget skal sikre brukermedvirkning på systemnivå i Helse Sør-Øst.\n"
            "Utvalget er rådgivende, gir innspill til planer og tjenester og behandler ikke "
            "enkeltsaker."
        ),
        adopted_on=_day(-1100),
        revision_due=_day(-20),
    )
    seats = _seats(
        council,
        {
            "mental": {"category": C.MENTAL_HEALTH, "places": 2},
            "addiction": {"category": C.ADDICTION, "places": 1, "deputies": 0},
            "relatives": {"category": C.RELATIVES, "places": 1, "deputies": 0},
        },
    )
    members = _members(council, seats, NORWEGIAN_MEMBERS)
    waiting = _case(
        council,
        members["siri.lunde"].user,
        days_ago=75,
        title="Lange ventetider til poliklinikk for unge voksne",
        why="Unge voksne venter i mange måneder, og pårørende står alene i mellomtiden.",
        where="Poliklinikkene for psykisk helsevern i regionen.",
        when="Hele året, verst etter sommeren.",
        proposed_solution="Et eget tilbud til pårørende mens de venter.",
    )
    discharge = _case(
        council,
        members["mohammed.hussain"].user,
        days_ago=10,
        title="Mangelfull informasjon ved utskriving",
        why="Pasienter vet ikke hvem de skal kontakte etter utskriving.",
        where="Døgnavdelingene.",
        when="Ved hver utskriving.",
        proposed_solution="Et utskrivingsark på klarspråk med navn og telefonnummer.",
    )
    past = services.meeting_create(
        council=council,
        starts_at=_at(-60, 10),
        ends_at=_at(-60, 14),
        place="Helse Sør-Øst, Hamar, møterom Mjøsa",
        accessibility="Trinnfri inngang, teleslynge og tilgjengelig toalett.",
    )
    services.agenda_add(meeting=past, title="Godkjenning av innkalling og saksliste")
    services.agenda_add(meeting=past, title="", case=waiting)
    Meeting.objects.filter(pk=past.pk).update(
        notice_sent_at=past.starts_at - timedelta(days=21), notice_sent_by=staff
    )
    _hold(
        past,
        members=members,
        stand_ins={"ola.berg": "erik.johansen"},
        decisions=[
            ("Innkalling og saksliste ble godkjent.", "", None),
            (
                "Utvalget ber helseforetaket utrede et tilbud til pårørende.",
                "Saken følges opp på neste møte.",
                Case.Status.FOLLOW_UP,
            ),
        ],
        minutes=(
            "Ingrid Haugen ledet møtet.\n"
            "Siri Lunde innledet om ventetidene og pårørendes situasjon."
        ),
        approved_by=members["tone.bakken"].user,
    )
    coming = services.meeting_create(
        council=council,
        starts_at=_at(45, 10),
        ends_at=_at(45, 14),
        place="Helse Sør-Øst, Hamar, møterom Mjøsa",
        accessibility="Trinnfri inngang, teleslynge og tilgjengelig toalett.",
    )
    services.agenda_add(meeting=coming, title="Godkjenning av innkalling og saksliste")
    services.agenda_add(meeting=coming, title="", case=waiting)
    services.agenda_add(meeting=coming, title="", case=discharge)
    services.notice_send(meeting=coming, by=staff)
    return council


def seed(*, people: dict[str, User], organisations: dict[str, Organisation]) -> list[Council]:
    """Create the demo councils; `people` and `organisations` are seed_demo's, by e-mail and
    name. A council that exists already is left as it is."""
    existing = set(
        Council.objects.filter(slug__in=[SWEDISH_SLUG, NORWEGIAN_SLUG]).values_list(
            "slug", flat=True
        )
    )
    if SWEDISH_SLUG not in existing:
        _seed_swedish(people, organisations)
    if NORWEGIAN_SLUG not in existing:
        _seed_norwegian(people)
    return list(Council.objects.filter(slug__in=[SWEDISH_SLUG, NORWEGIAN_SLUG]))
