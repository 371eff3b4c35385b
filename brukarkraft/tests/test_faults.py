"""Faults: the database cannot be reached (a friendly 503 page, logged), Redis is down (the
portal still serves pages, and report requests are kept and made once it is back)."""

from __future__ import annotations

import logging
import time

import pytest
from django.db import OperationalError, ProgrammingError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from audits.models import Audit, ReportVersion
from audits.tests.factories import audit_in_state
from brukarkraft import faults, queue
from brukarkraft.celery import app as celery_app
from brukarkraft.models import PendingTask
from brukarkraft.tests.test_queue import (  # noqa: F401 - broker_down is a fixture
    CLOSED_REDIS,
    KEPT_MESSAGE,
    broker_down,
)
from resources.tests.factories import published_resource
from surveys.tests.factories import make_published_survey

pytestmark = pytest.mark.django_db

# What a driver might put in the message; none of it may reach the visitor.
INTERNALS = 'could not connect to server: Connection refused. Is "db-1.internal" (10.0.0.5) up?'
TEXTS = {
    "en": "The portal is not available just now",
    "sv": "The portal is not available just now",
    "nb": "The portal is not available just now",
}


def the_database_fails(monkeypatch, error: Exception = None) -> None:
    """Make the home page's view fail as if the database had gone away."""

    def broken(*args, **kwargs):
        raise error or OperationalError(INTERNALS)

    monkeypatch.setattr("brukarkraft.views.pages.render", broken)


def heading(language: str) -> str:
    with translation.override(language):
        return translation.gettext(TEXTS[language])


# --- The database is down ---------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "language"), [("", "sv"), ("/nb", "nb"), ("/en", "en")])
def test_a_database_fault_in_a_view_gets_the_503_page_in_the_visitors_language(
    client, monkeypatch, prefix, language
):
    the_database_fails(monkeypatch)

    response = client.get(f"{prefix}/")

    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == str(faults.RETRY_AFTER)
    assert "no-store" in response["Cache-Control"]
    assert f'<html lang="{language}">' in html
    assert html.count("<h1>") == 1
    assert heading(language) in html
    # The way out stays in the visitor's language.
    assert f'href="{prefix}/"' in html


def test_the_503_page_shows_nothing_of_the_fault(client, monkeypatch):
    the_database_fails(monkeypatch)

    html = client.get("/en/").content.decode()

    assert "db-1.internal" not in html
    assert "10.0.0.5" not in html
    assert "OperationalError" not in html
    assert "Traceback" not in html


def test_the_503_page_looks_like_the_portal(client, monkeypatch):
    the_database_fails(monkeypatch)

    html = client.get("/en/").content.decode()

    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert "/static/css/portal.css" in html
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "<script" not in html
    assert "style=" not in html
    assert "Try again in a minute or two" in html


def test_a_database_fault_is_logged_with_the_path_but_not_the_query(client, monkeypatch, caplog):
    the_database_fails(monkeypatch)

    with caplog.at_level(logging.ERROR, logger="brukarkraft.faults"):
        client.get("/en/", {"q": "anna.andersson@example.se"})

    [record] = [r for r in caplog.records if r.name == "brukarkraft.faults"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "Database unavailable (OperationalError) on GET /en/"
    assert record.exc_info is not None
    assert "anna" not in caplog.text


@pytest.mark.parametrize("language", ["sv", "nb", "en"])
def test_the_503_page_is_made_without_the_database(language, django_assert_num_queries):
    request = RequestFactory().get("/")

    with translation.override(language), django_assert_num_queries(0):
        response = faults.database_unavailable(request, OperationalError("gone"))

    assert response.status_code == 503
    assert f'<html lang="{language}">' in response.content.decode()


class TouchesTheUser:
    """Stands for a middleware that reads the user before the view (staff session checks)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user.is_authenticated  # noqa: B018 - loads the session and the user
        return self.get_response(request)


@pytest.mark.parametrize(("prefix", "language"), [("", "sv"), ("/en", "en")])
def test_a_session_that_cannot_be_loaded_in_a_middleware_gets_the_503_page(
    settings, staff, monkeypatch, prefix, language
):
    position = settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[: position + 1],
        "brukarkraft.tests.test_faults.TouchesTheUser",
        *settings.MIDDLEWARE[position + 1 :],
    ]
    # Django turns an exception in a middleware into the 500 handler's answer; the test
    # client would raise it again instead of returning that answer.
    client = Client(raise_request_exception=False)
    client.force_login(staff)

    def lost(self):
        raise OperationalError(INTERNALS)

    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", lost)

    response = client.get(f"{prefix}/start/")

    html = response.content.decode()
    assert response.status_code == 503
    assert f'<html lang="{language}">' in html
    assert heading(language) in html
    assert "db-1.internal" not in html


def test_a_programming_error_stays_a_500(monkeypatch):
    the_database_fails(monkeypatch, ProgrammingError('relation "x" does not exist'))
    client = Client(raise_request_exception=False)

    response = client.get("/en/")

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_with_debug_on_the_developer_gets_django_s_own_page(rf, settings):
    settings.DEBUG = True
    middleware = faults.DatabaseErrorMiddleware(lambda request: None)

    assert middleware.process_exception(rf.get("/"), OperationalError("gone")) is None


@pytest.mark.browser
def test_the_503_page_passes_axe(live_server, page, axe, monkeypatch):
    # The live server runs in this process: the patched view fails there too.
    the_database_fails(monkeypatch)

    for prefix in ("", "/en"):
        response = page.goto(f"{live_server.url}{prefix}/")
        assert response.status == 503
        axe(page, f"the 503 page at {prefix or '/'}")


# --- Redis is down ----------------------------------------------------------------------


@pytest.fixture
def redis_down(settings, broker_down):  # noqa: F811 - the fixture imported above
    """Cache and broker at a closed port, configured as production configures them."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CLOSED_REDIS,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    settings.CELERY_BROKER_URL = CLOSED_REDIS


def test_with_redis_down_the_portal_still_serves_its_pages(client, redis_down, staff, password):
    survey = make_published_survey()
    published_resource()
    started = time.monotonic()

    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("resources:library")).status_code == 200
    assert client.get(reverse("surveys:answer_start", args=[survey.token])).status_code == 200
    login = client.post(reverse("login"), {"username": staff.email, "password": password})
    assert login.status_code == 302
    assert client.get(reverse("start_staff")).status_code == 200

    # Every cache call fails at once (connection refused) and is ignored.
    assert time.monotonic() - started < 15


