"""Kept for surveys/views/respond.py only: the access rules live in surveys/access.py.

respond.py (the answering pages, worked on separately in issue 17) still imports these
names from here; once it imports `..access` directly (with `visible_survey(request.user,
pk)`), this module can go.
"""

from __future__ import annotations

from .. import access
from ..access import staff_only, survey_people
from ..models import Survey

__all__ = ["staff_only", "survey_people", "visible_survey"]


def visible_survey(request, pk: int) -> Survey:
    return access.visible_survey(request.user, pk)
