"""Where a respondent is: which response is theirs, kept in a signed cookie.

Not in the database session, which would cost a read of the session row on every
question page, and not in Redis: answering must keep working while Redis is down. The
cookie holds, per survey, only the response's id and the code the respondent was shown
to continue later. It is signed with the secret key, so it cannot be forged or pointed
at someone else's response, sent only over HTTPS in production and never readable by
scripts.

Shared computers: the cookie expires after SURVEY_IDLE_MINUTES without a page (it is
renewed on every answering page, and its signature carries the time, so an old copy
is refused by the server too), and sending the answers ends it: what is left for that
survey is a bare "sent" mark, enough to thank the person and nothing more.
"""

from __future__ import annotations

import json
import secrets
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from brukarkraft.ratelimits import client_ip

COOKIE = "bk_answering"
SALT = "surveys.place"
# A person may have a few surveys going at once; older entries give way.
MAX_ENTRIES = 5


def idle_seconds() -> int:
    return settings.SURVEY_IDLE_MINUTES * 60


class Place:
    """The respondent's surveys: {survey id: {"r": response id, "c": code} or {"sent": 1, "e": easy}}.

    `id` is a random name for the browser, only for counting its posts (respondent_key).
    """

    def __init__(self, entries: dict[str, dict], had_cookie: bool, id: str = "") -> None:
        self.entries = entries
        self.had_cookie = had_cookie
        self.id = id

    @classmethod
    def read(cls, request: HttpRequest) -> Place:
        # A forged, altered or expired cookie reads as none (get_signed_cookie's default).
        raw = request.get_signed_cookie(COOKIE, default="", salt=SALT, max_age=idle_seconds())
        try:
            value = json.loads(raw) if raw else {}
        except ValueError:
            value = {}
        entries = value.get("s") if isinstance(value, dict) else None
        if not isinstance(entries, dict):
            return cls({}, COOKIE in request.COOKIES)
        return cls(entries, COOKIE in request.COOKIES, str(value.get("i", "")))

    def response_ids(self) -> list[int]:
        return [entry["r"] for entry in self.entries.values() if "r" in entry]

    def code(self, survey_id: int) -> str | None:
        return self.entries.get(str(survey_id), {}).get("c") or None

    def is_sent(self, survey_id: int) -> bool:
        return bool(self.entries.get(str(survey_id), {}).get("sent"))

    def sent_easy_read(self, survey_id: int) -> bool:
        return bool(self.entries.get(str(survey_id), {}).get("e"))

    def remember(self, *, survey_id: int, response_id: int, code: str | None) -> None:
        self.entries.pop(str(survey_id), None)
        self.entries[str(survey_id)] = {"r": response_id, **({"c": code} if code else {})}
        while len(self.entries) > MAX_ENTRIES:
            self.entries.pop(next(iter(self.entries)))

    def end(self, *, survey_id: int, easy_read: bool) -> None:
        """The answers are sent: forget the response and its code, keep only a thank-you mark."""
        self.entries[str(survey_id)] = {"sent": 1, **({"e": 1} if easy_read else {})}

    def write(self, response: HttpResponse) -> None:
        if not self.entries:
            if self.had_cookie:
                response.delete_cookie(COOKIE, path="/", samesite="Lax")
            return
        # The signature carries the time: the server refuses a copy older than the idle limit.
        response.set_signed_cookie(
            COOKIE,
            json.dumps(
                {"i": self.id or secrets.token_urlsafe(9), "s": self.entries}, separators=(",", ":")
            ),
            salt=SALT,
            max_age=idle_seconds(),
            path="/",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def keeps_place(view):
    """Give the view request.survey_place and write it back (renewed) on the way out.

    Answering pages are never kept by the browser or a proxy (no-store): on a shared
    computer, Back must not show the last person's answers.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.survey_place = Place.read(request)
        response = view(request, *args, **kwargs)
        request.survey_place.write(response)
        add_never_cache_headers(response)
        return response

    return wrapped


def respondent_key(group: str, request: HttpRequest) -> str:
    """Count a respondent's posts per respondent, never per address.

    Twenty people at a day centre answer at once from one Wi-Fi, i.e. one address: a
    limit per address would refuse them. A respondent is their browser (the signed
    cookie's random id, kept after the answers are sent) or, before they have one, the
    start key the server gave their form. Only a post that tries a code is counted per
    address, so codes cannot be guessed; starting (which stores a response) also has a
    generous limit per address ("survey_start").
    """
    if request.POST.get("code"):
        return f"ip:{client_ip(request)}"
    place = getattr(request, "survey_place", None) or Place.read(request)
    if place.id:
        return f"p:{place.id}"
    return "k:" + request.POST.get("start_key", "")[:64]
