"""Render documents to accessible PDF with WeasyPrint, shared by every app.

A document is a template under `<app>/templates/<app>/pdf/`; it includes
`pdf/base_pdf.css` in its <style> for the fonts, page size, header and page numbers.
WeasyPrint gets nothing from the network or the server's disk: `PortalURLFetcher` serves
only our static files and uploaded pictures.

In templates, point at files with the two schemes of our own, which work whatever the
static files storage is (hashed names in production, none collected in tests):

    <img src="static:surveys/smileys/happy.svg" alt="…">
    <img src="media:{{ question.image.name }}" alt="…">
"""

from __future__ import annotations

import base64
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urljoin

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Uploads a document may show: pictures only, never exports or other private files.
PICTURE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
# Tagged PDF for screen readers: structure tree, /Lang, reading order.
PDF_VARIANT = "pdf/ua-1"
STATIC_TYPES = {
    **PICTURE_TYPES,
    ".svg": "image/svg+xml",
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


def _clean_name(name: str) -> str:
    """Return a relative file name, refusing any way out of the storage it is looked up in."""
    name = unquote(name.split("?", 1)[0].split("#", 1)[0]).lstrip("/")
    normal = posixpath.normpath(name) if name else ""
    if not normal or normal == "." or normal.startswith("..") or "\\" in normal or "\0" in normal:
        raise ValueError(f"Not a file name: {name!r}")
    return normal


def _content_type(name: str, types: dict[str, str]) -> str:
    content_type = types.get(posixpath.splitext(name)[1].lower())
    if content_type is None:
        raise ValueError(f"Not a kind of file a document may use: {name!r}")
    return content_type


def _data_url(url: str) -> tuple[bytes, str]:
    header, comma, payload = url.removeprefix("data:").partition(",")
    if not comma:
        raise ValueError("A data: URL without data")
    if header.lower().endswith(";base64"):
        return base64.b64decode(unquote_to_bytes(payload)), header[: -len(";base64")]
    return unquote_to_bytes(payload), header


class PortalURLFetcher(URLFetcher):
    """Give WeasyPrint our own files only; anything else raises ValueError.

    - `static:<name>`, or a URL under STATIC_URL on the document's own site: a static file;
    - `media:<name>`: an uploaded picture from the default storage;
    - `data:`: inline data such as QR codes.

    Everything else (other sites, `file:`, other uploads) is refused, so a text typed into a
    survey or an uploaded SVG can never make the server fetch a URL or read a local file.
    """

    def __init__(self, base_url: str | None = None) -> None:
        super().__init__()
        base_url = base_url or site_base_url()
        self._static_prefix = urljoin(base_url, settings.STATIC_URL)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            body, content_type = _data_url(url)
        elif scheme == "static":
            body, content_type = self._static(url[len("static:") :])
        elif scheme == "media":
            body, content_type = self._media(url[len("media:") :])
        elif scheme in ("http", "https") and url.startswith(self._static_prefix):
            body, content_type = self._static(url[len(self._static_prefix) :])
        else:
            raise ValueError(f"Documents may not fetch {url!r}")
        return URLFetcherResponse(url, body, headers={"Content-Type": content_type})

    def _static(self, name: str) -> tuple[bytes, str]:
        name = _clean_name(name)
        content_type = _content_type(name, STATIC_TYPES)
        path = finders.find(name)
        if path:
            return Path(path).read_bytes(), content_type
        # `{% static %}` gives hashed names in production; those exist only once collected.
        if staticfiles_storage.exists(name):
            with staticfiles_storage.open(name) as file:
                return file.read(), content_type
        raise ValueError(f"No static file {name!r}")

    def _media(self, name: str) -> tuple[bytes, str]:
        name = _clean_name(name)
        content_type = _content_type(name, PICTURE_TYPES)
        if not default_storage.exists(name):
            raise ValueError(f"No uploaded file {name!r}")
        with default_storage.open(name) as file:
            return file.read(), content_type


def site_base_url(request=None) -> str:
    """The portal's own address, against which links in a document are made absolute."""
    if request is not None:
        return request.build_absolute_uri("/")
    return settings.SITE_URL.rstrip("/") + "/"


def css_string(text: str) -> str:
    """Quote text as a CSS string that cannot end the <style> element it is written into."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\a ")
        .replace("<", "\\3c ")
        .replace(">", "\\3e ")
    )
    return f'"{escaped}"'


def page_numbers_css() -> SafeString:
    """A CSS `content` value saying "Page 1 of 3" in the active language."""
    text = gettext("Page %(page)s of %(pages)s")
    # The translation may put the numbers in any order; WeasyPrint fills in the counters.
    parts = []
    for part in re.split(r"(%\(pages?\)s)", text):
        if part == "%(page)s":
            parts.append("counter(page)")
        elif part == "%(pages)s":
            parts.append("counter(pages)")
        elif part:
            parts.append(css_string(part))
    return mark_safe(" ".join(parts))  # noqa: S308 - every text part is escaped by css_string


def render_pdf(template_name: str, context: dict, *, language: str, request=None) -> bytes:
    """Render a template to a tagged PDF/UA-1 document in the given language.

    The template must set `<html lang="{{ pdf_language }}">` (it becomes the PDF's /Lang)
    and a <title>. Besides `context` it gets `pdf_language` and `pdf_page_numbers`.
    """
    return _html(template_name, context, language=language, request=request).write_pdf(
        pdf_variant=PDF_VARIANT
    )


def render_pdf_with_pages(
    template_name: str, context: dict, *, language: str, request=None
) -> tuple[bytes, int]:
    """Like render_pdf, and also give the number of pages the layout made."""
    document = _html(template_name, context, language=language, request=request).render(
        pdf_variant=PDF_VARIANT
    )
    return document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages)


def _html(template_name: str, context: dict, *, language: str, request=None) -> HTML:
    base_url = site_base_url(request)
    with translation.override(language):
        html = render_to_string(
            template_name,
            {**context, "pdf_language": language, "pdf_page_numbers": page_numbers_css()},
            request=request,
        )
    return HTML(string=html, base_url=base_url, url_fetcher=PortalURLFetcher(base_url))
