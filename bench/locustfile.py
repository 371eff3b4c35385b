"""The mixed load of a working day, for bench/load.py (see bench/README.md, "Load").

Four kinds of visitor, weighted as a day at the portal might look:

    LibraryVisitor  50  anonymous: the home page, the library, searches, filters, resource
                        pages, courses and a council's public page
    Respondent      25  anonymous: answers a survey from the first page to the submit, as a
                        browser does (every redirect followed, the CSRF token from each page)
    Auditor         15  logs in, opens their audit and its findings, and saves an edit of a
                        finding with the version it started from
    Staff           10  logs in with password and authenticator code, then reads the lists:
                        queue, audits (filtered and paged), feedback, library editor, surveys

Every visitor waits 1–3 s between pages (`between(1, 3)`), also inside a survey. What to
open comes from the plan file that load.py writes (BENCH_PLAN): resource slugs, survey
links and one-time codes, and one login per auditor and staff member (each virtual user
takes an account of its own, so two never edit the same finding or share a TOTP device).

A failure is anything but the expected status (200 for a page, 302 after a form post); the
message names the step.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import random
import struct
import time
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
from locust import FastHttpUser, between, events, task
from locustfile_surveys import TlsProxyCookiePolicy, _headers

# What load.py sets: measure for BENCH_MEASURE_SECONDS, starting BENCH_SETTLE_SECONDS after
# the last log-in of the step has finished (every logged-in user logs in when it starts, all
# within seconds, a burst people never make), then stop. Unset: locust's own --run-time.
SETTLE_SECONDS = float(os.environ.get("BENCH_SETTLE_SECONDS", "0"))
MEASURE_SECONDS = float(os.environ.get("BENCH_MEASURE_SECONDS", "0"))
LOGINS_UNDER_WAY = [0]
PLAN = json.loads(Path(os.environ["BENCH_PLAN"]).read_text(encoding="utf-8"))
# Accounts are handed out one per virtual user and given back when it stops.
FREE_AUDITORS = deque(PLAN["auditors"])
FREE_STAFF = deque(PLAN["staff"])
FREE_CODES = deque(PLAN["codes"])
LANGUAGE_PREFIXES = ["", "", "", "", "", "", "", "/en", "/en", "/nb"]


class StepFailed(Exception):
    pass


@events.init.add_listener
def _remember_environment(environment, **kwargs) -> None:
    global ENVIRONMENT  # noqa: PLW0603 — locust hands the environment to listeners only
    ENVIRONMENT = environment


@events.spawning_complete.add_listener
def _measure_after_the_logins(user_count: int, **kwargs) -> None:
    if not MEASURE_SECONDS:
        return

    def measure() -> None:
        gevent.sleep(1)  # the last users' on_start begins
        waited = 1.0
        while LOGINS_UNDER_WAY[0] > 0 and waited < 120:
            gevent.sleep(0.5)
            waited += 0.5
        gevent.sleep(SETTLE_SECONDS)
        logging.warning("log-ins done after %.1f s; measuring %s s", waited, MEASURE_SECONDS)
        ENVIRONMENT.stats.reset_all()
        gevent.sleep(MEASURE_SECONDS)
        ENVIRONMENT.runner.quit()

    gevent.spawn(measure)


# --- Forms -----------------------------------------------------------------------------------


class _FormParser(HTMLParser):
    """The fields of each <form> on a page as a browser would post them (no JavaScript)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_first: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": {}, "options": {}}
            self.forms.append(self._form)
        if self._form is None or not a.get("name") and tag != "option":
            return
        fields = self._form["fields"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("radio", "checkbox"):
                self._form["options"].setdefault(a["name"], []).append(a.get("value", "on"))
                if "checked" in a:
                    fields[a["name"]] = a.get("value", "on")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                fields[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            fields[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
            self._select_first = None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self._form["options"].setdefault(self._select, []).append(value)
            if self._select_first is None:
                self._select_first = value
                fields.setdefault(self._select, value)
            if "selected" in a:
                fields[self._select] = value

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea] += data


SIDE_FORMS = ("/language/", "/settings/")


def find_form(html: str, *, has: str = "csrfmiddlewaretoken") -> dict:
    """The first form on the page with a field named `has`, leaving out the small forms that
    pages carry besides their own (each with a CSRF token, and before it): the language
    switch on every page and a survey's reading settings (easy-to-read) on its pages."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form["action"].endswith(SIDE_FORMS):
            continue
        if has in form["fields"] or has in form["options"]:
            return form
    raise StepFailed(f"no form with {has!r}")


def totp(key_hex: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238, as django-otp's TOTPDevice checks it (SHA-1, 30 s, 6 digits)."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), "sha1").digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


# --- A browser ----------------------------------------------------------------------------


class PortalUser(FastHttpUser):
    """A browser behind the production TLS proxy: cookies, CSRF, redirects by hand."""

    abstract = True
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(TlsProxyCookiePolicy())
        self.headers = _headers(self.host)

    def page(self, path: str, name: str, *, expect: int = 200) -> str:
        return self._request("GET", path, name, expect=expect)

    def post(self, path: str, data: dict, name: str, *, expect: int = 302) -> str:
        return self._request("POST", path, name, expect=expect, data=data)

    def _request(self, method: str, path: str, name: str, *, expect: int, data=None) -> str:
        """The page, or the Location of a redirect when `expect` is 302; any other status
        than `expect` fails the step."""
        with self.client.request(
            method,
            path,
            data=data,
            name=name,
            headers=self.headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != expect:
                response.failure(f"{name}: HTTP {response.status_code} for {path}")
                raise StepFailed(name)
            return response.headers.get("Location", "") if expect == 302 else response.text

    def broken(self, name: str, error: Exception) -> None:
        """Count a flow that could not go on (a page without the form it should have) as an
        error, besides any HTTP failure already counted."""
        events.request.fire(
            request_type="FLOW",
            name=name,
            response_time=0,
            response_length=0,
            exception=error,
            context={},
        )

    def log_in(self, email: str, password: str) -> None:
        LOGINS_UNDER_WAY[0] += 1
        try:
            self._log_in(email, password)
        finally:
            LOGINS_UNDER_WAY[0] -= 1

    def _log_in(self, email: str, password: str) -> None:
        form = find_form(self.page("/accounts/login/", "login: GET"), has="password")
        fields = {**form["fields"], "username": email, "password": password}
        location = self.post("/accounts/login/", fields, "login: POST")
        for _hop in range(4):
            path = urlsplit(location).path
            if "/two-factor/verify/" in path:
                self._second_factor(location)
                return
            if "/two-factor/setup/" in path:
                raise StepFailed("staff account without an authenticator")
            if not path.startswith("/start/"):
                return
            location = self._maybe_redirect(location)
            if not location:
                return

    def _maybe_redirect(self, path: str) -> str:
        with self.client.get(
            path, name="login: start", headers=self.headers, allow_redirects=False
        ) as response:
            return response.headers.get("Location", "") if response.status_code == 302 else ""

    def _second_factor(self, location: str) -> None:
        page = self.page(location, "login: GET code page")
        form = find_form(page, has="code")
        for attempt in range(2):
            fields = {**form["fields"], "code": totp(PLAN["totp_key"])}
            with self.client.post(
                location,
                data=fields,
                name="login: POST code",
                headers=self.headers,
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code == 302:
                    return
                if attempt == 0:
                    # django-otp takes each code once per device; a login of the same
                    # account in the same 30 s (a short step before) waits for the next.
                    response.success()
                    time.sleep(30.5 - time.time() % 30)
                    form = find_form(response.text, has="code")
                    continue
                response.failure(f"login: code refused (HTTP {response.status_code})")
                raise StepFailed("second factor")


# --- Anonymous visitors --------------------------------------------------------------------


class LibraryVisitor(PortalUser):
    weight = 50

    def on_start(self) -> None:
        super().on_start()
        self.prefix = random.choice(LANGUAGE_PREFIXES)

    @task(1)
    def home(self) -> None:
        self.page(f"{self.prefix}/", "library: home")

    @task(3)
    def library(self) -> None:
        self.page(f"{self.prefix}/resources/", "library: list")

    @task(4)
    def search(self) -> None:
        query = urlencode({"q": random.choice(PLAN["search_words"])})
        self.page(f"{self.prefix}/resources/?{query}", "library: search")

    @task(2)
    def filter(self) -> None:
        choice = random.choice(PLAN["filters"])
        self.page(f"{self.prefix}/resources/?{urlencode(choice)}", "library: filter")

    @task(1)
    def next_page(self) -> None:
        page = random.randint(2, PLAN["library_pages"])
        self.page(f"{self.prefix}/resources/?page={page}", "library: page n")

    @task(4)
    def resource(self) -> None:
        slug = random.choice(PLAN["resources"])
        self.page(f"{self.prefix}/resources/{slug}/", "library: resource")

    @task(1)
    def courses(self) -> None:
        self.page(f"{self.prefix}/resources/courses/", "library: courses")

    @task(1)
    def council(self) -> None:
        self.page(f"{self.prefix}/councils/{random.choice(PLAN['councils'])}/", "councils: page")


class Respondent(PortalUser):
    weight = 25

    @task
    def answer_survey(self) -> None:
        self.client.cookiejar.clear()
        survey = random.choice(PLAN["surveys"])
        code = None
        if survey["codes"]:
            if not FREE_CODES:
                survey = next(s for s in PLAN["surveys"] if not s["codes"])
            else:
                code = FREE_CODES.popleft()
        base = f"/surveys/a/{survey['token']}/"
        try:
            form = find_form(self.page(base, "survey: GET start"), has="start_key")
            fields = {**form["fields"], "support": "alone"}
            if code:
                fields["code"] = code
            self.wait()
            location = self.post(base, fields, "survey: POST start")
            answered = 0
            while "/q/" in location:
                form = find_form(self.page(location, "survey: GET question"))
                fields = dict(form["fields"])
                for name, values in form["options"].items():
                    real = [value for value in values if value not in ("dk", "")]
                    if name.endswith("-answer") and real:
                        fields[name] = random.choice(real)
                fields["action"] = "next"
                self.wait()
                location = self.post(location, fields, "survey: POST answer")
                answered += 1
            if not location.endswith("/review/"):
                raise StepFailed(f"after {answered} answers: {location}")
            form = find_form(self.page(location, "survey: GET review"))
            self.wait()
            done = self.post(location, form["fields"], "survey: POST submit")
            if random.random() < 0.1:
                # Some people press twice; the second press must store nothing and land
                # on the same page.
                done = self.post(location, form["fields"], "survey: POST submit again")
            self.page(done, "survey: GET done")
        except StepFailed as error:
            self.broken("survey: flow broken", error)


# --- People who log in ---------------------------------------------------------------------


class AccountUser(PortalUser):
    """Logs in with an account of its own, taken from `accounts` and given back at the end."""

    abstract = True
    accounts: deque

    def email(self) -> str:
        return self.account

    def on_start(self) -> None:
        super().on_start()
        if not self.accounts:
            raise StepFailed(f"more {type(self).__name__} users than accounts in the plan")
        self.account = self.accounts.popleft()
        self.log_in(self.email(), PLAN["password"])

    def on_stop(self) -> None:
        if getattr(self, "account", None):
            self.accounts.append(self.account)


class Auditor(AccountUser):
    weight = 15
    accounts = FREE_AUDITORS

    def email(self) -> str:
        return self.account["email"]

    def on_start(self) -> None:
        super().on_start()
        self.audit = self.account["audit"]

    @task(1)
    def open_audit(self) -> None:
        self.page(f"/audits/{self.audit}/", "auditor: audit page")

    @task(1)
    def findings(self) -> None:
        self.page(f"/audits/{self.audit}/findings/", "auditor: findings")

    @task(2)
    def edit_finding(self) -> None:
        finding = random.choice(self.account["findings"])
        url = f"/audits/{self.audit}/findings/{finding}/edit/"
        try:
            form = find_form(self.page(url, "auditor: GET finding edit"), has="version")
            fields = dict(form["fields"])
            stamp = time.strftime("%H:%M:%S")
            fields["description"] = (
                fields.get("description", "").split(" [bench ")[0] + f" [bench {stamp}]"
            )
            self.wait()
            location = self.post(url, fields, "auditor: POST finding edit")
            self.page(location.split("#")[0], "auditor: findings after save")
        except StepFailed as error:
            self.broken("auditor: edit broken", error)


class Staff(AccountUser):
    weight = 10
    accounts = FREE_STAFF

    @task(2)
    def start_page(self) -> None:
        self.page("/start/staff/", "staff: start page")

    @task(3)
    def queue(self) -> None:
        self.page("/audits/queue/", "staff: audit queue")

    @task(3)
    def audit_list(self) -> None:
        self.page("/audits/", "staff: audit list")

    @task(2)
    def audit_list_filtered(self) -> None:
        query = urlencode(random.choice(PLAN["audit_filters"]))
        self.page(f"/audits/?{query}", "staff: audit list filtered")

    @task(1)
    def audit_list_page(self) -> None:
        page = random.randint(2, PLAN["audit_pages"])
        self.page(f"/audits/?page={page}", "staff: audit list page n")

    @task(2)
    def audit(self) -> None:
        self.page(f"/audits/{random.choice(PLAN['staff_audits'])}/", "staff: audit page")

    @task(1)
    def feedback(self) -> None:
        self.page("/feedback/inbox/", "staff: feedback inbox")

    @task(1)
    def editor(self) -> None:
        self.page("/resources/manage/", "staff: library editor")

    @task(1)
    def surveys(self) -> None:
        self.page("/surveys/", "staff: survey list")

    @task(1)
    def guidance(self) -> None:
        self.page("/resources/guidance/queue/", "staff: guidance queue")
