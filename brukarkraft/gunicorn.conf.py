"""gunicorn settings for the portal's web processes, read from the environment.

    gunicorn --config brukarkraft/gunicorn.conf.py          # or: make serve

Every machine that serves the portal runs this with the same environment as the Celery
workers (README, "Production"). The variables read here are only about the web process:

    WEB_CONCURRENCY       worker processes (default 2 × cores + 1, at most 8)
    GUNICORN_BIND         address to listen on (default 127.0.0.1:8000; 0.0.0.0:8000 when
                          the load balancer is on another machine)
    GUNICORN_TIMEOUT      seconds a request may take before its worker is replaced (30)
    GUNICORN_MAX_REQUESTS requests a worker serves before it is replaced (1000, 0 = never)
    FORWARDED_ALLOW_IPS   the proxies whose X-Forwarded-* headers are trusted (127.0.0.1,::1)
    GUNICORN_ACCESS_LOG   "-" for standard output (default), a file, or "off"
    LOG_LEVEL             as for Django (INFO)
"""

from __future__ import annotations

import os
import re

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def default_workers(cores: int | None = None) -> int:
    """2 × cores + 1, gunicorn's advice for sync workers, capped so a big machine does not
    open more database connections than PostgreSQL's max_connections allows for."""
    cores = cores or os.cpu_count() or 1
    return min(2 * cores + 1, 8)


wsgi_app = "brukarkraft.wsgi:application"
# Relative to this file, so the command works from any directory.
chdir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")]
workers = _int("WEB_CONCURRENCY", default_workers())
# Sync workers: every view is short (PDFs, exports and e-mail run in Celery), and a sync
# worker holds at most one database connection. Slow clients are the proxy's to buffer.
worker_class = "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# The heartbeat file is touched often; on a disk-backed /tmp that can stall a worker long
# enough to be killed. /dev/shm is memory.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# Replace each worker now and then so slow leaks (in any library) never grow without
# bound; the jitter keeps the workers from all restarting at the same moment.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", max(max_requests // 10, 0))
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Not preloaded: each worker imports the app after the fork. Preloading would save a few
# megabytes per worker, but anything that connects at import time (a Redis or database
# client) would be opened once in the master and its socket shared by every child, and
# `kill -HUP` would no longer load new code on a release. A worker starts in about a second.
preload_app = False

loglevel = os.environ.get("LOG_LEVEL", "info").lower()
errorlog = "-"
_access_log = os.environ.get("GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access_log.lower() in ("off", "none", "false", "") else _access_log
# Path only (%(U)s), never the query string (%(r)s and %(q)s carry search words, resume
# codes and other things people type), no client address, user agent or referrer: the
# access log holds no personal data. %(M)s is the time taken in milliseconds.
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

# Path segments that are secrets even without a query string.
SECRET_PATH_PARTS = [
    # The password-reset link: /accounts/password/reset/<uidb64>/<token>/.
    (re.compile(r"(/accounts/password/reset/)(?!sent/|complete/)[^/]+/[^/]+/"), r"\1…/…/"),
    # The link that confirms a new account's e-mail address.
    (re.compile(r"(/accounts/sign-up/confirm/)[^/]+/"), r"\1…/"),
    # A person's page for staff names the person in its address.
    (re.compile(r"(/staff/people/)[^/]+/"), r"\1…/"),
]


def redact_path(path: str | None) -> str:
    """The request path with the secret parts of the address replaced by an ellipsis."""
    path = path or ""
    for pattern, replacement in SECRET_PATH_PARTS:
        path = pattern.sub(replacement, path)
    return path


class PortalLogger(Logger):
    """gunicorn's logger with secret path parts masked and the portal's personal-data filter
    on both logs, as on Django's own."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        from brukarkraft.logging import RedactPersonalData

        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactPersonalData) for f in log.filters):
                log.addFilter(RedactPersonalData())

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms.get("U"))
        return atoms


logger_class = PortalLogger
