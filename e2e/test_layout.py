"""The shared layout in a real browser: skip link, focus, reflow, languages, form errors.

What the server's markup alone shows (html lang, the landmarks, optional labels) is tested
without a browser in brukarkraft/tests/test_layout_html.py.
"""

import pytest

from e2e.helpers import (
    describe_focus,
    focused,
    has_horizontal_scroll,
    html_lang,
    overflowing_elements,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Computed focus styles of one element, to compare focused against not focused.
FOCUS_STYLE = """(e) => {
    const s = getComputedStyle(e);
    return {
        outline: s.outlineStyle === "none" ? "none"
            : `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
        shadow: s.boxShadow,
        background: s.backgroundColor,
    };
}"""

TABBABLE = "a[href], button, input, select, textarea, summary, [tabindex]"

# WCAG 1.4.12: the user raises line, paragraph, letter and word spacing.
TEXT_SPACING_CSS = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, url):
    page.goto(url("accessibility"))

    page.keyboard.press("Tab")
    assert focused(page, "(e) => e.classList.contains('skip-link')"), describe_focus(page)
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0 and box["height"] >= 44, "the focused skip link must be on screen"

    page.keyboard.press("Enter")
    assert focused(page, "(e) => e.id === 'main' && e.tagName === 'MAIN'"), describe_focus(page)
    # The next Tab continues from main onwards, not back in the header.
    page.keyboard.press("Tab")
    after_main = """(e) => {
        const main = document.getElementById("main");
        return main.contains(e)
            || Boolean(main.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING);
    }"""
    assert focused(page, after_main), describe_focus(page)


def _tab_through_chrome(page) -> list[dict]:
    """Tab through the whole page once; return the focus style of each stop outside main."""
    stops = []
    for _ in range(60):
        page.keyboard.press("Tab")
        info = page.evaluate(
            f"""() => {{
                const TABBABLE = {TABBABLE!r};
                const e = document.activeElement;
                const all = Array.from(document.querySelectorAll(TABBABLE));
                return {{
                    index: all.indexOf(e),
                    region: e.closest("header, footer, nav, .skip-link") ? "chrome" : "main",
                    name: (e.innerText || e.value || "").trim(),
                    inFooter: e.closest("footer") !== null,
                    style: ({FOCUS_STYLE})(e),
                }};
            }}"""
        )
        if info["index"] == -1 or any(stop["index"] == info["index"] for stop in stops):
            break  # Focus left the document, or came round to the skip link again.
        if info["region"] == "chrome":
            stops.append(info)
    return stops


def _assert_every_chrome_stop_shows_focus(page) -> None:
    stops = _tab_through_chrome(page)
    assert len(stops) >= 5, f"expected the header, menu and footer links, got {stops}"
    assert any(stop["inFooter"] for stop in stops), "Tab never reached the footer"
    page.evaluate("document.activeElement.blur()")
    for stop in stops:
        unfocused = page.evaluate(
            f"""() => ({FOCUS_STYLE})(document.querySelectorAll({TABBABLE!r})[{stop["index"]}])"""
        )
        assert stop["style"] != unfocused, f"no visible change when {stop['name']!r} is focused"
        indicator = stop["style"]["outline"] != "none" and not stop["style"]["outline"].startswith(
            "solid 0px"
        )
        assert indicator or stop["style"]["shadow"] != "none", (
            f"{stop['name']!r} has no outline or shadow when focused: {stop['style']}"
        )


def test_every_header_menu_and_footer_control_shows_focus_for_a_visitor(page, url):
    page.goto(url("home"))
    _assert_every_chrome_stop_shows_focus(page)


def test_every_header_menu_and_footer_control_shows_focus_for_staff(
    page, url, login_in_browser, staff
):
    # Staff see the longest menu, including the log-out button.
    login_in_browser(page, staff)
    page.goto(url("feedback_inbox"))
    _assert_every_chrome_stop_shows_focus(page)


@pytest.mark.parametrize("name", ["home", "login", "feedback", "accessibility", "privacy"])
@pytest.mark.parametrize(
    "viewport",
    [
        pytest.param({"width": 320, "height": 640, "scale": 1}, id="320px"),
        # 1280 px at 200 % zoom lays out like 640 CSS px at a device scale of 2.
        pytest.param({"width": 640, "height": 400, "scale": 2}, id="1280px-at-200pct"),
    ],
)
def test_pages_reflow_without_horizontal_scrolling(new_context, url, name, viewport):
    context = new_context(
        viewport={"width": viewport["width"], "height": viewport["height"]},
        device_scale_factor=viewport["scale"],
    )
    page = context.new_page()
    for language in ("sv", "nb"):
        page.goto(url(name, language))
        assert not has_horizontal_scroll(page), (
            f"{name} ({language}) scrolls sideways at {viewport}: {overflowing_elements(page)}"
        )


def test_logged_in_pages_reflow_at_320_px(page, url, login_in_browser, staff):
    page.set_viewport_size({"width": 320, "height": 640})
    login_in_browser(page, staff)
    for name in ("start_staff", "feedback_inbox", "profile", "password_change"):
        page.goto(url(name, "nb"))
        assert not has_horizontal_scroll(page), f"{name}: {overflowing_elements(page)}"
    # The whole menu stays visible: it wraps instead of hiding behind a button.
    for link in page.locator("nav.main-nav a, nav.main-nav button").all():
        assert link.is_visible()


