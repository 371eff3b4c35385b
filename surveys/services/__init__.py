"""Every change to surveys, questions and responses: one function per action, in a
transaction. The package is split by workflow step:

- `build`: the survey, its sections, questions and options; new versions
- `publish`: publishing, closing, deleting drafts and test answers
- `distribute`: units and one-time codes on slips
- `answer`: starting, saving and sending answers; paper entry
- `review`: free-text answers reviewed before they are shown
- `export`: raw-answer exports written by a worker
- `purge`: deleting single answers at the end of the retention period, keeping totals
- `codes`: drawing, normalising and hashing the codes people type

Its names are re-exported here: views, tasks, demo data and many tests call them as
`services.<name>`.
"""

from .answer import (
    MAX_TEXT_ANSWER,
    GivenAnswer,
    Started,
    answer_save,
    answers_save_all,
    is_visible,
    paper_response_enter,
    question_mark_not_understood,
    response_for_resume_code,
    response_start,
    response_submit,
    response_update_settings,
    unused_slip,
    validate_answer,
)
from .build import (
    option_delete,
    option_save,
    question_add,
    question_copy_from_bank,
    question_delete,
    question_move,
    question_save,
    question_update,
    section_add,
    survey_create,
    survey_ensure_editable,
    survey_grant_access,
    survey_new_version,
    survey_revoke_access,
    survey_update,
)
from .codes import code_hash, new_code, new_start_key, normalise_code
from .distribute import (
    MAX_CODES_PER_BATCH,
    code_batch_create,
    code_slips_retry,
    code_slips_write,
    unit_add,
)
from .export import export_request, export_run
from .publish import (
    TEST_ANSWERS_MAX,
    survey_close,
    survey_delete,
    survey_delete_test_answers,
    survey_deleted_by,
    survey_publish,
    test_answers_deletable,
)
from .purge import survey_purge_raw_answers, surveys_purge_expired
from .review import free_text_review, free_text_review_many

__all__ = [
    "new_code",
    "normalise_code",
    "code_hash",
    "new_start_key",
    "survey_ensure_editable",
    "survey_create",
    "survey_update",
    "survey_grant_access",
    "survey_revoke_access",
    "section_add",
    "question_add",
    "question_save",
    "question_update",
    "question_delete",
    "question_move",
    "option_save",
    "option_delete",
    "question_copy_from_bank",
    "survey_new_version",
    "survey_publish",
    "survey_delete",
    "TEST_ANSWERS_MAX",
    "test_answers_deletable",
    "survey_deleted_by",
    "survey_delete_test_answers",
    "survey_close",
    "MAX_CODES_PER_BATCH",
    "unit_add",
    "code_batch_create",
    "code_slips_write",
    "code_slips_retry",
    "MAX_TEXT_ANSWER",
    "Started",
    "response_start",
    "unused_slip",
    "response_for_resume_code",
    "response_update_settings",
    "is_visible",
    "GivenAnswer",
    "validate_answer",
    "answer_save",
    "answers_save_all",
    "response_submit",
    "question_mark_not_understood",
    "paper_response_enter",
    "free_text_review",
    "free_text_review_many",
    "export_request",
    "export_run",
    "survey_purge_raw_answers",
    "surveys_purge_expired",
]
