"""The public report bank: only published audits anywhere, withdrawn ones gone at once from
every surface, search in the report's language, facets with counts, flat query counts,
cache headers, and the published audit's page as the terms allow."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection

from audits.bank import search, services
from audits.bank.models import Publication
from audits.models import Audit, Finding
from audits.tests.factories import audit_in_state

from .helpers import EVERYTHING, en, published_audit, with_pdf

pytestmark = pytest.mark.django_db
S = Audit.Status


def public_surfaces(client, audit: Audit) -> dict[str, bool]:
    """Whether `audit` shows on each public surface, read as an anonymous visitor."""
    title = audit.title or audit.reference
    listed = client.get(en("bank:list"))
    searched = client.get(en("bank:list"), {"q": "Iakttagelse"})
    faceted = client.get(en("bank:list"), {"year": str(audit.created_at.year)})
    home = client.get(en("home"))
    return {
        "list": audit in [p.audit for p in listed.context["publications"]],
        "count": listed.context["page"].paginator.count > 0,
        "facet counts": any(f.values for f in listed.context["facets"]),
        "search": audit in [p.audit for p in searched.context["publications"]],
        "facet filter": audit in [p.audit for p in faceted.context["publications"]],
        "home": title in home.content.decode(),
        "page": client.get(en("bank:detail", audit.pk)).status_code == 200,
        "pdf": client.get(en("bank:report", audit.pk)).status_code == 200,
    }


def test_publish_then_withdraw_shows_then_hides_it_on_every_public_surface(
    client, commissioner, staff
):
    audit = published_audit(commissioner=commissioner, staff=staff)

    shown = public_surfaces(client, audit)
    assert shown == dict.fromkeys(shown, True)

    services.withdraw(audit=audit, by=commissioner, reason="Ändrad överenskommelse.")

    hidden = public_surfaces(client, audit)
    assert hidden == dict.fromkeys(hidden, False)


def test_anonymous_sees_nothing_unpublished(client, commissioner, staff):
    consented = with_pdf(audit_in_state(S.CLOSED, commissioner=commissioner, staff=staff))
    services.terms_save(audit=consented, by=staff, data=EVERYTHING)
    services.consent(audit=consented, by=commissioner)
    never = audit_in_state(S.REPORT_APPROVED, commissioner=commissioner, staff=staff)

    for audit in (consented, never):
        shown = public_surfaces(client, audit)
        assert shown == dict.fromkeys(shown, False)
        # The steps behind login send an anonymous visitor to log in.
        page = client.get(en("bank:publication", audit.pk))
        assert page.status_code == 302 and "/login/" in page["Location"]


def test_the_page_shows_the_report_without_auditor_names(client, commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff, findings=2)
    finding = audit.findings.order_by("number").first()

    html = client.get(en("bank:detail", audit.pk)).content.decode()

    assert finding.title in html
    assert finding.description in html
    assert finding.quote_lines()[0] in html
    assert "Inför en fast kontaktperson." in html  # the proposal
    assert "Accepted" in html and "Implemented" in html  # response and follow-up
    for member in audit.members.select_related("user"):
        assert member.user.full_name not in html
    assert staff.full_name not in html and commissioner.full_name not in html


def test_quotes_stay_out_unless_the_terms_allow_them(client, commissioner, staff):
    audit = published_audit(
        commissioner=commissioner,
        staff=staff,
        terms={**EVERYTHING, "may_publish_quotes": False},
    )
    finding = audit.findings.first()

    response = client.get(en("bank:detail", audit.pk))

    html = response.content.decode()
    assert finding.title in html
    assert finding.quote_lines()[0] not in html


def test_findings_stay_out_unless_the_terms_allow_them(client, commissioner, staff):
    audit = published_audit(
        commissioner=commissioner,
        staff=staff,
        terms={**EVERYTHING, "may_publish_findings": False, "may_publish_quotes": False},
    )
    finding = audit.findings.first()

    html = client.get(en("bank:detail", audit.pk)).content.decode()
    assert finding.description not in html
    assert "Inför en fast kontaktperson." in html
    # Nor can a search for a finding's words find it.
    found = client.get(en("bank:list"), {"q": "Iakttagelse"}).context["publications"]
    assert list(found) == []


def test_the_pdf_is_the_public_version_streamed(client, commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff)

    response = client.get(en("bank:report", audit.pk))

    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "public" in response["Cache-Control"]


def test_public_pages_are_cacheable_for_a_short_while(client, commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff)
    for address in (en("bank:list"), en("bank:detail", audit.pk)):
        response = client.get(address)
        assert "public" in response["Cache-Control"]
        # Browsers ask again every time, so a withdrawal reaches every reader at once;
        # a shared cache may answer for half a minute under load.
        assert "max-age=0" in response["Cache-Control"]
        assert "s-maxage=30" in response["Cache-Control"]
    # A logged-in reader's page is nobody else's to keep.
    client.force_login(staff)
    assert "private" in client.get(en("bank:list"))["Cache-Control"]


def test_search_finds_inflected_forms_in_the_report_language(client, commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff)
    # "kontaktpersonen" is the definite form of the proposal's "kontaktperson".
    found = client.get(en("bank:list"), {"q": "kontaktpersonen"}).context["publications"]
    assert [p.audit for p in found] == [audit]
    nothing = client.get(en("bank:list"), {"q": "flygplats"}).context["publications"]
    assert list(nothing) == []


def test_search_without_postgresql_uses_the_stems(commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff)
    publication = Publication.objects.get(audit=audit)
    with mock.patch.object(connection, "vendor", "sqlite"):
        search.index(publication)
        found = search.search(Publication.objects.public(), "kontaktpersonen")
        missing = search.search(Publication.objects.public(), "flygplats")
        assert [p.audit_id for p in found] == [audit.pk]
        assert list(missing) == []
    publication.refresh_from_db()
    assert " kontaktperson " in publication.search_words


def test_facets_count_and_filter(client, commissioner, staff):
    first = published_audit(commissioner=commissioner, staff=staff)
    second = published_audit(commissioner=commissioner, staff=staff)
    area = first.units.get().service_area

    response = client.get(en("bank:list"))
    facets = {f.kind: {v.value: v.count for v in f.values} for f in response.context["facets"]}
    assert facets["area"][area] == 2
    municipality = second.units.get().municipality.code
    assert facets["municipality"][municipality] == 2

    filtered = client.get(en("bank:list"), {"area": "lss"})
    assert filtered.context["page"].paginator.count == 0
    # The chosen value stays on offer, with no reports left.
    assert "(0)" in filtered.content.decode()


def test_the_bank_pages_query_count_does_not_grow(
    client, commissioner, staff, django_assert_max_num_queries
):
    audits = [published_audit(commissioner=commissioner, staff=staff) for _ in range(2)]
    # Session-less anonymous: count, page rows, their facets, facet counts.
    with django_assert_max_num_queries(5):
        client.get(en("bank:list"), {"q": "kontaktperson"})
    with django_assert_max_num_queries(9):
        client.get(en("bank:detail", audits[0].pk))
    audits += [
        published_audit(commissioner=commissioner, staff=staff, findings=4) for _ in range(4)
    ]
    with django_assert_max_num_queries(5):
        response = client.get(en("bank:list"), {"q": "kontaktperson"})
    assert response.context["page"].paginator.count == 6
    with django_assert_max_num_queries(9):
        client.get(en("bank:detail", audits[-1].pk))
    with django_assert_max_num_queries(3):
        client.get(en("home"))


def test_the_bank_is_paginated(client, commissioner, staff, monkeypatch):
    monkeypatch.setattr("audits.bank.views.PAGE_SIZE", 2)
    for _ in range(3):
        published_audit(commissioner=commissioner, staff=staff)

    first = client.get(en("bank:list"))
    second = client.get(en("bank:list"), {"page": 2})

    assert len(first.context["publications"]) == 2
    assert len(second.context["publications"]) == 1


def test_the_page_groups_findings_by_theme_with_polarity(client, commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff, findings=3)

    response = client.get(en("bank:detail", audit.pk))

    themes = response.context["themes"]
    assert sum(len(t["findings"]) for t in themes) == 3
    html = response.content.decode()
    assert "Positive: this works well" in html
    assert audit.findings.filter(polarity=Finding.Polarity.NEGATIVE).exists()
    assert "Negative: this should change" in html
