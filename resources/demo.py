"""Demo content for `seed_demo`: the resource centre's library, two courses and two method
guidance requests (docs/domain.md §5).

The library is written by Sara at the centre (personal@) and approved by Ingrid
(ingrid.solberg@), always through resources.services, so every published resource has a
numbered version approved by a second person. It holds an audit manual in Swedish with a
Norwegian translation (made from version 1, so it is older than the manual's version 2) and
an easy-to-read variant; a method guide with a real PDF attachment; a template; study
material for user representatives in Norwegian; a fact sheet on user councils and
one in English. Beside them: a draft, one in review (Ingrid's, so Sara can review it) and
one approved but scheduled for next week. The printable PDFs are made here directly, not by
a worker.

Runs again safely: a resource or course whose address name exists is left as it is, and
guidance requests are found by their text. The guidance requests are written as rows, not
through the service, so that demo data never sends e-mail.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from brukarkraft.models import Organisation, User

from . import services
from .models import (
    Audience,
    Course,
    CourseSession,
    GuidanceRequest,
    Kind,
    Resource,
    Topic,
)

DEMO = "demo.brukarkraft.se"
MANUAL = "revisionsmanual-brukarstyrd-brukarrevision"

MANUAL_V1 = """# Vad är en brukarstyrd brukarrevision?

En brukarrevision granskar en verksamhet ur brukarnas synvinkel. Den är **brukarstyrd** när
brukarrevisorerna själva har erfarenhet av liknande stöd och äger frågorna, metoden och
rapporten.

# Före revisionen

1. Beställaren och revisorerna kommer överens om revisionsfrågorna.
2. Verksamheten informerar deltagarna i god tid, på lättläst svenska.
3. Revisorerna skriver under tystnadslöftet.

# Datainsamling

Intervjuer och fokusgrupper hålls alltid av två revisorer. Ingen uppgift i rapporten får
kunna spåras till en enskild person.

# Rapport och återkoppling

Rapporten lämnas först till verksamheten vid ett återkopplingsmöte. Beställaren svarar
skriftligt på varje förslag.
"""

MANUAL_V2 = (
    MANUAL_V1
    + """
# Uppföljning

Sex månader efter återkopplingen följer revisorerna upp vad som hänt med förslagen.
Uppföljningen redovisas i en tabell:

| Förslag | Svar | Genomfört |
| --- | --- | --- |
| Fast kontaktperson | Accepterat | Ja |
| Skriftlig plan på lättläst svenska | Delvis | Pågår |
"""
)

MANUAL_NB = """# Hva er en brukerstyrt brukerrevisjon?

En brukerrevisjon undersøker en tjeneste fra brukernes ståsted. Den er **brukerstyrt** når
brukerrevisorene selv har erfaring med lignende tjenester og eier spørsmålene, metoden og
rapporten.

# Før revisjonen

1. Oppdragsgiver og revisorene blir enige om revisjonsspørsmålene.
2. Tjenesten informerer deltakerne i god tid, på lettlest norsk.
3. Revisorene signerer taushetserklæringen.

# Datainnsamling

Intervjuer og fokusgrupper holdes alltid av to revisorer. Ingen opplysning i rapporten skal
kunne spores tilbake til én person.

# Rapport og tilbakemelding

Rapporten legges først fram for tjenesten i et tilbakemeldingsmøte. Oppdragsgiver svarer
skriftlig på hvert forslag.
"""

MANUAL_EASY = """# Vad är en brukarrevision?

Du som får stöd vet hur stödet fungerar.
I en brukarrevision frågar vi er vad som är bra
och vad som kan bli bättre.

# Vem gör revisionen?

Brukarrevisorer gör revisionen.
De har själva fått liknande stöd.
De har gått en utbildning.

# Vad händer med svaren?

Ingen får veta vad just du har sagt.
Revisorerna skriver en rapport.
Verksamheten måste svara på förslagen i rapporten.
"""

METHOD_GUIDE = """# Fokusgrupper

En fokusgrupp är ett samtal med sex till åtta deltagare. Två brukarrevisorer leder samtalet:
en ställer frågorna och en antecknar.

## Så förbereder ni

- Boka en tillgänglig lokal utan insyn.
- Fråga om deltagarna behöver tolk, stödperson eller material på lättläst svenska.
- Gå igenom tystnadslöftet tillsammans.

# Enskilda intervjuer

Intervjuer passar den som inte vill tala i grupp. Använd samma frågor som i fokusgrupperna,
så att svaren går att jämföra.

