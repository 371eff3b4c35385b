"""User audits in Django admin.

The workflow is not run from here: an audit's status changes only through
audits.services (the portal's pages), which check the rules and write the history.
History entries, report versions and sent notifications are read-only. Audits,
proposals and fee entries can be exported and imported (validated row by row).

The admin classes live in modules by area; importing them registers them.
"""

from audits.analysis import admin as analysis_admin  # noqa: E402, F401 — codes and evidence
from audits.fieldwork import admin as fieldwork_admin  # noqa: E402, F401 — the question bank and guides

from . import (  # noqa: F401 — registers the model admins
    audit,
    bank,  # publications, read only
    pool,
)
