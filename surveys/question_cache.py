"""A published survey's questions, kept in each web process's memory.

The answering pages need every question of the survey on every request (to number
them and to know what comes next), but a survey's questions change only in the
builder, and every change there marks the survey as changed (services.build._questions_changing
moves `updated_at`). So the questions are kept under the key (survey id, updated_at),
read from the survey row that the page fetches anyway: a changed survey gets a new key.
Kept in the process, not in Redis, so answering does not depend on Redis; a few minutes'
life bounds what a change outside the builder (the admin) could leave behind.
"""

from __future__ import annotations

import threading
import time

from . import answering_sql
from .models import Question, Survey

LIFETIME_SECONDS = 300
MAX_SURVEYS = 64

_lock = threading.Lock()
_kept: dict[tuple[int, float], tuple[float, list[Question]]] = {}


def survey_questions(survey: Survey) -> list[Question]:
    """The survey's questions in order, with their options and conditions loaded.

    The objects are shared between requests: read them, never change them.
    """
    if survey.status == Survey.Status.DRAFT:
        # A draft changes all the time and is only previewed: no point keeping it.
        return _load(survey)
    key = (survey.pk, survey.updated_at.timestamp())
    now = time.monotonic()
    found = _kept.get(key)
    if found is not None and now - found[0] < LIFETIME_SECONDS:
        return found[1]
    questions = _load(survey)
    with _lock:
        stale = [
            k for k, (at, _q) in _kept.items() if k[0] == survey.pk or now - at >= LIFETIME_SECONDS
        ]
        for old in stale:
            _kept.pop(old, None)
        while len(_kept) >= MAX_SURVEYS:
            _kept.pop(next(iter(_kept)))
        _kept[key] = (now, questions)
    return questions


def forget_all() -> None:
    with _lock:
        _kept.clear()


def _load(survey: Survey) -> list[Question]:
    # One statement for the questions and their options (answering_sql). The questions do
    # not hold the survey object of the request that loaded them: its status would go stale.
    return answering_sql.survey_questions(survey.pk)
