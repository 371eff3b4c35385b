"""The personal-data guard: finds what identifies a person in a field note before it is kept.

It looks for Swedish personal identity and coordination numbers (with the Luhn check, by
python-stdnum), Norwegian national identity numbers and D numbers, Swedish and Norwegian
phone numbers (phonenumbers), e-mail addresses, street addresses, and given names and
surnames from the committed list `data/names.json` (made once by scripts/extract_names.py).

Names that are also words (Bo, Per, Stig, Hans, Liv …) are only called names with a cue: a
name next to them (Per Andersson), a word that introduces a name before them (heter, fru,
kontaktpersonen …), or a capital letter in the middle of a sentence where the word would
otherwise be written small. Measured on the labelled sentences in
tests/data/guard_sentences.jsonl; the figures are in the README (the guard).

Pure Python with no database: the notes service runs `check()` on every save.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import phonenumbers
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from stdnum import luhn
from stdnum.exceptions import ValidationError
from stdnum.no import fodselsnummer
from stdnum.se import personnummer

NAME = "name"
PHONE = "phone"
ID_NUMBER = "id_number"
EMAIL = "email"
ADDRESS = "address"

KIND_LABELS = {
    NAME: _("name"),
    PHONE: _("phone number"),
    ID_NUMBER: _("identity number"),
    EMAIL: _("e-mail address"),
    ADDRESS: _("street address"),
}
# What a hit is replaced with, in the audit's language.
REPLACEMENTS = {
    NAME: _("[name]"),
    PHONE: _("[phone]"),
    ID_NUMBER: _("[identity number]"),
    EMAIL: _("[e-mail]"),
    ADDRESS: _("[address]"),
}
# When two hits overlap the one with the lower rank wins (a personal identity number is
# also a valid phone number to phonenumbers).
RANK = {EMAIL: 0, ID_NUMBER: 1, PHONE: 2, ADDRESS: 3, NAME: 4}

NAMES_FILE = Path(__file__).resolve().parent / "data" / "names.json"


@dataclass(frozen=True)
class Hit:
    kind: str
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])

    def replacement(self, language: str | None = None) -> str:
        if language:
            with translation.override(language):
                return str(REPLACEMENTS[self.kind])
        return str(REPLACEMENTS[self.kind])


@cache
def _names() -> tuple[frozenset[str], frozenset[str]]:
    data = json.loads(NAMES_FILE.read_text(encoding="utf-8"))
    also_words = frozenset(data["also_words"])
    names = frozenset(data["given"]) | frozenset(data["surnames"]) | also_words
    return names, also_words


EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# Swedish: (YY)YYMMDD-NNNN, +NNNN, or ten/twelve digits; Norwegian: DDMMYY NNNNN.
SE_ID_RE = re.compile(r"(?<![\d-])(?:\d{2})?\d{6}[-+ ]?\d{4}(?![\d-])")
NO_ID_RE = re.compile(r"(?<![\d-])\d{6}[ ]?\d{5}(?![\d-])")
# A run of digits, spaces, hyphens and brackets that could be a phone number; phonenumbers
# decides. At least seven digits, so "12 av 14" or "2026" never go that far.
PHONE_RE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d \-()]{5,}\d(?![\d])")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{1,2})?")
STREET_WORDS = (
    r"gatan|gata|gate|gaten|vägen|väg|veien|vei|vegen|veg|gränd|gränden|stigen|allé|allén"
    r"|alle|alleen|torget|torg|plan|backe|backen|bakken|stråket|leden|promenaden"
)
# "Storgatan 12", "Storgata 5B", "Karl Johans gate 3", "Lilla Nygatan 4 lgh 1101".
ADDRESS_RE = re.compile(
    r"\b(?:[A-ZÅÄÖÆØ][\wåäöæøé]*\s){0,2}[A-ZÅÄÖÆØ]?[\wåäöæøé-]*?(?:" + STREET_WORDS + r")"
    r"\s+\d{1,4}[A-Za-z]?\b(?:,?\s*(?:lgh|leil\.?|leilighet|lägenhet)\s*\d+)?",
)
WORD_RE = re.compile(r"[A-ZÅÄÖÆØÉa-zåäöæøéüë]+(?:-[A-ZÅÄÖÆØa-zåäöæøé]+)?(?:'s)?")
SENTENCE_END = re.compile(r"[.!?:;\n\"“”«»(–—-]\s*$")

# Words that introduce a name (sv, nb): "heter Bo", "fru Berg", "kontaktpersonen Per".
NAME_CUES = frozenset(
    """
    heter hette kallas kallad kallade het heiter kalt kalles herr fru fröken hr frk
    syster bror mamma pappa mor far dotter son sonen dottern mannen frun maken makan
    kontaktpersonen kontaktperson handläggaren handläggare handledaren boendestödjaren
    assistenten personlig personliga personalen brukaren brukare sjuksköterskan läkaren
    doktor dr kuratorn psykologen chefen enhetschefen rektor lärare läraren
    saksbehandleren saksbehandler veilederen veileder
    miljøterapeuten miljøarbeideren sykepleieren legen fastlegen lederen avdelingslederen
    brukeren beboeren assistent hos primærkontakten primærkontakt
    """.split()
)
# Cues that introduce a name even when the name is not in the list.
STRONG_CUES = frozenset(
    """
    heter hette kallas het heiter kalles herr fru fröken hr frk kontaktpersonen
    kontaktperson handläggaren handläggare primærkontakten primærkontakt saksbehandleren
    saksbehandler veilederen veileder
    """.split()
)
# Before a place rather than a person: "till Lund", "i Mora".
PLACE_BEFORE = frozenset("i på till från fra mot utanför nära ved vid mellom mellan".split())
# Verbs of speech right after a name at the start of a sentence: "Per sa att …".
SPEECH_AFTER = frozenset(
    """
    sa sade säger berättade tyckte menade svarade frågade sier fortalte mente svarte
    spurte syntes tycker mener
    """.split()
)


def _names_at(text: str, matches: list[re.Match]) -> list[Hit]:
    names, also_words = _names()
    hits = []
    for index, match in enumerate(matches):
        word = match.group()
        base = word[:-2] if word.endswith("'s") else word
        if not base[:1].isupper() or base.isupper():
            continue
        candidate = base
        if candidate not in names and candidate.endswith("s") and candidate[:-1] in names:
            candidate = candidate[:-1]  # genitive: Annas, Eriks
        if candidate not in names:
            # A name we do not know, right after a word that introduces one: "heter
            # Emir", "kontaktperson Jovana".
            if index and matches[index - 1].group().lower() in STRONG_CUES:
                hits.append(Hit(NAME, match.start(), match.start() + len(base), base))
            continue
        if candidate not in also_words:
            hits.append(Hit(NAME, match.start(), match.start() + len(base), base))
            continue
        # A name that is also a word: only with a cue.
        before = text[max(0, match.start() - 8) : match.start()]
        sentence_start = index == 0 or bool(SENTENCE_END.search(before))
        previous = matches[index - 1].group().lower() if index else ""
        following = matches[index + 1].group() if index + 1 < len(matches) else ""
        gap_after = text[match.end() : matches[index + 1].start()] if following else ""
        next_is_name = (
            following[:1].isupper()
            and gap_after == " "
            and following.removesuffix("s") in names
            and following not in also_words
        )
        speaks = following.lower() in SPEECH_AFTER and gap_after == " "
        if sentence_start:
            # "Per Andersson …", "Per sa att …" — but "Per dag …", "Hans mamma …" stay words.
            is_name = next_is_name or speaks
        else:
            # A capital in the middle of a sentence marks a name ("en boende, Bo, sa"),
            # unless it is a place ("flyttade till Lund").
            is_name = previous in NAME_CUES or previous not in PLACE_BEFORE
        if is_name:
            hits.append(Hit(NAME, match.start(), match.start() + len(base), base))
    return hits


def _valid_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if len(digits) < 7 or len(digits) > 15:
        return False
    for region in ("SE", "NO"):
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
    return False


def _swedish_id(candidate: str) -> bool:
    """A personal identity number, or a coordination number (the day plus 60), which
    python-stdnum does not know: the date is checked without the 60, Luhn on the digits."""
    if personnummer.is_valid(candidate):
        return True
    digits = re.sub(r"\D", "", candidate)
    day = int(digits[-6:-4])
    if day <= 60:
        return False
    birth = digits[:-6] + f"{day - 60:02d}" + digits[-4:]
    separator = "+" if "+" in candidate else "-"
    try:
        personnummer.get_birth_date(birth[:-4] + separator + birth[-4:])
    except ValidationError:
        return False
    return luhn.is_valid(digits[-10:])


def check(text: str) -> list[Hit]:
    """Everything in `text` that looks like personal data, in order, without overlaps."""
    found: list[Hit] = []
    for match in EMAIL_RE.finditer(text):
        found.append(Hit(EMAIL, match.start(), match.end(), match.group()))
    for match in SE_ID_RE.finditer(text):
        if _swedish_id(match.group()):
            found.append(Hit(ID_NUMBER, match.start(), match.end(), match.group()))
    for match in NO_ID_RE.finditer(text):
        if fodselsnummer.is_valid(match.group()):
            found.append(Hit(ID_NUMBER, match.start(), match.end(), match.group()))
    for match in PHONE_RE.finditer(text):
        candidate = match.group().strip(" -")
        if DATE_RE.fullmatch(candidate) or not _valid_phone(candidate):
            continue
        start = match.start() + match.group().index(candidate)
        found.append(Hit(PHONE, start, start + len(candidate), candidate))
    for match in ADDRESS_RE.finditer(text):
        found.append(Hit(ADDRESS, match.start(), match.end(), match.group()))
    found.extend(_names_at(text, list(WORD_RE.finditer(text))))
    return _without_overlaps(found, text)


def _without_overlaps(hits: list[Hit], text: str) -> list[Hit]:
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (RANK[h.kind], h.start)):
        if all(hit.end <= other.start or hit.start >= other.end for other in kept):
            kept.append(hit)
    merged: list[Hit] = []
    for hit in sorted(kept, key=lambda h: h.start):
        # "Anna Berg" is one name to replace, not two.
        last = merged[-1] if merged else None
        if last and last.kind == hit.kind == NAME and text[last.end : hit.start] in (" ", "-"):
            merged[-1] = Hit(NAME, last.start, hit.end, text[last.start : hit.end])
        else:
            merged.append(hit)
    return merged


def replace(text: str, hit: Hit, language: str | None = None) -> str:
    """`text` with `hit` replaced by its placeholder, if the hit is still there."""
    if text[hit.start : hit.end] != hit.text:
        return text
    return text[: hit.start] + hit.replacement(language) + text[hit.end :]