Checklistan för fokusgrupper finns som bilaga.
"""

TEMPLATE = """# Överenskommelse om brukarrevision

Fyll i mallen tillsammans med beställaren innan revisionen börjar.

| Del | Att fylla i |
| --- | --- |
| Verksamhet som granskas | |
| Revisionsfrågor (högst fem) | |
| Metod | Enkät, intervjuer, fokusgrupper |
| Tidsplan | |
| Återkopplingsmöte | |
| Arvode och resor | |

# Revisionsfrågor

Skriv frågorna så att brukarna själva kan svara på dem. Undvik frågor som bara
personalen kan svara på.
"""

STUDY_NB = """# Brukermedvirkning på tre nivåer

Som brukermedvirker kan du bidra på **individnivå**, **tjenestenivå** og **systemnivå**.
Programmet består av samlinger for nye brukermedvirkere og for viderekomne som nærmer seg
det å være erfaringsformidler.

# Samling for nye brukermedvirkere

- Hva er brukermedvirkning, og hvorfor er erfaringskunnskap viktig?
- Å representere andre enn seg selv.
- Å si fra i et møte: forberedelse og oppfølging.

# Samling for viderekomne

- Å fortelle sin historie trygt, som erfaringsformidler.
- Nettverk for brukermedvirkere.

# Refleksjonsspørsmål

1. Når har du opplevd at din erfaring gjorde en forskjell?
2. Hva trenger du for å føle deg trygg som representant?
"""

COUNCILS_SHEET = """# Brukarråd – så kommer ni igång

Ett brukarråd är en fast mötesplats där brukare och verksamhetens ledning träffas.

1. Skriv ett reglemente: vem rådet ger råd till, hur ledamöter utses och hur länge.
2. Låt brukarorganisationerna nominera ledamöter.
3. Skicka kallelse och handlingar i god tid, i det format ledamöterna behöver.
4. Skriv protokoll och följ upp varje ärende.
"""

ENGLISH_SHEET = """# User-led user audits in brief

A user audit looks at a service from the point of view of the people who use it. In a
**user-led** audit the auditors have experience of similar services themselves.

# What the commissioner does

- Agrees the audit questions with the auditors.
- Lets the auditors meet participants without staff present.
- Answers every proposal in writing within three months.

# What the resource centre offers

Method guidance, training for user auditors, audit manuals and study material.
"""

DRAFT = """# Enkäter med smileys

Smileyskalor gör enkäten lättare att besvara. Det här utkastet beskriver när de passar och
när de inte gör det.
"""

IN_REVIEW = """# Tystnadsplikt och tystnadslöfte

Brukarrevisorer har inte tystnadsplikt enligt lag, men skriver under ett tystnadslöfte.

# Det här gäller

- Berätta aldrig vem som har sagt vad.
- Förvara anteckningar inlåsta och förstör dem när rapporten är klar.
"""

SCHEDULED = """# Uppföljning efter brukarrevisionen

Ett halvår efter återkopplingen följer revisorerna upp vad som hänt med förslagen.

# Så går uppföljningen till

