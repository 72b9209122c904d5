"""The publisher's and the visitor's journeys in a real browser, with a real job worker.

Every step is screenshotted (test-artifacts/browser/) and checked with axe-core (WCAG 2.2 A/AA),
so the error states are checked as well as the default ones.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import ckan
import pytest

from tests.browser import data
from tests.browser.conftest import (
    assert_accessible,
    login,
    screenshot,
    start_job_worker,
    wait_until,
)

BINS_LABEL = "Household waste collection"
# The vocabulary pickers are select2 widgets: select2 4 on CKAN 2.12, select2 3.5 on CKAN 2.11,
# whose markup differs (3.5 puts its container before the field, with an id of its own).
# PENDING is shown while a query for the typed text is unanswered: until then the list may still
# hold the previous text's suggestions (both versions keep them on show), and select2 3.5 also
# takes the highlight away, so an arrow key does nothing until the answer is drawn.
# HIGHLIGHTED is the element with role=option that aria-activedescendant names.
if tuple(int(p) for p in ckan.__version__.split(".")[:2]) >= (2, 12):
    PICKER = "#field-{}-select + .select2-container"
    PICKER_OPEN, PICKER_SEARCH = ".select2-selection", ".select2-search__field"
    OPTION, HIGHLIGHTED = ".select2-results__option", ".select2-results__option--highlighted"
    PENDING = ".select2-results__option.loading-results"
else:
    PICKER = "#s2id_field-{}-select"
    PICKER_OPEN, PICKER_SEARCH = ".select2-choices", ".select2-input"
    OPTION, HIGHLIGHTED = ".select2-result-label", ".select2-highlighted > .select2-result-label"
    PENDING = ".select2-input.select2-active, .select2-searching"
# A CSV with a broken row (an extra cell in row 3): the report must name it.
CSV = (
    "ward,households,at_risk\n"
    "Canterbury North,1200,84\n"
    "Dover Town,980,112,oops\n"
    "Ashford South,1430,97\n"
)


@pytest.fixture(scope="module")
def site(portal: Any) -> dict[str, Any]:
    with data.suite_plugins():
        return _make_site(portal)


def _make_site(portal: Any) -> dict[str, Any]:
    start_job_worker(portal)
    editor = data.user()
    # the consortium's defaults pre-fill the form: licence, contact and its usual service; the
    # council is left for the publisher to pick
    org = data.consortium(editor=editor, default_area=[])
    other_org = data.consortium(
        name=f"waltham-forest-{data.suffix()}",
        title="Waltham Forest arts engagement",
        lead_authority="E09000031",
        default_area=["E09000031"],
    )
    bins_in_kent = data.dataset(
        org,
        title="Bin collection days in Kent",
        la_service=[data.HOUSEHOLD_WASTE],
        area=[data.KENT],
    )
    bins_elsewhere = data.dataset(
        other_org,
        title="Bin collection days in Waltham Forest",
        la_service=[data.HOUSEHOLD_WASTE],
        area=["E09000031"],
    )
    arts_in_kent = data.dataset(
        org,
        title="Arts events in Kent",
        la_service=["http://id.esd.org.uk/service/884"],
        area=[data.KENT],
    )
    return {
        "editor": editor,
        "org": org,
        "other_org": other_org,
        "bins_in_kent": bins_in_kent,
        "bins_elsewhere": bins_elsewhere,
        "arts_in_kent": arts_in_kent,
    }


# -- helpers --------------------------------------------------------------------------------------


def pick_term(page: Any, field: str, typed: str, label: str) -> None:
    """Type into a vocabulary picker (select2) and choose the suggestion with ``label``."""
    widget = page.locator(PICKER.format(field))
    widget.locator(PICKER_OPEN).click()
    search = widget.locator(PICKER_SEARCH)
    search.type(typed, delay=40)
    wait_for_suggestions(page, field, typed, label)
    page.locator(OPTION, has_text=label).first.click()
    assert label in widget.inner_text(), f"{label!r} was not picked in {field}"


def wait_for_suggestions(page: Any, field: str, typed: str, label: str) -> None:
    """Wait until the picker shows the answer to ``typed`` itself, with ``label`` among it.

    A suggestion with ``label`` can be on show before that, from a query for fewer letters:
    that list is redrawn when the last answer comes in (and on select2 3.5 has no highlight to
    move meanwhile), so keys pressed or clicks made on it are lost under load.
    """
    page.wait_for_function(
        """([search, pending, option, highlighted, typed, label]) => {
            const box = document.querySelector(search);
            if (!box || box.value !== typed || document.querySelector(pending)) return false;
            const shown = [...document.querySelectorAll(option)].some(
                (o) => o.offsetParent !== null && o.textContent.includes(label));
            return shown && document.querySelector(highlighted) !== null;
        }""",
        arg=[
            f"{PICKER.format(field)} {PICKER_SEARCH}",
            PENDING,
            OPTION,
            HIGHLIGHTED,
            typed,
            label,
        ],
    )


def hidden_value(page: Any, field: str) -> str:
    return page.locator(f"#field-{field}").input_value()


def holds(page: Any, field: str, uri: str) -> bool:
    """Whether a vocabulary field holds a term (the form keeps codes or URIs, comma-separated)."""
    values = {v.strip() for v in hidden_value(page, field).split(",") if v.strip()}
    return uri in values or uri.rstrip("/").rsplit("/", 1)[-1] in values


def field_error(page: Any, field: str) -> str:
    """The error text shown beside a field (core's .error-block inside the field's group)."""
    group = page.locator(f".form-group:has(#field-{field})").first
    return group.locator(".error-block, .invalid-feedback").all_inner_texts().__str__()


def error_summary(page: Any) -> str:
    return " ".join(page.locator("[data-publicservices-error-summary]").all_inner_texts())


def next_form_page(page: Any) -> None:
    """The "Continue" button of the form page on show (one topic a page)."""
    page.locator(".publicservices-step:not([hidden]) .publicservices-step__continue").click()


# -- the publisher ------------------------------------------------------------------------------


def test_publisher_journey(
    page: Any, axe_source: str, portal: Any, site: dict[str, Any], tmp_path: Path
) -> None:
    org = site["org"]
    login(page, site["editor"])
    screenshot(page, "publisher-01-logged-in")

    # the consortium page, and the new-dataset form opened from it
    page.goto(f"/organization/{org['name']}")
    assert "Kent Energy Efficiency Partnership" in page.content()
    screenshot(page, "publisher-02-consortium-page")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Add dataset", re.I)).first.click()
    assert "/dataset/new" in page.url

    # the consortium's defaults are already in the form
    page.locator(PICKER.format("la_service")).wait_for(state="attached")
    assert page.locator("#field-license_id").input_value() == data.OGL
    assert holds(page, "la_service", data.ENERGY_EFFICIENCY)
    assert "Kent open data team" in page.content()
    screenshot(page, "publisher-03-form-prefilled")
    assert_accessible(page, axe_source, "the new-dataset form pre-filled from the consortium")

    page.fill("#field-title", "Household waste collection rounds")
    next_form_page(page)
    screenshot(page, "publisher-03-form-prefilled-services", full_page=False)
    pick_term(page, "la_service", "bins", BINS_LABEL)
    pick_term(page, "area", "Kent", "Kent")
    assert holds(page, "la_service", data.HOUSEHOLD_WASTE)
    assert holds(page, "la_service", data.ENERGY_EFFICIENCY)
    assert holds(page, "area", data.KENT)
    next_form_page(page)
    page.select_option("#field-data_spectrum", "open")
    page.select_option("#field-personal_data", "personal")  # a public dataset with personal data
    page.select_option("#field-security_classification", "OFFICIAL")
    next_form_page(page)
    page.select_option("#field-service_design_phase", "beta")
    page.check("input[name=data_use_pattern][value=increasing-access]")
    next_form_page(page)
    page.select_option("#field-private", "False")
    next_form_page(page)
    screenshot(page, "publisher-04-form-filled")

    with page.expect_navigation():
        page.locator("form#dataset-edit button[type=submit][name=save]").click()

    # the error names the field, and nothing typed or picked is lost
    message = field_error(page, "personal_data") + error_summary(page)
    assert re.search(r"personal", message, re.I), message
    assert page.locator("#field-title").input_value() == "Household waste collection rounds"
    assert holds(page, "la_service", data.HOUSEHOLD_WASTE)
    assert holds(page, "la_service", data.ENERGY_EFFICIENCY)
    assert holds(page, "area", data.KENT)
    assert BINS_LABEL in page.locator(PICKER.format("la_service")).inner_text()
    assert page.locator("#field-private").input_value() == "False"
    assert page.locator("#field-personal_data").input_value() == "personal"
    assert page.locator("input[name=data_use_pattern][value=increasing-access]").is_checked()
    assert page.locator("#field-license_id").input_value() == data.OGL
    screenshot(page, "publisher-05-form-error")
    screenshot(page, "publisher-05-form-error-field", full_page=False)
    assert_accessible(page, axe_source, "the new-dataset form with a field error")

    # fixed: the dataset is saved and the resource stage opens
    page.locator("[data-publicservices-error-summary] a[href='#field-personal_data']").click()
    page.select_option("#field-personal_data", "none")
    with page.expect_navigation():
        page.locator("form#dataset-edit button[type=submit][name=save]").click()
    assert "/resource/new" in page.url or "/new_resource" in page.url, page.url
    screenshot(page, "publisher-06-resource-form")
    assert_accessible(page, axe_source, "the new-resource form")

    # upload a CSV
    csv = tmp_path / "collection-rounds.csv"
    csv.write_text(CSV)
    with page.expect_file_chooser() as chooser:
        page.locator("#resource-upload-button").click()
    chooser.value.set_files(str(csv))
    page.fill("#field-name", "Collection rounds (CSV)")
    with page.expect_navigation():
        page.locator("button[type=submit][name=save][value=go-metadata]").first.click()
    dataset_url = page.url
    assert "/dataset/" in dataset_url
    screenshot(page, "publisher-07-dataset-page")
    assert_accessible(page, axe_source, "the new dataset's page")

    # the upload is queued for validation (a "pending" badge at once), then the worker checks it
    # and the report names the broken row
    assert page.locator(".publicservices-validation-badge").count() > 0, (
        "the uploaded CSV (format left empty, as the form's help allows) got no validation "
        "status: it was not queued for validation"
    )

    def report_ready() -> bool:
        page.goto(dataset_url)
        badge = page.locator(".publicservices-validation-badge").first
        return badge.count() > 0 and badge.get_attribute("data-status") in (
            "failure",
            "success",
            "error",
        )

    try:
        wait_until(report_ready, 90, "the validation job to finish (job worker)", interval=2)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nworker log:\n{portal.log_tail('worker.log')}") from None
    assert (
        page.locator(".publicservices-validation-badge").first.get_attribute("data-status")
        == "failure"
    )
    with page.expect_navigation():
        page.locator(".publicservices-validation-badge").first.click()
    assert "/validation" in page.url
    report = page.locator("main, #content, body").first.inner_text()
    # row 3 of the file carries the extra cell "oops"
    assert "oops" in report and re.search(r"\brow\b", report, re.I), report[:2000]
    screenshot(page, "publisher-08-validation-report")
    screenshot(page, "publisher-08-validation-report-top", full_page=False)
    assert_accessible(page, axe_source, "the validation report (a failing file)")


# -- the visitor ----------------------------------------------------------------------------------


def test_visitor_searches_by_service_and_council(
    page: Any, axe_source: str, site: dict[str, Any]
) -> None:
    page.goto("/dataset/")
    screenshot(page, "visitor-01-search")
    # facet links are htmx-boosted: the URL changes by history.pushState
    page.locator("a[href*='vocab_la_service=']", has_text=BINS_LABEL).first.click()
    page.wait_for_url(re.compile(r"vocab_la_service="))
    page.wait_for_load_state()
    assert "vocab_la_service=" in page.url
    results = page.locator(".dataset-list").inner_text()
    assert site["bins_in_kent"]["title"] in results
    assert site["bins_elsewhere"]["title"] in results
    assert site["arts_in_kent"]["title"] not in results
    screenshot(page, "visitor-02-service-facet")
    assert_accessible(page, axe_source, "a search filtered by a service facet")

    page.locator("a[href*='vocab_area=']", has_text="Kent").first.click()
    page.wait_for_url(re.compile(r"vocab_area="))
    page.wait_for_load_state()
    assert "vocab_area=" in page.url and "vocab_la_service=" in page.url
    results = page.locator(".dataset-list").inner_text()
    assert site["bins_in_kent"]["title"] in results
    assert site["bins_elsewhere"]["title"] not in results
    assert site["arts_in_kent"]["title"] not in results
    screenshot(page, "visitor-03-council-facet")
    screenshot(page, "visitor-03-council-facet-top", full_page=False)
    assert_accessible(page, axe_source, "a search filtered by service and council facets")

    with page.expect_navigation():
        page.get_by_role("link", name=site["bins_in_kent"]["title"]).first.click()
    with page.expect_navigation():
        page.locator(f"a[href$='/organization/{site['org']['name']}']").first.click()
    assert page.url.endswith(f"/organization/{site['org']['name']}")
    assert "Kent Energy Efficiency Partnership" in page.content()
    screenshot(page, "visitor-04-consortium-page")
    assert_accessible(page, axe_source, "the consortium page")


# -- keyboard only --------------------------------------------------------------------------------


def tab_to(page: Any, selector: str, max_presses: int = 400) -> int:
    """Press Tab until ``selector`` has the focus (proves it is reachable by keyboard)."""
    for presses in range(1, max_presses + 1):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(sel) => !!document.activeElement && document.activeElement.matches(sel)", selector
        ):
            return presses
    raise AssertionError(f"{selector} never got the keyboard focus in {max_presses} Tab presses")


def keyboard_pick(page: Any, field: str, typed: str, label: str) -> None:
    tab_to(page, f"{PICKER.format(field)} {PICKER_SEARCH}")
    page.keyboard.type(typed, delay=40)
    wait_for_suggestions(page, field, typed, label)
    # no query is pending now, so the list stays put while the arrow keys move through it
    for _ in range(page.locator(OPTION).count()):
        if label in page.locator(HIGHLIGHTED).first.inner_text():
            break
        page.keyboard.press("ArrowDown")
    else:
        raise AssertionError(f"{label!r} could not be reached with the arrow keys in {field}")
    page.keyboard.press("Enter")
    widget = page.locator(PICKER.format(field))
    assert label in widget.inner_text(), f"{label!r} was not picked in {field} with the keyboard"


def keyboard_choose(page: Any, field: str, value: str) -> None:
    """A native <select>, focused with Tab and set with the arrow keys."""
    tab_to(page, f"#field-{field}")
    select = page.locator(f"#field-{field}")
    page.keyboard.press("Home")
    for _ in range(30):
        if select.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{field}: the option {value!r} could not be chosen with the arrow keys")


def keyboard_continue(page: Any) -> None:
    """Tab to the page's "Continue" and press Enter: the next page shows, its heading focused."""
    before = page.locator(".publicservices-step:not([hidden])").get_attribute("id")
    tab_to(page, ".publicservices-step:not([hidden]) .publicservices-step__continue")
    page.keyboard.press("Enter")
    after = page.locator(".publicservices-step:not([hidden])").get_attribute("id")
    assert after != before, f"Enter on Continue left the form on {before}"
    assert page.evaluate("() => document.activeElement.matches('.publicservices-form-section')"), (
        "the new page's heading did not get the focus"
    )


