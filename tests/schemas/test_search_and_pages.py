"""Facets on a seeded set, the vocabulary API, the dataset page and the web form."""

from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins as plugins
import pytest
from ckan.lib import search
from ckan.tests import factories, helpers

from .payloads import valid_dataset

pytestmark = pytest.mark.usefixtures("with_plugins")

SERVICE = "http://id.esd.org.uk/service/{}".format


@pytest.fixture(scope="module")
def seeded(reset_db: Any) -> dict[str, Any]:
    reset_db()
    search.clear_all()
    plugins.load_all()  # module fixtures run before the function-scoped with_plugins
    admin = factories.Sysadmin()
    ctx = {"user": admin["name"], "ignore_auth": True}
    kent = factories.Organization(name="kent-consortium")
    north = factories.Organization(name="north-lanarkshire-consortium")

    def create(**data: Any) -> dict[str, Any]:
        return helpers.call_action("package_create", dict(ctx), **data)

    create(
        name="fuel-poverty-risk",
        owner_org=kent["id"],
        **valid_dataset(
            la_service=["880", "269"],
            area=["E10000016"],
            service_design_phase="discovery",
            data_use_pattern=["delivery-chains-and-planning"],
        ),
    )
    create(
        name="business-rates",
        owner_org=north["id"],
        **valid_dataset(
            la_service=["54", "55"],
            area=["S12000044"],
            service_design_phase="beta",
            data_use_pattern=["increasing-access", "policy-development"],
            user_needs=[
                {"as_a": "business owner", "i_need": "to see reliefs", "so_that": "I claim them"}
            ],
            service_outcomes=[{"outcome": "fewer FOI requests", "measure": "requests a month"}],
            redaction_note="names of individual ratepayers replaced with REDACTED",
        ),
    )
    create(
        name="warm-homes",
        owner_org=kent["id"],
        **valid_dataset(la_service=["880"], area=["E10000016"], service_design_phase="beta"),
    )
    create(  # private: never counted for anonymous searches
        name="rates-internal",
        owner_org=north["id"],
        private=True,
        **valid_dataset(
            la_service=["54"],
            area=["S12000050"],
            data_spectrum="closed",
            personal_data="personal",
            open_by_default_exception="FOISA s.38 personal information",
        ),
    )
    create(
        name="open-by-default-pattern",
        type="design-pattern",
        owner_org=north["id"],
        problem="FOI requests for business rates",
        solution="Publish the data openly, automatically",
    )
    return {"admin": admin, "kent": kent, "north": north}


def _facets(**params: Any) -> dict[str, dict[str, Any]]:
    result = helpers.call_action(
        "package_search",
        {"ignore_auth": False},
        **{
            "facet.field": json.dumps(
                [
                    "vocab_la_service",
                    "vocab_area",
                    "organization",
                    "vocab_service_design_phase",
                    "vocab_data_spectrum",
                    "vocab_data_use_pattern",
                    "dataset_type",
                ]
            )
        },
        **params,
    )
    return {
        name: {i["name"]: i for i in block["items"]}
        for name, block in result["search_facets"].items()
    }


def test_facet_counts(seeded: dict[str, Any]) -> None:
    facets = _facets()
    assert {k: v["count"] for k, v in facets["vocab_la_service"].items()} == {
        SERVICE(880): 2,
        SERVICE(269): 1,
        SERVICE(54): 1,
        SERVICE(55): 1,
    }
    assert facets["vocab_la_service"][SERVICE(880)]["display_name"] == "Energy efficiency"
    assert {k: v["count"] for k, v in facets["vocab_area"].items()} == {
        "E10000016": 2,
        "S12000050": 1,
    }
    assert facets["vocab_area"]["S12000050"]["display_name"] == "North Lanarkshire Council"
    assert facets["organization"]["kent-consortium"]["count"] == 2
    assert facets["organization"]["north-lanarkshire-consortium"]["count"] == 2
    assert {k: v["count"] for k, v in facets["vocab_service_design_phase"].items()} == {
        "discovery": 1,
        "beta": 2,
    }
    assert {k: v["count"] for k, v in facets["vocab_data_spectrum"].items()} == {"open": 3}
    assert {k: v["count"] for k, v in facets["vocab_data_use_pattern"].items()} == {
        "increasing-access": 2,
        "policy-development": 1,
        "delivery-chains-and-planning": 1,
    }
    assert {k: v["count"] for k, v in facets["dataset_type"].items()} == {
        "dataset": 3,
        "design-pattern": 1,
    }


