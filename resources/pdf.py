"""The printable PDF of a published resource version, in the resource's language.

Made once per version by a worker (services.version_print, called from tasks.print_version)
and then served as a file. WeasyPrint is imported only inside `version_pdf`, through
brukarkraft.pdf, so that web processes do not load it.
"""

from __future__ import annotations

import nh3
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from brukarkraft.pdftext import clean_text

from .models import ResourceVersion


def version_context(version: ResourceVersion) -> dict:
    """Everything the printed version shows, its text cleaned for layout."""
    from .markup import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

    resource = version.resource
    with translation.override(resource.language):
        # reverse() inside the override adds the language prefix ("" for Swedish).
        link = settings.SITE_URL.rstrip("/") + reverse("resources:detail", args=[resource.slug])
        kind = str(resource.get_kind_display())
    # body_html was cleaned when the version was approved; cleaning it again costs little
    # and keeps a row edited in the database from reaching the PDF unchecked.
    body = nh3.clean(
        clean_text(version.body_html), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES
    )
    return {
        "version": version,
        "resource": resource,
        "kind": kind,
        "title": clean_text(version.title),
        "summary": clean_text(version.summary),
        "body_html": mark_safe(body),  # noqa: S308 - cleaned by nh3 just above
        "number": version.number,
        "published_on": timezone.localtime(version.published_at).date(),
        "easy_to_read": resource.easy_to_read,
        "link": link,
    }


def version_pdf(version: ResourceVersion) -> bytes:
    """The version as a tagged PDF/UA-1 document (bytes)."""
    from brukarkraft.pdf import render_pdf

    context = version_context(version)
    return render_pdf("resources/pdf/version.html", context, language=version.resource.language)
