"""Help texts for the standard questions that had none.

In easy-to-read mode "I don't understand the question" shows the help text; without one
it had nothing new to offer, and the accessibility check now asks for it.
"""

from django.db import migrations

HELP = {
    "treatment-listen": (
        "Lyssnar betyder att personalen hör vad du säger och bryr sig om det.",
        "Lytter betyr at de ansatte hører hva du sier og bryr seg om det.",
        "Listen means that the staff hear what you say and care about it.",
    ),
    "participation-activities": (
        "Det kan vara arbete, en hobby eller att träffa andra.",
        "Det kan være arbeid, en hobby eller å treffe andre.",
        "It can be work, a hobby or meeting other people.",
    ),
    "influence-complaints": (
        "Klaga betyder att säga till när något inte är bra.",
        "Klage betyr å si fra når noe ikke er bra.",
        "Complain means telling someone when something is not good.",
    ),
    "safety-staff-known": (
        "Känner betyder att du vet vad de heter och vem de är.",
        "Kjenner betyr at du vet hva de heter og hvem de er.",
        "Know means that you know their names and who they are.",
    ),
    "information-changes": (
        "Till exempel när en tid ändras eller när ny personal börjar.",
        "For eksempel når en tid endres eller når nye ansatte begynner.",
        "For example when a time changes or when new staff start.",
    ),
}


def add_help(apps, schema_editor):
    BankQuestion = apps.get_model("surveys", "BankQuestion")
    for key, texts in HELP.items():
        # Only where there is still none: an edited help text stays as it is.
        for language, text in zip(("sv", "nb", "en"), texts, strict=True):
            BankQuestion.objects.filter(key=key, **{f"help_{language}": ""}).update(
                **{f"help_{language}": text}
            )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0006_export_language_and_values")]

    operations = [migrations.RunPython(add_help, migrations.RunPython.noop)]
