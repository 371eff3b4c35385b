"""User-led user audits: from the commissioner's order to the follow-up (docs/domain.md §1).

The models live in modules by what they hold; every model and choice list is importable from
`audits.models`, as Django and the rest of the portal expect.
"""

from .audit import Audit, AuditEvent, AuditQuerySet, count_of
from .choices import Method, ServiceArea, Theme
from .delivery import FeeEntry, Notification, ReportVersion, ReportVersionQuerySet
from .pool import (
    AuditorProfile,
    AuditorProfileQuerySet,
    ConfidentialityUndertaking,
    Conflict,
    Coordinator,
    Unit,
)
from .work import AuditMember, DataCollection, Finding, Proposal, ProposalQuerySet, Quote

__all__ = [
    "Audit",
    "AuditEvent",
    "AuditMember",
    "AuditQuerySet",
    "AuditorProfile",
    "AuditorProfileQuerySet",
    "ConfidentialityUndertaking",
    "Conflict",
    "Coordinator",
    "DataCollection",
    "FeeEntry",
    "Finding",
    "Method",
    "Notification",
    "Proposal",
    "ProposalQuerySet",
    "Quote",
    "ReportVersion",
    "ReportVersionQuerySet",
    "ServiceArea",
    "Theme",
    "Unit",
    "count_of",
]

# The interview and focus-group guides, used by the audits/fieldwork package.
# The report bank's publication terms and publications, used by the audits/bank package.
# Field notes, codes, passages and findings' evidence, used by the audits/analysis package.
from .analysis import *  # noqa: E402, F401, F403
from .bank import Publication, PublicationFacet, PublicationTerms  # noqa: E402, F401
from .fieldwork import *  # noqa: E402, F401, F403
