"""The open data's licence, said in every response: a Link header (RFC 8288, rel="license")
on the API, the CSV files and the feeds, and in the API's JSON and schema."""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.http.response import HttpResponseBase

R = TypeVar("R", bound=HttpResponseBase)

ATTRIBUTION = "Brukarkraft"


def licence() -> dict[str, str]:
    return {
        "name": settings.OPEN_DATA_LICENCE_NAME,
        "url": settings.OPEN_DATA_LICENCE_URL,
        "attribution": ATTRIBUTION,
    }


def with_licence(response: R) -> R:
    response["Link"] = f'<{settings.OPEN_DATA_LICENCE_URL}>; rel="license"'
    return response
