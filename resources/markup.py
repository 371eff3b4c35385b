"""The library's Markdown turned into safe HTML, and the tags and attributes it may keep.

Its own module, below the services: the printable PDF (resources.pdf) cleans the text
with the same lists, and the services render with it.
"""

from __future__ import annotations

import markdown
import nh3

# Markdown may carry these tags into the page; everything else is stripped (nh3).
ALLOWED_TAGS = {
    "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "a", "blockquote",
    "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "hr", "br",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def render_markdown(text: str) -> str:
    """Markdown to HTML with only safe tags; a # heading becomes h2 (the page owns h1)."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    for level in (5, 4, 3, 2, 1):  # shift down one level, deepest first
        html = html.replace(f"<h{level}>", f"<h{min(level + 1, 4)}>").replace(
            f"</h{level}>", f"</h{min(level + 1, 4)}>"
        )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
