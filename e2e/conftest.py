"""Fixtures for the browser tests; plain helpers live in e2e/helpers.py."""

import pytest
from django.urls import reverse
from django.utils import translation


@pytest.fixture
def url(live_server):
    """The live server's absolute URL of a named page in one of the portal's languages."""

    def build(name: str, language: str = "sv", *args, query: str = "", **kwargs) -> str:
        with translation.override(language):
            path = reverse(name, args=args or None, kwargs=kwargs or None)
        return f"{live_server.url}{path}{query}"

    return build
