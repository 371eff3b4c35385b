"""Checks for uploaded documents: the type is read from the content, never from the name."""

from __future__ import annotations

import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
DOCX_MAIN = b"wordprocessingml.document.main+xml"


def document_kind(upload) -> str | None:
    """ "pdf", "docx" or "odt" by the file's content, or None."""
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return "pdf"
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return "odt" if archive.read("mimetype").strip() == ODT_MIMETYPE else None
            if "[Content_Types].xml" in names and DOCX_MAIN in archive.read("[Content_Types].xml"):
                return "docx"
    except zipfile.BadZipFile:
        return None
    finally:
        upload.seek(0)
    return None


def validate_document(upload, *, max_bytes: int = DOCUMENT_MAX_BYTES) -> str:
    """Return the kind of a PDF, DOCX or ODT upload whose name matches its content;
    refuse anything else (an executable renamed .pdf, a broken zip, an over-size file)."""
    if upload.size > max_bytes:
        raise ValidationError(
            gettext("The file is larger than %(megabytes)s MB.")
            % {"megabytes": max_bytes // (1024 * 1024)},
            code="too_large",
        )
    kind = document_kind(upload)
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if kind is None or kind != extension:
        raise ValidationError(
            gettext("Upload a PDF, DOCX or ODT file: this file is none of them."),
            code="bad_type",
        )
    return kind
