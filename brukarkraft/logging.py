"""Logging filter that keeps personal data out of the logs.

Settings attach it to the console handler (LOGGING), gunicorn's logger attaches it to its
error and access logs, and the receivers below attach it to the handlers Celery installs
in workers and beat (Celery replaces the root logger's handlers with its own).
"""

from __future__ import annotations

import logging
import re

from celery.signals import after_setup_logger, after_setup_task_logger

EMAIL = "[e-mail]"
ID_NUMBER = "[id number]"
PHONE = "[phone]"

# Digits glued to letters, dots or dashes are part of something else (an id, a version,
# a date, an IP address), so every pattern asks for a clean edge on both sides.
_START = r"(?<![\w.+-])"
_END = r"(?![\w-]|\.\d)"

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), EMAIL),
    # Swedish personnummer and samordningsnummer (day + 60): YYMMDD-XXXX, YYMMDD+XXXX,
    # YYMMDDXXXX, YYYYMMDD-XXXX and YYYYMMDDXXXX, with a real month and day.
    (
        re.compile(
            _START
            + r"(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|[6-8]\d|9[01])"
            + r"[-+]?\d{4}"
            + _END
        ),
        ID_NUMBER,
    ),
    # Norwegian fødselsnummer and D-nummer: eleven digits, DDMMYY and five more.
    (re.compile(_START + r"\d{6} ?\d{5}" + _END), ID_NUMBER),
    # Telephone numbers: international (+46 70 123 45 67), Swedish with a leading zero
    # (070-123 45 67, 08-123 456 78) and Norwegian as they are written (912 34 567,
    # 22 12 34 56). Eight bare digits are left alone: they are as often a count or an id.
    (
        re.compile(
            _START
            + r"\+(?=(?:[ ()-]*\d){8})[1-9]\d{0,2}[ -]?(?:\(0\))?\d{1,4}(?:[ -]?\d{1,4}){1,4}"
            + _END
        ),
        PHONE,
    ),
    (re.compile(_START + r"0\d{1,3}[- /]?(?:\d ?){4,7}\d" + _END), PHONE),
    (re.compile(_START + r"(?:\d{3} \d{2} \d{3}|\d{2} \d{2} \d{2} \d{2})" + _END), PHONE),
]


def redact(text: str) -> str:
    """`text` with e-mail addresses, identity numbers and telephone numbers masked."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactPersonalData(logging.Filter):
    """Mask personal data in a record's message and exception text; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 — a broken format string is the handler's to report
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text once it is set, so the masked text is what they write.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def add_redaction(logger: logging.Logger) -> None:
    """Put the filter on every handler of `logger` that does not have it yet."""
    for handler in logger.handlers:
        if not any(isinstance(f, RedactPersonalData) for f in handler.filters):
            handler.addFilter(RedactPersonalData())


@after_setup_logger.connect
@after_setup_task_logger.connect
def _redact_celery_logs(sender=None, logger=None, **kwargs) -> None:
    if logger is not None:
        add_redaction(logger)
