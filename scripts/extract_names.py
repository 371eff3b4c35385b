"""Build audits/analysis/data/names.json, the given names and surnames the personal-data
guard looks for in field notes. Run once by hand; the output is committed, so neither Faker
nor gender-guesser is needed when the portal runs:

    python -m pip install -r scripts/requirements.txt
    python scripts/extract_names.py

Sources (both well kept and built from public name statistics, not from leaked data):
Faker's sv_SE and no_NO person providers (given names and surnames), and gender-guesser's
name dictionary (Jörg Michael's nam_dict.txt), the names that have a frequency in its
Swedish or Norwegian column.

Names that are also ordinary Swedish or Norwegian words (Bo, Per, Stig, Hans, Liv, Vår …)
or places are written under "also_words": the guard needs a cue before it calls them a name
(see audits/analysis/guard.py), so they never match blindly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "audits" / "analysis" / "data" / "names.json"

# gender-guesser's nam_dict.txt: the frequency columns start at character 30, one per
# country in this order (gender_guesser.detector.Detector.COUNTRIES); norway and sweden are
# columns 17 and 18. A value is a hex-like frequency digit, 1 (rare) to D (very common).
NORWAY, SWEDEN = 17, 18
MIN_FREQUENCY = 2  # leave out names seen only once or twice in the source's statistics

# Names that are also ordinary words, in either language, or common place names. Written by
# hand: no well-kept word list separates "hans" (his) from "Hans".
ALSO_WORDS = """
Al Alf Alle Alma Amanda Are Ask Asp Axel Bark Bare Bella Ben Berg Berge Bill Birk Bjørk Björk
Björn Bjørn Blom Blomst Bo Borg Bror Dag Dahl Dal Dam Dan Den Dina Dine Ebbe Eik Eke Eli Elin
Ella Eller Else Ely Ester Even Fall Fant Fin Fors Fred Frid Frost Gran Gro Gull Gun Hage Hagen
Hall Hans Haug Haugen Hav Hed Hel Helge Helle Hem Holm Hope Hov Hugo Ida Inga Ingen Juni Kai
Kaj Kan Kari Kim Klara Kort Kvist Lagt Lill Lind Linn Lisa Liv Love Lund Lycka Maj Man Mark
Mats May Mine Moa Moen Mona Mor Nord Norr Odd Olle Ord Per Rask Ren Rose Ros Rut Sam Sand
Siv Sine Sol Sommar Spring Sten Stig Stein Storm Strand Ström Sund Svea Tall Tim Tom Tone Tor
Tove Tro Ulf Unni Vår Vide Vik Vilja Vinter Væ Ære Åker Ås Øy
""".split()


def faker_names() -> tuple[set[str], set[str]]:
    from faker.providers.person.no_NO import Provider as Norwegian
    from faker.providers.person.sv_SE import Provider as Swedish

    given: set[str] = set()
    surnames: set[str] = set()
    for provider in (Swedish, Norwegian):
        given.update(provider.first_names_male)
        given.update(provider.first_names_female)
        surnames.update(provider.last_names)
    return given, surnames


def _frequency(character: str) -> int:
    character = character.strip()
    if not character:
        return 0
    return int(character, 16)


def gender_guesser_names() -> set[str]:
    import gender_guesser

    path = os.path.join(os.path.dirname(gender_guesser.__file__), "data", "nam_dict.txt")
    names = set()
    with open(path, encoding="utf-8") as source:
        for line in source:
            if line[:1] in "#=" or len(line) < 31:
                continue
            columns = line[30:-1]
            if max(_frequency(columns[NORWAY]), _frequency(columns[SWEDEN])) < MIN_FREQUENCY:
                continue
            name = line.split()[1]
            # "+" joins the parts of a double name (Anna+Lena): keep both spellings.
            for variant in {name.replace("+", "-"), name.replace("+", "")}:
                if variant.isalpha() or "-" in variant:
                    names.add(variant)
    return names


def main() -> None:
    given, surnames = faker_names()
    given |= gender_guesser_names()
    # Two letters are too short to tell from initials and abbreviations.
    given = {name for name in given if len(name) > 2}
    surnames = {name for name in surnames if len(name) > 2}
    data = {
        "sources": "Faker sv_SE and no_NO person providers; gender-guesser nam_dict.txt "
        f"(Swedish and Norwegian columns, frequency >= {MIN_FREQUENCY})",
        "given": sorted(given),
        "surnames": sorted(surnames - given),
        "also_words": sorted(set(ALSO_WORDS)),
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(data['given'])} given names, {len(data['surnames'])} surnames -> {OUTPUT}")


if __name__ == "__main__":
    main()
