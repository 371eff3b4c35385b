"""Rate limits on the public forms: a translated 429 page, nothing stored, and recovery."""

import socket
import uuid

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from audits.models import Audit
from brukarkraft.models import AccessibilityFeedback
from brukarkraft.tests.rate_limiting import stopped_rate_limit_clock
from surveys.models import Response
from surveys.services import new_start_key
from surveys.tests.factories import make_published_survey

pytestmark = pytest.mark.django_db

BLOCKED_SENTENCE = "You have sent many requests in a short time."
EASY_WORDS = "Wait a minute and try again. Nothing you wrote before is lost."


@pytest.fixture
def limits(settings, clock):
    """Two POSTs a minute on every public form, counted afresh for this test."""
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {name: "2/m" for name in settings.RATE_LIMITS}
    # A prefix of its own: the counts of other tests (in Redis, of other workers) stay apart.
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    return settings


@pytest.fixture
def clock():
    """django-ratelimit's clock, stopped: a test moves it to see the window pass."""
    with stopped_rate_limit_clock() as now:
        yield now


def url(name: str, language: str = "sv", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def feedback(**overrides) -> dict:
    return {
        "kind": AccessibilityFeedback.Kind.PROBLEM,
        "requested_format": "",
        "page_url": "",
        "message": f"The menu cannot be reached with the keyboard ({uuid.uuid4().hex[:6]}).",
        "name": "",
        "email": "",
        "submission_id": str(uuid.uuid4()),
        **overrides,
    }


def send_feedback(client, language="sv"):
    return client.post(url("feedback", language), feedback())


# --- The limit and its page ----------------------------------------------------------------


def test_the_third_feedback_in_a_minute_is_refused_and_not_stored(client, limits):
    assert send_feedback(client).status_code == 302
    assert send_feedback(client).status_code == 302

    response = send_feedback(client)

    assert response.status_code == 429
    assert AccessibilityFeedback.objects.count() == 2


def test_the_429_page_says_what_to_do_in_easy_words_with_a_way_back(client, limits):
    for _ in range(2):
        send_feedback(client, "en")

    response = send_feedback(client, "en")

    html = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="en">' in html
    assert "<h1>Too many requests</h1>" in html
    assert BLOCKED_SENTENCE in html
    assert EASY_WORDS in html
    assert 'href="/en/feedback/"' in html
    assert 'href="/en/"' in html


@pytest.mark.parametrize("language", ["sv", "nb"])
def test_the_429_page_is_in_the_language_of_the_address(client, limits, language):
    for _ in range(2):
        send_feedback(client, language)

    response = send_feedback(client, language)

    html = response.content.decode()
    with translation.override(language):
        translated = [gettext(BLOCKED_SENTENCE), gettext(EASY_WORDS), gettext("Too many requests")]
    assert response.status_code == 429
    assert f'<html lang="{language}">' in html
    assert all(text in html for text in translated)
    # Swedish and Norwegian visitors read their own language, not the English source.
    assert BLOCKED_SENTENCE not in html


def test_the_429_page_makes_no_database_query(client, limits, django_assert_num_queries):
    for _ in range(2):
        client.post(url("login"), {})

    with django_assert_num_queries(0):
        response = client.post(url("login"), {})

    assert response.status_code == 429


def test_the_429_page_carries_the_security_headers(client, limits):
    for _ in range(3):
        response = send_feedback(client)

    assert response.status_code == 429
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_limit_recovers_when_the_window_has_passed(client, limits, clock):
    for _ in range(2):
        send_feedback(client)
    assert send_feedback(client).status_code == 429

    clock[0] += 61

    assert send_feedback(client).status_code == 302
    assert AccessibilityFeedback.objects.count() == 3


def test_pages_are_still_shown_while_posts_are_refused(client, limits):
    for _ in range(3):
        send_feedback(client)

    assert client.get(url("feedback")).status_code == 200


def test_limits_are_counted_per_endpoint(client, limits):
    for _ in range(3):
        send_feedback(client)

    assert client.post(url("login"), {}).status_code == 200
    assert client.post(url("password_reset"), {"email": "a@example.se"}).status_code == 302


def test_limits_are_counted_per_client_address(client, limits):
    for _ in range(3):
        send_feedback(client)

    response = client.post(url("feedback"), feedback(), REMOTE_ADDR="192.0.2.44")

    assert response.status_code == 302


def test_the_limit_is_read_from_the_settings(client, limits):
    limits.RATE_LIMITS = {**limits.RATE_LIMITS, "feedback": "4/m"}

    statuses = [send_feedback(client).status_code for _ in range(5)]

    assert statuses == [302, 302, 302, 302, 429]


# --- Each public endpoint ---------------------------------------------------------------------


def test_login_is_limited(client, limits):
    for _ in range(2):
        client.post(url("login"), {"username": "x@example.se", "password": "wrong"})

    response = client.post(url("login"), {"username": "x@example.se", "password": "wrong"})

    assert response.status_code == 429
    # The refused attempt never reached authentication.
    assert AccessAttempt.objects.get().failures_since_start == 2


def test_the_login_lockout_after_five_wrong_passwords_still_works(client, commissioner, settings):
    # At the real rate (20 a minute) the account lockout of django-axes comes first.
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    for _ in range(4):
        client.post(url("login"), {"username": commissioner.email, "password": "wrong"})

    response = client.post(url("login"), {"username": commissioner.email, "password": "wrong"})

    assert response.status_code == 429
    assert "registration/lockout.html" in [t.name for t in response.templates]


def test_password_reset_is_limited(client, limits, mailoutbox, commissioner):
    for _ in range(2):
        client.post(url("password_reset"), {"email": commissioner.email})

    response = client.post(url("password_reset"), {"email": commissioner.email})

    assert response.status_code == 429
    assert len(mailoutbox) == 2


def test_starting_an_order_is_limited(client, limits, commissioner, organisation):
    client.force_login(commissioner)
    for _ in range(2):
        client.post(url("audits:order_start"), {"language": "sv"})
    Audit.objects.all().delete()

    response = client.post(url("audits:order_start"), {"language": "sv"})

    assert response.status_code == 429
    assert not Audit.objects.exists()


def test_registering_to_order_is_limited(client, limits):
    for _ in range(2):
        client.post(url("audits:order_register"), {})

    assert client.post(url("audits:order_register"), {}).status_code == 429


def test_the_order_steps_share_the_order_limit(client, limits, commissioner, organisation):
    client.force_login(commissioner)
    client.post(url("audits:order_start"), {"language": "sv"})
    audit = Audit.objects.get()
    client.post(url("audits:order_step", pk=audit.pk, step=1), {})

    response = client.post(url("audits:order_review", pk=audit.pk), {})

    assert response.status_code == 429
    audit.refresh_from_db()
    assert audit.status == Audit.Status.DRAFT


def test_answering_a_survey_is_limited(client, limits):
    survey = make_published_survey()
    start = reverse("surveys:answer_start", args=[survey.token])
    for _ in range(2):
        client.post(start, {"start_key": new_start_key()})

    response = client.post(start, {"start_key": new_start_key()})

    assert response.status_code == 429
    assert Response.objects.count() <= 2


def test_continuing_a_survey_with_a_code_is_limited(client, limits):
    resume = reverse("surveys:resume")
    for _ in range(2):
        client.post(resume, {"code": "ABCD-EFGH"})

    assert client.post(resume, {"code": "ABCD-EFGH"}).status_code == 429


# --- When the cache fails ----------------------------------------------------------------


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dead_redis(settings):
    """The cache is a Redis that does not answer, configured as in production."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_unused_port()}/15",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
            },
        }
    }
    yield settings
    cache.close()


def test_with_the_cache_down_requests_go_through(client, limits, dead_redis):
    statuses = [client.post(url("login"), {}).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 200]


def test_without_fail_open_a_dead_cache_would_block_everyone(client, limits, dead_redis):
    # Why RATELIMIT_FAIL_OPEN is set: django-ratelimit otherwise refuses every request.
    dead_redis.RATELIMIT_FAIL_OPEN = False

    assert client.post(url("login"), {}).status_code == 429


def _redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_is_up(), reason="needs Redis on 127.0.0.1:6379")
def test_in_redis_the_count_is_shared_by_everyone_using_it(client, limits):
    # Production keeps the counts in Redis, where every web process reads the same count.
    limits.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": f"brukarkraft-test-{uuid.uuid4().hex}",
        }
    }
    try:
        client.post(url("login"), {})
        client.post(url("login"), {})
        keys = list(cache.iter_keys(f"{limits.RATELIMIT_CACHE_PREFIX}*"))

        assert len(keys) == 1
        assert cache.get(keys[0]) == 2
        assert Client().post(url("login"), {}).status_code == 429
    finally:
        cache.delete_pattern(f"{limits.RATELIMIT_CACHE_PREFIX}*")
        cache.close()
