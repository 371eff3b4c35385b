"""After a publish or a withdrawal the worker counts the national picture again, so the
first reader after the change is served from the cache, with the change in it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.bank import national, services

from .helpers import published_audit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def picture_from_cache() -> national.Picture:
    """The public picture, failing if it had to be counted: only the fingerprint is read."""
    with CaptureQueriesContext(connection) as captured:
        picture = national.public_picture()
    assert len(captured.captured_queries) == 1, [q["sql"] for q in captured]
    return picture


def test_a_publish_and_a_withdrawal_count_the_picture_again_for_the_cache(
    commissioner, staff, django_capture_on_commit_callbacks
):
    first = published_audit(commissioner=commissioner, staff=staff)
    with django_capture_on_commit_callbacks(execute=True):
        second = published_audit(commissioner=commissioner, staff=staff)

    assert picture_from_cache().audits.get(True) == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(audit=first, by=commissioner, reason="Fel rapport.")

    assert picture_from_cache().audits.get(True) == 1
    assert second.publication.is_public
