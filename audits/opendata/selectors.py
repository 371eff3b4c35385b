"""What open data reads: published, non-withdrawn audits only, their findings only where
the terms let the findings be published, and the quotes only where the quotes may be.
Every read starts from the published status of the audit's publication, so a withdrawal
takes the audit out of the API, the CSV files and the feeds at once."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

from audits.bank.models import Publication, PublicationFacet
from audits.models import Audit, Finding, Proposal, Unit

PUBLISHED = Publication.Status.PUBLISHED
Kind = PublicationFacet.Kind
TERMS = "audit__quote__publication_terms__"


def public_audits() -> QuerySet[Audit]:
    """The published audits, newest first, with what a row of open data shows in a fixed
    number of queries (the units and the facet values come in one query each)."""
    return (
        Audit.objects.filter(publication__status=PUBLISHED)
        .annotate(
            published_at=F("publication__published_at"),
            year=F("publication__year"),
            findings_published=F("quote__publication_terms__may_publish_findings"),
            quotes_published=F("quote__publication_terms__may_publish_quotes"),
        )
        .select_related("publication", "organisation", "performing_organisation", "county", "quote")
        .prefetch_related(
            Prefetch(
                "units", queryset=Unit.objects.select_related("municipality").order_by("name")
            ),
            Prefetch(
                "publication__facets",
                queryset=PublicationFacet.objects.order_by("kind", "value"),
                to_attr="open_facets",
            ),
        )
        .order_by("-published_at", "-pk")
    )


def public_findings() -> QuerySet[Finding]:
    """The findings of published audits whose terms let the findings be published."""
    return (
        Finding.objects.filter(
            audit__publication__status=PUBLISHED, **{f"{TERMS}may_publish_findings": True}
        )
        .annotate(
            quotes_published=F(f"{TERMS}may_publish_quotes"),
            audit_reference=F("audit__reference"),
        )
        .order_by("pk")
    )


def public_proposals() -> QuerySet[Proposal]:
    """The improvement proposals of published audits, with the service's response and the
    follow-up; the findings each builds on only where the findings may be published."""
    return (
        Proposal.objects.filter(audit__publication__status=PUBLISHED)
        .annotate(
            findings_published=F(f"{TERMS}may_publish_findings"),
            audit_reference=F("audit__reference"),
        )
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.only("pk", "number").order_by("number"))
        )
        .order_by("pk")
    )


def with_facet(queryset: QuerySet, *, audit_ref: str, kind: str, value: str) -> QuerySet:
    """The rows whose (published) audit has the facet value, e.g. a county or a year: the
    same values the report bank filters on, written when the audit was published."""
    return queryset.filter(
        Exists(
            PublicationFacet.objects.filter(
                publication__audit_id=OuterRef(audit_ref), kind=kind, value=value
            )
        )
    )


def proposals_on_theme(queryset: QuerySet[Proposal], theme: str) -> QuerySet[Proposal]:
    """Proposals that build on a finding of `theme`, where the findings may be published
    (a theme kept back must not be found through its proposals)."""
    return queryset.filter(
        Q(**{f"{TERMS}may_publish_findings": True}),
        Exists(Finding.objects.filter(proposals=OuterRef("pk"), theme=theme)),
    )


def latest_publications(area: str = "", count: int = 30) -> QuerySet[Publication]:
    """The newest published reports for the feeds, optionally of one service area."""
    queryset = Publication.objects.public()
    if area:
        queryset = queryset.filter(
            Exists(
                PublicationFacet.objects.filter(
                    publication=OuterRef("pk"), kind=Kind.AREA, value=area
                )
            )
        )
    return (
        queryset.select_related("audit__organisation", "audit__county")
        .prefetch_related(
            Prefetch(
                "facets",
                queryset=PublicationFacet.objects.filter(kind=Kind.AREA).order_by("value"),
                to_attr="area_facets",
            )
        )
        .order_by("-published_at", "-pk")[:count]
    )


def facet_values(audit: Audit, kind: str) -> list[str]:
    """The values of one kind among an audit's prefetched facet values (public_audits())."""
    publication = audit.publication
    return [f.value for f in getattr(publication, "open_facets", []) if f.kind == kind]
