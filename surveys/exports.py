"""Raw answers to CSV or XLSX, written in batches so memory stays flat at any size.

tablib (django-import-export's engine) builds the whole table in memory first; at
100,000 responses × 20 questions that is millions of Python objects. Here responses
are read in batches by primary key, their answers in one query per batch, and each row
is written out at once: csv for CSV, openpyxl's write-only mode for XLSX, both through
brukarkraft.exports so that no answer can become a formula.

By default the cells carry what the respondent saw, in the export's language ("Don't
know", "Answered with a support person", the option's text); with values=codes they
carry the stable codes instead (dont_know, helped, the option's value).
"""

from __future__ import annotations

import io
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator

from django.utils import timezone, translation
from django.utils.translation import gettext

from brukarkraft.exports import csv_writer, xlsx_workbook

from .models import Answer, ExportJob, Kind, Question, Response, Survey

BATCH = 2000
DONT_KNOW = "dont_know"
CODES = ExportJob.Values.CODES


def header(questions: list[Question], values: str = CODES) -> list[str]:
    columns = [
        gettext("response"),
        gettext("sent"),
        gettext("unit"),
        gettext("channel"),
        gettext("answered"),
        gettext("support person"),
        gettext("easy-to-read mode"),
    ]
    for number, question in enumerate(questions, start=1):
        # Codes go with the Swedish text, the survey's reference; labels with the language's.
        text = question.text_sv if values == CODES else question.text
        columns.append(f"Q{number} {text[:60]}")
    return columns


class Words:
    """What a cell says for a code: the code itself, or its label in the active language."""

    def __init__(self, values: str):
        self.codes = values == CODES
        self.dont_know = DONT_KNOW if self.codes else gettext("Don't know")
        # An empty table leaves the code; "Not stated" stays an empty cell either way.
        self.channel = {} if self.codes else dict(Response.Channel.choices)
        self.support = {} if self.codes else dict(Response.Support.choices[:2])
        self.role = {} if self.codes else dict(Response.SupportRole.choices)
        self.easy = ("1", "0") if self.codes else (gettext("Yes"), gettext("No"))

    def option(self, option) -> str:
        return option.value if self.codes else (option.label or option.value)

    def of(self, table: dict, code: str) -> str:
        return str(table.get(code, code))


def columns_of(survey: Survey) -> list[Question]:
    """The questions that get a column, in order, with their options."""
    return list(survey.questions.counted().in_order().prefetch_related("options"))


def rows(
    survey: Survey,
    progress: Callable[[int], None] | None = None,
    *,
    questions: list[Question] | None = None,
    values: str = CODES,
) -> Iterator[list]:
    """One list per submitted response, in the order of header()."""
    if questions is None:
        questions = columns_of(survey)
    words = Words(values)
    index = {q.pk: i for i, q in enumerate(questions)}
    option_values = {o.pk: words.option(o) for q in questions for o in q.options.all()}
    multiple = {q.pk for q in questions if q.kind == Kind.MULTIPLE}
    responses = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
    last_pk = 0
    done = 0
    while True:
        batch = list(
            responses.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list(
                "pk",
                "submitted_at",
                "unit__name",
                "channel",
                "support",
                "support_role",
                "easy_read",
            )[:BATCH]
        )
        if not batch:
            break
        last_pk = batch[-1][0]
        answers: dict[int, list] = defaultdict(lambda: [""] * len(questions))
        for response_id, question_id, option_id, dont_know, text, number in (
            Answer.objects.filter(response_id__in=[row[0] for row in batch], question_id__in=index)
            # A text reviewers hid as identifying leaves no output, the raw export included.
            .exclude(review=Answer.Review.HIDDEN)
            .order_by()
            .values_list("response_id", "question_id", "option_id", "dont_know", "text", "number")
            .iterator(chunk_size=10_000)
        ):
            cells = answers[response_id]
            column = index[question_id]
            if dont_know:
                value = words.dont_know
            elif option_id:
                value = option_values.get(option_id, "")
            elif number is not None:
                value = number
            else:
                value = text
            if question_id in multiple and cells[column] != "":
                cells[column] = f"{cells[column]};{value}"
            else:
                cells[column] = value
        for pk, submitted, unit, channel, support, role, easy in batch:
            local = timezone.localtime(submitted).strftime("%Y-%m-%d %H:%M") if submitted else ""
            yield [
                pk,
                local,
                unit or "",
                words.of(words.channel, channel),
                words.of(words.support, support),
                words.of(words.role, role),
                words.easy[0] if easy else words.easy[1],
            ] + (answers.get(pk) or [""] * len(questions))
        done += len(batch)
        if progress:
            progress(done)


def write_csv(header_row: list[str], lines: Iterator[list]):
    out = tempfile.TemporaryFile()
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv_writer(text)
    writer.writerow(header_row)
    writer.writerows(lines)
    text.flush()
    text.detach()
    out.seek(0)
    return out


def write_xlsx(header_row: list[str], lines: Iterator[list]):
    book = xlsx_workbook(gettext("Answers"), header_row, lines)
    out = tempfile.TemporaryFile()
    book.save(out)
    out.seek(0)
    return out


def write(survey: Survey, format: str, language: str, progress=None, values: str = CODES):
    with translation.override(language):
        questions = columns_of(survey)
        lines = rows(survey, progress, questions=questions, values=values)
        header_row = header(questions, values)
        if format == "xlsx":
            return write_xlsx(header_row, lines)
        return write_csv(header_row, lines)
