"""The bank page's facet counts come from the cache while the bank is unchanged: a repeated
search skips the grouped count, a publish or a withdrawal is a new key at once, and one
cached entry serves every language."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from audits.bank import services
from audits.models import ServiceArea

from .helpers import published_audit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def address(language: str = "en") -> str:
    with translation.override(language):
        return reverse("bank:list")


def counts_of(response) -> dict[str, dict[str, int]]:
    return {f.kind: {v.value: v.count for v in f.values} for f in response.context["facets"]}


def facet_count_queries(captured) -> int:
    return sum('COUNT("audits_publicationfacet' in q["sql"] for q in captured.captured_queries)


def test_a_repeated_search_takes_its_facet_counts_from_the_cache(client, commissioner, staff):
    published_audit(commissioner=commissioner, staff=staff)

    with CaptureQueriesContext(connection) as first:
        cold = client.get(address(), {"q": "kontaktperson"})
    with CaptureQueriesContext(connection) as second:
        warm = client.get(address(), {"q": "kontaktperson"})

    assert facet_count_queries(first) == 1
    assert facet_count_queries(second) == 0
    assert counts_of(warm) == counts_of(cold)
    assert sum(counts_of(warm)["year"].values()) == 1
    # Another search is another entry.
    with CaptureQueriesContext(connection) as other:
        client.get(address(), {"q": "kontaktperson", "area": "lss"})
    assert facet_count_queries(other) == 1


def test_a_withdrawal_drops_out_of_the_cached_counts_at_once(client, commissioner, staff):
    first = published_audit(commissioner=commissioner, staff=staff)
    published_audit(commissioner=commissioner, staff=staff)
    area = first.units.get().service_area
    assert counts_of(client.get(address()))["area"][area] == 2

    services.withdraw(audit=first, by=commissioner, reason="Fel rapport.")

    after = counts_of(client.get(address()))
    assert after["area"][area] == 1
    assert sum(after["year"].values()) == 1


def test_a_publish_shows_in_the_cached_counts_at_once(client, commissioner, staff):
    first = published_audit(commissioner=commissioner, staff=staff)
    area = first.units.get().service_area
    assert counts_of(client.get(address()))["area"][area] == 1

    published_audit(commissioner=commissioner, staff=staff)

    assert counts_of(client.get(address()))["area"][area] == 2


def test_one_cached_entry_serves_every_language(client, commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff)
    area = audit.units.get().service_area

    english = client.get(address("en"))
    with CaptureQueriesContext(connection) as captured:
        swedish = client.get(address("sv"))

    assert facet_count_queries(captured) == 0

    def area_label(response) -> str:
        (facet,) = [f for f in response.context["facets"] if f.kind == "area"]
        return next(v.label for v in facet.values if v.value == area)

    with translation.override("sv"):
        assert area_label(swedish) == str(dict(ServiceArea.choices)[area])
    with translation.override("en"):
        assert area_label(english) == str(dict(ServiceArea.choices)[area])
    assert area_label(swedish) != area_label(english)
