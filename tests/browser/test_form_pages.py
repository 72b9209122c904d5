"""The new-dataset form as a publisher meets it: one topic a page, at 1280 and 375 px wide.

Every page of the journey is checked with axe-core (WCAG 2.2 A/AA, no violations and no colour
contrast axe could not decide), for sideways scrolling, and screenshotted (under docs/ with
``make screenshots``). The journey goes through a mistake and the GOV.UK error summary, and the
time it takes is written to test-artifacts/browser/journey-timing.json.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from tests.browser import data
from tests.browser.conftest import (
    ARTIFACTS,
    assert_accessible,
    assert_no_horizontal_scroll,
    login,
    screenshot,
    wait_until,
)
from tests.browser.test_journeys import (
    BINS_LABEL,
    HIGHLIGHTED,
    OPTION,
    PICKER,
    PICKER_SEARCH,
    holds,
    pick_term,
    tab_to,
    wait_for_suggestions,
)

STEPS = [
    ("section-about-the-data", "About the data"),
    ("section-service-and-councils", "Service and councils"),
    ("section-how-open-the-data-is", "How open the data is"),
    ("section-service-design", "Service design"),
    ("section-who-publishes-it", "Who publishes it"),
    ("section-more-detail-optional", "More detail (optional)"),
]
VISIBLE_STEP = ".publicservices-step:not([hidden])"


@pytest.fixture(scope="module")
def site(portal: Any) -> dict[str, Any]:
    with data.suite_plugins():
        editor = data.user()
        org = data.consortium(editor=editor, default_area=[])
        return {"editor": editor, "org": org}


def visible_step(page: Any) -> str:
    steps = page.locator(VISIBLE_STEP)
    assert steps.count() == 1, f"{steps.count()} form pages show at once"
    return steps.first.get_attribute("id")


def continue_(page: Any) -> None:
    page.locator(f"{VISIBLE_STEP} .publicservices-step__continue").click()


def check_page(page: Any, axe_source: str, name: str, what: str) -> None:
    screenshot(page, name, docs=True)
    assert_no_horizontal_scroll(page, what)
    assert_accessible(page, axe_source, what)


def summary_items(page: Any) -> list[tuple[str, str]]:
    links = page.locator("[data-publicservices-error-summary] li a")
    return [(a.get_attribute("href"), a.inner_text().strip()) for a in links.all()]


@pytest.mark.parametrize("width", [1280, 375])
def test_form_pages_with_a_mistake(
    page: Any, axe_source: str, site: dict[str, Any], width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 812})
    login(page, site["editor"])
    title_typed = f"Garden waste rounds {data.suffix()}"
    started = time.monotonic()
    page.goto(f"/dataset/new?owner_org={site['org']['id']}")
    heights = []

    for number, (section, title) in enumerate(STEPS, start=1):
        assert visible_step(page) == section
        step = page.locator(VISIBLE_STEP)
        assert step.locator("h2").first.inner_text().strip() == title
        assert f"Step {number} of {len(STEPS)}" in step.inner_text()
        current = page.locator("[data-publicservices-steps] a[aria-current=step]")
        assert current.count() == 1 and title in current.inner_text()
        heights.append(page.evaluate("() => document.documentElement.scrollHeight"))
        check_page(page, axe_source, f"form-{width}-{number}-{section[8:]}", f"form page {number}")
        if number == 1:
            page.fill("#field-title", title_typed)
        elif number == 2:
            pick_term(page, "la_service", "bins", BINS_LABEL)
            pick_term(page, "area", "Kent", "Kent")
            assert holds(page, "la_service", data.HOUSEHOLD_WASTE)
        elif number == 3:
            page.select_option("#field-data_spectrum", "open")
            page.select_option("#field-personal_data", "personal")  # public and personal
        elif number == 4:
            page.select_option("#field-service_design_phase", "beta")
            page.check("input[name=data_use_pattern][value=increasing-access]")
        elif number == 5:
            page.select_option("#field-private", "False")
        if number < len(STEPS):
            # the save button waits for the last page
            assert not page.locator("form#dataset-edit button[name=save]").is_visible()
            continue_(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Save and add files").click()

    # the GOV.UK error summary: title, focus, each error once by its label, linked to the field
    assert page.title().startswith("Error:"), page.title()
    assert page.evaluate(
        "() => document.activeElement.matches('[data-publicservices-error-summary]')"
    ), "the error summary does not have the focus; it is on " + page.evaluate(
        "() => document.activeElement.outerHTML.slice(0, 200)"
    )
    items = summary_items(page)
    assert items == [(items[0][0], items[0][1])] and items[0][0] == "#field-personal_data", items
    assert items[0][1].startswith("Personal data: ") and "Personal data" not in items[0][1][15:]
    assert "1 error " in page.locator("[data-publicservices-error-summary]").inner_text()
    assert visible_step(page) == "section-how-open-the-data-is"
    check_page(page, axe_source, f"form-{width}-7-error-summary", "the form with an error")
    # nothing typed or picked is lost
    assert page.locator("#field-title").input_value() == title_typed
    assert holds(page, "area", data.KENT)

    page.locator("[data-publicservices-error-summary] a").first.click()
    assert page.evaluate("() => document.activeElement.id") == "field-personal_data"
    page.select_option("#field-personal_data", "none")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and add files").click()
    assert "/resource/new" in page.url, page.url
    check_page(page, axe_source, f"form-{width}-8-add-files", "the new-file form")

    # a link that is not a web address: the server says so beside the field
    page.locator("#resource-link-button").click()
    page.fill("#field-resource-url", "www.example.org/rounds.csv")
    page.fill("#field-name", "Collection rounds")
    with page.expect_navigation():
        page.locator("button[type=submit][name=save][value=go-metadata]").first.click()
    assert page.title().startswith("Error:"), page.title()
    items = summary_items(page)
    assert len(items) == 1 and items[0][0] == "#field-resource-url", items
    assert items[0][1].startswith("File or link: Enter a web address"), items
    check_page(page, axe_source, f"form-{width}-9-file-error", "the new-file form with an error")
    page.fill("#field-resource-url", "https://www.example.org/rounds.csv")
    with page.expect_navigation():
        page.locator("button[type=submit][name=save][value=go-metadata]").first.click()
    assert "/resource/new" not in page.url, page.url
    assert page.locator(".resource-item", has_text="Collection rounds").count() == 1
    check_page(page, axe_source, f"form-{width}-10-dataset-page", "the new dataset's page")
    minutes = (time.monotonic() - started) / 60
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    timing = ARTIFACTS / "journey-timing.json"
    known = json.loads(timing.read_text()) if timing.exists() else {}
    known[str(width)] = {
        "form_pages": len(STEPS),
        "pages_to_publish": len(STEPS) + 1,
        "page_heights_px": heights,
        "automated_minutes": round(minutes, 2),
    }
    timing.write_text(json.dumps(known, indent=2))


def test_blank_title_is_refused_with_a_linked_summary(
    page: Any, axe_source: str, site: dict[str, Any]
) -> None:
    login(page, site["editor"])
    page.goto(f"/dataset/new?owner_org={site['org']['id']}")
    # while the address is previewed from the title, the help about its hidden box is hidden too
    assert not page.locator("#field-name").is_visible()
    name_help = page.locator(".form-group:has(#field-name) + .info-block")
    assert name_help.count() == 1 and not name_help.is_visible()
    # straight to the last page through the step list: every page can be reached
    page.locator("[data-publicservices-steps] a", has_text="More detail").click()
    assert visible_step(page) == "section-more-detail-optional"
    with page.expect_navigation():
        page.get_by_role("button", name="Save and add files").click()
    assert page.title().startswith("Error:")
    # the page's #section-… is not carried over to the refused form
    assert "#" not in page.url, page.url
    # every error at once, each once: the web address is made from the title only while the
    # page's script runs, so a blank one is listed too, and its box is shown
    items = summary_items(page)
    assert [href for href, _ in items] == ["#field-title", "#field-name"], items
    assert items[0][1] == "Title: Enter a title"
    assert items[1][1].startswith("Web address: Enter the end of the web address"), items
    assert page.locator(".form-group:has(#field-title)").inner_text().count("Enter a title") == 1
    assert_accessible(page, axe_source, "the form refusing a blank title")
    page.locator("[data-publicservices-error-summary] a").nth(1).click()
    assert visible_step(page) == "section-about-the-data"
    assert page.evaluate("() => document.activeElement.id") == "field-name"
    assert page.locator("#field-name").is_visible()
    assert page.locator(".form-group:has(#field-name) + .info-block").is_visible()
    page.locator("[data-publicservices-error-summary] a").first.click()
    assert page.evaluate("() => document.activeElement.id") == "field-title"
    # typing the title fills the address in again
    page.locator("#field-title").press_sequentially("Bin rounds", delay=20)
    assert page.locator("#field-name").input_value() == "bin-rounds"


def test_back_and_the_browser_back_button(page: Any, site: dict[str, Any]) -> None:
    login(page, site["editor"])
    page.goto(f"/dataset/new?owner_org={site['org']['id']}")
    continue_(page)
    continue_(page)
    assert visible_step(page) == "section-how-open-the-data-is"
    page.locator(f"{VISIBLE_STEP} .publicservices-step__back").click()
    assert visible_step(page) == "section-service-and-councils"
    page.go_back()
    page.wait_for_function("() => location.hash === '#section-how-open-the-data-is'")
    assert visible_step(page) == "section-how-open-the-data-is"
    assert re.search(r"#section-how-open-the-data-is$", page.url)


def test_autocomplete_by_keyboard_follows_the_combobox_pattern(
    page: Any, site: dict[str, Any]
) -> None:
    login(page, site["editor"])
    page.goto(f"/dataset/new?owner_org={site['org']['id']}")
    keyboard_continue(page)
    search = page.locator(f"{PICKER.format('la_service')} {PICKER_SEARCH}")
    tab_to(page, f"{PICKER.format('la_service')} {PICKER_SEARCH}")
    assert search.get_attribute("role") == "combobox"
    assert search.get_attribute("aria-expanded") == "false"
    page.keyboard.type("bins", delay=40)
    wait_for_suggestions(page, "la_service", "bins", BINS_LABEL)
    assert search.get_attribute("aria-expanded") == "true"
    live = page.locator(f"{PICKER.format('la_service')} + [aria-live]")
    wait_until(lambda: "suggestion" in live.inner_text(), 5, "the number of suggestions spoken")
    for _ in range(page.locator(OPTION).count()):
        highlighted = page.locator(HIGHLIGHTED).first
        if BINS_LABEL in highlighted.inner_text():
            break
        page.keyboard.press("ArrowDown")
    # the highlighted option is the one a screen reader hears
    assert search.get_attribute("aria-activedescendant") == highlighted.get_attribute("id")
    page.keyboard.press("Enter")
    assert holds(page, "la_service", data.HOUSEHOLD_WASTE)
    assert page.evaluate("(sel) => document.activeElement.matches(sel)", PICKER_SEARCH)

    # Backspace in the empty box: the first press only says what a second would remove
    page.keyboard.press("Backspace")
    assert holds(page, "la_service", data.HOUSEHOLD_WASTE)
    wait_until(lambda: "Backspace again" in live.inner_text(), 5, "the warning to be spoken")
    assert BINS_LABEL in live.inner_text()
    page.keyboard.press("Backspace")
    wait_until(lambda: "Removed" in live.inner_text(), 5, "the removal to be spoken")
    assert not holds(page, "la_service", data.HOUSEHOLD_WASTE)
    # the consortium's own service, chosen before, is still there
    assert holds(page, "la_service", data.ENERGY_EFFICIENCY)


def keyboard_continue(page: Any) -> None:
    tab_to(page, f"{VISIBLE_STEP} .publicservices-step__continue")
    page.keyboard.press("Enter")
