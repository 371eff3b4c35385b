"""Plain helpers for the browser tests: keyboard navigation and layout checks."""

LANGUAGES = ["sv", "nb", "en"]


def describe_focus(page) -> str:
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            if (!e || e === document.body) return "<body>";
            const text = (e.innerText || e.value || "").trim().slice(0, 40);
            return `<${e.tagName.toLowerCase()} id=${e.id} name=${e.getAttribute("name")}`
                + ` href=${e.getAttribute("href")}> ${text}`;
        }"""
    )


def focused(page, predicate: str) -> bool:
    """Whether `predicate`, JavaScript taking an element, holds for the focused element."""
    return page.evaluate(f"({predicate})(document.activeElement)")


def tab_to(page, predicate: str, *, limit: int = 80, key: str = "Tab") -> None:
    """Press Tab until `predicate` (JavaScript taking the focused element) holds."""
    visited = []
    for _ in range(limit):
        page.keyboard.press(key)
        if focused(page, predicate):
            return
        visited.append(describe_focus(page))
    raise AssertionError(
        f"{key} never reached {predicate!r} on {page.url}; focus went through:\n"
        + "\n".join(visited)
    )


def html_lang(page) -> str:
    return page.evaluate("document.documentElement.lang")


def has_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def overflowing_elements(page) -> list[str]:
    """The elements that stick out to the right of the viewport, for a readable failure."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            return Array.from(document.querySelectorAll("body *"))
                .filter((e) => e.getBoundingClientRect().right > width + 1)
                .slice(0, 8)
                .map((e) => `<${e.tagName.toLowerCase()} class="${e.className}">`
                    + ` right=${Math.round(e.getBoundingClientRect().right)}`);
        }"""
    )
