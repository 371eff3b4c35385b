"""Every change to a council's records: one function per act, each in a transaction.

Bad input raises ValidationError with a translated message and changes nothing; mail and
PDFs are queued on commit, by task name (services never import the tasks). Functions that
only warn (a late notice, a long tenure) return the warnings as sentences for the admin to
see. Reads that change nothing live in councils.selectors.

One module per workflow area. The acts are re-exported here because the admin, the views,
the demo data and the tests all call them as `services.<act>`.
"""

from .appointments import (
    nomination_appoint,
    nomination_close,
    nomination_create,
    nomination_recommend,
    request_call,
    request_create,
)
from .assessments import assessment_record
from .cases import case_reject, case_submit
from .meetings import (
    agenda_add,
    agenda_record,
    attendance_record,
    meeting_create,
    minutes_approve,
    minutes_pdf_render,
    minutes_save,
    notice_send,
)
from .members import mandate_revise, member_add, member_validate
from .personal_data import member_erase, member_export
from .reports import annual_report_render, annual_report_request

__all__ = [
    "agenda_add",
    "agenda_record",
    "annual_report_render",
    "annual_report_request",
    "assessment_record",
    "attendance_record",
    "case_reject",
    "case_submit",
    "mandate_revise",
    "meeting_create",
    "member_add",
    "member_erase",
    "member_export",
    "member_validate",
    "minutes_approve",
    "minutes_pdf_render",
    "minutes_save",
    "nomination_appoint",
    "nomination_close",
    "nomination_create",
    "nomination_recommend",
    "notice_send",
    "request_call",
    "request_create",
]
