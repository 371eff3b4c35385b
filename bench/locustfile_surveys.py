"""Locust users for bench/surveys_submit.py (run by it; see bench/README.md).

Respondent: one task is one whole anonymous answering flow, as a browser does it (every
redirect followed with a GET, the CSRF token taken from each page):

    GET start, POST start (support=alone), 5 × (GET question, POST answer), GET review,
    POST review (submit), POST review again (double submit), GET done  = 16 requests

A fresh cookie jar per flow: every flow is a new respondent. A completed submit is
recorded as the pseudo-request "FLOW submitted"; a flow that went wrong as a failure of
"FLOW failed" with the step in the message.

Ceiling: POST /ceiling/insert/ on bench/ceiling_wsgi.py, one INSERT per request.

Environment: BENCH_SURVEY_TOKEN (the survey's link code), BENCH_QUESTIONS (5).
"""

from __future__ import annotations

import os
import random
import re
import time
from http.cookiejar import DefaultCookiePolicy

from locust import FastHttpUser, constant, events, task

TOKEN = os.environ.get("BENCH_SURVEY_TOKEN", "")
QUESTIONS = int(os.environ.get("BENCH_QUESTIONS", "5"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
START_KEY = re.compile(r'name="start_key" value="([^"]+)"')
OPTION = re.compile(r'name="(q\d+-answer)" id="[^"]*" value="([^"]+)"')


class FlowError(Exception):
    pass


class TlsProxyCookiePolicy(DefaultCookiePolicy):
    """Send the Secure cookies back over plain HTTP: to Django the requests are HTTPS
    (X-Forwarded-Proto from the "proxy"), so its cookies are Secure, as in production."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


def _headers(host: str) -> dict[str, str]:
    # As a browser behind the production TLS proxy: the proxy sets X-Forwarded-Proto,
    # the browser sends Origin and Referer (Django checks them on HTTPS).
    origin = host.replace("http://", "https://")
    return {
        "X-Forwarded-Proto": "https",
        "Origin": origin,
        "Referer": origin + "/",
        "Accept-Language": "sv",
    }


class Respondent(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(TlsProxyCookiePolicy())

    def _get(self, path: str, name: str, step: str) -> str:
        with self.client.get(
            path, name=name, headers=self.headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{step}: HTTP {response.status_code}")
                raise FlowError(step)
            return response.text

    def _post(self, path: str, data: dict, name: str, step: str) -> str:
        with self.client.post(
            path,
            data=data,
            name=name,
            headers=self.headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location:
                response.failure(f"{step}: HTTP {response.status_code}")
                raise FlowError(step)
            return location

    @task
    def answer_survey(self) -> None:
        self.headers = _headers(self.host)
        self.client.cookiejar.clear()
        started = time.perf_counter()
        step = "start"
        try:
            base = f"/surveys/a/{TOKEN}/"
            page = self._get(base, "GET start", step)
            csrf = CSRF.search(page).group(1)
            start_key = START_KEY.search(page).group(1)
            step = "POST start"
            location = self._post(
                base,
                {"csrfmiddlewaretoken": csrf, "start_key": start_key, "support": "alone"},
                "POST start",
                step,
            )
            answered = 0
            while "/q/" in location:
                step = f"question {answered + 1}"
                page = self._get(location, "GET question", step)
                csrf = CSRF.search(page).group(1)
                choices = [(n, v) for n, v in OPTION.findall(page) if v != "dk"]
                field, value = random.choice(choices)
                location = self._post(
                    location,
                    {"csrfmiddlewaretoken": csrf, field: value, "action": "next"},
                    "POST answer",
                    step,
                )
                answered += 1
            if answered != QUESTIONS or not location.endswith("/review/"):
                raise FlowError(f"after {answered} answers went to {location}")
            step = "review"
            page = self._get(location, "GET review", step)
            csrf = CSRF.search(page).group(1)
            step = "submit"
            done = self._post(location, {"csrfmiddlewaretoken": csrf}, "POST submit", step)
            if not done.endswith("/done/"):
                raise FlowError(f"submit went to {done}")
            events.request.fire(
                request_type="FLOW",
                name="submitted",
                response_time=(time.perf_counter() - started) * 1000,
                response_length=0,
                exception=None,
                context={},
            )
            step = "submit again"
            again = self._post(location, {"csrfmiddlewaretoken": csrf}, "POST submit again", step)
            if not again.endswith("/done/"):
                raise FlowError(f"second submit went to {again}")
            step = "done"
            page = self._get(again, "GET done", step)
        except (FlowError, AttributeError, IndexError) as error:
            events.request.fire(
                request_type="FLOW",
                name="failed",
                response_time=(time.perf_counter() - started) * 1000,
                response_length=0,
                exception=FlowError(f"{step}: {error}"),
                context={},
            )


class Ceiling(FastHttpUser):
    wait_time = constant(0)

    @task
    def insert(self) -> None:
        headers = _headers(self.host)
        with self.client.post(
            "/ceiling/insert/",
            data={"note": "x"},
            name="POST ceiling insert",
            headers=headers,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
