"""A row of the staff page "What we keep and for how long" (brukarkraft.views.records).

The core writes its own rows; each app lists its rows in `<app>/records.py` and registers
them from its portal_hooks (brukarkraft.registry.register_records).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import ngettext


@dataclass
class Kept:
    what: str
    data: str
    period: str
    why: str
    # The retention rule that deletes this kind, if one does (brukarkraft.retention).
    rule: str = ""
    due: int | None = None


def days_text(count: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": count}
