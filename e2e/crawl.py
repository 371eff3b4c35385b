"""What the axe crawl visits: a page by URL name (or path), and what to do on it first."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Visit:
    """One page to scan: a URL name (or a path) and, if needed, what to do on it first."""

    label: str
    name: str = ""
    kwargs: dict = field(default_factory=dict)
    path: str = ""
    status: int = 200
    action: Callable | None = None  # (page) -> response of the page to scan
    query: str = ""


def submit_main_form(page):
    with page.expect_navigation() as navigation:
        page.locator("main form [type=submit]").first.click()
    return navigation.value
