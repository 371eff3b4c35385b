"""The staff page "What we keep and for how long": every kind of personal data and working
material, its period and why, with the figures from the settings the retention job uses."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, ngettext

from .. import registry
from ..permissions import role_required
from ..records import Kept
from ..records import days_text as _days
from ..retention import days, due_counts
from ..roles import Role


def kept_items() -> list[Kept]:
    """What the portal keeps, in the order a person meets it; the apps' rows (registered
    from their portal_hooks) come between the accounts and the history."""
    cooloff_minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
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
        *registry.kept_items(),
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
