"""Demo data of the fieldwork: the centre's question bank (sv/nb/en) and the guides of the
demo audit that is collecting data. Called once from audits.demo.seed; safe to run again."""

from __future__ import annotations

from audits.models import Audit, AuditMember, Theme

from . import services
from .models import BankQuestion, Guide, GuideKind

ONE, GROUP, BOTH = BankQuestion.Use.INTERVIEW, BankQuestion.Use.FOCUS_GROUP, BankQuestion.Use.BOTH

# (theme, use, (sv, nb, en), (easy-read sv, nb, en), (follow-ups sv, nb, en))
BANK = [
    (
        Theme.TREATMENT,
        BOTH,
        (
            "Hur blir du bemött när du kommer hit?",
            "Hvordan blir du møtt når du kommer hit?",
            "How are you treated when you come here?",
        ),
        (
            "Är personalen snäll mot dig?",
            "Er de ansatte snille mot deg?",
            "Are the staff kind to you?",
        ),
        (
            "Kan du berätta om ett tillfälle då det kändes bra?\nOch ett då det kändes dåligt?",
            "Kan du fortelle om en gang det føltes bra?\nOg en gang det føltes dårlig?",
            "Can you tell us about a time it felt good?\nAnd a time it felt bad?",
        ),
    ),
    (
        Theme.TREATMENT,
        BOTH,
        (
            "Känner du dig respekterad av personalen?",
            "Føler du deg respektert av de ansatte?",
            "Do you feel respected by the staff?",
        ),
        (
            "Lyssnar personalen på dig?",
            "Hører de ansatte på deg?",
            "Do the staff listen to you?",
        ),
        (
            "Vad gör personalen som visar respekt?\nHar du känt dig nedvärderad någon gång?",
            "Hva gjør de ansatte som viser respekt?\nHar du følt deg nedverdiget noen gang?",
            "What do the staff do that shows respect?\nHave you ever felt looked down on?",
        ),
    ),
    (
        Theme.TREATMENT,
        ONE,
        (
            "Har du en person här som du kan vända dig till?",
            "Har du en person her som du kan henvende deg til?",
            "Is there a person here you can turn to?",
        ),
        ("Vem pratar du med här?", "Hvem snakker du med her?", "Who do you talk to here?"),
        (
            "Vet du hur du når den personen?\nVad händer när den personen inte är här?",
            "Vet du hvordan du når den personen?\nHva skjer når den personen ikke er her?",
            "Do you know how to reach that person?\nWhat happens when that person is away?",
        ),
    ),
    (
        Theme.PARTICIPATION,
        BOTH,
        (
            "Hur var du med och planerade det du gör här?",
            "Hvordan var du med og planla det du gjør her?",
            "How were you involved in planning what you do here?",
        ),
        (
            "Fick du bestämma vad du ska göra här?",
            "Fikk du bestemme hva du skal gjøre her?",
            "Did you decide what you do here?",
        ),
        (
            "Har du en egen kopia av din planering?\nVem skrev planeringen?",
            "Har du en egen kopi av planen din?\nHvem skrev planen?",
            "Do you have your own copy of your plan?\nWho wrote the plan?",
        ),
    ),
    (
        Theme.PARTICIPATION,
        ONE,
        (
            "Får du säga vad du tycker när beslut tas om dig?",
            "Får du si hva du mener når det tas beslutninger om deg?",
            "Do you get to say what you think when decisions are made about you?",
        ),
        (
            "Frågar de vad du vill?",
            "Spør de hva du vil?",
            "Do they ask what you want?",
        ),
        (
            "Kan du ge ett exempel?\nBlev det som du ville?",
            "Kan du gi et eksempel?\nBle det som du ville?",
            "Can you give an example?\nDid it turn out the way you wanted?",
        ),
    ),
    (
        Theme.PARTICIPATION,
        GROUP,
        (
            "Hur kan deltagarna här vara med och bestämma hur verksamheten fungerar?",
            "Hvordan kan deltakerne her være med og bestemme hvordan tilbudet fungerer?",
            "How can the people here have a say in how the service works?",
        ),
        (
            "Kan ni vara med och bestämma här?",
            "Kan dere være med og bestemme her?",
            "Can you have a say here?",
        ),
        (
            "Finns det ett brukarråd eller möten för deltagare?\nHar något ändrats efter"
            " deltagarnas förslag?",
            "Finnes det et brukerråd eller møter for deltakere?\nHar noe blitt endret etter"
            " deltakernes forslag?",
            "Is there a user council or meetings for participants?\nHas anything changed"
            " after participants' suggestions?",
        ),
    ),
    (
        Theme.INFLUENCE,
        BOTH,
        (
            "Om du vill klaga eller föreslå något, vet du hur du gör?",
            "Hvis du vil klage eller foreslå noe, vet du hvordan du gjør det?",
            "If you want to complain or suggest something, do you know how?",
        ),
        (
            "Vet du var du kan säga till om något är fel?",
            "Vet du hvor du kan si fra hvis noe er galt?",
            "Do you know where to tell someone if something is wrong?",
        ),
        (
            "Har du gjort det någon gång?\nVad hände sedan?",
            "Har du gjort det noen gang?\nHva skjedde etterpå?",
            "Have you ever done it?\nWhat happened next?",
        ),
    ),
    (
        Theme.INFLUENCE,
        GROUP,
        (
            "Om ni fick ändra en sak här, vad skulle det vara?",
            "Hvis dere kunne endre én ting her, hva ville det vært?",
            "If you could change one thing here, what would it be?",
        ),
        (
            "Vad vill ni ändra här?",
            "Hva vil dere endre her?",
            "What would you like to change here?",
        ),
        (
            "Varför är det viktigt?\nHar ni sagt det till personalen?",
            "Hvorfor er det viktig?\nHar dere sagt det til de ansatte?",
            "Why does it matter?\nHave you told the staff?",
        ),
    ),
    (
        Theme.SAFETY,
        BOTH,
        (
            "Känner du dig trygg när du är här?",
            "Føler du deg trygg når du er her?",
            "Do you feel safe when you are here?",
        ),
        ("Känns det tryggt här?", "Føles det trygt her?", "Does it feel safe here?"),
        (
            "Vad gör att det känns tryggt eller otryggt?\nFinns det platser eller tider som"
            " känns otrygga?",
            "Hva gjør at det føles trygt eller utrygt?\nEr det steder eller tider som føles"
            " utrygge?",
            "What makes it feel safe or unsafe?\nAre there places or times that feel unsafe?",
        ),
    ),
    (
        Theme.SAFETY,
        ONE,
        (
            "Vet du vad som händer med det du berättar för personalen?",
            "Vet du hva som skjer med det du forteller til de ansatte?",
            "Do you know what happens to what you tell the staff?",
        ),
        (
            "Vet du vem som får veta det du säger?",
            "Vet du hvem som får vite det du sier?",
            "Do you know who hears what you say?",
        ),
        (
            "Har någon förklarat tystnadsplikten för dig?",
            "Har noen forklart taushetsplikten for deg?",
            "Has anyone explained confidentiality to you?",
        ),
    ),
    (
        Theme.ACCESSIBILITY,
        BOTH,
        (
            "Hur lätt är det att ta sig hit?",
            "Hvor lett er det å komme seg hit?",
            "How easy is it to get here?",
        ),
        ("Är det lätt att komma hit?", "Er det lett å komme hit?", "Is it easy to get here?"),
        (
            "Hur reser du hit?\nHar du missat en tid för att resan inte fungerade?",
            "Hvordan reiser du hit?\nHar du gått glipp av en avtale fordi reisen ikke fungerte?",
            "How do you travel here?\nHave you missed an appointment because the journey failed?",
        ),
    ),
    (
        Theme.ACCESSIBILITY,
        BOTH,
        (
            "Fungerar lokalerna för dig?",
            "Fungerer lokalene for deg?",
            "Do the premises work for you?",
        ),
        (
            "Är det lätt att vara här inne?",
            "Er det lett å være her inne?",
            "Is it easy to be in here?",
        ),
        (
            "Tänk på ljud, ljus, trappor och skyltar.\nFinns det en lugn plats?",
            "Tenk på lyd, lys, trapper og skilt.\nFinnes det et rolig sted?",
            "Think of noise, light, stairs and signs.\nIs there a quiet place?",
        ),
    ),
    (
        Theme.ACCESSIBILITY,
        ONE,
        (
            "Får du det stöd du behöver för att kunna delta, till exempel tolk eller hjälpmedel?",
            "Får du den støtten du trenger for å kunne delta, for eksempel tolk eller"
            " hjelpemidler?",
            "Do you get the support you need to take part, such as an interpreter or aids?",
        ),
        (
            "Får du hjälp så att du kan vara med?",
            "Får du hjelp så du kan være med?",
            "Do you get help so that you can take part?",
        ),
        (
            "Vad saknas?\nFick du frågan om vad du behöver?",
            "Hva mangler?\nBle du spurt om hva du trenger?",
            "What is missing?\nWere you asked what you need?",
        ),
    ),
    (
        Theme.INFORMATION,
        BOTH,
        (
            "Förstår du de brev och beslut du får?",
            "Forstår du brevene og vedtakene du får?",
            "Do you understand the letters and decisions you receive?",
        ),
        (
            "Är breven lätta att läsa?",
            "Er brevene lette å lese?",
            "Are the letters easy to read?",
        ),
        (
            "Vad gör du när du inte förstår?\nHar du fått information på lättläst svenska"
            " eller ditt språk?",
            "Hva gjør du når du ikke forstår?\nHar du fått informasjon på lettlest norsk"
            " eller ditt språk?",
            "What do you do when you do not understand?\nHave you had information in easy"
            " language or your own language?",
        ),
    ),
    (
        Theme.INFORMATION,
        BOTH,
        (
            "Fick du veta vad som skulle hända när du började här?",
            "Fikk du vite hva som skulle skje da du begynte her?",
            "Were you told what would happen when you started here?",
        ),
        (
            "Visste du vad du skulle göra här från början?",
            "Visste du hva du skulle gjøre her fra starten?",
            "Did you know what you would do here from the start?",
        ),
        (
            "Vem berättade det?\nVad hade du velat veta tidigare?",
            "Hvem fortalte det?\nHva skulle du ønske du visste tidligere?",
            "Who told you?\nWhat would you have liked to know earlier?",
        ),
    ),
    (
        Theme.INFORMATION,
        GROUP,
        (
            "Var får ni information om förändringar här?",
            "Hvor får dere informasjon om endringer her?",
            "Where do you get information about changes here?",
        ),
        (
            "Hur får ni veta när något ändras?",
            "Hvordan får dere vite når noe endres?",
            "How do you find out when something changes?",
        ),
        (
            "Kommer informationen i tid?\nFungerar anslagstavlan, sms eller möten bäst?",
            "Kommer informasjonen i tide?\nFungerer oppslagstavla, sms eller møter best?",
            "Does the information come in time?\nDo notices, text messages or meetings work best?",
        ),
    ),
    (
        Theme.OTHER,
        ONE,
        (
            "Vad är det bästa med att komma hit?",
            "Hva er det beste med å komme hit?",
            "What is the best thing about coming here?",
        ),
        ("Vad tycker du om här?", "Hva liker du her?", "What do you like here?"),
        (
            "Vad har det betytt för dig?",
            "Hva har det betydd for deg?",
            "What has it meant to you?",
        ),
    ),
    (
        Theme.OTHER,
        BOTH,
        (
            "Har det du gör här hjälpt dig närmare det du vill, till exempel arbete eller studier?",
            "Har det du gjør her hjulpet deg nærmere det du vil, for eksempel arbeid eller"
            " studier?",
            "Has what you do here brought you closer to what you want, such as work or studies?",
        ),
        (
            "Hjälper det här dig framåt?",
            "Hjelper dette deg videre?",
            "Does this help you move on?",
        ),
        (
            "På vilket sätt?\nVad skulle hjälpa mer?",
            "På hvilken måte?\nHva ville hjulpet mer?",
            "In what way?\nWhat would help more?",
        ),
    ),
    (
        Theme.OTHER,
        GROUP,
        (
            "Vad vill ni att ledningen ska veta om hur det är att vara här?",
            "Hva vil dere at ledelsen skal vite om hvordan det er å være her?",
            "What do you want the management to know about being here?",
        ),
        (
            "Vad ska chefen veta?",
            "Hva skal lederen vite?",
            "What should the manager know?",
        ),
        ("", "", ""),
    ),
    (
        Theme.OTHER,
        BOTH,
        (
            "Finns det något mer du vill berätta som vi inte har frågat om?",
            "Er det noe mer du vil fortelle som vi ikke har spurt om?",
            "Is there anything else you want to tell us that we have not asked about?",
        ),
        (
            "Vill du säga något mer?",
            "Vil du si noe mer?",
            "Do you want to say anything else?",
        ),
        ("", "", ""),
    ),
]


