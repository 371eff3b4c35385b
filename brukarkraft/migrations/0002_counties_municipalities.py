"""Load Sweden's 21 counties and 290 municipalities with their official SCB codes.

Idempotent (update_or_create on the code), so running it on a database that already holds
some of them corrects names instead of failing. Reversing keeps the rows: organisations
and other records point at them with PROTECT.
"""

from django.db import migrations


def load_geography(apps, schema_editor):
    from brukarkraft.geodata import COUNTIES, MUNICIPALITIES

    County = apps.get_model("brukarkraft", "County")
    Municipality = apps.get_model("brukarkraft", "Municipality")
    counties = {}
    for code, name, letter in COUNTIES:
        counties[code], _ = County.objects.update_or_create(
            code=code, defaults={"name": name, "letter": letter}
        )
    for code, name in MUNICIPALITIES:
        Municipality.objects.update_or_create(
            code=code, defaults={"name": name, "county": counties[code[:2]]}
        )


class Migration(migrations.Migration):
    dependencies = [("brukarkraft", "0001_initial")]

    operations = [migrations.RunPython(load_geography, migrations.RunPython.noop)]
