"""Every change to the library, the courses and method guidance: one function per act,
each in a transaction; bad input raises a translated ValidationError and changes nothing.
The package is split by area:

- `writing`: the working copy of a resource, translations, attachments
- `publishing`: review, numbered versions made current, the search index, the printable PDF
- `search`: searching the library and suggesting corrected searches
- `courses`: registrations, attendance and completion (which sends `course_completed`)
- `guidance`: method guidance requests

Its names are re-exported here: views, tasks, admin, demo data and many tests call them as
`services.<name>`.
"""

from .courses import attendance_set, registration_cancel, registration_complete, registration_create
from .guidance import guidance_answer, guidance_close, guidance_request_create
from .publishing import (
    resource_review,
    resources_publish_due,
    version_print,
    versions_missing_pdf,
)
from .search import search, search_correction
from .writing import (
    RESOURCE_FIELDS,
    attachment_add,
    attachment_remove,
    count_download,
    resource_archive,
    resource_create,
    resource_submit,
    resource_translate,
    resource_update,
    stale_translations,
    translation_mark_current,
)

__all__ = [
    "RESOURCE_FIELDS",
    "resource_create",
    "resource_update",
    "resource_submit",
    "resource_archive",
    "resource_translate",
    "translation_mark_current",
    "stale_translations",
    "attachment_add",
    "attachment_remove",
    "count_download",
    "resource_review",
    "resources_publish_due",
    "versions_missing_pdf",
    "version_print",
    "search",
    "search_correction",
    "registration_create",
    "registration_cancel",
    "attendance_set",
    "registration_complete",
    "guidance_request_create",
    "guidance_answer",
    "guidance_close",
]