def seed_bank() -> list[BankQuestion]:
    questions = []
    for theme, use, texts, easy, follow_ups in BANK:
        question, _created = BankQuestion.objects.get_or_create(
            text_sv=texts[0],
            defaults={
                "theme": theme,
                "use": use,
                "text_nb": texts[1],
                "text_en": texts[2],
                "easy_read_sv": easy[0],
                "easy_read_nb": easy[1],
                "easy_read_en": easy[2],
                "follow_ups_sv": follow_ups[0],
                "follow_ups_nb": follow_ups[1],
                "follow_ups_en": follow_ups[2],
            },
        )
        questions.append(question)
    return questions


def seed(audits: list[Audit], *, commissioner) -> None:
    """The bank, and guides on the audits collecting data: the interview guide built from
    the bank and shared, with the commissioner's comment; the focus-group guide a draft."""
    bank = seed_bank()
    # Read the status from the database: the services move a copy of each audit through its
    # steps, so the objects the demo holds may still say "requested".
    collecting = Audit.objects.filter(
        pk__in=[audit.pk for audit in audits], status=Audit.Status.COLLECTING
    ).order_by("pk")
    for audit in collecting:
        if Guide.objects.filter(audit=audit).exists():
            continue
        membership = audit.members.filter(role=AuditMember.Role.LEAD).first()
        if membership is None:
            continue
        lead = membership.user
        interview = services.guide_start(audit=audit, kind=GuideKind.INTERVIEW, by=lead)
        first = interview.sections.all()[0]
        services.section_rename(section=first, by=lead, title="Att komma hit")
        services.questions_add_from_bank(
            guide=interview,
            by=lead,
            section=first,
            bank_questions=[q for q in bank if q.theme in {Theme.TREATMENT, Theme.ACCESSIBILITY}],
        )
        planning = services.section_add(guide=interview, by=lead, title="Planering och inflytande")
        services.questions_add_from_bank(
            guide=interview,
            by=lead,
            section=planning,
            bank_questions=[q for q in bank if q.theme in {Theme.PARTICIPATION, Theme.INFLUENCE}],
        )
        services.question_add(
            guide=interview,
            by=lead,
            section=planning,
            data={
                "text": "Hur fungerar det att byta handledare under arbetsträningen?",
                "follow_ups": "Fick du veta i förväg?\nVem hjälpte dig?",
                "easy_read": "Hur var det att få en ny handledare?",
            },
        )
        services.guide_share(guide=interview, by=lead)
        services.comment_add(
            guide=interview,
            by=commissioner,
            text=(
                "Bra frågor. Kan ni också fråga om hur deltagarna upplever de nya öppettiderna"
                " på Navet?"
            ),
        )
        group = services.guide_start(audit=audit, kind=GuideKind.FOCUS_GROUP, by=lead)
        services.questions_add_from_bank(
            guide=group,
            by=lead,
            section=group.sections.all()[0],
            bank_questions=[q for q in bank if q.use == BankQuestion.Use.FOCUS_GROUP],
        )
