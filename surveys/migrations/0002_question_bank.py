"""Standard questions for the question bank, in Swedish, Norwegian and English.

Wording follows Swedish practice for user surveys with people with intellectual
disabilities (short questions, one thing at a time, a picture scale). The texts are
data, not code: admins may change them later, and this migration does not touch
questions that already exist.
"""

from django.db import migrations

SCALE5 = "scale5"
SCALE3 = "scale3"
YES_NO = "yes_no"

BANK = [
    # key, topic, kind, (text sv, nb, en), (easy sv, nb, en), (help sv, nb, en)
    (
        "treatment-respect", "treatment", SCALE5,
        ("Hur bemöter personalen dig?", "Hvordan blir du møtt av de ansatte?",
         "How do the staff treat you?"),
        ("Är personalen snäll mot dig?", "Er de ansatte snille mot deg?",
         "Are the staff kind to you?"),
        ("Tänk på hur det brukar vara.", "Tenk på hvordan det pleier å være.",
         "Think about how it usually is."),
    ),
    (
        "treatment-listen", "treatment", YES_NO,
        ("Lyssnar personalen på dig?", "Lytter de ansatte til deg?",
         "Do the staff listen to you?"),
        ("Lyssnar personalen när du pratar?", "Hører de ansatte på deg når du snakker?",
         "Do the staff listen when you talk?"),
        ("", "", ""),
    ),
    (
        "participation-plan", "participation", YES_NO,
        ("Har du fått vara med och bestämma om din planering?",
         "Har du fått være med på å bestemme planen din?",
         "Have you had a say in your plan?"),
        ("Får du vara med och bestämma om din plan?",
         "Får du være med og bestemme planen din?",
         "Do you help decide your plan?"),
        ("Planen är det som står om vad du ska göra och få hjälp med.",
         "Planen er det som står om hva du skal gjøre og få hjelp til.",
         "The plan says what you will do and what help you get."),
    ),
    (
        "participation-activities", "participation", SCALE3,
        ("Får du göra saker som du tycker är roliga eller viktiga?",
         "Får du gjøre ting du synes er morsomme eller viktige?",
         "Do you get to do things you find fun or important?"),
        ("Får du göra saker du tycker om?", "Får du gjøre ting du liker?",
         "Do you get to do things you like?"),
        ("", "", ""),
    ),
    (
        "influence-change", "influence", YES_NO,
        ("Kan du påverka hur verksamheten fungerar?",
         "Kan du påvirke hvordan tjenesten fungerer?",
         "Can you influence how the service works?"),
        ("Kan du ändra saker här?", "Kan du endre ting her?", "Can you change things here?"),
        ("Till exempel genom ett brukarråd eller ett möte.",
         "For eksempel gjennom et brukerråd eller et møte.",
         "For example through a user council or a meeting."),
    ),
    (
        "influence-complaints", "influence", YES_NO,
        ("Vet du vart du ska vända dig om du vill klaga?",
         "Vet du hvor du kan klage?",
         "Do you know where to turn if you want to complain?"),
        ("Vet du vem du kan säga till om något är fel?",
         "Vet du hvem du kan si fra til hvis noe er galt?",
         "Do you know who to tell if something is wrong?"),
        ("", "", ""),
    ),
    (
        "safety-feel-safe", "safety", SCALE5,
        ("Hur trygg känner du dig här?", "Hvor trygg føler du deg her?",
         "How safe do you feel here?"),
        ("Känner du dig trygg här?", "Føler du deg trygg her?", "Do you feel safe here?"),
        ("Trygg betyder att du inte är rädd.", "Trygg betyr at du ikke er redd.",
         "Safe means you are not afraid."),
    ),
    (
        "safety-staff-known", "safety", YES_NO,
        ("Känner du personalen som hjälper dig?",
         "Kjenner du de ansatte som hjelper deg?",
         "Do you know the staff who help you?"),
        ("Vet du vem som hjälper dig?", "Vet du hvem som hjelper deg?",
         "Do you know who helps you?"),
        ("", "", ""),
    ),
    (
        "information-understand", "information", SCALE5,
        ("Hur lätt är det att förstå informationen du får?",
         "Hvor lett er det å forstå informasjonen du får?",
         "How easy is it to understand the information you get?"),
        ("Förstår du det personalen berättar?", "Forstår du det de ansatte forteller?",
         "Do you understand what the staff tell you?"),
        ("Information kan vara brev, papper eller det någon säger.",
         "Informasjon kan være brev, papirer eller det noen sier.",
         "Information can be letters, papers or what someone says."),
    ),
    (
        "information-changes", "information", YES_NO,
        ("Får du veta i tid när något ändras?", "Får du vite i tide når noe endres?",
         "Are you told in good time when something changes?"),
        ("Får du veta när något blir annorlunda?", "Får du vite når noe blir annerledes?",
         "Are you told when something changes?"),
        ("", "", ""),
    ),
]


def add_bank(apps, schema_editor):
    BankQuestion = apps.get_model("surveys", "BankQuestion")
    for key, topic, kind, text, easy, help_text in BANK:
        fields = {"topic": topic, "kind": kind}
        for index, language in enumerate(("sv", "nb", "en")):
            fields[f"text_{language}"] = text[index]
            fields[f"easy_{language}"] = easy[index]
            fields[f"help_{language}"] = help_text[index]
        BankQuestion.objects.get_or_create(key=key, defaults=fields)


def remove_bank(apps, schema_editor):
    BankQuestion = apps.get_model("surveys", "BankQuestion")
    BankQuestion.objects.filter(key__in=[row[0] for row in BANK]).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(add_bank, remove_bank)]
