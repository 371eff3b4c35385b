"""Settings in production mode, checked in fresh processes as a server would start them."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

# Variables settings.py or Django read; the test process's own values must not leak into
# the child (conftest.py sets DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rejects).
INHERITED_VARIABLES = (
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_FILESYSTEM_ROOT",
    "CELERY_TASK_ALWAYS_EAGER",
    "EMAIL_URL",
    "SQLITE_TEST_NAME",
    "SECURE_SSL_REDIRECT",
    "BEHIND_TLS_PROXY",
    "SECURE_HSTS_SECONDS",
)


def production_secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!#%&()*+,-./:;<=>?@[]^_{|}~"
    return "".join(secrets.choice(alphabet) for _ in range(60))


def run_django(args: list[str], tmp_path: Path, **variables: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in INHERITED_VARIABLES}
    env.update(DJANGO_SETTINGS_MODULE="brukarkraft.settings", VAR_DIR=str(tmp_path), **variables)
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production(tmp_path: Path, **overrides: str) -> dict[str, str]:
    variables = {
        "DEBUG": "false",
        "SECRET_KEY": production_secret_key(),
        "ALLOWED_HOSTS": "portal.example.se",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    variables.update(overrides)
    return {key: value for key, value in variables.items() if value is not None}


def test_production_mode_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_django(
        ["-c", "import django; django.setup()"], tmp_path, **production(tmp_path, SECRET_KEY=None)
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_mode_refuses_the_published_development_key(tmp_path):
    from brukarkraft.settings import DEVELOPMENT_SECRET_KEY

    result = run_django(
        ["manage.py", "check"],
        tmp_path,
        **production(tmp_path, SECRET_KEY=DEVELOPMENT_SECRET_KEY),
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_development_mode_starts_without_any_environment(tmp_path):
    result = run_django(["manage.py", "check"], tmp_path)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        **production(tmp_path),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_mode_turns_on_secure_cookies_hsts_and_the_proxy_header(tmp_path):
    script = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS > 0, s.SECURE_PROXY_SSL_HEADER, s.DEBUG)"
    )
    result = run_django(["-c", script], tmp_path, **production(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "False",
    ]


def test_check_deploy_fails_on_the_filesystem_broker_in_production(tmp_path):
    result = run_django(
        ["manage.py", "check", "--deploy"],
        tmp_path,
        **production(tmp_path, REDIS_URL=None),
    )

    assert result.returncode != 0
    assert "brukarkraft.E001" in result.stderr
    assert "filesystem transport" in result.stderr


def test_the_broker_check_is_silent_with_redis_or_in_development(settings):
    from brukarkraft.checks import check_broker_in_production

    settings.DEBUG = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    assert check_broker_in_production(None) == []

    settings.DEBUG = True
    settings.CELERY_BROKER_URL = "filesystem://"
    assert check_broker_in_production(None) == []


@pytest.mark.parametrize("value", ["False", "0", "off"])
def test_debug_is_off_for_every_usual_spelling_of_false(tmp_path, value):
    result = run_django(
        ["-c", "from django.conf import settings; print(settings.DEBUG)"],
        tmp_path,
        **production(tmp_path, DEBUG=value),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
