"""The printable PDF of a published version: its text, in the resource's language, tagged."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from pypdf import PdfReader

from resources import services
from resources.pdf import version_context, version_pdf
from resources.tests.factories import published_resource

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    # Lines wrap wherever the layout wants; compare on single spaces.
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_version_pdf_has_the_title_a_body_heading_and_the_library_link():
    resource = published_resource(slug="revisionsmanual", title="Revisionsmanual för brukare")
    version = resource.current_version

    reader, text = text_of(version_pdf(version))

    assert "Revisionsmanual för brukare" in text
    assert "Innan revisionen" in text  # a "# heading" of the body
    assert "Datainsamling" in text
    assert resource.summary in text
    # The address may wrap at a slash; compare it without the spaces.
    assert f"{settings.SITE_URL.rstrip('/')}/resources/revisionsmanual/" in text.replace(" ", "")
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    assert reader.metadata.title == "Revisionsmanual för brukare"


def test_the_pdf_is_in_the_resources_language_whatever_the_reader_uses():
    resource = published_resource(language="nb", title="Revisjonsmanual", slug="revisjon-nb")

    reader, text = text_of(version_pdf(resource.current_version))

    assert reader.trailer["/Root"]["/Lang"] == "nb"
    # The link carries the Norwegian prefix; the labels are Norwegian.
    assert "/nb/resources/revisjon-nb/" in text.replace(" ", "")
    assert "Versjon: 1" in text


def test_a_second_version_prints_its_own_number_and_text():
    resource = published_resource(slug="metod")
    author, reviewer = resource.author, resource.versions.get().approved_by
    services.resource_update(
        resource=resource, by=author, data={"body": "# Analys\n\nTeman och citat."}
    )
    services.resource_submit(resource=resource, by=author)
    services.resource_review(resource=resource, by=reviewer, decision="approved")
    resource.refresh_from_db()

    context = version_context(resource.current_version)
    _reader, text = text_of(version_pdf(resource.current_version))

    assert context["number"] == 2
    assert "Analys" in text
    assert "Innan revisionen" not in text


def test_html_slipped_into_a_stored_version_is_cleaned_again():
    resource = published_resource(slug="fusk")
    version = resource.current_version
    version.body_html = (
        '<h2>Rubrik</h2><script>alert(1)</script><img src="http://example.com/x.png">'
    )

    html = str(version_context(version)["body_html"])

    assert "<h2>Rubrik</h2>" in html
    assert "script" not in html
    assert "img" not in html


def test_version_print_stores_the_pdf_once():
    resource = published_resource(slug="utskrift")

    first = services.version_print(version_id=resource.current_version_id)
    name = first.pdf.name
    again = services.version_print(version_id=resource.current_version_id)

    assert name.endswith(".pdf")
    assert again.pdf.name == name
    assert first.pdf.read().startswith(b"%PDF-")
