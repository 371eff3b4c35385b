"""What the audits keep and for how long: their rows on the staff page "What we keep and
for how long" (registered from portal_hooks)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext

from brukarkraft.records import Kept
from brukarkraft.records import days_text as _days
from brukarkraft.retention import days


def kept_items() -> list[Kept]:
    return [
        Kept(
            what=gettext("User audits"),
            data=gettext(
                "The order with its contact person and invoicing details, the audit team, "
                "findings with anonymised quotes, and improvement proposals."
            ),
            period=gettext(
                "As long as the audit is kept; nothing deletes audits by itself. A person who "
                "asks for erasure has their name replaced."
            ),
            why=gettext("To carry out the audit agreed with the commissioner: the agreement."),
        ),
        Kept(
            what=gettext("Field notes of user audits"),
            data=gettext(
                "What the audit team wrote after each interview and focus group, checked for "
                "names and other identifying details, and the passages coded from it."
            ),
            period=gettext(
                "%(period)s after the audit's report was approved; the findings and their "
                "counts of sessions and informants stay."
            )
            % {"period": _days(settings.FIELD_NOTES_RETENTION_DAYS)},
            why=gettext("To analyse what informants said into findings: the agreement."),
            rule="field_notes",
        ),
        Kept(
            what=gettext("Draft orders never sent"),
            data=gettext("What a commissioner wrote in the order form, with contact details."),
            period=gettext("%(period)s after the last change, with their change history.")
            % {"period": _days(days("abandoned_drafts"))},
            why=gettext("An order left unsent is not needed for anything."),
            rule="abandoned_audit_drafts",
        ),
        Kept(
            what=gettext("Report versions"),
            data=gettext("Each PDF version of an audit's report."),
            period=gettext(
                "The approved version is kept with the audit, and so is the newest one. An "
                "older version is deleted %(period)s after a newer version was ready."
            )
            % {"period": _days(days("old_report_versions"))},
            why=gettext("The approved report is the audit's result; earlier versions are drafts."),
            rule="old_report_versions",
        ),
        Kept(
            what=gettext("Auditors' fees and travel"),
            data=gettext("Hours, fees and travel logged per auditor and audit."),
            period=gettext(
                "Kept as accounting records, which the Accounting Act requires for at least "
                "seven years; nothing deletes them by itself."
            ),
            why=gettext("To pay the auditors. A legal obligation (accounting)."),
        ),
    ]