1. Beställaren redovisar vad som gjorts.
2. Revisorerna träffar några av deltagarna igen.
3. Resultatet skrivs in i uppföljningstabellen.
"""


def _at(days: int, hour: int = 9) -> datetime:
    return timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, 0))
    )


def _person(email: str, name: str, language: str = "sv") -> User:
    """A participant: a member of one of the demo user councils (councils.demo made them
    before us), or, if this runs alone, someone who exists as data only."""
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": name, "preferred_language": language}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _approve(resource: Resource, *, author: User, approver: User) -> Resource:
    services.resource_submit(resource=resource, by=author)
    services.resource_review(resource=resource, by=approver, decision="approved")
    resource.refresh_from_db()
    return resource


def _print(resource: Resource) -> None:
    """The printable PDF of the version now current, made here rather than by a worker."""
    if resource.current_version_id:
        services.version_print(version_id=resource.current_version_id)


def _backdate(resource: Resource, days: int) -> None:
    """Make the current version look published `days` ago, so the library has a history."""
    when = timezone.now() - timedelta(days=days)
    resource.versions.filter(pk=resource.current_version_id).update(published_at=when)
    Resource.objects.filter(pk=resource.pk).update(published_at=when)


def _write(slug: str, *, author: User, **data) -> Resource:
    data.setdefault("topics", [Topic.USER_AUDIT])
    data.setdefault("audiences", [Audience.EVERYONE])
    return services.resource_create(by=author, slug=slug, data=data)


def _published(slug: str, *, author: User, approver: User, days_ago: int = 0, **data):
    existing = Resource.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    resource = _approve(_write(slug, author=author, **data), author=author, approver=approver)
    if days_ago:
        _backdate(resource, days_ago)
    _print(resource)
    return resource


def _checklist_pdf() -> bytes:
    from brukarkraft.pdf import render_pdf

    return render_pdf("resources/pdf/demo_checklist.html", {}, language="sv")


def _library(sara: User, ingrid: User) -> list[Resource]:
    manual = Resource.objects.filter(slug=MANUAL).first()
    if manual is None:
        manual = _approve(
            _write(
                MANUAL,
                author=sara,
                kind=Kind.AUDIT_MANUAL,
                language="sv",
                audiences=[Audience.AUDITORS, Audience.COMMISSIONERS],
                title="Revisionsmanual för brukarstyrda brukarrevisioner",
                summary="Så planerar, genomför och återkopplar ni en brukarstyrd brukarrevision.",
                body=MANUAL_V1,
            ),
            author=sara,
            approver=ingrid,
        )
        _backdate(manual, 180)
        _print(manual)
        # The Norwegian translation follows version 1 …
        norwegian = services.resource_translate(
            source=manual, by=ingrid, language="nb", slug="revisjonsmanual-brukerstyrt-revisjon"
        )
        services.resource_update(
            resource=norwegian,
            by=ingrid,
            data={
                "title": "Revisjonsmanual for brukerstyrte brukerrevisjoner",
                "summary": "Slik planlegger, gjennomfører og følger dere opp en brukerrevisjon.",
                "body": MANUAL_NB,
            },
        )
        norwegian = _approve(norwegian, author=ingrid, approver=sara)
        _backdate(norwegian, 150)
        _print(norwegian)
        # … and the manual has since got a version 2: the translation is now older.
        services.resource_update(resource=manual, by=sara, data={"body": MANUAL_V2})
        manual = _approve(manual, author=sara, approver=ingrid)
        _print(manual)
        easy = services.resource_translate(
            source=manual,
            by=sara,
            language="sv",
            easy_to_read=True,
            slug="brukarrevision-latt-att-lasa",
        )
        services.resource_update(
            resource=easy,
            by=sara,
            data={
                "title": "Brukarrevision – lätt att läsa",
                "summary": "Om brukarrevision på lättläst svenska.",
                "body": MANUAL_EASY,
                "audiences": [Audience.EVERYONE],
            },
        )
        easy = _approve(easy, author=sara, approver=ingrid)
        _print(easy)

    guide = Resource.objects.filter(slug="metodguide-fokusgrupper-intervjuer").first()
    if guide is None:
        guide = _write(
            "metodguide-fokusgrupper-intervjuer",
            author=sara,
            kind=Kind.METHOD_GUIDE,
            language="sv",
            topics=[Topic.USER_AUDIT, Topic.SURVEYS],
            audiences=[Audience.AUDITORS],
            title="Metodguide: fokusgrupper och intervjuer",
            summary="Hur två brukarrevisorer leder en fokusgrupp eller en intervju.",
            body=METHOD_GUIDE,
        )
        services.attachment_add(
            resource=guide,
            by=sara,
            upload=SimpleUploadedFile(
                "checklista-fokusgrupp.pdf", _checklist_pdf(), "application/pdf"
            ),
            title="Checklista för fokusgrupp (PDF)",
        )
        guide = _approve(guide, author=sara, approver=ingrid)
        _backdate(guide, 90)
        _print(guide)

    for fields in [
        dict(
            slug="mall-overenskommelse-brukarrevision",
            author=sara,
            days_ago=60,
            kind=Kind.TEMPLATE,
            language="sv",
            audiences=[Audience.COMMISSIONERS, Audience.AUDITORS],
            title="Mall: överenskommelse om brukarrevision",
            summary="Mall för revisionsfrågor, metod, tidsplan och arvode.",
            body=TEMPLATE,
        ),
        dict(
            slug="studiemateriell-brukermedvirkere",
            author=ingrid,
            days_ago=45,
            kind=Kind.STUDY_MATERIAL,
            language="nb",
            topics=[Topic.PARTICIPATION, Topic.TRAINING],
            audiences=[Audience.REPRESENTATIVES],
            title="Studiemateriell for brukermedvirkere",
            summary="Til samlingene for nye og viderekomne brukermedvirkere.",
            body=STUDY_NB,
        ),
        dict(
            slug="brukarrad-kom-igang",
            author=sara,
            days_ago=30,
            kind=Kind.FACT_SHEET,
            language="sv",
            topics=[Topic.COUNCILS, Topic.PARTICIPATION],
            audiences=[Audience.ORGANISATIONS, Audience.COMMISSIONERS],
            title="Brukarråd – så kommer ni igång",
            summary="Fyra steg till ett brukarråd som fungerar.",
            body=COUNCILS_SHEET,
        ),
        dict(
            slug="user-led-user-audits-in-brief",
            author=sara,
            days_ago=20,
            kind=Kind.FACT_SHEET,
            language="en",
            audiences=[Audience.COMMISSIONERS],
            title="User-led user audits in brief",
            summary="What a user-led user audit is and what it asks of the commissioner.",
            body=ENGLISH_SHEET,
        ),
    ]:
        author = fields.pop("author")
        _published(
            fields.pop("slug"),
            author=author,
            approver=ingrid if author == sara else sara,
            **fields,
        )

    # Work in progress, so the editor has something to show.
    if not Resource.objects.filter(slug="enkater-med-smileys").exists():
        _write(
            "enkater-med-smileys",
            author=sara,
            kind=Kind.METHOD_GUIDE,
            language="sv",
            topics=[Topic.SURVEYS],
            audiences=[Audience.AUDITORS],
            title="Enkäter med smileys",
            summary="När smileyskalor passar och när de inte gör det.",
            body=DRAFT,
        )
    if not Resource.objects.filter(slug="tystnadsplikt-brukarrevisorer").exists():
        review = _write(
            "tystnadsplikt-brukarrevisorer",
            author=ingrid,
            kind=Kind.STUDY_MATERIAL,
            language="sv",
            topics=[Topic.ETHICS_LAW],
            audiences=[Audience.AUDITORS],
            title="Etik och tystnadslöfte för brukarrevisorer",
            summary="Vad tystnadslöftet innebär i praktiken.",
            body=IN_REVIEW,
        )
        services.resource_submit(resource=review, by=ingrid)
    if not Resource.objects.filter(slug="uppfoljning-efter-brukarrevisionen").exists():
        scheduled = _write(
            "uppfoljning-efter-brukarrevisionen",
            author=sara,
            kind=Kind.METHOD_GUIDE,
            language="sv",
            audiences=[Audience.AUDITORS, Audience.COMMISSIONERS],
            title="Uppföljning efter brukarrevisionen",
            summary="Hur revisorerna följer upp förslagen ett halvår senare.",
            body=SCHEDULED,
            publish_at=_at(7),
        )
        _approve(scheduled, author=sara, approver=ingrid)
    return list(Resource.objects.published().filter(author__in=[sara, ingrid]).order_by("pk"))


def _course(slug: str, sessions: list[tuple[int, int, str, str]], **fields) -> tuple[Course, bool]:
    course, created = Course.objects.get_or_create(slug=slug, defaults=fields)
    if created:
        CourseSession.objects.bulk_create(
            CourseSession(
                course=course,
                starts_at=_at(start),
                ends_at=_at(start, 16) + timedelta(days=days - 1),
                place=place,
                topic=topic,
            )
            for start, days, place, topic in sessions
        )
    return course, created


def _register(course: Course, participants: list[User], *, by: User, organisation) -> None:
    for participant in participants:
        services.registration_create(
            course=course, participant=participant, by=by, organisation=organisation
        )


def _courses(people: dict[str, User], organisations: dict[str, Organisation]) -> list[Course]:
    sara = people[f"personal@{DEMO}"]
    verdandi = organisations.get("Verdandi Örebro")
    rsmh = organisations.get("RSMH Örebro")
    basic, created = _course(
        "grundutbildning-brukarrevisorer",
        [
            (21, 2, "Verdandi, Örebro", "Brukarrevisionens idé, etik och tystnadslöfte"),
            (35, 2, "Verdandi, Örebro", "Intervjuteknik och fokusgrupper"),
            (49, 1, "Verdandi, Örebro", "Analys, rapportskrivning och återkoppling"),
        ],
        title="Grundutbildning för brukarrevisorer",
        kind=Course.Kind.AUDITOR_BASIC,
        language="sv",
        description=(
            "Fem dagar i tre träffar om brukarrevisionens idé, etik, lagar och tystnadslöfte, "
            "intervjuteknik, fokusgrupper, analys och rapportskrivning. Den som gått hela "
            "utbildningen kan ingå i revisorspoolen i tre år."
        ),
        capacity=4,
        validity_months=36,
        qualifies_auditors=True,
    )
    if created:
        # Full with the demo auditor among the four; two more wait for a place. Besides the
        # auditors, members of the Swedish user council train to become auditors.
        _register(
            basic,
            [
                people[f"revisor@{DEMO}"],
                people[f"per.andersson@{DEMO}"],
                _person(f"fatima.ali@{DEMO}", "Fatima Ali"),
                _person(f"johan.lund@{DEMO}", "Johan Lund"),
            ],
            by=sara,
            organisation=verdandi,
        )
        _register(
            basic,
            [
                _person(f"eva.bjork@{DEMO}", "Eva Björk"),
                _person(f"mikael.karlsson@{DEMO}", "Mikael Karlsson"),
            ],
            by=sara,
            organisation=rsmh,
        )
    gathering, created = _course(
        "samling-nye-brukermedvirkere",
        [(28, 2, "Oslo, Mental Helse Ungdom", "Brukermedvirkning på tre nivåer")],
        title="Samling for nye brukermedvirkere",
        kind=Course.Kind.REPRESENTATIVE_NEW,
        language="nb",
        description=(
            "To dager for nye brukermedvirkere: hva brukermedvirkning er, å representere "
            "andre enn seg selv og å si fra i møter. Åpent for unge fra Mental Helse Ungdom, "
            "Barn av rusmisbrukere og Landsforeningen for barnevernsbarn."
        ),
        capacity=12,
        validity_months=None,
        qualifies_auditors=False,
    )
    if created:
        # Newer members of the Norwegian user council (councils.demo).
        _register(
            gathering,
            [
                _person(f"siri.lunde@{DEMO}", "Siri Lunde", "nb"),
                _person(f"mohammed.hussain@{DEMO}", "Mohammed Hussain", "nb"),
                _person(f"erik.johansen@{DEMO}", "Erik Johansen", "nb"),
            ],
            by=sara,
            organisation=None,
        )
    return [basic, gathering]


def _guidance(people: dict[str, User], organisations: dict[str, Organisation]):
    sara = people[f"personal@{DEMO}"]
    cecilia = people[f"bestallare@{DEMO}"]
    leila = people[f"leila.karimi@{DEMO}"]
    new, _created = GuidanceRequest.objects.get_or_create(
        email=cecilia.email,
        message=(
            "Vi vill beställa vår första brukarrevision av Jobbtorget. Hur formulerar vi "
            "revisionsfrågor som deltagarna själva känner igen sig i?"
        ),
        defaults={
            "organisation": organisations.get("Örebro kommun, arbetsmarknadsenheten"),
            "organisation_name": "Örebro kommun, arbetsmarknadsenheten",
            "name": cecilia.full_name,
            "topic": GuidanceRequest.Topic.ORDERING,
            "preferred_times": "Tisdagar och torsdagar förmiddag",
            "format": "video",
            "requested_by": cecilia,
        },
    )
    answered, created = GuidanceRequest.objects.get_or_create(
        email=leila.email,
        message=(
            "Vi har fått rapporten från brukarrevisionen av Steg till arbete. Hur följer vi "
            "upp förslagen så att deltagarna ser att något händer?"
        ),
        defaults={
            "organisation": organisations.get("Finsam Örebro"),
            "organisation_name": "Finsam Örebro",
            "name": leila.full_name,
            "topic": GuidanceRequest.Topic.RESULTS,
            "format": "phone",
            "requested_by": leila,
            "status": GuidanceRequest.Status.ANSWERED,
            "answer": (
                "Tack för frågan! Svara skriftligt på varje förslag och berätta vad ni gör, "
                "när och vem som ansvarar. Visa svaren på ett möte med deltagarna och boka "
                "in uppföljningen om sex månader. Vi ringer dig på torsdag kl. 10."
            ),
            "handled_by": sara,
            "answered_at": timezone.now() - timedelta(days=2),
        },
    )
    if created:
        # created_at is auto_now_add; backdate it so the queue shows a spread of days.
        GuidanceRequest.objects.filter(pk=answered.pk).update(
            created_at=timezone.now() - timedelta(days=6)
        )
    return [new, answered]


def seed(*, people: dict[str, User], organisations: dict[str, Organisation]) -> dict[str, list]:
    """Create the demo library, courses and guidance; `people` and `organisations` are
    seed_demo's, by e-mail and name."""
    sara = people[f"personal@{DEMO}"]
    ingrid = people[f"ingrid.solberg@{DEMO}"]
    return {
        "resources": _library(sara, ingrid),
        "courses": _courses(people, organisations),
        "guidance": _guidance(people, organisations),
    }
