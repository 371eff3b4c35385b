"""The answering hot path in SQL of its own: a few statements the ORM would cost more to build.

Every answering page reads the respondent's response, its survey and the answers given so
far, and every saved question locks the response, checks it and replaces one question's
answer rows. Through the ORM each of these statements cost more CPU to build than
PostgreSQL took to run (bench/README.md), on the requests a survey gets most of. Here they
are written once, by hand, for PostgreSQL (the project's database in production and in
CI); the column lists come from the models, so a new field is read without a change here.
On another database (SQLite for development) each function does the same through the ORM.

What it returns are ordinary model instances (made with `Model.from_db`, as the ORM makes
them), so views, forms and templates do not know the difference. Only the answering pages
and the services that save answers use this module; everything else uses the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef

from .models import Answer, OneTimeCode, Option, Question, Response, Survey


def _columns(model, alias: str) -> str:
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


def _names(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


_SURVEY_NAMES = _names(Survey)
_RESPONSE_NAMES = _names(Response)
_SURVEY_FIELDS = len(_SURVEY_NAMES)
_RESPONSE_FIELDS = len(_RESPONSE_NAMES)

# The respondent's responses (from the place cookie, a handful at most) with their survey
# and the answers given so far, as arrays: one row per response, one statement in all.
_PLACE_SQL = f"""
SELECT {_columns(Response, "r")}, {_columns(Survey, "s")},
       ans.question_ids, ans.option_ids, ans.dont_knows, ans.numbers, ans.texts
FROM "surveys_response" r
JOIN "surveys_survey" s ON s."id" = r."survey_id"
LEFT JOIN LATERAL (
    SELECT array_agg(a."question_id") AS question_ids, array_agg(a."option_id") AS option_ids,
           array_agg(a."dont_know") AS dont_knows, array_agg(a."number") AS numbers,
           array_agg(a."text") AS texts
    FROM "surveys_answer" a WHERE a."response_id" = r."id"
) ans ON true
WHERE r."id" = ANY(%s)
"""  # noqa: S608 — column names from the models; values are parameters


class GivenRow(NamedTuple):
    """An answer row as the answering pages need it (what AnswerForm.initial_for reads)."""

    question_id: int
    option_id: int | None
    dont_know: bool
    number: int | None
    text: str


class Place(NamedTuple):
    response: Response
    answers: dict[int, list[GivenRow]]


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _by_question(answers) -> dict[int, list[GivenRow]]:
    found: dict[int, list[GivenRow]] = {}
    for a in answers:
        given = GivenRow(a.question_id, a.option_id, a.dont_know, a.number, a.text)
        found.setdefault(a.question_id, []).append(given)
    return found


def responses_with_answers(ids: Sequence[int]) -> list[Place]:
    """The responses with these ids, each with its survey (loaded) and its answers by question."""
    if not ids:
        return []
    if not _postgres():
        found = Response.objects.select_related("survey").filter(pk__in=ids).order_by()
        return [Place(r, _by_question(r.answers.order_by())) for r in found]
    return _responses(_PLACE_SQL, [list(ids)])


def _responses(sql: str, params: list) -> list[Place]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    db = connection.alias
    found = []
    for row in rows:
        response = Response.from_db(db, _RESPONSE_NAMES, row[:_RESPONSE_FIELDS])
        survey_end = _RESPONSE_FIELDS + _SURVEY_FIELDS
        survey = Survey.from_db(db, _SURVEY_NAMES, row[_RESPONSE_FIELDS:survey_end])
        response.survey = survey
        question_ids, option_ids, dont_knows, numbers, texts = row[survey_end:]
        answers: dict[int, list[GivenRow]] = {}
        for given in zip(
            question_ids or (),
            option_ids or (),
            dont_knows or (),
            numbers or (),
            texts or (),
            strict=True,
        ):
            answers.setdefault(given[0], []).append(GivenRow(*given))
        found.append(Place(response, answers))
    return found


# --- A published survey's questions, in one statement ------------------------------------------

_QUESTIONS_SQL = f"""
SELECT {_columns(Question, "q")},
       (SELECT json_agg(o ORDER BY o."position", o."id") FROM "surveys_option" o
        WHERE o."question_id" = q."id") AS options