def test_text_spacing_can_be_raised_without_losing_content(new_context, url):
    # The spacing comes as a user style sheet does (WCAG 1.4.12), which the page's CSP does
    # not govern; bypass_csp lets the injected <style> stand in for it.
    page = new_context(bypass_csp=True).new_page()
    page.set_viewport_size({"width": 320, "height": 640})
    for name in ("home", "login", "feedback"):
        page.goto(url(name))
        page.add_style_tag(content=TEXT_SPACING_CSS)
        assert not has_horizontal_scroll(page), f"{name}: {overflowing_elements(page)}"
        clipped = page.evaluate(
            """() => Array.from(document.querySelectorAll("body *"))
                .filter((e) => !e.closest(".visually-hidden, .skip-link"))
                .filter((e) => {
                    const s = getComputedStyle(e);
                    const hides = (v) => v === "hidden" || v === "clip";
                    return (hides(s.overflowX) && e.scrollWidth > e.clientWidth + 1)
                        || (hides(s.overflowY) && e.scrollHeight > e.clientHeight + 1);
                })
                .map((e) => e.outerHTML.slice(0, 80))"""
        )
        assert not clipped, f"{name} clips text with raised spacing: {clipped}"


def test_targets_in_the_header_menu_and_footer_are_at_least_44_px(
    page, url, login_in_browser, staff
):
    login_in_browser(page, staff)
    page.goto(url("profile"))
    small = page.evaluate(
        """() => Array.from(document.querySelectorAll(
                ".site-header a, .site-header button, .breadcrumbs a, .site-footer a"))
            .map((e) => [e.innerText.trim(), e.getBoundingClientRect()])
            .filter(([, r]) => r.height < 44 || r.width < 44)
            .map(([name, r]) => `${name}: ${Math.round(r.width)}×${Math.round(r.height)}`)"""
    )
    assert not small, f"targets smaller than 44 px: {small}"


def test_the_language_switcher_works_without_javascript(new_context, url):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(url("accessibility"))
    assert html_lang(page) == "sv"

    page.locator(".language-switcher button[lang=en]").click()
    page.wait_for_load_state()

    assert page.url == url("accessibility", "en")
    assert html_lang(page) == "en"
    assert page.locator("nav.main-nav a").first.inner_text() == "Home"
    assert page.locator(".language-switcher [aria-current='true']").get_attribute("lang") == "en"

    page.locator(".language-switcher button[lang=nb]").click()
    page.wait_for_load_state()
    assert page.url == url("accessibility", "nb")
    assert html_lang(page) == "nb"
    assert page.locator("nav.main-nav a").first.inner_text() == "Hjem"

    page.locator(".language-switcher button[lang=sv]").click()
    page.wait_for_load_state()
    assert page.url == url("accessibility")
    assert html_lang(page) == "sv"
    assert page.locator("nav.main-nav a").first.inner_text() == "Hem"


def test_the_language_switcher_keeps_the_query_string(new_context, url):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(url("feedback", query="?page=/privacy/"))

    page.locator(".language-switcher button[lang=en]").click()
    page.wait_for_load_state()

    assert page.url == url("feedback", "en", query="?page=/privacy/")


def test_field_errors_are_linked_to_their_fields(page, url):
    page.goto(url("login", "en"))
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    assert page.title().startswith("Error:")
    field = page.locator("input[name=username]")
    assert field.get_attribute("aria-invalid") == "true"
    described_by = (field.get_attribute("aria-describedby") or "").split()
    texts = [page.locator(f"[id='{ref}']").inner_text() for ref in described_by]
    assert any("required" in text for text in texts), f"no error in {described_by}: {texts}"
    summary_link = page.locator("[data-error-summary] a").first
    assert summary_link.get_attribute("href") == f"#{field.get_attribute('id')}"
    # The error stands between the label and the field, where a magnifier user looks.
    error_first = field.evaluate(
        """(input) => Boolean(input.compareDocumentPosition(
            document.getElementById(input.id + "_error")) & Node.DOCUMENT_POSITION_PRECEDING)"""
    )
    assert error_first


def test_a_radio_group_error_is_described_on_its_fieldset_and_linked_to_the_first_option(page, url):
    page.goto(url("feedback", "en"))
    page.locator("main form [type=submit]").click()
    page.wait_for_load_state()

    fieldset = page.locator("fieldset:has(input[name=kind])")
    described_by = (fieldset.get_attribute("aria-describedby") or "").split()
    assert "id_kind_error" in described_by
    assert page.locator("#id_kind_error").inner_text().strip()
    assert page.locator("input[name=kind][aria-invalid=true]").count() >= 2
    link = page.locator("[data-error-summary] a[href='#id_kind_0']")
    assert link.count() == 1
    link.focus()
    page.keyboard.press("Enter")
    assert focused(page, "(e) => e.id === 'id_kind_0'"), describe_focus(page)


def test_the_error_summary_takes_focus_and_its_links_focus_the_fields(page, url):
    page.goto(url("login", "en"))
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    assert focused(page, "(e) => e.hasAttribute('data-error-summary')"), describe_focus(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page, "(e) => e.name === 'username'"), describe_focus(page)


def test_messages_are_announced_as_status(page, url, login_in_browser, commissioner):
    login_in_browser(page, commissioner)
    page.locator("nav.main-nav button[type=submit]").click()
    page.wait_for_load_state()

    message = page.locator("main .messages [role=status]")
    assert message.count() == 1
    assert message.inner_text().strip()


def test_print_hides_the_menus_and_shows_where_links_lead(page, live_server):
    page.goto(f"{live_server.url}/en/no-such-page/")
    page.emulate_media(media="print")

    assert not page.locator("nav.main-nav").is_visible()
    assert not page.locator(".language-switcher").is_visible()
    assert not page.locator(".site-footer__links").is_visible()
    link = page.locator("main a[href]:not([href^='#'])").first
    after = link.evaluate("(a) => getComputedStyle(a, '::after').content")
    assert link.get_attribute("href") in after
