"""The printed documents: the survey on paper, code slips, and the PDF helper they share."""

from __future__ import annotations

import io
import socket

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image
from pypdf import PdfReader

from brukarkraft import pdf as portal_pdf
from brukarkraft.pdf import PortalURLFetcher, page_numbers_css, render_pdf
from surveys.models import CodeBatch, Kind, OneTimeCode, Option, Question, Section, Survey
from surveys.pdf import code_slips_pdf, code_url, paper_questionnaire_pdf
from surveys.qr import qr_data_uri, qr_svg

pytestmark = pytest.mark.django_db

ANSWER_URL = "https://brukarkraft.example/k/abc123"
CODES = [f"AB{n:02d}-CDEF" for n in range(10)]


def text_of(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    # Lines wrap wherever the layout wants; compare on single spaces.
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "#336699").save(out, format="PNG")
    return out.getvalue()


def add_question(survey, section, kind, position, text, **fields) -> Question:
    return Question.objects.create(
        survey=survey, section=section, kind=kind, position=position, text_sv=text, **fields
    )


def add_options(question, *labels, smileys=()) -> list[Option]:
    return [
        Option.objects.create(
            question=question,
            position=position,
            value=str(position),
            label_sv=label_sv,
            label_nb=label_nb,
            smiley=smileys[position - 1] if smileys else "",
        )
        for position, (label_sv, label_nb) in enumerate(labels, start=1)
    ]


@pytest.fixture
def survey():
    survey = Survey.objects.create(
        title_sv="Trivsel på daglig verksamhet",
        title_nb="Trivsel på dagsenteret",
        title_en="Wellbeing at the day centre",
        intro_sv="Vi vill veta vad du tycker.",
        intro_nb="Vi vil vite hva du synes.",
    )
    about = Section.objects.create(survey=survey, position=1, title_sv="Om dagen")
    people = Section.objects.create(survey=survey, position=2, title_sv="Om personalen")

    practice = add_question(
        survey, about, Kind.YES_NO, 0, "Tycker du om glass?", text_nb="Liker du is?"
    )
    practice.is_practice = True
    practice.save()
    add_options(practice, ("Ja", "Ja"), ("Nej", "Nei"))

    scale = add_question(
        survey,
        about,
        Kind.SCALE5,
        1,
        "Hur trivs du på din dagliga verksamhet?",
        text_nb="Hvordan trives du på dagsenteret?",
        easy_sv="Tycker du om att vara här?",
        easy_nb="Liker du å være her?",
    )
    add_options(
        scale,
        ("Mycket dåligt", "Veldig dårlig"),
        ("Dåligt", "Dårlig"),
        ("Varken bra eller dåligt", "Verken bra eller dårlig"),
        ("Bra", "Bra"),
        ("Mycket bra", "Veldig bra"),
        smileys=[choice.value for choice in Option.Smiley],
    )
    single = add_question(
        survey,
        about,
        Kind.SINGLE,
        2,
        "Hur kommer du till verksamheten?",
        help_sv="Välj det sätt du oftast reser.",
        image="surveys/pictures/buss.png",
        image_alt_sv="En buss vid en hållplats",
    )
    bus, _taxi = add_options(single, ("Med buss", "Med buss"), ("Med färdtjänst", "Med TT"))
    add_question(
        survey,
        about,
        Kind.NUMBER,
        3,
        "Hur många minuter tar resan?",
        min_value=0,
        max_value=180,
        show_if_option=bus,
    )
    multiple = add_question(
        survey, people, Kind.MULTIPLE, 1, "Vad gör du helst?", text_nb="Hva gjør du helst?"
    )
    add_options(multiple, ("Målar", "Maler"), ("Lagar mat", "Lager mat"))
    add_question(survey, people, Kind.TEXT, 2, "Vad vill du ändra på?")
    return survey


