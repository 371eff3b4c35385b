"""fill_source_language: the English catalogue always says what the source says."""

import io

import polib
from django.core.management import call_command


def write_catalogue(base_dir):
    folder = base_dir / "locale" / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="Log in", msgstr=""))
    po.append(polib.POEntry(msgid="Send", msgstr="Submit", flags=["fuzzy"], previous_msgid="Sub"))
    po.append(
        polib.POEntry(
            msgid="%(count)s answer",
            msgid_plural="%(count)s answers",
            msgstr_plural={0: "", 1: ""},
        )
    )
    path = folder / "django.po"
    po.save(str(path))
    return path


def test_empty_and_fuzzy_english_entries_get_their_source_text(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    path = write_catalogue(tmp_path)

    out = io.StringIO()
    call_command("fill_source_language", stdout=out)

    po = polib.pofile(str(path))
    entries = {entry.msgid: entry for entry in po}
    assert entries["Log in"].msgstr == "Log in"
    assert entries["Send"].msgstr == "Send"
    assert not entries["Send"].fuzzy
    assert entries["%(count)s answer"].msgstr_plural == {
        0: "%(count)s answer",
        1: "%(count)s answers",
    }
    assert po.metadata["Language"] == "en"
    assert out.getvalue().strip() == "Updated 3 English entries."
