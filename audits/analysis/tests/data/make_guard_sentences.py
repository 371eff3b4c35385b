"""Writes guard_sentences.jsonl, the labelled sentences the personal-data guard is measured on.

Run by hand (python audits/analysis/tests/data/make_guard_sentences.py); the output is
committed. The sentences are hand-written templates of what auditors write after an
interview or a focus group, in Swedish and Norwegian, half of them with personal data
filled in (names, phone numbers, identity numbers, e-mail, street addresses, in the forms
people really type them) and half clean, the clean ones on purpose full of words that are
also names (Per, Bo, Hans, Liv, Vår, Alle …), numbers that are not phone numbers, places and
authorities. The names used include some that are NOT in the guard's name list, so the
recall measured is not the list measured against itself.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent / "guard_sentences.jsonl"
rng = random.Random(18)

GIVEN_SV = "Anna Erik Maria Lars Karin Johan Elin Mikael Sara Anders Fatima Ahmed Linnea Oskar Birgitta Mohammed Ingrid Nils Jovana Emir".split()
SURNAME_SV = "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson Lindqvist Bergström Hodžić Yilmaz".split()
GIVEN_NO = "Kari Ola Ingrid Lars Silje Håkon Marius Ingvild Trond Hanne Ahmed Sigrid Jonas Mette Eirik Aisha Kjersti Amir Synnøve".split()
SURNAME_NO = "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Berg Haugen Bakken Solberg Ali".split()
# Names that are also words, with a cue that makes them names.
WORDLIKE = ["Bo", "Per", "Stig", "Mats", "Liv", "Tor", "Dag"]


def luhn_digit(digits: str) -> str:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def personnummer(coordination: bool = False) -> str:
    year, month, day = rng.randint(40, 99), rng.randint(1, 12), rng.randint(1, 28)
    day += 60 if coordination else 0
    serial = f"{rng.randint(0, 999):03d}"
    body = f"{year:02d}{month:02d}{day:02d}{serial}"
    number = body + luhn_digit(body)
    form = rng.choice(["short", "long", "plain"])
    if form == "long":
        return f"19{number[:6]}-{number[6:]}"
    if form == "plain":
        return number
    return f"{number[:6]}-{number[6:]}"


def fodselsnummer(d_number: bool = False) -> str:
    while True:
        day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(50, 99)
        day += 40 if d_number else 0
        body = f"{day:02d}{month:02d}{year:02d}{rng.randint(0, 499):03d}"
        digits = [int(c) for c in body]
        k1 = 11 - sum(d * w for d, w in zip(digits, [3, 7, 6, 1, 8, 9, 4, 5, 2], strict=True)) % 11
        k1 = 0 if k1 == 11 else k1
        if k1 == 10:
            continue
        digits.append(k1)
        k2 = (
            11
            - sum(d * w for d, w in zip(digits, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2], strict=True)) % 11
        )
        k2 = 0 if k2 == 11 else k2
        if k2 == 10:
            continue
        number = body + f"{k1}{k2}"
        return number if rng.random() < 0.6 else f"{number[:6]} {number[6:]}"


def phone_se() -> str:
    a, b, c = rng.randint(100, 999), rng.randint(10, 99), rng.randint(10, 99)
    return rng.choice(
        [
            f"070-{a} {b} {c}",
            f"073-{a}{b}{c}",
            f"076 {a} {b} {c}",
            f"+46 70 {a} {b} {c}",
            f"08-{a} {b} {c}",
            f"031-{a}{b}{c}",
            f"072{a}{b}{c}",
        ]
    )


def phone_no() -> str:
    a, b, c = rng.randint(10, 99), rng.randint(10, 99), rng.randint(100, 999)
    return rng.choice(
        [
            f"9{a // 10}{a % 10} {b} {c}",
            f"4{a} {b} {c}",
            f"+47 9{a} {b} {c}",
            f"22 {a} {b} {c % 100:02d}",
            f"9{a}{b}{c}",
        ]
    )


def email(given: str, surname: str) -> str:
    domain = rng.choice(["gmail.com", "hotmail.se", "outlook.com", "online.no", "telia.com"])
    local = rng.choice(
        [f"{given}.{surname}", f"{given[0]}{surname}", f"{given}{rng.randint(60, 99)}"]
    )
    return (local.lower() + "@" + domain).replace("å", "a").replace("ø", "o").replace("ö", "o")


def address_sv() -> str:
    street = rng.choice(
        [
            "Storgatan",
            "Kungsgatan",
            "Björkvägen",
            "Drottninggatan",
            "Södra vägen",
            "Lilla Nygatan",
            "Ekbacksvägen",
            "Hamngatan",
        ]
    )
    return f"{street} {rng.randint(1, 120)}{rng.choice(['', '', 'B'])}"


def address_no() -> str:
    street = rng.choice(
        [
            "Storgata",
            "Kirkeveien",
            "Karl Johans gate",
            "Bjerkeveien",
            "Thorvald Meyers gate",
            "Sjøgata",
            "Nedre Slottsgate",
            "Fjellveien",
        ]
    )
    return f"{street} {rng.randint(1, 120)}{rng.choice(['', '', 'A'])}"


POSITIVE_SV = [
    ("{g} berättade att hon inte fått något besked på tre månader.", ["name"]),
    ("Informanten ville att vi skulle prata med {g} {s} på enheten.", ["name"]),
    ("Hennes kontaktperson {g} hade slutat utan att någon sa något.", ["name"]),
    ("{g} {s} sa att personalen alltid knackar innan de går in.", ["name"]),
    ("Han nämnde att {g} på boendet brukar hjälpa honom med post.", ["name"]),
    ("Kontaktpersonen {w} hade inte svarat på två veckor.", ["name"]),
    ("Brukaren sa att handläggaren {w} lovat ett möte i mars.", ["name"]),
    ("Hon ville bli ringd på {p} efter klockan tio.", ["phone"]),
    ("Om något saknas kan vi nå henne på {p}.", ["phone"]),
    ("Informanten skrev sitt nummer {p} på lappen, vilket vi inte ska spara.", ["phone"]),
    ("På blanketten stod personnumret {pn}.", ["id_number"]),
    ("Han läste upp sitt personnummer {pn} när vi frågade om ålder.", ["id_number"]),
    ("Samordningsnumret {cn} stod på beslutet från Migrationsverket.", ["id_number"]),
    ("Hon vill ha rapporten till {e}.", ["email"]),
    ("Skicka gärna frågorna i förväg till {e} sa han.", ["email"]),
    ("Hon bor på {a} och har långt till busshållplatsen.", ["address"]),
    (
        "Mötet hölls hemma hos honom på {a} eftersom han inte kunde ta sig till kontoret.",
        ["address"],
    ),
    ("{g} sa att {g2} alltid var snäll mot henne.", ["name"]),
    ("Vi fick höra att {s} på kommunen hade tagit beslutet.", ["name"]),
    ("{g} vill bli kontaktad på {p} eller {e}.", ["name", "phone", "email"]),
    ("Brukaren bor på {a}, telefon {p}.", ["address", "phone"]),
    ("Anteckning: {g} {s}, {pn}, vill vara anonym.", ["name", "id_number"]),
]
POSITIVE_NO = [
    ("{g} fortalte at hun ikke hadde fått svar fra NAV på tre måneder.", ["name"]),
    ("Informanten ville at vi skulle snakke med {g} {s} på avdelingen.", ["name"]),
    ("Primærkontakten hennes, {g}, hadde sluttet uten beskjed.", ["name"]),
    ("{g} {s} sa at personalet alltid banker på før de går inn.", ["name"]),
    ("Han nevnte at {g} på bofellesskapet hjelper ham med posten.", ["name"]),
    ("Saksbehandleren {w} hadde ikke svart på to uker.", ["name"]),
    ("Brukeren sa at veilederen {w} hadde lovet et møte i mars.", ["name"]),
    ("Hun ville bli ringt på {p} etter klokka ti.", ["phone"]),
    ("Hvis noe mangler kan vi nå ham på {p}.", ["phone"]),
    ("Informanten skrev nummeret sitt {p} på lappen, det skal vi ikke lagre.", ["phone"]),
    ("På skjemaet sto fødselsnummeret {fn}.", ["id_number"]),
    ("Han leste opp fødselsnummeret sitt, {fn}, da vi spurte om alder.", ["id_number"]),
    ("D-nummeret {dn} sto på vedtaket.", ["id_number"]),
    ("Hun vil ha rapporten sendt til {e}.", ["email"]),
    ("Send gjerne spørsmålene på forhånd til {e}, sa han.", ["email"]),
    ("Hun bor i {a} og har langt til bussen.", ["address"]),
    ("Møtet var hjemme hos ham i {a} fordi han ikke kom seg til kontoret.", ["address"]),
    ("{g} sa at {g2} alltid var grei mot henne.", ["name"]),
    ("Vi fikk høre at {s} i kommunen hadde tatt avgjørelsen.", ["name"]),
    ("{g} vil bli kontaktet på {p} eller {e}.", ["name", "phone", "email"]),
    ("Brukeren bor i {a}, telefon {p}.", ["address", "phone"]),
    ("Notat: {g} {s}, {fn}, vil være anonym.", ["name", "id_number"]),
]

CLEAN_SV = [
    "Per vecka får hon två timmar med boendestödet, vilket hon tycker är för lite.",
    "Hans kontaktperson har bytts ut tre gånger under året.",
    "Bo kvar hemma var det viktigaste för de flesta i gruppen.",
    "Vår handläggare svarar aldrig i telefon, sa en av deltagarna.",
    "Tre av fem informanter tyckte att informationen kom för sent.",
    "Hon har fått vänta sedan 2025-11-03 på ett beslut från Försäkringskassan.",
    "Stig in, säger personalen, men ingen frågar hur man mår.",
    "Liv och hälsa-enkäten hade ingen lättläst version.",
    "Mötet började kl. 14.30 och pågick i 90 minuter.",
    "Avgiften höjdes med 1 500 kronor i januari utan förklaring.",
    "Gruppen var överens om att bemötandet i receptionen var vänligt.",
    "Många sa att de inte vet vem de ska vända sig till när något blir fel.",
    "Han flyttade från Malmö till Göteborg förra året och fick börja om i kön.",
    "På vägen hem från dagverksamheten känner hon sig otrygg.",
    "Gatan utanför boendet är dåligt upplyst på vintern.",
    "Alla i fokusgruppen hade varit med om att ett möte ställts in.",
    "Dag för dag blir det bättre, men det tog lång tid.",
    "Inga av deltagarna hade sett den nya broschyren.",
    "Personalen på LSS-boendet har blivit bättre på att förklara beslut.",
    "Två deltagare lämnade efter första timmen och kom inte tillbaka.",
    "Det tar 45 minuter med buss till närmaste vårdcentral.",
    "Region Skåne skickar kallelser som är svåra att förstå.",
    "Informanten är i 40-årsåldern och har haft insatsen i sex år.",
    "Mats och fika serverades, vilket gjorde stämningen avslappnad.",
    "Intervjun hölls i ett grupprum på biblioteket.",
    "Hon säger att hon vill ha mer inflytande över sin genomförandeplan.",
    "Klara sig själv på kvällarna går bra, men helgerna är svåra.",
    "Flera nämnde att telefontiden 8.00–9.00 är för kort.",
    "Ärendet har nummer 2025/1432 hos kommunen.",
    "Vi ställde fråga 7 och 8 tillsammans eftersom tiden var knapp.",
    "Tom kyl och inga pengar kvar i slutet av månaden, berättade en deltagare.",
    "Samtliga sju informanter var nöjda med sin kontaktperson.",
    "Anhöriga känner sig inte lyssnade på vid vårdplaneringen.",
    "Boendet ligger nära centrum men hissen är ofta trasig.",
    "Han vill inte att personalen pratar om honom när han hör det.",
    "Det var svårt att hitta ingången till socialkontoret.",
    "Ingen i gruppen visste att det går att överklaga beslutet.",
    "Hon fick hjälp av en tolk som inte talade hennes dialekt.",
    "Kommunens webbplats fungerar inte med skärmläsare enligt två deltagare.",
    "Hennes mamma följde med till intervjun men satt utanför.",
    "Enligt informanten har schemat ändrats fyra gånger sedan i somras.",
    "Vi avslutade med en runda där var och en fick säga något positivt.",
    "Berg och dalbana, så beskrev hon det senaste året.",
    "Mycket av kritiken gällde bemötandet i telefon.",
    "Ett par deltagare ville ha intervjun på förmiddagen i stället.",
    "Information på lätt svenska saknades helt i väntrummet.",
    "Sol och värme gör att fler orkar gå till aktiviteterna på sommaren.",
    "Han menar att dagverksamheten har blivit bättre sedan i våras.",
    "Frågan om inflytande väckte mest diskussion i gruppen.",
    "Karin-modellen som enheten använder kände ingen till.",
    "Rose-rummet på dagverksamheten används för enskilda samtal.",
    "Hon bor i en lägenhet på tredje våningen utan hiss.",
    "Beslutet kom efter 14 veckor, inte 4 som utlovats.",
    "Deltagarna gav betyg 3,5 av 5 i snitt på bemötandet.",
    "Vi träffades i Folkets hus, sal 2.",
]
CLEAN_NO = [
    "Per uke får hun to timer med oppfølging, og det er for lite.",
    "Alle i gruppen hadde opplevd at et møte ble avlyst.",
    "Bare én av deltakerne visste hvem som var primærkontakt.",
    "Vår saksbehandler svarer aldri på telefonen, sa en deltaker.",
    "Tre av fem informanter mente at informasjonen kom for sent.",
    "Hun har ventet siden 2025-11-03 på vedtak fra NAV.",
    "Liv og helse-kurset hadde ingen lettlest versjon.",
    "Møtet startet kl. 14.30 og varte i 90 minutter.",
    "Egenandelen økte med 1 500 kroner i januar uten forklaring.",
    "Gruppen var enig om at mottakelsen i resepsjonen var vennlig.",
    "Mange sa at de ikke vet hvem de skal kontakte når noe går galt.",
    "Han flyttet fra Bergen til Trondheim i fjor og måtte begynne på nytt i køen.",
    "På veien hjem fra dagsenteret føler hun seg utrygg.",
    "Gata utenfor boligen er dårlig opplyst om vinteren.",
    "Dag for dag går det bedre, men det tok lang tid.",
    "Ingen av deltakerne hadde sett den nye brosjyren.",
    "Personalet i bofellesskapet har blitt flinkere til å forklare vedtak.",
    "To deltakere gikk etter den første timen og kom ikke tilbake.",
    "Det tar 45 minutter med buss til nærmeste legekontor.",
    "Helse Bergen sender innkallinger som er vanskelige å forstå.",
    "Informanten er i 40-årene og har hatt tjenesten i seks år.",
    "Intervjuet ble holdt på et grupperom på biblioteket.",
    "Hun sier at hun vil ha mer innflytelse over den individuelle planen.",
    "Flere nevnte at telefontiden 8.00–9.00 er for kort.",
    "Saken har nummer 25/1432 hos kommunen.",
    "Vi stilte spørsmål 7 og 8 sammen fordi tiden var knapp.",
    "Tom kjøleskap og ingen penger igjen på slutten av måneden, fortalte en deltaker.",
    "Alle sju informantene var fornøyde med primærkontakten sin.",
    "Pårørende føler seg ikke hørt i ansvarsgruppemøtene.",
    "Boligen ligger nær sentrum, men heisen er ofte ødelagt.",
    "Han vil ikke at personalet snakker om ham når han hører det.",
    "Det var vanskelig å finne inngangen til NAV-kontoret.",
    "Ingen i gruppen visste at det går an å klage på vedtaket.",
    "Hun fikk hjelp av en tolk som ikke snakket dialekten hennes.",
    "Kommunens nettside fungerer ikke med skjermleser ifølge to deltakere.",
    "Moren hennes ble med til intervjuet, men satt utenfor.",
    "Ifølge informanten har turnusen endret seg fire ganger siden i sommer.",
    "Vi avsluttet med en runde der hver fikk si noe positivt.",
    "Mye av kritikken gjaldt hvordan de ble møtt på telefon.",
    "Et par deltakere ville heller ha intervjuet på formiddagen.",
    "Informasjon på lettlest norsk manglet helt på venterommet.",
    "Sol og varme gjør at flere orker å gå på aktivitetene om sommeren.",
    "Han mener dagsenteret har blitt bedre siden i vår.",
    "Spørsmålet om medvirkning skapte mest diskusjon i gruppen.",
    "Hun bor i en leilighet i tredje etasje uten heis.",
    "Vedtaket kom etter 14 uker, ikke 4 som lovet.",
    "Deltakerne ga i snitt 3,5 av 5 for hvordan de ble møtt.",
    "Vi møttes på Frivilligsentralen, sal 2.",
    "Hans primærkontakt har byttet jobb tre ganger i år.",
    "Stein på stein bygger vi tillit, sa en av de ansatte.",
    "Bo hjemme lenger er målet for de fleste i gruppen.",
    "Kari-modellen som avdelingen bruker var ukjent for alle.",
    "Dagsenteret på Storgata har fått ny rampe, sa flere.",
    "Hun tar bussen forbi Kirkeveien hver dag, men holdeplassen mangler tak.",
    "Veien til kontoret er lang, og bussen går bare hver time.",
]


def fill(template: str, language: str) -> str:
    given, surnames = (GIVEN_SV, SURNAME_SV) if language == "sv" else (GIVEN_NO, SURNAME_NO)
    g, g2 = rng.sample(given, 2)
    s = rng.choice(surnames)
    return template.format(
        g=g,
        g2=g2,
        s=s,
        w=rng.choice(WORDLIKE),
        p=phone_se() if language == "sv" else phone_no(),
        pn=personnummer(),
        cn=personnummer(coordination=True),
        fn=fodselsnummer(),
        dn=fodselsnummer(d_number=True),
        e=email(g, s),
        a=address_sv() if language == "sv" else address_no(),
    )


def main() -> None:
    rows = []
    for language, positives, clean in (
        ("sv", POSITIVE_SV, CLEAN_SV),
        ("nb", POSITIVE_NO, CLEAN_NO),
    ):
        # The templates of personal data in turn, with new values each time, until there are
        # as many sentences with personal data as clean ones.
        for number in range(len(clean)):
            template, kinds = positives[number % len(positives)]
            text = fill(template, language)
            rows.append(
                {"language": language, "text": text, "has_personal_data": True, "kinds": kinds}
            )
        for text in clean:
            rows.append(
                {"language": language, "text": text, "has_personal_data": False, "kinds": []}
            )
    with OUT.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(len(rows), "sentences,", sum(r["has_personal_data"] for r in rows), "with personal data")


if __name__ == "__main__":
    main()
