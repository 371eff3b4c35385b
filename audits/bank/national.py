"""The national picture: what audits find across the country and what becomes of their
proposals, counted over the published audits (public) or over every audit (the centre's
staff, with what is not published kept apart).

The counts are four grouped queries, however many audits there are. The public picture is
cached under a fingerprint of the bank (how many are published, the latest publishing and
withdrawal), so a publish or a withdrawal is a new key and shows at once; follow-up answers
given after publishing show within CACHE_SECONDS."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import BooleanField, Case, Count, F, Max, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy

from audits.models import Audit, Finding, Proposal, ServiceArea, Theme

from .charts import Row, Series, bar_chart
from .models import Publication

CACHE_SECONDS = 300
CACHE_PREFIX = "bank:national:v1"
PUBLISHED = Publication.Status.PUBLISHED
# A finding counts in public only if its audit is published and the terms let the
# findings out; a proposal whenever its audit is published (as on the bank's pages).
FINDING_IS_PUBLIC = Q(audit__publication__status=PUBLISHED) & Q(
    audit__quote__publication_terms__may_publish_findings=True
)
PROPOSAL_IS_PUBLIC = Q(audit__publication__status=PUBLISHED)

Response = Proposal.Response
OUTCOMES = [
    ("accepted", gettext_lazy("Accepted"), Q(response=Response.ACCEPTED)),
    ("partly", gettext_lazy("Partly accepted"), Q(response=Response.PARTLY)),
    ("rejected", gettext_lazy("Rejected"), Q(response=Response.REJECTED)),
    (
        "implemented",
        gettext_lazy("Implemented at follow-up"),
        Q(progress=Proposal.Progress.IMPLEMENTED),
    ),
]
POLARITIES = [
    (Finding.Polarity.POSITIVE, gettext_lazy("Positive findings")),
    (Finding.Polarity.NEGATIVE, gettext_lazy("Negative findings")),
]
DATASETS = [
    "findings-theme",
    "findings-area",
    "findings-year",
    "proposals-area",
    "proposals-county",
]


@dataclass(frozen=True)
class Picture:
    """The counts, without any words (the page adds them in the reader's language), so one
    cached copy serves every language."""

    # (service area, year, theme, polarity, public, findings)
    findings: tuple[tuple, ...]
    # (service area, public, accepted, partly, rejected, implemented, proposals)
    proposals_by_area: tuple[tuple, ...]
    # (county code, county name, public, accepted, partly, rejected, implemented, proposals)
    proposals_by_county: tuple[tuple, ...]
    # {public: audits}
    audits: dict[bool, int] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted({row[1] for row in self.findings if row[1] is not None})

    @property
    def areas(self) -> list[str]:
        return sorted({row[0] for row in self.findings if row[0]})


def _flag(rule: Q) -> Case:
    return Case(When(rule, then=Value(True)), default=Value(False), output_field=BooleanField())


def _scope(include_unpublished: bool) -> QuerySet[Audit]:
    if include_unpublished:
        return Audit.objects.exclude(status__in=[Audit.Status.DRAFT, Audit.Status.CANCELLED])
    return Audit.objects.filter(publication__status=PUBLISHED)


def _outcome_counts() -> dict:
    counts = {name: Count("pk", filter=rule, distinct=True) for name, _label, rule in OUTCOMES}
    # distinct: an audit of two units in one area joins each proposal twice.
    counts["total"] = Count("pk", distinct=True)
    return counts


def _pick(row: Mapping[str, Any], names: list[str]) -> list[int]:
    return [row[name] for name in names]


def compute(*, include_unpublished: bool = False) -> Picture:
    """The national picture in four grouped queries."""
    audits = _scope(include_unpublished).order_by().values("pk")
    findings = Finding.objects.filter(audit__in=audits)
    proposals = Proposal.objects.filter(audit__in=audits)
    if not include_unpublished:
        findings = findings.filter(FINDING_IS_PUBLIC)
    finding_rows = (
        findings.annotate(
            area=F("audit__units__service_area"),
            year=Coalesce(F("audit__publication__year"), ExtractYear("audit__created_at")),
            public=_flag(FINDING_IS_PUBLIC),
        )
        .values("area", "year", "theme", "polarity", "public")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    outcome_names = [name for name, _label, _rule in OUTCOMES] + ["total"]
    by_area = (
        proposals.annotate(area=F("audit__units__service_area"), public=_flag(PROPOSAL_IS_PUBLIC))
        .values("area", "public")
        .annotate(**_outcome_counts())
        .order_by()
    )
    by_county = (
        proposals.annotate(
            county=F("audit__units__municipality__county__code"),
            county_name=F("audit__units__municipality__county__name"),
            public=_flag(PROPOSAL_IS_PUBLIC),
        )
        .values("county", "county_name", "public")
        .annotate(**_outcome_counts())
        .order_by()
    )
    audit_counts = (
        _scope(include_unpublished)
        .annotate(public=_flag(Q(publication__status=PUBLISHED)))
        .values("public")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    return Picture(
        findings=tuple(
            (r["area"], r["year"], r["theme"], r["polarity"], r["public"], r["n"])
            for r in finding_rows
        ),
        proposals_by_area=tuple(
            (r["area"], r["public"], *_pick(r, outcome_names)) for r in by_area
        ),
        proposals_by_county=tuple(
            (r["county"], r["county_name"], r["public"], *_pick(r, outcome_names))
            for r in by_county
        ),
        audits={r["public"]: r["n"] for r in audit_counts},
    )


def bank_fingerprint() -> str:
    """Changes whenever an audit is published or withdrawn (one small query): the count of
    published audits and the latest publishing and withdrawal times."""
    row = Publication.objects.aggregate(
        published=Count("pk", filter=Q(status=PUBLISHED)),
        last_published=Max("published_at"),
        last_withdrawn=Max("withdrawn_at"),
    )
    stamps = [
        str(row["published"]),
        row["last_published"].isoformat() if row["last_published"] else "-",
        row["last_withdrawn"].isoformat() if row["last_withdrawn"] else "-",
    ]
    return ":".join(stamps)


def public_picture() -> Picture:
    """The picture of the published audits, from the cache while the bank is unchanged."""
    key = f"{CACHE_PREFIX}:{bank_fingerprint()}"
    picture = cache.get(key)
    if picture is None:
        picture = compute()
        cache.set(key, picture, CACHE_SECONDS)
    return picture


def staff_picture() -> Picture:
    """Every audit past the draft, published or not: never cached, never public."""
    return compute(include_unpublished=True)


# --- The datasets: the counts as rows and series, with words ----------------------------


@dataclass
class Dataset:
    slug: str
    title: str
    description: str
    category: str
    series: list[Series]
    rows: list[Row]

    def chart(self) -> SafeString:
        return bar_chart(
            chart_id=f"chart-{self.slug}",
            title=self.title,
            description=self.description,
            series=self.series,
            rows=self.rows,
        )

    def header(self) -> list[str]:
        return [self.category, *[item.label for item in self.series]]

    def table(self) -> list[list]:
        return [[row.label, *row.values] for row in self.rows]


def area_label(area: str | None) -> str:
    if not area:
        return gettext("Service area not stated")
    return str(dict(ServiceArea.choices).get(area, area))


def _split(labels: list[tuple[str, str]], staff: bool) -> list[Series]:
    """The series, and for staff the same again for what is not public."""
    series = [
        Series(key, gettext("%(label)s, published") % {"label": label} if staff else str(label))
        for key, label in labels
    ]
    if staff:
        series += [
            Series(f"{key}-unpublished", gettext("%(label)s, not published") % {"label": label})
            for key, label in labels
        ]
    return series


def _rows(counts: dict[tuple, int], categories: list[tuple], width: int, staff: bool) -> list[Row]:
    size = width * (2 if staff else 1)
    return [
        Row(str(key), str(label), tuple(counts.get((key, index), 0) for index in range(size)))
        for key, label in categories
    ]


def _findings(
    picture: Picture, *, staff: bool, group: int, area: str = "", year: str = ""
) -> dict[tuple, int]:
    """Findings counted by column `group` of the rows (0 area, 1 year, 2 theme) and series."""
    counts: dict[tuple, int] = defaultdict(int)
    polarity_index = {value: index for index, (value, _label) in enumerate(POLARITIES)}
    for row_area, row_year, theme, polarity, public, n in picture.findings:
        if area and row_area != area:
            continue
        if year and str(row_year) != year:
            continue
        if not public and not staff:
            continue
        index = polarity_index[polarity] + (0 if public else len(POLARITIES))
        counts[((row_area, row_year, theme)[group], index)] += n
    return counts


def _outcomes(rows: tuple[tuple, ...], *, staff: bool, key_columns: int) -> dict[tuple, int]:
    counts: dict[tuple, int] = defaultdict(int)
    for row in rows:
        key = row[0]
        public = row[key_columns]
        if not public and not staff:
            continue
        values = row[key_columns + 1 : key_columns + 1 + len(OUTCOMES)]
        for index, value in enumerate(values):
            counts[(key, index + (0 if public else len(OUTCOMES)))] += value
    return counts


def _filter_words(area: str, year: str) -> str:
    parts = []
    if area:
        parts.append(gettext("service area: %(area)s") % {"area": area_label(area)})
    if year:
        parts.append(gettext("year: %(year)s") % {"year": year})
    return f" ({', '.join(parts)})" if parts else ""


def datasets(picture: Picture, *, staff: bool, area: str = "", year: str = "") -> list[Dataset]:
    """The national picture's five tables, each also a chart and a CSV file. `area` and
    `year` narrow the findings."""
    polarity_labels = [(str(value), str(label)) for value, label in POLARITIES]
    outcome_labels = [(name, str(label)) for name, label, _rule in OUTCOMES]
    finding_series = _split(polarity_labels, staff)
    outcome_series = _split(outcome_labels, staff)
    width_f, width_o = len(POLARITIES), len(OUTCOMES)
    same_figures = gettext("The same figures are in the table beside the chart.")

    themes = [(value, str(label)) for value, label in Theme.choices]
    by_theme = _findings(picture, staff=staff, group=2, area=area, year=year)
    area_keys = sorted(
        {row[0] for row in picture.findings} | {row[0] for row in picture.proposals_by_area},
        key=lambda value: (value is None, area_label(value).casefold()),
    )
    areas = [(value, area_label(value)) for value in area_keys]
    by_area = _findings(picture, staff=staff, group=0, year=year)
    years = [(value, str(value)) for value in picture.years]
    by_year = _findings(picture, staff=staff, group=1, area=area)
    counties = sorted(
        {(row[0], row[1] or gettext("County not stated")) for row in picture.proposals_by_county},
        key=lambda pair: pair[1].casefold(),
    )
    theme_title = gettext("Positive and negative findings per theme") + _filter_words(area, year)
    area_title = gettext("Positive and negative findings per service area") + _filter_words(
        "", year
    )
    year_title = gettext("Positive and negative findings per year") + _filter_words(area, "")
    return [
        Dataset(
            "findings-theme",
            theme_title,
            gettext("Bar chart: how many positive and negative findings each theme has.")
            + " "
            + same_figures,
            gettext("Theme"),
            finding_series,
            _rows(by_theme, themes, width_f, staff),
        ),
        Dataset(
            "findings-area",
            area_title,
            gettext("Bar chart: positive and negative findings in each service area.")
            + " "
            + same_figures,
            gettext("Service area"),
            finding_series,
            _rows(by_area, areas, width_f, staff),
        ),
        Dataset(
            "findings-year",
            year_title,
            gettext("Bar chart: positive and negative findings in each year.") + " " + same_figures,
            gettext("Year"),
            finding_series,
            _rows(by_year, years, width_f, staff),
        ),
        Dataset(
            "proposals-area",
            gettext("Improvement proposals and what became of them, per service area"),
            gettext(
                "Bar chart: per service area, how many proposals were accepted, partly "
                "accepted or rejected, and how many were implemented at the follow-up."
            )
            + " "
            + same_figures,
            gettext("Service area"),
            outcome_series,
            _rows(
                _outcomes(picture.proposals_by_area, staff=staff, key_columns=1),
                areas,
                width_o,
                staff,
            ),
        ),
        Dataset(
            "proposals-county",
            gettext("Improvement proposals and what became of them, per county"),
            gettext(
                "Bar chart: per county, how many proposals were accepted, partly accepted or "
                "rejected, and how many were implemented at the follow-up."
            )
            + " "
            + same_figures,
            gettext("County"),
            outcome_series,
            _rows(
                _outcomes(picture.proposals_by_county, staff=staff, key_columns=2),
                counties,
                width_o,
                staff,
            ),
        ),
    ]
