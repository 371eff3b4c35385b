"""No personal data in logs: e-mail addresses, identity numbers and telephone numbers are
masked before any handler writes a record."""

import io
import logging

import pytest
from celery.signals import after_setup_logger

from brukarkraft.logging import EMAIL, ID_NUMBER, PHONE, RedactPersonalData, redact


@pytest.fixture
def written():
    """What the configured console handler (settings.LOGGING) writes, as a string."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactPersonalData) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_record_with_an_email_and_a_personnummer_comes_out_masked(written):
    logging.getLogger("brukarkraft.tests").warning(
        "Order from %s (%s) failed", "anna.berg@example.se", "19850101-1234"
    )

    line = written.getvalue()
    assert "anna.berg@example.se" not in line and "19850101-1234" not in line
    assert f"Order from {EMAIL} ({ID_NUMBER}) failed" in line


def test_exception_text_is_masked_too(written):
    try:
        raise ValueError("Key (email)=(anna.berg@example.se) already exists.")
    except ValueError:
        logging.getLogger("brukarkraft.tests").exception("Saving failed")

    line = written.getvalue()
    assert "Saving failed" in line and "Traceback" in line
    assert "anna.berg@example.se" not in line
    assert f"Key (email)=({EMAIL}) already exists." in line


def test_a_message_without_personal_data_is_left_alone(written):
    record = logging.LogRecord(
        "brukarkraft.tests", logging.INFO, __file__, 1, "Sent %s pending jobs", (3,), None
    )

    assert RedactPersonalData().filter(record) is True

    assert (record.msg, record.args) == ("Sent %s pending jobs", (3,))
    logging.getLogger("brukarkraft.tests").info("Report version %s failed at %s", 12, "03:47:00")
    assert "Report version 12 failed at 03:47:00" in written.getvalue()


def test_celery_handlers_get_the_filter_when_a_worker_sets_up_its_logging():
    # Celery replaces the root logger's handlers in workers and beat with its own.
    logger = logging.getLogger("brukarkraft.tests.celery")
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    try:
        after_setup_logger.send(
            sender=None,
            logger=logger,
            loglevel=logging.INFO,
            logfile=None,
            format="",
            colorize=False,
        )
        assert any(isinstance(f, RedactPersonalData) for f in handler.filters)
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize(
    "text, masked",
    [
        ("anna.berg+brukar@kommun.example.se", EMAIL),
        ("850101-1234", ID_NUMBER),
        ("850101+1234", ID_NUMBER),
        ("8501011234", ID_NUMBER),
        ("19850101-1234", ID_NUMBER),
        ("198501011234", ID_NUMBER),
        ("850161-1234", ID_NUMBER),  # samordningsnummer: day + 60
        ("01018512345", ID_NUMBER),  # fødselsnummer
        ("010185 12345", ID_NUMBER),
        ("+46 70 123 45 67", PHONE),
        ("+46701234567", PHONE),
        ("070-123 45 67", PHONE),
        ("08-123 456 78", PHONE),
        ("+47 912 34 567", PHONE),
        ("912 34 567", PHONE),
        ("22 12 34 56", PHONE),
    ],
)
def test_it_masks_personal_data(text, masked):
    assert redact(f"Person: {text}.") == f"Person: {masked}."


@pytest.mark.parametrize(
    "text",
    [
        "2026-05-01 03:47:00",
        "[01/May/2026:03:47:00 +0200] GET /sv/ 200 1234",
        "127.0.0.1 and 192.168.100.200",
        "version 1.2.3, job 45000000, epoch 1714560000",
        "550e8400-e29b-41d4-a716-446655440000",
        "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b",
        "took 0.53 s for 12345 rows",
    ],
)
def test_it_leaves_dates_addresses_and_ids_alone(text):
    assert redact(text) == text