@pytest.fixture
def picture(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.storage import default_storage

    return default_storage.save("surveys/pictures/buss.png", ContentFile(png_bytes()))


@pytest.fixture
def batch(survey):
    batch = CodeBatch.objects.create(survey=survey, size=len(CODES))
    OneTimeCode.objects.bulk_create(
        OneTimeCode(batch=batch, survey=survey, code=code) for code in CODES
    )
    return batch


def test_paper_questionnaire_has_every_question_and_answer_box(survey, picture):
    reader, text = text_of(paper_questionnaire_pdf(survey, "sv"))

    assert len(reader.pages) > 0
    assert "Trivsel på daglig verksamhet" in text
    assert "Vi vill veta vad du tycker." in text
    for question in survey.questions.all():
        assert question.text_sv in text
    assert "Tycker du om att vara här?" in text  # the easy-to-read text
    assert "Välj det sätt du oftast reser." in text
    for option in Option.objects.filter(question__survey=survey):
        assert option.label_sv in text
    with translation.override("sv"):
        assert gettext("Don't know") in text
        assert gettext("You may tick more than one.") in text
        assert gettext("Practice question – not counted") in text
        assert gettext("Write a number") in text
        assert gettext("From %(min)s to %(max)s") % {"min": 0, "max": 180} in text
        assert gettext("Did someone help you answer?") in text
        assert gettext("No, I answered alone") in text
        assert gettext("Thank you") in text
        assert gettext("Page %(page)s of %(pages)s") % {"page": 1, "pages": len(reader.pages)} in (
            " ".join(reader.pages[0].extract_text().split())
        )


def test_paper_questionnaire_numbers_counted_questions_only(survey):
    _, text = text_of(paper_questionnaire_pdf(survey, "sv"))

    assert "1. Hur trivs du på din dagliga verksamhet?" in text
    assert "5. Vad vill du ändra på?" in text
    assert ". Tycker du om glass?" not in text
    # The number question is for bus travellers only, as on the web.
    with translation.override("sv"):
        condition = gettext(
            "Answer this question only if you ticked “%(answer)s” at question %(number)s."
        ) % {"answer": "Med buss", "number": 2}
    assert condition in text


def test_paper_questionnaire_shows_pictures(survey, picture):
    reader = PdfReader(io.BytesIO(paper_questionnaire_pdf(survey, "sv")))

    assert any(page.images for page in reader.pages)


def test_paper_questionnaire_is_a_tagged_pdf_in_its_language(survey):
    for language in ("sv", "nb"):
        reader = PdfReader(io.BytesIO(paper_questionnaire_pdf(survey, language)))
        root = reader.trailer["/Root"]

        assert root["/Lang"] == language
        assert "/StructTreeRoot" in root
        assert root["/MarkInfo"]["/Marked"]


def test_paper_questionnaire_in_norwegian_uses_norwegian_texts(survey):
    _, text = text_of(paper_questionnaire_pdf(survey, "nb"))

    assert "Trivsel på dagsenteret" in text
    assert "Hvordan trives du på dagsenteret?" in text
    assert "Liker du å være her?" in text
    assert "Veldig dårlig" in text
    # No Norwegian text written: the Swedish one is shown rather than nothing.
    assert "Vad vill du ändra på?" in text
    with translation.override("nb"):
        assert gettext("Don't know") in text


def test_code_slips_have_every_code_and_the_address(batch):
    reader, text = text_of(code_slips_pdf(batch, "sv", ANSWER_URL))

    assert len(reader.pages) == 2  # 8 slips a sheet
    for code in CODES:
        assert code in text
    assert ANSWER_URL in text.replace(" ", "")
    with translation.override("sv"):
        assert gettext("Your personal code") in text
        assert gettext("You do not have to write your name. Nobody can see who answered.") in text


def test_code_slips_are_a_tagged_pdf_in_their_language(batch):
    for language in ("sv", "nb"):
        reader = PdfReader(io.BytesIO(code_slips_pdf(batch, language, ANSWER_URL)))
        root = reader.trailer["/Root"]

        assert root["/Lang"] == language
        assert "/StructTreeRoot" in root


def test_code_url_adds_the_code_to_the_address():
    assert code_url(ANSWER_URL, "ABCD-EFGH") == f"{ANSWER_URL}?code=ABCD-EFGH"
    assert code_url(f"{ANSWER_URL}?u=2", "ABCD-EFGH") == f"{ANSWER_URL}?u=2&code=ABCD-EFGH"


def test_qr_svg_is_labelled_and_about_four_centimetres():
    svg = qr_svg(ANSWER_URL, title="QR <code>")

    assert svg.startswith('<svg role="img" width="40mm" height="40mm"')
    assert "<title>QR &lt;code&gt;</title>" in svg


def test_qr_data_uri_is_an_svg_image():
    assert qr_data_uri(ANSWER_URL).startswith("data:image/svg+xml;charset=utf-8,%3Csvg")


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/static/fonts/DejaVuSans.ttf",
        "file:///etc/passwd",
        "ftp://example.com/x.png",
        "/etc/passwd",
        "static:../../../etc/passwd",
        "static:%2e%2e/settings.py",
        "static:surveys/../../brukarkraft/settings.py",
        "media:../db.sqlite3.png",
        "media:surveys/exports/answers.csv",
        "media:surveys/pictures/missing.png",
    ],
)
def test_url_fetcher_refuses_everything_but_our_own_files(url):
    with pytest.raises(ValueError):
        PortalURLFetcher("http://testserver/").fetch(url)


def test_url_fetcher_serves_static_files_and_pictures(picture):
    fetcher = PortalURLFetcher("http://testserver/")

    smiley = fetcher.fetch("static:surveys/smileys/happy.svg")
    assert smiley.content_type == "image/svg+xml"
    assert smiley.read().startswith(b"<svg")
    # What {% static %} gives, made absolute against the document's own address.
    font = fetcher.fetch("http://testserver/static/fonts/DejaVuSans.ttf")
    assert font.content_type == "font/ttf"
    assert fetcher.fetch(f"media:{picture}").read() == png_bytes()
    assert fetcher.fetch(qr_data_uri(ANSWER_URL)).read().startswith(b"<svg")


def test_render_pdf_never_goes_to_the_network(monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("no network in tests")

    # WeasyPrint's own fetcher would look the host up first, then connect.
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(
        portal_pdf,
        "render_to_string",
        lambda *args, **kwargs: (
            '<html lang="en"><head><title>T</title>'
            '<link rel="stylesheet" href="http://example.com/x.css"></head>'
            '<body><p>Hello</p><img src="http://example.com/x.png" alt="x">'
            '<img src="file:///etc/passwd" alt="y"></body></html>'
        ),
    )

    data = render_pdf("unused.html", {}, language="en")

    assert attempts == []
    assert "Hello" in text_of(data)[1]


def test_page_numbers_follow_the_translation_and_stay_inside_the_style(monkeypatch):
    monkeypatch.setattr(
        portal_pdf, "gettext", lambda text: 'Sidan %(page)s "</style>" av %(pages)s'
    )

    assert page_numbers_css() == (
        '"Sidan " counter(page) " \\"\\3c /style\\3e \\" av " counter(pages)'
    )
