"""QR codes for survey links, as SVG: sharp in print at any size."""

from __future__ import annotations

import io
from urllib.parse import quote

import segno
from django.utils.safestring import mark_safe

# About 4 cm: large enough for old phone cameras and shaky hands, small enough for a slip.
PRINT_SIZE = "40mm"


def _svg(url: str, *, title: str = "", xmlns: bool) -> str:
    # micro=False: some phone camera apps cannot read the smaller Micro QR codes.
    # error="m" survives a crease or a coffee stain; boost_error raises it when space allows.
    qr = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    qr.save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=xmlns,
        omitsize=True,
        title=title or None,
        dark="#000",
        light="#fff",
        svgclass=None,
        lineclass=None,
        nl=False,
    )
    svg = out.getvalue().decode()
    # segno gives only the viewBox with omitsize; a fixed size keeps it ~4 cm in print.
    return svg.replace("<svg", f'<svg width="{PRINT_SIZE}" height="{PRINT_SIZE}"', 1)


def qr_svg(url: str, *, title: str) -> str:
    """Inline SVG markup of a QR code for url, announced to screen readers by title."""
    svg = _svg(url, title=title, xmlns=False)
    # segno escapes the title, and the URL is only in the modules' pattern, never as text.
    return mark_safe(svg.replace("<svg", '<svg role="img"', 1))  # noqa: S308


def qr_data_uri(url: str) -> str:
    """A data: URI of the QR code's SVG, for <img src> (give the <img> its own alt text)."""
    return "data:image/svg+xml;charset=utf-8," + quote(_svg(url, xmlns=True), safe="")
