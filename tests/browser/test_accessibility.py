"""WCAG 2.2 A/AA with axe-core on every page the issue lists, default state and error states.

axe runs in the real page (Chromium, the real server, the suite's templates); a violation fails
the test with the rule, the elements and axe's own summary. Nothing is excluded.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser import data
from tests.browser.conftest import (
    assert_accessible,
    assert_no_horizontal_scroll,
    login,
    screenshot,
)


@pytest.fixture(scope="module")
def site(portal: Any) -> dict[str, Any]:
    with data.suite_plugins():
        return _make_site(portal)


def _make_site(portal: Any) -> dict[str, Any]:
    editor = data.user()
    org = data.consortium(editor=editor)
    pkg = data.dataset(org)
    broken = data.uploaded_csv(pkg, "ward,households\nDover,980,extra\nDeal,abc\n", "broken.csv")
    # the validation job, run here rather than by a worker: the report page is what is checked
    from ckanext.publicservices.validation import jobs

    jobs.validate_resource(broken["id"])
    return {"editor": editor, "org": org, "dataset": pkg, "broken": broken}


def test_home_page(page: Any, axe_source: str, site: dict[str, Any]) -> None:
    page.goto("/")
    screenshot(page, "a11y-home")
    assert_accessible(page, axe_source, "the home page")


def test_dataset_search(page: Any, axe_source: str, site: dict[str, Any]) -> None:
    page.goto("/dataset/")
    assert page.locator(f'a[href*="/dataset/{site["dataset"]["name"]}"]').count() > 0
    # facets name values by their labels, not their codes
    facets = page.locator("#search-facets, .filters").first.inner_text()
    assert "delivery-chains-and-planning" not in facets, facets
    screenshot(page, "a11y-dataset-search")
    assert_accessible(page, axe_source, "the dataset search page")


def test_dataset_search_with_a_query_and_no_results(page: Any, axe_source: str, site: Any) -> None:
    page.goto("/dataset/?q=zzzznothingmatcheszzzz")
    assert_accessible(page, axe_source, "a dataset search with no results")


def test_dataset_page(page: Any, axe_source: str, site: dict[str, Any]) -> None:
    page.goto(f"/dataset/{site['dataset']['name']}")
    # only fields with values, each once; services and councils in the service block alone
    cells = page.locator(".additional-info td").all()
    assert cells and all(td.inner_text().strip() for td in cells)
    assert page.locator(".additional-info th", has_text="Services").count() == 0
    assert page.locator(".additional-info th", has_text="Council areas").count() == 0
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d", page.locator("body").inner_text())
    screenshot(page, "a11y-dataset-page")
    assert_accessible(page, axe_source, "the dataset page")


def test_login_page(page: Any, axe_source: str, site: dict[str, Any]) -> None:
    page.goto("/user/login")
    assert_accessible(page, axe_source, "the login page")


def test_new_dataset_form_empty(page: Any, axe_source: str, site: dict[str, Any]) -> None:
    login(page, site["editor"])
    page.goto(f"/dataset/new?owner_org={site['org']['id']}")
    assert page.locator("form#dataset-edit").count() == 1
    screenshot(page, "a11y-new-dataset-form")
    assert_accessible(page, axe_source, "the empty new-dataset form")


def test_new_dataset_form_with_errors(page: Any, axe_source: str, site: dict[str, Any]) -> None:
    login(page, site["editor"])
    # the last of the form's pages, the title left blank: an error the form must show accessibly
    page.goto(f"/dataset/new?owner_org={site['org']['id']}#section-more-detail-optional")
    with page.expect_navigation():
        page.locator("form#dataset-edit button[type=submit][name=save]").click()
    assert page.locator("[data-publicservices-error-summary]").count() == 1
    screenshot(page, "a11y-new-dataset-form-errors")
    assert_accessible(page, axe_source, "the new-dataset form showing errors")


def test_validation_report(page: Any, axe_source: str, site: dict[str, Any]) -> None:
    login(page, site["editor"])
    page.goto(f"/dataset/{site['dataset']['name']}/resource/{site['broken']['id']}/validation")
    text = page.locator("body").inner_text()
    assert "Validation report" in text and re.search(r"row", text, re.I), text[:1500]
    screenshot(page, "a11y-validation-report")
    assert_accessible(page, axe_source, "the validation report of a file with errors")


def test_consortium_page(page: Any, axe_source: str, site: dict[str, Any]) -> None:
    page.goto(f"/organization/{site['org']['name']}")
    screenshot(page, "a11y-consortium-page")
    assert_accessible(page, axe_source, "the consortium page")


def test_consortium_list(page: Any, axe_source: str, site: dict[str, Any]) -> None:
    page.goto("/organization/")
    assert_accessible(page, axe_source, "the list of consortia")


def test_standards_page(page: Any, axe_source: str, site: dict[str, Any]) -> None:
    page.goto("/standard")
    assert page.locator("a[href*='/standard/business-rates']").count() > 0
    screenshot(page, "a11y-standards")
    assert_accessible(page, axe_source, "the list of data standards")


def test_standard_page(page: Any, axe_source: str, site: dict[str, Any]) -> None:
    page.goto("/standard/business-rates")
    assert page.locator("h1").count() == 1
    screenshot(page, "a11y-standard-business-rates")
    assert_accessible(page, axe_source, "a data standard's page")


def test_resource_page(page: Any, axe_source: str, site: dict[str, Any]) -> None:
    page.goto(f"/dataset/{site['dataset']['name']}/resource/{site['broken']['id']}")
    # one licence row (core adds "License" to the schema's own, often empty, "Licence")
    assert page.locator("th", has_text=re.compile(r"^\s*Licen[cs]e\s*$")).count() == 1
    assert "License" not in page.locator("body").inner_text()
    # no empty rows, no raw timestamps
    assert all(td.inner_text().strip() for td in page.locator(".module-content td").all())
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d", page.locator("body").inner_text())
    screenshot(page, "a11y-resource-page")
    assert_accessible(page, axe_source, "a file's page")


PAGES_375 = {
    "home": "/",
    "search": "/dataset/",
    "dataset": "/dataset/{dataset}",
    "resource": "/dataset/{dataset}/resource/{broken}",
    "report": "/dataset/{dataset}/resource/{broken}/validation",
    "consortium": "/organization/{org}",
    "consortia": "/organization/",
    "standards": "/standard",
    "standard": "/standard/business-rates",
}


@pytest.mark.parametrize("name", sorted(PAGES_375))
def test_page_at_375_px(page: Any, axe_source: str, site: dict[str, Any], name: str) -> None:
    """A phone's width: nothing scrolls sideways, and axe finds nothing at this width either."""
    page.set_viewport_size({"width": 375, "height": 812})
    if name == "report":
        login(page, site["editor"])
    page.goto(
        PAGES_375[name].format(
            dataset=site["dataset"]["name"], broken=site["broken"]["id"], org=site["org"]["name"]
        )
    )
    screenshot(page, f"a11y-375-{name}")
    assert_no_horizontal_scroll(page, f"the {name} page")
    assert_accessible(page, axe_source, f"the {name} page at 375 px")
