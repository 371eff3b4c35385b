"""What the councils keep and for how long: their row on the staff page "What we keep and
for how long" (registered from portal_hooks)."""

from __future__ import annotations

from django.utils.translation import gettext

from brukarkraft.records import Kept


def kept_items() -> list[Kept]:
    return [
        Kept(
            what=gettext("User councils"),
            data=gettext(
                "Members' names, organisations, roles, terms of office and gender (only to check "
                "the gender balance); minutes name those present; nominations and cases."
            ),
            period=gettext(
                "Kept as the council's record. When a member asks for erasure, their name is "
                "replaced with “Former member”, also in the minutes."
            ),
            why=gettext("The council's work must be documented. Our legitimate interest."),
        ),
    ]
