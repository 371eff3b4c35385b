"""Full-text search of the report bank, as the library searches (resources/services.py):
PostgreSQL's text search in the language the report is written in, and the Snowball stems
of `Publication.search_words` where the database has none (SQLite, the embedded default).
Only what the terms let the public read is indexed: never quotes, findings only if allowed."""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When

from resources import searchtext
from resources.models import SEARCH_CONFIGS

from .models import Publication

MAX_QUERY = 200


def indexed_texts(publication: Publication) -> tuple[str, str, str]:
    """(heading, summary, body) of the audit as the public may read it: weights A, B, C."""
    audit = publication.audit
    terms = audit.quote.publication_terms
    units = list(audit.units.select_related("municipality"))
    heading = " ".join(
        [audit.title, *(unit.name for unit in units), audit.organisation.name]
        + ([audit.performing_organisation.name] if audit.performing_organisation else [])
        + [unit.municipality.name for unit in units]
    )
    summary = "\n".join([audit.summary, audit.easy_read_summary])
    body = [proposal.text for proposal in audit.proposals.all()]
    if terms.may_publish_findings:
        body += [f"{f.title}\n{f.description}" for f in audit.findings.all()]
    return heading, summary, "\n".join(body)


def index(publication: Publication) -> None:
    """Write the publication's search index in its report's language."""
    texts = indexed_texts(publication)
    language = publication.language if publication.language in SEARCH_CONFIGS else "sv"
    if connection.vendor != "postgresql":
        Publication.objects.filter(pk=publication.pk).update(
            search_words=searchtext.stemmed_text(language, *texts)
        )
        return
    from django.contrib.postgres.search import SearchVector
    from django.db.models import Value

    config = SEARCH_CONFIGS[language]
    heading, summary, body = texts
    Publication.objects.filter(pk=publication.pk).update(
        search_vector=SearchVector(Value(heading), weight="A", config=config)
        + SearchVector(Value(summary), weight="B", config=config)
        + SearchVector(Value(body), weight="C", config=config)
    )


def search(queryset: QuerySet[Publication], text: str) -> QuerySet[Publication]:
    """`queryset` (already only public rows) narrowed to `text`, best match first on
    PostgreSQL; each report is searched in its own language, so inflected forms match."""
    text = " ".join(text.split())[:MAX_QUERY]
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        match = Q()
        ranks = []
        for language, config in SEARCH_CONFIGS.items():
            query = SearchQuery(text, config=config, search_type="websearch")
            match |= Q(language=language, search_vector=query)
            ranks.append(When(language=language, then=SearchRank(F("search_vector"), query)))
        # Each report ranked once, against the query in its own language: every ts_rank
        # reads the whole (TOASTed) vector, and a common word matches most of the bank, so
        # ranking each row in all three languages cost twice as much (bench/bank.py).
        rank = Case(*ranks, default=Value(0.0), output_field=FloatField())
        return queryset.filter(match).annotate(rank=rank).order_by("-rank", "-published_at")
    for word in searchtext.words(text):
        match = Q()
        for language in SEARCH_CONFIGS:
            match |= Q(
                language=language, search_words__contains=f" {searchtext.stem(word, language)}"
            )
        queryset = queryset.filter(match)
    return queryset