def test_with_redis_down_a_report_request_is_kept_and_made_once_it_is_back(
    client, redis_down, staff, commissioner, django_capture_on_commit_callbacks
):
    audit = audit_in_state(Audit.Status.REPORT_DRAFT, commissioner=commissioner, staff=staff)
    client.force_login(staff)
    with translation.override("en"):
        new_version = reverse("audits:report_request", args=[audit.pk])
        report_page = reverse("audits:report", args=[audit.pk])

    # Outside a test the job is handed over when the POST's transaction commits, before the
    # redirect is followed; here the callbacks run when this block ends.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(new_version)
    page = client.get(response.url)

    assert page.status_code == 200
    assert KEPT_MESSAGE in page.content.decode()
    version = audit.reports.get()
    assert version.status == ReportVersion.Status.QUEUED
    kept = PendingTask.objects.get()
    assert (kept.task, kept.args) == ("audits.tasks.generate_report", [version.pk])

    # Pressing again while it waits gives the same version, not a second job.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(new_version)
    assert audit.reports.count() == 1
    assert PendingTask.objects.count() == 1

    # Redis is back (eager: the worker takes the job at once) and beat sends what was kept.
    celery_app.conf.task_always_eager = True
    assert queue.send_pending() == 1

    version.refresh_from_db()
    kept.refresh_from_db()
    assert version.status == ReportVersion.Status.READY
    assert version.size > 0
    assert kept.sent_at is not None
    assert KEPT_MESSAGE not in client.get(report_page).content.decode()


# --- Double-submit keys ------------------------------------------------------------------


def test_a_submission_key_is_remembered_per_scope_and_a_form_without_one_never_is(
    empty_cache,
):
    key = "0b6f7a4e-3a63-4f0f-9d5d-0b7b8f8f2b11"
    sent = faults.Submission.of("surveys:code-batch:1", key)
    assert sent.earlier() is None
    sent.remember(42)

    assert faults.Submission.of("surveys:code-batch:1", key).earlier() == 42
    # The same key for another thing (another survey) is another submission.
    assert faults.Submission.of("surveys:code-batch:2", key).earlier() is None
    # A form without a key (a page from before it) is never taken for a second send.
    keyless = faults.Submission.of("surveys:code-batch:1", "")
    keyless.remember()
    assert keyless.earlier() is None


def test_a_form_with_the_mixin_issues_a_new_key_with_each_empty_form():
    from django import forms

    class Upload(faults.SubmissionKeyMixin, forms.Form):
        title = forms.CharField()

    first, second = Upload(), Upload()
    assert first.initial["submission_id"] != second.initial["submission_id"]
    assert 'type="hidden" name="submission_id"' in str(first["submission_id"])
    sent = Upload({"title": "x", "submission_id": str(first.initial["submission_id"])})
    assert sent.is_valid() and sent.submission_key == str(first.initial["submission_id"])
    old_page = Upload({"title": "x"})
    assert old_page.is_valid() and old_page.submission_key == ""
