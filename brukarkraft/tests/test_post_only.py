"""Every address that takes only a POST answers a GET with its page, never an empty 405.

A form that failed validation leaves its POST address in the address bar: reopening it,
Back or a bookmark must lead to the page again. The test walks every URL pattern of the
portal, so a view added later with Django's require_POST fails here.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

pytestmark = pytest.mark.django_db

# Django's own POST-only admin pages (logout) are the admin's business, not the portal's.
NOT_OURS = ("admin:",)


def _patterns(resolver: URLResolver, namespace: str = ""):
    """Every (view name, pattern) under `resolver`, names with their namespaces."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _layers(view):
    while view is not None:
        yield view
        view = getattr(view, "__wrapped__", None)


def _refuses_get(view) -> bool:
    """True when a layer is Django's require_http_methods without GET, or a class-based
    view that has no get()."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return "get" not in view_class.http_method_names or not hasattr(view_class, "get")
    for layer in _layers(view):
        code = getattr(layer, "__code__", None)
        if code and "request_method_list" in code.co_freevars:
            cell = layer.__closure__[code.co_freevars.index("request_method_list")]
            if "GET" not in cell.cell_contents:
                return True
    return False


def _post_only(view):
    """The post_only layer of `view`, or None."""
    for layer in _layers(view):
        if getattr(layer, "post_only_page", None):
            return layer
    return None


def _example_kwargs(pattern: URLPattern) -> dict:
    return {
        name: 7 if isinstance(converter, IntConverter) else "abc"
        for name, converter in pattern.pattern.converters.items()
    }


ALL = sorted(_patterns(get_resolver()), key=lambda pair: pair[0])


def test_no_address_refuses_a_get():
    refusing = [
        name
        for name, pattern in ALL
        if not name.startswith(NOT_OURS) and _refuses_get(pattern.callback)
    ]

    assert refusing == [], f"use brukarkraft.http.post_only instead of require_POST: {refusing}"


POST_ONLY = [(name, pattern) for name, pattern in ALL if _post_only(pattern.callback)]


def test_the_walk_finds_the_post_only_addresses():
    names = {name for name, _pattern in POST_ONLY}

    assert {"audits:proposal_respond", "audits:proposal_progress", "set_language"} <= names


@pytest.mark.parametrize(("name", "pattern"), POST_ONLY, ids=[name for name, _p in POST_ONLY])
def test_a_get_of_a_post_only_address_leads_to_its_page(client, staff, name, pattern):
    client.force_login(staff)
    kwargs = _example_kwargs(pattern)
    layer = _post_only(pattern.callback)
    page_kwargs = {key: kwargs[key] for key in layer.post_only_keep}

    response = client.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 302
    assert response["Location"] == reverse(layer.post_only_page, kwargs=page_kwargs)


def test_reopening_a_proposal_answer_address_shows_the_answer_page(client, commissioner):
    client.force_login(commissioner)

    response = client.get("/en/audits/12/proposals/34/respond/")

    assert response.status_code == 302
    assert response["Location"] == "/en/audits/12/response/"


def test_other_methods_are_still_refused(client, commissioner):
    client.force_login(commissioner)

    assert client.put("/en/audits/12/proposals/34/respond/").status_code == 405