def test_filter_by_service_facet(seeded: dict[str, Any]) -> None:
    result = helpers.call_action("package_search", fq=f'vocab_la_service:"{SERVICE(880)}"')
    assert sorted(p["name"] for p in result["results"]) == ["fuel-poverty-risk", "warm-homes"]


def test_public_pages_and_vocabulary_api(app: Any, seeded: dict[str, Any]) -> None:
    # one test for the anonymous views: building an app per test is slow
    page = app.get("/dataset/")
    assert page.status_code == 200
    assert "Energy efficiency" in page.body
    assert "Design phase" in page.body

    # the vocabulary actions are public
    res = app.get(
        "/api/3/action/publicservices_vocabulary_autocomplete",
        query_string={"id": "lgsl", "q": "bins"},
    )
    assert res.status_code == 200
    first = res.json["result"][0]
    assert first["code"] == "524" and first["value"] == SERVICE(524)
    res = app.get(
        "/api/3/action/publicservices_vocabulary_show",
        query_string={"id": "council", "term": "S12000044"},
    )
    assert res.json["result"]["code"] == "S12000050"
    res = app.get("/api/3/action/publicservices_vocabulary_list")
    counts = {v["name"]: v["count"] for v in res.json["result"]}
    assert counts["lgsl"] == 1519 and counts["lgfl"] == 113
    res = app.get(
        "/api/3/action/publicservices_vocabulary_show", query_string={"id": "nope"}, status=404
    )
    res = app.get(
        "/api/3/action/publicservices_vocabulary_show",
        query_string={"id": "lgfl", "limit": "x"},
        status=409,
    )
    assert "limit" in res.json["error"]

    # the dataset page shows the service block
    body = app.get("/dataset/business-rates").body
    assert 'href="http://id.esd.org.uk/service/54"' in body
    assert "Business rates annual notification" in body
    assert 'href="http://statistics.gov.scot/id/statistical-geography/S12000050"' in body
    assert "North Lanarkshire Council" in body
    assert "Open data" in body and "OFFICIAL" in body
    assert "to see reliefs" in body and "fewer FOI requests" in body
    assert "replaced with REDACTED" in body
    assert "S12000044" in body  # the recorded code change

    # a private dataset is not shown to anonymous users
    app.get("/dataset/rates-internal", status=404)


# ---------------------------------------------------------------- the web form


@pytest.fixture
def token_user(seeded: dict[str, Any]) -> dict[str, Any]:
    return factories.SysadminWithToken()


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Bin collection days",
        "name": "form-bins",
        "notes": "Collection days by street",
        "la_service": "524, 1130",
        "area": "E10000016",
        "data_use_pattern": "increasing-access",
        "data_spectrum": "open",
        "personal_data": "none",
        "security_classification": "OFFICIAL",
        "license_id": "uk-ogl",
        "user_needs-0-as_a": "resident",
        "user_needs-0-i_need": "to know my collection day",
        "user_needs-0-so_that": "I put the bins out",
        "temporal_coverage-0-start": "2018-01-01",
        "temporal_coverage-0-end": "2018-12-31",
        "save": "",
        "_ckan_phase": "1",
    }
    data.update(overrides)
    return data


