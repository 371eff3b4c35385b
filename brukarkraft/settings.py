"""Settings for the Brukarkraft portal, read from the environment.

With no environment set, everything runs for development: SQLite, kombu's
filesystem transport as the Celery broker, e-mail to the console. Production sets
DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

# The development key is public; production must never run on it.
DEVELOPMENT_SECRET_KEY = "django-insecure-brukarkraft-development-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Where runtime files of a development install live (SQLite, broker folders, uploads).
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Trigram lookups (pg_trgm) for the library's typo corrections; inert on SQLite.
    "django.contrib.postgres",
    # Django's own widget templates, for FORM_RENDERER below.
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "brukarkraft",
    "audits",
    "surveys",
    "councils",
    "resources",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "brukarkraft.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Below the locale middleware so the page for a database fault is in the user's language.
    "brukarkraft.faults.DatabaseErrorMiddleware",
    # The same for the file store: a download or upload it cannot serve gives a 503 page.
    "brukarkraft.storage.StorageErrorMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sees the response after every middleware below it, so it has the last word on caching.
    "brukarkraft.middleware.NoStoreWhenLoggedInMiddleware",
    # Above the staff-session middleware, whose logout leaves a message for the login page.
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "brukarkraft.middleware.StaffSessionMiddleware",
    "brukarkraft.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "brukarkraft.urls"
WSGI_APPLICATION = "brukarkraft.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "brukarkraft.context_processors.portal",
            ],
        },
    },
]

# Database: PostgreSQL in production and CI, SQLite file for development.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the Celery worker write to the same file: WAL and an
    # immediate write lock avoid "database is locked" under that concurrency.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": env.str("SQLITE_TEST_NAME", default="") or None}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    # django-redis rather than Django's own backend: with IGNORE_EXCEPTIONS a Redis outage
    # turns cache reads into misses instead of error pages (rate limits fail open, pages
    # still render); the outage is logged. Short timeouts keep a dead Redis from stalling
    # every request.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Several deployments (or test runs) may share one Redis: each keeps its own keys.
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="brukarkraft"),
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
                "SOCKET_TIMEOUT": env.float("REDIS_TIMEOUT", default=0.5),
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "brukarkraft.redis"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# State that must be the same on every machine, so a visitor moved to another web node
# mid-journey notices nothing (brukarkraft/checks.py refuses a production set-up that breaks
# this). How many machines run web processes or workers: more than one needs REDIS_URL and
# an object store (MEDIA_S3_BUCKET).
PORTAL_NODES = env.int("PORTAL_NODES", default=1)
# Sessions in the database, every node reads the same ones.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Messages ride in a cookie (the session when too big): they follow the browser, not the node.
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"
# Login lock-outs are rows in the database (axes' AccessAttempt), seen by every node.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Rate-limit counts and the once-only keys of e-mails live in the default cache: Redis when
# REDIS_URL is set (above), shared by every web process and worker.
RATELIMIT_USE_CACHE = "default"

AUTH_USER_MODEL = "brukarkraft.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "brukarkraft.backends.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Login throttling: five failures for one e-mail address from one client lock
# that pair out for 15 minutes. The database handler works across processes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Per e-mail address AND client address: a lock-out never stops the real user logging in
# from elsewhere. The address is read as the rate limits read it.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "brukarkraft.ratelimits.client_ip"
# The login form's field is "username" (it holds the e-mail address); axes would
# otherwise look for USERNAME_FIELD ("email"), find nothing and lock by IP alone.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The log of successful logins is kept this long (the privacy notice says so); a daily
# Celery beat task deletes older rows.
LOGIN_LOG_RETENTION_DAYS = env.int("LOGIN_LOG_RETENTION_DAYS", default=90)

# Internationalisation: Swedish by default, Norwegian bokmål and English.
LANGUAGE_CODE = "sv"
LANGUAGES = [
    ("sv", _("Swedish")),
    ("nb", _("Norwegian Bokmål")),
    ("en", _("English")),
]
LOCALE_PATHS = [
    BASE_DIR / "locale",
    # The admin's third-party apps (axes, django-otp, import-export, simple-history) in sv and
    # nb, which they do not ship: kept by hand, so makemessages (--no-obsolete) never prunes it.
    BASE_DIR / "locale" / "vendor",
]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
# Uploads are never served from the web root; views check permissions and stream them.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploads and generated PDFs: local disk by default; with MEDIA_S3_BUCKET set, an
# S3-compatible object store (AWS, MinIO, Ceph, a Swedish cloud) that every web and worker
# machine shares. The bucket must be private: files are only ever served through views
# that check permissions (they stream from the storage, never redirect to it). Both storage
# classes (brukarkraft/storage.py) turn the store's faults into one StorageUnavailable, which
# gives the visitor a 503 page and makes a file-writing task retry.
MEDIA_S3_BUCKET = env.str("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    from botocore.config import Config as _S3Config

    _S3_ENDPOINT = env.str("MEDIA_S3_ENDPOINT_URL", default="") or None
    _DEFAULT_STORAGE = {
        "BACKEND": "brukarkraft.storage.ObjectStorage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": _S3_ENDPOINT,
            "region_name": env.str("MEDIA_S3_REGION", default="") or None,
            "access_key": env.str("MEDIA_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("MEDIA_S3_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            # Should a signed link ever be made (the admin's "currently" link), it is short-lived.
            "querystring_expire": env.int("MEDIA_S3_URL_SECONDS", default=300),
            "file_overwrite": False,
            "location": env.str("MEDIA_S3_PREFIX", default="media"),
            # A download is read into memory, never spooled to this machine's disk.
            "max_memory_size": 0,
            # A store that is down must fail a request within seconds, not hang it: short
            # timeouts and few retries (a task retries later, with back-off, on its own).
            # Path-style addressing for a store at its own address (MinIO, Ceph), where a
            # bucket name as a host name would not resolve; AWS itself takes either.
            "client_config": _S3Config(
                connect_timeout=env.float("MEDIA_S3_CONNECT_TIMEOUT", default=2.0),
                read_timeout=env.float("MEDIA_S3_READ_TIMEOUT", default=10.0),
                retries={
                    "max_attempts": env.int("MEDIA_S3_ATTEMPTS", default=3),
                    "mode": "standard",
                },
                s3={
                    "addressing_style": env.str(
                        "MEDIA_S3_ADDRESSING_STYLE", default="path" if _S3_ENDPOINT else "auto"
                    )
                },
            ),
        },
    }
else:
    _DEFAULT_STORAGE = {"BACKEND": "brukarkraft.storage.LocalStorage"}
# Production serves hashed names (cached for ever) with gzip and Brotli copies made by
# collectstatic. STATIC_COMPRESS=false skips the compressed copies, which take most of
# collectstatic's time (about 20 s): for throwaway production-shaped runs (the multinode
# test), never for a real deployment.
STATIC_COMPRESS = env.bool("STATIC_COMPRESS", default=True)
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_COMPRESS
            else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_PERMISSIONS = 0o640

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Every form, the admin's included (brukarkraft/forms_rendering.py): widgets render through
# TEMPLATES like pages, so templates/ can override a widget's template (the admin's
# date-and-time widget, templates/admin/widgets/, labels its two inputs); text fields show
# their limit and are never cut by the browser; choice lists start with a real prompt
# instead of "---------".
FORM_RENDERER = "brukarkraft.forms_rendering.PortalFormRenderer"

# Admin downloads (django-import-export): text that a spreadsheet would run as a formula
# goes out inert, and XLSX text cells are text (brukarkraft/exports.py, used by every
# CSV and XLSX the portal writes). HTML, YAML and the like are not offered.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
from brukarkraft.exports import FORMATS  # noqa: E402

IMPORT_EXPORT_FORMATS = FORMATS

# E-mail: to the console in development; EMAIL_URL (smtp+tls://user:pass@host:587) in production.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Brukarkraft <noreply@brukarkraft.se>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Staff who receive accessibility feedback and other notices from the portal.
PORTAL_CONTACT_EMAIL = env.str("PORTAL_CONTACT_EMAIL", default="resurscentrum@brukarkraft.se")

# Celery: Redis in production; kombu's filesystem transport needs no server.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_FILESYSTEM_ROOT = Path(env.str("CELERY_FILESYSTEM_ROOT", default=str(VAR_DIR / "celery")))
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_ROOT / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_ROOT / "queue"),
        "processed_folder": str(CELERY_FILESYSTEM_ROOT / "processed"),
        # kombu keeps exchange bindings here; its default is "control" in the working directory.
        "control_folder": str(CELERY_FILESYSTEM_ROOT / "control"),
        "store_processed": False,
    }
else:
    # A task not acknowledged within this time is delivered again (acks_late).
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The queue every task goes to and every worker reads. Deployments sharing one Redis give
# each its own queue and key prefix (CELERY_BROKER_KEY_PREFIX, below), so that no worker
# takes another's jobs and no restore of unacknowledged messages touches another's.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 50
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
# The core's own periodic tasks; each app adds its own from its portal_hooks
# (brukarkraft.celery.merge_app_beat_jobs).
CELERY_BEAT_SCHEDULE = {
    "purge-login-log": {
        "task": "brukarkraft.tasks.purge_login_log",
        "schedule": crontab(hour=3, minute=17),
    },
    "apply-retention": {
        "task": "brukarkraft.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=47),
    },
    "send-pending-tasks": {
        "task": "brukarkraft.tasks.send_pending_tasks",
        "schedule": crontab(minute="*"),
    },
}
if not CELERY_BROKER_URL.startswith("filesystem"):
    # A dead Redis must fail a publish within seconds (the request is then kept in the
    # database and sent later by send-pending-tasks), not hang the web request.
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        {"socket_connect_timeout": 2, "socket_timeout": 2, "max_retries": 1}
    )
    # Three times the task time limit: a task whose worker died is delivered again within
    # 15 minutes, and no task still running is ever delivered twice.
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = env.int(
        "CELERY_VISIBILITY_TIMEOUT", default=900
    )
    if _broker_key_prefix := env.str("CELERY_BROKER_KEY_PREFIX", default=""):
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = _broker_key_prefix

if REDIS_URL:
    # Beat may run on every worker machine: celery-redbeat keeps the schedule and when each
    # job last ran in Redis, and a lock there lets only one beat send. The holder renews the
    # lock on every tick (at most BEAT_MAX_LOOP_INTERVAL seconds apart); if its machine
    # dies, the lock runs out after BEAT_LOCK_TIMEOUT seconds and another beat, which polls
    # for it every BEAT_MAX_LOOP_INTERVAL seconds, takes over and sends what fell due.
    # redbeat records a job as run before it sends it, so a beat killed in between loses
    # that one send rather than doubling it. The embedded default (no REDIS_URL) keeps the
    # plain beat and its schedule file.
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_URL
    # Given explicitly: otherwise redbeat falls back to the broker's options and warns.
    CELERY_REDBEAT_REDIS_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
    # Several deployments (or test runs) on one Redis keep their schedules and locks apart.
    CELERY_REDBEAT_KEY_PREFIX = env.str("BEAT_KEY_PREFIX", default="brukarkraft:beat")
    CELERY_BEAT_MAX_LOOP_INTERVAL = env.int("BEAT_MAX_LOOP_INTERVAL", default=5)
    CELERY_REDBEAT_LOCK_TIMEOUT = env.int("BEAT_LOCK_TIMEOUT", default=30)
    if CELERY_REDBEAT_LOCK_TIMEOUT <= CELERY_BEAT_MAX_LOOP_INTERVAL:
        # The holder renews the lock once per tick: a shorter lock would run out between two
        # ticks and let a second beat send too.
        raise ImproperlyConfigured(
            "BEAT_LOCK_TIMEOUT must be longer than BEAT_MAX_LOOP_INTERVAL "
            f"({CELERY_REDBEAT_LOCK_TIMEOUT} <= {CELERY_BEAT_MAX_LOOP_INTERVAL})."
        )

# How long personal data and working material are kept (days). The retention task deletes
# what is due every night; the staff page "What we keep" lists these same figures.
RETENTION_DAYS = {
    # One-time survey codes never used, counted from the survey's close.
    "unused_survey_codes": env.int("RETAIN_UNUSED_SURVEY_CODES_DAYS", default=90),
    # Orders and other drafts nobody touched, counted from their last change.
    "abandoned_drafts": env.int("RETAIN_ABANDONED_DRAFTS_DAYS", default=180),
    # Report versions superseded by a later one (never the approved one).
    "old_report_versions": env.int("RETAIN_OLD_REPORT_VERSIONS_DAYS", default=365),
    # Requests that could not reach the queue and were later sent.
    "sent_pending_tasks": env.int("RETAIN_SENT_PENDING_TASKS_DAYS", default=30),
    # Accessibility feedback once resolved (the privacy notice promises two years at most).
    "handled_feedback": env.int("RETAIN_HANDLED_FEEDBACK_DAYS", default=730),
}
# A report version queued or being made for longer than this has lost its job (its worker
# died, or Redis lost the queue); the beat's sweep sends it again. Well beyond the task's
# time limit in production; the multinode test shortens it to seconds.
REPORT_STALE_AFTER_SECONDS = env.int("REPORT_STALE_AFTER_SECONDS", default=15 * 60)
# The report bank's public PDF is tried at most this many times for each publishing (the
# job on publishing, then beat's sweep every REPORT_STALE_AFTER_SECONDS). After that the
# sweep stops sending it, logs an error and the staff's publication page shows that it
# failed, with a button to try again. The internal report's limit is
# audits.services.report.MAX_REPORT_DELIVERIES.
PUBLIC_REPORT_MAX_ATTEMPTS = env.int("PUBLIC_REPORT_MAX_ATTEMPTS", default=3)
# Audits' field notes and coded passages, counted from the approval of the audit's report
# (about three months); the findings and their counts stay.
FIELD_NOTES_RETENTION_DAYS = env.int("FIELD_NOTES_RETENTION_DAYS", default=92)
RETENTION_DAYS["field_notes"] = FIELD_NOTES_RETENTION_DAYS

# Content-Security-Policy (django-csp): no inline scripts or styles anywhere, so none are
# allowed; everything comes from this site. Reports of violations go to the log.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Features the portal never uses are switched off for every page.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)

# Two-factor authentication (django-otp, TOTP app with backup codes) for staff and admin
# accounts. Required whenever DEBUG is off; with DEBUG on the demo accounts log in with
# their password alone, so `make run` stays one step.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "Brukarkraft"
# Staff and admin sessions end after this many idle minutes and when the browser closes.
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
# A survey respondent's place (a signed cookie) is forgotten after this many idle minutes,
# and when the answers are sent, so the next person at a shared computer sees nothing of
# the last one's answers; the answers stay saved and their code continues them.
SURVEY_IDLE_MINUTES = env.int("SURVEY_IDLE_MINUTES", default=20)

# Rate limits on the public endpoints (django-ratelimit), counted in the cache, i.e. in
# Redis in production, so they hold across every web process. Per client address, except
# answering a survey: per respondent, since a whole day centre may answer from one Wi-Fi
# (surveys.place.respondent_key); only code attempts count per address there, and
# starting (which stores a response) has a generous limit per address as a backstop.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_VIEW = "brukarkraft.views.errors.rate_limited"
# A Redis outage must not lock the public out: limits fail open (and it is logged).
RATELIMIT_FAIL_OPEN = True
# Where the client's address is read, for every rate limit and for axes' lock-outs: behind
# the reverse proxy (production), the header it writes the client's address into; every
# request's REMOTE_ADDR is then the proxy's own.
CLIENT_IP_META_KEY = env.str(
    "CLIENT_IP_META_KEY", default="REMOTE_ADDR" if DEBUG else "HTTP_X_REAL_IP"
)
RATELIMIT_IP_META_KEY = "brukarkraft.ratelimits.client_ip"
RATE_LIMITS = {
    "login": env.str("RATE_LIMIT_LOGIN", default="20/m"),
    "password_reset": env.str("RATE_LIMIT_PASSWORD_RESET", default="5/m"),
    "order": env.str("RATE_LIMIT_ORDER", default="30/m"),
    "survey": env.str("RATE_LIMIT_SURVEY", default="120/m"),
    # Per address, on starting a survey only: far above what a room of people can do.
    "survey_start": env.str("RATE_LIMIT_SURVEY_START", default="3000/m"),
    "feedback": env.str("RATE_LIMIT_FEEDBACK", default="10/m"),
    # Every request to the open data (API, CSV files, feeds), per client address: counted
    # by DRF's throttle in the same cache (audits/opendata/throttles.py).
    "open_data": env.str("RATE_LIMIT_OPEN_DATA", default="120/m"),
}
# The open-data API (audits/opendata/, docs/open-data.md): read-only, public, anonymous.
# No authentication at all, so no session or CSRF is involved and every caller is counted
# by the open-data throttle; JSON only (the HTML pages about it are the portal's own).
OPEN_DATA_LICENCE_NAME = "CC BY 4.0"
OPEN_DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["audits.opendata.throttles.OpenDataThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Brukarkraft open data",
    "DESCRIPTION": (
        "The published user-audit reports of the report bank: audits, findings and "
        "improvement proposals with the services' responses and follow-up. Read-only. "
        "Nothing personal is published. Licence: CC BY 4.0; name Brukarkraft as the source."
    ),
    "VERSION": "1",
    "LICENSE": {"name": OPEN_DATA_LICENCE_NAME, "url": OPEN_DATA_LICENCE_URL},
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # One named enum for each choice set, however many fields and filters use it.
    "ENUM_NAME_OVERRIDES": {
        "ThemeEnum": "audits.models.choices.Theme",
        "ServiceAreaEnum": "audits.models.choices.ServiceArea",
    },
}

if not REDIS_URL:
    # Development and the test suite run on one process with the local-memory cache.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Security: all of this is on whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe /healthz over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    if env.bool("BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No personal data in logs: every record passes a filter that masks e-mail addresses,
# personal identity numbers and phone numbers before any handler writes it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "brukarkraft.logging.RedactPersonalData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
