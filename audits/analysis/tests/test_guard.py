"""The personal-data guard, measured on the labelled note sentences (README: the guard)."""

import json
from pathlib import Path

import pytest
from django.utils import translation

from audits.analysis import guard

SENTENCES = Path(__file__).parent / "data" / "guard_sentences.jsonl"


def labelled():
    with SENTENCES.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def test_the_labelled_set_is_big_enough_and_half_personal():
    rows = labelled()
    assert len(rows) >= 200
    assert {row["language"] for row in rows} == {"sv", "nb"}
    personal = sum(row["has_personal_data"] for row in rows)
    assert personal == len(rows) - personal


def test_recall_and_false_positive_rate():
    rows = labelled()
    personal = [row for row in rows if row["has_personal_data"]]
    clean = [row for row in rows if not row["has_personal_data"]]
    found = sum(1 for row in personal if guard.check(row["text"]))
    flagged = sum(1 for row in clean if guard.check(row["text"]))
    recall = found / len(personal)
    false_positive_rate = flagged / len(clean)
    assert recall >= 0.95, recall
    assert false_positive_rate <= 0.05, false_positive_rate


def test_each_kind_is_named_where_the_label_says():
    hits_of_kind = 0
    rows = [row for row in labelled() if row["has_personal_data"]]
    for row in rows:
        kinds = {hit.kind for hit in guard.check(row["text"])}
        hits_of_kind += set(row["kinds"]) <= kinds
    assert hits_of_kind / len(rows) >= 0.95


@pytest.mark.parametrize(
    "text",
    [
        "Per dag får hon två timmar.",
        "Hans mamma följde med.",
        "Bo kvar hemma var viktigast.",
        "Vår handläggare svarar aldrig.",
        "Alle i gruppen var enige.",
        "Stig in, sa personalen.",
        "Vi träffades 2026-03-12 kl 14.",
        "Tre av fem informanter, 1 500 kronor.",
        "Han flyttade till Lund i maj.",
    ],
)
def test_names_that_are_words_need_a_cue(text):
    assert guard.check(text) == []


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("Kontaktpersonen Bo svarade inte.", guard.NAME, "Bo"),
        ("Per sa att han väntat länge.", guard.NAME, "Per"),
        ("Vi pratade med Per Andersson.", guard.NAME, "Per Andersson"),
        ("Ring 070-123 45 67 i morgon.", guard.PHONE, "070-123 45 67"),
        ("Ring +47 912 34 567 i morgon.", guard.PHONE, "+47 912 34 567"),
        ("Nummer 811218-9876 på lappen.", guard.ID_NUMBER, "811218-9876"),
        ("Nummer 811278-9873 på lappen.", guard.ID_NUMBER, "811278-9873"),
        ("Fødselsnummer 151086 95088 sto der.", guard.ID_NUMBER, "151086 95088"),
        ("Skriv till anna.berg@example.se i dag.", guard.EMAIL, "anna.berg@example.se"),
        ("Hon bor på Storgatan 12 i Malmö.", guard.ADDRESS, "Storgatan 12"),
        ("Han bor i Karl Johans gate 3.", guard.ADDRESS, "Karl Johans gate 3"),
    ],
)
def test_hits(text, kind, found):
    hits = guard.check(text)
    assert [(hit.kind, hit.text) for hit in hits] == [(kind, found)]
    assert text[hits[0].start : hits[0].end] == found


def test_an_invalid_check_digit_is_not_an_identity_number():
    assert not [hit for hit in guard.check("Nummer 811218-9875.") if hit.kind == guard.ID_NUMBER]


def test_replacement_in_the_audits_language():
    text = "Kontaktpersonen Bo ringde från 070-123 45 67."
    hits = guard.check(text)
    for hit in reversed(hits):
        text = guard.replace(text, hit, "sv")
    assert text == "Kontaktpersonen [namn] ringde från [telefon]."
    hit = guard.check("Hun heter Kari.")[0]
    assert guard.replace("Hun heter Kari.", hit, "nb") == "Hun heter [navn]."
    with translation.override("en"):
        assert hit.replacement() == "[name]"


def test_replacing_a_hit_that_is_gone_changes_nothing():
    hit = guard.check("Hun heter Kari.")[0]
    assert guard.replace("Hun heter Ola.", hit, "nb") == "Hun heter Ola."


def test_a_2000_word_note_is_checked_whole():
    # Its speed is measured in bench/audits_analysis.py (figures in bench/README.md), not
    # here: a timed test fails on a busy machine. This checks the long note is read to its end.
    words = " ".join(row["text"] for row in labelled()).split()
    note = " ".join((words * 4)[:2000]) + " Ring 070-123 45 67."
    hits = guard.check(note)
    assert hits, "the labelled sentences hold personal data"
    assert hits[-1].end == len(note) - 1