FROM "surveys_question" q
LEFT JOIN "surveys_section" sec ON sec."id" = q."section_id"
WHERE q."survey_id" = %s
ORDER BY q."is_practice" DESC, sec."position", q."section_id", q."position", q."id"
"""  # noqa: S608 — column names from the models; values are parameters
_QUESTION_NAMES = _names(Question)
_QUESTION_FIELDS = len(_QUESTION_NAMES)
_OPTION_NAMES = _names(Option)
_OPTION_COLUMNS = [field.column for field in Option._meta.concrete_fields]


def survey_questions(survey_id: int) -> list[Question]:
    """The survey's questions in order (as QuestionQuerySet.in_order), each with its options
    (as prefetch_related would leave them) and the option it depends on: one statement."""
    if not _postgres():
        return list(
            Question.objects.filter(survey_id=survey_id)
            .in_order()
            .select_related("show_if_option")
            .prefetch_related("options")
        )
    with connection.cursor() as cursor:
        cursor.execute(_QUESTIONS_SQL, [survey_id])
        rows = cursor.fetchall()
    db = connection.alias
    questions = []
    options_by_id: dict[int, Option] = {}
    for row in rows:
        question = Question.from_db(db, _QUESTION_NAMES, row[:_QUESTION_FIELDS])
        raw = row[_QUESTION_FIELDS]
        if isinstance(raw, str):  # json arrives parsed from psycopg2; as text elsewhere
            raw = json.loads(raw)
        options = [
            Option.from_db(db, _OPTION_NAMES, [item[column] for column in _OPTION_COLUMNS])
            for item in raw or ()
        ]
        for option in options:
            options_by_id[option.pk] = option
        # What prefetch_related("options") leaves: question.options.all() reads no database.
        prefetched = question.options.all()
        prefetched._result_cache = options
        prefetched._prefetch_done = True  # type: ignore[attr-defined]
        question._prefetched_objects_cache = {"options": prefetched}  # type: ignore[attr-defined]
        questions.append(question)
    for question in questions:
        # What select_related("show_if_option") leaves, when the option is in this survey.
        depends_on = options_by_id.get(question.show_if_option_id or 0)
        if depends_on is not None:
            question._state.fields_cache["show_if_option"] = depends_on
    return questions


# --- Saving ----------------------------------------------------------------------------------

# Locks the response (only it: locking the survey too would make every respondent wait for
# every other one) and reads its state, its survey's state as it is now (closed a moment
# ago means closed) and the options chosen for the other questions.
_LOCK_SQL = """
SELECT r."status", r."channel", s."status", s."opens_at", s."closes_at",
       ARRAY(SELECT a."option_id" FROM "surveys_answer" a
             WHERE a."response_id" = r."id" AND a."question_id" <> ALL(%s)
               AND a."option_id" IS NOT NULL)
FROM "surveys_response" r JOIN "surveys_survey" s ON s."id" = r."survey_id"
WHERE r."id" = %s
FOR UPDATE OF r
"""


class Locked(NamedTuple):
    status: str
    channel: str
    survey: Survey  # only its status, opens_at and closes_at
    chosen_elsewhere: set[int]


def lock_response(response_id: int, question_ids: Iterable[int]) -> Locked | None:
    """Lock the response for the rest of the transaction; None when it does not exist."""
    if not _postgres():
        found = Response.objects.select_for_update().select_related("survey").filter(pk=response_id)
        response = found.first()
        if response is None:
            return None
        chosen = (
            response.answers.exclude(question_id__in=list(question_ids))
            .exclude(option=None)
            .values_list("option_id", flat=True)
        )
        return Locked(response.status, response.channel, response.survey, set(chosen))
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL, [list(question_ids), response_id])
        row = cursor.fetchone()
    if row is None:
        return None
    status, channel, survey_status, opens_at, closes_at, chosen = row
    survey = Survey(status=survey_status, opens_at=opens_at, closes_at=closes_at)
    return Locked(status, channel, survey, set(chosen))


_INSERT_COLUMNS = ("response_id", "question_id", "option_id", "dont_know", "text", "number")
_REVIEW_COLUMN = Answer._meta.get_field("review").column


def replace_answers(response_id: int, question_ids: Sequence[int], rows: Sequence[tuple]) -> None:
    """Replace the response's answers to these questions by `rows` in one statement.

    `rows` are (question_id, option_id, dont_know, text, number, review). The DELETE and the
    INSERT share one snapshot, so the DELETE removes only the rows there were before. Run
    it after lock_response, in the same transaction: as a statement of its own after the
    lock, it sees the answer a request that held the lock before this one has just
    written, so nothing is doubled.
    """
    if not _postgres():
        Answer.objects.filter(response_id=response_id, question_id__in=question_ids).delete()
        Answer.objects.bulk_create(
            Answer(
                response_id=response_id,
                **dict(zip(_INSERT_COLUMNS[1:] + ("review",), row, strict=True)),
            )
            for row in rows
        )
        return
    params: list = [response_id, list(question_ids)]
    delete = 'DELETE FROM "surveys_answer" WHERE "response_id" = %s AND "question_id" = ANY(%s)'
    if not rows:
        sql = delete
    else:
        values = []
        for question_id, option_id, dont_know, text, number, review in rows:
            values.append("(%s, %s, %s, %s, %s, %s, %s)")
            params += [response_id, question_id, option_id, dont_know, text, number, review]
        columns = ", ".join(f'"{name}"' for name in (*_INSERT_COLUMNS, _REVIEW_COLUMN))
        sql = (
            f"WITH gone AS ({delete}) "  # noqa: S608 — placeholders only
            f'INSERT INTO "surveys_answer" ({columns}) VALUES {", ".join(values)}'
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- Finding the survey by its link, starting, and sending ---------------------------------------

# With the survey, whether it has one-time codes at all: the start page offers a code field
# then (a slip's code counts as that slip's answers even while the open link is on).
_SURVEY_BY_TOKEN_SQL = f"""
SELECT {_columns(Survey, "s")},
       EXISTS(SELECT 1 FROM "surveys_onetimecode" c WHERE c."survey_id" = s."id")
