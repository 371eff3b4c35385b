"""The staff page "What we keep and for how long": every kind of personal data and working
material, its period and why, with the figures from the settings the retention job uses."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, ngettext

from ..permissions import role_required
from ..retention import days, due_counts
from ..roles import Role


@dataclass
class Kept:
    what: str
    data: str
    period: str
    why: str
    # The retention rule that deletes this kind, if one does (brukarkraft.retention).
    rule: str = ""
    due: int | None = None


def _days(count: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": count}


def kept_items() -> list[Kept]:
    """What the portal keeps, in the order a person meets it."""
    from surveys.models import Survey

    cooloff_minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    survey_days = Survey._meta.get_field("retention_days").default
    return [
        Kept(
            what=gettext("Accounts"),
            data=gettext(
                "Name, e-mail address, preferred language, password (only as a hash that cannot "
                "be turned back), role and organisations."
            ),
            period=gettext(
                "While the person has a role in the portal. When they ask for erasure or their "
                "role ends, staff erase the account; where records must stay, the name is "
                "replaced."
            ),
            why=gettext(
                "To log people in and show them the pages of their role. The agreement with "
                "them or their organisation, or our legitimate interest in running the portal."
            ),
        ),
        Kept(
            what=gettext("Log of logins"),
            data=gettext(
                "Time, the e-mail address typed, IP address and the web browser's description."
            ),
            period=_days(settings.LOGIN_LOG_RETENTION_DAYS),
            why=gettext(
                "To protect accounts against people guessing passwords. Our legitimate interest "
                "in keeping the portal secure."
            ),
            rule="login_log",
        ),
        Kept(
            what=gettext("Failed login attempts"),
            data=gettext("The same as the log of logins, for attempts that failed."),
            period=ngettext(
                "Until the lock ends (%(count)s minute) or the person logs in.",
                "Until the lock ends (%(count)s minutes) or the person logs in.",
                cooloff_minutes,
            )
            % {"count": cooloff_minutes},
            why=gettext("To lock out someone guessing passwords. Our legitimate interest."),
            rule="failed_logins",
        ),
        Kept(
            what=gettext("Accessibility feedback"),
            data=gettext(
                "The message, the page it is about and, only if the sender gave them, name and "
                "e-mail address."
            ),
            period=gettext("While it is handled, then %(period)s after it was resolved.")
            % {"period": _days(days("handled_feedback"))},
            why=gettext(
                "The law on accessible digital public services requires the feedback function."
            ),
            rule="handled_feedback",
        ),
        Kept(
            what=gettext("Contact persons of organisations"),
            data=gettext("Name, title, e-mail address and telephone number."),
            period=gettext(
                "While the organisation works with us, or until the person stops being its contact."
            ),
            why=gettext("To reach the organisation about its matters. Our legitimate interest."),
        ),
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
        Kept(
            what=gettext("Change history"),
            data=gettext(
                "Every saved version of audits, findings, proposals, councils, council members "
                "and library resources, with who saved it and when."
            ),
            period=gettext(
                "Without a time limit, also for deleted records. Abandoned drafts take their "
                "history with them, and erasing a person replaces their name."
            ),
            why=gettext(
                "To see who changed what, and to put mistakes right. Our legitimate interest."
            ),
        ),
        Kept(
            what=gettext("Background jobs kept while the queue was down"),
            data=gettext("Task names and record numbers only, no personal data."),
            period=gettext("%(period)s after they were sent.")
            % {"period": _days(days("sent_pending_tasks"))},
            why=gettext("So that no request is lost while the queue is down."),
            rule="sent_pending_tasks",
        ),
        Kept(
            what=gettext("Registrations not yet confirmed"),
            data=gettext(
                "Name, e-mail address, the password (encrypted) and the organisation's details."
            ),
            period=gettext("Until the link in the e-mail expires (%(hours)s hours).")
            % {"hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)},
            why=gettext("To open the account once the person confirms their address."),
            rule="unconfirmed_signups",
        ),
    ]


@role_required(Role.STAFF, Role.ADMIN)
def retention_overview(request: HttpRequest) -> HttpResponse:
    due = due_counts()
    items = kept_items()
    for item in items:
        if item.rule:
            item.due = due[item.rule]
    return render(
        request,
        "brukarkraft/retention.html",
        {"items": items, "due_total": sum(due.values())},
    )