def test_failed_form_keeps_values_and_shows_field_errors(
    app: Any, token_user: dict[str, Any]
) -> None:
    # the empty form: sections, help text, the no-JavaScript service box
    body = app.get("/dataset/new", headers={"Authorization": token_user["token"]}).body
    for section in (
        "About the data",
        "Service and councils",
        "How open the data is",
        "Service design",
        "Who publishes it",
        "More detail (optional)",
    ):
        assert section in body
    # the service field is a plain text box that the JS module enhances
    assert re.search(r'<input[^>]+name="la_service"', body)
    assert 'data-module="publicservices-vocab-autocomplete"' in body
    assert "Type a word (&#34;bins&#34;)" in body or 'Type a word ("bins")' in body
    assert 'value="uk-ogl" selected' in body or re.search(
        r'<option[^>]*value="uk-ogl"[^>]*selected', body
    )

    # the other types' forms, with their own sections and licence choices
    auth = {"Authorization": token_user["token"]}
    pattern_form = app.get("/design-pattern/new", headers=auth).body
    assert 'name="problem"' in pattern_form and 'name="solution"' in pattern_form
    learning_form = app.get("/learning-resource/new", headers=auth).body
    assert 'name="kind"' in learning_form and "Journey map" in learning_form

    # a failed submission
    res = app.post(
        "/dataset/new",
        headers={"Authorization": token_user["token"]},
        data=_form(
            name="form-bad",
            data_spectrum="shared",
            la_service="524, 99999",
            **{"temporal_coverage-0-end": "2017-01-01", "contact-0-email": "nope"},
        ),
    )
    body = res.body
    assert res.status_code == 200
    assert "A public dataset must be open" in body
    assert "Why it is not open" in body
    assert "&#39;99999&#39; not found" in body or "'99999' not found" in body
    assert "before the start" in body
    assert "is not an email address" in body
    # nothing typed is lost
    assert 'value="Bin collection days"' in body
    assert "524, 99999" in body
    assert 'value="to know my collection day"' in body
    assert 'value="2017-01-01"' in body
    assert 'value="nope"' in body


def test_valid_form_creates_the_dataset(app: Any, token_user: dict[str, Any]) -> None:
    res = app.post(
        "/dataset/new",
        headers={"Authorization": token_user["token"]},
        data=_form(name="form-good", area="S12000044"),
        follow_redirects=False,
    )
    assert res.status_code == 302, res.body
    pkg = helpers.call_action("package_show", id="form-good")
    assert pkg["la_service"] == [SERVICE(524), SERVICE(1130)]
    assert pkg["area"] == ["S12000050"]
    assert pkg["user_needs"][0]["i_need"] == "to know my collection day"
    assert pkg["la_function"] == ["http://id.esd.org.uk/function/38"]
    # the edit form shows the stored services as codes again (no-JS text box)
    body = app.get("/dataset/edit/form-good", headers={"Authorization": token_user["token"]}).body
    assert 'value="524, 1130"' in body
    # derived functions are not shown, so that changing the services re-derives them
    tag = re.search(r'<input[^>]*name="la_function"[^>]*>', body)
    assert tag and 'value=""' in tag.group(0), tag
    res = app.post(
        "/dataset/edit/form-good",
        headers={"Authorization": token_user["token"]},
        data=_form(name="form-good", la_service="887", la_function="", save="", _ckan_phase=""),
        follow_redirects=False,
    )
    assert res.status_code == 302, res.body
    pkg = helpers.call_action("package_show", id="form-good")
    assert pkg["la_service"] == [SERVICE(887)]
    assert pkg["la_function"] == ["http://id.esd.org.uk/function/10"]


# ------------------------------------------------- the portal in its own words


PLACEHOLDERS = (
    "CKAN Dataset is",
    # core's notice that the metadata is released under the ODbL (ODbL itself is a licence a
    # publisher may choose for the data, so it stays in the licence list)
    "metadata</i> values that you",
    "opendatacommons.org/licenses/odbl",
    "nice introductory paragraph",
    "Welcome to CKAN",
    "CKAN Organizations are",
    "CKAN Groups",
    "CKAN Association",
    "Powered by",
    "ckan-logo",  # core's logo in the header, not the portal's name
    "A resource can be any file",
)