FROM "surveys_survey" s WHERE s."token" = %s
"""  # noqa: S608 — column names from the models; values are parameters


def survey_by_token(token: str) -> Survey | None:
    """The survey whose own link this is (a unit's link is not), or None; its `has_codes`
    says whether any one-time code was made for it."""
    if not _postgres():
        codes = OneTimeCode.objects.filter(survey=OuterRef("pk"))
        return Survey.objects.annotate(has_codes=Exists(codes)).filter(token=token).first()
    with connection.cursor() as cursor:
        cursor.execute(_SURVEY_BY_TOKEN_SQL, [token])
        row = cursor.fetchone()
    if not row:
        return None
    survey = Survey.from_db(connection.alias, _SURVEY_NAMES, row[:_SURVEY_FIELDS])
    survey.has_codes = row[_SURVEY_FIELDS]  # type: ignore[attr-defined]  # as annotate() sets it
    return survey


# Every column but the id, from the model: defaults (status, channel, the time) are the
# model's own, set on the instance in Python as the ORM's INSERT would.
_RESPONSE_INSERT_FIELDS = [f for f in Response._meta.concrete_fields if not f.primary_key]
_RESPONSE_INSERT_COLUMNS = ", ".join(f'"{field.column}"' for field in _RESPONSE_INSERT_FIELDS)
_RESPONSE_INSERT_SQL = f"""
INSERT INTO "surveys_response" ({_RESPONSE_INSERT_COLUMNS})
VALUES ({", ".join(["%s"] * len(_RESPONSE_INSERT_FIELDS))})
ON CONFLICT DO NOTHING RETURNING "id"
"""  # noqa: S608 — column names from the model; values are parameters


def insert_response(response: Response) -> bool:
    """INSERT a new response; False, storing nothing, when its start key or resume hash is
    taken (a second send of the same start form, or a clash of codes).

    One statement, with no savepoint: a conflict is not an error that would spoil the
    transaction around it. A conflict with a start form being sent at the same moment
    waits for that one to commit, so the caller's next read finds its response.
    """
    if not _postgres():
        try:
            with transaction.atomic():
                response.save(force_insert=True)
        except IntegrityError:
            return False
        return True
    params = [
        field.get_db_prep_save(field.pre_save(response, add=True), connection)
        for field in _RESPONSE_INSERT_FIELDS
    ]
    with connection.cursor() as cursor:
        cursor.execute(_RESPONSE_INSERT_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return False
    response.pk = row[0]
    response._state.adding = False
    response._state.db = connection.alias
    return True


def lock_for_submit(response_id: int) -> Place | None:
    """The response locked for the rest of the transaction, with its survey and answers."""
    if not _postgres():
        locked = Response.objects.select_for_update().select_related("survey")
        response = locked.filter(pk=response_id).first()
        return Place(response, _by_question(response.answers.all())) if response else None
    found = _responses(_PLACE_SQL + " FOR UPDATE OF r", [[response_id]])
    return found[0] if found else None


_SEND_SQL = """
WITH sent AS (
    UPDATE "surveys_response" SET "status" = %s, "submitted_at" = %s WHERE "id" = %s
    RETURNING "id"
)
UPDATE "surveys_onetimecode" SET "used_at" = %s
WHERE "response_id" IN (SELECT "id" FROM sent) AND "used_at" IS NULL
"""


def mark_sent(response: Response) -> None:
    """Store the response's status and time of sending, and mark its one-time code used."""
    if not _postgres():
        response.save(update_fields=["status", "submitted_at"])
        OneTimeCode.objects.filter(response=response, used_at=None).update(
            used_at=response.submitted_at
        )
        return
    at = response.submitted_at
    with connection.cursor() as cursor:
        cursor.execute(_SEND_SQL, [response.status, at, response.pk, at])
