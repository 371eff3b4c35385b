"""What the library keeps and for how long: its row on the staff page "What we keep and
for how long" (registered from portal_hooks)."""

from __future__ import annotations

from django.utils.translation import gettext

from brukarkraft.records import Kept


def kept_items() -> list[Kept]:
    return [
        Kept(
            what=gettext("Courses and method guidance"),
            data=gettext(
                "Course registrations, attendance and training records; requests for method "
                "guidance with their contact person."
            ),
            period=gettext(
                "While they are needed for the course, the auditor pool or the request; erased "
                "when the person asks. Nothing deletes them by itself."
            ),
            why=gettext(
                "To run courses, know who is trained to audit and answer requests: the agreement."
            ),
        ),
    ]
