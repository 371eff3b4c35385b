"""Fill locale/en with the English source text, so no English entry is left empty.

The source strings are English; makemessages leaves the English catalogue's msgstr empty,
and an empty entry looks the same as a forgotten translation to the completeness test.
"""

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Make each msgstr its msgid in locale/en/LC_MESSAGES/django.po."

    def handle(self, *args, **options):
        path = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
        catalogue = polib.pofile(str(path))
        changed = 0
        for entry in catalogue:
            if entry.obsolete:
                continue
            # English is the source: each entry says exactly what its msgid says, also
            # after the msgid changed (makemessages then marks the entry fuzzy).
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            entry.previous_msgid = entry.previous_msgid_plural = None
            if entry.msgid_plural:
                wanted = {0: entry.msgid, 1: entry.msgid_plural}
                if entry.msgstr_plural != wanted:
                    entry.msgstr_plural = wanted
                    changed += 1
            elif entry.msgstr != entry.msgid:
                entry.msgstr = entry.msgid
                changed += 1
        catalogue.metadata["Language"] = "en"
        catalogue.save()
        self.stdout.write(f"Updated {changed} English entries.")
