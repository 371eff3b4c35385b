"""The shared layout's markup, read from the HTML the server sends (no browser needed).

These were browser tests in e2e/test_layout.py; what they check is in the markup the server
renders, so the test client asserts the same, without a live server and Chromium.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    ancestors: list[Element]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def has_class(self, name: str) -> bool:
        return name in (self.attrs.get("class") or "").split()

    def within(self, tag: str = "", cls: str = "") -> bool:
        return any(
            (not tag or a.tag == tag) and (not cls or a.has_class(cls)) for a in self.ancestors
        )


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag, attrs) -> None:
        element = Element(tag, dict(attrs), list(self.open))
        if self.open:
            self.open[-1].children.append(element)
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                return

    def handle_data(self, data) -> None:
        for element in self.open:
            element.text += data


def parse(response) -> list[Element]:
    assert response.status_code == 200
    page = _Page()
    page.feed(response.content.decode())
    return page.elements


def find(elements: list[Element], tag: str = "", cls: str = "", **attrs: str) -> list[Element]:
    return [
        e
        for e in elements
        if (not tag or e.tag == tag)
        and (not cls or e.has_class(cls))
        and all(
            e.attrs.get(name.rstrip("_").replace("_", "-")) == value
            for name, value in attrs.items()
        )
    ]


def _get(client, name: str, language: str):
    # Chromium in the browser tests asks for Swedish (conftest.browser_context_args).
    with translation.override(language):
        path = reverse(name)
    return client.get(path, HTTP_ACCEPT_LANGUAGE="sv-SE")


# Was e2e/test_layout.py::test_html_lang_follows_the_language_of_the_address.
@pytest.mark.parametrize(("language", "prefix"), [("sv", "/"), ("nb", "/nb/"), ("en", "/en/")])
def test_html_lang_follows_the_language_of_the_address(client, language, prefix):
    elements = parse(client.get(prefix, HTTP_ACCEPT_LANGUAGE="sv-SE"))

    assert find(elements, "html")[0].attrs.get("lang") == language
    options = [e for e in elements if "lang" in e.attrs and e.within(cls="language-switcher")]
    assert sorted(e.attrs["lang"] for e in options) == ["en", "nb", "sv"]
    current = [e for e in options if e.attrs.get("aria-current") == "true"]
    assert [e.attrs["lang"] for e in current] == [language]


# Was e2e/test_layout.py::test_the_page_has_one_banner_main_menu_breadcrumbs_main_and_footer.
def test_the_page_has_one_banner_main_menu_breadcrumbs_main_and_footer(client):
    elements = parse(_get(client, "login", "en"))

    assert len(find(elements, "header", "site-header")) == 1
    assert len(find(elements, "main", id="main")) == 1
    assert len(find(elements, "footer", "site-footer")) == 1
    labels = [e.attrs.get("aria-label") for e in find(elements, "nav")]
    assert len(labels) == len(set(labels)) >= 2, f"every nav needs its own label: {labels}"
    crumbs = [e for e in find(elements, "li") if e.within("nav", "breadcrumbs")]
    assert crumbs[-1].attrs.get("aria-current") == "page"
    assert len(find(elements, "h1")) == 1


# Was e2e/test_layout.py::test_optional_fields_say_so_in_their_label.
def test_optional_fields_say_so_in_their_label(client):
    elements = parse(_get(client, "feedback", "en"))

    assert "(optional)" in find(elements, "label", for_="id_email")[0].text
    assert "(optional)" not in find(elements, "label", for_="id_message")[0].text
    assert not find(elements, cls="asteriskField")
