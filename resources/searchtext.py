"""Words of the library's texts as search sees them: split, stemmed in the text's language
(Snowball, the same algorithms PostgreSQL's `swedish`, `norwegian` and `english`
configurations use) and matched against typos by edit distance. Pure functions, so the
services, the migration that fills the index and the bench share them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

# Snowball's name for the language of each text (the library's LANGUAGES).
STEMMER_LANGUAGES = {"sv": "swedish", "nb": "norwegian", "en": "english"}
# Words kept in the vocabulary of typo corrections: letters only, of a useful length.
VOCABULARY_MIN, VOCABULARY_MAX = 3, 40
WORD = re.compile(r"[^\W_]+")
LETTERS = re.compile(r"[^\W\d_]+")


@cache
def _stemmer(language: str):
    return snowballstemmer.stemmer(STEMMER_LANGUAGES[language])


def words(text: str) -> list[str]:
    """The words of `text`, lower-cased, without punctuation or Markdown."""
    return WORD.findall(text.lower())


def stem(word: str, language: str) -> str:
    return _stemmer(language).stemWord(word.lower())


def stemmed_text(language: str, *parts: str) -> str:
    """Every distinct stem of `parts`, space-separated with a space at each end, so that
    ' stem' matches the start of a whole stem and never the middle of another word."""
    stems = {stem(word, language) for part in parts for word in words(part)}
    return f" {' '.join(sorted(stems))} " if stems else ""


def vocabulary(*parts: str) -> set[str]:
    """The words of `parts` worth offering as a correction of a typo."""
    return {
        word
        for part in parts
        for word in LETTERS.findall(part.lower())
        if VOCABULARY_MIN <= len(word) <= VOCABULARY_MAX
    }


def typos_allowed(word: str) -> int:
    """Edits (a letter wrong, missing, extra or two swapped) forgiven in a word: none in a
    short word, where one edit makes another word, two in a long one."""
    if len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest `word` within its allowed typos (ties: alphabetical), or None."""
    allowed = typos_allowed(word)
    if not allowed:
        return None
    best = process.extractOne(word, sorted(candidates), scorer=OSA.distance, score_cutoff=allowed)
    return best[0] if best else None
