"""Answering on a shared device: a library computer, a day centre's tablet.

The next person at the screen must see nothing of the last one's answers: answering pages
are never stored by the browser or a proxy (Cache-Control: no-store), the respondent's
place in the session ends when the answers are sent, and it expires after
SURVEY_IDLE_MINUTES without activity (the answers stay saved; the code continues them).
"""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.utils.cache import add_never_cache_headers
from django.utils.translation import ngettext

SESSION_LAST_SEEN = "survey_last_seen"
SESSION_SENT = "survey_sent"
# Seconds between two writes of the last activity: not a session write on every page.
ACTIVITY_WRITE_INTERVAL = 30


def idle_minutes() -> int:
    return settings.SURVEY_IDLE_MINUTES


def shared_device(*keys: str):
    """Decorate an answering view; `keys` are the session keys that hold the respondent's place."""
    keys = (*keys, SESSION_SENT)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            _expire_when_idle(request, keys)
            response = view(request, *args, **kwargs)
            _touch(request, keys)
            add_never_cache_headers(response)
            return response

        return wrapped

    return decorator


def _idle_seconds(request, keys: tuple[str, ...]) -> int | None:
    """Seconds since the respondent's last activity; None when there is no place to keep."""
    if not any(key in request.session for key in keys):
        return None
    last = request.session.get(SESSION_LAST_SEEN)
    return ACTIVITY_WRITE_INTERVAL if last is None else int(time.time()) - last


def _expire_when_idle(request, keys: tuple[str, ...]) -> None:
    session = request.session
    idle = _idle_seconds(request, keys)
    minutes = idle_minutes()
    if idle is not None and SESSION_LAST_SEEN in session and idle > minutes * 60:
        for key in (*keys, SESSION_LAST_SEEN):
            session.pop(key, None)
        session.cycle_key()
        messages.info(
            request,
            ngettext(
                "The survey was closed on this device after %(minutes)d minute without"
                " activity. Your answers are saved: continue with your code.",
                "The survey was closed on this device after %(minutes)d minutes without"
                " activity. Your answers are saved: continue with your code.",
                minutes,
            )
            % {"minutes": minutes},
        )


def _touch(request, keys: tuple[str, ...]) -> None:
    session = request.session
    idle = _idle_seconds(request, keys)
    minutes = idle_minutes()
    if idle is not None and idle >= ACTIVITY_WRITE_INTERVAL:
        session[SESSION_LAST_SEEN] = int(time.time())
        if not request.user.is_authenticated:
            # The session itself dies too, should nobody come back to this device.
            session.set_expiry(minutes * 60 + ACTIVITY_WRITE_INTERVAL)


def end_answering(request, *keys: str, survey_id: int, easy_read: bool) -> None:
    """The answers are sent: the respondent's place (`keys`) ends, and only "this device has
    just sent this survey" is kept, so the thank-you page can be shown."""
    if request.user.is_authenticated:
        # Someone logged in (staff trying the survey) stays logged in.
        for key in keys:
            request.session.pop(key, None)
        request.session.cycle_key()
    else:
        request.session.flush()
    request.session[SESSION_SENT] = {"survey": survey_id, "easy": easy_read}
    request.session[SESSION_LAST_SEEN] = int(time.time())


def just_sent(request, survey_id: int) -> dict | None:
    """What end_answering kept, when it was this survey; None otherwise."""
    sent = request.session.get(SESSION_SENT)
    return sent if sent and sent.get("survey") == survey_id else None
