"""Who may do what with an audit's guides (the audits app's rules, docs/domain.md §1 step 4).

The audit is looked up through audits.access.visible_audit (404 outside the user's reach);
these predicates then say what the user may do with its guides. A guide is the team's until
the lead shares it: before that the commissioner gets 404 for it, as for any page they may
not know of.
"""

from __future__ import annotations

from audits import access
from audits.models import Audit

from .models import Guide

# The guide is built once a team exists (planning) and changed while data is collected and
# analysed; after that it is the record of what was asked.
BUILD_STATES = {Audit.Status.PLANNING, Audit.Status.COLLECTING, Audit.Status.ANALYSING}
# The commissioner and the team discuss the guide until the report is drafted.
COMMENT_STATES = BUILD_STATES | {Audit.Status.REPORT_DRAFT}


def works_on(user, audit: Audit) -> bool:
    """The team and the managers (centre staff, the performer's coordinator)."""
    return access.is_on_team(user, audit) or access.can_manage(user, audit)


def can_see_guides(user, audit: Audit) -> bool:
    """The guides' overview: the team, the managers, and the commissioner (shared ones)."""
    return works_on(user, audit) or access.is_commissioner_of(user, audit)


def can_read(user, guide: Guide) -> bool:
    if works_on(user, guide.audit):
        return True
    return guide.is_shared and access.is_commissioner_of(user, guide.audit)


def can_build(user, audit: Audit) -> bool:
    """Only the lead auditor builds the guides (the team agrees them among themselves)."""
    return access.is_lead(user, audit) and audit.status in BUILD_STATES


def can_comment(user, guide: Guide) -> bool:
    return (
        guide.is_shared
        and guide.audit.status in COMMENT_STATES
        and (access.is_on_team(user, guide.audit) or access.is_commissioner_of(user, guide.audit))
    )


def can_download(user, guide: Guide) -> bool:
    """The PDF is for the sessions: the team and the managers."""
    return works_on(user, guide.audit)
