"""Searching the library in each text's own language, and suggesting a corrected search
when a word is in no published text.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F, Q, QuerySet

from .. import searchtext
from ..models import (
    SEARCH_CONFIGS,
    Resource,
    SearchWord,
)


def search(queryset: QuerySet[Resource], text: str) -> QuerySet[Resource]:
    """Search in each text's own language, so an inflected form finds its stem: full-text
    search on PostgreSQL (ranked), the Snowball stems of `search_words` elsewhere (every
    word must begin a stem of the text). `queryset` is already limited to what the reader
    may see."""
    text = " ".join(text.split())[:200]
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        match = Q()
        rank = None
        for language, config in SEARCH_CONFIGS.items():
            query = SearchQuery(text, config=config, search_type="websearch")
            match |= Q(language=language, search_vector=query)
            this = SearchRank(F("search_vector"), query)
            rank = this if rank is None else rank + this
        return queryset.filter(match).annotate(rank=rank).order_by("-rank", "title")
    for word in searchtext.words(text):
        match = Q()
        for language in SEARCH_CONFIGS:
            stem = searchtext.stem(word, language)
            match |= Q(language=language, search_words__contains=f" {stem}")
        queryset = queryset.filter(match)
    return queryset


def search_correction(text: str) -> str | None:
    """The search with each word not in any published text replaced by the nearest word
    that is (a letter wrong, missing, extra or two swapped), or None when nothing changes.
    One query: near words come from a trigram index on PostgreSQL, from words of about the
    same length elsewhere; the edit distance decides on both."""
    typed = searchtext.words(" ".join(text.split())[:200])
    fixable = [word for word in typed if searchtext.typos_allowed(word)]
    if not fixable:
        return None
    if connection.vendor == "postgresql":
        near = Q(word__in=fixable)
        for word in fixable:
            near |= Q(word__trigram_similar=word)
        candidates = SearchWord.objects.filter(near)
    else:
        from django.db.models.functions import Length

        lengths = [len(word) for word in fixable]
        candidates = SearchWord.objects.annotate(length=Length("word")).filter(
            length__range=(min(lengths) - 2, max(lengths) + 2)
        )
    known = set(candidates.values_list("word", flat=True)[:5000])
    corrected = [
        word if word in known or word not in fixable else searchtext.closest(word, known) or word
        for word in typed
    ]
    return " ".join(corrected) if corrected != typed else None