def test_no_ckan_placeholder_text_and_a_use_this_data_block(
    app: Any, token_user: dict[str, Any]
) -> None:
    auth = {"Authorization": token_user["token"]}
    for url, headers in (
        ("/", {}),
        ("/about", {}),
        ("/dataset/", {}),
        ("/dataset/business-rates", {}),
        ("/organization/", {}),
        ("/organization/kent-consortium", {}),
        ("/dataset/new", auth),
        ("/dataset/edit/business-rates", auth),
        ("/dataset/business-rates/resource/new", auth),
        ("/organization/new", auth),
    ):
        body = app.get(url, headers=headers).body
        found = [p for p in PLACEHOLDERS if p.lower() in body.lower()]
        assert not found, f"{url} still says {found}"

    # what a re-user needs besides the files, each link answering
    body = app.get("/dataset/business-rates").body
    block = body[body.index('id="use-this-data"') :]
    links = re.findall(r'<a href="([^"]+)"', block[: block.index("</section>")])
    assert any("package_show" in link for link in links), links
    assert {"ttl", "jsonld", "rdf"} <= {
        link.rsplit(".", 1)[-1] for link in links if "business-rates." in link
    }, links
    assert "/dataset/business-rates/datapackage.json" in [link.split("?")[0] for link in links]
    for link in links:
        res = app.get(link.replace("&amp;", "&"))
        assert res.status_code == 200, (link, res.status_code)
    assert app.get(links[0].replace("&amp;", "&")).json["result"]["name"] == "business-rates"


def test_blank_title_and_address_are_both_listed_once_without_a_second_announcement(
    app: Any, token_user: dict[str, Any]
) -> None:
    res = app.post(
        "/dataset/new",
        headers={"Authorization": token_user["token"]},
        data=_form(title="", name=""),
    )
    body = res.body
    start = body.index("data-publicservices-error-summary")
    summary = body[body.rindex("<div", 0, start) : body.index("</div>", start)]
    # focus moves to the summary (a11y.js); role=alert would make a screen reader read it twice
    assert 'tabindex="-1"' in summary and 'role="alert"' not in summary
    items = re.findall(r'<a href="(#[^"]+)">([^<]+)</a>', summary)
    assert [href for href, _ in items] == ["#field-title", "#field-name"], items
    assert items[0][1] == "Title: Enter a title"
    assert items[1][1].startswith("Web address: Enter the end of the web address"), items
    # each message once beside its field too
    assert body.count("Enter a title") == 2
    assert body.count("Enter the end of the web address") == 2

    # a web address already taken: in the form's words ("web address", not core's "URL")
    body = app.post(
        "/dataset/new",
        headers={"Authorization": token_user["token"]},
        data=_form(name="business-rates"),
    ).body
    assert "That URL is already in use" not in body
    assert "Web address: That web address is already used by another dataset" in body


def test_form_steps_words_come_translated_from_the_page(
    app: Any, token_user: dict[str, Any]
) -> None:
    body = app.get("/dataset/new", headers={"Authorization": token_user["token"]}).body
    nav = re.search(r"<nav[^>]*data-publicservices-steps[^>]*>", body)
    assert nav, "no step list"
    assert 'data-text-continue="Continue"' in nav.group(0)
    assert 'data-text-back="Back"' in nav.group(0)
    assert 'data-text-step="Step {number} of {total}"' in nav.group(0)
    script = app.get("/publicservices/form-steps.js").body
    code = re.sub(r"//[^\n]*", "", re.sub(r"/\*.*?\*/", "", script, flags=re.S))
    assert "data-text-continue" in code
    # the script says nothing in English of its own: every word shown comes from the page
    for word in ('"Continue"', '"Back"', '"Step "', '" of "'):
        assert word not in code, word