def test_keyboard_only_publisher(page: Any, portal: Any, site: dict[str, Any]) -> None:
    org = site["org"]
    page.goto("/user/login")
    tab_to(page, "#field-login")
    page.keyboard.type(site["editor"]["name"])
    tab_to(page, "#field-password")
    page.keyboard.type(data.PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.goto(f"/organization/{org['name']}")
    tab_to(page, "a[href*='/dataset/new']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator(PICKER.format("la_service")).wait_for(state="attached")

    # a title of its own: its web address must not be taken by an earlier run's dataset
    title = f"Garden waste collection calendar {data.suffix()}"
    tab_to(page, "#field-title")
    page.keyboard.type(title)
    screenshot(page, "keyboard-01-title-focused", full_page=False)
    keyboard_continue(page)
    keyboard_pick(page, "la_service", "bins", BINS_LABEL)
    screenshot(page, "keyboard-02-service-picked", full_page=False)
    keyboard_pick(page, "area", "Kent", "Kent")
    keyboard_continue(page)
    keyboard_choose(page, "data_spectrum", "open")
    keyboard_choose(page, "personal_data", "none")
    keyboard_choose(page, "security_classification", "OFFICIAL")
    keyboard_continue(page)
    keyboard_choose(page, "service_design_phase", "live")
    tab_to(page, "input[name=data_use_pattern][value=increasing-access]")
    page.keyboard.press("Space")
    assert page.locator("input[name=data_use_pattern][value=increasing-access]").is_checked()
    keyboard_continue(page)
    keyboard_choose(page, "private", "False")
    keyboard_continue(page)
    screenshot(page, "keyboard-03-form-completed", full_page=False)
    tab_to(page, "form#dataset-edit button[type=submit][name=save]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/resource/new" in page.url, (
        f"the dataset form did not save: {page.url}: {error_summary(page)}"
    )

    # the resource stage by keyboard: a link rather than an upload (no file dialog without a mouse)
    tab_to(page, "#resource-link-button")
    page.keyboard.press("Enter")
    focused = page.evaluate("() => document.activeElement && document.activeElement.id")
    assert focused == "field-resource-url", focused
    page.keyboard.type(f"{portal.url}/garden-waste-calendar.csv")
    tab_to(page, "#field-name")
    page.keyboard.type("Garden waste calendar")
    tab_to(page, "button[type=submit][name=save][value=go-metadata]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1", has_text=title).count() == 1
    assert page.locator(".resource-item", has_text="Garden waste calendar").count() == 1
    screenshot(page, "keyboard-04-dataset-saved")
