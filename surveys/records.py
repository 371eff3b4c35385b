"""What the surveys keep and for how long: their rows on the staff page "What we keep and
for how long" (registered from portal_hooks)."""

from __future__ import annotations

from django.utils.translation import gettext

from brukarkraft.records import Kept
from brukarkraft.records import days_text as _days
from brukarkraft.retention import days

from .models import Survey


def kept_items() -> list[Kept]:
    survey_days = Survey._meta.get_field("retention_days").default
    return [
        Kept(
            what=gettext("Survey answers"),
            data=gettext(
                "Anonymous answers: nothing in them points at a person, an address or a device."
            ),
            period=gettext(
                "Each survey's own period after it closes (%(period)s unless the survey sets "
                "another); then only totals are kept."
            )
            % {"period": _days(survey_days)},
            why=gettext("To produce the survey's results."),
            rule="survey_raw_answers",
        ),
        Kept(
            what=gettext("Unfinished survey answers"),
            data=gettext("Answers that were started but never sent."),
            period=gettext(
                "%(period)s after the survey closed; from then on nobody can continue them."
            )
            % {"period": _days(days("abandoned_drafts"))},
            why=gettext("Only sent answers count in the results."),
            rule="abandoned_survey_responses",
        ),
        Kept(
            what=gettext("Unused one-time survey codes"),
            data=gettext("Codes printed on slips. They are not tied to any person."),
            period=gettext(
                "%(period)s after the survey closed; a batch with no codes left goes with its "
                "slips."
            )
            % {"period": _days(days("unused_survey_codes"))},
            why=gettext("A code is of no use once the survey has closed."),
            rule="unused_survey_codes",
        ),
    ]
