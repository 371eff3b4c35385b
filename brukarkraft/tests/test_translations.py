"""The catalogues in locale/: every string translated, .mo files current, nothing left out.

The checks are functions so that the tests at the bottom can prove, on throwaway
catalogues, that each of them really catches what it is meant to catch.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
LOCALE_DIR = BASE_DIR / "locale"
LANGUAGES = ("sv", "nb", "en")
# What `make messages` leaves out; the copy for the fresh extraction leaves out the same.
NOT_SOURCE = {
    ".git",
    ".venv",
    "var",
    "staticfiles",
    "node_modules",
    "test-results",
    "__pycache__",
    ".ruff_cache",
    ".pytest_cache",
}


def catalogues() -> list[Path]:
    # locale/vendor/ holds the admin's third-party apps' strings, kept by hand (settings).
    own = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
    return own + sorted((LOCALE_DIR / "vendor").glob("*/LC_MESSAGES/*.po"))


def describe(entry: polib.POEntry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"{context}{entry.msgid!r} (line {entry.linenum})"


def plural_count(po: polib.POFile) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    return int(match.group(1)) if match else 2


def untranslated_entries(po: polib.POFile) -> list[str]:
    """Entries a user would see in English: fuzzy, empty, or with an empty plural form."""
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {describe(entry)}")
        elif entry.msgid_plural:
            forms = entry.msgstr_plural
            if any(not forms.get(index, "").strip() for index in range(plural_count(po))):
                problems.append(f"plural form empty: {describe(entry)}")
        elif not entry.msgstr.strip():
            problems.append(f"untranslated: {describe(entry)}")
    return problems


def key(entry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def translations(entries) -> dict[tuple[str, str], object]:
    """What gettext would return for each entry, as msgfmt compiles it (fuzzy ones left out)."""
    result = {}
    for entry in entries:
        if getattr(entry, "obsolete", False) or getattr(entry, "fuzzy", False) or not entry.msgid:
            continue
        if entry.msgid_plural:
            forms = tuple(sorted(entry.msgstr_plural.items()))
            if any(text for _index, text in forms):
                result[key(entry)] = forms
        elif entry.msgstr:
            result[key(entry)] = entry.msgstr
    return result


def mo_differences(po_path: Path, mo_path: Path) -> list[str]:
    """How the compiled .mo differs from what compiling the .po would give now."""
    if not mo_path.exists():
        return [f"{mo_path} is missing: run `make messages`"]
    wanted = translations(polib.pofile(str(po_path)))
    compiled = translations(polib.mofile(str(mo_path)))
    differences = []
    for entry_key in sorted(wanted.keys() | compiled.keys()):
        if wanted.get(entry_key) != compiled.get(entry_key):
            differences.append(
                f"{entry_key[1]!r}: .po has {wanted.get(entry_key)!r}, "
                f".mo has {compiled.get(entry_key)!r}"
            )
    return differences


def msgids(po_path: Path) -> set[tuple[str, str]]:
    return {key(entry) for entry in polib.pofile(str(po_path)) if not entry.obsolete}


def extract_fresh_catalogue(workdir: Path) -> Path:
    """Run makemessages on a copy of the project, so the real locale/ is never touched."""
    copy = workdir / "project"
    shutil.copytree(BASE_DIR, copy, ignore=shutil.ignore_patterns(*NOT_SOURCE), symlinks=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "brukarkraft.settings"}
    env["VAR_DIR"] = str(workdir / "var")
    command = [
        sys.executable,
        "manage.py",
        "makemessages",
        "--locale=sv",
        "--no-obsolete",
        "--no-location",
        *(f"--ignore={name}" for name in sorted(NOT_SOURCE)),
    ]
    result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return copy / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def catalogue_gaps(fresh: set, committed: set) -> list[str]:
    missing = sorted(fresh - committed)
    stale = sorted(committed - fresh)
    return [f"missing from the catalogue: {msgid!r}" for _ctx, msgid in missing] + [
        f"no longer in the source: {msgid!r}" for _ctx, msgid in stale
    ]


# --- The project's catalogues --------------------------------------------------------


@pytest.fixture
def project_catalogues() -> list[Path]:
    found = catalogues()
    if not found:
        pytest.skip("locale/ has no .po files yet: create them with `make messages`")
    return found


def test_every_language_has_a_catalogue(project_catalogues):
    languages = {path.parts[-3] for path in project_catalogues}
    assert languages == set(LANGUAGES)


def test_every_entry_of_every_catalogue_is_translated(project_catalogues):
    problems = {
        str(path.relative_to(BASE_DIR)): found
        for path in project_catalogues
        if (found := untranslated_entries(polib.pofile(str(path))))
    }

    assert not problems, "\n".join(
        f"{path}:\n  " + "\n  ".join(found) for path, found in problems.items()
    )


def test_every_compiled_catalogue_matches_its_po_file(project_catalogues):
    stale = {
        str(path.relative_to(BASE_DIR)): differences
        for path in project_catalogues
        if (differences := mo_differences(path, path.with_suffix(".mo")))
    }

    assert not stale, "Run `make messages`:\n" + "\n".join(
        f"{path}:\n  " + "\n  ".join(found[:20]) for path, found in stale.items()
    )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_every_translatable_string_in_the_source_is_in_every_catalogue(
    project_catalogues, tmp_path
):
    fresh = msgids(extract_fresh_catalogue(tmp_path))

    gaps = {
        str(path.relative_to(BASE_DIR)): found
        for path in project_catalogues
        # locale/vendor/ holds other projects' strings, not ours.
        if path.name == "django.po"
        and "vendor" not in path.parts
        and (found := catalogue_gaps(fresh, msgids(path)))
    }

    assert not gaps, "Run `make messages` and translate:\n" + "\n".join(
        f"{path}:\n  " + "\n  ".join(found[:30]) for path, found in gaps.items()
    )


# --- The checks themselves, on throwaway catalogues ----------------------------------

HEADER = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
)


def write_po(path: Path, body: str) -> Path:
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_the_check_finds_fuzzy_empty_and_half_plural_entries(tmp_path):
    po = polib.pofile(
        str(
            write_po(
                tmp_path / "django.po",
                'msgid "Log in"\nmsgstr "Logga in"\n\n'
                '#, fuzzy\nmsgid "Log out"\nmsgstr "Logga in"\n\n'
                'msgid "Profile"\nmsgstr ""\n\n'
                'msgid "one audit"\nmsgid_plural "%(n)s audits"\n'
                'msgstr[0] "en revision"\nmsgstr[1] ""\n\n'
                '#~ msgid "Gone"\n#~ msgstr ""\n',
            )
        )
    )

    problems = untranslated_entries(po)

    assert len(problems) == 3
    assert problems[0].startswith("fuzzy: 'Log out'")
    assert problems[1].startswith("untranslated: 'Profile'")
    assert problems[2].startswith("plural form empty: 'one audit'")


def test_the_check_passes_a_fully_translated_catalogue(tmp_path):
    po = polib.pofile(
        str(
            write_po(
                tmp_path / "django.po",
                'msgid "Log in"\nmsgstr "Logga in"\n\n'
                'msgctxt "verb"\nmsgid "Order"\nmsgstr "Beställ"\n\n'
                'msgid "one audit"\nmsgid_plural "%(n)s audits"\n'
                'msgstr[0] "en revision"\nmsgstr[1] "%(n)s revisioner"\n',
            )
        )
    )

    assert untranslated_entries(po) == []


def test_the_check_finds_a_mo_file_older_than_its_po_file(tmp_path):
    po_path = write_po(tmp_path / "django.po", 'msgid "Log in"\nmsgstr "Logga in"\n')
    mo_path = tmp_path / "django.mo"
    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    assert mo_differences(po_path, mo_path) == []

    write_po(
        po_path,
        'msgid "Log in"\nmsgstr "Logga in nu"\n\nmsgid "Log out"\nmsgstr "Logga ut"\n',
    )

    differences = mo_differences(po_path, mo_path)
    assert len(differences) == 2
    assert "'Log in'" in differences[0]
    assert "'Log out'" in differences[1]
    assert mo_differences(po_path, tmp_path / "missing.mo")[0].endswith("run `make messages`")


def test_the_check_leaves_fuzzy_entries_out_of_the_compiled_comparison(tmp_path):
    po_path = write_po(
        tmp_path / "django.po",
        'msgid "Log in"\nmsgstr "Logga in"\n\n#, fuzzy\nmsgid "Log out"\nmsgstr "Logga"\n',
    )
    mo_path = tmp_path / "django.mo"
    # msgfmt leaves fuzzy entries out, and so does the comparison.
    write_po(tmp_path / "clean.po", 'msgid "Log in"\nmsgstr "Logga in"\n')
    polib.pofile(str(tmp_path / "clean.po")).save_as_mofile(str(mo_path))

    assert mo_differences(po_path, mo_path) == []


def test_the_check_names_strings_missing_from_or_stale_in_a_catalogue():
    fresh = {("", "Log in"), ("", "Log out"), ("verb", "Order")}
    committed = {("", "Log in"), ("", "Order"), ("verb", "Order")}

    assert catalogue_gaps(fresh, committed) == [
        "missing from the catalogue: 'Log out'",
        "no longer in the source: 'Order'",
    ]
